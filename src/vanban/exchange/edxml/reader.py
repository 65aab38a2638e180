"""Reading edXML packages of the national document exchange (QCVN 102:2016/BTTTT).

A package is one XML document in the namespace NAMESPACE: `edXMLEnvelope/edXMLHeader/
MessageHeader` holds the record (From, To, Code, PromulgationInfo, DocumentType, Subject,
SignerInfo, DueDate, OtherInfo, SteeringType, ToPlaces), `TraceHeaderList/Bussiness` the business
type (new, revoke, update, replace), and `AttachmentEncoded/Attachment` the files in base64. The
axis's SDK zips attachments, and its samples zip a whole package inside another one.

Packages come from other systems, so every one is treated as hostile or broken until read:
- any DTD or entity declaration is refused before the tree is built (no XXE, no "billion laughs");
- a package larger than the file size limit (`safety.configure`) is refused unread, and the files
  decoded or unzipped from it may not exceed that limit together (no "zip bomb");
- an undeclared namespace prefix (seen in the field: `xlink:href`) is repaired by declaring it on
  the root element, and the repair is recorded in `EdxmlPackage.repairs`;
- anything else malformed raises EdxmlError with a Vietnamese reason; never another exception.

This reader gives the flat record a clerk registers (`EdxmlPackage`, lenient about what it does
not need); `message_reader` reads the whole message into the records of `model`.
"""

import base64
import binascii
import datetime as dt
import unicodedata
import xml.etree.ElementTree as ET  # used only after `safety.scan` refused DTDs and entities
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO

from vanban.core.agency_codes import agency_code_problem

from .constants import BUSINESS_NEW, BUSINESS_TYPES, NAMESPACE, STATUS_NAMES
from .model import Organ, StaffInfo
from .safety import (
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    MAX_ZIP_MEMBERS,
    EdxmlError,
    default_max_bytes,
    invalid,
    is_document,
    scanned,
    size_label,
    syntax_error,
)


