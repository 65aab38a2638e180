"""`/api/v1/`: units and accounts (R7) for scripts and other systems, with personal tokens.

Every endpoint only parses input and calls the same selectors and services as the web pages,
so a token can do exactly what its owner can do on the web, and nothing more.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Status
from ninja.renderers import JSONRenderer

from vanban.accounts import selectors as account_selectors
from vanban.accounts import services as account_services
from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.api import ERRORS, Id, answer_errors
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.http import client_ip

from . import documents
from .auth import MSG_MISSING, TokenAuth
from .schemas import (
    AccountCreatedOut,
    AccountIn,
    AccountListQuery,
    AccountOut,
    AccountPage,
    LockIn,
    MeOut,
    UnitIn,
    UnitListQuery,
    UnitOut,
    UnitPage,
    UnlockIn,
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


def _admin(request: HttpRequest) -> User:
    """As on the web pages: 403 for a person who administers no unit at all (R7)."""
    user = request_user(request)
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


answer_errors(api, missing_token=MSG_MISSING)


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
        ip=client_ip(request),
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
        actor=actor, user=user, reason=payload.reason, note=payload.note, ip=client_ip(request)
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
        actor=actor, user=user, note=payload.note, ip=client_ip(request)
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
    user = request_user(request)
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
api.add_router("/signatures", "vanban.signatures.api.router")
api.add_router("/records", "vanban.api.records.router")
api.add_router("/oversight", "vanban.oversight.api_statistics.router")
api.add_router("/reorganisation", "vanban.reorganisation.api.router")
