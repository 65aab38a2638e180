"""`/api/v1/exchange`: the exchange inside the deployment (R15), as on the pages under
/lien-thong/: a unit's reception queue, registering or returning a received document, answering
a recall; a sent document's recipients and their statuses, sending to more units, recalling.

Each endpoint only parses the request and calls exchange.delivery and
exchange.delivery_selectors; refusals become JSON by the handlers of vanban.core.api.
"""

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit
from vanban.core.api import ERRORS, MAX_IDS, NO_NUL, ErrorOut, Id, choice
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.http import client_ip
from vanban.documents.services import DuplicateDocument, Refusals, SignaturesNotConfirmed
from vanban.signatures.api import (
    FileReportOut,
    SignaturesNotConfirmedOut,
    StoredReportOut,
    not_confirmed_answer,
    stored_reports,
)

from . import delivery as services
from . import delivery_selectors as selectors
from .models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    RecallStatus,
    ReturnReason,
    Transport,
)

Secrecy = Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
Note = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
if TYPE_CHECKING:
    ReturnReasonCode = str
else:  # declared as an enum in the OpenAPI document
    ReturnReasonCode = choice(ReturnReason.values)

router = Router(tags=["Liên thông trong hệ thống"])

# The texts of the status codes come from the one table (edxml.constants) through the choices.
STATUS_HELP = ", ".join(f"{value} {label}" for value, label in DeliveryStatus.choices)
RECALL_HELP = ", ".join(f"{value or '“”'} {label}" for value, label in RecallStatus.choices)
REASON_HELP = ", ".join(f"{value} ({label})" for value, label in ReturnReason.choices)


# ---------------------------------------------------------------- schemas


class EventOut(Schema):
    code: str = Field(description=f"Mã trạng thái: {STATUS_HELP}; {RECALL_HELP}")
    label: str
    note: str
    actor: str | None = Field(description="Tài khoản người thực hiện")
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: DeliveryEvent) -> str | None:
        return obj.actor.username if obj.actor else None


class FileOut(Schema):
    id: int
    name: str
    role: str
    format: str
    size: int
    sha256: str


class DeliveryOut(Schema):
    id: int
    document_id: int = Field(description="Văn bản đi của nơi gửi")
    number_symbol: str
    issued_date: dt.date
    document_type_name: str
    subject: str
    urgency: int
    needs_paper_copy: bool = Field(
        description="Có bản giấy gửi kèm: cơ quan nhận lưu trữ vĩnh viễn văn bản này (R12)"
    )
    sender_unit_id: int
    sender_unit_name: str
    recipient_unit_id: int
    recipient_unit_name: str
    business_type: int = Field(description="0 mới, 2 cập nhật, 3 thay thế")
    original_number_symbol: str = Field(description="Văn bản được cập nhật hoặc thay thế")
    status: str = Field(description=f"Trạng thái: {STATUS_HELP}")
    status_label: str
    status_at: dt.datetime
    return_reason: str
    return_note: str
    recall_status: str = Field(description=f"Thu hồi: {RECALL_HELP}")
    recall_reason: str
    incoming_document_id: int | None = Field(description="Văn bản đến đã vào sổ ở đơn vị nhận")
    created_at: dt.datetime
    events: list[EventOut]

    @staticmethod
    def resolve_number_symbol(obj: Delivery) -> str:
        return obj.sent_document.number_symbol

    @staticmethod
    def resolve_issued_date(obj: Delivery) -> dt.date:
        return obj.sent_document.issued_date

    @staticmethod
    def resolve_document_type_name(obj: Delivery) -> str:
        return obj.sent_document.document_type.name

    @staticmethod
    def resolve_subject(obj: Delivery) -> str:
        return obj.sent_document.subject

    @staticmethod
    def resolve_urgency(obj: Delivery) -> int:
        return obj.sent_document.urgency

    @staticmethod
    def resolve_needs_paper_copy(obj: Delivery) -> bool:
        return obj.sent_document.needs_paper_copy

    @staticmethod
    def resolve_sender_unit_name(obj: Delivery) -> str:
        return obj.sender.name

    @staticmethod
    def resolve_recipient_unit_name(obj: Delivery) -> str:
        return obj.local_recipient.name

    @staticmethod
    def resolve_original_number_symbol(obj: Delivery) -> str:
        return obj.original.sent_document.number_symbol if obj.original else ""

    @staticmethod
    def resolve_status_label(obj: Delivery) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_recall_reason(obj: Delivery) -> str:
        recall = getattr(obj.document, "recall", None) if obj.recall_status else None
        return recall.reason if recall else ""

    @staticmethod
    def resolve_events(obj: Delivery) -> list[Any]:
        return list(obj.events.all())


