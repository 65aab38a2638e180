"""Scheduled usage reports (R24; Art. 11.1.đ, 11.2.b): made by the worker once, on the first day
of a month or quarter (Vietnam time), for the period just ended; delivered to the right
administrators only, in the application and by e-mail when a mail server is configured.

A report's PDF takes a second or two to render (charts included): the tests that are about one
report make that one (`scheduled_report_make`); the job over every scope runs where the job is
what is tested."""

import datetime as dt
import io
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
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
from vanban.oversight.scheduled_reports import (
    due_periods,
    scheduled_report_email,
    scheduled_report_make,
    scheduled_reports_make,
)
from vanban.oversight.statistics import Scope, usage
from vanban.oversight.statistics_pages import LABELS, SHORT_LABELS
from vanban.reports.periods import Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:00 on 1 December 2026 in Vietnam: November's reports are due.
FIRST_OF_DECEMBER = dt.datetime(2026, 12, 1, 6, 0, tzinfo=VN)
NOVEMBER = Period.month(2026, 11)
SNV_ADDRESS = "tamvt.snv@bentre.gov.vn"


def make(at: dt.datetime = FIRST_OF_DECEMBER) -> list[ScheduledReport]:
    with clock.frozen(at):
        return scheduled_reports_make()


def make_one(unit, kind: str = ReportKind.MONTH, period: Period = NOVEMBER):  # type: ignore[no-untyped-def]
    with clock.frozen(FIRST_OF_DECEMBER):
        return scheduled_report_make(kind=kind, period=period, unit=unit)


