"""Reminders: a leader's formal reminder (đôn đốc) and the daily alerts of work due soon or overdue
(R18).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from vanban.accounts.models import AccountStatus, Role, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import format_date_vi

from ..access import authority_of, local_today, unit_people_ids
from ..models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DeadlineAlert,
    DeadlinePolicy,
    ProcessingStatus,
    Reminder,
    TrailAction,
)
from ._common import (
    MSG_INFO_ONLY,
    MSG_NOT_SUPERVISOR,
    _audit,
    _check_open,
    _check_running,
    _link,
    _lock_assignment,
    _notify,
    _text,
    _trail,
    document_label,
)
from .assignments import handler_ids


def assignment_remind(
    *, actor: User, assignment: Assignment, text: str, ip: str | None = None
) -> Reminder:
    """A leader's formal reminder (đôn đốc) to the handlers of a part of the work: recorded in
    the trail, counted on the assignment and sent to them (R18)."""
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_supervisor(
        assignment, document_unit_id=assignment.document.unit_id
    )
    if not allowed:
        raise AccessDenied(MSG_NOT_SUPERVISOR)
    now = clock.now()
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        _check_running(processing)
        _check_open(assignment)
        if assignment.role == AssignmentRole.INFO:
            raise ServiceError(MSG_INFO_ONLY)
        text = _text(text, label="nội dung đôn đốc", field="text", required=True, max_length=2000)
        recipients = handler_ids(assignment)
        names = list(
            User.objects.filter(pk__in=recipients)
            .order_by("full_name")
            .values_list("full_name", flat=True)
        )
        reminder = Reminder.objects.create(
            assignment=assignment,
            sent_by=actor,
            on_behalf_of=on_behalf_of,
            recipients=", ".join(names)[:1000],
            text=text,
            sent_at=now,
        )
        Assignment.objects.filter(pk=assignment.pk).update(reminder_count=F("reminder_count") + 1)
        assignment.refresh_from_db(fields=["reminder_count"])
        _trail(
            processing=processing,
            action=TrailAction.REMINDED,
            actor=actor,
            on_behalf_of=on_behalf_of,
            summary=f"Đôn đốc {assignment.assignee_label} (lần thứ {assignment.reminder_count}).",
            text=text,
            assignment=assignment,
            at=now,
        )
        _audit(
            actor=actor,
            action="workflow.remind",
            document=assignment.document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={"assignment": assignment.pk, "count": assignment.reminder_count},
        )
        _notify(
            recipients,
            title="Đôn đốc xử lý văn bản",
            body=f"{document_label(assignment.document)}: {text}",
            document=assignment.document,
        )
    return reminder


@dataclass
class AlertRun:
    due_soon: int = 0
    overdue: int = 0
    already_sent: int = 0

    @property
    def sent(self) -> int:
        return self.due_soon + self.overdue


def _alert_candidates(today: dt.date) -> list[Assignment]:
    """Open lead and co parts of documents in progress, due within the `remind_before_days` of
    the unit now handling the document (its processing's unit: a document handed to a successor
    by a reorganisation follows the successor's policy, CV 414/BNV-VTLTNN) or overdue, by
    deadline."""
    policies = {
        p.unit_id: p.remind_before_days
        for p in DeadlinePolicy.objects.only("unit_id", "remind_before_days")
    }
    default_days = DeadlinePolicy().remind_before_days
    horizon = max([default_days, *policies.values()])
    candidates = list(
        Assignment.objects.filter(
            status=AssignmentStatus.OPEN,
            role__in=(AssignmentRole.LEAD, AssignmentRole.CO),
            processing__status=ProcessingStatus.IN_PROGRESS,
            deadline__isnull=False,
            deadline__lte=today + dt.timedelta(days=horizon),
        )
        .select_related("document__document_type", "assignee_unit", "assignee_user")
        .annotate(handling_unit_id=F("processing__unit_id"))
        .order_by("deadline", "pk")
    )
    return [
        a
        for a in candidates
        if a.deadline is not None
        and a.deadline <= today + dt.timedelta(days=policies.get(a.handling_unit_id, default_days))
    ]


def _alert_text(assignment: Assignment, *, today: dt.date) -> tuple[bool, str, str]:
    """(overdue, title, body) of the alert about a part with a deadline."""
    deadline = assignment.deadline
    if deadline is None:
        raise ValueError(f"assignment {assignment.pk} has no deadline to alert about")
    overdue = deadline < today
    days = abs((deadline - today).days)
    document = assignment.document
    role = AssignmentRole(assignment.role).label.lower()
    if overdue:
        title = f"Quá hạn giải quyết {days} ngày"
    elif days == 0:
        title = "Đến hạn giải quyết hôm nay"
    else:
        title = f"Còn {days} ngày đến hạn giải quyết"
    body = (
        f"{document_label(document)}: {document.subject}. Phần {role} của "
        f"{assignment.assignee_label}, hạn {format_date_vi(deadline)}."
    )
    return overdue, title, body


def deadline_alerts_send(*, at: dt.datetime | None = None) -> AlertRun:
    """Daily: tell the handlers of every open part of the work that is due within the unit's
    `remind_before_days` or overdue (R18 "reminders"). Idempotent per day: a `DeadlineAlert`
    row per (assignment, person, day) is written with the notification, so a second run the
    same day sends nothing."""
    at = at or clock.now()
    today = local_today(at)
    candidates = _alert_candidates(today)
    leaders = unit_people_ids(
        sorted({a.assignee_unit_id for a in candidates if a.assignee_unit_id}), (Role.LEADER,)
    )
    active = set(
        User.objects.filter(
            status=AccountStatus.ACTIVE,
            pk__in={a.assignee_user_id for a in candidates if a.assignee_user_id},
        ).values_list("pk", flat=True)
    )
    sent_today = set(
        DeadlineAlert.objects.filter(day=today, assignment__in=candidates).values_list(
            "assignment_id", "user_id"
        )
    )
    run = AlertRun()
    recipients = active | {user_id for ids in leaders.values() for user_id in ids}
    users = {u.pk: u for u in User.objects.filter(pk__in=recipients)}
    for assignment in candidates:
        if assignment.assignee_user_id:
            people = [assignment.assignee_user_id] if assignment.assignee_user_id in active else []
        elif assignment.assignee_unit_id is not None:
            people = leaders.get(assignment.assignee_unit_id, [])
        else:
            people = []
        overdue, title, body = _alert_text(assignment, today=today)
        kind = DeadlineAlert.Kind.OVERDUE if overdue else DeadlineAlert.Kind.DUE_SOON
        for user_id in people:
            if (assignment.pk, user_id) in sent_today:
                run.already_sent += 1
                continue
            try:
                with transaction.atomic():
                    DeadlineAlert.objects.create(
                        assignment=assignment, user_id=user_id, day=today, kind=kind, sent_at=at
                    )
                    notification_send(
                        recipients=[users[user_id]],
                        title=title,
                        body=body,
                        link=_link(assignment.document),
                    )
            except IntegrityError:
                # Another run of the same day got there first.
                run.already_sent += 1
                continue
            if overdue:
                run.overdue += 1
            else:
                run.due_soon += 1
    if run.sent:
        audit_record(
            actor=None,
            action="workflow.deadline_alerts",
            data={"day": today.isoformat(), "due_soon": run.due_soon, "overdue": run.overdue},
        )
    return run
