"""Downloading an archival package from the dossier page and the hand-over page (R19;
docs/records.md, "Gói lưu trữ và kiểm tra ngoại tuyến"): who gets it, what it holds, and the
refusals that come back to the page in Vietnamese with nothing recorded."""

import io
import zipfile

import pytest
from django.urls import reverse

from tests import signing
from tests.records.support_package import archive_settings, closed_dossier, hand_over_of
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.records.models import DossierStatus
from vanban.records.package.build import ACTION_EXPORT, MSG_NO_TSA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("archive_env")]


@pytest.fixture
def archive_env(settings, tmp_path):
    with archive_settings(settings, tmp_path):
        signing.trust()
        yield


def exports() -> int:
    return AuditEvent.objects.filter(action=ACTION_EXPORT).count()


def zip_names(response) -> set[str]:  # type: ignore[no-untyped-def]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return set(archive.namelist())


def test_the_handler_downloads_the_package_of_a_closed_dossier(team, client_for):
    dossier = closed_dossier(team)
    client = client_for(team.drafter)
    page = client.get(reverse("records:dossier_detail", args=[dossier.pk]))
    url = reverse("records:dossier_package", args=[dossier.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"goi-luu-tru-{dossier.file_code}.zip" in response["Content-Disposition"]
    names = zip_names(response)
    assert {"METS.xml", "manifest-sha256.txt", "manifest-sha256.txt.tsr"} <= names
    assert exports() == 1


def test_without_a_time_stamp_service_the_page_says_so_and_records_nothing(
    team, client_for, settings
):
    settings.VANBAN_TSA_URL = ""
    dossier = closed_dossier(team)
    client = client_for(team.drafter)
    response = client.get(reverse("records:dossier_package", args=[dossier.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("records:dossier_detail", args=[dossier.pk])
    assert MSG_NO_TSA in response.content.decode()
    assert exports() == 0


def test_an_open_dossier_has_no_package(team, client_for):
    dossier = closed_dossier(team)
    Dossier = type(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.OPEN)
    client = client_for(team.drafter)
    url = reverse("records:dossier_package", args=[dossier.pk])
    page = client.get(reverse("records:dossier_detail", args=[dossier.pk]))
    assert url not in page.content.decode()
    response = client.get(url, follow=True)
    assert "chỉ đóng gói lưu trữ hồ sơ đã kết thúc" in response.content.decode()
    assert exports() == 0


def test_a_person_who_cannot_read_the_dossier_gets_not_found(team, client_for):
    dossier = closed_dossier(team)
    for person in (team.staff_snv, team.outsider):
        response = client_for(person).get(reverse("records:dossier_package", args=[dossier.pk]))
        assert response.status_code == 404
    assert exports() == 0


def test_the_archive_downloads_the_package_of_a_hand_over(team, client_for):
    archivist = make_user(team.province.stttt, "Lê Thị Hồng", (Role.ARCHIVIST,))
    dossier = closed_dossier(team)
    hand_over = hand_over_of(team, [dossier])
    url = reverse("records:handover_package", args=[hand_over.pk])
    page = client_for(archivist).get(reverse("records:handover_detail", args=[hand_over.pk]))
    assert url in page.content.decode()
    response = client_for(archivist).get(url)
    assert response.status_code == 200
    assert "METS.xml" in zip_names(response)
    assert exports() == 1
    assert client_for(team.staff_snv).get(url).status_code == 404
    assert exports() == 1