class ReceivedOut(DeliveryOut):
    files: list[FileOut] = Field(description="Tệp của văn bản (tải qua trang hàng chờ)")

    @staticmethod
    def resolve_files(obj: Delivery) -> list[dict[str, Any]]:
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "role": f.role,
                "format": f.file_format,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in obj.sent_document.files.all()
        ]


class QueueOut(Schema):
    count: int = Field(description="Số văn bản chờ vào sổ")
    items: list[DeliveryOut] = Field(description="Văn bản chờ vào sổ (tối đa 200)")
    recall_requests: list[DeliveryOut] = Field(description="Đề nghị thu hồi chờ trả lời")


class QueueQuery(Schema):
    unit: Id | None = Field(None, description="Chỉ một đơn vị mà người gọi là văn thư")


class SentOut(Schema):
    document_id: int
    number_symbol: str
    recalled: bool
    recall_reason: str
    deliveries: list[DeliveryOut]


class RegisterIn(Schema):
    secrecy: Secrecy = Field("", description="Độ mật (văn bản mật bị từ chối)")
    complaint: bool = Field(False, description="Đơn thư khiếu nại, tố cáo (bị từ chối)")
    sensitive_declared: bool = Field(
        False, description="Xác nhận không có nội dung nhạy cảm, độc hại (bắt buộc)"
    )
    confirm_duplicate: bool = Field(
        False, description="Vẫn vào sổ khi trùng số, ký hiệu, cơ quan ban hành"
    )
    signature_reason: Note = Field(
        "",
        description="Lý do vẫn vào sổ khi chữ ký số của tệp không hợp lệ hoặc không được tin cậy "
        "(sau khi nhận trả lời 409 kèm kết quả kiểm tra); được ghi lại",
    )


class RegisteredOut(Schema):
    delivery_id: int
    incoming_document_id: int
    arrival_number: int
    number_symbol: str
    signature_reports: list[StoredReportOut] = Field(
        description="Kết quả kiểm tra chữ ký số của từng tệp PDF, lưu cùng văn bản đến"
    )


class DuplicateOut(ErrorOut):
    existing_id: int
    existing_number_symbol: str
    existing_arrival_number: int


class ReturnIn(Schema):
    reason: ReturnReasonCode = Field(description=f"Lý do: {REASON_HELP}")
    note: Note = Field("", description="Ghi chú (tối đa 500 ký tự)")


class RecallAnswerIn(Schema):
    accept: bool = Field(description="true: đồng ý thu hồi (15); false: từ chối (16)")
    note: Note = Field("", description="Lý do (bắt buộc khi từ chối, tối đa 500 ký tự)")


class SendIn(Schema):
    unit_ids: list[Id] = Field(max_length=MAX_IDS, description="Đơn vị nhận trong hệ thống")


class RecallIn(Schema):
    reason: Note = Field(description="Lý do thu hồi (tối đa 500 ký tự)")


# ---------------------------------------------------------------- helpers


def _sent(request: HttpRequest, document_id: int) -> dict[str, Any]:
    sent = selectors.sent_document(user=request_user(request), document_pk=document_id)
    for delivery in sent.deliveries:
        delivery.document = sent.document  # no query per row
    return {
        "document_id": sent.document.pk,
        "number_symbol": sent.document.number_symbol,
        "recalled": sent.recall is not None,
        "recall_reason": sent.recall.reason if sent.recall else "",
        "deliveries": sent.deliveries,
    }


