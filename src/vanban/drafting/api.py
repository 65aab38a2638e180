"""`/api/v1/drafts`: drafting, comments, checks, approval, digital signature and issue of
outgoing documents.

As on the pages under /du-thao/: each endpoint only parses the request and calls
drafting.services, drafting.selectors and (for signing) drafting.signing; their refusals
become JSON by the handlers of vanban.core.api (400 refused, 403 not allowed, 404 missing or not
visible).
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.api import (
    ERRORS,
    MAX_IDS,
    MAX_TEXT,
    Day,
    ErrorOut,
    Id,
    PageQuery,
    choice,
    id_list,
    int_choice,
    text,
)
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip
from vanban.documents import files
from vanban.documents.api_schemas import UrgencyChoice
from vanban.documents.downloads import (
    binary_response,
    download_response,
    download_unavailable_api,
)
from vanban.documents.models import Document, DocumentType, Urgency
from vanban.documents.services import Refusals
from vanban.exchange.models import Transport
from vanban.signatures.models import Certificate
from vanban.signatures.numberdate import Box
from vanban.signatures.services import OrganisationKey

from . import selectors, services, signing
from .forms import parse_external
from .models import Authority, Draft, DraftComment, DraftEvent, DraftStatus, DraftVersion

router = Router(tags=["Dự thảo văn bản đi"])

URGENCY_HELP = ", ".join(f"{value} ({label})" for value, label in Urgency.choices)
AUTHORITY_HELP = ", ".join(f"“{value}” ({label})" for value, label in Authority.choices)
STATUS_HELP = ", ".join(f"{value} ({label})" for value, label in DraftStatus.choices)
MAX_PIN = 100
LongText = text(MAX_TEXT)  # free text, as drafting.services bounds it
VersionNumber = Annotated[int, Field(ge=1, le=32767, description="Số phiên bản, từ 1")]


# ---------------------------------------------------------------- schemas


class VersionOut(Schema):
    number: int = Field(description="Số phiên bản, từ 1")
    name: str = Field(description="Tên tệp")
    format: str = Field(description="Định dạng xác định theo nội dung tệp")
    size: int = Field(description="Dung lượng (byte)")
    sha256: str = Field(description="Mã băm SHA-256")
    page_count: int | None = Field(description="Số trang (tệp PDF)")
    note: str = Field(description="Nội dung thay đổi")
    uploaded_by: str = Field(description="Tài khoản người tải lên")
    uploaded_at: dt.datetime
    pdf_sha256: str = Field(
        description="Mã băm SHA-256 của bản PDF để kiểm tra, phê duyệt và ký số (chính tệp khi "
        "là PDF, bản PDF/A máy chủ chuyển từ tệp Word, ODT); trống khi chưa có"
    )
    pdf_note: str = Field(description="Lý do chưa có bản PDF (trống khi có)")

    @staticmethod
    def resolve_pdf_sha256(obj: DraftVersion) -> str:
        shown = obj.pdf_to_show()
        return shown.sha256 if shown else ""

    @staticmethod
    def resolve_name(obj: DraftVersion) -> str:
        return obj.original_name

    @staticmethod
    def resolve_format(obj: DraftVersion) -> str:
        return obj.file_format

    @staticmethod
    def resolve_uploaded_by(obj: DraftVersion) -> str:
        return obj.uploaded_by.username


class CommentOut(Schema):
    id: int
    person: str = Field(description="Tài khoản người được xin ý kiến")
    person_name: str
    deadline: dt.date = Field(description="Hạn góp ý")
    request_note: str = Field(description="Nội dung xin ý kiến")
    version: int = Field(description="Phiên bản khi xin ý kiến")
    requested_at: dt.datetime
    text: str = Field(description="Ý kiến (trống khi chưa góp ý)")
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_person(obj: DraftComment) -> str:
        return obj.person.username

    @staticmethod
    def resolve_person_name(obj: DraftComment) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_version(obj: DraftComment) -> int:
        return obj.version.number


class EventOut(Schema):
    action: str = Field(description="Bước xử lý")
    action_label: str
    actor_name: str
    actor_position: str
    version: int | None
    text: str
    at: dt.datetime

    @staticmethod
    def resolve_action_label(obj: DraftEvent) -> str:
        return obj.get_action_display()

    @staticmethod
    def resolve_version(obj: DraftEvent) -> int | None:
        return obj.version.number if obj.version else None


class RecipientOut(Schema):
    unit_id: int | None = Field(description="Đơn vị trong hệ thống (nhận văn bản điện tử)")
    name: str
    agency_code: str


class DraftListItem(Schema):
    id: int
    status: str = Field(description=f"Trạng thái: {STATUS_HELP}")
    status_label: str
    document_type_id: int
    document_type_name: str
    subject: str
    urgency: int = Field(description=f"Độ khẩn: {URGENCY_HELP}")
    unit_id: int = Field(description="Đơn vị soạn thảo")
    issuing_unit_id: int = Field(description="Cơ quan ban hành")
    drafter: str = Field(description="Tài khoản người soạn thảo")
    current_version: int | None
    document_id: int | None = Field(description="Văn bản đi đã ban hành")
    number_symbol: str = Field(description="Số, ký hiệu khi đã ban hành")
    updated_at: dt.datetime

    @staticmethod
    def resolve_status_label(obj: Draft) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_document_type_name(obj: Draft) -> str:
        return obj.document_type.name

    @staticmethod
    def resolve_drafter(obj: Draft) -> str:
        return obj.drafter.username

    @staticmethod
    def resolve_current_version(obj: Draft) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_number_symbol(obj: Draft) -> str:
        return obj.document.number_symbol if obj.document else ""


class DraftOut(DraftListItem):
    legal_normative: bool
    due_date: dt.date | None
    business_type: int = Field(description="0 văn bản mới, 2 cập nhật, 3 thay thế")
    original_document_id: int | None
    signer: str = Field(description="Tài khoản người ký")
    authority: str = Field(description=f"Thẩm quyền ký: {AUTHORITY_HELP}")
    authority_title: str
    signer_position: str
    signer_block: list[str] = Field(description="Các dòng của thể thức chữ ký")
    reviewer: str | None
    checker: str | None
    content_decision: str = Field(description="“” chưa kiểm tra, accepted đạt, returned trả lại")
    format_decision: str
    content_version: int | None = Field(
        description="Phiên bản mà lần kiểm tra nội dung gần nhất đã xem; kết quả chỉ tính khi là "
        "phiên bản mới nhất"
    )
    format_version: int | None = Field(description="Như content_version, cho kiểm tra thể thức")
    approved_version: int | None = Field(
        description="Phiên bản đã được phê duyệt (nếu còn hiệu lực)"
    )
    signed: bool = Field(
        description="Phiên bản đã phê duyệt đã được người có thẩm quyền ký số (điều kiện ban hành)"
    )
    signed_by: str | None = Field(description="Tài khoản người ký số")
    signed_at: dt.datetime | None
    signed_sha256: str = Field(description="Mã băm SHA-256 của bản đã ký số")
    recipients: list[RecipientOut]
    versions: list[VersionOut]
    comments: list[CommentOut]
    events: list[EventOut] = Field(description="Quá trình xử lý, theo thời gian")
    actions: dict[str, bool] = Field(description="Những việc người gọi có thể làm lúc này")

    @staticmethod
    def resolve_signer(obj: Draft) -> str:
        return obj.signer.username

    @staticmethod
    def resolve_signer_block(obj: Draft) -> list[str]:
        return obj.signer_block()

    @staticmethod
    def resolve_reviewer(obj: Draft) -> str | None:
        return obj.reviewer.username if obj.reviewer else None

    @staticmethod
    def resolve_checker(obj: Draft) -> str | None:
        return obj.checker.username if obj.checker else None

    @staticmethod
    def resolve_content_version(obj: Draft) -> int | None:
        return obj.content_version.number if obj.content_version else None

    @staticmethod
    def resolve_format_version(obj: Draft) -> int | None:
        return obj.format_version.number if obj.format_version else None

    @staticmethod
    def resolve_approved_version(obj: Draft) -> int | None:
        return obj.approved_version.number if obj.is_approved and obj.approved_version else None

    @staticmethod
    def resolve_signed(obj: Draft) -> bool:
        return obj.is_signed

    @staticmethod
    def resolve_signed_by(obj: Draft) -> str | None:
        return obj.signed_by.username if obj.is_signed and obj.signed_by else None

    @staticmethod
    def resolve_signed_at(obj: Draft) -> dt.datetime | None:
        return obj.signed_at if obj.is_signed else None

    @staticmethod
    def resolve_signed_sha256(obj: Draft) -> str:
        return obj.signed_sha256 if obj.is_signed else ""

    @staticmethod
    def resolve_recipients(obj: Draft) -> list[Any]:
        return list(obj.recipients.all())

    @staticmethod
    def resolve_versions(obj: Draft) -> list[Any]:
        return list(obj.versions.all())

    @staticmethod
    def resolve_comments(obj: Draft) -> list[Any]:
        return list(obj.comments.all())

    @staticmethod
    def resolve_events(obj: Draft) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_actions(obj: Draft, context: dict[str, Any]) -> dict[str, bool]:
        """What the caller may do with the draft now."""
        user = request_user(context["request"])
        actions = selectors.draft_actions(user=user, draft=obj)
        return {**vars(actions), "sign": signing.draft_may_sign(user=user, draft=obj)}


class DraftPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DraftListItem]


class DraftListQuery(PageQuery):
    status: choice(DraftStatus.values, blank=True) = Field(
        "", description=f"Lọc theo trạng thái: {STATUS_HELP}"
    )


class WaitingCommentOut(Schema):
    draft_id: int
    subject: str
    deadline: dt.date
    request_note: str
    requested_by: str

    @staticmethod
    def resolve_subject(obj: DraftComment) -> str:
        return obj.draft.subject

    @staticmethod
    def resolve_requested_by(obj: DraftComment) -> str:
        return obj.requested_by.username


class WaitingOut(Schema):
    to_comment: list[WaitingCommentOut] = Field(description="Chờ góp ý")
    to_review: list[DraftListItem] = Field(description="Chờ kiểm tra nội dung")
    to_check: list[DraftListItem] = Field(description="Chờ kiểm tra thể thức")
    to_approve: list[DraftListItem] = Field(description="Chờ phê duyệt")
    to_sign: list[DraftListItem] = Field(
        description="Đã phê duyệt, chờ người phê duyệt ký số phiên bản mới nhất"
    )
    to_issue: list[DraftListItem] = Field(description="Đã ký số, chờ cấp số và ban hành (văn thư)")


class DraftCreateIn(Schema):
    issuing_unit_id: Id | None = Field(
        None, description="Cơ quan ban hành: đơn vị của người gọi (mặc định) hoặc đơn vị cấp trên"
    )
    document_type_id: Id = Field(description="Mã số loại văn bản (GET /documents/types)")
    subject: text(500) = Field(description="Trích yếu (tối đa 500 ký tự)")
    urgency: UrgencyChoice = Field(0, description=f"Độ khẩn: {URGENCY_HELP}")
    legal_normative: bool = False
    due_date: Day | None = Field(None, description="Hạn trả lời (YYYY-MM-DD)")
    recipient_unit_ids: list[Id] = id_list(
        "Nơi nhận trong hệ thống (lặp lại trường cho mỗi đơn vị)"
    )
    external_recipients: text(MAX_TEXT) = Field(
        "", description="Nơi nhận ngoài hệ thống: mỗi dòng “tên cơ quan; mã định danh”"
    )
    signer_id: Id | None = Field(None, description="Người ký: lãnh đạo của cơ quan ban hành")
    authority: choice(Authority.values) = Field("", description=f"Thẩm quyền ký: {AUTHORITY_HELP}")
    authority_title: text(100) = Field(
        "", description="Tập thể hoặc người đứng đầu được thay mặt (tối đa 100 ký tự)"
    )
    signer_position: text(100) = Field("", description="Chức vụ người ký (tối đa 100 ký tự)")
    note: text(500) = Field("", description="Ghi chú phiên bản 1 (tối đa 500 ký tự)")
    secrecy: text(30) = Field("", description="Độ mật (văn bản mật bị từ chối)")
    sensitive_declared: bool = Field(
        False, description="Xác nhận không có nội dung nhạy cảm, độc hại (bắt buộc)"
    )
    business_type: int_choice("DraftBusinessType", (0, 2, 3)) = Field(  # type: ignore[valid-type]
        0, description="0 văn bản mới, 2 cập nhật, 3 thay thế"
    )
    original_document_id: Id | None = Field(
        None, description="Văn bản đi được cập nhật hoặc thay thế"
    )


class VersionIn(Schema):
    note: text(500) = Field("", description="Nội dung thay đổi (tối đa 500 ký tự)")


class CommentRequestIn(Schema):
    people: list[Id] = Field(
        min_length=1,
        max_length=MAX_IDS,
        description="Mã số tài khoản những người được xin ý kiến",
    )
    deadline: Day = Field(description="Hạn góp ý (YYYY-MM-DD)")
    note: text(1000) = Field("", description="Nội dung xin ý kiến (tối đa 1000 ký tự)")


class CommentIn(Schema):
    text: LongText = Field(description=f"Ý kiến góp ý (tối đa {MAX_TEXT} ký tự)")


class SubmitIn(Schema):
    reviewer_id: Id = Field(description="Lãnh đạo đơn vị soạn thảo, kiểm tra nội dung")
    checker_id: Id = Field(description="Người kiểm tra thể thức")
    note: text(MAX_TEXT) = Field("", description=f"Nội dung trình (tối đa {MAX_TEXT} ký tự)")


class DecisionIn(Schema):
    accept: bool = Field(description="true: đạt / phê duyệt; false: trả lại để sửa")
    note: text(MAX_TEXT) = Field(
        "", description=f"Ý kiến (bắt buộc khi trả lại, tối đa {MAX_TEXT} ký tự)"
    )


PLACEMENT_HELP = (
    "Chỉ dùng khi trang đầu của bản đã ký không có dòng “Số:” và dòng ngày tháng để trống (bản "
    "quét): {0}, tọa độ {1} (mm) tính từ góc trên bên trái trang đầu"
)
MSG_PLACEMENT_INCOMPLETE = (
    "Hãy nhập đủ vị trí và kích thước (mm) của cả ô số văn bản và ô ngày tháng năm, hoặc để trống "
    "tất cả."
)


MAX_MM = 1189


class IssueIn(Schema):
    issued_amount: int | None = Field(None, ge=1, le=999, description="Số lượng bản (1 đến 999)")
    certificate_id: Id | None = Field(
        None, description="Chứng thư số tổ chức của cơ quan ban hành dùng để ký số khi phát hành"
    )
    pin: text(MAX_PIN) = Field(
        "", description="Mã PIN mở khóa của chứng thư số tổ chức (không được lưu)"
    )
    # NĐ 30/2020 Art. 15, Appendix I: where the number and the date go on a first page without
    # the reserved lines (a scan); millimetres from the page's top-left corner, all or none
    # (bounded by the largest paper size, A0's 1189 mm; the service checks the page itself).
    number_x: float | None = Field(
        None,
        ge=0,
        le=MAX_MM,
        allow_inf_nan=False,
        description=PLACEMENT_HELP.format("ô số văn bản", "x"),
    )
    number_y: float | None = Field(
        None,
        ge=0,
        le=MAX_MM,
        allow_inf_nan=False,
        description=PLACEMENT_HELP.format("ô số văn bản", "y"),
    )
    number_width: float | None = Field(
        None, ge=0, le=MAX_MM, allow_inf_nan=False, description="Ô số văn bản: rộng (mm)"
    )
    number_height: float | None = Field(
        None, ge=0, le=MAX_MM, allow_inf_nan=False, description="Ô số văn bản: cao (mm)"
    )
    date_x: float | None = Field(
        None,
        ge=0,
        le=MAX_MM,
        allow_inf_nan=False,
        description=PLACEMENT_HELP.format("ô ngày tháng năm", "x"),
    )
    date_y: float | None = Field(
        None,
        ge=0,
        le=MAX_MM,
        allow_inf_nan=False,
        description=PLACEMENT_HELP.format("ô ngày tháng năm", "y"),
    )
    date_width: float | None = Field(
        None, ge=0, le=MAX_MM, allow_inf_nan=False, description="Ô ngày tháng năm: rộng (mm)"
    )
    date_height: float | None = Field(
        None, ge=0, le=MAX_MM, allow_inf_nan=False, description="Ô ngày tháng năm: cao (mm)"
    )

    def placement(self) -> tuple[Box, Box] | None:
        """The number box and the date box, or None when none was given."""
        parts = ("x", "y", "width", "height")
        values = [getattr(self, f"{box}_{part}") for box in ("number", "date") for part in parts]
        if all(value is None for value in values):
            return None
        if any(value is None for value in values):
            raise ServiceError(MSG_PLACEMENT_INCOMPLETE, field="placement")
        return Box(*values[:4]), Box(*values[4:])


class SignIn(Schema):
    certificate_id: Id = Field(
        description="Chứng thư số cá nhân của người gọi, khóa do máy chủ giữ (PKCS#12, PKCS#11)"
    )
    pin: text(MAX_PIN) = Field("", description="Mã PIN mở khóa (không được lưu)")


class SignRequestIn(Schema):
    certificate_id: Id = Field(
        description="Chứng thư số cá nhân của người gọi, khóa trên máy người ký (vanban-sign)"
    )


class SignRequestOut(Schema):
    code: str = Field(description="Mã yêu cầu ký, dùng một lần với lệnh vanban-sign --code")
    expires_at: dt.datetime = Field(description="Hết hạn lúc")


class IssuedOut(Schema):
    draft_id: int
    document_id: int
    number_symbol: str
    issued_date: dt.date
    needs_paper_copy: bool = Field(
        description="Cơ quan nhận lưu trữ vĩnh viễn: cần gửi kèm bản giấy (R12)"
    )
    delivered_unit_ids: list[int] = Field(description="Đơn vị trong hệ thống đã nhận văn bản")
    number_date_note: str = Field(
        "",
        description=(
            "Rỗng khi số và ngày văn bản đã được ghi vào tệp PDF; nếu không, lý do không tự ghi "
            "được (văn thư kiểm tra tệp đã ban hành)"
        ),
    )


# ---------------------------------------------------------------- helpers


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    """The draft if the caller may see it; `DraftOut` adds what the caller may do with it."""
    return selectors.access_draft(user=request_user(request), pk=draft_id)


def _certificate(pk: int | None, field: str = "certificate_id") -> Certificate | None:
    """The certificate named by the caller; whether they may use it is the service's business."""
    if pk is None:
        return None
    certificate = Certificate.objects.filter(pk=pk).first()
    if certificate is None:
        raise ServiceError("Không tìm thấy chứng thư số.", field=field)
    return certificate


