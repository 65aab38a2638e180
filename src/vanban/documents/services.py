"""Registering incoming and outgoing documents (R9, R10, R13, R14, R16; NĐ 30/2020 Art. 15-16, 22).

Numbers are gap-free and unique per series and year: the series row is locked while a number is
taken, in the same transaction as the document row, so a failed registration gives its number back.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vanban.accounts.models import AGENCY_CODE_RE, Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import fold, nfc

from . import receipt_checks
from .files import PreparedFile, file_discard, file_prepare, file_store
from .models import (
    Direction,
    Document,
    DocumentFile,
    DocumentPolicy,
    DocumentShare,
    DocumentType,
    RegisterSeries,
    Urgency,
)
from .search import search_text_build

SECRECY_LEVELS = {"mat": "Mật", "toi_mat": "Tối mật", "tuyet_mat": "Tuyệt mật"}
NOTATION_RE = re.compile(r"^[0-9A-ZĐa-zđ/.\-]*$")


class DuplicateDocument(ServiceError):
    """The (number, symbol, issuing body) is already in the unit's incoming register."""

    def __init__(self, existing: Document) -> None:
        super().__init__(
            f"Văn bản số {existing.number_symbol} của {existing.issuer_name} đã được vào sổ đến "
            f"số {existing.register_number} ngày "
            f"{timezone.localtime(existing.registered_at):%d/%m/%Y}. "
            "Nếu đúng là văn bản khác, hãy xác nhận để vào sổ.",
            field="code_number",
        )
        self.existing = existing


# ---------------------------------------------------------------- permissions


def _require_clerk(actor: User, unit: Unit) -> None:
    """R16: the clerk registers documents of their unit."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if not actor.has_role(Role.CLERK, unit):
        raise AccessDenied("Chỉ văn thư của đơn vị được vào sổ văn bản.")


def _require_series_manager(actor: User, unit: Unit) -> None:
    """The head decides the numbering scheme; the clerk or the unit admin records it."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if not any(actor.has_role(r, unit) for r in (Role.CLERK, Role.LEADER, Role.UNIT_ADMIN)):
        raise AccessDenied("Chỉ lãnh đạo, văn thư hoặc quản trị đơn vị được thiết lập sổ văn bản.")


# ---------------------------------------------------------------- series


def local_today() -> dt.date:
    return timezone.localdate(clock.now())


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
    """Open a series for a year: one per type for outgoing documents if the head so decides."""
    _require_series_manager(actor, unit)
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
    name = _series_default_name(direction, scope["document_type"], scope["legal_normative"])
    try:
        with transaction.atomic():
            return RegisterSeries.objects.create(
                unit=unit, year=year, direction=direction, name=name, **scope
            )
    except IntegrityError:
        # Another clerk opened it at the same moment.
        return RegisterSeries.objects.get(unit=unit, year=year, direction=direction, **scope)


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


# ---------------------------------------------------------------- shared checks


@dataclass
class Refusals:
    """What the clerk declares about the document (R13)."""

    secrecy: str = ""
    complaint: bool = False
    sensitive_declared: bool = False


def _check_refusals(refusals: Refusals) -> None:
    """R13: secret documents and complaints never enter; sensitive matters need a declaration."""
    if refusals.secrecy:
        level = SECRECY_LEVELS.get(refusals.secrecy, refusals.secrecy)
        raise ServiceError(
            f"Văn bản có độ mật “{level}” không được đưa vào hệ thống (Quy chế, Điều 4); "
            "hãy xử lý theo quy định về bảo vệ bí mật nhà nước. Không có gì được lưu.",
            field="secrecy",
        )
    if refusals.complaint:
        raise ServiceError(
            "Đơn thư khiếu nại, tố cáo không được đưa vào hệ thống (Quy chế, Điều 4); hãy chuyển "
            "bộ phận tiếp công dân xử lý theo quy định. Không có gì được lưu.",
            field="complaint",
        )
    if not refusals.sensitive_declared:
        raise ServiceError(
            "Hãy xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm quyền kết luận "
            "và không có nội dung độc hại (Quy chế, Điều 4).",
            field="sensitive_declared",
        )


