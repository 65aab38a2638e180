"""`/api/v1/workflow`: processing of incoming documents (R18) with the same rules as the pages.

Each endpoint checks the caller's right first (403), then reads the ids in the request (400 for
an unknown one), then calls workflow.services; refusals become JSON through the handlers of
`vanban.core.api` (400, 403, 404). Documents the caller may not see answer 404.
"""

import dataclasses
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import StringConstraints

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.api import ERRORS, MAX_IDS, MAX_TEXT, NO_NUL, Day, Id
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.http import client_ip
from vanban.documents.models import Document

from . import selectors, services
from .access import authority_of, handling_unit

router = Router(tags=["Xử lý văn bản đến"])


# ---------------------------------------------------------------- schemas


class AssignmentOut(Schema):
    id: int
    parent_id: int | None = Field(description="Việc của đơn vị mà việc này được phân công từ đó")
    role: str = Field(description="lead (chủ trì), co (phối hợp), info (nhận để biết)")
    assignee_unit_id: int | None
    assignee_user_id: int | None
    assignee: str = Field(description="Tên đơn vị hoặc người được giao")
    deadline: dt.date | None = Field(description="Hạn giải quyết")
    status: str = Field(description="open (đang xử lý), done (đã hoàn thành), closed (đã kết thúc)")
    status_label: str
    mark: str = Field(description="overdue (quá hạn), due_soon (sắp đến hạn) hoặc rỗng")
    reminder_count: int = Field(description="Số lần đã đôn đốc")


class ExtensionOut(Schema):
    id: int
    assignment_id: int
    current_deadline: dt.date
    requested_deadline: dt.date
    reason: str
    status: str = Field(description="pending, granted, refused")
    decision_reason: str


class TrailOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    actor: str = Field(description="Người thực hiện")
    on_behalf_of: str = Field(description="Thay mặt (khi làm theo ủy quyền), hoặc rỗng")
    summary: str
    text: str = Field(description="Ý kiến chỉ đạo, nội dung tiến độ, lý do...")


class ProcessingOut(Schema):
    document_id: int
    number_symbol: str
    subject: str
    status: str = Field(description="waiting, presented, in_progress, done")
    status_label: str
    direction: str = Field(description="Ý kiến chỉ đạo")
    deadline: dt.date | None
    reply_reference: str
    assignments: list[AssignmentOut]
    extensions: list[ExtensionOut]
    trail: list[TrailOut]


class WorkItemOut(Schema):
    document_id: int
    number_symbol: str
    subject: str
    urgency: int
    assignment_id: int | None = None
    extension_id: int | None = None
    role: str = ""
    deadline: dt.date | None = None
    mark: str = ""
    acting: str = Field("", description="“thay mặt …” khi việc là của người ủy quyền")


class SharedItemOut(Schema):
    document_id: int
    number_symbol: str
    subject: str
    urgency: int
    granted_by: str = Field(description="Người chuyển văn bản để biết")
    granted_at: dt.datetime


class WorkCountsOut(Schema):
    to_present: int = Field(description="Văn bản chờ trình (văn thư)")
    to_direct: int = Field(description="Văn bản chờ cho ý kiến chỉ đạo")
    to_handle: int = Field(description="Việc cần xử lý (chủ trì, phối hợp)")
    for_information: int = Field(
        description="Được chuyển để biết chưa đọc, và văn bản nhận để biết"
    )
    overdue: int = Field(description="Việc cần xử lý đã quá hạn")
    to_sign: int = Field(description="Dự thảo chờ phê duyệt, ký số")
    to_issue: int = Field(description="Văn bản đã ký chờ phát hành (văn thư)")
    to_check: int = Field(description="Dự thảo chờ góp ý, kiểm tra")
    extensions: int = Field(description="Đề nghị gia hạn chờ quyết định")
    to_receive: int = Field(description="Văn bản chờ tiếp nhận liên thông (văn thư)")
    total: int = Field(description="Tổng số việc đang chờ")


class MyWorkOut(Schema):
    to_present: list[WorkItemOut]
    to_present_total: int
    to_direct: list[WorkItemOut]
    assigned: list[WorkItemOut]
    for_information: list[WorkItemOut]
    extensions: list[WorkItemOut]
    shared: list[SharedItemOut] = Field(
        description="Được chuyển để biết: văn bản được chuyển cho người gọi đọc, chưa mở "
        "(mới nhất trước, tối đa 50)"
    )
    shared_total: int = Field(description="Số văn bản được chuyển để biết chưa mở")
    counts: WorkCountsOut = Field(description="Số việc theo từng loại, như ở trang chủ")


