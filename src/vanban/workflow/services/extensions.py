"""Deadline extensions: a handler's request and the decision of a leader of the unit that gave the
work (R18).
"""

import datetime as dt

from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import format_date_vi

from ..access import authority_of, local_today
from ..models import Assignment, AssignmentRole, ExtensionRequest, ExtensionStatus, TrailAction
from ._common import (
    MSG_DECIDED,
    MSG_INFO_ONLY,
    MSG_NOT_DECIDER,
    MSG_NOT_HANDLER,
    MSG_OWN_REQUEST,
    MSG_PENDING_EXISTS,
    _audit,
    _check_open,
    _check_running,
    _lock_assignment,
    _notify,
    _text,
    _trail,
    document_label,
)
from .assignments import _deputy_ids, _leader_ids


def _check_requested_deadline(
    assignment: Assignment, requested_deadline: dt.date | None, *, now: dt.datetime
) -> tuple[dt.date, dt.date]:
    """A part with a deadline and no pending request; a later date, within a year and not after
    the deadline of the unit's part the person's part belongs to. Returns (current, requested)."""
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
    return assignment.deadline, requested_deadline


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
        current_deadline, requested_deadline = _check_requested_deadline(
            assignment, requested_deadline, now=now
        )
        reason = _text(reason, label="lý do đề nghị gia hạn", field="reason", required=True)
        request = ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=actor,
            requested_for=on_behalf_of,
            requested_at=now,
            current_deadline=current_deadline,
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
                f"({assignment.assignee_label}) từ {format_date_vi(current_deadline)} đến "
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
