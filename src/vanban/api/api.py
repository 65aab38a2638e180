"""`/api/v1/`: units and accounts (R7) for scripts and other systems, with personal tokens.

Every endpoint only parses input and calls the same selectors and services as the web pages,
so a token can do exactly what its owner can do on the web, and nothing more.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from vanban.accounts import selectors as account_selectors
from vanban.accounts import services as account_services
from vanban.accounts.models import Unit, User
from vanban.core.errors import AccessDenied, NotFound, ServiceError

from . import documents
from .auth import MSG_MISSING, TokenAuth
from .schemas import (
    NO_NUL,
    AccountCreatedOut,
    AccountIn,
    AccountListQuery,
    AccountOut,
    AccountPage,
    ErrorOut,
    Id,
    LockIn,
    MeOut,
    UnitIn,
    UnitListQuery,
    UnitOut,
    UnitPage,
    UnlockIn,
    ValidationErrorOut,
)

DESCRIPTION = """
API của hệ thống quản lý văn bản và điều hành.

**Xác thực**: gửi mã truy cập API cá nhân trong tiêu đề `Authorization: Bearer vbt_...`.
Mã do quản trị máy chủ cấp bằng lệnh `vanban token create TENTAIKHOAN`. Mã có đúng
quyền của chủ tài khoản trên trang web; mã bị từ chối khi đã bị thu hồi, khi tài khoản bị tạm
khóa hoặc thu hồi, hoặc khi tài khoản chưa đổi mật khẩu cấp lần đầu.

**Lỗi**: mọi lỗi trả về JSON `{"detail": "...", "field": "..."}` với thông báo tiếng Việt:
400 dữ liệu không hợp lệ, 401 thiếu hoặc sai mã truy cập, 403 không có quyền, 404 không tìm thấy
(hoặc không được xem), 422 sai kiểu dữ liệu, thiếu trường hoặc ngoài giới hạn khai báo
trong tài liệu này (số trang, mã số, ngày, độ dài chuỗi, giá trị được chọn).
"""


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese text readable as is in the responses (TCVN 6909:2001, UTF-8)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="vanban API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    renderer=Utf8JSONRenderer(),
)

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _admin(request: HttpRequest) -> User:
    """As on the web pages: 403 for a person who administers no unit at all (R7)."""
    user = _actor(request)
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        raise AccessDenied("Bạn không có quyền quản trị.")
    return user


def _page(qs: QuerySet[Any], params: Any) -> dict[str, Any]:
    """One count and one slice, whatever the page size."""
    offset = (params.page - 1) * params.page_size
    return {
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
        "items": list(qs[offset : offset + params.page_size]),
    }


# ---------------------------------------------------------------- errors as JSON


def _error(
    request: HttpRequest, status: int, detail: str, field: str | None = None, **extra: Any
) -> HttpResponse:
    response = api.create_response(
        request, {"detail": detail, "field": field, **extra}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="vanban"'
    return response


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    status = 403 if isinstance(exc, AccessDenied) else 404 if isinstance(exc, NotFound) else 400
    return _error(request, status, exc.message, exc.field)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = exc.message
    if isinstance(exc, AuthenticationError) and message == "Unauthorized":
        message = MSG_MISSING
    elif message.startswith("Cannot parse request body"):
        message = "Nội dung yêu cầu không phải JSON hợp lệ."
    elif exc.status_code == 429:
        message = "Quá nhiều yêu cầu, hãy thử lại sau."
    return _error(request, exc.status_code, message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Không tìm thấy đối tượng yêu cầu.")


_PYDANTIC_MESSAGES = {
    "missing": "bắt buộc phải có",
    "int_parsing": "phải là số nguyên",
    "int_parsing_size": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "string_type": "phải là chuỗi ký tự",
    "string_unicode": "phải là chuỗi ký tự Unicode hợp lệ",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là danh sách",
    "dict_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
    "model_type": "phải là đối tượng JSON",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
}


def _value(value: Any) -> str:
    """A bound as the user reads it: dates as dd/mm/yyyy."""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _validation_message(error: dict[str, Any]) -> str:
    """Each bound declared in the schemas (schemas.py), said in Vietnamese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return f"phải từ {_value(ctx.get('ge', ctx.get('gt')))} trở lên"
    if kind in ("less_than_equal", "less_than"):
        return f"phải không quá {_value(ctx.get('le', ctx.get('lt')))}"
    if kind == "string_too_long":
        return f"dài quá {ctx.get('max_length')} ký tự"
    if kind == "too_long":
        return f"có quá {ctx.get('max_length')} phần tử"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == NO_NUL:
            return "không được chứa ký tự NUL (\\x00)"
        return "không đúng định dạng"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace("''", "“”")
        expected = expected.replace("'", "")
        return f"phải là một trong: {expected}"
    return _PYDANTIC_MESSAGES.get(kind, "không hợp lệ")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "full_name") -> "full_name"; ("query", "page") -> "page"
        name = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "nội dung"
        errors.append(
            {
                "loc": loc,
                "field": name,
                "msg": _validation_message(error),
                "type": error.get("type", ""),
            }
        )
    detail = (
        "Dữ liệu gửi lên không hợp lệ: "
        + "; ".join(f"{e['field']}: {e['msg']}" for e in errors)
        + "."
    )
    first = errors[0]["field"] if errors else None
    return _error(request, 422, detail, first, errors=errors)


