"""`vanban files check`: missing, changed and orphan files, through the storage API only."""

import datetime as dt
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.support.documents import DECLARED, incoming_input
from tests.support.files import docx_bytes, pdf_bytes, upload
from vanban.core import clock
from vanban.documents import files, services
from vanban.documents.models import Document, DocumentFile

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))


@pytest.fixture
def storage(settings, tmp_path):
    """Each test gets its own empty storage (Django resets the storage API on change)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return default_storage


def register(office, number: int, *, attachments: int = 0) -> Document:
    with clock.frozen(NOW):
        return services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(code_number=str(number), subject=f"Văn bản số {number}"),
            refusals=DECLARED,
            main_file=upload(f"van-ban-{number}.pdf", pdf_bytes(f"Văn bản số {number}")),
            attachments=[
                upload(f"phu-luc-{i}.docx", docx_bytes(f"Phụ lục {i}")) for i in range(attachments)
            ],
        )


def check(*args: str) -> tuple[str, str | None]:
    """Run the command; its output and the error it ended with (None when all is well)."""
    out = io.StringIO()
    try:
        call_command("files", "check", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_all_is_well(office, storage):
    register(office, 15, attachments=1)
    register(office, 16)
    output, error = check()
    assert error is None
    assert output.strip().splitlines() == [
        "Đã đối chiếu 3 bản ghi tệp với 3 tệp trong kho: 0 thiếu, 0 bị thay đổi, 0 mồ côi."
    ]


def test_an_empty_storage_is_well_too(storage):
    output, error = check()
    assert error is None
    assert "Đã đối chiếu 0 bản ghi tệp với 0 tệp trong kho" in output


def test_a_crash_between_storing_and_committing_leaves_a_findable_orphan(office, storage):
    """The process dies after the file reached storage and before its row was committed: the
    service's clean-up never runs. What is left is a stored file without a row."""
    register(office, 15)
    rows = DocumentFile.objects.count()
    prepared = files.file_prepare(
        upload("Quyết định.pdf", pdf_bytes("Quyết định số 9")), actor=None
    )
    stored_name = files.file_store(prepared)  # ... and here the process is killed
    assert DocumentFile.objects.count() == rows
    assert storage.exists(stored_name)
    output, error = check()
    assert f"Tệp mồ côi (không có bản ghi): {stored_name}" in output.splitlines()
    assert "1 mồ côi." in output
    assert error == "Phát hiện 1 vấn đề về tệp văn bản."


def test_missing_and_changed_files_are_reported(office, storage):
    first, second, third = register(office, 15), register(office, 16), register(office, 17)
    gone, altered = first.files.get(), second.files.get()
    storage.delete(gone.storage_name)
    storage.delete(altered.storage_name)
    storage.save(altered.storage_name, ContentFile(pdf_bytes("Nội dung đã bị sửa")))
    output, error = check()
    lines = output.splitlines()
    assert (
        f"Thiếu tệp: {gone.storage_name} (tệp #{gone.pk} “van-ban-15.pdf” của văn bản #{first.pk})"
    ) in lines
    assert (
        f"Tệp bị thay đổi: {altered.storage_name} (tệp #{altered.pk} “van-ban-16.pdf” "
        f"của văn bản #{second.pk})"
    ) in lines
    assert third.files.get().storage_name not in output
    assert lines[-1] == (
        "Đã đối chiếu 3 bản ghi tệp với 2 tệp trong kho: 1 thiếu, 1 bị thay đổi, 0 mồ côi."
    )
    assert error == "Phát hiện 2 vấn đề về tệp văn bản."


def test_json_for_machines(office, storage):
    document = register(office, 15)
    gone = document.files.get()
    storage.delete(gone.storage_name)
    orphan = files.file_store(files.file_prepare(upload("a.pdf", pdf_bytes("Mồ côi")), actor=None))
    output, error = check("--json")
    assert error == "Phát hiện 2 vấn đề về tệp văn bản."
    assert json.loads(output) == {
        "records": 1,
        "stored": 1,
        "hashed": True,
        "missing": [
            {
                "storage_name": gone.storage_name,
                "file_id": gone.pk,
                "document_id": document.pk,
                "name": "van-ban-15.pdf",
            }
        ],
        "changed": [],
        "orphans": [orphan],
    }


def test_quick_check_skips_the_hashes(office, storage):
    altered = register(office, 15).files.get()
    storage.delete(altered.storage_name)
    storage.save(altered.storage_name, ContentFile(b"%PDF-1.7 something else"))
    output, error = check("--quick")
    assert error is None
    assert "(không tính lại mã băm): 0 thiếu, 0 bị thay đổi, 0 mồ côi." in output
    assert check()[1] == "Phát hiện 1 vấn đề về tệp văn bản."


def test_files_outside_the_documents_prefix_are_not_orphans(office, storage):
    register(office, 15)
    storage.save("reports/bao-cao.pdf", ContentFile(b"%PDF-1.7"))
    assert check()[1] is None


@pytest.mark.parametrize("count", [1, 6])
def test_one_query_whatever_the_number_of_files(office, storage, count, django_assert_num_queries):
    """One query per kind of file record (documents, progress files, draft versions, signature
    images and seals, PKCS#12 key files, PDFs converted from Word drafts, signed drafts,
    packages received from other systems, quarantined infected uploads, screenshots of fault
    reports, files of scheduled reports, scans waiting to be registered and their OCR copies)."""
    assert len(files.FILE_SOURCES) == 13
    for number in range(count):
        register(office, 20 + number, attachments=1)
    with django_assert_num_queries(len(files.FILE_SOURCES)):
        output, error = check()
    assert error is None
    assert f"Đã đối chiếu {2 * count} bản ghi tệp với {2 * count} tệp trong kho" in output
