"""Records of one edXML message of the national document exchange (QCVN 102:2016/BTTTT).

A message is either a `Package` (a document: MessageHeader with From, To, Code, ...,
TraceHeaderList with Bussiness, the xmldsig Signature, the manifest and the encoded attachments)
or a `StatusMessage` (MessageHeader with From, ResponseFor, StaffInfo, StatusCode, Description,
Timestamp). The records follow the exchange axis's samples element by element so that reading
and writing again loses nothing:

- every element of the standard is a field; `None` means the element is absent, `""` that it is
  present but empty; repeated elements are lists (`To`, `TraceHeader`, `Reference`, ...), and a
  list inside a wrapper element (`ToPlaces/Place`) is `None` when the wrapper is absent;
- `order` keeps the children's names in the order they were read (one name per element), and the
  writer follows it; a record built in code has an empty `order` and is written in the standard's
  order (`CHILDREN`);
- values stay text as written ("2018/10/19", "2018/09/28 17:25:11"); `text_to_date`,
  `date_to_text`, `text_to_timestamp` and `timestamp_to_text` convert;
- the Signature element is kept as the bytes of the element and written back unchanged;
- an attachment keeps its base64 text (`ContentTransferEncoded`); `Attachment.data` decodes it and
  `Attachment.from_bytes` encodes a file.

Reading lives in `message_reader`, writing in `writer`. The flat reader (`reader`) uses `Organ`
too, with only `organ_id` and `organ_name` (the OrganName, else the OrganizationInCharge).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar
from zoneinfo import ZoneInfo

from .constants import BUSINESS_TYPES, STATUS_CODES
from .safety import EdxmlError

# Times in packages are written without a zone: the exchange's clocks are Vietnam's.
EXCHANGE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"


# ---------------------------------------------------------------- dates and times


def date_to_text(value: dt.date) -> str:
    """A date the way packages write it: "2018/10/19"."""
    return value.strftime(DATE_FORMAT)


def text_to_date(text: str | None) -> dt.date | None:
    """The date a package wrote ("2018/10/19"; also "2018-10-19" and "19/10/2018", seen in the
    field, and a time after the date is ignored); None when empty or not a real date."""
    if not text or not text.strip():
        return None
    head = text.split()[0].split("T")[0]
    for pattern in (DATE_FORMAT, "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(head, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def timestamp_to_text(value: dt.datetime) -> str:
    """A time the way packages write it, "2018/09/28 17:25:11", in Vietnam's time (an aware
    datetime is converted first)."""
    if value.tzinfo is not None:
        value = value.astimezone(EXCHANGE_ZONE)
    return value.strftime(TIMESTAMP_FORMAT)


def text_to_timestamp(text: str | None) -> dt.datetime | None:
    """The aware datetime of "2018/09/28 17:25:11" (Vietnam's time); None when empty or not a
    time. A date alone is midnight of that day."""
    if not text or not text.strip():
        return None
    value = " ".join(text.split())
    for pattern in (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).replace(tzinfo=EXCHANGE_ZONE)
        except ValueError:
            continue
    day = text_to_date(value)
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=EXCHANGE_ZONE)


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Child:
    """One child element of a record: its local name, the field that holds it, and its shape."""

    xml: str
    attr: str
    # None: text; a Record class: an element with children.
    kind: type[Record] | None = None
    # The element repeats directly inside the record (a list field).
    many: bool = False
    # The element is a wrapper whose children named `item` are the list (`ToPlaces/Place`).
    item: str = ""


@dataclass
class Record:
    """An element with children. `attributes` are the element's own attributes (names in
    {namespace}local form), `order` the children's local names as read."""

    CHILDREN: ClassVar[tuple[Child, ...]] = ()

    attributes: dict[str, str] = field(default_factory=dict, kw_only=True, repr=False)
    order: tuple[str, ...] = field(default=(), kw_only=True, repr=False, compare=False)

    @classmethod
    def child(cls, name: str) -> Child | None:
        return next((c for c in cls.CHILDREN if c.xml == name), None)


