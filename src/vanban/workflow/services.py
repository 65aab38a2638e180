"""Every write of the processing of incoming documents (R18; NĐ 30/2020 Art. 24).

The path: the clerk presents a registered document to a leader -> the leader writes a direction
and gives the work to a lead (chủ trì: a unit or a person), co-handlers (phối hợp) and people
who receive it for information (nhận để biết), with a deadline -> a leader of an assigned unit
divides the unit's part among its people -> handlers record progress, attach results and reply
drafts, and complete. Leaders remind (đôn đốc) and decide on deadline extensions; a leader who is
away delegates to a deputy (ủy quyền).

Each function checks the actor's right first, then works in one transaction under a row lock of
the document's processing record, writes a trail entry and an audit event, and gives the document
to the people concerned through `DocumentShare`, so `Document.objects.visible_to` stays the one
rule of who sees a document. A refused step raises ServiceError / AccessDenied and changes nothing.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import format_date_vi, nfc
from vanban.documents.files import (
    FileUnavailable,
    PreparedFile,
    file_discard,
    file_prepare,
    file_store,
    file_stream_verified,
    file_verify,
)
from vanban.documents.models import Direction, Document, DocumentPolicy, DocumentShare
from vanban.exchange.delivery import delivery_status_update

from .access import authority_of, local_today, subunit_ids, unit_people_ids
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DeadlineAlert,
    DeadlinePolicy,
    Delegation,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
    ProgressEntry,
    ProgressFile,
    Reminder,
    TrailAction,
    TrailEntry,
)

MSG_NOT_CLERK = "Chỉ văn thư của đơn vị được trình văn bản."
MSG_NOT_INCOMING = "Chỉ văn bản đến được trình và giao xử lý."
MSG_PRESENT_TO = "Chỉ trình văn bản cho lãnh đạo đang hoạt động của đơn vị."
MSG_NOT_LEADER = (
    "Chỉ lãnh đạo đơn vị (hoặc người được lãnh đạo ủy quyền) được cho ý kiến chỉ đạo và giao "
    "xử lý văn bản."
)
MSG_NOT_UNIT_LEADER = (
    "Chỉ lãnh đạo đơn vị được giao việc (hoặc người được ủy quyền) được phân công trong đơn vị."
)
MSG_NOT_HANDLER = (
    "Chỉ người được giao việc, lãnh đạo đơn vị được giao việc hoặc người được ủy quyền được "
    "thực hiện thao tác này."
)
MSG_NOT_SUPERVISOR = (
    "Chỉ lãnh đạo đơn vị giao việc (hoặc người được ủy quyền) được đôn đốc việc này."
)
MSG_NOT_DECIDER = (
    "Chỉ lãnh đạo đơn vị giao việc (hoặc người được ủy quyền) được quyết định gia hạn."
)
MSG_OWN_REQUEST = "Bạn không thể tự quyết định đề nghị gia hạn của mình."
MSG_NOT_PRESENTED = "Văn bản chưa được trình lãnh đạo."
MSG_ALREADY_DIRECTED = "Văn bản đã có ý kiến chỉ đạo và đang được xử lý."
MSG_DONE = "Văn bản đã hoàn thành xử lý; không thể thực hiện thêm thao tác."
MSG_NOT_ASSIGNED = "Văn bản chưa được giao xử lý."
MSG_ASSIGNMENT_ENDED = "Việc này đã kết thúc."
MSG_ALREADY_REASSIGNED = "Việc này đã được phân công trong đơn vị."
MSG_INFO_ONLY = "Việc nhận để biết không có tiến độ, hạn giải quyết hay đôn đốc."
MSG_PENDING_EXISTS = "Đã có đề nghị gia hạn đang chờ quyết định."
MSG_DECIDED = "Đề nghị gia hạn này đã được quyết định."
MSG_BUSY = "Văn bản vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."
MSG_NOT_DELEGATOR = "Chỉ lãnh đạo đơn vị được ủy quyền cho người khác."
MSG_POLICY = "Chỉ lãnh đạo hoặc quản trị đơn vị được sửa quy định thời hạn xử lý."

MAX_TEXT = 4000
# Processing statuses reported to the sender of a document received through the exchange
# (edXML StatusCode: 04 assigned, 05 processing, 06 done).
STATUS_ASSIGNED, STATUS_PROCESSING, STATUS_DONE = "04", "05", "06"


# ---------------------------------------------------------------- small helpers


def _text(
    value: Any, *, label: str, field: str, max_length: int = MAX_TEXT, required: bool = False
) -> str:
    value = nfc(str(value or ""))
    if required and not value:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(value) > max_length:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field
        )
    return value


def document_label(document: Document) -> str:
    """ "Quyết định số 15/QĐ-UBND (số đến 3)": how people name an incoming document."""
    name = document.document_type.name
    if document.number_symbol:
        name = f"{name} số {document.number_symbol}"
    return f"{name} (số đến {document.register_number})"


def _link(document: Document) -> str:
    return reverse("workflow:document", args=[document.pk])


def _notify(user_ids: Iterable[int], *, title: str, body: str, document: Document) -> None:
    ids = set(user_ids)
    if not ids:
        return
    users = list(User.objects.filter(pk__in=ids, status=AccountStatus.ACTIVE).order_by("pk"))
    if users:
        notification_send(recipients=users, title=title, body=body, link=_link(document))


def _lock(document: Document) -> Processing | None:
    return Processing.objects.select_for_update().filter(document_id=document.pk).first()


def _lock_assignment(assignment: Assignment) -> tuple[Processing, Assignment]:
    """The processing record, then the assignment, locked in that order by every writer."""
    processing = Processing.objects.select_for_update().get(pk=assignment.processing_id)
    # Only the assignment's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer joins that bring the related rows.
    fresh = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("assignee_unit", "assignee_user", "parent", "document__document_type")
        .get(pk=assignment.pk)
    )
    return processing, fresh


def _check_running(processing: Processing) -> None:
    if processing.status == ProcessingStatus.DONE:
        raise ServiceError(MSG_DONE)
    if processing.status != ProcessingStatus.IN_PROGRESS:
        raise ServiceError(MSG_NOT_ASSIGNED)


def _check_open(assignment: Assignment) -> None:
    if assignment.status != AssignmentStatus.OPEN:
        raise ServiceError(MSG_ASSIGNMENT_ENDED)


def _trail(
    *,
    processing: Processing,
    action: str,
    actor: User,
    on_behalf_of: User | None,
    summary: str,
    at: dt.datetime,
    text: str = "",
    assignment: Assignment | None = None,
    progress: ProgressEntry | None = None,
) -> TrailEntry:
    return TrailEntry.objects.create(
        processing=processing,
        document_id=processing.document_id,
        assignment=assignment,
        progress=progress,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        actor_name=actor.full_name,
        on_behalf_of_name=on_behalf_of.full_name if on_behalf_of else "",
        summary=summary[:1000],
        text=text,
        at=at,
    )


def _audit(
    *,
    actor: User,
    action: str,
    document: Document,
    on_behalf_of: User | None,
    ip: str | None,
    data: dict[str, Any],
) -> None:
    if on_behalf_of is not None:
        data = {**data, "on_behalf_of": on_behalf_of.username}
    audit_record(
        actor=actor,
        action=action,
        unit=document.unit,
        target=document,
        ip=ip,
        data=data,
    )


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
            DocumentShare(document=document, user_id=user_id, granted_by=actor, granted_at=now)
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
    return _leader_ids([assignment.assignee_unit_id])  # type: ignore[list-item]


# ---------------------------------------------------------------- deadlines


def default_deadline(document: Document, *, today: dt.date | None = None) -> dt.date:
    """The deadline stated on the record if still ahead, else the unit's policy for the
    document's urgency (DeadlinePolicy: data per unit)."""
    today = today or local_today()
    if document.due_date and document.due_date >= today:
        return document.due_date
    policy = DeadlinePolicy.for_unit(document.unit_id)
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


