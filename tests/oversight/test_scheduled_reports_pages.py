"""Who reads the scheduled reports (R24, R7): the province administrator every report, a unit
administrator their unit's, nobody else; a file one may not read is answered as missing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from vanban.core import clock
from vanban.oversight.models import ScheduledReport
from vanban.oversight.scheduled_reports import scheduled_reports_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

LIST = reverse("oversight:scheduled_report_list")


@pytest.fixture
def reports(province):  # type: ignore[no-untyped-def]
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        scheduled_reports_make()
    return {
        "province": ScheduledReport.objects.get(unit__isnull=True, period_slug="2026-11"),
        "stttt": ScheduledReport.objects.get(unit=province.stttt, period_slug="2026-11"),
        "snv": ScheduledReport.objects.get(unit=province.snv, period_slug="2026-11"),
    }


def file_url(report: ScheduledReport, file_format: str = "pdf") -> str:
    return reverse("oversight:scheduled_report_file", args=[report.pk, file_format])


def test_the_province_administrator_reads_every_report(province, client_for, reports):
    client = client_for(province.province_admin)
    page = client.get(LIST).content.decode()
    for report in reports.values():
        assert file_url(report) in page and file_url(report, "xlsx") in page
    assert "Toàn tỉnh" in page and "Tháng 11 năm 2026" in page
    response = client.get(file_url(reports["snv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "bao-cao-su-dung-snv-2026-11.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    xlsx = client.get(file_url(reports["province"], "xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_a_unit_administrator_reads_their_units_reports_only(province, client_for, reports):
    client = client_for(province.admin_snv)
    page = client.get(LIST).content.decode()
    assert file_url(reports["snv"]) in page
    assert file_url(reports["stttt"]) not in page
    assert file_url(reports["province"]) not in page
    assert client.get(file_url(reports["snv"])).status_code == 200
    # Another unit's report and the province's are answered as missing.
    assert client.get(file_url(reports["stttt"])).status_code == 404
    assert client.get(file_url(reports["province"])).status_code == 404
    assert client.get(file_url(reports["snv"], "docx")).status_code == 404
    assert (
        client.get(reverse("oversight:scheduled_report_file", args=[999999, "pdf"])).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["staff_stttt", "leader_stttt", "staff_snv"])
def test_people_without_an_administrator_role_are_refused(province, client_for, reports, who):
    client = client_for(getattr(province, who))
    response = client.get(LIST)
    assert response.status_code == 403
    assert "Chỉ quản trị đơn vị và quản trị tỉnh được xem báo cáo định kỳ." in (
        response.content.decode()
    )
    assert client.get(file_url(reports["stttt"])).status_code == 404


def test_anonymous_is_sent_to_login(client, reports):
    for url in (LIST, file_url(reports["province"])):
        response = client.get(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_a_file_changed_in_storage_is_refused(province, client_for, reports):
    stored = reports["snv"].files.get(file_format="pdf")
    default_storage.delete(stored.storage_name)
    default_storage.save(stored.storage_name, ContentFile(b"%PDF-1.7 changed"))
    response = client_for(province.admin_snv).get(file_url(reports["snv"]))
    assert response.status_code == 400
    assert "mã băm không khớp" in response.content.decode()


def test_the_list_costs_the_same_whatever_the_number_of_reports(
    province, client_for, reports, django_assert_max_num_queries
):
    client = client_for(province.province_admin)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    # Three more months of reports: still the same number of queries.
    for month in (2, 3, 4):
        with clock.frozen(dt.datetime(2027, month, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
            scheduled_reports_make()
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_the_menu_links_administrators_to_the_reports(province, client_for):
    assert LIST in client_for(province.admin_snv).get(reverse("portal:home")).content.decode()
    assert LIST not in client_for(province.staff_snv).get(reverse("portal:home")).content.decode()