@dataclass
class Organ(Record):
    """From / To: a government body by its code in the national list of agency codes."""

    CHILDREN = (
        Child("OrganId", "organ_id"),
        Child("OrganizationInCharge", "organization_in_charge"),
        Child("OrganName", "organ_name"),
        Child("OrganAdd", "organ_add"),
        Child("Email", "email"),
        Child("Telephone", "telephone"),
        Child("Fax", "fax"),
        Child("Website", "website"),
    )

    # The fields in this order so that `Organ(code, name)` is the body and its name.
    organ_id: str | None = None
    organ_name: str | None = None
    organization_in_charge: str | None = None
    organ_add: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None

    @property
    def name(self) -> str:
        return self.organ_name or self.organization_in_charge or ""

    @property
    def has_contact(self) -> bool:
        """Whether the agency says how it is reached (address, e-mail, telephone, fax, website)."""
        return any((self.organ_add, self.email, self.telephone, self.fax, self.website))


@dataclass
class Code(Record):
    """The document's number and notation: 7816 and "VPCP-TTĐT" for "7816/VPCP-TTĐT"."""

    CHILDREN = (Child("CodeNumber", "code_number"), Child("CodeNotation", "code_notation"))

    code_number: str | None = None
    code_notation: str | None = None

    @property
    def number_symbol(self) -> str:
        number, notation = self.code_number or "", self.code_notation or ""
        return f"{number}/{notation}" if number and notation else number or notation


@dataclass
class PromulgationInfo(Record):
    CHILDREN = (Child("Place", "place"), Child("PromulgationDate", "promulgation_date"))

    place: str | None = None
    promulgation_date: str | None = None  # "2018/10/19"

    @property
    def date(self) -> dt.date | None:
        return text_to_date(self.promulgation_date)


@dataclass
class DocumentType(Record):
    CHILDREN = (
        Child("Type", "type"),
        Child("TypeDetail", "type_detail"),
        Child("TypeName", "type_name"),
    )

    type: str | None = None
    type_detail: str | None = None
    type_name: str | None = None


@dataclass
class SignerInfo(Record):
    CHILDREN = (
        Child("Competence", "competence"),
        Child("Position", "position"),
        Child("FullName", "full_name"),
    )

    competence: str | None = None  # "TL. BỘ TRƯỞNG", "KT. CHỦ TỊCH", ...
    position: str | None = None
    full_name: str | None = None


@dataclass
class OtherInfo(Record):
    CHILDREN = (
        Child("Priority", "priority"),
        Child("SphereOfPromulgation", "sphere_of_promulgation"),
        Child("TyperNotation", "typer_notation"),
        Child("PromulgationAmount", "promulgation_amount"),
        Child("PageAmount", "page_amount"),
        Child("Direction", "direction"),
        Child("Appendixes", "appendixes", item="Appendix"),
    )

    priority: str | None = None  # urgency 0-4
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: str | None = None
    page_amount: str | None = None
    direction: str | None = None  # "true" / "false"
    appendixes: list[str] | None = None


@dataclass
class ResponseFor(Record):
    """The document a message answers: its sender, number/notation, date and DocumentId."""

    CHILDREN = (
        Child("OrganId", "organ_id"),
        Child("Code", "code"),
        Child("PromulgationDate", "promulgation_date"),
        Child("DocumentId", "document_id"),
    )

    organ_id: str | None = None
    code: str | None = None  # "7816/VPCP-TTĐT"
    promulgation_date: str | None = None
    document_id: str | None = None

    @property
    def date(self) -> dt.date | None:
        return text_to_date(self.promulgation_date)


@dataclass
class StaffInfo(Record):
    """The clerk who acted (Bussiness of a package, and status messages)."""

    CHILDREN = (
        Child("Department", "department"),
        Child("Staff", "staff"),
        Child("Email", "email"),
        Child("Mobile", "mobile"),
    )

    department: str | None = None
    staff: str | None = None
    email: str | None = None
    mobile: str | None = None