def _text(
    value: Any, *, label: str, max_length: int, required: bool = False, field_name: str
) -> str:
    cleaned = nfc(str(value or ""))
    if required and not cleaned:
        raise ServiceError(f"{label} không được để trống.", field=field_name)
    if len(cleaned) > max_length:
        raise ServiceError(f"{label} dài quá {max_length} ký tự.", field=field_name)
    return cleaned


@dataclass
class DocumentInput:
    """The typed fields of a document record (Appendix VI); the system fills the rest."""

    document_type: DocumentType
    subject: str
    code_number: str = ""
    code_notation: str = ""
    issued_date: dt.date | None = None
    issuer_unit: Unit | None = None
    issuer_name: str = ""
    issuer_code: str = ""
    signer_position: str = ""
    signer_name: str = ""
    urgency: int = Urgency.NORMAL
    due_date: dt.date | None = None
    page_amount: int | None = None
    description: str = ""
    language: str = "Tiếng Việt"
    legal_normative: bool = False
    to_places: str = ""
    recipients: str = ""
    archive_holder: str = ""
    issued_amount: int | None = None
    drafting_symbol: str = ""
    is_electronic: bool = False


def _clean_common(data: DocumentInput) -> dict[str, Any]:
    """The fields of every document record (Appendix VI), in the order the form shows them."""
    if not isinstance(data.document_type, DocumentType) or not data.document_type.is_active:
        raise ServiceError("Hãy chọn loại văn bản.", field="document_type")
    if data.urgency not in Urgency.values:
        raise ServiceError("Độ khẩn không hợp lệ.", field="urgency")
    cleaned: dict[str, Any] = {
        "subject": _text(
            data.subject, label="Trích yếu", max_length=500, required=True, field_name="subject"
        ),
        "signer_position": _text(
            data.signer_position,
            label="Chức vụ người ký",
            max_length=100,
            field_name="signer_position",
        ),
        "signer_name": _text(
            data.signer_name, label="Người ký", max_length=50, field_name="signer_name"
        ),
        "description": _text(
            data.description, label="Ghi chú", max_length=500, field_name="description"
        ),
        "language": _text(
            data.language or "Tiếng Việt", label="Ngôn ngữ", max_length=30, field_name="language"
        ),
        "urgency": data.urgency,
        "due_date": data.due_date,
        "legal_normative": bool(data.legal_normative),
        "document_type": data.document_type,
    }
    if data.page_amount is not None and not 0 < data.page_amount <= 999:
        raise ServiceError("Số trang phải từ 1 đến 999.", field="page_amount")
    cleaned["page_amount"] = data.page_amount
    return cleaned


def _clean_incoming(data: DocumentInput) -> dict[str, Any]:
    """What an incoming document carries from its sender (Appendix VI): its number, notation,
    issuing body and date."""
    code_number = _text(
        data.code_number, label="Số văn bản", max_length=11, field_name="code_number"
    )
    code_notation = _text(
        data.code_notation, label="Ký hiệu", max_length=30, field_name="code_notation"
    ).replace(" ", "")
    if code_number and not code_number.isdigit():
        raise ServiceError("Số văn bản chỉ gồm chữ số (ví dụ: 15).", field="code_number")
    if not NOTATION_RE.match(code_notation):
        raise ServiceError(
            "Ký hiệu chỉ gồm chữ, số và các dấu / - . (ví dụ: QĐ-UBND).", field="code_notation"
        )
    issuer_name = _text(
        data.issuer_unit.name if data.issuer_unit else data.issuer_name,
        label="Cơ quan ban hành",
        max_length=200,
        required=True,
        field_name="issuer_name",
    )
    issuer_code = (
        data.issuer_unit.agency_code if data.issuer_unit else data.issuer_code.strip().upper()
    )
    if issuer_code and not AGENCY_CODE_RE.match(issuer_code):
        raise ServiceError(
            "Mã định danh cơ quan ban hành phải có dạng V1V2V3.Z1Z2.Y1Y2.H##.",
            field="issuer_code",
        )
    if data.issued_date is None:
        raise ServiceError("Hãy nhập ngày tháng văn bản.", field="issued_date")
    if data.issued_date > local_today():
        raise ServiceError("Ngày văn bản không thể sau ngày hôm nay.", field="issued_date")
    return {
        "code_number": code_number.zfill(2) if code_number else "",
        "code_notation": code_notation,
        "issuer_unit": data.issuer_unit,
        "issuer_name": issuer_name,
        "issuer_code": issuer_code,
        "issued_date": data.issued_date,
        "to_places": _text(
            data.to_places,
            label="Đơn vị hoặc người nhận",
            max_length=1000,
            field_name="to_places",
        ),
        "is_electronic": bool(data.is_electronic),
    }