# ---------------------------------------------------------------- receiving


@router.get(
    "/queue",
    response={200: QueueOut, **ERRORS},
    operation_id="delivery_queue",
    summary="Hàng chờ tiếp nhận văn bản (văn thư)",
)
def delivery_queue(request: HttpRequest, params: Query[QueueQuery]) -> dict[str, Any]:
    """Văn bản các đơn vị trong hệ thống gửi đến các đơn vị mà người gọi là văn thư, chờ vào sổ
    hoặc trả lại; văn bản khẩn trước. Kèm các đề nghị thu hồi chờ trả lời. 403 nếu không phải
    văn thư."""
    user = request_user(request)
    unit_ids = selectors.clerk_unit_ids(user)
    if not unit_ids:
        raise AccessDenied("Chỉ văn thư của đơn vị được xem hàng chờ tiếp nhận văn bản.")
    unit = None
    if params.unit is not None:
        unit = Unit.objects.filter(pk=params.unit, pk__in=unit_ids).first()
        if unit is None:
            raise ServiceError("Không tìm thấy đơn vị.", field="unit")
    # The one reception queue, documents from units of the deployment only (those from partner
    # systems are read from their packages, on the pages of the exchange with other systems).
    queue = (
        selectors.reception_queue(user=user, unit=unit)
        .filter(transport=Transport.LOCAL)
        .prefetch_related("events__actor")
    )
    recalls = selectors.recall_requests(user=user, unit=unit).prefetch_related("events__actor")
    return {
        "count": queue.count(),
        "items": list(queue[:200]),
        "recall_requests": list(recalls[:200]),
    }


@router.get(
    "/queue/{delivery_id}",
    response={200: ReceivedOut, **ERRORS},
    operation_id="delivery_detail",
    summary="Một văn bản gửi đến, với các tệp",
)
def delivery_detail(request: HttpRequest, delivery_id: Id) -> Delivery:
    return selectors.access_received(user=request_user(request), pk=delivery_id)


@router.get(
    "/queue/{delivery_id}/signatures",
    response={200: list[FileReportOut], **ERRORS},
    operation_id="delivery_signatures",
    summary="Kết quả kiểm tra chữ ký số của các tệp, trước khi vào sổ",
)
def delivery_signatures(request: HttpRequest, delivery_id: Id) -> Any:
    """Chữ ký số của từng tệp PDF của văn bản đang chờ vào sổ, kiểm tra lúc gọi (không lưu).
    Tệp có chữ ký không hợp lệ hoặc không được tin cậy (`accepted` là false) chỉ được vào sổ khi
    văn thư gửi kèm `signature_reason`. Văn bản không còn chờ vào sổ: danh sách rỗng."""
    delivery = selectors.access_received(user=request_user(request), pk=delivery_id)
    return [dataclasses.asdict(report) for report in services.delivery_reports(delivery)]


@router.post(
    "/queue/{delivery_id}/register",
    response={201: RegisteredOut, 409: DuplicateOut | SignaturesNotConfirmedOut, **ERRORS},
    operation_id="delivery_register",
    summary="Vào sổ đến văn bản từ hàng chờ",
)
def delivery_register(request: HttpRequest, delivery_id: Id, payload: RegisterIn) -> Any:
    """Tạo văn bản đến với thông tin và tệp của văn bản đi (không nhập lại); số đến do hệ thống
    cấp. Nơi gửi thấy trạng thái 03 “đã vào sổ”. Trùng số, ký hiệu, cơ quan ban hành: 409.
    Tệp có chữ ký số không hợp lệ hoặc không được tin cậy: 409 kèm kết quả kiểm tra từng tệp,
    không lưu gì; gửi lại với `signature_reason` nếu đã xác minh được văn bản."""
    actor = request_user(request)
    delivery = selectors.access_received(user=actor, pk=delivery_id)
    try:
        document = services.delivery_register(
            actor=actor,
            delivery=delivery,
            refusals=Refusals(
                secrecy=payload.secrecy.strip(),
                complaint=payload.complaint,
                sensitive_declared=payload.sensitive_declared,
            ),
            confirm_duplicate=payload.confirm_duplicate,
            signature_reason=payload.signature_reason,
            ip=client_ip(request),
        )
    except SignaturesNotConfirmed as exc:
        return Status(409, not_confirmed_answer(exc))
    except DuplicateDocument as exc:
        return Status(
            409,
            {
                "detail": exc.message,
                "field": exc.field,
                "existing_id": exc.existing.pk,
                "existing_number_symbol": exc.existing.number_symbol,
                "existing_arrival_number": exc.existing.register_number,
            },
        )
    return Status(
        201,
        {
            "delivery_id": delivery.pk,
            "incoming_document_id": document.pk,
            "arrival_number": document.register_number,
            "number_symbol": document.number_symbol,
            "signature_reports": stored_reports(document),
        },
    )


