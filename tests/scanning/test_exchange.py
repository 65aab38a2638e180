"""Packages of electronic documents with hostile files (R20): read by a clerk on the registration
page, or posted by another system to the receiving endpoint. Refused, nothing kept."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.interop import support
from tests.interop.support import RECEIVE_URL, VINH_LONG
from tests.scanning import hostile
from tests.scanning.test_uploads import quarantined, state
from tests.support.clamd import EICAR
from tests.support.edxml import build_package
from vanban.core.models import Notification
from vanban.exchange.models import Inbound
from vanban.exchange.staging import TEMP_PREFIX
from vanban.scanning.models import Detection

pytestmark = pytest.mark.django_db

PAGE = "/van-ban/den/vao-so/"


def kept_packages() -> list[str]:
    if not default_storage.exists(TEMP_PREFIX):
        return []
    return default_storage.listdir(TEMP_PREFIX)[1]


def read_package(client, data: bytes):  # type: ignore[no-untyped-def]
    package = SimpleUploadedFile("goi.edxml", data, content_type="application/xml")
    return client.post(PAGE, {"read_package": "1", "package": package})


@pytest.mark.parametrize(
    ("data", "words", "detected"),
    [
        (EICAR, "chứa mã độc (Eicar-Test-Signature)", True),
        (hostile.pdf_with_eicar(), "chứa mã độc (Eicar-Test-Signature)", True),
        (hostile.pdf_with_open_action_js(), "chứa mã JavaScript", False),
        (hostile.pdf_zip_polyglot(), "vừa là tệp PDF vừa chứa một tệp nén ZIP", False),
    ],
    ids=["eicar", "eicar-in-pdf", "openaction-js", "polyglot"],
)
def test_a_clerk_reading_a_hostile_package(office, client_for, scanning, data, words, detected):
    package = build_package(attachments=(("Công văn.pdf", "application/pdf", data),))
    client = client_for(office.clerk)
    before, kept, packages = state(), quarantined(), kept_packages()
    response = read_package(client, package)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gói edXML bị từ chối: Tệp “Công văn.pdf”" in html and words in html
    assert state() == before and kept_packages() == packages
    if detected:
        detection = Detection.objects.get()
        assert (detection.unit, detection.uploaded_by) == (office.province.stttt, office.clerk)
        assert detection.source == "Gói văn bản điện tử"
        assert quarantined() - kept == {detection.storage_name}
    else:
        assert not Detection.objects.exists() and quarantined() == kept


@pytest.fixture
def link(team):
    return support.partner(team)


def test_another_system_posting_an_infected_package(team, link, client, scanning):
    data = build_package(
        from_id=VINH_LONG, attachments=(("Công văn.pdf", "application/pdf", EICAR),)
    )
    before, kept = support.snapshot(), quarantined()
    response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "Tệp “Công văn.pdf” chứa mã độc (Eicar-Test-Signature) nên không được nhận."
    )
    after = support.snapshot()
    assert after["audit"] == before["audit"] + 1  # the detection's event, nothing else
    assert {k: v for k, v in after.items() if k not in ("audit", "files")} == {
        k: v for k, v in before.items() if k not in ("audit", "files")
    }
    assert not Inbound.objects.exists()
    detection = Detection.objects.get()
    assert (detection.unit, detection.uploaded_by) == (team.province.stttt, None)
    assert detection.source.startswith("Liên thông từ ")
    assert set(after["files"]) - set(before["files"]) == {detection.storage_name}
    assert quarantined() - kept == {detection.storage_name}
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert team.province.province_admin.username in told
    assert team.province.admin_stttt.username in told


def test_another_system_posting_while_the_scanner_is_down(team, link, client, settings, tmp_path):
    settings.VANBAN_CLAMD_ENABLED = True
    settings.VANBAN_CLAMD_SOCKET = str(tmp_path / "none.sock")
    data = build_package(
        from_id=VINH_LONG,
        attachments=(("Công văn.pdf", "application/pdf", hostile.clean_pdf()),),
    )
    before = support.snapshot()
    response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
    assert response.status_code == 503
    assert "dịch vụ quét mã độc (ClamAV) không trả lời" in response.json()["detail"]
    assert support.snapshot() == before