# ---------------------------------------------------------------- who gets the work


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


# ---------------------------------------------------------------- presenting and directing


def processing_present(
    *, actor: User, document: Document, leader: User | None, note: str = "", ip: str | None = None
) -> Processing:
    """The clerk presents a registered incoming document to a leader of the unit (Art. 24.1).

    A document may be presented again to another leader until it has a direction.
    """
    _require_active(actor)
    if not actor.has_role(Role.CLERK, document.unit):
        raise AccessDenied(MSG_NOT_CLERK)
    if document.direction != Direction.INCOMING:
        raise ServiceError(MSG_NOT_INCOMING)
    now = clock.now()
    try:
        with transaction.atomic():
            processing = _lock(document)
            if processing is not None and processing.status == ProcessingStatus.DONE:
                raise ServiceError(MSG_DONE)
            if processing is not None and processing.status == ProcessingStatus.IN_PROGRESS:
                raise ServiceError("Văn bản đã có ý kiến chỉ đạo; không trình lại.")
            if (
                leader is None
                or not leader.is_active
                or not leader.has_role(Role.LEADER, document.unit)
            ):
                raise ServiceError(MSG_PRESENT_TO, field="leader")
            note = _text(note, label="ghi chú khi trình", field="note", max_length=2000)
            again = processing is not None and processing.status == ProcessingStatus.PRESENTED
            if processing is None:
                processing = Processing.objects.create(
                    document=document, unit_id=document.unit_id, created_at=now
                )
            processing.status = ProcessingStatus.PRESENTED
            processing.presented_to = leader
            processing.presented_by = actor
            processing.presented_at = now
            processing.save(
                update_fields=["status", "presented_to", "presented_by", "presented_at"]
            )
            concerned = _share(document=document, actor=actor, now=now, user_ids=[leader.pk])
            summary = f"Trình lãnh đạo {leader.full_name}" + (" (trình lại)" if again else "") + "."
            _trail(
                processing=processing,
                action=TrailAction.PRESENTED,
                actor=actor,
                on_behalf_of=None,
                summary=summary,
                text=note,
                at=now,
            )
            _audit(
                actor=actor,
                action="workflow.present",
                document=document,
                on_behalf_of=None,
                ip=ip,
                data={"leader": leader.username, "again": again},
            )
            _notify(
                concerned - {actor.pk},
                title="Văn bản trình xin ý kiến chỉ đạo",
                body=f"{document_label(document)}: {document.subject}",
                document=document,
            )
    except IntegrityError as exc:
        raise ServiceError(MSG_BUSY) from exc
    return processing


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
    allowed, on_behalf_of = authority_of(actor).as_leader_of(document.unit_id)
    if not allowed:
        raise AccessDenied(MSG_NOT_LEADER)
    if document.direction != Direction.INCOMING:
        raise ServiceError(MSG_NOT_INCOMING)
    now = clock.now()
    today = local_today(now)
    with transaction.atomic():
        processing = _lock(document)
        if processing is None or processing.status == ProcessingStatus.WAITING:
            raise ServiceError(MSG_NOT_PRESENTED)
        if processing.status == ProcessingStatus.DONE:
            raise ServiceError(MSG_DONE)
        if processing.status == ProcessingStatus.IN_PROGRESS:
            raise ServiceError(MSG_ALREADY_DIRECTED)
        direction = _text(direction, label="ý kiến chỉ đạo", field="direction", required=True)
        plan = _check_plan(
            scope=document.unit,
            lead_unit=lead_unit,
            lead_user=lead_user,
            co_units=co_units,
            co_users=co_users,
            info_users=info_users,
            units_allowed=True,
        )
        deadline = _check_deadline(deadline or default_deadline(document, today=today), today=today)
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
        assignments = _create_assignments(
            processing=processing,
            parent=None,
            assigner_unit_id=document.unit_id,
            plan=plan,
            deadline=deadline,
            note="",
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
        _announce(document=document, plan=plan, deadline=deadline)
        # A document received through the exchange tells its sender: 04 assigned (R15).
        delivery_status_update(incoming_document=document, status=STATUS_ASSIGNED, actor=actor)
    return processing


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
        if assignment.role == AssignmentRole.INFO:
            raise ServiceError(MSG_INFO_ONLY)
        if assignment.children.exists():
            raise ServiceError(MSG_ALREADY_REASSIGNED)
        unit: Unit = assignment.assignee_unit  # type: ignore[assignment]  # a unit's part
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
            deadline or assignment.deadline or default_deadline(assignment.document, today=today),
            today=today,
            limit=assignment.deadline,
        )
        children = _create_assignments(
            processing=processing,
            parent=assignment,
            assigner_unit_id=unit.pk,
            plan=plan,
            deadline=deadline,
            note=note,
            actor=actor,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        document = assignment.document
        shared = _share(
            document=document,
            actor=actor,
            now=now,
            user_ids=[a.assignee_user_id for a in children if a.assignee_user_id],
        )
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
            document=document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={
                "parent": assignment.pk,
                "assignments": [a.pk for a in children],
                "deadline": deadline.isoformat(),
                "shared_with": sorted(shared),
            },
        )
        _announce(document=document, plan=plan, deadline=deadline)
        delivery_status_update(incoming_document=document, status=STATUS_PROCESSING, actor=actor)
    return children


