"""edXML messages for our own documents: the package of an issued document and the status
messages about packages received (QCVN 102:2016/BTTTT, as the samples in interop/edxml write
them: default namespace on the root, literal `edXML:` prefixes inside the envelope)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from vanban.core import clock
from vanban.documents.files import file_read_verified
from vanban.documents.models import Document

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
BUSINESS_REASONS = {
    0: "Văn bản điện tử mới",
    1: "Thu hồi văn bản",
    2: "Cập nhật văn bản",
    3: "Thay thế văn bản",
}


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _el(name: str, value: Any, indent: int) -> str:
    return f"{' ' * indent}<edXML:{name}>{_e(value)}</edXML:{name}>\n"


def _date(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _time(value: dt.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y/%m/%d %H:%M:%S")


def document_id(document: Document) -> str:
    """DocumentId as the exchange writes it: issuer code, issue date, number and symbol."""
    return f"{document.unit.agency_code},{_date(document.issued_date)},{document.number_symbol}"


def _organ(tag: str, code: str, name: str, indent: int) -> str:
    pad = " " * indent
    return (
        f"{pad}<edXML:{tag}>\n"
        + _el("OrganId", code, indent + 2)
        + _el("OrganizationInCharge", name, indent + 2)
        + _el("OrganName", name, indent + 2)
        + f"{pad}</edXML:{tag}>\n"
    )


def package_for_document(
    document: Document,
    *,
    to_code: str,
    to_name: str,
    business_type: int = 0,
    original_document: Document | None = None,
    reason: str = "",
) -> tuple[bytes, str]:
    """The package of an issued outgoing document for one recipient: its record, the business
    type (with the DocumentId it updates, replaces or revokes) and its files, each read back
    by SHA-256. Returns the bytes and the DocumentId."""
    unit = document.unit
    doc_id = document_id(document)
    files = list(document.files.all().order_by("role", "id"))
    notation = document.code_notation or document.number_symbol.partition("/")[2]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<edXML xmlns="{NS}">\n',
        f'  <edXML:edXMLEnvelope xmlns:edXML="{NS}">\n',
        "    <edXML:edXMLHeader>\n",
        "      <edXML:MessageHeader>\n",
        _organ("From", unit.agency_code, unit.name, 8),
        _organ("To", to_code, to_name, 8),
        _el("DocumentId", doc_id, 8),
        "        <edXML:Code>\n",
        _el("CodeNumber", document.code_number, 10),
        _el("CodeNotation", notation, 10),
        "        </edXML:Code>\n",
        "        <edXML:PromulgationInfo>\n",
        _el("Place", "", 10),
        _el("PromulgationDate", _date(document.issued_date), 10),
        "        </edXML:PromulgationInfo>\n",
        "        <edXML:DocumentType>\n",
        _el("Type", 1, 10),
        _el("TypeDetail", 0, 10),
        _el("TypeName", document.document_type.name, 10),
        "        </edXML:DocumentType>\n",
        _el("Subject", document.subject, 8),
        _el("Content", document.subject, 8),
        "        <edXML:SignerInfo>\n",
        _el("Competence", "", 10),
        _el("Position", document.signer_position, 10),
        _el("FullName", document.signer_name, 10),
        "        </edXML:SignerInfo>\n",
    ]
    if document.due_date:
        parts.append(_el("DueDate", _date(document.due_date), 8))
    parts += [
        "        <edXML:OtherInfo>\n",
        _el("Priority", document.urgency, 10),
        _el("SphereOfPromulgation", "Liên thông văn bản", 10),
        _el("TyperNotation", "", 10),
        _el("PromulgationAmount", document.issued_amount or 1, 10),
        _el("PageAmount", document.page_amount or 1, 10),
        "        </edXML:OtherInfo>\n",
        _el("SteeringType", 1 if document.due_date else 0, 8),
        "        <edXML:ToPlaces>\n",
        _el("Place", to_name, 10),
        "        </edXML:ToPlaces>\n",
        "      </edXML:MessageHeader>\n",
        "      <edXML:TraceHeaderList>\n",
        "        <edXML:TraceHeader>\n",
        _el("OrganId", unit.agency_code, 10),
        _el("Timestamp", _time(clock.now()), 10),
        "        </edXML:TraceHeader>\n",
        "        <edXML:Bussiness>\n",
        _el(
            "DocumentId",
            document_id(original_document) if original_document is not None else doc_id,
            10,
        ),
        _el("BussinessDocType", business_type, 10),
        _el("BussinessDocReason", reason or BUSINESS_REASONS.get(business_type, ""), 10),
        _el("Paper", 1 if document.needs_paper_copy else 0, 10),
        "        </edXML:Bussiness>\n",
        "      </edXML:TraceHeaderList>\n",
        "    </edXML:edXMLHeader>\n",
        "    <edXML:edXMLBody>\n",
        '      <edXML:edXMLManifest version="1.0">\n',
    ]
    for index, file in enumerate(files, start=1):
        parts += [
            "        <edXML:Reference>\n",
            _el("ContentId", f"cid:{index}", 10),
            _el("ContentType", file.content_type, 10),
            _el("Description", file.original_name, 10),
            _el("AttachmentName", file.original_name, 10),
            "        </edXML:Reference>\n",
        ]
    parts += [
        "      </edXML:edXMLManifest>\n",
        "    </edXML:edXMLBody>\n",
        "  </edXML:edXMLEnvelope>\n",
        "  <AttachmentEncoded>\n",
    ]
    for index, file in enumerate(files, start=1):
        data = file_read_verified(file.storage_name, file.sha256)
        parts += [
            "    <Attachment>\n",
            f"      <ContentId>cid:{index}</ContentId>\n",
            f"      <AttachmentName>{_e(file.original_name)}</AttachmentName>\n",
            f"      <Description>{_e(file.original_name)}</Description>\n",
            f"      <ContentType>{_e(file.content_type)}</ContentType>\n",
            f'      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">'
            f"{base64.b64encode(data).decode()}</edXML:ContentTransferEncoded>\n",
            "    </Attachment>\n",
        ]
    parts += ["  </AttachmentEncoded>\n", "</edXML>\n"]
    return "".join(parts).encode("utf-8"), doc_id


def status_message(
    *,
    from_code: str,
    from_name: str,
    response_for: str,
    response_code: str,
    response_org: str,
    promulgation_date: str,
    code: str,
    description: str,
    staff: str = "",
    department: str = "",
    at: dt.datetime | None = None,
) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<edXML xmlns="{NS}">\n',
        f'  <edXML:edXMLEnvelope xmlns:edXML="{NS}">\n',
        "    <edXML:edXMLHeader>\n",
        "      <edXML:MessageHeader>\n",
        _organ("From", from_code, from_name, 8),
        "        <edXML:ResponseFor>\n",
        _el("OrganId", response_org, 10),
        _el("Code", response_code, 10),
        _el("PromulgationDate", promulgation_date, 10),
        _el("DocumentId", response_for, 10),
        "        </edXML:ResponseFor>\n",
        "        <edXML:StaffInfo>\n",
        _el("Department", department, 10),
        _el("Staff", staff, 10),
        "        </edXML:StaffInfo>\n",
        _el("StatusCode", code, 8),
        _el("Description", description, 8),
        _el("Timestamp", _time(at or clock.now()), 8),
        "      </edXML:MessageHeader>\n",
        "    </edXML:edXMLHeader>\n",
        "  </edXML:edXMLEnvelope>\n",
        "</edXML>\n",
    ]
    return "".join(parts).encode("utf-8")


def status_for_inbound(
    inbound: Any, *, code: str, description: str = "", actor: Any = None
) -> bytes:
    from .services import STATUS_LABELS

    unit = inbound.unit
    org, date, number = [*inbound.edxml_id.split(",", 2), "", "", ""][:3]
    return status_message(
        from_code=inbound.to_code,
        from_name=unit.name if unit is not None else inbound.to_code,
        response_for=inbound.edxml_id,
        response_code=number or inbound.number_symbol,
        response_org=org or inbound.from_code,
        promulgation_date=date,
        code=code,
        description=description or STATUS_LABELS[code].capitalize(),
        staff=actor.full_name if actor is not None else "",
        department=unit.name if unit is not None else "",
    )


@dataclass
class StatusRead:
    from_code: str
    from_name: str
    document_id: str
    code: str
    description: str
    timestamp: str


def read_status(data: bytes) -> StatusRead:
    """A status message from a partner, read with the same safety rules as packages (no DTD or
    entity, size budget)."""
    from vanban.exchange.edxml import EdxmlError, _child, _text, _tree

    root, _data, _repairs = _tree(data)
    header = _child(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader")
    if header is None:
        raise EdxmlError("Thông điệp trạng thái thiếu phần MessageHeader.")
    code = _text(header, "StatusCode")
    if not code:
        raise EdxmlError("Thông điệp trạng thái không có StatusCode.")
    document_id = _text(header, "ResponseFor", "DocumentId")
    if not document_id:
        raise EdxmlError("Thông điệp trạng thái không ghi DocumentId của văn bản.")
    return StatusRead(
        from_code=_text(header, "From", "OrganId"),
        from_name=_text(header, "From", "OrganName"),
        document_id=document_id,
        code=code,
        description=_text(header, "Description", multiline=True),
        timestamp=_text(header, "Timestamp"),
    )