# Free text, as the services bound it (workflow.services.MAX_TEXT).
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=NO_NUL)]
ReplyReference = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]


class PresentIn(Schema):
    leader_id: Id = Field(description="Lãnh đạo của đơn vị được trình")
    note: Text = ""


class AssignIn(Schema):
    direction: Text = Field(description="Ý kiến chỉ đạo")
    lead_unit_id: Id | None = Field(None, description="Đơn vị chủ trì (hoặc lead_user_id)")
    lead_user_id: Id | None = Field(None, description="Người chủ trì (hoặc lead_unit_id)")
    co_unit_ids: Ids = []
    co_user_ids: Ids = []
    info_user_ids: Ids = []
    deadline: Day | None = Field(None, description="Để trống: theo quy định của đơn vị")


class ReassignIn(Schema):
    lead_user_id: Id
    co_user_ids: Ids = []
    info_user_ids: Ids = []
    deadline: Day | None = None
    note: Text = ""


class ProgressIn(Schema):
    text: Text


class CompleteIn(Schema):
    result: Text = ""
    reply_reference: ReplyReference = ""


class RemindIn(Schema):
    text: Text


class ExtensionIn(Schema):
    requested_deadline: Day
    reason: Text


class DecideIn(Schema):
    grant: bool
    reason: Text = ""


# ---------------------------------------------------------------- helpers


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise AccessDenied(message)


def _users(ids: list[int], field: str) -> list[User]:
    found = User.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ServiceError(f"Không tìm thấy người có mã số {missing[0]}.", field=field)
    return [found[pk] for pk in dict.fromkeys(ids)]


def _units(ids: list[int], field: str) -> list[Unit]:
    found = Unit.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ServiceError(f"Không tìm thấy đơn vị có mã số {missing[0]}.", field=field)
    return [found[pk] for pk in dict.fromkeys(ids)]


def _assignment_row(row: selectors.AssignmentRow) -> dict[str, Any]:
    a = row.assignment
    return {
        "id": a.pk,
        "parent_id": a.parent_id,
        "role": a.role,
        "assignee_unit_id": a.assignee_unit_id,
        "assignee_user_id": a.assignee_user_id,
        "assignee": a.assignee_label,
        "deadline": a.deadline,
        "status": a.status,
        "status_label": a.status_label,
        "mark": row.mark,
        "reminder_count": a.reminder_count,
    }


def _processing(user: User, document_id: int) -> dict[str, Any]:
    document = selectors.access_incoming(user=user, pk=document_id)
    page = selectors.processing_page(user=user, document=document)
    processing = page.processing
    return {
        "document_id": document.pk,
        "number_symbol": document.number_symbol,
        "subject": document.subject,
        "status": processing.status if processing else "waiting",
        "status_label": page.status_label,
        "direction": processing.direction if processing else "",
        "deadline": processing.deadline if processing else None,
        "reply_reference": processing.reply_reference if processing else "",
        "assignments": [_assignment_row(row) for row in page.rows],
        "extensions": page.extensions,
        "trail": [
            {
                "at": e.at,
                "action": e.action,
                "action_label": e.get_action_display(),
                "actor": e.actor_name,
                "on_behalf_of": e.on_behalf_of_name,
                "summary": e.summary,
                "text": e.text,
            }
            for e in page.trail
        ],
    }


# ---------------------------------------------------------------- reads


@router.get(
    "/my-work",
    response={200: MyWorkOut, **ERRORS},
    operation_id="workflow_my_work",
    summary="Việc của tôi",
)
def my_work(request: HttpRequest) -> dict[str, Any]:
    """Những việc đang chờ người gọi (và những lãnh đạo mà người gọi được ủy quyền), văn bản
    khẩn trước rồi theo hạn: văn bản chờ trình (văn thư), chờ cho ý kiến chỉ đạo (lãnh đạo), việc
    được giao chủ trì hoặc phối hợp, văn bản nhận để biết, đề nghị gia hạn chờ quyết định, văn
    bản được chuyển để biết chưa đọc; và số việc theo từng loại."""
    user = request_user(request)
    counts = selectors.work_counts(user=user)
    work = selectors.my_work(user=user, counts=counts)

    def item(document: Document, **extra: Any) -> dict[str, Any]:
        return {
            "document_id": document.pk,
            "number_symbol": document.number_symbol,
            "subject": document.subject,
            "urgency": document.urgency,
            **extra,
        }

    def assignment(row: selectors.AssignmentRow) -> dict[str, Any]:
        a = row.assignment
        return item(
            a.document,
            assignment_id=a.pk,
            role=a.role,
            deadline=a.deadline,
            mark=row.mark,
            acting=row.acting,
        )

    return {
        "to_present": [
            item(r.document, deadline=r.document.due_date, mark=r.mark) for r in work.to_present
        ],
        "to_present_total": work.to_present_total,
        "to_direct": [
            item(
                r.processing.document,
                deadline=r.processing.document.due_date,
                mark=r.mark,
                acting=r.acting,
            )
            for r in work.to_direct
        ],
        "assigned": [assignment(a) for a in work.assigned],
        "for_information": [assignment(a) for a in work.for_information],
        "extensions": [
            item(
                r.request.assignment.document,
                assignment_id=r.request.assignment_id,
                extension_id=r.request.pk,
                role=r.request.assignment.role,
                deadline=r.request.requested_deadline,
                mark=r.mark,
            )
            for r in work.extensions
        ],
        "shared": [
            item(
                share.document,
                granted_by=share.granted_by.full_name if share.granted_by else "",
                granted_at=share.granted_at,
            )
            for share in work.shared
        ],
        "shared_total": work.shared_total,
        "counts": {
            **{f.name: getattr(counts, f.name) for f in dataclasses.fields(counts)},
            "total": counts.total,
        },
    }


