"""`/api/v1/documents`: register, list, read, search and download documents (R9-R17).

As the web pages: a unit's documents are seen by its clerks and leaders and by the people a
document was given to; only the unit's clerk registers. Each endpoint only parses the request and
calls `vanban.documents` services and selectors; their refusals become JSON by the handlers of
`api.py` (400, 403, 404).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.api import ERRORS, Id
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip
from vanban.documents import files, search, selectors, services
from vanban.documents.downloads import binary_response, download_response, download_unavailable_api
from vanban.documents.models import Direction, Document, DocumentType
from vanban.documents.visibility import VisibleDocuments
from vanban.signatures.api import SignaturesNotConfirmedOut, not_confirmed_answer

from .document_schemas import (
    DIRECTION_HELP,
    DocumentListQuery,
    DocumentOut,
    DocumentPage,
    DocumentSearchPage,
    DocumentSearchQuery,
    DocumentTypeOut,
    DuplicateOut,
    IncomingIn,
    OutgoingIn,
    UnavailableOut,
)

router = Router(tags=["Văn bản"])


def _page(qs: QuerySet[Any] | VisibleDocuments, params: Any) -> dict[str, Any]:
    """One count and one slice, whatever the page size (a list of documents: one of each per
    half of the visibility rule, documents/visibility.py)."""
    offset = (params.page - 1) * params.page_size
    return {
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": list(qs[offset : offset + params.page_size]),
    }


def _direction(value: str) -> str | None:
    if not value:
        return None
    if value not in Direction.values:
        raise ServiceError(f"Loại văn bản không hợp lệ; chọn {DIRECTION_HELP}.", field="direction")
    return value


# ---------------------------------------------------------------- registration


def _register_unit(actor: User, unit_id: int | None) -> Unit:
    """The unit named, or the caller's only register; the service decides if they may use it."""
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise ServiceError("Không tìm thấy đơn vị.", field="unit_id")
        return unit
    units = list(selectors.clerk_units(user=actor)[:2])
    if len(units) > 1:
        raise ServiceError(
            "Bạn là văn thư của nhiều đơn vị; hãy chọn đơn vị vào sổ (unit_id).", field="unit_id"
        )
    # Not a clerk at all: their own unit, where the service refuses them with its message.
    return units[0] if units else actor.unit


def _input(payload: IncomingIn | OutgoingIn, **extra: Any) -> services.DocumentInput:
    # An unknown type goes to the service as None: it answers "Hãy chọn loại văn bản." after
    # checking the caller's permission, as on the web page.
    document_type = DocumentType.objects.filter(pk=payload.document_type_id).first()
    return services.DocumentInput(
        document_type=document_type,  # type: ignore[arg-type]
        subject=payload.subject,
        signer_position=payload.signer_position,
        signer_name=payload.signer_name,
        urgency=payload.urgency,
        due_date=payload.due_date,
        page_amount=payload.page_amount,
        description=payload.description,
        language=payload.language,
        legal_normative=payload.legal_normative,
        **extra,
    )


def _refusals(payload: IncomingIn | OutgoingIn) -> services.Refusals:
    return services.Refusals(
        secrecy=payload.secrecy.strip(),
        complaint=payload.complaint,
        sensitive_declared=payload.sensitive_declared,
    )


