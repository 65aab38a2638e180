"""Who reads the scheduled reports (R24, R7): the province administrator every report, a unit
administrator their unit's, nobody else; a file one may not read is answered as missing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from vanban.core import clock
from vanban.oversight.models import ReportKind, ScheduledReport, ScheduledReportFile
from vanban.oversight.scheduled_reports import scheduled_report_make
from vanban.reports.periods import Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

LIST = reverse("oversight:scheduled_report_list")


@pytest.fixture
def reports(province):  # type: ignore[no-untyped-def]
    made = {}
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        for name, unit in (("province", None), ("stttt", province.stttt), ("snv", province.snv)):
            made[name] = scheduled_report_make(
                kind=ReportKind.MONTH, period=Period.month(2026, 11), unit=unit
            )
    return made


def file_url(report: ScheduledReport, file_format: str = "pdf") -> str:
    return reverse("oversight:scheduled_report_file", args=[report.pk, file_format])


def test_administrators_read_the_reports_of_their_scope(province, client_for, reports):
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

    client = client_for(province.admin_snv)
    page = client.get(LIST).content.decode()
    assert file_url(reports["snv"]) in page
    assert file_url(reports["stttt"]) not in page
    assert file_url(reports["province"]) not in page
    assert client.get(file_url(reports["snv"])).status_code == 200
    # Another unit's report and the province's are answered as missing, as is a missing one.
    assert client.get(file_url(reports["stttt"])).status_code == 404
    assert client.get(file_url(reports["province"])).status_code == 404
    assert client.get(file_url(reports["snv"], "docx")).status_code == 404
    missing = reverse("oversight:scheduled_report_file", args=[999999, "pdf"])
    assert client.get(missing).status_code == 404

    # A file changed in storage after it was made is refused, not served.
    stored = reports["snv"].files.get(file_format="pdf")
    default_storage.delete(stored.storage_name)
    default_storage.save(stored.storage_name, ContentFile(b"%PDF-1.7 changed"))
    response = client.get(file_url(reports["snv"]))
    assert response.status_code == 400
    assert "mã băm không khớp" in response.content.decode()


def test_everyone_else_is_refused(province, client, client_for, reports):
    for url in (LIST, file_url(reports["province"])):
        response = client.get(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"]
    for person in (province.staff_stttt, province.leader_stttt, province.staff_snv):
        other = client_for(person)
        response = other.get(LIST)
        assert response.status_code == 403, person
        assert "Chỉ quản trị đơn vị và quản trị tỉnh được xem báo cáo định kỳ." in (
            response.content.decode()
        )
        for report in reports.values():
            assert other.get(file_url(report)).status_code == 404


def add_reports(province, year: int) -> None:  # type: ignore[no-untyped-def]
    """A year of monthly reports of every scope, as rows (the list reads rows, not files)."""
    for month in range(1, 13):
        period = Period.month(year, month)
        for unit in (None, province.stttt, province.snv):
            report = ScheduledReport.objects.create(
                kind=ReportKind.MONTH,
                period_slug=period.slug,
                period_name=period.name,
                period_first=period.first,
                period_last=period.last,
                unit=unit,
                title=f"Báo cáo {period.name}",
                made_at=clock.now(),
            )
            for file_format in ("pdf", "xlsx"):
                ScheduledReportFile.objects.create(
                    report=report,
                    file_format=file_format,
                    original_name=f"bao-cao.{file_format}",
                    storage_name=f"oversight/reports/x-{report.pk}.{file_format}",
                    sha256="0" * 64,
                    size=1,
                )


def test_the_list_costs_the_same_whatever_the_number_of_reports(
    province, client_for, django_assert_max_num_queries
):
    client = client_for(province.province_admin)
    add_reports(province, 2025)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count('class="scheduled-report"') == 36
    add_reports(province, 2024)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    page = response.content.decode()
    assert page.count('class="scheduled-report"') == 50  # a page
    assert "Trang 1/2" in page
    assert client.get(LIST, {"page": 2}).content.decode().count('class="scheduled-report"') == 22


def test_the_menu_links_administrators_to_the_reports(province, client_for):
    assert LIST in client_for(province.admin_snv).get(reverse("portal:home")).content.decode()
    assert LIST not in client_for(province.staff_snv).get(reverse("portal:home")).content.decode()