@router.get(
    "/documents/{document_id}",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_document",
    summary="Tình hình xử lý một văn bản đến",
)
def document_processing(request: HttpRequest, document_id: Id) -> dict[str, Any]:
    """Trạng thái, phân công (chủ trì, phối hợp, nhận để biết, hạn), đề nghị gia hạn và toàn bộ
    quá trình xử lý (ai, làm gì, khi nào, ý kiến, thay mặt ai)."""
    return _processing(request_user(request), document_id)


# ---------------------------------------------------------------- steps


@router.post(
    "/documents/{document_id}/present",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_present",
    summary="Trình văn bản cho lãnh đạo (văn thư)",
)
def present(request: HttpRequest, document_id: Id, payload: PresentIn) -> dict[str, Any]:
    actor = request_user(request)
    document = selectors.access_incoming(user=actor, pk=document_id)
    _require(authority_of(actor).is_clerk_of(handling_unit(document).pk), services.MSG_NOT_CLERK)
    services.processing_present(
        actor=actor,
        document=document,
        leader=User.objects.filter(pk=payload.leader_id).first(),
        note=payload.note,
        ip=client_ip(request),
    )
    return _processing(actor, document_id)


@router.post(
    "/documents/{document_id}/assign",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_assign",
    summary="Cho ý kiến chỉ đạo và giao xử lý (lãnh đạo)",
)
def assign(request: HttpRequest, document_id: Id, payload: AssignIn) -> dict[str, Any]:
    """Chủ trì là một đơn vị trực thuộc (`lead_unit_id`) hoặc một người (`lead_user_id`);
    phối hợp là đơn vị hoặc người; nhận để biết là người. Không có `deadline`: hạn ghi trên văn
    bản hoặc theo quy định thời hạn của đơn vị với độ khẩn của văn bản."""
    actor = request_user(request)
    document = selectors.access_incoming(user=actor, pk=document_id)
    _require(
        authority_of(actor).as_leader_of(handling_unit(document).pk)[0], services.MSG_NOT_LEADER
    )
    services.processing_direct(
        actor=actor,
        document=document,
        direction=payload.direction,
        lead_unit=_units([payload.lead_unit_id], "lead_unit_id")[0]
        if payload.lead_unit_id is not None
        else None,
        lead_user=_users([payload.lead_user_id], "lead_user_id")[0]
        if payload.lead_user_id is not None
        else None,
        co_units=_units(payload.co_unit_ids, "co_unit_ids"),
        co_users=_users(payload.co_user_ids, "co_user_ids"),
        info_users=_users(payload.info_user_ids, "info_user_ids"),
        deadline=payload.deadline,
        ip=client_ip(request),
    )
    return _processing(actor, document_id)


@router.post(
    "/assignments/{assignment_id}/reassign",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_reassign",
    summary="Phân công trong đơn vị được giao (lãnh đạo đơn vị)",
)
def reassign(request: HttpRequest, assignment_id: Id, payload: ReassignIn) -> dict[str, Any]:
    actor = request_user(request)
    assignment = selectors.access_assignment(user=actor, pk=assignment_id)
    unit_id = assignment.assignee_unit_id
    _require(
        unit_id is not None and authority_of(actor).as_leader_of(unit_id)[0],
        services.MSG_NOT_UNIT_LEADER,
    )
    services.assignment_reassign(
        actor=actor,
        assignment=assignment,
        lead_user=_users([payload.lead_user_id], "lead_user_id")[0],
        co_users=_users(payload.co_user_ids, "co_user_ids"),
        info_users=_users(payload.info_user_ids, "info_user_ids"),
        deadline=payload.deadline,
        note=payload.note,
        ip=client_ip(request),
    )
    return _processing(actor, assignment.document_id)


