"""Giving the work: who receives the document (shares), the direction with its first assignments
and a unit leader's division of the unit's part (Art. 24.1; R18).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import format_date_vi
from vanban.documents.models import Direction, Document, DocumentShare
from vanban.exchange.delivery import delivery_status_update

from ..access import authority_of, handling_unit, local_today, subunit_ids, unit_people_ids
from ..models import (
    Assignment,
    AssignmentRole,
    Delegation,
    Processing,
    ProcessingStatus,
    TrailAction,
)
from ._common import (
    MSG_ALREADY_DIRECTED,
    MSG_ALREADY_REASSIGNED,
    MSG_DONE,
    MSG_INFO_ONLY,
    MSG_NOT_INCOMING,
    MSG_NOT_LEADER,
    MSG_NOT_PRESENTED,
    MSG_NOT_UNIT_LEADER,
    MSG_WITHDRAWN,
    STATUS_ASSIGNED,
    STATUS_PROCESSING,
    _audit,
    _check_open,
    _check_running,
    _lock,
    _lock_assignment,
    _notify,
    _text,
    _trail,
    document_label,
)
from .deadlines import _check_deadline, default_deadline


def _deputy_ids(*, user_ids: Iterable[int], unit_ids: Iterable[int], now: dt.datetime) -> set[int]:
    """Deputies, now or later, of these people (any unit) and of these units' leaders."""
    user_ids, unit_ids = set(user_ids), set(unit_ids)
    if not user_ids and not unit_ids:
        return set()
    return set(
        Delegation.objects.filter(ended_at__isnull=True, ends_at__gt=now)
        .filter(Q(delegator_id__in=user_ids) | Q(unit_id__in=unit_ids))
        .values_list("deputy_id", flat=True)
    )