# ---------------------------------------------------------------- handling


def _prepare(
    uploads: Sequence[tuple[str, UploadedFile]], *, actor: User
) -> list[tuple[str, PreparedFile]]:
    policy = DocumentPolicy.current()
    if len(uploads) > policy.max_attachments:
        raise ServiceError(
            f"Tối đa {policy.max_attachments} tệp cho một lần cập nhật.", field="files"
        )
    return [
        (kind, file_prepare(upload, actor=actor, policy=policy, source="Kết quả xử lý"))
        for kind, upload in uploads
    ]


def assignment_progress(
    *,
    actor: User,
    assignment: Assignment,
    text: str,
    result_files: Sequence[UploadedFile] = (),
    draft_files: Sequence[UploadedFile] = (),
    ip: str | None = None,
) -> ProgressEntry:
    """A handler records progress, with result files or a reply draft (R18).

    Files are checked as document files are (format from content, size limit, secrecy stamps),
    stored, hashed (SHA-256) and committed with the entry; a refused step stores nothing.
    """
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_handler(assignment)
    if not allowed:
        raise AccessDenied(MSG_NOT_HANDLER)
    if assignment.role == AssignmentRole.INFO:
        raise ServiceError(MSG_INFO_ONLY)
    # Refuse a finished document before reading any file; checked again under the lock.
    current = Processing.objects.filter(pk=assignment.processing_id).values_list(
        "status", flat=True
    )
    _check_running(Processing(status=current.first() or ""))
    text = _text(text, label="nội dung tiến độ", field="text", required=True)
    uploads = [(ProgressFile.Kind.RESULT, f) for f in result_files]
    uploads += [(ProgressFile.Kind.REPLY_DRAFT, f) for f in draft_files]
    prepared = _prepare(uploads, actor=actor)
    stored: list[str] = []
    try:
        for _kind, item in prepared:
            stored.append(file_store(item))
        with transaction.atomic():
            processing, assignment = _lock_assignment(assignment)
            _check_running(processing)
            _check_open(assignment)
            now = clock.now()
            entry = ProgressEntry.objects.create(
                processing=processing,
                assignment=assignment,
                author=actor,
                on_behalf_of=on_behalf_of,
                text=text,
                created_at=now,
            )
            ProgressFile.objects.bulk_create(
                [
                    ProgressFile(
                        entry=entry,
                        kind=kind,
                        storage_name=name,
                        original_name=item.original_name,
                        file_format=item.file_format,
                        content_type=item.content_type,
                        size=item.size,
                        sha256=item.sha256,
                        uploaded_by=actor,
                        uploaded_at=now,
                    )
                    for (kind, item), name in zip(prepared, stored, strict=True)
                ]
            )
            role = AssignmentRole(assignment.role).label.lower()
            summary = f"Cập nhật tiến độ phần {role} ({assignment.assignee_label})"
            if prepared:
                summary += f", kèm {len(prepared)} tệp"
            _trail(
                processing=processing,
                action=TrailAction.PROGRESS,
                actor=actor,
                on_behalf_of=on_behalf_of,
                summary=summary + ".",
                text=text,
                assignment=assignment,
                progress=entry,
                at=now,
            )
            _audit(
                actor=actor,
                action="workflow.progress",
                document=assignment.document,
                on_behalf_of=on_behalf_of,
                ip=ip,
                data={
                    "assignment": assignment.pk,
                    "files": [item.sha256 for _kind, item in prepared],
                },
            )
            delivery_status_update(
                incoming_document=assignment.document, status=STATUS_PROCESSING, actor=actor
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    return entry


def _finish(assignment: Assignment, *, actor: User, result: str, now: dt.datetime) -> None:
    assignment.status = AssignmentStatus.DONE
    assignment.completed_at = now
    assignment.completed_by = actor
    assignment.result = result
    assignment.save(update_fields=["status", "completed_at", "completed_by", "result"])
    # Parts the unit had given out end with the unit's part.
    Assignment.objects.filter(parent=assignment, status=AssignmentStatus.OPEN).update(
        status=AssignmentStatus.CLOSED, completed_at=now
    )


def assignment_complete(
    *,
    actor: User,
    assignment: Assignment,
    result: str = "",
    reply_reference: str = "",
    ip: str | None = None,
) -> Assignment:
    """A handler completes their part (R18). The lead's completion completes the unit part it
    belongs to and, for the document's lead, the document: its other open parts end with it.
    Someone who received the document for information marks it as read."""
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_handler(assignment)
    if not allowed:
        raise AccessDenied(MSG_NOT_HANDLER)
    now = clock.now()
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        _check_running(processing)
        _check_open(assignment)
        is_info = assignment.role == AssignmentRole.INFO
        result = _text(
            result,
            label="kết quả giải quyết",
            field="result",
            required=assignment.role == AssignmentRole.LEAD,
        )
        reply_reference = _text(
            reply_reference,
            label="số, ký hiệu văn bản trả lời",
            field="reply_reference",
            max_length=100,
        )
        _finish(assignment, actor=actor, result=result, now=now)
        finished = assignment
        # A unit's lead person finishing finishes the unit's part (and so on upwards).
        while finished.role == AssignmentRole.LEAD and finished.parent_id is not None:
            parent = Assignment.objects.select_for_update().get(pk=finished.parent_id)
            if parent.status != AssignmentStatus.OPEN:
                break
            _finish(parent, actor=actor, result=result, now=now)
            finished = parent
        document_done = finished.role == AssignmentRole.LEAD and finished.parent_id is None
        role = AssignmentRole(assignment.role).label.lower()
        if is_info:
            summary = "Đã xem văn bản (nhận để biết)."
        else:
            summary = f"Hoàn thành phần {role} ({assignment.assignee_label})"
            if document_done:
                summary += "; văn bản hoàn thành xử lý"
            if reply_reference:
                summary += f"; văn bản trả lời số {reply_reference}"
            summary += "."
        if document_done:
            processing.status = ProcessingStatus.DONE
            processing.completed_at = now
            processing.completed_by = actor
            processing.result = result
            processing.reply_reference = reply_reference
            processing.save(
                update_fields=[
                    "status",
                    "completed_at",
                    "completed_by",
                    "result",
                    "reply_reference",
                ]
            )
            Assignment.objects.filter(processing=processing, status=AssignmentStatus.OPEN).update(
                status=AssignmentStatus.CLOSED, completed_at=now
            )
            ExtensionRequest.objects.filter(
                assignment__processing=processing, status=ExtensionStatus.PENDING
            ).update(
                status=ExtensionStatus.REFUSED,
                decided_at=now,
                decision_reason="Văn bản đã hoàn thành xử lý.",
            )
        _trail(
            processing=processing,
            action=TrailAction.READ if is_info else TrailAction.COMPLETED,
            actor=actor,
            on_behalf_of=on_behalf_of,
            summary=summary,
            text=result,
            assignment=assignment,
            at=now,
        )
        _audit(
            actor=actor,
            action="workflow.read" if is_info else "workflow.complete",
            document=assignment.document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={
                "assignment": assignment.pk,
                "document_done": document_done,
                "reply_reference": reply_reference,
            },
        )
        if document_done:
            delivery_status_update(
                incoming_document=assignment.document,
                status=STATUS_DONE,
                actor=actor,
                note=reply_reference,
            )
            _notify(
                {processing.directed_by_id, processing.directed_for_id, processing.presented_by_id}
                - {None, actor.pk},  # type: ignore[arg-type]
                title="Văn bản đã hoàn thành xử lý",
                body=f"{document_label(assignment.document)}: {assignment.document.subject}",
                document=assignment.document,
            )
    return assignment


# ---------------------------------------------------------------- reminders and extensions


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


def extension_request(
    *,
    actor: User,
    assignment: Assignment,
    requested_deadline: dt.date | None,
    reason: str,
    ip: str | None = None,
) -> ExtensionRequest:
    """A handler asks for a later deadline, with a reason; one request at a time (R18)."""
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_handler(assignment)
    if not allowed:
        raise AccessDenied(MSG_NOT_HANDLER)
    now = clock.now()
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        _check_running(processing)
        _check_open(assignment)
        if assignment.role == AssignmentRole.INFO or assignment.deadline is None:
            raise ServiceError(MSG_INFO_ONLY)
        if assignment.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise ServiceError(MSG_PENDING_EXISTS)
        if requested_deadline is None:
            raise ServiceError("Hãy chọn hạn giải quyết đề nghị.", field="requested_deadline")
        if requested_deadline <= assignment.deadline:
            raise ServiceError(
                f"Hạn đề nghị phải sau hạn hiện tại ({format_date_vi(assignment.deadline)}).",
                field="requested_deadline",
            )
        if requested_deadline > local_today(now) + dt.timedelta(days=366):
            raise ServiceError("Hạn giải quyết không được quá một năm.", field="requested_deadline")
        parent = assignment.parent
        if parent is not None and parent.deadline and requested_deadline > parent.deadline:
            raise ServiceError(
                f"Hạn đề nghị không được sau hạn của {parent.assignee_label} "
                f"({format_date_vi(parent.deadline)}); lãnh đạo đơn vị cần đề nghị gia hạn "
                "trước.",
                field="requested_deadline",
            )
        reason = _text(reason, label="lý do đề nghị gia hạn", field="reason", required=True)
        request = ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=actor,
            requested_for=on_behalf_of,
            requested_at=now,
            current_deadline=assignment.deadline,
            requested_deadline=requested_deadline,
            reason=reason,
        )
        _trail(
            processing=processing,
            action=TrailAction.EXTENSION_REQUESTED,
            actor=actor,
            on_behalf_of=on_behalf_of,
            summary=(
                f"Đề nghị gia hạn phần {AssignmentRole(assignment.role).label.lower()} "
                f"({assignment.assignee_label}) từ {format_date_vi(assignment.deadline)} đến "
                f"{format_date_vi(requested_deadline)}."
            ),
            text=reason,
            assignment=assignment,
            at=now,
        )
        _audit(
            actor=actor,
            action="workflow.extension_request",
            document=assignment.document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={
                "assignment": assignment.pk,
                "request": request.pk,
                "requested_deadline": requested_deadline.isoformat(),
            },
        )
        deciders = _leader_ids([assignment.assigner_unit_id])
        deciders |= _deputy_ids(user_ids=(), unit_ids=[assignment.assigner_unit_id], now=now)
        _notify(
            deciders - {actor.pk},
            title="Đề nghị gia hạn xử lý văn bản",
            body=(
                f"{document_label(assignment.document)}: {actor.full_name} đề nghị gia hạn đến "
                f"{format_date_vi(requested_deadline)}. Lý do: {reason}"
            ),
            document=assignment.document,
        )
    return request


