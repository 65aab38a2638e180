"""What the workflow services share: messages, text checks, row locks, trail entries, audit
events and notifications.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from vanban.accounts.models import AccountStatus, User
from vanban.audit.services import audit_record
from vanban.core.errors import ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc
from vanban.documents.models import Document

from ..models import (
    Assignment,
    AssignmentStatus,
    Processing,
    ProcessingStatus,
    ProgressEntry,
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


MSG_WITHDRAWN = (
    "Văn bản đã được nơi gửi thu hồi; việc xử lý đã kết thúc, không cập nhật tiến độ hay thực "
    "hiện thêm thao tác được nữa."
)


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


def _text(
    value: Any, *, label: str, field: str, max_length: int = MAX_TEXT, required: bool = False
) -> str:
    text = nfc(str(value or ""))
    if required and not text:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(text) > max_length:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field
        )
    return text


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


def _processing_start(document: Document, **fields: object) -> Processing:
    """The document's processing record, created by its first step (presenting, or a take-back
    before it): the document no longer waits to be presented (`Document.awaiting_presentation`,
    R18)."""
    processing = Processing.objects.create(document=document, unit_id=document.unit_id, **fields)
    Document.objects.filter(pk=document.pk).update(awaiting_presentation=False)
    document.awaiting_presentation = False
    return processing


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
    if processing.status == ProcessingStatus.WITHDRAWN:
        raise ServiceError(MSG_WITHDRAWN)
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
