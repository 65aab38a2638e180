"""Downloading a file: access through the document, SHA-256 checked, headers, audit (App. VI)."""

import datetime as dt
import hashlib
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from tests.support.documents import DECLARED, incoming_input
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents import services
from vanban.documents.files import FORMATS, FileUnavailable

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
PDF = pdf_bytes("Quyết định về việc ban hành quy chế")
NAME = "Quyết định số 15 – Đồng ý.pdf"


@pytest.fixture
def storage(settings, tmp_path):
    """Each test gets its own empty storage (the storage API is reset by Django on change)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return default_storage


@pytest.fixture
def registered(office, storage):
    with clock.frozen(NOW):
        document = services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(),
            refusals=DECLARED,
            main_file=upload(NAME, PDF, "application/octet-stream"),
            attachments=[upload("Phụ lục.docx", docx_bytes("Danh sách"))],
        )
    return document


def url(file) -> str:
    return reverse("documents:file_download", args=[file.pk])


def main_file(document):
    return document.files.get(role="main")


def downloads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="document.file_download"))


def test_the_clerk_downloads_the_verified_file(office, registered, client_for):
    file = main_file(registered)
    response = client_for(office.clerk).get(url(file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == (
        'attachment; filename="Quyet dinh so 15 _ Dong y.pdf"; '
        f"filename*=UTF-8''{quote(NAME, safe='')}"
    )
    assert "Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    [event] = downloads()
    assert (event.action, event.actor_id, event.unit_id) == (
        "document.file_download",
        office.clerk.pk,
        office.province.stttt.pk,
    )
    assert (event.target_type, event.target_id) == ("documents.document", str(registered.pk))
    assert event.data == {"file": file.pk, "name": NAME, "sha256": hashlib.sha256(PDF).hexdigest()}
    assert event.ip == "127.0.0.1"


def test_an_attachment_comes_with_its_own_type(office, registered, client_for):
    file = registered.files.get(role="attachment")
    response = client_for(office.leader).get(url(file))
    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS["docx"]
    assert b"".join(response.streaming_content) == docx_bytes("Danh sách")


def test_anonymous_visitors_are_sent_to_login(office, registered, client):
    response = client.get(url(main_file(registered)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert downloads() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("leader", 200),
        ("shared", 200),
        ("staff_same_unit", 404),
        ("clerk_other_unit", 404),
        ("admin_same_unit", 404),
        ("province_admin", 404),
        ("leader_other_unit", 404),
    ],
)
def test_authorization_matrix(office, registered, client_for, who, status):
    province = office.province
    shared = make_user(province.stttt, "Bùi Thị Chia Sẻ")
    services.document_share(actor=office.clerk, document=registered, user=shared)
    people = {
        "clerk": office.clerk,
        "leader": office.leader,
        "shared": shared,
        "staff_same_unit": province.staff_stttt,
        "clerk_other_unit": office.clerk_snv,
        "admin_same_unit": province.admin_stttt,
        "province_admin": province.province_admin,
        "leader_other_unit": make_user(province.snv, "Lý Văn Lãnh", (Role.LEADER,)),
    }
    before = len(downloads())
    response = client_for(people[who]).get(url(main_file(registered)))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert len(downloads()) == before + 1
    else:
        assert "Không tìm thấy" in response.content.decode()
        assert len(downloads()) == before


def test_a_file_that_does_not_exist_is_404(office, registered, client_for):
    response = client_for(office.clerk).get(reverse("documents:file_download", args=[999_999]))
    assert response.status_code == 404


def test_only_get_is_allowed(office, registered, client_for):
    response = client_for(office.clerk).post(url(main_file(registered)))
    assert response.status_code == 405
    assert downloads() == []


def test_a_missing_file_is_refused_with_an_explanation(office, registered, client_for, storage):
    file = main_file(registered)
    storage.delete(file.storage_name)
    response = client_for(office.clerk).get(url(file))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Tệp không còn trong kho lưu trữ nên không tải xuống được" in page
    assert "application/pdf" not in response["Content-Type"]
    [event] = downloads()
    assert (event.action, event.data["reason"]) == ("document.file_download_refused", "missing")


def test_a_changed_file_is_refused_and_nothing_is_sent(office, registered, client_for, storage):
    file = main_file(registered)
    storage.delete(file.storage_name)
    storage.save(file.storage_name, ContentFile(PDF[:-1] + b"X"))
    response = client_for(office.leader).get(url(file))
    assert response.status_code == 409
    page = response.content.decode()
    assert "đã bị thay đổi (mã băm SHA-256 không khớp với lúc vào sổ)" in page
    assert not response.has_header("Content-Disposition")
    [event] = downloads()
    assert (event.action, event.data["reason"]) == ("document.file_download_refused", "changed")


@pytest.mark.parametrize("change", ["shorter", "same size", "longer"])
def test_a_file_changed_while_streaming_never_arrives_complete(
    office, registered, client_for, storage, change
):
    # Several chunks: a real PDF (the upload gate opens it) followed by bytes after its end.
    large = pdf_bytes("Quyết định số 16") + b"%" + bytes(range(256)) * 2000
    with clock.frozen(NOW):
        document = services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=incoming_input(code_number="16"),
            refusals=DECLARED,
            main_file=upload("lon.pdf", large),
        )
    file = main_file(document)
    response = client_for(office.clerk).get(url(file))
    assert response.status_code == 200  # verified; the body is read below
    tampered = {
        "shorter": large[:-10],
        "same size": large[:-1] + b"X",
        "longer": large + b"\n% appended" * 20000,
    }[change]
    storage.delete(file.storage_name)
    storage.save(file.storage_name, ContentFile(tampered))
    received = bytearray()
    with pytest.raises(FileUnavailable, match="đã bị thay đổi"):
        for chunk in response.streaming_content:
            received.extend(chunk)
    assert len(received) < int(response["Content-Length"])