@dataclass
class MessageHeader(Record):
    """The record of a document package."""

    CHILDREN = (
        Child("From", "from_organ", Organ),
        Child("To", "to", Organ, many=True),
        Child("DocumentId", "document_id"),
        Child("Code", "code", Code),
        Child("PromulgationInfo", "promulgation_info", PromulgationInfo),
        Child("DocumentType", "document_type", DocumentType),
        Child("Subject", "subject"),
        Child("Content", "content"),
        Child("SignerInfo", "signer_info", SignerInfo),
        Child("DueDate", "due_date"),
        Child("OtherInfo", "other_info", OtherInfo),
        Child("ResponseFor", "response_for", ResponseFor, many=True),
        Child("SteeringType", "steering_type"),
        Child("ToPlaces", "to_places", item="Place"),
    )

    from_organ: Organ | None = None
    to: list[Organ] = field(default_factory=list)
    document_id: str | None = None
    code: Code | None = None
    promulgation_info: PromulgationInfo | None = None
    document_type: DocumentType | None = None
    subject: str | None = None
    content: str | None = None
    signer_info: SignerInfo | None = None
    due_date: str | None = None  # "2018/09/28"
    other_info: OtherInfo | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: str | None = None
    to_places: list[str] | None = None

    @property
    def due(self) -> dt.date | None:
        return text_to_date(self.due_date)


@dataclass
class TraceHeader(Record):
    CHILDREN = (Child("OrganId", "organ_id"), Child("Timestamp", "timestamp"))

    organ_id: str | None = None
    timestamp: str | None = None  # "2018/09/28 00:00:00"


@dataclass
class Receiver(Record):
    CHILDREN = (Child("OrganId", "organ_id"), Child("ReceiverType", "receiver_type"))

    organ_id: str | None = None
    receiver_type: str | None = None


@dataclass
class BussinessDocumentInfo(Record):
    """What an update changes (edoc_update.edxml): the record (DocumentInfo), the receivers
    (DocumentReceiver) and the receivers concerned (ReceiverList/Receiver)."""

    CHILDREN = (
        Child("DocumentInfo", "document_info"),
        Child("DocumentReceiver", "document_receiver"),
        Child("ReceiverList", "receiver_list", Receiver, item="Receiver"),
    )

    document_info: str | None = None
    document_receiver: str | None = None
    receiver_list: list[Receiver] | None = None


@dataclass
class ReplacementInfo(Record):
    """A document a replacement replaces, and at which receivers (edoc_replacement.edxml)."""

    CHILDREN = (
        Child("DocumentId", "document_id"),
        Child("OrganIdList", "organ_id_list", item="OrganId"),
    )

    document_id: str | None = None
    organ_id_list: list[str] | None = None


@dataclass
class Bussiness(Record):
    """The business of a package (the standard's spelling): new, revoke, update, replace."""

    CHILDREN = (
        Child("DocumentId", "document_id"),
        Child("BussinessDocType", "bussiness_doc_type"),
        Child("BussinessDocReason", "bussiness_doc_reason"),
        Child("Paper", "paper"),
        Child("BussinessDocumentInfo", "bussiness_document_info", BussinessDocumentInfo),
        Child(
            "ReplacementInfoList", "replacement_info_list", ReplacementInfo, item="ReplacementInfo"
        ),
        Child("StaffInfo", "staff_info", StaffInfo),
    )

    document_id: str | None = None
    bussiness_doc_type: str | None = None  # "0" new, "1" revoke, "2" update, "3" replace
    bussiness_doc_reason: str | None = None
    paper: str | None = None  # "1": a paper copy follows
    bussiness_document_info: BussinessDocumentInfo | None = None
    replacement_info_list: list[ReplacementInfo] | None = None
    staff_info: StaffInfo | None = None

    @property
    def doc_type(self) -> int | None:
        value = (self.bussiness_doc_type or "").strip()
        return int(value) if value.isdigit() and int(value) in BUSINESS_TYPES else None


@dataclass
class TraceHeaderList(Record):
    CHILDREN = (
        Child("TraceHeader", "trace_headers", TraceHeader, many=True),
        Child("Bussiness", "bussiness", Bussiness),
    )

    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None


