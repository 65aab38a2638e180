"""Register series and numbers (NĐ 30/2020 Art. 15-16, 22; R14): opening a series for a year,
taking the next number of the series that numbers a document, and composing the number and
symbol of an outgoing document.

Numbers are gap-free and unique per series and year: the series row is locked while a number is
taken, in the same transaction as the document row, so a failed registration gives its number back.
"""

from typing import Any

from django.db import IntegrityError, connection, transaction

from vanban.accounts.models import Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import nfc

from ..models import Direction, DocumentType, RegisterSeries
from ._common import local_today


def _require_series_manager(actor: User, unit: Unit) -> None:
    """The head decides the numbering scheme; the clerk or the unit admin records it."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if not any(actor.has_role(r, unit) for r in (Role.CLERK, Role.LEADER, Role.UNIT_ADMIN)):
        raise AccessDenied("Chỉ lãnh đạo, văn thư hoặc quản trị đơn vị được thiết lập sổ văn bản.")


MSG_SERIES_CLOSED = (
    "Sổ “{name}” năm {year} đã khóa ngày {day:%d/%m/%Y} vì đơn vị kết thúc hoạt động; không cấp "
    "số mới trong sổ này. Văn bản mới đăng ký ở đơn vị tiếp nhận."
)
MSG_SERIES_STOPPED = "Sổ “{name}” năm {year} đã ngừng dùng; không cấp số mới trong sổ này."
MSG_UNIT_ENDED = (
    "{unit} đã kết thúc hoạt động ngày {day:%d/%m/%Y}; không mở sổ và cấp số mới cho đơn vị này."
)


def series_closed_message(series: RegisterSeries) -> str:
    """Why a series takes no number: closed with its unit (CV 414/BNV-VTLTNN), or stopped."""
    if series.closed_on is not None:
        return MSG_SERIES_CLOSED.format(name=series.name, year=series.year, day=series.closed_on)
    return MSG_SERIES_STOPPED.format(name=series.name, year=series.year)


def _series_default_name(
    direction: str, document_type: DocumentType | None, legal_normative: bool
) -> str:
    if direction == Direction.INCOMING:
        return "Sổ đăng ký văn bản đến"
    if legal_normative and document_type:
        return f"Sổ văn bản quy phạm pháp luật – {document_type.name}"
    if document_type:
        return f"Sổ đăng ký văn bản đi – {document_type.name}"
    return "Sổ đăng ký văn bản đi"


def series_create(
    *,
    actor: User,
    unit: Unit,
    year: int,
    direction: str,
    document_type: DocumentType | None = None,
    legal_normative: bool = False,
    name: str = "",
) -> RegisterSeries:
    """Open a series for a year: one per type for outgoing documents if the head so decides.
    An ended unit opens none (CV 414/BNV-VTLTNN: its registers closed with it)."""
    _require_series_manager(actor, unit)
    if unit.end_date is not None and unit.end_date < local_today():
        raise ServiceError(MSG_UNIT_ENDED.format(unit=unit.name, day=unit.end_date))
    if direction not in Direction.values:
        raise ServiceError("Loại sổ không hợp lệ.", field="direction")
    if direction == Direction.INCOMING and (document_type or legal_normative):
        raise ServiceError(
            "Văn bản đến có một sổ chung cho mọi loại văn bản (số đến liên tục).",
            field="document_type",
        )
    if legal_normative and document_type is None:
        raise ServiceError(
            "Sổ văn bản quy phạm pháp luật phải gắn với một loại văn bản.", field="document_type"
        )
    current = local_today().year
    if not current - 1 <= year <= current + 1:
        raise ServiceError(
            f"Năm của sổ phải trong khoảng {current - 1}–{current + 1}.", field="year"
        )
    name = nfc(name)[:200] or _series_default_name(direction, document_type, legal_normative)
    try:
        with transaction.atomic():
            series = RegisterSeries.objects.create(
                unit=unit,
                year=year,
                direction=direction,
                document_type=document_type,
                legal_normative=legal_normative,
                name=name,
            )
            audit_record(
                actor=actor,
                action="series.create",
                unit=unit,
                target=series,
                data={"year": year, "direction": direction, "name": name},
            )
    except IntegrityError as exc:
        raise ServiceError("Đơn vị đã có sổ này trong năm.", field="document_type") from exc
    return series


def _series_scope(
    *, unit: Unit, year: int, direction: str, document_type: DocumentType, legal_normative: bool
) -> dict[str, Any]:
    """Which series of the unit's year numbers the document: for outgoing documents, a series
    of their own type (legal normative documents always, others when the unit keeps one), else
    the unit's general series of the direction."""
    scope_type: DocumentType | None = None
    scope_legal = False
    if direction == Direction.OUTGOING:
        if legal_normative:
            scope_type, scope_legal = document_type, True
        elif RegisterSeries.objects.filter(
            unit=unit,
            year=year,
            direction=direction,
            is_active=True,
            document_type=document_type,
            legal_normative=False,
        ).exists():
            scope_type = document_type
    return {"document_type": scope_type, "legal_normative": scope_legal}


