"""How the API answers a request: the rule of `vanban.core.http` in JSON, and the building blocks
of the API schemas that every app's router uses (docs/architecture.md, "Answering a request").

Every error is `{"detail": "...", "field": "..."}` with a Vietnamese message (`ErrorOut`):
- `NotFound` (an object the caller may not see, or that does not exist) and `Http404`: 404;
- `AccessDenied` (the caller's role lacks the action): 403;
- any other `ServiceError` (a refused action, bad input the service saw): 400 with its message;
- input outside the bounds declared in the schemas: 422 (`ValidationErrorOut`), before any query;
- a missing or wrong token: 401 with `WWW-Authenticate`.
`answer_errors(api)` registers these as django-ninja exception handlers, once, on the one
`NinjaAPI` that the api package assembles; routers only raise.

Every input is bounded in its schema, so that the OpenAPI document declares exactly what the
server accepts: ids are positive 64-bit integers, pages and page sizes have a maximum, dates lie in
the years the registers use, strings have the length of their database column (or of the
service's limit) and no NUL character (PostgreSQL text cannot hold one), choices are enums.
"""

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import StringConstraints

from .errors import AccessDenied, NotFound, ServiceError
from .forms import MAX_PAGE, MAX_YEAR, MIN_YEAR

# ---------------------------------------------------------------- bounded input types

MAX_ID = 2**63 - 1  # BigAutoField: PostgreSQL bigint, SQLite integer
MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)
MAX_IDS = 200  # ids in one list (recipients, people asked for comments...)
MAX_TEXT = 4000  # free text (directions, comments, results): the services' limit
MAX_PAGE_SIZE = 200
NO_NUL = r"^[^\x00]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="Mã số (số nguyên dương)")]
Day = Annotated[
    dt.date,
    Field(
        ge=MIN_DATE,
        le=MAX_DATE,
        description=f"Ngày dạng YYYY-MM-DD, từ năm {MIN_YEAR} đến năm {MAX_YEAR}",
    ),
]


def text(max_length: int) -> Any:
    """A string of at most `max_length` characters without NUL, as its column can hold."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]


def choice(values: Iterable[Any], *, blank: bool = False) -> Any:
    """One of `values` (or "" when `blank`), declared as an enum in the OpenAPI document."""
    options = ([""] if blank else []) + list(values)
    return Literal[tuple(options)]


def int_choice(name: str, values: Iterable[int]) -> Any:
    """One of the integers `values`, declared as an enum; form and query strings ("2") accepted."""
    return enum.IntEnum(name, {f"V{value}": value for value in values})


def id_list(description: str) -> Any:
    return Field(default_factory=list, max_length=MAX_IDS, description=description)


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description=f"Số trang, từ 1 đến {MAX_PAGE}")
    page_size: int = Field(
        50, ge=1, le=MAX_PAGE_SIZE, description=f"Số dòng mỗi trang (tối đa {MAX_PAGE_SIZE})"
    )


# ---------------------------------------------------------------- errors as JSON


class ErrorOut(Schema):
    detail: str = Field(description="Lý do, bằng tiếng Việt, để hiển thị cho người dùng.")
    field: str | None = Field(None, description="Trường dữ liệu gây lỗi, nếu có.")


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = Field(
        description="Chi tiết từng lỗi: vị trí (loc), mô tả (msg)."
    )


# The error answers every endpoint declares (`response={200: ..., **ERRORS}`).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def refusal_status(exc: ServiceError) -> int:
    """A refused action's status: 404 not found (for this caller), 403 not allowed, else 400."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AccessDenied):
        return 403
    return 400


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


def answer_errors(api: NinjaAPI, *, missing_token: str) -> None:
    """Register the rule above as `api`'s exception handlers; `missing_token` is the 401 message."""

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
        return _error(request, refusal_status(exc), exc.message, exc.field)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = missing_token
        elif message.startswith("Cannot parse request body"):
            message = "Nội dung yêu cầu không phải JSON hợp lệ."
        elif exc.status_code == 429:
            message = "Quá nhiều yêu cầu, hãy thử lại sau."
        return _error(request, exc.status_code, message)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(request, 404, "Không tìm thấy đối tượng yêu cầu.")

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