def extension_decide(
    *,
    actor: User,
    request: ExtensionRequest,
    grant: bool,
    reason: str = "",
    ip: str | None = None,
) -> ExtensionRequest:
    """A leader of the unit that gave the work grants or refuses an extension; a refusal says
    why. A granted request moves the deadline (and the document's, for its lead)."""
    _require_active(actor)
    assignment = request.assignment
    allowed, on_behalf_of = authority_of(actor).as_leader_of(assignment.assigner_unit_id)
    if not allowed:
        raise AccessDenied(MSG_NOT_DECIDER)
    if actor.pk in {request.requested_by_id, request.requested_for_id}:
        raise AccessDenied(MSG_OWN_REQUEST)
    now = clock.now()
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionStatus.PENDING:
            raise ServiceError(MSG_DECIDED)
        _check_running(processing)
        _check_open(assignment)
        reason = _text(reason, label="lý do không đồng ý", field="reason", required=not grant)
        request.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        request.decided_by = actor
        request.decided_for = on_behalf_of
        request.decided_at = now
        request.decision_reason = reason
        request.save(
            update_fields=["status", "decided_by", "decided_for", "decided_at", "decision_reason"]
        )
        if grant:
            assignment.deadline = request.requested_deadline
            assignment.save(update_fields=["deadline"])
            if assignment.parent_id is None and assignment.role == AssignmentRole.LEAD:
                processing.deadline = request.requested_deadline
                processing.save(update_fields=["deadline"])
            summary = (
                f"Đồng ý gia hạn phần {AssignmentRole(assignment.role).label.lower()} "
                f"({assignment.assignee_label}) đến {format_date_vi(request.requested_deadline)}."
            )
        else:
            summary = (
                f"Không đồng ý gia hạn phần {AssignmentRole(assignment.role).label.lower()} "
                f"({assignment.assignee_label}); hạn giữ nguyên "
                f"{format_date_vi(assignment.deadline)}."
            )
        _trail(
            processing=processing,
            action=TrailAction.EXTENSION_GRANTED if grant else TrailAction.EXTENSION_REFUSED,
            actor=actor,
            on_behalf_of=on_behalf_of,
            summary=summary,
            text=reason,
            assignment=assignment,
            at=now,
        )
        _audit(
            actor=actor,
            action="workflow.extension_decide",
            document=assignment.document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={"request": request.pk, "granted": grant},
        )
        _notify(
            {request.requested_by_id},
            title="Đã đồng ý gia hạn" if grant else "Không đồng ý gia hạn",
            body=f"{document_label(assignment.document)}: {summary} {reason}".strip(),
            document=assignment.document,
        )
    return request