@router.post(
    "/incoming",
    response={201: DocumentOut, 409: DuplicateOut | SignaturesNotConfirmedOut, **ERRORS},
    operation_id="incoming_register",
    summary="Vào sổ văn bản đến (văn thư)",
)
def incoming_register(
    request: HttpRequest,
    payload: Form[IncomingIn],
    main_file: File[UploadedFile | None] = None,
    attachments: File[list[UploadedFile] | None] = None,
) -> Any:
    """Văn thư vào sổ một văn bản đến, gửi dạng multipart/form-data: các trường của văn bản,
    tệp chính `main_file` (bản quét PDF/ảnh hoặc văn bản điện tử) và các tệp đính kèm
    `attachments`. Ngày đến và số đến do hệ thống cấp.

    Bị từ chối (400), không lưu gì, khi văn bản có độ mật, là đơn thư khiếu nại, tố cáo, chưa có
    xác nhận không có nội dung nhạy cảm, hoặc nội dung tệp có dấu MẬT, TỐI MẬT, TUYỆT MẬT; khi tệp
    không thuộc định dạng được phép (xác định theo nội dung, không theo tên tệp). Trùng số, ký hiệu
    và cơ quan ban hành với văn bản đã có: 409 kèm mã số văn bản đã có; gửi lại với
    `confirm_duplicate=true` nếu đúng là văn bản khác.

    Chữ ký số của từng tệp PDF được kiểm tra trước khi vào sổ; kết quả có trong
    `signature_reports` của văn bản. Khi có tệp chữ ký không hợp lệ hoặc không được tin cậy:
    409 kèm kết quả kiểm tra từng tệp (`signatures`), không lưu gì; gửi lại với
    `signature_reason` (lý do vẫn vào sổ, được ghi lại) nếu đã xác minh được văn bản.
    """
    actor = request_user(request)
    unit = _register_unit(actor, payload.unit_id)
    issuer_unit = None
    if payload.issuer_unit_id is not None:
        issuer_unit = Unit.objects.filter(pk=payload.issuer_unit_id).first()
        if issuer_unit is None:
            raise ServiceError("Không tìm thấy cơ quan ban hành.", field="issuer_unit_id")
    data = _input(
        payload,
        code_number=payload.code_number,
        code_notation=payload.code_notation,
        issued_date=payload.issued_date,
        issuer_unit=issuer_unit,
        issuer_name=payload.issuer_name,
        issuer_code=payload.issuer_code,
        to_places=payload.to_places,
        is_electronic=payload.is_electronic,
    )
    try:
        document = services.incoming_register(
            actor=actor,
            unit=unit,
            data=data,
            refusals=_refusals(payload),
            main_file=main_file,
            attachments=list(attachments or []),
            confirm_duplicate=payload.confirm_duplicate,
            signature_reason=payload.signature_reason,
            ip=client_ip(request),
        )
    except services.SignaturesNotConfirmed as exc:
        return Status(409, not_confirmed_answer(exc))
    except services.DuplicateDocument as exc:
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
    # Read back as the detail endpoint does, so both answers are the same.
    return Status(201, selectors.access_document(user=actor, pk=document.pk))


@router.post(
    "/outgoing",
    response={201: DocumentOut, **ERRORS},
    operation_id="outgoing_register",
    summary="Vào sổ văn bản đi, cấp số và ký hiệu (văn thư)",
)
def outgoing_register(
    request: HttpRequest,
    payload: Form[OutgoingIn],
    main_file: File[UploadedFile | None] = None,
    attachments: File[list[UploadedFile] | None] = None,
) -> Any:
    """Văn thư cấp số, ghi ngày và vào sổ một văn bản đi, gửi dạng multipart/form-data; tệp chính
    `main_file` là bắt buộc. Số lấy theo sổ của đơn vị trong năm (liên tục, không trùng, không
    bỏ số); ký hiệu ghép theo quy tắc của Nghị định 30/2020 (ví dụ `01/QĐ-STTTT`, công văn
    `02/STTTT-VP`, văn bản quy phạm pháp luật `01/2026/QĐ-STTTT`). Các trường hợp từ chối như
    văn bản đến.
    """
    actor = request_user(request)
    unit = _register_unit(actor, payload.unit_id)
    data = _input(
        payload,
        recipients=payload.recipients,
        drafting_symbol=payload.drafting_symbol,
        archive_holder=payload.archive_holder,
        issued_amount=payload.issued_amount,
    )
    document = services.outgoing_register(
        actor=actor,
        unit=unit,
        data=data,
        refusals=_refusals(payload),
        main_file=main_file,
        attachments=list(attachments or []),
        ip=client_ip(request),
    )
    # Read back as the detail endpoint does, so both answers are the same.
    return Status(201, selectors.access_document(user=actor, pk=document.pk))


# ---------------------------------------------------------------- reads


@router.get(
    "/types",
    response={200: list[DocumentTypeOut], **ERRORS},
    operation_id="document_type_list",
    summary="Các loại văn bản",
)
def document_type_list(request: HttpRequest) -> QuerySet[DocumentType]:
    """29 loại văn bản hành chính (Nghị định 30/2020, Phụ lục III) đang dùng, với chữ viết tắt."""
    return DocumentType.objects.filter(is_active=True).order_by("order", "name")


