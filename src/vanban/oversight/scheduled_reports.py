"""Periodic usage reports (R24; Art. 11.1.đ and 11.2.b of the provincial regulation: the
Department and each unit report the use of the system periodically).

Every day the scheduler enqueues `oversight.tasks.scheduled_reports_task` (core.schedule). On the
first day of a month it makes the previous month's reports, on the first day of a quarter also the
previous quarter's: the province's, delivered to the Department's administrators (the province
administrators), and one for each unit that has unit administrators, delivered to them. Days are
Vietnam's (reports.periods). A report is made once: a (kind, period, scope) row is unique, so a
second run, a second worker or a retried task makes nothing more. When the worker or scheduler was
down on the first day, the next run within CATCH_UP_DAYS still makes the reports that are missing.

Delivery: a notification in the application with the link to the stored PDF, and, when a mail
server is configured (VANBAN_EMAIL_HOST), an e-mail to each recipient with the files attached,
sent after commit by the task queue; what the mail server answered is kept on the delivery row.

Reading: a province administrator reads every report, a unit administrator the reports of the
units they administer; anyone else is refused. Rights follow the reader's roles when they read.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.core.models import Notification
from vanban.core.services import notification_send
from vanban.reports.periods import REPORT_TZ, Period

from .models_scheduled_reports import (
    STORAGE_PREFIX,
    ReportKind,
    ScheduledReport,
    ScheduledReportDelivery,
    ScheduledReportFile,
)
from .models_statistics import UsageBuild
from .scheduled_report_content import ReportContent, report_content
from .statistics_build import usage_rebuild

logger = logging.getLogger(__name__)

# A report not made on the first day (scheduler or worker down) is still made within this many
# days; after that the period is left to the statistics pages' own exports.
CATCH_UP_DAYS = 7
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def due_periods(today: dt.date) -> list[tuple[str, Period]]:
    """The periods whose reports are due on `today` (a Vietnam date): the previous month within
    CATCH_UP_DAYS of the 1st, the previous quarter within CATCH_UP_DAYS of its end."""
    due: list[tuple[str, Period]] = []
    month_first = today.replace(day=1)
    if (today - month_first).days < CATCH_UP_DAYS:
        last = month_first - dt.timedelta(days=1)
        due.append((ReportKind.MONTH, Period.month(last.year, last.month)))
    quarter_first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if (today - quarter_first).days < CATCH_UP_DAYS:
        last = quarter_first - dt.timedelta(days=1)
        due.append((ReportKind.QUARTER, Period.quarter(last.year, (last.month - 1) // 3 + 1)))
    return due


def _admins(unit: Unit | None) -> Q:
    if unit is None:
        return Q(role_assignments__role=Role.PROVINCE_ADMIN)
    return Q(role_assignments__role=Role.UNIT_ADMIN, role_assignments__unit=unit)


def report_recipients(*, unit: Unit | None) -> QuerySet[User]:
    """Who receives the report of `unit` (None: the province's): its active administrators."""
    return User.objects.filter(_admins(unit), status=AccountStatus.ACTIVE).distinct().order_by("pk")


def report_scopes() -> list[Unit | None]:
    """The province (None) and every active unit that has an active unit administrator."""
    units = (
        Unit.objects.filter(
            is_active=True,
            role_assignments__role=Role.UNIT_ADMIN,
            role_assignments__user__status=AccountStatus.ACTIVE,
        )
        .distinct()
        .order_by("pk")
    )
    return [None, *units]


def _store(report_key: str, content: ReportContent) -> list[tuple[str, str, str, bytes]]:
    """Write each file; (format, name, storage name, data). The caller deletes them on failure."""
    stored: list[tuple[str, str, str, bytes]] = []
    now = clock.now().astimezone(REPORT_TZ)
    try:
        for report_file in content.files:
            name = default_storage.save(
                f"{STORAGE_PREFIX}/{now:%Y}/{report_key}-{uuid.uuid4().hex}.{report_file.file_format}",
                ContentFile(report_file.data),
            )
            stored.append((report_file.file_format, report_file.name, name, report_file.data))
    except BaseException:
        _delete(stored)
        raise
    return stored


def _delete(stored: list[tuple[str, str, str, bytes]]) -> None:
    for _format, _name, storage_name, _data in stored:
        with contextlib.suppress(OSError):
            default_storage.delete(storage_name)


def file_url(report_file: ScheduledReportFile) -> str:
    return reverse(
        "oversight:scheduled_report_file",
        kwargs={"pk": report_file.report_id, "file_format": report_file.file_format},
    )


def scheduled_report_make(
    *, kind: str, period: Period, unit: Unit | None
) -> ScheduledReport | None:
    """Make, store and deliver one report (R24); None when it exists already (idempotent).

    The files are written first and removed if the transaction fails, so no row points at a
    missing file and no file is left that no row names (STYLE, "Concurrency and data safety")."""
    existing = ScheduledReport.objects.filter(kind=kind, period_slug=period.slug, unit=unit)
    if existing.exists():
        return None
    content = report_content(kind=kind, period=period, unit=unit)
    key = f"{period.slug}-{kind}-{unit.abbreviation if unit is not None else 'tinh'}"
    stored = _store(key, content)
    try:
        with transaction.atomic():
            report = ScheduledReport.objects.create(
                kind=kind,
                period_slug=period.slug,
                period_name=period.name,
                period_first=period.first,
                period_last=period.last,
                unit=unit,
                title=content.title,
                made_at=clock.now(),
            )
            files = ScheduledReportFile.objects.bulk_create(
                [
                    ScheduledReportFile(
                        report=report,
                        file_format=file_format,
                        original_name=name,
                        storage_name=storage_name,
                        sha256=hashlib.sha256(data).hexdigest(),
                        size=len(data),
                    )
                    for file_format, name, storage_name, data in stored
                ]
            )
            _deliver(report, files)
            audit_record(
                actor=None,
                action="oversight.scheduled_report_made",
                unit=unit,
                target=report,
                data={
                    "kind": kind,
                    "period": period.slug,
                    "files": {f.file_format: f.sha256 for f in files},
                },
            )
    except IntegrityError:
        # Another worker made the same report at the same moment: its copy stands.
        _delete(stored)
        return None
    except BaseException:
        _delete(stored)
        raise
    return report


def _deliver(report: ScheduledReport, files: list[ScheduledReportFile]) -> None:
    recipients = list(report_recipients(unit=report.unit))
    if not recipients:
        return
    main = next((f for f in files if f.file_format == "pdf"), files[0] if files else None)
    notifications = notification_send(
        recipients=recipients,
        title=report.title,
        body=(
            f"Báo cáo tình hình sử dụng hệ thống {report.period_name.lower()} đã được lập tự động"
            f"{' và gửi kèm thư điện tử' if settings.VANBAN_EMAIL_ENABLED else ''}. Các báo cáo "
            "định kỳ khác ở trang Báo cáo định kỳ."
        ),
        link=file_url(main) if main is not None else reverse("oversight:scheduled_report_list"),
        email=False,
    )
    by_recipient = {n.recipient_id: n for n in notifications}
    ScheduledReportDelivery.objects.bulk_create(
        [
            ScheduledReportDelivery(
                report=report, recipient=person, notification=by_recipient.get(person.pk)
            )
            for person in recipients
        ]
    )
    if settings.VANBAN_EMAIL_ENABLED:
        report_id = report.pk
        transaction.on_commit(lambda: _email_enqueue(report_id), robust=True)


def _email_enqueue(report_id: int) -> None:
    from .tasks import scheduled_report_email_task

    scheduled_report_email_task.enqueue(report_id)


def aggregates_complete(period: Period) -> None:
    """Build the usage aggregates of the period's days that are not built yet (the nightly build
    at 05:00 may not have run, or not finished, when the reports are made), so that a report
    counts every day of its period (docs/oversight.md, "Freshness")."""
    built = set(
        UsageBuild.objects.filter(day__range=(period.first, period.last)).values_list(
            "day", flat=True
        )
    )
    days = (period.last - period.first).days + 1
    missing = [
        day
        for day in (period.first + dt.timedelta(days=n) for n in range(days))
        if day not in built
    ]
    if missing:
        usage_rebuild(first=missing[0], last=missing[-1])


def scheduled_reports_make(*, now: dt.datetime | None = None) -> list[ScheduledReport]:
    """The daily job (R24): every report due today that is not made yet."""
    today = (now or clock.now()).astimezone(REPORT_TZ).date()
    made = []
    for kind, period in due_periods(today):
        done = set(
            ScheduledReport.objects.filter(kind=kind, period_slug=period.slug).values_list(
                "unit_id", flat=True
            )
        )
        todo = [u for u in report_scopes() if (u.pk if u is not None else None) not in done]
        if not todo:
            continue
        aggregates_complete(period)
        for unit in todo:
            report = scheduled_report_make(kind=kind, period=period, unit=unit)
            if report is not None:
                made.append(report)
    return made


def scheduled_report_email(report_id: int) -> dict[str, int]:
    """E-mail the report, files attached, to each recipient not e-mailed yet (idempotent); a
    refusal of the mail server is kept on the delivery and its notification, never raised."""
    sent = failed = 0
    report = ScheduledReport.objects.filter(pk=report_id).first()
    if report is None or not settings.VANBAN_EMAIL_ENABLED:
        return {"sent": 0, "failed": 0}
    attachments = []
    for report_file in report.files.all():
        with default_storage.open(report_file.storage_name, "rb") as handle:
            attachments.append(
                (report_file.original_name, handle.read(), CONTENT_TYPES[report_file.file_format])
            )
    base = settings.VANBAN_SITE_URL.rstrip("/")
    deliveries = (
        report.deliveries.filter(emailed_at__isnull=True).select_related("recipient").order_by("pk")
    )
    for delivery in deliveries:
        address = delivery.recipient.email
        if not address:
            continue
        body = (
            f"Kính gửi {delivery.recipient.full_name},\n\n"
            f"Hệ thống gửi kèm {report.title[0].lower()}{report.title[1:]} "
            f"({report.period_name.lower()}), lập tự động ngày "
            f"{report.made_at.astimezone(REPORT_TZ):%d/%m/%Y}."
        )
        if base:
            body += f"\n\nCác báo cáo định kỳ: {base}{reverse('oversight:scheduled_report_list')}"
        message = EmailMessage(report.title, body, None, [address], attachments=attachments)
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # any refusal of the mail server: kept, never raised
            failed += 1
            error = f"{type(exc).__name__}: {exc}"[:500]
            logger.warning("scheduled report %s not e-mailed to %s: %s", report.pk, address, error)
            _email_result(delivery, emailed_at=None, error=error)
        else:
            sent += 1
            _email_result(delivery, emailed_at=clock.now(), error="")
    return {"sent": sent, "failed": failed}


def _email_result(
    delivery: ScheduledReportDelivery, *, emailed_at: dt.datetime | None, error: str
) -> None:
    ScheduledReportDelivery.objects.filter(pk=delivery.pk).update(
        emailed_at=emailed_at, email_error=error
    )
    if delivery.notification_id is not None:
        Notification.objects.filter(pk=delivery.notification_id).update(
            emailed_at=emailed_at, email_error=error
        )


# ---------------------------------------------------------------- reading


def scheduled_reports_visible_to(user: Any) -> QuerySet[ScheduledReport]:
    """The reports `user` may read: all for a province administrator, their units' for a unit
    administrator, none for anyone else."""
    managed = user.managed_unit_ids()
    reports = ScheduledReport.objects.select_related("unit").prefetch_related("files")
    if managed is None:
        return reports
    return reports.filter(unit_id__in=managed)


def scheduled_report_file_access(*, user: Any, pk: int, file_format: str) -> ScheduledReportFile:
    """The stored file of a report the person may read; NotFound for any other, the same answer
    as for a report that does not exist."""
    visible = scheduled_reports_visible_to(user).values("pk")
    report_file = (
        ScheduledReportFile.objects.filter(
            report_id=pk, file_format=file_format, report__in=visible
        )
        .select_related("report")
        .first()
    )
    if report_file is None:
        raise NotFound("Không tìm thấy báo cáo.")
    return report_file


def scheduled_report_file_read(report_file: ScheduledReportFile) -> bytes:
    """The stored bytes, checked against the hash kept when the report was made."""
    with default_storage.open(report_file.storage_name, "rb") as handle:
        data: bytes = handle.read()
    if hashlib.sha256(data).hexdigest() != report_file.sha256:
        raise ServiceError(
            "Tệp báo cáo đã bị thay đổi sau khi lập (mã băm không khớp); hãy báo quản trị tỉnh."
        )
    return data