def read(report_file: ScheduledReportFile) -> bytes:
    with default_storage.open(report_file.storage_name, "rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def with_address(person, address: str) -> None:  # type: ignore[no-untyped-def]
    person.email = address
    person.save(update_fields=["email"])


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


def test_the_first_of_the_month_in_vietnam_makes_each_report_once_for_its_administrators(
    province,
):
    # 23:30 on 30 November in Vietnam (16:30 UTC): still November, nothing is due.
    assert make(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)) == []
    # 00:30 on 1 December in Vietnam is 17:30 UTC on 30 November: November's reports.
    made = make(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))
    by_scope = {r.unit_id: r for r in made}
    whole = by_scope[None]
    assert (whole.kind, whole.period_slug, whole.period_first, whole.period_last) == (
        ReportKind.MONTH,
        "2026-11",
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert whole.title == (
        "Báo cáo tình hình sử dụng phần mềm quản lý văn bản tháng 11 năm 2026: toàn tỉnh"
    )
    # Every unit with a unit administrator gets its own; the root, which has none, does not.
    assert {province.stttt.pk, province.snv.pk} <= set(by_scope)
    assert province.root.pk not in by_scope

    # Each to its administrators only, with a notice leading to its PDF.
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
        assert {n.link for n in notices} == {
            reverse("oversight:scheduled_report_file", args=[report.pk, "pdf"])
        }
    for person in (province.staff_stttt, province.leader_stttt, province.staff_snv):
        assert not Notification.objects.filter(
            recipient=person, title__startswith="Báo cáo tình hình sử dụng"
        ).exists()

    # Once: later runs, the same day or days after, make and send nothing more.
    files, notifications = ScheduledReportFile.objects.count(), Notification.objects.count()
    assert files == 2 * len(made)
    assert make() == []
    assert make(FIRST_OF_DECEMBER + dt.timedelta(days=2)) == []
    assert ScheduledReport.objects.count() == len(made)
    assert ScheduledReportFile.objects.count() == files
    assert Notification.objects.count() == notifications


def test_the_files_are_stored_hashed_and_audited(province):
    report = make_one(province.snv)
    pdf, xlsx = report.files.get(file_format="pdf"), report.files.get(file_format="xlsx")
    assert pdf.original_name == "bao-cao-su-dung-snv-2026-11.pdf"
    data = read(pdf)
    assert len(data) == pdf.size
    text = pdf_text(data)
    assert "TÌNH HÌNH SỬ DỤNG PHẦN MỀM" in text and "Sở Nội vụ" in text
    sheet = load_workbook(io.BytesIO(read(xlsx))).active
    assert sheet["A1"].value == "Thống kê sử dụng – Sở Nội vụ"
    assert sheet["A2"].value == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    event = AuditEvent.objects.get(
        action="oversight.scheduled_report_made", target_id=str(report.pk)
    )
    assert event.data["files"] == {"pdf": pdf.sha256, "xlsx": xlsx.sha256}
    # Made already: nothing more, no second file.
    assert make_one(province.snv) is None
    assert ScheduledReportFile.objects.filter(report__unit=province.snv).count() == 2


def test_a_quarterly_report_covers_the_quarter(province):
    report = make_one(province.snv, ReportKind.QUARTER, Period.quarter(2026, 4))
    assert (report.period_slug, report.period_name) == ("2026-q4", "Quý IV năm 2026")
    assert (report.period_first, report.period_last) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert report.files.get(file_format="pdf").original_name == "bao-cao-su-dung-snv-2026-q4.pdf"
    assert set(report.deliveries.values_list("recipient_id", flat=True)) == {province.admin_snv.pk}


def test_no_e_mail_without_a_mail_server(province, settings, django_capture_on_commit_callbacks):
    settings.VANBAN_EMAIL_ENABLED = False
    with_address(province.admin_snv, SNV_ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_one(province.snv)
    assert mail.outbox == []
    assert report.deliveries.get().emailed_at is None


def test_e_mailed_with_the_files_attached_when_a_mail_server_is_configured(
    province, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.VANBAN_SITE_URL = "https://vanban.bentre.gov.vn"
    with_address(province.admin_snv, SNV_ADDRESS)
    with_address(province.staff_snv, "lanhn.snv@bentre.gov.vn")
    with django_capture_on_commit_callbacks(execute=True):
        report = make_one(province.snv)
    # One e-mail, to the administrator, none to the staff, no second copy without the files.
    assert [(m.to, m.subject) for m in mail.outbox] == [([SNV_ADDRESS], report.title)]
    message = mail.outbox[0]
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    assert names == [
        ("bao-cao-su-dung-snv-2026-11.pdf", "application/pdf"),
        (
            "bao-cao-su-dung-snv-2026-11.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    assert message.attachments[0][1] == read(report.files.get(file_format="pdf"))
    assert "https://vanban.bentre.gov.vn/giam-sat/bao-cao-dinh-ky/" in message.body
    delivery = report.deliveries.get(recipient=province.admin_snv)
    assert delivery.emailed_at is not None and delivery.email_error == ""
    assert delivery.notification is not None and delivery.notification.emailed_at is not None
    # The task again (a retry): nothing is sent twice.
    assert scheduled_report_email(report.pk) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_is_recorded_and_changes_nothing_else(
    province, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with_address(province.admin_snv, SNV_ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_one(province.snv)
    assert ScheduledReport.objects.filter(pk=report.pk).exists()  # the report stands
    delivery = ScheduledReportDelivery.objects.get(report=report, recipient=province.admin_snv)
    assert delivery.emailed_at is None and delivery.email_error
    assert delivery.notification is not None
    assert delivery.notification.email_error == delivery.email_error


def test_the_scheduler_enqueues_the_job_once_a_day_and_the_worker_makes_the_reports(
    province, django_capture_on_commit_callbacks
):
    (job,) = [job for job in DAILY_JOBS if job.name == "oversight_scheduled_reports"]
    assert job.task_path == "vanban.oversight.tasks.scheduled_reports_task"
    with clock.frozen(FIRST_OF_DECEMBER.replace(hour=5, minute=59)):
        assert due_jobs_enqueue(jobs=[job]) == []
    # The test settings run an enqueued task at once (ImmediateBackend), after the commit.
    with clock.frozen(FIRST_OF_DECEMBER), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(jobs=[job]) == ["oversight_scheduled_reports"]
    assert ScheduledReport.objects.filter(unit=province.snv, period_slug="2026-11").exists()
    with clock.frozen(FIRST_OF_DECEMBER), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(jobs=[job]) == []


def test_the_figures_are_the_statistics_of_the_period_in_vietnam(province):
    """Logins of the Department of Home Affairs: one at 23:30 on 30 November (Vietnam) counts in
    November's report, one at 00:30 on 1 December does not; the aggregates of November were not
    built before, and the job builds them rather than count nothing."""
    for moment in (
        dt.datetime(2026, 11, 10, 9, 0, tzinfo=VN),
        dt.datetime(2026, 11, 30, 23, 30, tzinfo=VN),
        dt.datetime(2026, 12, 1, 0, 30, tzinfo=VN),
    ):
        with clock.frozen(moment):
            login_password_step(username=province.staff_snv.username, password=PASSWORD)
    UsageBuild.objects.filter(day__gte=dt.date(2026, 11, 1)).delete()
    make()
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert UsageBuild.objects.filter(day__range=november).count() == 30
    report = ScheduledReport.objects.get(unit=province.snv, period_slug="2026-11")
    sheet = load_workbook(io.BytesIO(read(report.files.get(file_format="xlsx")))).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, max_col=2, values_only=True)}
    # The labels are the statistics pages' own (the report is their export).
    assert values[LABELS["logins"]] == 2
    assert values[LABELS["active_people"]] == 1
    with clock.frozen(FIRST_OF_DECEMBER):
        figures = usage(scope=Scope.of_unit(province.snv), period=NOVEMBER)
    assert values[LABELS["incoming_registered"]] == figures.incoming_registered
    assert values[LABELS["accounts_active"]] == figures.accounts_active
    # The province's report lists the units under the province's root, the Department of Home
    # Affairs with its two logins among them.
    whole = ScheduledReport.objects.get(unit__isnull=True, period_slug="2026-11")
    workbook = load_workbook(io.BytesIO(read(whole.files.get(file_format="xlsx"))))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert rows[header][1] == "Đơn vị"
    logins = rows[header].index(SHORT_LABELS["logins"])
    by_unit = {row[1]: row[logins] for row in rows[header + 1 :]}
    assert by_unit["Sở Nội vụ"] == 2
    assert by_unit["Tổng cộng"] >= 2


def test_files_check_knows_the_report_files(province, own_storage):
    """`vanban files check` walks the reports' prefix: their files are not orphans, and a missing
    one is named with its report."""
    report = make_one(province.snv)
    output = files_check()
    assert "Tệp mồ côi" not in output and "Thiếu tệp" not in output, output
    pdf = report.files.get(file_format="pdf")
    default_storage.delete(pdf.storage_name)
    output = files_check()
    assert f"“bao-cao-su-dung-snv-2026-11.pdf” của báo cáo định kỳ #{report.pk}" in output, output


def files_check() -> str:
    out = StringIO()
    try:
        call_command("files", "check", stdout=out, stderr=out)
    except CommandError as exc:
        out.write(f"\n{exc}")
    return out.getvalue()
