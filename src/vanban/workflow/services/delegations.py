"""A leader who is away lets a deputy act for them for a period (SPEC "delegation")."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.services import notification_send
from vanban.documents.models import Document, DocumentShare

from ..models import Assignment, AssignmentStatus, Delegation, Processing, ProcessingStatus
from ._common import MSG_NOT_DELEGATOR, _text


def _check_deputy(*, actor: User, unit: Unit, deputy: User | None) -> User:
    """Another active person of the unit (by their unit or a role in it)."""
    if deputy is None or not deputy.is_active or deputy.pk == actor.pk:
        raise ServiceError(
            "Hãy chọn một cán bộ đang hoạt động khác của đơn vị để ủy quyền.", field="deputy"
        )
    if deputy.unit_id != unit.pk and not any(u == unit.pk for u, _r in deputy.role_pairs()):
        raise ServiceError(f"{deputy.full_name} không phải cán bộ của {unit.name}.", field="deputy")
    return deputy


def _check_period(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, *, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """A period that has not ended yet and lasts at most a year."""
    if starts_at is None or ends_at is None:
        raise ServiceError("Hãy nhập thời gian bắt đầu và kết thúc ủy quyền.", field="ends_at")
    if ends_at <= starts_at:
        raise ServiceError("Thời điểm kết thúc phải sau thời điểm bắt đầu.", field="ends_at")
    if ends_at <= now:
        raise ServiceError("Thời điểm kết thúc đã qua.", field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=366):
        raise ServiceError("Một lần ủy quyền không quá một năm.", field="ends_at")
    return starts_at, ends_at


def _share_waiting(*, actor: User, unit: Unit, deputy: User, now: dt.datetime) -> int:
    """Give the deputy what waits for the leader: documents presented to them and open parts
    given to them or to the unit. Returns how many documents were newly shared."""
    waiting = set(
        Processing.objects.filter(
            unit=unit, presented_to=actor, status=ProcessingStatus.PRESENTED
        ).values_list("document_id", flat=True)
    )
    waiting |= set(
        Assignment.objects.filter(status=AssignmentStatus.OPEN)
        .filter(Q(assignee_user=actor) | Q(assignee_unit=unit))
        .values_list("document_id", flat=True)
    )
    existing = set(
        DocumentShare.objects.filter(user=deputy, document_id__in=waiting).values_list(
            "document_id", flat=True
        )
    )
    new = sorted(waiting - existing)
    units = dict(Document.objects.filter(pk__in=new).values_list("pk", "unit_id")) if new else {}
    DocumentShare.objects.bulk_create(
        [
            DocumentShare(
                document_id=pk,
                document_unit_id=units.get(pk),
                user=deputy,
                granted_by=actor,
                granted_at=now,
            )
            for pk in new
        ],
        ignore_conflicts=True,
    )
    return len(waiting - existing)


def delegation_create(
    *,
    actor: User,
    unit: Unit,
    deputy: User | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    note: str = "",
    ip: str | None = None,
) -> Delegation:
    """A leader who will be away lets a deputy of the unit act for them for a period (SPEC
    "delegation"). What waits for the leader is given to the deputy at once (DocumentShare)."""
    _require_active(actor)
    if not actor.has_role(Role.LEADER, unit):
        raise AccessDenied(MSG_NOT_DELEGATOR)
    deputy = _check_deputy(actor=actor, unit=unit, deputy=deputy)
    now = clock.now()
    starts_at, ends_at = _check_period(starts_at, ends_at, now=now)
    note = _text(note, label="ghi chú", field="note", max_length=500)
    with transaction.atomic():
        # One delegation of a leader at a time: lock the leader's own rows.
        overlapping = Delegation.objects.select_for_update().filter(
            delegator=actor,
            unit=unit,
            ended_at__isnull=True,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        if list(overlapping):
            raise ServiceError(
                "Trong khoảng thời gian này bạn đã ủy quyền cho người khác.", field="starts_at"
            )
        delegation = Delegation.objects.create(
            unit=unit,
            delegator=actor,
            deputy=deputy,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_by=actor,
            created_at=now,
        )
        shared = _share_waiting(actor=actor, unit=unit, deputy=deputy, now=now)
        audit_record(
            actor=actor,
            action="workflow.delegation_create",
            unit=unit,
            target=delegation,
            ip=ip,
            data={
                "deputy": deputy.username,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "shared_documents": shared,
            },
        )
        notification_send(
            recipients=[deputy],
            title="Bạn được ủy quyền",
            body=(
                f"{actor.full_name} ủy quyền cho bạn thay mặt xử lý công việc của "
                f"{unit.name} từ {_when(starts_at)} đến {_when(ends_at)}. {note}"
            ).strip(),
            link=reverse("workflow:my_work"),
        )
    return delegation


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def delegation_end(*, actor: User, delegation: Delegation, ip: str | None = None) -> Delegation:
    """The leader (or the unit's admin) ends a delegation before its time."""
    _require_active(actor)
    if actor.pk != delegation.delegator_id and not actor.can_manage_unit(delegation.unit):
        raise AccessDenied("Chỉ người ủy quyền hoặc quản trị đơn vị được kết thúc ủy quyền.")
    now = clock.now()
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.ended_at is not None or delegation.ends_at <= now:
            raise ServiceError("Ủy quyền này đã kết thúc.")
        delegation.ended_at = now
        delegation.ended_by = actor
        delegation.save(update_fields=["ended_at", "ended_by"])
        audit_record(
            actor=actor,
            action="workflow.delegation_end",
            unit=delegation.unit,
            target=delegation,
            ip=ip,
            data={"deputy": delegation.deputy.username},
        )
        notification_send(
            recipients=[delegation.deputy],
            title="Ủy quyền đã kết thúc",
            body=f"{delegation.delegator.full_name} đã kết thúc ủy quyền cho bạn.",
            link=reverse("workflow:delegations"),
        )
    return delegation