@router.get(
    "",
    response={200: DocumentPage, **ERRORS},
    operation_id="document_list",
    summary="Danh sách văn bản được xem",
)
def document_list(request: HttpRequest, params: Query[DocumentListQuery]) -> dict[str, Any]:
    """Văn bản của các đơn vị mà người gọi là văn thư hoặc lãnh đạo, và văn bản được chuyển cho
    người gọi; văn bản khẩn lên trước, rồi mới vào sổ trước."""
    qs = selectors.document_list(
        user=request_user(request), direction=_direction(params.direction)
    ).defer("search_text")
    if params.unit is not None:
        qs = qs.filter(unit_id=params.unit)
    if params.year is not None:
        qs = qs.filter(year=params.year)
    return _page(qs, params)


@router.get(
    "/search",
    response={200: DocumentSearchPage, **ERRORS},
    operation_id="document_search",
    summary="Tìm kiếm văn bản",
)
def document_search(request: HttpRequest, params: Query[DocumentSearchQuery]) -> dict[str, Any]:
    """Tìm trong các văn bản người gọi được xem, như ô tìm kiếm trên trang web: không phân biệt
    dấu và chữ hoa (“quyet dinh” tìm thấy “Quyết định”), không bỏ từ nào, số và ký hiệu chỉ khớp
    nguyên vẹn (“613/QD-PVHTT” không khớp “1613/...”); lọc theo loại văn bản, đơn vị và ngày văn
    bản. Số kết quả là chính xác, hoặc được đánh dấu là ước lượng (`count_exact` false) khi rất
    nhiều; trang đầu không phải chờ đếm hết kết quả."""
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise ServiceError("Ngày bắt đầu phải trước ngày kết thúc.", field="from")
    document_types = []
    if params.type is not None:
        document_types = list(DocumentType.objects.filter(pk=params.type))
        if not document_types:
            raise ServiceError("Không tìm thấy loại văn bản.", field="type")
    results = search.document_search(
        user=request_user(request),
        query=params.q,
        direction=_direction(params.direction) or "",
        document_types=document_types,
        issued_from=params.date_from,
        issued_to=params.date_to,
        sort=params.sort,
    )
    if params.unit is not None:
        results = results.filter(unit_id=params.unit)
    page = search.search_page(results, page=params.page, page_size=params.page_size)
    return {
        "count": page.count,
        "count_exact": page.exact,
        "has_next": page.has_next,
        "page": page.number,
        "page_size": page.page_size,
        "items": page.rows,
    }


@router.get(
    "/{document_id}",
    response={200: DocumentOut, **ERRORS},
    operation_id="document_detail",
    summary="Thông tin một văn bản và các tệp",
)
def document_detail(request: HttpRequest, document_id: Id) -> Document:
    """Mọi trường của văn bản và danh sách tệp (tên, định dạng, dung lượng, SHA-256, địa chỉ
    tải xuống). 404 khi không có văn bản hoặc người gọi không được xem."""
    return selectors.access_document(user=request_user(request), pk=document_id)


@router.get(
    "/files/{file_id}/download",
    response={200: None, 409: UnavailableOut, **ERRORS},
    operation_id="document_file_download",
    url_name="document_file_download",
    summary="Tải một tệp văn bản xuống",
    openapi_extra=binary_response("Nội dung tệp, đã kiểm tra mã băm SHA-256"),
)
def document_file_download(request: HttpRequest, file_id: Id) -> Any:
    """Nội dung tệp, chỉ khi người gọi được xem văn bản chứa tệp (nếu không: 404). Mã băm SHA-256
    được kiểm tra trước khi gửi: tệp mất hoặc bị thay đổi trong kho trả lời 409. Mỗi lần tải, và
    mỗi lần bị từ chối vì tệp hỏng, được ghi nhật ký."""
    try:
        download = files.file_download(
            actor=request_user(request), file_id=file_id, ip=client_ip(request)
        )
    except files.FileUnavailable as exc:
        return download_unavailable_api(exc, document_id=exc.document_id)
    return download_response(
        download.chunks,
        size=download.size,
        content_type=download.file.content_type,
        name=download.file.original_name,
    )
