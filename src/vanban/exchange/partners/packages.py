"""edXML messages for our own documents: the package of an issued document and the status
messages about packages received (QCVN 102:2016/BTTTT), built as records of the edXML codec and
written by it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vanban.accounts.models import Unit
from vanban.core import clock
from vanban.documents.files import file_read_verified
from vanban.documents.models import Document, DocumentFile
from vanban.exchange.edxml import (
    BUSINESS_TYPES,
    STATUS_CODES,
    Attachment,
    Bussiness,
    Code,
    DocumentType,
    Manifest,
    MessageHeader,
    Organ,
    OtherInfo,
    Package,
    PromulgationInfo,
    Reference,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
    TraceHeaderList,
    date_to_text,
    status_message,
    timestamp_to_text,
    write_package,
    write_status,
)
from vanban.exchange.issuing_facts import IssuingFacts, issuing_facts


def _text(value: Any) -> str:
    """An element always written, empty when the record has no value."""
    return "" if value is None else str(value)


def _date(value: dt.date | None) -> str:
    return date_to_text(value) if value else ""


def document_id(document: Document) -> str:
    """DocumentId as the exchange writes it: issuer code, issue date, number and symbol."""
    return f"{document.unit.agency_code},{_date(document.issued_date)},{document.number_symbol}"


def package_files_in_order(document: Document) -> list[DocumentFile]:
    """The files a package carries, in the order a receiver reads them: the main document first
    (receivers take the first PDF as the document itself), then the attachments in the order
    they were given, which is their upload order."""
    files = list(document.files.all())
    return sorted(files, key=lambda f: (f.role != DocumentFile.Role.MAIN, f.pk))


def _given(value: Any) -> str | None:
    """An element written only when we hold its value (the schema lets it be absent)."""
    return _text(value) or None


def _organ(code: str, name: str, unit: Unit | None = None) -> Organ:
    """An agency of a package: its code and name and, for a unit of ours, how it is reached
    (address, e-mail, telephone, fax, website: unit data), as the national samples carry."""
    organ = Organ(organ_id=_text(code), organization_in_charge=_text(name), organ_name=_text(name))
    if unit is not None:
        organ.organ_add = _given(unit.address)
        organ.email = _given(unit.email)
        organ.telephone = _given(unit.phone)
        organ.fax = _given(unit.fax)
        organ.website = _given(unit.website)
    return organ


def _staff(department: str, staff: str, email: str = "", mobile: str = "") -> StaffInfo:
    """StaffInfo: the person who handled the message and their department, always written as
    the samples do; their e-mail and mobile when we hold them."""
    return StaffInfo(
        department=_text(department),
        staff=_text(staff),
        email=_given(email),
        mobile=_given(mobile),
    )


def _signer(document: Document, facts: IssuingFacts | None) -> SignerInfo:
    """SignerInfo: the competence ("KT. CHỦ TỊCH") and the plain position from the draft, else
    (a document registered by hand) the register's title as Position."""
    if facts is None:
        return SignerInfo(
            position=_text(document.signer_position), full_name=_text(document.signer_name)
        )
    return SignerInfo(
        competence=_given(facts.competence),
        position=_text(facts.position),
        full_name=_text(document.signer_name),
    )