# ---------------------------------------------------------------- units


@api.get(
    "/units",
    response={200: UnitPage, **ERRORS},
    tags=["Đơn vị"],
    operation_id="unit_list",
    summary="Danh sách đơn vị được quản trị",
)
def unit_list(request: HttpRequest, params: Query[UnitListQuery]) -> dict[str, Any]:
    """Quản trị tỉnh thấy mọi đơn vị; quản trị đơn vị thấy đơn vị của mình."""
    qs = account_selectors.unit_list(user=_admin(request), query=params.q)
    return _page(qs, params)


@api.post(
    "/units",
    response={201: UnitOut, **ERRORS},
    tags=["Đơn vị"],
    operation_id="unit_create",
    summary="Thêm đơn vị (quản trị tỉnh)",
)
def unit_create(request: HttpRequest, payload: UnitIn) -> Status[Unit]:
    """Thêm đơn vị vào cây đơn vị của tỉnh (tối đa 4 cấp). Chỉ quản trị tỉnh."""
    actor = _admin(request)
    if not actor.is_province_admin:  # before looking at the input, as on the web page
        raise AccessDenied("Chỉ quản trị tỉnh được thực hiện thao tác này.")
    parent = None
    if payload.parent_id is not None:
        parent = Unit.objects.filter(pk=payload.parent_id).first()
        if parent is None:
            raise ServiceError("Không tìm thấy đơn vị cấp trên.", field="parent_id")
    unit = account_services.unit_create(
        actor=actor,
        name=payload.name,
        symbol=payload.symbol,
        abbreviation=payload.abbreviation,
        agency_code=payload.agency_code,
        parent=parent,
        is_active=payload.is_active,
    )
    unit.member_count = 0  # type: ignore[attr-defined]
    return Status(201, unit)


@api.get(
    "/units/{unit_id}",
    response={200: UnitOut, **ERRORS},
    tags=["Đơn vị"],
    operation_id="unit_detail",
    summary="Thông tin một đơn vị",
)
def unit_detail(request: HttpRequest, unit_id: Id) -> Unit:
    unit = account_selectors.access_unit(user=_admin(request), pk=unit_id)
    unit.member_count = unit.members.count()  # type: ignore[attr-defined]
    return unit


# ---------------------------------------------------------------- accounts


