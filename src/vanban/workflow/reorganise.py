"""A reorganisation's open processing and delegations (docs/reorganisation.md, "Registers,
fonds, open work and drafts").

Công điện 96/CĐ-TTg: the work of a reorganised unit must not stop. The incoming documents of the
ended unit stay in its register and fonds (CV 414/BNV-VTLTNN); the processing of those still
open (waiting to be presented, presented, in progress) is handed to its successor
(`Transfer.target_for("processing", pk)`): the processing's unit is the unit whose clerks present
it and whose leaders direct it (`access.handling_unit_id`), the work the ended unit gave or was
given passes to the successor, the deadlines stay, and each hand-over is a step of the document's
timeline naming the decision and both units. The successor's clerks and leaders are given the
document (the processing's own shares, R18), as assigning work to a unit does.

A delegation (ủy quyền) lives in one unit between two people: one whose unit ended, or whose two
people no longer share its unit, ends with the reason written on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.documents.models import Direction, Document, DocumentShare

from .access import local_today, unit_people_ids
from .models import (
    Assignment,
    AssignmentStatus,
    Delegation,
    Processing,
    ProcessingStatus,
    TrailAction,
    TrailEntry,
)

EXAMPLES = 5
OPEN = (ProcessingStatus.WAITING, ProcessingStatus.PRESENTED, ProcessingStatus.IN_PROGRESS)
SYSTEM_NAME = "Hệ thống (sắp xếp tổ chức)"


def _label(document: Document) -> str:
    """Số, ký hiệu of the document as people name it, with its arrival number."""
    symbol = document.number_symbol or "không số"
    return f"{symbol} (số đến {document.register_number}) – {document.subject[:80]}"


def _open_processing(transfer: Transfer) -> list[Processing]:
    return list(
        Processing.objects.filter(unit=transfer.source, status__in=OPEN)
        .select_related("document")
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )


def _waiting_documents(transfer: Transfer) -> list[Document]:
    """Registered incoming documents of the source waiting to be presented, with no processing
    row yet (R18: the row is created by the first step)."""
    return list(
        Document.objects.filter(
            unit=transfer.source,
            direction=Direction.INCOMING,
            awaiting_presentation=True,
            withdrawn_at__isnull=True,
            processing__isnull=True,
        ).order_by("registered_at", "pk")
    )


def _open_assignments(transfer: Transfer) -> list[Assignment]:
    """Open work the source gave or was given, on any processing still in progress."""
    return list(
        Assignment.objects.filter(
            Q(assigner_unit=transfer.source) | Q(assignee_unit=transfer.source),
            status=AssignmentStatus.OPEN,
            processing__status=ProcessingStatus.IN_PROGRESS,
        ).order_by("processing_id", "pk")
    )


def _delegations_to_end(transfer: Transfer, now: dt.datetime) -> list[tuple[Delegation, str]]:
    """Delegations still in force or to come, in the source or the target, that no longer hold:
    their unit ended, or the delegator or the deputy is no longer of the unit."""
    unit_ids = {transfer.source.pk, transfer.target.pk}
    rows = list(
        Delegation.objects.filter(unit_id__in=unit_ids, ended_at__isnull=True, ends_at__gt=now)
        .select_related("unit", "delegator", "deputy")
        .order_by("pk")
    )
    ended_unit = not transfer.is_same_unit
    found: list[tuple[Delegation, str]] = []
    for delegation in rows:
        unit = delegation.unit
        if ended_unit and unit.pk == transfer.source.pk:
            reason = (
                f"{unit.name} kết thúc hoạt động ngày {transfer.end_date:%d/%m/%Y} "
                f"theo {transfer.decision}."
            )
        elif not delegation.delegator.has_role(Role.LEADER, unit):
            reason = (
                f"{delegation.delegator.full_name} không còn là lãnh đạo của {unit.name} "
                f"(sắp xếp tổ chức theo {transfer.decision})."
            )
        elif delegation.deputy.unit_id != unit.pk and not any(
            u == unit.pk for u, _r in delegation.deputy.role_pairs()
        ):
            reason = (
                f"{delegation.deputy.full_name} không còn thuộc {unit.name} "
                f"(sắp xếp tổ chức theo {transfer.decision})."
            )
        else:
            continue
        found.append((delegation, reason))
    return found


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """Open processing (count, overdue, examples) and delegations that would end (reads only)."""
    lines: list[PreviewLine] = []
    today = local_today()
    if not transfer.is_same_unit:
        processing = _open_processing(transfer)
        waiting = _waiting_documents(transfer)
        # The processing's deadline once directed, else the one written on the document.
        due = [(p.document, p.deadline or p.document.due_date) for p in processing]
        due += [(d, d.due_date) for d in waiting]
        late = [d for d, day in due if day is not None and day < today]
        overdue = len(late)
        documents = [p.document for p in processing] + waiting
        if documents:
            lines.append(
                PreviewLine(
                    label="Văn bản đến đang xử lý",
                    count=len(documents),
                    examples=tuple(_label(d) for d in documents[:EXAMPLES]),
                    warnings=(
                        (f"{overdue} văn bản đã quá hạn giải quyết; hạn giữ nguyên khi chuyển.",)
                        if overdue
                        else ()
                    ),
                )
            )
        if late:
            lines.append(
                PreviewLine(
                    label="Văn bản đến đang xử lý đã quá hạn",
                    count=overdue,
                    examples=tuple(_label(d) for d in late[:EXAMPLES]),
                )
            )
        assignments = [
            a
            for a in _open_assignments(transfer)
            if a.processing_id not in {p.pk for p in processing}
        ]
        if assignments:
            lines.append(
                PreviewLine(
                    label="Việc được giao của văn bản đơn vị khác",
                    count=len(assignments),
                )
            )
    delegations = _delegations_to_end(transfer, clock.now())
    if delegations:
        lines.append(
            PreviewLine(
                label="Ủy quyền kết thúc",
                count=len(delegations),
                examples=tuple(
                    f"{d.delegator.full_name} → {d.deputy.full_name}: {reason}"
                    for d, reason in delegations[:EXAMPLES]
                ),
            )
        )
    return lines


def _actor_name(actor: object | None) -> str:
    return getattr(actor, "full_name", "") or SYSTEM_NAME


def _share_with(*, document: Document, unit_id: int, actor: User | None, now: dt.datetime) -> None:
    """The successor's clerks and leaders are given the document, as when work is given to a
    unit (`services.assignments._share`). Without an administrator (the installer), the share
    names its holder as the granter."""
    people = set()
    for ids in unit_people_ids([unit_id], (Role.LEADER, Role.CLERK)).values():
        people.update(ids)
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
                granted_by_id=actor.pk if actor is not None else user_id,
                granted_at=now,
            )
            for user_id in sorted(people - existing)
        ],
        ignore_conflicts=True,
    )


def _summary(transfer: Transfer, target: Unit, deadline: dt.date | None) -> str:
    kept = f" Thời hạn giải quyết giữ nguyên: {deadline:%d/%m/%Y}." if deadline else ""
    return (
        f"Chuyển xử lý từ {transfer.source.name} sang {target.name} theo {transfer.decision} "
        f"(sắp xếp tổ chức, có hiệu lực từ ngày {transfer.effective_date:%d/%m/%Y}).{kept}"
    )


def _hand_over(
    *,
    transfer: Transfer,
    processing: Processing,
    target: Unit,
    moved_assignments: Iterable[Assignment],
    now: dt.datetime,
) -> None:
    actor = transfer.actor if isinstance(transfer.actor, User) else None
    summary = _summary(transfer, target, processing.deadline or processing.document.due_date)
    TrailEntry.objects.create(
        processing=processing,
        document_id=processing.document_id,
        action=TrailAction.TRANSFERRED,
        actor=actor,
        actor_name=_actor_name(actor),
        summary=summary[:1000],
        at=now,
    )
    _share_with(document=processing.document, unit_id=target.pk, actor=actor, now=now)
    audit_record(
        actor=actor,
        action="workflow.processing_transfer",
        unit=transfer.source,
        target=processing.document,
        data={
            "from": transfer.source.pk,
            "to": target.pk,
            "status": processing.status,
            "deadline": processing.deadline.isoformat() if processing.deadline else None,
            "assignments": sorted(a.pk for a in moved_assignments),
            "decision": transfer.decision,
            "plan": transfer.plan_ref,
        },
    )


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Hand the source's open processing and work to its successor and end the delegations that
    no longer hold (idempotent: handed-over processing is the successor's and is not found
    again; an ended delegation is not in force)."""
    now = clock.now()
    actor = transfer.actor if isinstance(transfer.actor, User) else None
    moved = assignments_moved = delegations_ended = 0
    with transaction.atomic():
        if not transfer.is_same_unit:
            units = {u.pk: u for u in Unit.objects.filter(pk__in=_target_ids(transfer))}
            # Documents waiting to be presented get their processing row (still waiting, and
            # still marked `awaiting_presentation`), handed over below with the others.
            for document in _waiting_documents(transfer):
                Processing.objects.create(
                    document=document,
                    unit=transfer.source,
                    status=ProcessingStatus.WAITING,
                    created_at=now,
                )
            processing_rows = list(
                Processing.objects.select_for_update()
                .filter(unit=transfer.source, status__in=OPEN)
                .select_related("document")
                .order_by("pk")
            )
            open_work = {}
            for assignment in _open_assignments(transfer):
                open_work.setdefault(assignment.processing_id, []).append(assignment)
            for processing in processing_rows:
                target = units[transfer.target_for("processing", processing.pk)]
                processing.unit = target
                processing.save(update_fields=["unit"])
                work = open_work.pop(processing.pk, [])
                assignments_moved += _move_assignments(transfer, work, target)
                _hand_over(
                    transfer=transfer,
                    processing=processing,
                    target=target,
                    moved_assignments=work,
                    now=now,
                )
                moved += 1
            # Work the source gave or was given on other units' documents.
            others = Processing.objects.filter(pk__in=list(open_work)).select_related("document")
            for processing in others.order_by("pk"):
                target = units[transfer.target_for("processing", processing.pk)]
                work = open_work[processing.pk]
                assignments_moved += _move_assignments(transfer, work, target)
                _hand_over(
                    transfer=transfer,
                    processing=processing,
                    target=target,
                    moved_assignments=work,
                    now=now,
                )
        for delegation, reason in _delegations_to_end(transfer, now):
            delegation.ended_at = now
            delegation.ended_by = actor
            delegation.end_reason = reason[:500]
            delegation.save(update_fields=["ended_at", "ended_by", "end_reason"])
            audit_record(
                actor=actor,
                action="workflow.delegation_end",
                unit=delegation.unit,
                target=delegation,
                data={
                    "deputy": delegation.deputy.username,
                    "reason": reason,
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
            delegations_ended += 1
    return {
        "processing_moved": moved,
        "assignments_moved": assignments_moved,
        "delegations_ended": delegations_ended,
    }


def _target_ids(transfer: Transfer) -> set[int]:
    return {transfer.target.pk} | {unit_id for kind, unit_id in transfer.overrides}


def _move_assignments(transfer: Transfer, work: list[Assignment], target: Unit) -> int:
    """The source's side of open work passes to `target`; deadlines stay."""
    for assignment in work:
        fields = []
        if assignment.assigner_unit_id == transfer.source.pk:
            assignment.assigner_unit = target
            fields.append("assigner_unit")
        if assignment.assignee_unit_id == transfer.source.pk:
            assignment.assignee_unit = target
            fields.append("assignee_unit")
        assignment.save(update_fields=fields)
    return len(work)
