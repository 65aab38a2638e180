"""`vanban files check` knows every kind of stored file: progress files and draft versions too."""

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.documents.test_files_check import storage  # noqa: F401 - an empty storage per test
from tests.support.drafting import create_draft, make_team
from tests.support.files import pdf_upload
from tests.support.workflow import assignment, directed
from vanban.workflow import services

pytestmark = pytest.mark.django_db


def check() -> str:
    out = StringIO()
    try:
        call_command("files", "check", stdout=out, stderr=out)
    except CommandError as exc:
        out.write(f"\n{exc}")
    return out.getvalue()


def test_progress_files_and_draft_versions_are_not_orphans(work, storage):  # noqa: F811
    document = directed(work)
    entry = services.assignment_progress(
        actor=work.plan_staff,
        assignment=assignment(document, role="lead"),
        text="Đã có kết quả.",
        result_files=[pdf_upload("ket-qua.pdf", "Kết quả xử lý")],
    )
    draft = create_draft(make_team(work.office.province))
    output = check()
    assert "Tệp mồ côi" not in output, output
    assert "Thiếu tệp" not in output

    progress_file = entry.files.get()
    version = draft.versions.get()
    default_storage.delete(progress_file.storage_name)
    default_storage.delete(version.storage_name)
    output = check()
    assert f"“ket-qua.pdf” của tiến độ xử lý #{entry.pk}" in output
    assert f"của dự thảo #{draft.pk}" in output