# ---------------------------------------------------------------- delegation


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
    if deputy is None or not deputy.is_active or deputy.pk == actor.pk:
        raise ServiceError(
            "Hãy chọn một cán bộ đang hoạt động khác của đơn vị để ủy quyền.", field="deputy"
        )
    if deputy.unit_id != unit.pk and not any(u == unit.pk for u, _r in deputy.role_pairs()):
        raise ServiceError(f"{deputy.full_name} không phải cán bộ của {unit.name}.", field="deputy")
    if starts_at is None or ends_at is None:
        raise ServiceError("Hãy nhập thời gian bắt đầu và kết thúc ủy quyền.", field="ends_at")
    now = clock.now()
    if ends_at <= starts_at:
        raise ServiceError("Thời điểm kết thúc phải sau thời điểm bắt đầu.", field="ends_at")
    if ends_at <= now:
        raise ServiceError("Thời điểm kết thúc đã qua.", field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=366):
        raise ServiceError("Một lần ủy quyền không quá một năm.", field="ends_at")
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
        DocumentShare.objects.bulk_create(
            [
                DocumentShare(document_id=pk, user=deputy, granted_by=actor, granted_at=now)
                for pk in sorted(waiting - existing)
            ],
            ignore_conflicts=True,
        )
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
                "shared_documents": len(waiting - existing),
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