def _clean_outgoing(data: DocumentInput) -> dict[str, Any]:
    """What an outgoing document records besides the number the system gives (Appendix VI): the
    drafting unit, the recipients, who keeps the archive copy and how many copies."""
    drafting = (
        _text(
            data.drafting_symbol,
            label="Đơn vị soạn thảo",
            max_length=10,
            field_name="drafting_symbol",
        )
        .replace(" ", "")
        .upper()
    )
    if drafting and not NOTATION_RE.match(drafting):
        raise ServiceError(
            "Chữ viết tắt đơn vị soạn thảo chỉ gồm chữ và số (ví dụ: VP).",
            field="drafting_symbol",
        )
    if data.issued_amount is not None and not 0 < data.issued_amount <= 999:
        raise ServiceError("Số lượng bản phải từ 1 đến 999.", field="issued_amount")
    return {
        "drafting_symbol": drafting,
        "recipients": _text(
            data.recipients,
            label="Nơi nhận",
            max_length=1000,
            required=True,
            field_name="recipients",
        ),
        "archive_holder": _text(
            data.archive_holder,
            label="Đơn vị, người nhận bản lưu",
            max_length=200,
            field_name="archive_holder",
        ),
        "issued_amount": data.issued_amount,
    }


def _clean(data: DocumentInput, *, direction: str) -> dict[str, Any]:
    cleaned = _clean_common(data)
    if direction == Direction.INCOMING:
        cleaned.update(_clean_incoming(data))
    else:
        cleaned.update(_clean_outgoing(data))
    if cleaned["due_date"] and cleaned["due_date"] < local_today() - dt.timedelta(days=366):
        raise ServiceError("Hạn xử lý không hợp lệ.", field="due_date")
    return cleaned


def _prepare_files(
    main_file: UploadedFile[bytes] | None,
    attachments: list[UploadedFile[bytes]],
    *,
    actor: User,
    unit: Unit,
    source: str,
) -> list[tuple[str, PreparedFile]]:
    policy = DocumentPolicy.current()

    def gate(upload: UploadedFile[bytes]) -> PreparedFile:
        return file_prepare(upload, actor=actor, unit=unit, policy=policy, source=source)

    if len(attachments) > policy.max_attachments:
        raise ServiceError(f"Tối đa {policy.max_attachments} tệp đính kèm.", field="attachments")
    prepared: list[tuple[str, PreparedFile]] = []
    if main_file is not None:
        prepared.append((DocumentFile.Role.MAIN, gate(main_file)))
    for upload in attachments:
        prepared.append((DocumentFile.Role.ATTACHMENT, gate(upload)))
    return prepared