@api.get(
    "/accounts",
    response={200: AccountPage, **ERRORS},
    tags=["Tài khoản"],
    operation_id="account_list",
    summary="Danh sách tài khoản được quản trị",
)
def account_list(request: HttpRequest, params: Query[AccountListQuery]) -> dict[str, Any]:
    """Tài khoản thuộc các đơn vị mà người gọi quản trị; tìm kiếm không phân biệt dấu."""
    qs = account_selectors.account_list(
        user=_admin(request),
        query=params.q,
        unit_id=params.unit,
        status=params.status,
    ).prefetch_related("role_assignments")
    return _page(qs, params)


@api.post(
    "/accounts",
    response={201: AccountCreatedOut, **ERRORS},
    tags=["Tài khoản"],
    operation_id="account_create",
    summary="Cấp tài khoản mới",
)
def account_create(request: HttpRequest, payload: AccountIn) -> Status[dict[str, Any]]:
    """Cấp tài khoản trong đơn vị mình quản trị. Mật khẩu dùng một lần chỉ trả về một lần."""
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise ServiceError("Không tìm thấy đơn vị.", field="unit_id")
    issued = account_services.account_create(
        actor=_admin(request),
        unit=unit,
        full_name=payload.full_name,
        username=payload.username,
        position=payload.position,
        email=payload.email,
        phone=payload.phone,
        roles=payload.roles,
        ip=_client_ip(request),
    )
    return Status(201, {"account": issued.user, "one_time_password": issued.one_time_password})


@api.get(
    "/accounts/{account_id}",
    response={200: AccountOut, **ERRORS},
    tags=["Tài khoản"],
    operation_id="account_detail",
    summary="Thông tin một tài khoản",
)
def account_detail(request: HttpRequest, account_id: Id) -> User:
    return account_selectors.access_account(user=_admin(request), pk=account_id)


@api.post(
    "/accounts/{account_id}/lock",
    response={200: AccountOut, **ERRORS},
    tags=["Tài khoản"],
    operation_id="account_lock",
    summary="Tạm khóa tài khoản",
)
def account_lock(request: HttpRequest, account_id: Id, payload: LockIn) -> User:
    """Tạm khóa với một trong các lý do của quy chế và ghi chú bắt buộc."""
    actor = _admin(request)
    user = account_selectors.access_account(user=actor, pk=account_id)
    return account_services.account_lock(
        actor=actor, user=user, reason=payload.reason, note=payload.note, ip=_client_ip(request)
    )


@api.post(
    "/accounts/{account_id}/unlock",
    response={200: AccountOut, **ERRORS},
    tags=["Tài khoản"],
    operation_id="account_unlock",
    summary="Mở khóa tài khoản",
)
def account_unlock(request: HttpRequest, account_id: Id, payload: UnlockIn) -> User:
    actor = _admin(request)
    user = account_selectors.access_account(user=actor, pk=account_id)
    return account_services.account_unlock(
        actor=actor, user=user, note=payload.note, ip=_client_ip(request)
    )


# ---------------------------------------------------------------- me


@api.get(
    "/me",
    response={200: MeOut, **ERRORS},
    tags=["Cá nhân"],
    operation_id="me",
    summary="Tài khoản của mã truy cập API đang dùng",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = _actor(request)
    managed = user.managed_unit_ids()
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "unit_id": user.unit_id,
        "unit_name": user.unit.name,
        "roles": sorted(role for _, role in user.role_pairs()),
        "is_province_admin": user.is_province_admin,
        "managed_unit_ids": None if managed is None else sorted(managed),
        "token_prefix": f"vbt_{request.api_token.prefix}",  # type: ignore[attr-defined]
    }


# ---------------------------------------------------------------- documents (R9-R17)

api.add_router("/documents", documents.router)
api.add_router("/workflow", "vanban.workflow.api.router")
api.add_router("/drafts", "vanban.drafting.api.router")
api.add_router("/exchange", "vanban.exchange.delivery_api.router")
api.add_router("/signatures", "vanban.drafting.signing_api.router")
