"""The scan intake's services (R13, R16): uploading several scans with the refusals named per
file, splitting a pile at blank pages, reading a scan with real Tesseract, registering it with
what was read (no second reading), the secrecy stamp refused unless the clerk states a reason,
discarding, and OCR unavailable."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.support.clamd import EICAR
from tests.support.documents import DECLARED, incoming_input
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.ocr_tools import require_ocr
from tests.support.refusals import refused
from tests.support.scan_pages import Decision, scanned_decision, scanned_pile, scanned_png
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import ocr
from vanban.documents.files import files_check
from vanban.documents.models import Document, DocumentFile
from vanban.documents.search import document_search
from vanban.paper import services
from vanban.paper.models import ScanItem
from vanban.paper.split import blank_pages, split_at_blank_pages
from vanban.scanning.models import Detection

pytestmark = pytest.mark.django_db

SECRET_REASON = "Chữ MẬT là một phần tên đơn vị, không phải dấu chỉ độ mật."


@pytest.fixture
def ocr_on(settings, own_storage):
    require_ocr(settings)


@pytest.fixture
def immediate(django_capture_on_commit_callbacks):
    """Run what a commit queues (the background reading, file removals) as the commit ends."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def upload_scans(office, immediate, *files, split=False):
    return immediate(
        lambda: services.scan_upload(
            actor=office.clerk,
            unit=office.province.stttt,
            uploads=[upload(name, data, "application/pdf") for name, data in files],
            split_blank=split,
        )
    )


def stored(prefix="paper"):
    found = []
    pending = [prefix]
    while pending:
        path = pending.pop()
        if not default_storage.exists(path):
            continue
        dirs, names = default_storage.listdir(path)
        found += [f"{path}/{n}" for n in names]
        pending += [f"{path}/{d}" for d in dirs]
    return sorted(found)


def queue_state():
    return {
        "items": list(ScanItem.objects.order_by("pk").values_list("pk", "status", "document_id")),
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "stored": stored() + stored("documents"),
        "audit": AuditEvent.objects.count(),
    }


# ---------------------------------------------------------------- splitting


def test_a_pile_of_three_decisions_splits_at_its_blank_pages():
    pile = scanned_pile([Decision(), Decision(number="16/QĐ-UBND"), Decision(number="17/QĐ-UBND")])
    assert blank_pages(pile) == [False, True, False, True, False]
    parts = split_at_blank_pages(pile)
    assert len(parts) == 3
    assert all(blank_pages(part) == [False] for part in parts)


def test_a_pdf_without_blank_pages_stays_whole_and_blank_pages_only_give_nothing():
    single = scanned_decision()
    assert split_at_blank_pages(single) == [single]
    assert split_at_blank_pages(pdf_bytes()) == []


# ---------------------------------------------------------------- uploading


def test_each_file_is_checked_and_a_refused_file_leaves_the_others_queued(
    office, own_storage, immediate
):
    outcome = upload_scans(
        office,
        immediate,
        ("quyet-dinh-15.pdf", scanned_decision()),
        ("rong.pdf", b""),
        ("ghi-chu.txt", b"khong phai ban quet"),
        ("cong-van.docx", docx_bytes("Công văn điện tử")),
    )
    assert [item.original_name for item in outcome.items] == ["quyet-dinh-15.pdf"]
    assert [(r.name, r.message) for r in outcome.refused] == [
        ("rong.pdf", "Tệp “rong.pdf” rỗng."),
        (
            "ghi-chu.txt",
            "Tệp “ghi-chu.txt” không thuộc định dạng được phép (PDF, DOCX, DOC, ODT, XLSX, ODS, "
            "JPEG, PNG, TIFF, XML); định dạng được xác định theo nội dung tệp, không theo tên tệp.",
        ),
        (
            "cong-van.docx",
            "Tệp “cong-van.docx” không phải bản quét (PDF, JPEG, PNG, TIFF); văn bản điện tử được "
            "vào sổ ở trang “Vào sổ văn bản đến”.",
        ),
    ]
    item = ScanItem.objects.get()
    # OCR is off in the test settings: the item says why, it is never silently "ready".
    assert item.status == ScanItem.Status.FAILED
    assert item.error == ocr.ocr_problem() != ""
    assert stored() == [item.storage_name]
    event = AuditEvent.objects.filter(action="paper.scan_upload").get()
    assert event.data["refused"] == ["rong.pdf", "ghi-chu.txt", "cong-van.docx"]