# ---------------------------------------------------------------- deadline policy


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


# ---------------------------------------------------------------- the daily reminder


@dataclass
class AlertRun:
    due_soon: int = 0
    overdue: int = 0
    already_sent: int = 0

    @property
    def sent(self) -> int:
        return self.due_soon + self.overdue


def deadline_alerts_send(*, at: dt.datetime | None = None) -> AlertRun:
    """Daily: tell the handlers of every open part of the work that is due within the unit's
    `remind_before_days` or overdue (R18 "reminders"). Idempotent per day: a `DeadlineAlert`
    row per (assignment, person, day) is written with the notification, so a second run the
    same day sends nothing."""
    at = at or clock.now()
    today = local_today(at)
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
        .order_by("deadline", "pk")
    )
    candidates = [
        a
        for a in candidates
        if a.deadline is not None
        and a.deadline <= today + dt.timedelta(days=policies.get(a.document.unit_id, default_days))
    ]
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
        else:
            people = leaders.get(assignment.assignee_unit_id, [])  # type: ignore[arg-type]
        overdue = assignment.deadline < today  # type: ignore[operator]
        kind = DeadlineAlert.Kind.OVERDUE if overdue else DeadlineAlert.Kind.DUE_SOON
        days = abs((assignment.deadline - today).days)  # type: ignore[operator]
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
            f"{assignment.assignee_label}, hạn {format_date_vi(assignment.deadline)}."
        )
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
                        recipients=[users[user_id]], title=title, body=body, link=_link(document)
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