def _person(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).select_related("unit").first() if pk is not None else None


def _page(qs: QuerySet[Any], params: Any) -> dict[str, Any]:
    offset = (params.page - 1) * params.page_size
    return {
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": list(qs[offset : offset + params.page_size]),
    }


# ---------------------------------------------------------------- reads


@router.get(
    "",
    response={200: DraftPage, **ERRORS},
    operation_id="draft_list",
    summary="Dự thảo của tôi",
)
def draft_list(request: HttpRequest, params: Query[DraftListQuery]) -> dict[str, Any]:
    """Dự thảo do người gọi soạn, thay đổi gần nhất trước."""
    return _page(selectors.my_drafts(user=request_user(request), status=params.status), params)


@router.get(
    "/waiting",
    response={200: WaitingOut, **ERRORS},
    operation_id="draft_waiting",
    summary="Dự thảo chờ tôi xử lý",
)
def draft_waiting(request: HttpRequest) -> selectors.Waiting:
    """Chờ góp ý, chờ kiểm tra nội dung, thể thức, chờ phê duyệt, chờ ký số, chờ ban hành
    (văn thư)."""
    return selectors.waiting_for(user=request_user(request))


@router.get(
    "/{draft_id}",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_detail",
    summary="Một dự thảo: phiên bản, góp ý, quá trình xử lý",
)
def draft_detail(request: HttpRequest, draft_id: Id) -> Draft:
    """404 khi không có dự thảo hoặc người gọi không được xem."""
    return _draft(request, draft_id)