@dataclass
class Reference(Record):
    """One file listed in the manifest (edXMLBody/edXMLManifest/Reference)."""

    CHILDREN = (
        Child("ContentId", "content_id"),
        Child("ContentType", "content_type"),
        Child("Description", "description"),
        Child("AttachmentName", "attachment_name"),
    )

    content_id: str | None = None  # "cid:209"
    content_type: str | None = None
    description: str | None = None
    attachment_name: str | None = None


@dataclass
class Manifest(Record):
    """edXMLManifest; its `version` attribute is in `attributes` ({"version": "1.0"})."""

    CHILDREN = (Child("Reference", "references", Reference, many=True),)

    references: list[Reference] = field(default_factory=list)


@dataclass
class Attachment(Record):
    """One file in AttachmentEncoded, its content as the base64 text of the package."""

    CHILDREN = (
        Child("ContentId", "content_id"),
        Child("AttachmentName", "attachment_name"),
        Child("Description", "description"),
        Child("ContentType", "content_type"),
        Child("ContentTransferEncoded", "content_transfer_encoded"),
    )

    content_id: str | None = None
    attachment_name: str | None = None
    description: str | None = None
    content_type: str | None = None
    content_transfer_encoded: str | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        content_id: str,
        name: str,
        content_type: str,
        description: str | None = None,
    ) -> Attachment:
        return cls(
            content_id=content_id,
            attachment_name=name,
            description=description,
            content_type=content_type,
            content_transfer_encoded=base64.b64encode(data).decode("ascii"),
        )

    @property
    def data(self) -> bytes:
        """The decoded file; EdxmlError (Vietnamese) when the base64 text is broken."""
        compact = "".join((self.content_transfer_encoded or "").split())
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            name = self.attachment_name or self.content_id or ""
            raise EdxmlError(
                f"Gói edXML không hợp lệ: tệp đính kèm “{name}” không giải mã được "
                "(mã base64 hỏng)."
            ) from exc


@dataclass
class Package:
    """A document package: edXMLEnvelope (header, body) and AttachmentEncoded."""

    message: MessageHeader = field(default_factory=MessageHeader)
    trace: TraceHeaderList | None = None
    # The xmldsig Signature element of edXMLHeader, as the bytes of the element (UTF-8).
    signature: bytes | None = field(default=None, repr=False)
    manifest: Manifest | None = None
    # None: no AttachmentEncoded element.
    attachments: list[Attachment] | None = None
    # What reading changed to make the package readable (a declared prefix), in Vietnamese.
    repairs: list[str] = field(default_factory=list, compare=False)
    # What reading left out (elements outside the standard), in Vietnamese.
    notes: list[str] = field(default_factory=list, compare=False)

    @property
    def document_id(self) -> str:
        return self.message.document_id or ""

    @property
    def bussiness(self) -> Bussiness | None:
        return self.trace.bussiness if self.trace else None

    @property
    def business_type(self) -> int | None:
        """0 new, 1 revoke, 2 update, 3 replace; None when the package does not say."""
        return self.bussiness.doc_type if self.bussiness else None


@dataclass
class StatusMessage(Record):
    """A status message: the MessageHeader of a package that answers another one."""

    CHILDREN = (
        Child("From", "from_organ", Organ),
        Child("ResponseFor", "response_for", ResponseFor),
        Child("StaffInfo", "staff_info", StaffInfo),
        Child("StatusCode", "status_code"),
        Child("Description", "description"),
        Child("Timestamp", "timestamp"),
    )

    from_organ: Organ | None = None
    response_for: ResponseFor | None = None
    staff_info: StaffInfo | None = None
    status_code: str | None = None  # one of STATUS_CODES
    description: str | None = None
    timestamp: str | None = None  # "2018/09/28 17:25:11"
    repairs: list[str] = field(default_factory=list, compare=False, kw_only=True)
    notes: list[str] = field(default_factory=list, compare=False, kw_only=True)

    @property
    def status_label(self) -> str:
        return STATUS_CODES.get(self.status_code or "", "")

    @property
    def time(self) -> dt.datetime | None:
        return text_to_timestamp(self.timestamp)