# ---------------------------------------------------------------- reading a progress file


@dataclass
class Download:
    file: ProgressFile
    size: int
    chunks: Iterable[bytes]


def progress_file_download(*, actor: User, file_id: int, ip: str | None = None) -> Download:
    """A result file or reply draft, for whoever may see its document ("missing" and
    "forbidden" are both NotFound); the SHA-256 is checked before anything is sent and the
    access is recorded, as for document files."""
    visible = Document.objects.visible_to(actor).values("pk")
    file = (
        ProgressFile.objects.filter(pk=file_id, entry__processing__document_id__in=visible)
        .select_related("entry__processing__document__unit")
        .first()
    )
    if file is None:
        raise NotFound("Không tìm thấy tệp.")
    document = file.entry.processing.document
    data = {"file": file.pk, "name": file.original_name, "sha256": file.sha256}
    try:
        size = file_verify(file.storage_name, file.sha256)
    except FileUnavailable as exc:
        audit_record(
            actor=actor,
            action="workflow.file_download_refused",
            unit=document.unit,
            target=document,
            ip=ip,
            data={**data, "reason": exc.reason},
        )
        exc.document_id = document.pk
        raise
    audit_record(
        actor=actor,
        action="workflow.file_download",
        unit=document.unit,
        target=document,
        ip=ip,
        data=data,
    )
    return Download(
        file=file, size=size, chunks=file_stream_verified(file.storage_name, file.sha256, size)
    )