@router.post(
    "/assignments/{assignment_id}/progress",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_progress",
    summary="Cập nhật tiến độ, kèm tệp kết quả hoặc dự thảo trả lời",
)
def progress(
    request: HttpRequest,
    assignment_id: Id,
    payload: Form[ProgressIn],
    result_files: File[list[UploadedFile] | None] = None,
    draft_files: File[list[UploadedFile] | None] = None,
) -> dict[str, Any]:
    """Gửi dạng multipart/form-data: `text`, tệp kết quả `result_files` và dự thảo văn bản trả
    lời `draft_files`. Tệp được kiểm tra như tệp văn bản (định dạng theo nội dung, dung lượng,
    dấu độ mật) và lưu kèm mã băm SHA-256."""
    actor = request_user(request)
    assignment = selectors.access_assignment(user=actor, pk=assignment_id)
    _require(authority_of(actor).as_handler(assignment)[0], services.MSG_NOT_HANDLER)
    services.assignment_progress(
        actor=actor,
        assignment=assignment,
        text=payload.text,
        result_files=list(result_files or []),
        draft_files=list(draft_files or []),
        ip=client_ip(request),
    )
    return _processing(actor, assignment.document_id)


@router.post(
    "/assignments/{assignment_id}/complete",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_complete",
    summary="Báo hoàn thành phần việc (hoặc đã xem, với việc nhận để biết)",
)
def complete(request: HttpRequest, assignment_id: Id, payload: CompleteIn) -> dict[str, Any]:
    """Người chủ trì hoàn thành thì văn bản hoàn thành xử lý (phải có `result`); người phối hợp
    hoàn thành phần của mình; người nhận để biết ghi nhận đã xem."""
    actor = request_user(request)
    assignment = selectors.access_assignment(user=actor, pk=assignment_id)
    _require(authority_of(actor).as_handler(assignment)[0], services.MSG_NOT_HANDLER)
    services.assignment_complete(
        actor=actor,
        assignment=assignment,
        result=payload.result,
        reply_reference=payload.reply_reference,
        ip=client_ip(request),
    )
    return _processing(actor, assignment.document_id)


@router.post(
    "/assignments/{assignment_id}/remind",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_remind",
    summary="Đôn đốc (lãnh đạo đơn vị giao việc)",
)
def remind(request: HttpRequest, assignment_id: Id, payload: RemindIn) -> dict[str, Any]:
    actor = request_user(request)
    assignment = selectors.access_assignment(user=actor, pk=assignment_id)
    _require(
        authority_of(actor).as_supervisor(assignment, document_unit_id=assignment.document.unit_id)[
            0
        ],
        services.MSG_NOT_SUPERVISOR,
    )
    services.assignment_remind(
        actor=actor, assignment=assignment, text=payload.text, ip=client_ip(request)
    )
    return _processing(actor, assignment.document_id)


@router.post(
    "/assignments/{assignment_id}/extensions",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_extension_request",
    summary="Đề nghị gia hạn giải quyết",
)
def extension_request(
    request: HttpRequest, assignment_id: Id, payload: ExtensionIn
) -> dict[str, Any]:
    actor = request_user(request)
    assignment = selectors.access_assignment(user=actor, pk=assignment_id)
    _require(authority_of(actor).as_handler(assignment)[0], services.MSG_NOT_HANDLER)
    services.extension_request(
        actor=actor,
        assignment=assignment,
        requested_deadline=payload.requested_deadline,
        reason=payload.reason,
        ip=client_ip(request),
    )
    return _processing(actor, assignment.document_id)


@router.post(
    "/extensions/{extension_id}/decide",
    response={200: ProcessingOut, **ERRORS},
    operation_id="workflow_extension_decide",
    summary="Đồng ý hoặc không đồng ý gia hạn (lãnh đạo đơn vị giao việc)",
)
def extension_decide(request: HttpRequest, extension_id: Id, payload: DecideIn) -> dict[str, Any]:
    """`grant` true: hạn giải quyết đổi thành hạn đề nghị; false: phải có `reason`."""
    actor = request_user(request)
    extension = selectors.access_extension(user=actor, pk=extension_id)
    _require(
        authority_of(actor).as_leader_of(extension.assignment.assigner_unit_id)[0],
        services.MSG_NOT_DECIDER,
    )
    services.extension_decide(
        actor=actor,
        request=extension,
        grant=payload.grant,
        reason=payload.reason,
        ip=client_ip(request),
    )
    return _processing(actor, extension.assignment.document_id)