def test_a_pile_split_at_blank_pages_gives_one_item_a_document(office, own_storage, immediate):
    pile = scanned_pile([Decision(), Decision(number="16/QĐ-UBND"), Decision(number="17/QĐ-UBND")])
    outcome = upload_scans(office, immediate, ("lo-sang.pdf", pile), split=True)
    assert [(i.original_name, i.part, i.source_name) for i in outcome.items] == [
        ("lo-sang (phần 1).pdf", 1, "lo-sang.pdf"),
        ("lo-sang (phần 2).pdf", 2, "lo-sang.pdf"),
        ("lo-sang (phần 3).pdf", 3, "lo-sang.pdf"),
    ]
    assert len(stored()) == 3


def test_only_a_clerk_of_the_unit_uploads(office, own_storage):
    refused(
        lambda: services.scan_upload(
            actor=office.clerk_snv,
            unit=office.province.stttt,
            uploads=[upload("a.pdf", scanned_decision(), "application/pdf")],
        ),
        AccessDenied,
        "Chỉ văn thư của đơn vị được vào sổ văn bản.",
        state=queue_state,
    )


# ---------------------------------------------------------------- reading and registering


def test_a_scan_is_read_once_and_registered_with_what_was_read(office, ocr_on, immediate):
    (item,) = upload_scans(office, immediate, ("quyet-dinh-15.pdf", scanned_decision())).items
    item.refresh_from_db()
    assert item.status == ScanItem.Status.READY, item.error
    assert "Quy chế quản lý văn bản điện tử" in item.ocr_text
    assert item.ocr_confidence is not None and item.ocr_confidence > 50
    assert item.first_page["lines"]
    assert item.secrecy_marks == []
    assert item.ocr_storage_name in stored()
    # Reading again does nothing: the task is idempotent.
    assert services.scan_read(item_id=item.pk) == "skipped"

    original = default_storage.open(item.storage_name).read()
    document = immediate(
        lambda: services.scan_register(
            actor=office.clerk, item=item, data=incoming_input(), refusals=DECLARED
        )
    )
    item.refresh_from_db()
    assert (item.status, item.document_id) == (ScanItem.Status.REGISTERED, document.pk)
    main = document.files.get(role=DocumentFile.Role.MAIN)
    assert (main.original_name, main.sha256) == ("quyet-dinh-15.pdf", item.sha256)
    assert default_storage.open(main.storage_name).read() == original
    # The searchable copy is the one read in the queue, not read again after the commit; the
    # queue's own copies are gone.
    copy = DocumentFile.with_copies.get(ocr_of=main)
    assert copy.sha256 == item.ocr_sha256
    main.refresh_from_db()
    assert (main.ocr_status, main.ocr_confidence) == (
        DocumentFile.OcrStatus.DONE,
        item.ocr_confidence,
    )
    assert stored() == []
    found = document_search(user=office.clerk, query="dia ban tinh ap dung")
    assert document in list(found)
    assert AuditEvent.objects.filter(action="paper.scan_register", data__item=item.pk).exists()