@dataclass
class EdxmlAttachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    description: str = ""
    # Where the file was found when not directly in the package: "a.zip › b.edxml".
    container: str = ""

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class EdxmlPackage:
    document_id: str = ""
    from_organ: Organ = field(default_factory=Organ)
    to_organs: list[Organ] = field(default_factory=list)
    code_number: str = ""
    code_notation: str = ""
    promulgation_place: str = ""
    promulgation_date: dt.date | None = None
    type_code: str = ""
    type_name: str = ""
    subject: str = ""
    content: str = ""
    signer_name: str = ""
    signer_position: str = ""
    signer_competence: str = ""
    due_date: dt.date | None = None
    priority: int = 0  # urgency, the exchange's one-digit code 0-4
    page_amount: int | None = None
    steering_type: int | None = None
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None  # copies issued
    # OtherInfo/Direction: True when the sender marks the document as one that directs (asks
    # for an answer); None when the package does not say.
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)
    to_places: list[str] = field(default_factory=list)
    # Bussiness/StaffInfo: who handled the document at the sender (department, name, e-mail,
    # mobile); None when the package does not say.
    staff: StaffInfo | None = None
    business_type: int = BUSINESS_NEW
    business_reason: str = ""
    # Documents an update, replacement or revocation refers to (their DocumentId).
    business_refs: list[str] = field(default_factory=list)
    attachments: list[EdxmlAttachment] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    # What was read differently from how the package wrote it (unzipped files, ignored values).
    notes: list[str] = field(default_factory=list)
    # The package's bytes as parsed: the repaired bytes when `xml_repaired` (`repairs` also
    # lists those of a package zipped inside, which leave these bytes as they came).
    xml: bytes = b""
    xml_repaired: bool = False

    @property
    def number_symbol(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def business_label(self) -> str:
        return BUSINESS_TYPES.get(self.business_type, "")

    @property
    def has_details(self) -> bool:
        """Whether the package says more than the register's fields: the place, the signer's
        competence, how the sender is reached, who handled it there, appendices, copies."""
        return bool(
            self.promulgation_place
            or self.signer_competence
            or self.from_organ.has_contact
            or self.staff
            or self.direction
            or self.appendixes
            or self.promulgation_amount
        )


@dataclass
class _Budget:
    """Bytes of files the package may still yield: decoded and unzipped files together."""

    remaining: int
    limit_label: str

    def take(self, size: int, name: str) -> None:
        if size > self.remaining:
            raise EdxmlError(
                f"Gói edXML không hợp lệ: các tệp trong gói (đến tệp “{name}”) lớn hơn giới hạn "
                f"{self.limit_label} khi giải mã."
            )
        self.remaining -= size


def parse_package(data: bytes, *, max_bytes: int | None = None) -> EdxmlPackage:
    """Read an edXML package; EdxmlError (Vietnamese) for anything that cannot be used.

    `max_bytes` defaults to the configured limit (the province's file size limit): a larger
    package is refused before it is parsed, and its files together may not be larger once decoded.
    """
    if max_bytes is None:
        max_bytes = default_max_bytes()
    label = size_label(max_bytes)
    if len(data) > max_bytes:
        raise EdxmlError(f"Gói edXML lớn hơn giới hạn {label} của một tệp.")
    if not data.strip():
        raise invalid("gói rỗng")
    return _parse(data, budget=_Budget(max_bytes, label), depth=0)


def organ_id_problem(where: str, code: str) -> str:
    """Why the OrganId `code` of `where` (From, To) is not a well-formed agency code (QĐ
    20/2020/QĐ-TTg, see `vanban.core.agency_codes`); empty when it is."""
    problem = agency_code_problem(code)
    return f"OrganId của {where}: {problem}" if problem else ""


def address_problems(package: "EdxmlPackage") -> list[str]:
    """What is wrong with the agency codes of a package's sender and recipients, one sentence
    each; empty when every one is well-formed."""
    problems = [organ_id_problem("nơi gửi (From)", package.from_organ.organ_id or "")]
    many = len(package.to_organs) > 1
    for number, organ in enumerate(package.to_organs, start=1):
        where = f"nơi nhận thứ {number} (To)" if many else "nơi nhận (To)"
        problems.append(organ_id_problem(where, organ.organ_id or ""))
    return [p for p in problems if p]


def check_addresses(package: "EdxmlPackage") -> None:
    """EdxmlError (Vietnamese) when a package received from another system names its sender or
    a recipient with a malformed agency code: such a package is refused, not stored."""
    problems = address_problems(package)
    if problems:
        raise EdxmlError("Gói tin bị từ chối: " + " ".join(problems))


# ---------------------------------------------------------------- XML, safely


def tree(data: bytes) -> tuple[ET.Element, bytes, list[str]]:
    """(root, the bytes parsed, repairs) with the standard library's parser, after the scan."""
    data, repairs = scanned(data)
    try:
        # DTDs and entities were refused by the scan, so nothing here is expanded or fetched.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        raise syntax_error(exc.code, line, column) from exc
    return root, data, repairs


# ---------------------------------------------------------------- reading the record


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def find_child(element: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def find_children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _clean(value: str | None, *, multiline: bool = False) -> str:
    value = unicodedata.normalize("NFC", value or "")
    return value.strip() if multiline else " ".join(value.split())


def child_text(element: ET.Element | None, *path: str, multiline: bool = False) -> str:
    node = find_child(element, *path)
    return "" if node is None else _clean("".join(node.itertext()), multiline=multiline)


def _date(value: str, label: str, notes: list[str]) -> dt.date | None:
    if not value:
        return None
    head = value.split()[0].split("T")[0]
    for pattern in ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(head, pattern).date()  # noqa: DTZ007 – a date only
        except ValueError:
            continue
    notes.append(f"{label} “{value}” trong gói không phải một ngày hợp lệ nên được bỏ qua.")
    return None


def _number(value: str, label: str, notes: list[str], *, low: int, high: int) -> int | None:
    if not value:
        return None
    if value.isdigit() and low <= int(value) <= high:
        return int(value)
    notes.append(f"{label} “{value}” trong gói không hợp lệ nên được bỏ qua.")
    return None


def read_organ(element: ET.Element | None) -> Organ:
    """An agency: its code and name (the OrganName, else the OrganizationInCharge) and how it is
    reached (empty when the package does not say)."""
    return Organ(
        organ_id=child_text(element, "OrganId"),
        organ_name=child_text(element, "OrganName") or child_text(element, "OrganizationInCharge"),
        organ_add=child_text(element, "OrganAdd"),
        email=child_text(element, "Email"),
        telephone=child_text(element, "Telephone"),
        fax=child_text(element, "Fax"),
        website=child_text(element, "Website"),
    )


def staff_info(element: ET.Element | None) -> StaffInfo | None:
    """StaffInfo as read; None when absent or every child is empty."""
    if element is None:
        return None
    staff = StaffInfo(
        department=child_text(element, "Department"),
        staff=child_text(element, "Staff"),
        email=child_text(element, "Email"),
        mobile=child_text(element, "Mobile"),
    )
    if not (staff.department or staff.staff or staff.email or staff.mobile):
        return None
    return staff


def _flag(value: str, label: str, notes: list[str]) -> bool | None:
    """A Flag of the standard: "true"/"1" or "false"/"0" (any case); None when empty."""
    if not value:
        return None
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    notes.append(f"{label} “{value}” trong gói không hợp lệ nên được bỏ qua.")
    return None


def _parse(data: bytes, *, budget: _Budget, depth: int) -> EdxmlPackage:
    root, xml, repairs = tree(data)
    if _local(root.tag) != "edXML":
        raise invalid(f"phần tử gốc là “{_local(root.tag)}”, không phải edXML")
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace != NAMESPACE:
        raise invalid(
            f"gói không thuộc chuẩn QCVN 102:2016 (không gian tên “{namespace or 'trống'}”)"
        )
    header = find_child(root, "edXMLEnvelope", "edXMLHeader")
    message = find_child(header, "MessageHeader")
    if message is None:
        raise invalid("thiếu phần MessageHeader")
    status = child_text(message, "StatusCode")
    if status:
        label = STATUS_NAMES.get(status, "không rõ")
        raise EdxmlError(
            f"Gói edXML này là thông điệp trạng thái “{label}” (mã {status}) của trục liên thông, "
            "không chứa văn bản để vào sổ."
        )
    notes: list[str] = []
    package = EdxmlPackage(
        document_id=child_text(message, "DocumentId"),
        from_organ=read_organ(find_child(message, "From")),
        to_organs=[read_organ(e) for e in find_children(message, "To")],
        code_number=child_text(message, "Code", "CodeNumber"),
        code_notation=child_text(message, "Code", "CodeNotation"),
        promulgation_place=child_text(message, "PromulgationInfo", "Place"),
        type_code=child_text(message, "DocumentType", "Type"),
        type_name=child_text(message, "DocumentType", "TypeName"),
        subject=child_text(message, "Subject"),
        content=child_text(message, "Content", multiline=True),
        signer_name=child_text(message, "SignerInfo", "FullName"),
        signer_position=child_text(message, "SignerInfo", "Position"),
        signer_competence=child_text(message, "SignerInfo", "Competence"),
        sphere=child_text(message, "OtherInfo", "SphereOfPromulgation"),
        typer_notation=child_text(message, "OtherInfo", "TyperNotation"),
        appendixes=[
            text
            for e in find_children(find_child(message, "OtherInfo", "Appendixes"), "Appendix")
            if (text := child_text(e))
        ],
        to_places=[
            text
            for e in find_children(find_child(message, "ToPlaces"), "Place")
            if (text := child_text(e))
        ],
        repairs=repairs,
        notes=notes,
        xml=xml,
        xml_repaired=bool(repairs),
    )
    package.promulgation_date = _date(
        child_text(message, "PromulgationInfo", "PromulgationDate"), "Ngày ban hành", notes
    )
    package.due_date = _date(child_text(message, "DueDate"), "Hạn xử lý", notes)
    package.priority = (
        _number(child_text(message, "OtherInfo", "Priority"), "Độ khẩn", notes, low=0, high=4) or 0
    )
    package.page_amount = _number(
        child_text(message, "OtherInfo", "PageAmount"), "Số trang", notes, low=1, high=9999
    )
    package.promulgation_amount = _number(
        child_text(message, "OtherInfo", "PromulgationAmount"),
        "Số lượng bản",
        notes,
        low=1,
        high=99999,
    )
    package.direction = _flag(
        child_text(message, "OtherInfo", "Direction"), "Văn bản chỉ đạo (Direction)", notes
    )
    package.steering_type = _number(
        child_text(message, "SteeringType"), "Loại chỉ đạo", notes, low=0, high=99
    )
    _read_business(package, find_child(header, "TraceHeaderList"))
    package.attachments = _read_attachments(root, package, budget=budget, depth=depth)
    return package


def _read_business(package: EdxmlPackage, trace: ET.Element | None) -> None:
    business = find_child(trace, "Bussiness")  # the standard's spelling
    if business is None:
        business = find_child(trace, "Business")
    if business is None:
        return
    kind = child_text(business, "BussinessDocType") or child_text(business, "BusinessDocType")
    value = _number(kind, "Loại nghiệp vụ", package.notes, low=0, high=3)
    package.business_type = BUSINESS_NEW if value is None else value
    package.business_reason = child_text(business, "BussinessDocReason") or child_text(
        business, "BusinessDocReason"
    )
    refs = [child_text(business, "DocumentId")]
    for info in find_children(find_child(business, "ReplacementInfoList"), "ReplacementInfo"):
        refs.append(child_text(info, "DocumentId"))
    package.business_refs = list(dict.fromkeys(ref for ref in refs if ref))
    package.staff = staff_info(find_child(business, "StaffInfo"))


# ---------------------------------------------------------------- attachments


def _read_attachments(
    root: ET.Element, package: EdxmlPackage, *, budget: _Budget, depth: int
) -> list[EdxmlAttachment]:
    manifest: dict[str, ET.Element] = {}
    for element in root.iter():
        if _local(element.tag) == "edXMLManifest":
            for reference in find_children(element, "Reference"):
                manifest.setdefault(child_text(reference, "ContentId"), reference)
    encoded = [
        attachment
        for element in root.iter()
        if _local(element.tag) == "AttachmentEncoded"
        for attachment in find_children(element, "Attachment")
    ]
    if len(encoded) > MAX_ATTACHMENTS:
        raise invalid(f"gói có {len(encoded)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp")
    found: list[EdxmlAttachment] = []
    for index, element in enumerate(encoded, start=1):
        content_id = child_text(element, "ContentId")
        listed = manifest.get(content_id)
        name = (
            child_text(element, "AttachmentName")
            or child_text(listed, "AttachmentName")
            or child_text(element, "Description")
            or child_text(listed, "Description")
            or f"tep-dinh-kem-{index}"
        )
        content_type = child_text(element, "ContentType") or child_text(listed, "ContentType")
        description = child_text(element, "Description") or child_text(listed, "Description")
        node = find_child(element, "ContentTransferEncoded")
        compact = "".join("".join(node.itertext()).split()) if node is not None else ""
        if not compact:
            package.notes.append(f"Tệp đính kèm “{name}” không có nội dung nên được bỏ qua.")
            continue
        if len(compact) // 4 * 3 > budget.remaining + 3:  # refused before decoding
            budget.take(len(compact) // 4 * 3, name)
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise invalid(f"tệp đính kèm “{name}” không giải mã được (mã base64 hỏng)") from exc
        del compact
        if data.startswith(b"PK\x03\x04") and not is_document(data):
            found.extend(_unzip(name, data, package, budget=budget, depth=depth))
            continue
        budget.take(len(data), name)
        found.append(
            EdxmlAttachment(
                name=name,
                content_type=content_type,
                data=data,
                content_id=content_id,
                description=description,
            )
        )
    if len(found) > MAX_ATTACHMENTS:
        raise invalid(f"gói có {len(found)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp")
    return found


def _looks_like_package(data: bytes) -> bool:
    head = data[:4096]
    return head.lstrip().startswith(b"<") and b"edXML" in head and NAMESPACE.encode() in head


def _unzip(
    name: str, data: bytes, package: EdxmlPackage, *, budget: _Budget, depth: int
) -> list[EdxmlAttachment]:
    """The files of a ZIP attachment (the SDK zips them), each read with the byte budget; a
    package inside is read too, once, and its files taken in its place."""
    members: list[tuple[str, bytes]] = []
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            if len(infos) > MAX_ZIP_MEMBERS:
                raise invalid(f"tệp nén “{name}” có {len(infos)} tệp, quá {MAX_ZIP_MEMBERS} tệp")
            for info in infos:
                member = _clean(info.filename.replace("\\", "/").rsplit("/", 1)[-1])
                if info.flag_bits & 0x1:
                    raise invalid(f"tệp nén “{name}” có mật khẩu nên không mở được")
                if info.file_size > budget.remaining:
                    budget.take(info.file_size, member)
                with archive.open(info) as handle:
                    content = handle.read(budget.remaining + 1)
                if len(content) > budget.remaining:
                    budget.take(len(content), member)
                members.append((member or name, content))
    except EdxmlError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        raise invalid(f"tệp nén “{name}” bị hỏng") from exc
    found: list[EdxmlAttachment] = []
    nested = False
    for member, content in members:
        if depth < MAX_DEPTH and _looks_like_package(content):
            nested = True
            try:
                inner = _parse(content, budget=budget, depth=depth + 1)
            except EdxmlError as exc:
                raise EdxmlError(f"{exc.message} (gói “{member}” trong tệp nén “{name}”)") from exc
            where = f"{name} › {member}"
            package.repairs.extend(f"Gói “{member}” trong tệp “{name}”: {r}" for r in inner.repairs)
            package.notes.extend(f"Gói “{member}” trong tệp “{name}”: {n}" for n in inner.notes)
            package.notes.append(
                f"Tệp đính kèm “{name}” là tệp nén chứa gói edXML “{member}”; đã lấy "
                f"{len(inner.attachments)} tệp từ gói đó."
            )
            for attachment in inner.attachments:
                attachment.container = (
                    f"{where} › {attachment.container}" if attachment.container else where
                )
            found.extend(inner.attachments)
            continue
        budget.take(len(content), member)
        found.append(
            EdxmlAttachment(
                name=member or name,
                content_type="application/octet-stream",
                data=content,
                container=name,
            )
        )
    if members and not nested:
        package.notes.append(f"Tệp đính kèm “{name}” là tệp nén: đã giải nén {len(found)} tệp.")
    return found
