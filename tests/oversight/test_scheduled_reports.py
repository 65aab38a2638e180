"""Scheduled usage reports (R24; Art. 11.1.đ, 11.2.b): made by the worker once, on the first day
of a month or quarter (Vietnam time), for the period just ended; delivered to the right
administrators only, in the application and by e-mail when a mail server is configured."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.province import PASSWORD
from vanban.accounts.services import login_password_step
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.models import Notification
from vanban.core.schedule import DAILY_JOBS, due_jobs_enqueue
from vanban.oversight.models import (
    ReportKind,
    ScheduledReport,
    ScheduledReportDelivery,
    ScheduledReportFile,
    UsageBuild,
)
from vanban.oversight.scheduled_reports import due_periods, scheduled_reports_make
from vanban.oversight.statistics import Scope, usage
from vanban.reports.periods import Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:00 on 1 December 2026 in Vietnam: November's reports are due.
FIRST_OF_DECEMBER = dt.datetime(2026, 12, 1, 6, 0, tzinfo=VN)


def make(at: dt.datetime = FIRST_OF_DECEMBER) -> list[ScheduledReport]:
    with clock.frozen(at):
        return scheduled_reports_make()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 12, 1), [("month", "2026-11")]),
        (dt.date(2027, 1, 1), [("month", "2026-12"), ("quarter", "2026-q4")]),
        (dt.date(2026, 10, 1), [("month", "2026-09"), ("quarter", "2026-q3")]),
        (dt.date(2026, 4, 7), [("month", "2026-03"), ("quarter", "2026-q1")]),  # catching up
        (dt.date(2026, 4, 8), []),
        (dt.date(2026, 11, 30), []),
        (dt.date(2026, 11, 15), []),
    ],
)
def test_the_periods_due_on_a_day(today, due):
    assert [(kind, period.slug) for kind, period in due_periods(today)] == due


def test_the_first_of_the_month_in_vietnam_makes_the_previous_months_reports(province):
    # 23:30 on 30 November in Vietnam (16:30 UTC): still November, nothing is due.
    assert make(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)) == []
    # 00:30 on 1 December in Vietnam is 17:30 UTC on 30 November: November's reports.
    made = make(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))
    province_report = next(r for r in made if r.unit is None)
    assert province_report.kind == ReportKind.MONTH
    assert province_report.period_slug == "2026-11"
    assert (province_report.period_first, province_report.period_last) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert province_report.title == (
        "Báo cáo tình hình sử dụng phần mềm quản lý văn bản tháng 11 năm 2026: toàn tỉnh"
    )
    units = {r.unit for r in made if r.unit is not None}
    # Every unit with a unit administrator gets its own; the root, which has none, does not.
    assert {province.stttt, province.snv} <= units and province.root not in units


def test_each_report_is_made_once(province):
    first = make()
    assert first
    files = ScheduledReportFile.objects.count()
    notifications = Notification.objects.count()
    assert make() == []
    assert make(FIRST_OF_DECEMBER + dt.timedelta(days=2)) == []
    assert ScheduledReport.objects.count() == len(first)
    assert ScheduledReportFile.objects.count() == files == 2 * len(first)
    assert Notification.objects.count() == notifications


def test_a_quarter_ends_with_both_reports(province):
    made = make(dt.datetime(2027, 1, 1, 6, 0, tzinfo=VN))
    mine = [r for r in made if r.unit_id == province.snv.pk]
    assert sorted((r.kind, r.period_slug, r.period_name) for r in mine) == [
        ("month", "2026-12", "Tháng 12 năm 2026"),
        ("quarter", "2026-q4", "Quý IV năm 2026"),
    ]


def test_the_files_are_stored_hashed_and_readable(province):
    make()
    report = ScheduledReport.objects.get(unit=province.snv, period_slug="2026-11")
    pdf, xlsx = report.files.get(file_format="pdf"), report.files.get(file_format="xlsx")
    assert pdf.original_name == "bao-cao-su-dung-snv-2026-11.pdf"
    with default_storage.open(pdf.storage_name, "rb") as handle:
        data = handle.read()
    assert len(data) == pdf.size
    text = pdf_text(data)
    assert "TÌNH HÌNH SỬ DỤNG PHẦN MỀM" in text and "Sở Nội vụ" in text
    with default_storage.open(xlsx.storage_name, "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet["A1"].value == report.title
    event = AuditEvent.objects.get(
        action="oversight.scheduled_report_made", target_id=str(report.pk)
    )
    assert event.data["files"] == {"pdf": pdf.sha256, "xlsx": xlsx.sha256}


def test_each_report_goes_to_its_administrators_only(province):
    make()
    by_scope = {r.unit_id: r for r in ScheduledReport.objects.filter(period_slug="2026-11")}
    expected = {
        None: {province.province_admin.pk},
        province.stttt.pk: {province.admin_stttt.pk},
        province.snv.pk: {province.admin_snv.pk},
    }
    for unit_id, people in expected.items():
        report = by_scope[unit_id]
        assert set(report.deliveries.values_list("recipient_id", flat=True)) == people
        notices = Notification.objects.filter(title=report.title)
        assert set(notices.values_list("recipient_id", flat=True)) == people
        pdf = report.files.get(file_format="pdf")
        assert {n.link for n in notices} == {
            reverse("oversight:scheduled_report_file", args=[report.pk, "pdf"])
        }
        assert pdf.report_id == report.pk
    for person in (province.staff_stttt, province.leader_stttt, province.staff_snv):
        assert not Notification.objects.filter(
            recipient=person, title__startswith="Báo cáo tình hình sử dụng"
        ).exists()


def test_no_e_mail_without_a_mail_server(province, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = False
    province.admin_snv.email = "tamvt.snv@bentre.gov.vn"
    province.admin_snv.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        make()
    assert mail.outbox == []
    assert not ScheduledReportDelivery.objects.filter(emailed_at__isnull=False).exists()


def test_e_mailed_with_the_files_attached_when_a_mail_server_is_configured(
    province, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.VANBAN_SITE_URL = "https://vanban.bentre.gov.vn"
    for person, address in (
        (province.province_admin, "quantv.stttt@bentre.gov.vn"),
        (province.admin_snv, "tamvt.snv@bentre.gov.vn"),
        (province.staff_snv, "lanhn.snv@bentre.gov.vn"),
    ):
        person.email = address
        person.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        make()
    snv = ScheduledReport.objects.get(unit=province.snv, period_slug="2026-11")
    whole = ScheduledReport.objects.get(unit__isnull=True, period_slug="2026-11")
    sent = {(m.to[0], m.subject): m for m in mail.outbox}
    # One e-mail a recipient with an address, none to the staff, no second copy without files.
    assert set(sent) >= {
        ("tamvt.snv@bentre.gov.vn", snv.title),
        ("quantv.stttt@bentre.gov.vn", whole.title),
    }
    assert not [m for m in mail.outbox if "lanhn.snv@bentre.gov.vn" in m.to]
    assert len([m for m in mail.outbox if m.to == ["tamvt.snv@bentre.gov.vn"]]) == 1
    message = sent[("tamvt.snv@bentre.gov.vn", snv.title)]
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    assert names == [
        ("bao-cao-su-dung-snv-2026-11.pdf", "application/pdf"),
        (
            "bao-cao-su-dung-snv-2026-11.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    pdf = snv.files.get(file_format="pdf")
    with default_storage.open(pdf.storage_name, "rb") as handle:
        assert message.attachments[0][1] == handle.read()
    assert "https://vanban.bentre.gov.vn/giam-sat/bao-cao-dinh-ky/" in message.body
    delivery = snv.deliveries.get(recipient=province.admin_snv)
    assert delivery.emailed_at is not None and delivery.email_error == ""
    assert delivery.notification is not None and delivery.notification.emailed_at is not None


def test_a_refusing_mail_server_is_recorded_and_changes_nothing_else(
    province, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    province.admin_snv.email = "tamvt.snv@bentre.gov.vn"
    province.admin_snv.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        made = make()
    assert made  # the reports stand
    delivery = ScheduledReportDelivery.objects.get(
        report__unit=province.snv, recipient=province.admin_snv
    )
    assert delivery.emailed_at is None and delivery.email_error
    assert delivery.notification is not None
    assert delivery.notification.email_error == delivery.email_error


def test_the_scheduler_runs_the_job_through_the_task_queue(province):
    (job,) = [job for job in DAILY_JOBS if job.name == "oversight_scheduled_reports"]
    assert job.task_path == "vanban.oversight.tasks.scheduled_reports_task"
    with clock.frozen(FIRST_OF_DECEMBER.replace(hour=5, minute=59)):
        assert due_jobs_enqueue(jobs=[job]) == []
    # The test settings run enqueued tasks at once (ImmediateBackend), after the commit.
    with clock.frozen(FIRST_OF_DECEMBER):
        assert due_jobs_enqueue(jobs=[job]) == ["oversight_scheduled_reports"]
    assert not ScheduledReport.objects.exists()  # the task runs after the commit...


def test_the_task_makes_the_reports_after_the_schedulers_commit(
    province, django_capture_on_commit_callbacks
):
    (job,) = [job for job in DAILY_JOBS if job.name == "oversight_scheduled_reports"]
    with clock.frozen(FIRST_OF_DECEMBER), django_capture_on_commit_callbacks(execute=True):
        due_jobs_enqueue(jobs=[job])
    assert ScheduledReport.objects.filter(unit=province.snv, period_slug="2026-11").exists()
    with clock.frozen(FIRST_OF_DECEMBER), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(jobs=[job]) == []  # once a day


def test_the_figures_are_the_statistics_of_the_period_in_vietnam(province):
    """Logins of the Department of Home Affairs: one at 23:30 on 30 November (Vietnam) counts in
    November's report, one at 00:30 on 1 December does not; the aggregates of November were not
    built before, and the report builds them rather than count nothing."""
    for moment in (
        dt.datetime(2026, 11, 10, 9, 0, tzinfo=VN),
        dt.datetime(2026, 11, 30, 23, 30, tzinfo=VN),
        dt.datetime(2026, 12, 1, 0, 30, tzinfo=VN),
    ):
        with clock.frozen(moment):
            login_password_step(username=province.staff_snv.username, password=PASSWORD)
    UsageBuild.objects.filter(day__gte=dt.date(2026, 11, 1)).delete()
    make()
    report = ScheduledReport.objects.get(unit=province.snv, period_slug="2026-11")
    xlsx = report.files.get(file_format="xlsx")
    with default_storage.open(xlsx.storage_name, "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, max_col=2, values_only=True)}
    assert values["Lượt đăng nhập"] == 2
    assert values["Số người đã đăng nhập"] == 1
    with clock.frozen(FIRST_OF_DECEMBER):
        figures = usage(scope=Scope.of_unit(province.snv), period=Period.month(2026, 11))
    assert values["Văn bản đến đã vào sổ"] == figures.incoming_registered
    assert values["Tài khoản đang hoạt động (hiện tại)"] == figures.accounts_active
    assert (
        UsageBuild.objects.filter(day__range=(dt.date(2026, 11, 1), dt.date(2026, 11, 30))).count()
        == 30
    )
    # The province's report lists the units under the province's root, the Department of Home
    # Affairs with its two logins among them.
    whole = ScheduledReport.objects.get(unit__isnull=True, period_slug="2026-11")
    xlsx = whole.files.get(file_format="xlsx")
    with default_storage.open(xlsx.storage_name, "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Đơn vị")
    logins = rows[header].index("Lượt đăng nhập")
    by_unit = {row[0]: row[logins] for row in rows[header + 1 :]}
    assert by_unit["Sở Nội vụ"] == 2
    assert "Ủy ban nhân dân tỉnh Bến Tre" not in by_unit
    assert by_unit["Tổng cộng"] >= 2