def _series_open(*, unit: Unit, year: int, direction: str, scope: dict[str, Any]) -> RegisterSeries:
    """The active series of `scope` (from `_series_scope`), opened on first use in a new year."""
    series = RegisterSeries.objects.filter(
        unit=unit, year=year, direction=direction, is_active=True, **scope
    ).first()
    if series is not None:
        return series
    stopped = RegisterSeries.objects.filter(
        unit=unit, year=year, direction=direction, is_active=False, **scope
    ).first()
    if stopped is not None:
        raise ServiceError(series_closed_message(stopped))
    if unit.end_date is not None and unit.end_date < local_today():
        raise ServiceError(MSG_UNIT_ENDED.format(unit=unit.name, day=unit.end_date))
    name = _series_default_name(direction, scope["document_type"], scope["legal_normative"])
    try:
        with transaction.atomic():
            return RegisterSeries.objects.create(
                unit=unit, year=year, direction=direction, name=name, **scope
            )
    except IntegrityError:
        # Another clerk opened it at the same moment.
        series = RegisterSeries.objects.get(unit=unit, year=year, direction=direction, **scope)
    if not series.is_active:
        raise ServiceError(series_closed_message(series))
    return series


def _series_and_number(
    *, unit: Unit, year: int, direction: str, document_type: DocumentType, legal_normative: bool
) -> tuple[int, int]:
    """(series id, number) for a new document: the series of `_series_scope` takes its next
    number in one statement (the constraints of RegisterSeries allow one such series); a series
    not opened yet this year is opened first."""
    scope = _series_scope(
        unit=unit,
        year=year,
        direction=direction,
        document_type=document_type,
        legal_normative=legal_normative,
    )
    scope_type = scope["document_type"]
    taken = _next_number(
        "unit_id = %s AND year = %s AND direction = %s AND is_active AND legal_normative = %s AND "
        + ("document_type_id = %s" if scope_type else "document_type_id IS NULL"),
        [unit.pk, year, direction, scope["legal_normative"]]
        + ([scope_type.pk] if scope_type else []),
    )
    if taken is not None:
        return taken
    series = _series_open(unit=unit, year=year, direction=direction, scope=scope)
    return series.pk, _take_number(series)


def _take_number(series: RegisterSeries) -> int:
    taken = _next_number("id = %s", [series.pk])
    if taken is None:
        raise ServiceError("Không tìm thấy sổ đăng ký.")
    return taken[1]


def _next_number(where: str, params: list[Any]) -> tuple[int, int] | None:
    """(series id, number): the next number of the series matching `where`, in one statement.
    The row stays locked until the caller's transaction ends, which keeps the series gap-free;
    callers do everything they can before it (docs/performance.md)."""
    table = RegisterSeries._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_number = next_number + 1 "  # noqa: S608 - our own SQL
            f"WHERE {where} RETURNING id, next_number - 1",
            params,
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def format_number(number: int) -> str:
    """Numbers below 10 are written 01..09 (NĐ 30/2020 Appendix I)."""
    return f"{number:02d}"


def compose_notation(
    *,
    unit: Unit,
    document_type: DocumentType,
    legal_normative: bool,
    year: int,
    drafting_symbol: str = "",
) -> str:
    """Ký hiệu: `QĐ-UBND`, công văn `UBND-VP`, legal normative `2017/QĐ-UBND`."""
    if document_type.is_official_letter:
        notation = unit.symbol + (f"-{drafting_symbol}" if drafting_symbol else "")
    else:
        notation = f"{document_type.abbreviation}-{unit.symbol}"
    if legal_normative:
        notation = f"{year}/{notation}"
    # Abbreviations keep their official case (TTr, CTr, QyĐ).
    return notation