def _share(
    *,
    document: Document,
    actor: User,
    now: dt.datetime,
    user_ids: Iterable[int] = (),
    unit_ids: Iterable[int] = (),
) -> set[int]:
    """Give the document to these people, to the leaders and clerks of these units, and to their
    deputies; return everyone concerned. Shares extend `Document.objects.visible_to` and are
    kept after the work ends (the people keep seeing what they handled)."""
    unit_ids = set(unit_ids)
    people = set(user_ids)
    for ids in unit_people_ids(sorted(unit_ids), (Role.LEADER, Role.CLERK)).values():
        people.update(ids)
    people |= _deputy_ids(user_ids=people, unit_ids=unit_ids, now=now)
    existing = set(
        DocumentShare.objects.filter(document=document, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    DocumentShare.objects.bulk_create(
        [
            DocumentShare(
                document=document,
                document_unit_id=document.unit_id,
                user_id=user_id,
                granted_by=actor,
                granted_at=now,
            )
            for user_id in sorted(people - existing)
        ],
        # A delegation being created at the same moment may give the deputy the same document.
        ignore_conflicts=True,
    )
    return people


def _leader_ids(unit_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for ids in unit_people_ids(sorted(set(unit_ids)), (Role.LEADER,)).values():
        found.update(ids)
    return found


def handler_ids(assignment: Assignment) -> set[int]:
    """The people who answer for an assignment: the person, or the unit's leaders."""
    if assignment.assignee_user_id:
        return {assignment.assignee_user_id}
    if assignment.assignee_unit_id is None:
        return set()
    return _leader_ids([assignment.assignee_unit_id])


@dataclass
class Plan:
    lead_unit: Unit | None = None
    lead_user: User | None = None
    co_units: list[Unit] = field(default_factory=list)
    co_users: list[User] = field(default_factory=list)
    info_users: list[User] = field(default_factory=list)

    @property
    def lead_label(self) -> str:
        if self.lead_unit is not None:
            return self.lead_unit.name
        return self.lead_user.full_name if self.lead_user is not None else ""

    def summary(self, deadline: dt.date) -> str:
        parts = [f"Chủ trì: {self.lead_label}"]
        co = [u.name for u in self.co_units] + [u.full_name for u in self.co_users]
        if co:
            parts.append("phối hợp: " + ", ".join(co))
        if self.info_users:
            parts.append("nhận để biết: " + ", ".join(u.full_name for u in self.info_users))
        parts.append(f"hạn giải quyết: {format_date_vi(deadline)}")
        return "; ".join(parts) + "."


def _unique(items: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    kept = []
    for item in items:
        if item is not None and item.pk not in seen:
            seen.add(item.pk)
            kept.append(item)
    return kept


def _check_plan(
    *,
    scope: Unit,
    lead_unit: Unit | None,
    lead_user: User | None,
    co_units: Sequence[Unit],
    co_users: Sequence[User],
    info_users: Sequence[User],
    units_allowed: bool,
) -> Plan:
    """Units below `scope` and active people of `scope` or below; nobody twice."""
    if lead_unit is not None and lead_user is not None:
        raise ServiceError("Chỉ chọn một đơn vị hoặc một người chủ trì.", field="lead")
    if lead_unit is None and lead_user is None:
        raise ServiceError(
            "Hãy chọn đơn vị hoặc người chủ trì."
            if units_allowed
            else "Hãy chọn người chủ trì trong đơn vị.",
            field="lead",
        )
    if not units_allowed and (lead_unit is not None or co_units):
        raise ServiceError("Chỉ phân công cho cán bộ trong đơn vị.", field="lead")
    below = set(subunit_ids(scope.pk))
    members = below | {scope.pk}
    plan = Plan(
        lead_unit=lead_unit,
        lead_user=lead_user,
        co_units=_unique(co_units),
        co_users=_unique(co_users),
        info_users=_unique(info_users),
    )
    for name, units in (("lead", [lead_unit]), ("co_units", plan.co_units)):
        for unit in units:
            if unit is not None and (unit.pk not in below or not unit.is_active):
                raise ServiceError(
                    f"{unit.name} không phải đơn vị trực thuộc {scope.name}.", field=name
                )
    for name, people in (
        ("lead", [lead_user]),
        ("co_users", plan.co_users),
        ("info_users", plan.info_users),
    ):
        for person in people:
            if person is not None and (person.unit_id not in members or not person.is_active):
                raise ServiceError(
                    f"{person.full_name} không phải cán bộ đang hoạt động của {scope.name}.",
                    field=name,
                )
    if lead_unit is not None and lead_unit.pk in {u.pk for u in plan.co_units}:
        raise ServiceError(
            f"{lead_unit.name} đã được chọn chủ trì, không chọn thêm phối hợp.", field="co_units"
        )
    handlers = {u.pk for u in plan.co_users} | ({lead_user.pk} if lead_user else set())
    if lead_user is not None and lead_user.pk in {u.pk for u in plan.co_users}:
        raise ServiceError(
            f"{lead_user.full_name} đã được chọn chủ trì, không chọn thêm phối hợp.",
            field="co_users",
        )
    for person in plan.info_users:
        if person.pk in handlers:
            raise ServiceError(
                f"{person.full_name} đã được giao xử lý, không cần chọn nhận để biết.",
                field="info_users",
            )
    return plan


def _create_assignments(
    *,
    processing: Processing,
    parent: Assignment | None,
    assigner_unit_id: int,
    plan: Plan,
    deadline: dt.date,
    note: str,
    actor: User,
    on_behalf_of: User | None,
    now: dt.datetime,
) -> list[Assignment]:
    common = {
        "processing": processing,
        "document_id": processing.document_id,
        "parent": parent,
        "assigner_unit_id": assigner_unit_id,
        "note": note,
        "assigned_by": actor,
        "on_behalf_of": on_behalf_of,
        "assigned_at": now,
    }
    rows = [
        Assignment(
            role=AssignmentRole.LEAD,
            assignee_unit=plan.lead_unit,
            assignee_user=plan.lead_user,
            deadline=deadline,
            **common,
        )
    ]
    rows += [
        Assignment(role=AssignmentRole.CO, assignee_unit=u, deadline=deadline, **common)
        for u in plan.co_units
    ]
    rows += [
        Assignment(role=AssignmentRole.CO, assignee_user=u, deadline=deadline, **common)
        for u in plan.co_users
    ]
    rows += [
        Assignment(role=AssignmentRole.INFO, assignee_user=u, deadline=None, **common)
        for u in plan.info_users
    ]
    return Assignment.objects.bulk_create(rows)


def _announce(*, document: Document, plan: Plan, deadline: dt.date) -> None:
    """Tell each person of the plan about the new work (R18 "notifications of new work")."""
    label = f"{document_label(document)}: {document.subject}"
    due = f"Hạn giải quyết: {format_date_vi(deadline)}."
    if plan.lead_unit is not None:
        lead_people = _leader_ids([plan.lead_unit.pk])
    else:
        lead_people = {plan.lead_user.pk} if plan.lead_user is not None else set()
    _notify(
        lead_people,
        title="Được giao chủ trì xử lý văn bản",
        body=f"{label}. {due}",
        document=document,
    )
    co_people = {u.pk for u in plan.co_users} | _leader_ids(u.pk for u in plan.co_units)
    _notify(
        co_people - lead_people,
        title="Được giao phối hợp xử lý văn bản",
        body=f"{label}. {due}",
        document=document,
    )
    _notify(
        {u.pk for u in plan.info_users},
        title="Văn bản gửi để biết",
        body=label,
        document=document,
    )


def _give(
    *,
    processing: Processing,
    document: Document,
    parent: Assignment | None,
    assigner_unit_id: int,
    plan: Plan,
    deadline: dt.date,
    note: str,
    actor: User,
    on_behalf_of: User | None,
    now: dt.datetime,
) -> tuple[list[Assignment], set[int]]:
    """Create the plan's assignments and give the document to everyone concerned by them."""
    assignments = _create_assignments(
        processing=processing,
        parent=parent,
        assigner_unit_id=assigner_unit_id,
        plan=plan,
        deadline=deadline,
        note=note,
        actor=actor,
        on_behalf_of=on_behalf_of,
        now=now,
    )
    shared = _share(
        document=document,
        actor=actor,
        now=now,
        user_ids=[a.assignee_user_id for a in assignments if a.assignee_user_id],
        unit_ids=[a.assignee_unit_id for a in assignments if a.assignee_unit_id],
    )
    return assignments, shared


# ---------------------------------------------------------------- directing


def _check_directable(processing: Processing | None) -> Processing:
    """A presented document that has no direction yet."""
    if processing is None or processing.status == ProcessingStatus.WAITING:
        raise ServiceError(MSG_NOT_PRESENTED)
    if processing.status == ProcessingStatus.DONE:
        raise ServiceError(MSG_DONE)
    if processing.status == ProcessingStatus.WITHDRAWN:
        raise ServiceError(MSG_WITHDRAWN)
    if processing.status == ProcessingStatus.IN_PROGRESS:
        raise ServiceError(MSG_ALREADY_DIRECTED)
    return processing


def _save_direction(
    processing: Processing,
    *,
    direction: str,
    deadline: dt.date,
    actor: User,
    on_behalf_of: User | None,
    now: dt.datetime,
) -> None:
    processing.status = ProcessingStatus.IN_PROGRESS
    processing.direction = direction
    processing.directed_by = actor
    processing.directed_for = on_behalf_of
    processing.directed_at = now
    processing.deadline = deadline
    processing.save(
        update_fields=[
            "status",
            "direction",
            "directed_by",
            "directed_for",
            "directed_at",
            "deadline",
        ]
    )


def _record_direction(
    *,
    processing: Processing,
    document: Document,
    plan: Plan,
    deadline: dt.date,
    direction: str,
    assignments: list[Assignment],
    shared: set[int],
    actor: User,
    on_behalf_of: User | None,
    ip: str | None,
    now: dt.datetime,
) -> None:
    """The trail entry and the audit event of a direction."""
    _trail(
        processing=processing,
        action=TrailAction.DIRECTED,
        actor=actor,
        on_behalf_of=on_behalf_of,
        summary=plan.summary(deadline),
        text=direction,
        assignment=assignments[0],
        at=now,
    )
    _audit(
        actor=actor,
        action="workflow.direct",
        document=document,
        on_behalf_of=on_behalf_of,
        ip=ip,
        data={
            "lead": plan.lead_label,
            "assignments": [a.pk for a in assignments],
            "deadline": deadline.isoformat(),
            "shared_with": sorted(shared),
        },
    )


def processing_direct(
    *,
    actor: User,
    document: Document,
    direction: str,
    lead_unit: Unit | None = None,
    lead_user: User | None = None,
    co_units: Sequence[Unit] = (),
    co_users: Sequence[User] = (),
    info_users: Sequence[User] = (),
    deadline: dt.date | None = None,
    ip: str | None = None,
) -> Processing:
    """A leader of the unit (or their deputy) writes the direction on a presented document and
    gives the work: a lead unit or person, co-handlers, people for information and the deadline
    (Art. 24.1; R18). Without a deadline the unit's policy for the urgency applies."""
    _require_active(actor)
    unit = handling_unit(document)
    allowed, on_behalf_of = authority_of(actor).as_leader_of(unit.pk)
    if not allowed:
        raise AccessDenied(MSG_NOT_LEADER)
    if document.direction != Direction.INCOMING:
        raise ServiceError(MSG_NOT_INCOMING)
    now = clock.now()
    today = local_today(now)
    with transaction.atomic():
        processing = _check_directable(_lock(document))
        direction = _text(direction, label="ý kiến chỉ đạo", field="direction", required=True)
        plan = _check_plan(
            scope=unit,
            lead_unit=lead_unit,
            lead_user=lead_user,
            co_units=co_units,
            co_users=co_users,
            info_users=info_users,
            units_allowed=True,
        )
        deadline = _check_deadline(
            deadline or default_deadline(document, today=today, unit_id=unit.pk), today=today
        )
        _save_direction(
            processing,
            direction=direction,
            deadline=deadline,
            actor=actor,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        assignments, shared = _give(
            processing=processing,
            document=document,
            parent=None,
            assigner_unit_id=unit.pk,
            plan=plan,
            deadline=deadline,
            note="",
            actor=actor,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        _record_direction(
            processing=processing,
            document=document,
            plan=plan,
            deadline=deadline,
            direction=direction,
            assignments=assignments,
            shared=shared,
            actor=actor,
            on_behalf_of=on_behalf_of,
            ip=ip,
            now=now,
        )
        _announce(document=document, plan=plan, deadline=deadline)
        # A document received through the exchange tells its sender: 04 assigned (R15).
        delivery_status_update(incoming_document=document, status=STATUS_ASSIGNED, actor=actor)
    return processing


# ---------------------------------------------------------------- dividing a unit's part


def _check_divisible(assignment: Assignment) -> Unit:
    """An open part of a unit, with no division yet, of a document being processed: the unit."""
    if assignment.role == AssignmentRole.INFO:
        raise ServiceError(MSG_INFO_ONLY)
    if assignment.children.exists():
        raise ServiceError(MSG_ALREADY_REASSIGNED)
    if assignment.assignee_unit is None:
        # A person's part: only a unit's leaders divide one (checked before the lock).
        raise AccessDenied(MSG_NOT_UNIT_LEADER)
    return assignment.assignee_unit


def _record_division(
    *,
    processing: Processing,
    assignment: Assignment,
    unit: Unit,
    plan: Plan,
    deadline: dt.date,
    note: str,
    children: list[Assignment],
    shared: set[int],
    actor: User,
    on_behalf_of: User | None,
    ip: str | None,
    now: dt.datetime,
) -> None:
    """The trail entry and the audit event of a unit leader's division of the unit's part."""
    role = AssignmentRole(assignment.role).label.lower()
    _trail(
        processing=processing,
        action=TrailAction.REASSIGNED,
        actor=actor,
        on_behalf_of=on_behalf_of,
        summary=f"Phân công trong {unit.name} (phần {role}). {plan.summary(deadline)}",
        text=note,
        assignment=assignment,
        at=now,
    )
    _audit(
        actor=actor,
        action="workflow.reassign",
        document=assignment.document,
        on_behalf_of=on_behalf_of,
        ip=ip,
        data={
            "parent": assignment.pk,
            "assignments": [a.pk for a in children],
            "deadline": deadline.isoformat(),
            "shared_with": sorted(shared),
        },
    )


def assignment_reassign(
    *,
    actor: User,
    assignment: Assignment,
    lead_user: User | None,
    co_users: Sequence[User] = (),
    info_users: Sequence[User] = (),
    deadline: dt.date | None = None,
    note: str = "",
    ip: str | None = None,
) -> list[Assignment]:
    """A leader of a unit given a part of the work divides it among the unit's people: a lead,
    co-handlers and people for information, with a deadline no later than the unit's (R18)."""
    _require_active(actor)
    allowed, on_behalf_of = (
        authority_of(actor).as_leader_of(assignment.assignee_unit_id)
        if assignment.assignee_unit_id
        else (False, None)
    )
    if not allowed:
        raise AccessDenied(MSG_NOT_UNIT_LEADER)
    now = clock.now()
    today = local_today(now)
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        _check_running(processing)
        _check_open(assignment)
        unit = _check_divisible(assignment)
        note = _text(note, label="ý kiến giao việc", field="note")
        plan = _check_plan(
            scope=unit,
            lead_unit=None,
            lead_user=lead_user,
            co_units=(),
            co_users=co_users,
            info_users=info_users,
            units_allowed=False,
        )
        deadline = _check_deadline(
            deadline
            or assignment.deadline
            or default_deadline(assignment.document, today=today, unit_id=processing.unit_id),
            today=today,
            limit=assignment.deadline,
        )
        document = assignment.document
        children, shared = _give(
            processing=processing,
            document=document,
            parent=assignment,
            assigner_unit_id=unit.pk,
            plan=plan,
            deadline=deadline,
            note=note,
            actor=actor,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        _record_division(
            processing=processing,
            assignment=assignment,
            unit=unit,
            plan=plan,
            deadline=deadline,
            note=note,
            children=children,
            shared=shared,
            actor=actor,
            on_behalf_of=on_behalf_of,
            ip=ip,
            now=now,
        )
        _announce(document=document, plan=plan, deadline=deadline)
        delivery_status_update(incoming_document=document, status=STATUS_PROCESSING, actor=actor)
    return children