@router.get(
    "/{draft_id}/versions/{number}/download",
    response={200: None, 409: ErrorOut, **ERRORS},
    operation_id="draft_version_download",
    summary="Tải tệp một phiên bản dự thảo",
    openapi_extra=binary_response("Nội dung tệp của phiên bản, đã kiểm tra mã băm SHA-256"),
)
def draft_version_download(request: HttpRequest, draft_id: Id, number: VersionNumber) -> Any:
    """Mã băm SHA-256 được kiểm tra trước khi gửi (409 khi tệp mất hoặc bị thay đổi)."""
    try:
        download = services.version_download(
            actor=request_user(request), draft_pk=draft_id, number=number, ip=client_ip(request)
        )
    except files.FileUnavailable as exc:
        return download_unavailable_api(exc)
    return download_response(
        download.chunks,
        size=download.size,
        content_type=download.version.content_type,
        name=download.version.original_name,
    )


# ---------------------------------------------------------------- writes


@router.post(
    "",
    response={201: DraftOut, **ERRORS},
    operation_id="draft_create",
    summary="Tạo dự thảo (multipart/form-data, kèm tệp nội dung)",
)
def draft_create(
    request: HttpRequest,
    payload: Form[DraftCreateIn],
    content_file: File[UploadedFile | None] = None,
) -> Any:
    """Tạo dự thảo với phiên bản 1 của tệp nội dung `content_file`. Bị từ chối (400), không lưu
    gì, khi văn bản có độ mật, thiếu xác nhận không có nội dung nhạy cảm, tệp có dấu MẬT, TỐI MẬT,
    TUYỆT MẬT hoặc không thuộc định dạng được phép; người ký phải là lãnh đạo cơ quan ban hành."""
    actor = request_user(request)
    unit = actor.unit
    if payload.issuing_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.issuing_unit_id).first()  # type: ignore[assignment]
        if unit is None:
            raise ServiceError("Không tìm thấy cơ quan ban hành.", field="issuing_unit_id")
    wanted = list(dict.fromkeys(payload.recipient_unit_ids))  # in the order given
    units = sorted(Unit.objects.filter(pk__in=wanted), key=lambda u: wanted.index(u.pk))
    if len(units) != len(wanted):
        raise ServiceError("Không tìm thấy đơn vị nhận.", field="recipient_unit_ids")
    original = None
    if payload.original_document_id is not None:
        original = Document.objects.filter(pk=payload.original_document_id).first()
        if original is None:
            raise ServiceError(
                "Không tìm thấy văn bản được cập nhật hoặc thay thế.", field="original_document_id"
            )
    draft = services.draft_create(
        actor=actor,
        issuing_unit=unit,
        data=services.DraftInput(
            document_type=DocumentType.objects.filter(pk=payload.document_type_id).first(),
            subject=payload.subject,
            urgency=payload.urgency,
            legal_normative=payload.legal_normative,
            due_date=payload.due_date,
            authority=payload.authority,
            authority_title=payload.authority_title,
            signer_position=payload.signer_position,
        ),
        signer=_person(payload.signer_id),
        refusals=Refusals(
            secrecy=payload.secrecy.strip(), sensitive_declared=payload.sensitive_declared
        ),
        content_file=content_file,
        recipient_units=units,
        external_recipients=parse_external(payload.external_recipients),
        note=payload.note,
        business_type=payload.business_type,
        original_document=original,
        ip=client_ip(request),
    )
    return Status(201, _draft(request, draft.pk))