@router.post(
    "/queue/{delivery_id}/return",
    response={200: ReceivedOut, **ERRORS},
    operation_id="delivery_return",
    summary="Trả lại văn bản cho nơi gửi",
)
def delivery_return(request: HttpRequest, delivery_id: Id, payload: ReturnIn) -> Delivery:
    actor = request_user(request)
    delivery = selectors.access_received(user=actor, pk=delivery_id)
    services.delivery_return(
        actor=actor,
        delivery=delivery,
        reason=payload.reason,
        note=payload.note,
        ip=client_ip(request),
    )
    return selectors.access_received(user=actor, pk=delivery_id)


@router.post(
    "/queue/{delivery_id}/recall-answer",
    response={200: ReceivedOut, **ERRORS},
    operation_id="delivery_recall_answer",
    summary="Trả lời đề nghị thu hồi",
)
def delivery_recall_answer(
    request: HttpRequest, delivery_id: Id, payload: RecallAnswerIn
) -> Delivery:
    actor = request_user(request)
    delivery = selectors.access_received(user=actor, pk=delivery_id)
    services.delivery_recall_answer(
        actor=actor,
        delivery=delivery,
        accept=payload.accept,
        note=payload.note,
        ip=client_ip(request),
    )
    return selectors.access_received(user=actor, pk=delivery_id)


# ---------------------------------------------------------------- sending


@router.get(
    "/sent/{document_id}",
    response={200: SentOut, **ERRORS},
    operation_id="delivery_statuses",
    summary="Tình trạng của từng đơn vị nhận một văn bản đi",
)
def delivery_statuses(request: HttpRequest, document_id: Id) -> dict[str, Any]:
    """Cho người được xem văn bản đi: trạng thái và thời điểm của từng đơn vị nhận, quá trình,
    và việc thu hồi."""
    return _sent(request, document_id)


@router.post(
    "/sent/{document_id}/deliveries",
    response={200: SentOut, **ERRORS},
    operation_id="delivery_send",
    summary="Gửi văn bản đi cho đơn vị trong hệ thống (văn thư)",
)
def delivery_send(request: HttpRequest, document_id: Id, payload: SendIn) -> dict[str, Any]:
    """Đơn vị đã nhận văn bản thì không nhận lần nữa."""
    actor = request_user(request)
    document = selectors.sent_document(user=actor, document_pk=document_id).document
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    if len(units) != len(set(payload.unit_ids)):
        raise ServiceError("Không tìm thấy đơn vị nhận.", field="unit_ids")
    services.deliveries_create(actor=actor, document=document, units=units, ip=client_ip(request))
    return _sent(request, document_id)


@router.post(
    "/sent/{document_id}/recall",
    response={200: SentOut, **ERRORS},
    operation_id="document_recall",
    summary="Thu hồi văn bản đi (lãnh đạo, văn thư)",
)
def document_recall(request: HttpRequest, document_id: Id, payload: RecallIn) -> dict[str, Any]:
    actor = request_user(request)
    document = selectors.sent_document(user=actor, document_pk=document_id).document
    services.document_recall(
        actor=actor, document=document, reason=payload.reason, ip=client_ip(request)
    )
    return _sent(request, document_id)
