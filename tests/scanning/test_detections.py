"""The administrators' list of infected uploads (R20, R7), the settings and the first run."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support.clamd import EICAR
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.documents.models import Document
from vanban.scanning.models import Detection
from vanban.scanning.services import detection_record

pytestmark = pytest.mark.django_db

PAGE = "/ma-doc/"


def detect(office, unit, name: str = "cong-van.pdf") -> Detection:  # type: ignore[no-untyped-def]
    return detection_record(
        data=EICAR,
        name=name,
        signature="Eicar-Test-Signature.UNOFFICIAL",
        actor=office.clerk if unit == office.province.stttt else office.clerk_snv,
        unit=unit,
        source="Vào sổ văn bản đến",
    )


def test_who_sees_which_detections(office, client_for, settings, tmp_path):
    settings.VANBAN_CLAMD_ENABLED = True
    settings.VANBAN_CLAMD_SOCKET = str(tmp_path / "none.sock")
    province = office.province
    ours = detect(office, province.stttt, "to-trinh.pdf")
    theirs = detect(office, province.snv, "bao-cao.docx")

    response = client_for(province.staff_stttt).get(PAGE)  # not an admin
    assert response.status_code == 403
    assert client_for(office.clerk).get(PAGE).status_code == 403
    response = Client().get(PAGE)  # anonymous
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response.headers["Location"]

    def rows(user) -> set[int]:  # type: ignore[no-untyped-def]
        response = client_for(user).get(PAGE)
        assert response.status_code == 200
        return {d.pk for d in response.context["detections"]}

    assert rows(province.admin_stttt) == {ours.pk}
    assert rows(province.admin_snv) == {theirs.pk}
    assert rows(province.province_admin) == {ours.pk, theirs.pk}

    html = client_for(province.province_admin).get(PAGE).content.decode()
    assert "Eicar-Test-Signature" in html and ".UNOFFICIAL" not in html
    assert "to-trinh.pdf" in html and "bao-cao.docx" in html
    assert office.clerk.full_name in html
    assert ours.storage_name not in html  # the quarantined copy is never offered
    assert "không kết nối được clamd" in html


def test_the_menu_offers_the_page_to_administrators_only(office, client_for):
    assert 'href="/ma-doc/"' in client_for(office.province.admin_stttt).get("/").content.decode()
    assert 'href="/ma-doc/"' not in client_for(office.clerk).get("/").content.decode()


def test_list_query_count_does_not_grow(office, client_for, settings, django_assert_num_queries):
    settings.VANBAN_CLAMD_ENABLED = False
    client = client_for(office.province.province_admin)
    detect(office, office.province.stttt)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as first:
        client.get(PAGE)
    for number in range(5):
        detect(office, office.province.snv, f"tep-{number}.pdf")
    make_user(office.province.snv, "Mai Văn Sáu", (Role.CLERK,))
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(PAGE)
    assert len(response.context["detections"]) == 6


# ---------------------------------------------------------------- settings and the first run


def _setting(tmp_path, **env: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VANBAN_") and key != "DJANGO_SETTINGS_MODULE"
    }
    environment.update(VANBAN_DATA_DIR=str(tmp_path), VANBAN_SECRET_KEY="x" * 50, **env)
    done = subprocess.run(
        [sys.executable, "-c", "import vanban.settings as s; print(s.VANBAN_CLAMD_ENABLED)"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return done.stdout.strip()


def test_scanning_is_on_in_production_unless_switched_off_explicitly(tmp_path):
    assert _setting(tmp_path) == "True"
    assert _setting(tmp_path, VANBAN_CLAMD="on") == "True"
    assert _setting(tmp_path, VANBAN_CLAMD="typo") == "True"
    assert _setting(tmp_path, VANBAN_CLAMD="off") == "False"
    assert _setting(tmp_path, VANBAN_CLAMD="0") == "False"


@pytest.mark.usefixtures("empty_database")
def test_first_run_without_clamd_says_scanning_is_off(settings, monkeypatch, tmp_path):
    settings.VANBAN_CLAMD_ENABLED = True  # the production default
    settings.VANBAN_CLAMD_SOCKET = str(tmp_path / "none.sock")
    monkeypatch.delenv("VANBAN_CLAMD", raising=False)
    out = io.StringIO()
    call_command("quickstart", "--no-serve", stdout=out)
    assert f"Quét mã độc: ĐANG TẮT vì không tìm thấy clamd (ClamAV) tại {tmp_path}" in (
        out.getvalue()
    )
    assert settings.VANBAN_CLAMD_ENABLED is False
    assert Document.objects.exists()  # the demo documents were registered


@pytest.mark.usefixtures("empty_database")
def test_first_run_with_clamd_scans_the_demo_documents(settings, scanning, monkeypatch):
    monkeypatch.delenv("VANBAN_CLAMD", raising=False)
    out = io.StringIO()
    call_command("quickstart", "--no-serve", stdout=out)
    assert "Quét mã độc: bật, ClamAV 1." in out.getvalue()
    assert f"tại {scanning}." in out.getvalue()
    assert settings.VANBAN_CLAMD_ENABLED is True
    assert Document.objects.exists() and not Detection.objects.exists()