@router.post(
    "/{draft_id}/versions",
    response={201: DraftOut, **ERRORS},
    operation_id="draft_version_add",
    summary="Tải lên phiên bản mới (multipart/form-data)",
)
def draft_version_add(
    request: HttpRequest,
    draft_id: Id,
    payload: Form[VersionIn],
    content_file: File[UploadedFile | None] = None,
) -> Any:
    """Người soạn thảo tải lên phiên bản mới; phiên bản cũ giữ nguyên. Sau khi đã phê duyệt,
    phiên bản mới làm phê duyệt hết hiệu lực và phải phê duyệt lại."""
    draft = _draft(request, draft_id)
    services.draft_version_add(
        actor=request_user(request),
        draft=draft,
        content_file=content_file,
        note=payload.note,
        ip=client_ip(request),
    )
    return Status(201, _draft(request, draft_id))


@router.post(
    "/{draft_id}/comment-requests",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_comments_request",
    summary="Xin ý kiến góp ý",
)
def draft_comments_request(request: HttpRequest, draft_id: Id, payload: CommentRequestIn) -> Any:
    draft = _draft(request, draft_id)
    people = list(User.objects.filter(pk__in=payload.people))
    if len(people) != len(set(payload.people)):
        raise ServiceError("Không tìm thấy người được xin ý kiến.", field="people")
    services.draft_comments_request(
        actor=request_user(request),
        draft=draft,
        people=people,
        deadline=payload.deadline,
        note=payload.note,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/comments",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_comment",
    summary="Góp ý dự thảo (người được xin ý kiến)",
)
def draft_comment(request: HttpRequest, draft_id: Id, payload: CommentIn) -> Any:
    draft = _draft(request, draft_id)
    services.draft_comment(
        actor=request_user(request), draft=draft, text=payload.text, ip=client_ip(request)
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/submit",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_submit",
    summary="Trình kiểm tra nội dung và thể thức",
)
def draft_submit(request: HttpRequest, draft_id: Id, payload: SubmitIn) -> Any:
    draft = _draft(request, draft_id)
    services.draft_submit(
        actor=request_user(request),
        draft=draft,
        reviewer=_person(payload.reviewer_id),
        checker=_person(payload.checker_id),
        note=payload.note,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/content-review",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_review_content",
    summary="Kiểm tra nội dung (lãnh đạo đơn vị soạn thảo)",
)
def draft_review_content(request: HttpRequest, draft_id: Id, payload: DecisionIn) -> Any:
    draft = _draft(request, draft_id)
    services.draft_review_content(
        actor=request_user(request),
        draft=draft,
        accept=payload.accept,
        note=payload.note,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/format-check",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_check_format",
    summary="Kiểm tra thể thức (người được giao)",
)
def draft_check_format(request: HttpRequest, draft_id: Id, payload: DecisionIn) -> Any:
    draft = _draft(request, draft_id)
    services.draft_check_format(
        actor=request_user(request),
        draft=draft,
        accept=payload.accept,
        note=payload.note,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/approve",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_approve",
    summary="Phê duyệt dự thảo (người ký)",
)
def draft_approve(request: HttpRequest, draft_id: Id, payload: DecisionIn) -> Any:
    """Phê duyệt phiên bản mới nhất, hoặc trả lại người soạn thảo (accept=false, kèm ý kiến)."""
    draft = _draft(request, draft_id)
    services.draft_approve(
        actor=request_user(request),
        draft=draft,
        accept=payload.accept,
        note=payload.note,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/sign",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_sign",
    summary="Ký số phiên bản đã phê duyệt (người phê duyệt, khóa do máy chủ giữ)",
)
def draft_sign(request: HttpRequest, draft_id: Id, payload: SignIn) -> Any:
    """Người đã phê duyệt ký số tệp PDF của phiên bản đã phê duyệt bằng chứng thư số cá nhân có
    khóa do máy chủ giữ; chữ ký được kiểm tra ngay. Sai mã PIN, chứng thư số không phải của người
    gọi hoặc hết hiệu lực: bị từ chối, không lưu gì."""
    draft = _draft(request, draft_id)
    signing.draft_sign(
        actor=request_user(request),
        draft=draft,
        certificate=_certificate(payload.certificate_id),  # type: ignore[arg-type]
        pin=payload.pin,
        ip=client_ip(request),
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/signed-upload",
    response={200: DraftOut, **ERRORS},
    operation_id="draft_signed_upload",
    summary="Tải lên bản đã ký số bằng phần mềm khác (multipart/form-data)",
)
def draft_signed_upload(
    request: HttpRequest, draft_id: Id, file: File[UploadedFile | None] = None
) -> Any:
    """Tệp PDF `file` phải là phiên bản đã phê duyệt được ký thêm (không sửa nội dung) bằng
    chứng thư số cá nhân đã đăng ký của người phê duyệt, với chữ ký hợp lệ."""
    draft = _draft(request, draft_id)
    data = b""
    if file is not None:
        file.seek(0)
        data = file.read()
    signing.draft_signed_upload(
        actor=request_user(request), draft=draft, data=data, ip=client_ip(request)
    )
    return _draft(request, draft_id)


