"""Hostile files sent through the pages and the API a clerk and a drafter use (R20).

Each is refused with a Vietnamese reason and nothing is stored for the document: no row, no file,
no number taken, no audit event. An infected file alone leaves a trace: a quarantined copy that
nobody can download, its detection row, the notification of the unit's and the province's
administrators, and one audit event.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from tests.documents.test_pages import INCOMING_NEW, incoming_data
from tests.scanning import hostile
from tests.support.api import ApiClient, token_for
from tests.support.clamd import EICAR
from tests.support.drafting import create_draft
from tests.support.files import pdf_bytes, upload
from vanban.audit.models import AuditEvent
from vanban.core.models import Notification
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.drafting.models import Draft, DraftVersion
from vanban.scanning.models import Detection

pytestmark = pytest.mark.django_db

DETECTED = "file.malware_detected"
EICAR_NAME = "Eicar-Test-Signature"

# name, bytes, expected words of the refusal, signature (None: refused without a detection)
CORPUS = [
    ("cong-van.pdf", lambda: EICAR, f"chứa mã độc ({EICAR_NAME})", EICAR_NAME),
    ("to-trinh.pdf", hostile.pdf_with_eicar, f"chứa mã độc ({EICAR_NAME})", EICAR_NAME),
    ("bao-cao.docx", hostile.docx_with_eicar, f"chứa mã độc ({EICAR_NAME})", EICAR_NAME),
    ("ke-hoach.pdf", hostile.pdf_with_marker, "chứa mã độc (Vanban.Test.Marker-1)", "marker"),
    ("mo-tu-dong.pdf", hostile.pdf_with_open_action_js, "chứa mã JavaScript", None),
    ("chay-lenh.pdf", hostile.pdf_with_launch, "lệnh mở chương trình", None),
    ("kem-exe.pdf", hostile.pdf_with_exe, "chứa tệp nhúng bên trong", None),
    ("hai-mat.pdf", hostile.pdf_zip_polyglot, "vừa là tệp PDF vừa chứa một tệp nén ZIP", None),
    ("trang-web.pdf", hostile.pdf_then_html, "chứa mã trang web (HTML)", None),
]
IDS = [
    "eicar",
    "eicar-in-pdf",
    "eicar-in-docx",
    "own-signature",
    "openaction-js",
    "launch",
    "embedded-exe",
    "pdf-zip-polyglot",
    "pdf-then-html",
]


def stored_files() -> list[str]:
    root = str(settings.MEDIA_ROOT)
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def state() -> dict[str, Any]:
    """Everything an upload could change, but the traces of a detection."""
    return {
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "drafts": list(Draft.objects.values_list("pk", "current_version_id", "status")),
        "versions": DraftVersion.objects.count(),
        "series": list(RegisterSeries.objects.order_by("pk").values_list("pk", "next_number")),
        "audit": list(
            AuditEvent.objects.exclude(action=DETECTED).order_by("seq").values_list("action")
        ),
        "stored": [name for name in stored_files() if not name.startswith("quarantine/")],
    }


def quarantined() -> set[str]:
    return {name for name in stored_files() if name.startswith("quarantine/")}


def assert_detection(  # type: ignore[no-untyped-def]
    office, name: str, data: bytes, signature: str, source: str, before: set[str]
) -> None:
    """The traces of one detection: quarantined copy, row, notifications, audit event."""
    detection = Detection.objects.get()
    assert detection.original_name == name
    assert detection.signature.removesuffix(".UNOFFICIAL") == signature
    assert (detection.unit, detection.uploaded_by) == (office.province.stttt, office.clerk)
    assert detection.source == source
    assert detection.sha256 == hashlib.sha256(data).hexdigest()
    assert detection.storage_name.startswith("quarantine/")
    assert default_storage.open(detection.storage_name).read() == data
    assert quarantined() - before == {detection.storage_name}
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    province = office.province
    assert told == {province.province_admin.username, province.admin_stttt.username}
    note = Notification.objects.get(recipient=province.admin_stttt)
    assert signature in note.title and name in note.body
    assert note.link == "/ma-doc/"
    event = AuditEvent.objects.get(action=DETECTED)
    assert (event.actor, event.unit) == (office.clerk, office.province.stttt)
    assert event.data["sha256"] == detection.sha256


def assert_nothing_detected(before: set[str]) -> None:
    assert not Detection.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action=DETECTED).exists()
    assert quarantined() == before


def check_traces(office, name, data, signature, source, before) -> None:  # type: ignore[no-untyped-def]
    if signature is None:
        assert_nothing_detected(before)
    else:
        expected = EICAR_NAME if signature == EICAR_NAME else "Vanban.Test.Marker-1"
        assert_detection(office, name, data, expected, source, before)


def register_clean_and_check_number(office, client_for) -> None:  # type: ignore[no-untyped-def]
    """The next registration takes number 1: the refused ones took no number (gap-free)."""
    response = client_for(office.clerk).post(
        INCOMING_NEW,
        incoming_data(office, main_file=upload("sach.pdf", pdf_bytes("Công văn số 7"))),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Document.objects.get().register_number == 1


# ---------------------------------------------------------------- the registration page


@pytest.mark.parametrize(("name", "make", "words", "signature"), CORPUS, ids=IDS)
def test_registration_page_refuses_hostile_files(
    office, client_for, scanning, name, make, words, signature
):
    data = make()
    client = client_for(office.clerk)
    before, kept = state(), quarantined()
    response = client.post(INCOMING_NEW, incoming_data(office, main_file=upload(name, data)))
    assert response.status_code == 200
    errors = response.context["form"].errors.get("main_file", [])
    assert any(f"Tệp “{name}”" in e and words in e for e in errors), errors
    assert words in response.content.decode()
    assert state() == before
    check_traces(office, name, data, signature, "Vào sổ văn bản đến", kept)
    register_clean_and_check_number(office, client_for)


def test_the_refusal_names_the_detection_in_full(office, client_for, scanning):
    response = client_for(office.clerk).post(
        INCOMING_NEW, incoming_data(office, attachments=[upload("x.pdf", EICAR)])
    )
    assert response.context["form"].errors["attachments"] == [
        f"Tệp “x.pdf” chứa mã độc ({EICAR_NAME}) nên không được nhận. Không có gì được lưu; "
        "quản trị đơn vị và quản trị tỉnh đã được báo."
    ]


def test_a_clean_file_is_registered_with_scanning_on(office, client_for, scanning):
    kept = quarantined()
    register_clean_and_check_number(office, client_for)
    assert_nothing_detected(kept)


def test_scanner_unreachable_refuses_and_stores_nothing(office, client_for, settings, tmp_path):
    settings.VANBAN_CLAMD_ENABLED = True
    settings.VANBAN_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    client = client_for(office.clerk)
    before, kept = state(), quarantined()
    response = client.post(
        INCOMING_NEW, incoming_data(office, main_file=upload("sach.pdf", pdf_bytes("Công văn")))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["main_file"] == [
        "Chưa kiểm tra được mã độc trong tệp “sach.pdf” vì dịch vụ quét mã độc (ClamAV) không "
        "trả lời; tệp không được nhận và không có gì được lưu. Hãy thử lại sau ít phút; nếu vẫn "
        "lỗi, hãy báo quản trị hệ thống."
    ]
    assert state() == before
    assert_nothing_detected(kept)


def test_without_scanning_the_active_content_checks_still_apply(office, client_for, settings):
    """VANBAN_CLAMD=off (development) skips clamd only: EICAR passes, a JavaScript PDF not."""
    settings.VANBAN_CLAMD_ENABLED = False
    client = client_for(office.clerk)
    response = client.post(
        INCOMING_NEW,
        incoming_data(office, main_file=upload("js.pdf", hostile.pdf_with_open_action_js())),
    )
    assert "chứa mã JavaScript" in response.content.decode()
    assert not Document.objects.exists()


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(("name", "make", "words", "signature"), CORPUS, ids=IDS)
def test_api_upload_refuses_hostile_files(office, scanning, name, make, words, signature):
    data = make()
    api = ApiClient()
    token = token_for(office.clerk)
    before, kept = state(), quarantined()
    response = api.client.post(
        "/api/v1/documents/incoming",
        data={
            "document_type_id": incoming_data(office)["document_type"],
            "code_number": "15",
            "code_notation": "QĐ-UBND",
            "issued_date": "2026-11-20",
            "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
            "subject": "Công văn về việc kiểm tra",
            "signer_name": "Trần Ngọc Tam",
            "signer_position": "Chủ tịch",
            "sensitive_declared": "true",
            "main_file": upload(name, data),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400, response.content.decode()
    detail = response.json()["detail"]
    assert detail.startswith(f"Tệp “{name}”") and words in detail
    after = state()
    # The API's own token use is not an upload's trace.
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert [a for a in after["audit"] if a[0].startswith("document.")] == []
    check_traces(office, name, data, signature, "Vào sổ văn bản đến", kept)


# ---------------------------------------------------------------- a draft's new version


@pytest.mark.parametrize(("name", "make", "words", "signature"), CORPUS, ids=IDS)
def test_draft_version_upload_refuses_hostile_files(
    team, client_for, scanning, name, make, words, signature
):
    draft = create_draft(team)  # its first version is scanned too
    data = make()
    client = client_for(team.drafter)
    before, kept = state(), quarantined()
    response = client.post(
        f"/du-thao/{draft.pk}/phien-ban/",
        {"version-content_file": upload(name, data), "version-note": "Sửa lần 2"},
        follow=True,
    )
    html = response.content.decode()
    assert f"Tệp “{name}”" in html and words in html
    assert state() == before
    if signature is None:
        assert_nothing_detected(kept)
    else:
        detection = Detection.objects.get()
        assert (detection.uploaded_by, detection.unit) == (team.drafter, team.drafter.unit)
        assert detection.source == "Dự thảo văn bản"
        told = set(Notification.objects.values_list("recipient__username", flat=True))
        assert team.province.province_admin.username in told
