"""The typed fields of a document record (NĐ 30/2020 Appendix VI), checked and cleaned: those of
every document, those an incoming document carries from its sender, and those an outgoing
document records besides the number the system gives.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from vanban.accounts.models import AGENCY_CODE_RE, Unit
from vanban.accounts.unit_history import unit_facts_on
from vanban.core.errors import ServiceError
from vanban.core.text import nfc

from ..models import Direction, DocumentType, Urgency
from ._common import local_today

NOTATION_RE = re.compile(r"^[0-9A-ZĐa-zđ/.\-]*$")


def _text(
    value: Any, *, label: str, max_length: int, required: bool = False, field_name: str
) -> str:
    cleaned = nfc(str(value or ""))
    if required and not cleaned:
        raise ServiceError(f"{label} không được để trống.", field=field_name)
    if len(cleaned) > max_length:
        # Never cut: the clerk is told how long the text is and shortens it (R16).
        raise ServiceError(
            f"{label} dài {len(cleaned)} ký tự, quá giới hạn {max_length} ký tự; hãy rút gọn.",
            field=field_name,
        )
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
    # A unit of ours as the issuing body is written as it was on the document's date (a unit
    # renamed or given another code since keeps its name of that day; QĐ 09/2025/QĐ-TTg).
    issuer = (
        unit_facts_on(data.issuer_unit, data.issued_date) if data.issuer_unit is not None else None
    )
    issuer_name = _text(
        issuer.name if issuer is not None else data.issuer_name,
        label="Cơ quan ban hành",
        max_length=200,
        required=True,
        field_name="issuer_name",
    )
    issuer_code = issuer.agency_code if issuer is not None else data.issuer_code.strip().upper()
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