@router.post(
    "/{draft_id}/sign-request",
    response={201: SignRequestOut, **ERRORS},
    operation_id="draft_sign_request",
    summary="Tạo yêu cầu ký số bằng thiết bị ký trên máy người ký",
)
def draft_sign_request(request: HttpRequest, draft_id: Id, payload: SignRequestIn) -> Any:
    """Máy chủ chuẩn bị tệp cần ký và trả về mã yêu cầu dùng một lần; người ký chạy
    `vanban-sign --server <địa chỉ> --token <mã truy cập API> --code <mã>` trên máy có thiết bị
    ký. Yêu cầu đang chờ trước đó của người gọi cho dự thảo này bị hủy."""
    draft = _draft(request, draft_id)
    signing_request = signing.draft_sign_request(
        actor=request_user(request),
        draft=draft,
        certificate=_certificate(payload.certificate_id),  # type: ignore[arg-type]
        ip=client_ip(request),
    )
    return Status(201, {"code": signing_request.code, "expires_at": signing_request.expires_at})


@router.post(
    "/{draft_id}/issue",
    response={201: IssuedOut, **ERRORS},
    operation_id="draft_issue",
    summary="Cấp số, ký số tổ chức, vào sổ và ban hành (văn thư; multipart/form-data)",
)
def draft_issue(
    request: HttpRequest,
    draft_id: Id,
    payload: Form[IssueIn],
    attachments: File[list[UploadedFile] | None] = None,
) -> Any:
    """Văn thư cơ quan ban hành cấp số, ngày, ký số tổ chức bằng chứng thư số của đơn vị
    (`certificate_id`, `pin`), vào sổ văn bản đi với tệp chính là bản đã được người có thẩm quyền
    ký số, và gửi ngay văn bản điện tử cho các đơn vị nhận trong hệ thống. Các tệp PDF
    `attachments` (lặp lại trường cho mỗi tệp) được đính kèm và ký số tổ chức. Một dự thảo chỉ
    được ban hành một lần; dự thảo chưa được ký số bị từ chối."""
    draft = _draft(request, draft_id)
    certificate = _certificate(payload.certificate_id)
    document = services.draft_issue(
        actor=request_user(request),
        draft=draft,
        issued_amount=payload.issued_amount,
        organisation_key=(
            OrganisationKey(certificate=certificate, pin=payload.pin) if certificate else None
        ),
        attachments=list(attachments or []),
        placement=payload.placement(),
        ip=client_ip(request),
    )
    return Status(
        201,
        {
            "draft_id": draft.pk,
            "document_id": document.pk,
            "number_symbol": document.number_symbol,
            "issued_date": document.issued_date,
            "needs_paper_copy": document.needs_paper_copy,
            "number_date_note": draft.number_date_note,
            "delivered_unit_ids": sorted(
                document.deliveries.filter(transport=Transport.LOCAL).values_list(
                    "recipient_unit_id", flat=True
                )
            ),
        },
    )