def _other_info(document: Document, files: list[DocumentFile]) -> OtherInfo:
    """OtherInfo: urgency, sphere, copies and pages as the register has them; Direction "true"
    when the document asks for an answer by a date (its DueDate, as SteeringType 1); the
    attachments, in the package's order, as its Appendixes."""
    appendixes = [_text(f.original_name) for f in files if f.role == DocumentFile.Role.ATTACHMENT]
    return OtherInfo(
        priority=_text(document.urgency),
        sphere_of_promulgation="Liên thông văn bản",
        typer_notation="",
        promulgation_amount=_text(document.issued_amount or 1),
        page_amount=_text(document.page_amount or 1),
        direction="true" if document.due_date else "false",
        appendixes=appendixes or None,
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
    files = package_files_in_order(document)
    facts = issuing_facts(document)
    notation = document.code_notation or document.number_symbol.partition("/")[2]
    header = MessageHeader(
        from_organ=_organ(unit.agency_code, unit.name, unit),
        to=[_organ(to_code, to_name)],
        document_id=doc_id,
        code=Code(code_number=_text(document.code_number), code_notation=_text(notation)),
        promulgation_info=PromulgationInfo(
            place=_given(unit.place_name), promulgation_date=_date(document.issued_date)
        ),
        document_type=DocumentType(
            type="1", type_detail="0", type_name=_text(document.document_type.name)
        ),
        subject=_text(document.subject),
        content=_text(document.subject),
        signer_info=_signer(document, facts),
        due_date=_date(document.due_date) if document.due_date else None,
        other_info=_other_info(document, files),
        steering_type="1" if document.due_date else "0",
        to_places=[_text(to_name)],
    )
    trace = TraceHeaderList(
        trace_headers=[
            TraceHeader(organ_id=_text(unit.agency_code), timestamp=timestamp_to_text(clock.now()))
        ],
        bussiness=Bussiness(
            document_id=document_id(original_document) if original_document is not None else doc_id,
            bussiness_doc_type=str(business_type),
            bussiness_doc_reason=reason or BUSINESS_TYPES.get(business_type, ""),
            paper="1" if document.needs_paper_copy else "0",
            staff_info=_staff(facts.department, facts.staff, facts.email, facts.mobile)
            if facts is not None and facts.staff
            else None,
        ),
    )
    manifest = Manifest(attributes={"version": "1.0"})
    attachments = []
    for index, file in enumerate(files, start=1):
        manifest.references.append(
            Reference(
                content_id=f"cid:{index}",
                content_type=_text(file.content_type),
                description=_text(file.original_name),
                attachment_name=_text(file.original_name),
            )
        )
        attachments.append(
            Attachment.from_bytes(
                file_read_verified(file.storage_name, file.sha256),
                content_id=f"cid:{index}",
                name=_text(file.original_name),
                description=_text(file.original_name),
                content_type=_text(file.content_type),
            )
        )
    package = Package(message=header, trace=trace, manifest=manifest, attachments=attachments)
    return write_package(package), doc_id


def status_payload(
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
    staff_email: str = "",
    staff_mobile: str = "",
    at: dt.datetime | None = None,
    unit: Unit | None = None,
) -> bytes:
    """The bytes of a status message `code` about the document `response_for` (its DocumentId,
    sender, number/notation and date), from the agency `from_code`: our `unit` of that code
    with how it is reached (From, as for packages), and the person who acted (StaffInfo)."""
    message = status_message(
        _organ(from_code, from_name, unit),
        ResponseFor(
            organ_id=response_org,
            code=response_code,
            promulgation_date=promulgation_date,
            document_id=response_for,
        ),
        code,
        description,
        at or clock.now(),
        _staff(department, staff, staff_email, staff_mobile),
    )
    return write_status(message)


def status_for_inbound(
    inbound: Any, *, code: str, description: str = "", actor: Any = None
) -> bytes:
    """The status message `code` about a package received from a partner, from its recipient;
    the description defaults to the code's label. StaffInfo names the person who acted (their
    unit, name, e-mail and telephone), or only the recipient unit for a status sent on arrival."""
    unit = inbound.unit
    org, date, number = [*inbound.edxml_id.split(",", 2), "", "", ""][:3]
    department = unit.name if unit is not None else ""
    if actor is not None and getattr(actor, "unit", None) is not None:
        department = actor.unit.name
    return status_payload(
        # Our unit's current code: a package to a closed code is answered by its successor
        # (QĐ 09/2025/QĐ-TTg), which the sender learns from this From.
        from_code=unit.agency_code if unit is not None else inbound.to_code,
        from_name=unit.name if unit is not None else inbound.to_code,
        response_for=inbound.edxml_id,
        response_code=number or inbound.number_symbol,
        response_org=org or inbound.from_code,
        promulgation_date=date,
        code=code,
        description=description or STATUS_CODES[code].capitalize(),
        staff=actor.full_name if actor is not None else "",
        department=department,
        staff_email=actor.email if actor is not None else "",
        staff_mobile=actor.phone if actor is not None else "",
        unit=unit,
    )