def test_a_scan_stamped_secret_is_refused_without_a_reason(office, ocr_on, immediate):
    (item,) = upload_scans(
        office, immediate, ("mat.pdf", scanned_decision(Decision(stamp="MẬT")))
    ).items
    item.refresh_from_db()
    assert (item.status, item.secrecy_marks) == (ScanItem.Status.SECRET, ["MẬT"])

    def register(reason=""):
        return immediate(
            lambda: services.scan_register(
                actor=office.clerk,
                item=item,
                data=incoming_input(),
                refusals=DECLARED,
                override_reason=reason,
            )
        )

    refused(
        register,
        ServiceError,
        services.secrecy_refusal("MẬT"),
        "override_reason",
        state=queue_state,
    )
    refused(
        lambda: register("   "), ServiceError, services.secrecy_refusal("MẬT"), state=queue_state
    )
    refused(lambda: register("không mật"), ServiceError, services.OVERRIDE_SHORT, state=queue_state)
    assert services.secrecy_refusal("MẬT").startswith(
        "Bản quét có dấu chỉ độ mật “MẬT”: văn bản mật không được đưa vào hệ thống "
        "(Quy chế, Điều 4)"
    )


def test_the_clerk_overrides_a_secrecy_stamp_with_a_reason_kept_and_audited(
    office, ocr_on, immediate
):
    (item,) = upload_scans(
        office, immediate, ("mat.pdf", scanned_decision(Decision(stamp="MẬT")))
    ).items
    document = immediate(
        lambda: services.scan_register(
            actor=office.clerk,
            item=item,
            data=incoming_input(),
            refusals=DECLARED,
            override_reason=f"  {SECRET_REASON}  ",
        )
    )
    item.refresh_from_db()
    assert item.status == ScanItem.Status.REGISTERED
    assert (item.override_reason, item.override_by) == (SECRET_REASON, office.clerk)
    assert item.override_at is not None
    event = AuditEvent.objects.get(action="paper.secrecy_override")
    assert event.data == {"item": item.pk, "marks": ["MẬT"], "reason": SECRET_REASON}
    assert event.target_id == str(document.pk)


def test_a_registered_or_discarded_scan_cannot_be_registered_again(office, own_storage, immediate):
    first, second = upload_scans(
        office, immediate, ("a.pdf", scanned_decision()), ("b.pdf", scanned_decision())
    ).items
    immediate(lambda: services.scan_discard(actor=office.clerk, item=first))
    first.refresh_from_db()
    assert (first.status, first.storage_name, first.closed_by) == (
        ScanItem.Status.DISCARDED,
        "",
        office.clerk,
    )
    assert stored() == [second.storage_name]
    refused(
        lambda: services.scan_register(
            actor=office.clerk, item=first, data=incoming_input(), refusals=DECLARED
        ),
        ServiceError,
        "Bản quét này đã bị bỏ.",
        state=queue_state,
    )
    refused(
        lambda: services.scan_discard(actor=office.clerk_snv, item=second),
        AccessDenied,
        "Chỉ văn thư của đơn vị được vào sổ văn bản.",
        state=queue_state,
    )


def test_ocr_unavailable_leaves_the_scan_to_be_registered_by_hand(office, own_storage, immediate):
    (item,) = upload_scans(office, immediate, ("a.pdf", scanned_decision())).items
    item.refresh_from_db()
    assert item.status == ScanItem.Status.FAILED and item.error
    document = immediate(
        lambda: services.scan_register(
            actor=office.clerk, item=item, data=incoming_input(), refusals=DECLARED
        )
    )
    assert [f.sha256 for f in document.files.all()] == [item.sha256]
    item.refresh_from_db()
    assert item.status == ScanItem.Status.REGISTERED


def test_a_refused_registration_keeps_the_item_and_stores_nothing(office, own_storage, immediate):
    (item,) = upload_scans(office, immediate, ("a.pdf", scanned_decision())).items
    refused(
        lambda: services.scan_register(
            actor=office.clerk,
            item=item,
            data=incoming_input(),
            refusals=type(DECLARED)(sensitive_declared=True, secrecy="mat"),
        ),
        ServiceError,
        "Văn bản có độ mật “Mật” không được đưa vào hệ thống (Quy chế, Điều 4); hãy xử lý theo "
        "quy định về bảo vệ bí mật nhà nước. Không có gì được lưu.",
        "secrecy",
        state=queue_state,
    )


