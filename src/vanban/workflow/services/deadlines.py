"""Deadlines: the default deadline of a document, the checks of a chosen deadline and the unit's
deadline policy (R18; STYLE.md: organisational policy is data per unit).
"""

import datetime as dt

from django.db import transaction

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import format_date_vi
from vanban.documents.models import Document

from ..access import local_today
from ..models import DeadlinePolicy
from ._common import MSG_POLICY


def default_deadline(
    document: Document, *, today: dt.date | None = None, unit_id: int | None = None
) -> dt.date:
    """The deadline stated on the record if still ahead, else the policy of the unit that
    processes it (`unit_id`, default the document's) for the document's urgency
    (DeadlinePolicy: data per unit)."""
    today = today or local_today()
    if document.due_date and document.due_date >= today:
        return document.due_date
    policy = DeadlinePolicy.for_unit(unit_id or document.unit_id)
    return today + dt.timedelta(days=policy.days_for(document.urgency))


def _check_deadline(deadline: dt.date, *, today: dt.date, limit: dt.date | None = None) -> dt.date:
    if deadline < today:
        raise ServiceError("Hạn giải quyết không được trước ngày hôm nay.", field="deadline")
    if deadline > today + dt.timedelta(days=366):
        raise ServiceError("Hạn giải quyết không được quá một năm.", field="deadline")
    if limit is not None and deadline > limit:
        raise ServiceError(
            f"Hạn giải quyết không được sau hạn của đơn vị ({format_date_vi(limit)}).",
            field="deadline",
        )
    return deadline


POLICY_FIELDS = {
    "normal_days": ("văn bản thường", 1, 365),
    "urgent_days": ("văn bản khẩn", 1, 365),
    "very_urgent_days": ("văn bản thượng khẩn", 1, 365),
    "flash_days": ("văn bản hỏa tốc", 1, 365),
    "remind_before_days": ("nhắc hạn trước", 0, 30),
}


def deadline_policy_update(
    *, actor: User, unit: Unit, values: dict[str, int], ip: str | None = None
) -> DeadlinePolicy:
    """The unit's leaders or admins set the default days per urgency and when reminders start
    (STYLE.md: organisational policy is data per unit)."""
    _require_active(actor)
    if not (actor.has_role(Role.LEADER, unit) or actor.can_manage_unit(unit)):
        raise AccessDenied(MSG_POLICY)
    cleaned: dict[str, int] = {}
    for name, (label, low, high) in POLICY_FIELDS.items():
        value = values.get(name)
        if not isinstance(value, int) or not low <= value <= high:
            raise ServiceError(f"Số ngày cho {label} phải từ {low} đến {high}.", field=name)
        cleaned[name] = value
    with transaction.atomic():
        DeadlinePolicy.objects.get_or_create(unit=unit)
        policy = DeadlinePolicy.objects.select_for_update().get(unit=unit)
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        for name, value in cleaned.items():
            setattr(policy, name, value)
        policy.updated_by = actor
        policy.updated_at = clock.now()
        policy.save()
        audit_record(
            actor=actor,
            action="workflow.deadline_policy_update",
            unit=unit,
            target=policy,
            ip=ip,
            data={"before": before, "after": cleaned},
        )
    return policy