def _save_with_files(
    *,
    actor: User,
    build: Callable[[], Document],
    prepared: list[tuple[str, PreparedFile]],
    audit_action: str,
    audit_data: dict[str, Any],
    ip: str | None,
    after: Callable[[Document], None] | None = None,
) -> Document:
    """Store the files, then number and save the document in one transaction; `after(document)`
    runs inside it, before the audit event. `build()` returns the unsaved document, numbered.

    If the transaction fails the stored files are removed; if the process dies in between, they
    stay as orphans that `vanban files check` lists.
    """
    stored: list[str] = []
    try:
        for _role, item in prepared:
            stored.append(file_store(item))
        with transaction.atomic():
            document = build()
            document.search_text = search_text_build(
                fields=_search_fields(document), file_texts=[item.text for _r, item in prepared]
            )
            document.save(force_insert=True)
            now = clock.now()
            DocumentFile.objects.bulk_create(
                [
                    DocumentFile(
                        document=document,
                        role=role,
                        storage_name=name,
                        original_name=item.original_name,
                        file_format=item.file_format,
                        content_type=item.content_type,
                        size=item.size,
                        sha256=item.sha256,
                        text=item.text,
                        uploaded_by=actor,
                        uploaded_at=now,
                    )
                    for (role, item), name in zip(prepared, stored, strict=True)
                ]
            )
            if after is not None:
                after(document)
            audit_record(
                actor=actor,
                action=audit_action,
                unit=document.unit,
                target=document,
                ip=ip,
                data={**audit_data, "files": [item.sha256 for _r, item in prepared]},
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    return document


def _search_fields(document: Document) -> list[str]:
    return [
        document.number_symbol,
        document.code_number,
        document.code_notation,
        document.document_type.name,
        document.subject,
        document.issuer_name,
        document.issuer_code,
        document.signer_name,
        document.signer_position,
        document.description,
        document.to_places,
        document.recipients,
        str(document.register_number),
    ]


# ---------------------------------------------------------------- incoming


def _find_duplicate(*, unit: Unit, cleaned: dict[str, Any]) -> Document | None:
    """Same number, and symbol and issuing body equal apart from case and diacritics."""
    key = (fold(cleaned["code_notation"]), fold(cleaned["issuer_name"]))
    candidates = Document.objects.filter(
        unit=unit, direction=Direction.INCOMING, code_number=cleaned["code_number"]
    ).order_by("registered_at", "pk")
    for document in candidates.only(
        "pk", "code_number", "code_notation", "issuer_name", "register_number", "registered_at"
    ):
        if (fold(document.code_notation), fold(document.issuer_name)) == key:
            return document
    return None


def incoming_register(
    *,
    actor: User,
    unit: Unit,
    data: DocumentInput,
    refusals: Refusals,
    main_file: UploadedFile[bytes] | None = None,
    attachments: list[UploadedFile[bytes]] | None = None,
    confirm_duplicate: bool = False,
    signature_trigger: str = receipt_checks.UPLOAD,
    signature_checks: receipt_checks.Results | None = None,
    ip: str | None = None,
) -> Document:
    """The clerk registers an incoming document: arrival date and number by the system (R14, R16).

    Refused, with nothing stored, when the document is secret, a complaint, undeclared as to
    sensitive matters, or its file carries a secrecy stamp (R13). A (number, symbol, issuing body)
    already in the unit's register needs the clerk's confirmation.

    The signatures of its PDF files are checked before the numbering transaction (or by the
    caller, `signature_checks`, when it holds locks of its own) and the reports kept with the
    document (R11); whatever they say, the document is registered.
    """
    _require_clerk(actor, unit)
    _check_refusals(refusals)
    cleaned = _clean(data, direction=Direction.INCOMING)
    prepared = _prepare_files(
        main_file, list(attachments or []), actor=actor, unit=unit, source="Vào sổ văn bản đến"
    )
    if cleaned["code_number"] or cleaned["code_notation"]:
        existing = _find_duplicate(unit=unit, cleaned=cleaned)
        if existing is not None and not confirm_duplicate:
            raise DuplicateDocument(existing)
    if signature_checks is None:
        signature_checks = receipt_checks.files_check(
            (item.original_name, item.file_format, item.data) for _role, item in prepared
        )
    checks = signature_checks
    now = clock.now()
    year = timezone.localdate(now).year

    def build() -> Document:
        series_id, number = _series_and_number(
            unit=unit,
            year=year,
            direction=Direction.INCOMING,
            document_type=cleaned["document_type"],
            legal_normative=False,
        )
        return Document(
            unit=unit,
            direction=Direction.INCOMING,
            series_id=series_id,
            year=year,
            register_number=number,
            arrival_date=now,
            registered_by=actor,
            registered_at=now,
            sensitive_declared=True,
            **cleaned,
        )

    return _save_with_files(
        actor=actor,
        build=build,
        prepared=prepared,
        ip=ip,
        audit_action="document.register_in",
        audit_data={"sensitive_declared": True, "duplicate_confirmed": confirm_duplicate},
        after=lambda document: receipt_checks.results_keep(
            checks, document=document, trigger=signature_trigger, actor=actor
        ),
    )


# ---------------------------------------------------------------- outgoing


def outgoing_register(
    *,
    actor: User,
    unit: Unit,
    data: DocumentInput,
    refusals: Refusals,
    main_file: UploadedFile[bytes] | None = None,
    attachments: list[UploadedFile[bytes]] | None = None,
    ip: str | None = None,
) -> Document:
    """The clerk numbers, dates and registers an outgoing document (NĐ 30/2020 Art. 15-16).

    The number comes from the unit's series for the year (one series, one per type, or the legal
    normative series of the type); the symbol is composed by the rules of Appendix III.
    """
    _require_clerk(actor, unit)
    _check_refusals(refusals)
    cleaned = _clean(data, direction=Direction.OUTGOING)
    if main_file is None:
        raise ServiceError("Văn bản đi phải có tệp văn bản chính.", field="main_file")
    prepared = _prepare_files(
        main_file, list(attachments or []), actor=actor, unit=unit, source="Vào sổ văn bản đi"
    )
    now = clock.now()
    today = timezone.localdate(now)
    drafting_symbol = cleaned.pop("drafting_symbol")

    def build() -> Document:
        series_id, number = _series_and_number(
            unit=unit,
            year=today.year,
            direction=Direction.OUTGOING,
            document_type=cleaned["document_type"],
            legal_normative=cleaned["legal_normative"],
        )
        return Document(
            unit=unit,
            direction=Direction.OUTGOING,
            series_id=series_id,
            year=today.year,
            register_number=number,
            code_number=format_number(number),
            code_notation=compose_notation(
                unit=unit,
                document_type=cleaned["document_type"],
                legal_normative=cleaned["legal_normative"],
                year=today.year,
                drafting_symbol=drafting_symbol,
            ),
            issued_date=today,
            issuer_unit=unit,
            issuer_name=unit.name,
            issuer_code=unit.agency_code,
            registered_by=actor,
            registered_at=now,
            sensitive_declared=True,
            **cleaned,
        )

    return _save_with_files(
        actor=actor,
        build=build,
        prepared=prepared,
        ip=ip,
        audit_action="document.register_out",
        audit_data={"sensitive_declared": True},
    )


# ---------------------------------------------------------------- giving a document to a person


def document_share(
    *, actor: User, document: Document, user: User, ip: str | None = None
) -> DocumentShare:
    """A clerk or leader of the unit gives a registered document to a person of the unit."""
    if not (
        actor.is_active
        and (
            actor.has_role(Role.CLERK, document.unit) or actor.has_role(Role.LEADER, document.unit)
        )
    ):
        raise AccessDenied("Chỉ văn thư hoặc lãnh đạo đơn vị được chuyển văn bản.")
    if user.unit_id != document.unit_id or not user.is_active:
        raise ServiceError("Chỉ chuyển văn bản cho cán bộ đang hoạt động của đơn vị.", field="user")
    with transaction.atomic():
        share, created = DocumentShare.objects.get_or_create(
            document=document,
            user=user,
            defaults={"granted_by": actor, "granted_at": clock.now()},
        )
        if created:
            audit_record(
                actor=actor,
                action="document.share",
                unit=document.unit,
                target=document,
                ip=ip,
                data={"user": user.username},
            )
    return share


def document_policy_update(
    *, actor: User, max_file_size_mb: int, max_attachments: int
) -> DocumentPolicy:
    """The province admin sets the file limits (issue "registers" point 5: size limit as data)."""
    if actor is None or not actor.is_active or not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh được thay đổi quy định về tệp.")
    if not 1 <= max_file_size_mb <= 2048:
        raise ServiceError(
            "Dung lượng tối đa một tệp phải từ 1 đến 2048 MB.", field="max_file_size_mb"
        )
    if not 0 <= max_attachments <= 200:
        raise ServiceError("Số tệp đính kèm tối đa phải từ 0 đến 200.", field="max_attachments")
    with transaction.atomic():
        policy = DocumentPolicy.objects.select_for_update().get(pk=DocumentPolicy.current().pk)
        before = {
            "max_file_size_mb": policy.max_file_size_mb,
            "max_attachments": policy.max_attachments,
        }
        policy.max_file_size_mb = max_file_size_mb
        policy.max_attachments = max_attachments
        policy.save(update_fields=["max_file_size_mb", "max_attachments"])
        audit_record(
            actor=actor,
            action="document_policy.update",
            target=policy,
            data={
                "before": before,
                "after": {"max_file_size_mb": max_file_size_mb, "max_attachments": max_attachments},
            },
        )
    return policy