def test_a_png_scan_is_read_too(office, ocr_on, immediate):
    outcome = immediate(
        lambda: services.scan_upload(
            actor=office.clerk,
            unit=office.province.stttt,
            uploads=[upload("trang-1.png", scanned_png(), "image/png")],
        )
    )
    item = ScanItem.objects.get(pk=outcome.items[0].pk)
    assert (item.file_format, item.status) == ("png", ScanItem.Status.READY), item.error
    assert "Quy chế quản lý văn bản điện tử" in item.ocr_text


def test_a_failed_reading_is_read_again_once_ocr_works(office, own_storage, settings, immediate):
    (item,) = upload_scans(office, immediate, ("a.pdf", scanned_decision())).items
    item.refresh_from_db()
    assert item.status == ScanItem.Status.FAILED
    refused(
        lambda: services.scan_reread(actor=office.clerk_snv, item=item),
        AccessDenied,
        "Chỉ văn thư của đơn vị được vào sổ văn bản.",
        state=queue_state,
    )
    require_ocr(settings)
    immediate(lambda: services.scan_reread(actor=office.clerk, item=item))
    item.refresh_from_db()
    assert (item.status, item.error) == (ScanItem.Status.READY, "")
    refused(
        lambda: services.scan_reread(actor=office.clerk, item=item),
        ServiceError,
        services.REREAD_ONLY,
        state=queue_state,
    )


def test_the_files_check_verifies_the_queue_and_finds_its_orphans(office, ocr_on, immediate):
    (item,) = upload_scans(office, immediate, ("a.pdf", scanned_decision())).items
    item.refresh_from_db()
    report = files_check()
    assert report.problems == 0
    checked = {problem.storage_name for problem in report.missing + report.orphans}
    assert checked == set()
    default_storage.delete(item.ocr_storage_name)
    stray = default_storage.save("paper/2026/11/stray.pdf", ContentFile(b"%PDF-1.4"))
    report = files_check()
    assert [p.storage_name for p in report.missing] == [item.ocr_storage_name]
    assert [p.storage_name for p in report.orphans] == [stray]


def test_a_reading_that_stalled_is_read_again(office, own_storage, settings, immediate):
    """The worker stopped in the middle: the item stays "đang đọc" until OCR's time is past."""
    (item,) = upload_scans(office, immediate, ("a.pdf", scanned_decision())).items
    started = clock.now()
    ScanItem.objects.filter(pk=item.pk).update(
        status=ScanItem.Status.READING, reading_since=started, error=""
    )
    item.refresh_from_db()
    refused(
        lambda: services.scan_reread(actor=office.clerk, item=item),
        ServiceError,
        services.REREAD_ONLY,
        state=queue_state,
    )
    require_ocr(settings)
    later = started + dt.timedelta(seconds=settings.VANBAN_OCR_TIMEOUT + 121)
    with clock.frozen(later):
        immediate(lambda: services.scan_reread(actor=office.clerk, item=item))
    item.refresh_from_db()
    assert item.status == ScanItem.Status.READY, item.error


def test_an_infected_file_is_refused_and_the_other_scans_are_queued(
    office, own_storage, scanning, immediate
):
    outcome = upload_scans(
        office, immediate, ("quet-1.pdf", EICAR), ("quet-2.pdf", scanned_decision())
    )
    assert [item.original_name for item in outcome.items] == ["quet-2.pdf"]
    ((name, message),) = [(r.name, r.message) for r in outcome.refused]
    assert name == "quet-1.pdf"
    assert message.startswith("Tệp “quet-1.pdf” chứa mã độc (")
    assert Detection.objects.filter(original_name="quet-1.pdf").count() == 1
