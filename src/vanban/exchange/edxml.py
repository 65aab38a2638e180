"""Reading edXML packages of the national document exchange (QCVN 102:2016/BTTTT).

A package is one XML document in the namespace NAMESPACE: `edXMLEnvelope/edXMLHeader/
MessageHeader` holds the record (From, To, Code, PromulgationInfo, DocumentType, Subject,
SignerInfo, DueDate, OtherInfo, SteeringType, ToPlaces), `TraceHeaderList/Bussiness` the business
type (new, revoke, update, replace), and `AttachmentEncoded/Attachment` the files in base64. The
axis's SDK zips attachments, and its samples zip a whole package inside another one.

Packages come from other systems, so every one is treated as hostile or broken until read:
- any DTD or entity declaration is refused before the tree is built (no XXE, no "billion laughs");
- a package larger than the file size limit (DocumentPolicy) is refused unread, and the files
  decoded or unzipped from it may not exceed that limit together (no "zip bomb");
- an undeclared namespace prefix (seen in the field: `xlink:href`) is repaired by declaring it on
  the root element, and the repair is recorded in `EdxmlPackage.repairs`;
- anything else malformed raises EdxmlError with a Vietnamese reason; never another exception.
"""

import base64
import binascii
import datetime as dt
import unicodedata
import xml.etree.ElementTree as ET  # used only after `_scan` refused DTDs and entities
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from xml.parsers import expat

from vanban.core.errors import ServiceError
from vanban.documents.files import detect_format
from vanban.documents.models import DocumentPolicy

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
# URIs for prefixes that packages from the field use without declaring them.
KNOWN_PREFIXES = {
    "edXML": NAMESPACE,
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
UNKNOWN_PREFIX_URI = "urn:vanban:undeclared:"

BUSINESS_NEW, BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3
BUSINESS_TYPES = {
    BUSINESS_NEW: "Văn bản mới",
    BUSINESS_REVOKE: "Thu hồi văn bản",
    BUSINESS_UPDATE: "Cập nhật văn bản",
    BUSINESS_REPLACE: "Thay thế văn bản",
}
# StatusCode of status messages (the axis's code list).
STATUS_CODES = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Đã phân công",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Đề nghị lấy lại văn bản",
    "15": "Đồng ý cập nhật hoặc lấy lại",
    "16": "Từ chối cập nhật hoặc lấy lại",
}

MB = 1024 * 1024
MAX_DEPTH = 1  # a package zipped inside an attachment is read; one inside that stays a file
MAX_ATTACHMENTS = 200
MAX_ZIP_MEMBERS = 50
MAX_MISSING_PREFIXES = 10


class EdxmlError(ServiceError):
    """A package that cannot be used; `message` says why, in Vietnamese. Nothing was stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="package")


def _invalid(reason: str) -> EdxmlError:
    return EdxmlError(f"Gói edXML không hợp lệ: {reason}.")


@dataclass(frozen=True)
class Organ:
    organ_id: str = ""
    name: str = ""


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
    to_places: list[str] = field(default_factory=list)
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


def _size_label(max_bytes: int) -> str:
    return f"{max_bytes // MB} MB" if max_bytes % MB == 0 else f"{max_bytes} byte"


def parse_package(data: bytes, *, max_bytes: int | None = None) -> EdxmlPackage:
    """Read an edXML package; EdxmlError (Vietnamese) for anything that cannot be used.

    `max_bytes` defaults to the province's file size limit (DocumentPolicy): a larger package is
    refused before it is parsed, and its files together may not be larger once decoded.
    """
    if max_bytes is None:
        max_bytes = DocumentPolicy.current().max_file_size_mb * MB
    label = _size_label(max_bytes)
    if len(data) > max_bytes:
        raise EdxmlError(f"Gói edXML lớn hơn giới hạn {label} của một tệp.")
    if not data.strip():
        raise _invalid("gói rỗng")
    return _parse(data, budget=_Budget(max_bytes, label), depth=0)


# ---------------------------------------------------------------- XML, safely


_ERRORS = expat.errors
_EXPAT_REASONS = {
    _ERRORS.codes[_ERRORS.XML_ERROR_NO_ELEMENTS]: "gói bị cắt cụt (thiếu phần cuối)",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNCLOSED_TOKEN]: "gói bị cắt cụt (thiếu phần cuối)",
    _ERRORS.codes[_ERRORS.XML_ERROR_PARTIAL_CHAR]: "gói bị cắt cụt giữa một ký tự",
    _ERRORS.codes[_ERRORS.XML_ERROR_TAG_MISMATCH]: "thẻ đóng không khớp với thẻ mở",
    _ERRORS.codes[_ERRORS.XML_ERROR_INVALID_TOKEN]: "có ký tự hoặc cú pháp không hợp lệ",
    _ERRORS.codes[_ERRORS.XML_ERROR_SYNTAX]: "sai cú pháp XML",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNDEFINED_ENTITY]: "dùng thực thể không khai báo",
    _ERRORS.codes[_ERRORS.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "có nội dung thừa sau phần tử gốc",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNKNOWN_ENCODING]: "bảng mã ký tự không được hỗ trợ",
    _ERRORS.codes[_ERRORS.XML_ERROR_INCORRECT_ENCODING]: "bảng mã ký tự không đúng",
    _ERRORS.codes[_ERRORS.XML_ERROR_UNBOUND_PREFIX]: "tiền tố không gian tên chưa khai báo",
    _ERRORS.codes[_ERRORS.XML_ERROR_DUPLICATE_ATTRIBUTE]: "một thuộc tính lặp lại",
}


def _syntax_error(code: int | None, line: int, column: int) -> EdxmlError:
    reason = _EXPAT_REASONS.get(code or 0, "không đúng cú pháp XML")
    return _invalid(f"{reason} (dòng {line}, cột {column + 1})")


class _Refused(Exception):
    pass


@dataclass
class _Scan:
    root_name: str = ""
    root_offset: int = -1  # byte offset of the root start tag's "<"
    unbound: list[str] = field(default_factory=list)  # prefixes used out of any declaration


def _scan(data: bytes) -> _Scan:
    """One pass of expat without namespace processing: refuse any DTD or entity, find syntax
    errors, and list the namespace prefixes used where no declaration is in scope."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scan = _Scan()
    scopes: list[set[str]] = [{"xml", "xmlns"}]

    def refuse(*_args: object) -> None:
        raise _Refused

    def start(name: str, attributes: dict[str, str]) -> None:
        if not scan.root_name:
            scan.root_name, scan.root_offset = name, parser.CurrentByteIndex
        declared = {key[6:] for key in attributes if key.startswith("xmlns:")}
        bound = scopes[-1] | declared if declared else scopes[-1]
        scopes.append(bound)
        for qualified in (name, *attributes):
            prefix, colon, _local = qualified.partition(":")
            if colon and prefix not in bound and prefix not in scan.unbound:
                scan.unbound.append(prefix)

    def end(_name: str) -> None:
        scopes.pop()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise _invalid(
            "gói có khai báo DTD hoặc thực thể (<!DOCTYPE>, <!ENTITY>); vì an toàn hệ thống "
            "không nhận gói như vậy"
        ) from exc
    except expat.ExpatError as exc:
        raise _syntax_error(exc.code, exc.lineno, exc.offset) from exc
    except (ValueError, LookupError) as exc:  # an encoding Python cannot decode
        raise _invalid("bảng mã ký tự không được hỗ trợ") from exc
    return scan


def _declare_prefixes(data: bytes, scan: _Scan) -> tuple[bytes, list[str]]:
    """Declare the unbound prefixes on the root element: the lenient repair of a known fault."""
    if len(scan.unbound) > MAX_MISSING_PREFIXES:
        raise _invalid(f"gói dùng {len(scan.unbound)} tiền tố không gian tên chưa khai báo")
    opening = b"<" + scan.root_name.encode("utf-8")
    start = scan.root_offset
    if start < 0 or data[start : start + len(opening)] != opening:
        # Not an ASCII-compatible encoding: the byte offset does not point at the tag.
        raise _invalid("tiền tố không gian tên chưa khai báo, và không sửa được trong bảng mã này")
    declarations, repairs = [], []
    for prefix in scan.unbound:
        uri = KNOWN_PREFIXES.get(prefix, UNKNOWN_PREFIX_URI + prefix)
        declarations.append(f' xmlns:{prefix}="{uri}"')
        repairs.append(
            f"Gói dùng tiền tố “{prefix}:” mà không khai báo (không đúng cú pháp XML); đã khai "
            f"báo {prefix} = {uri} ở phần tử gốc để đọc được gói."
        )
    at = start + len(opening)
    return data[:at] + "".join(declarations).encode("ascii") + data[at:], repairs


def _tree(data: bytes) -> tuple[ET.Element, bytes, list[str]]:
    scan = _scan(data)
    repairs: list[str] = []
    if scan.unbound:
        data, repairs = _declare_prefixes(data, scan)
    try:
        # DTDs and entities were refused by `_scan`, so nothing here is expanded or fetched.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        raise _syntax_error(exc.code, line, column) from exc
    return root, data, repairs


# ---------------------------------------------------------------- reading the record


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _clean(value: str | None, *, multiline: bool = False) -> str:
    value = unicodedata.normalize("NFC", value or "")
    return value.strip() if multiline else " ".join(value.split())


def _text(element: ET.Element | None, *path: str, multiline: bool = False) -> str:
    node = _child(element, *path)
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


def _organ(element: ET.Element | None) -> Organ:
    return Organ(
        organ_id=_text(element, "OrganId"),
        name=_text(element, "OrganName") or _text(element, "OrganizationInCharge"),
    )


def _parse(data: bytes, *, budget: _Budget, depth: int) -> EdxmlPackage:
    root, xml, repairs = _tree(data)
    if _local(root.tag) != "edXML":
        raise _invalid(f"phần tử gốc là “{_local(root.tag)}”, không phải edXML")
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace != NAMESPACE:
        raise _invalid(
            f"gói không thuộc chuẩn QCVN 102:2016 (không gian tên “{namespace or 'trống'}”)"
        )
    header = _child(root, "edXMLEnvelope", "edXMLHeader")
    message = _child(header, "MessageHeader")
    if message is None:
        raise _invalid("thiếu phần MessageHeader")
    status = _text(message, "StatusCode")
    if status:
        label = STATUS_CODES.get(status, "không rõ")
        raise EdxmlError(
            f"Gói edXML này là thông điệp trạng thái “{label}” (mã {status}) của trục liên thông, "
            "không chứa văn bản để vào sổ."
        )
    notes: list[str] = []
    package = EdxmlPackage(
        document_id=_text(message, "DocumentId"),
        from_organ=_organ(_child(message, "From")),
        to_organs=[_organ(e) for e in _children(message, "To")],
        code_number=_text(message, "Code", "CodeNumber"),
        code_notation=_text(message, "Code", "CodeNotation"),
        promulgation_place=_text(message, "PromulgationInfo", "Place"),
        type_code=_text(message, "DocumentType", "Type"),
        type_name=_text(message, "DocumentType", "TypeName"),
        subject=_text(message, "Subject"),
        content=_text(message, "Content", multiline=True),
        signer_name=_text(message, "SignerInfo", "FullName"),
        signer_position=_text(message, "SignerInfo", "Position"),
        signer_competence=_text(message, "SignerInfo", "Competence"),
        sphere=_text(message, "OtherInfo", "SphereOfPromulgation"),
        to_places=[
            text for e in _children(_child(message, "ToPlaces"), "Place") if (text := _text(e))
        ],
        repairs=repairs,
        notes=notes,
        xml=xml,
        xml_repaired=bool(repairs),
    )
    package.promulgation_date = _date(
        _text(message, "PromulgationInfo", "PromulgationDate"), "Ngày ban hành", notes
    )
    package.due_date = _date(_text(message, "DueDate"), "Hạn xử lý", notes)
    package.priority = (
        _number(_text(message, "OtherInfo", "Priority"), "Độ khẩn", notes, low=0, high=4) or 0
    )
    package.page_amount = _number(
        _text(message, "OtherInfo", "PageAmount"), "Số trang", notes, low=1, high=9999
    )
    package.steering_type = _number(
        _text(message, "SteeringType"), "Loại chỉ đạo", notes, low=0, high=99
    )
    _read_business(package, _child(header, "TraceHeaderList"))
    package.attachments = _read_attachments(root, package, budget=budget, depth=depth)
    return package


def _read_business(package: EdxmlPackage, trace: ET.Element | None) -> None:
    business = _child(trace, "Bussiness")  # the standard's spelling
    if business is None:
        business = _child(trace, "Business")
    if business is None:
        return
    kind = _text(business, "BussinessDocType") or _text(business, "BusinessDocType")
    value = _number(kind, "Loại nghiệp vụ", package.notes, low=0, high=3)
    package.business_type = BUSINESS_NEW if value is None else value
    package.business_reason = _text(business, "BussinessDocReason") or _text(
        business, "BusinessDocReason"
    )
    refs = [_text(business, "DocumentId")]
    for info in _children(_child(business, "ReplacementInfoList"), "ReplacementInfo"):
        refs.append(_text(info, "DocumentId"))
    package.business_refs = list(dict.fromkeys(ref for ref in refs if ref))


# ---------------------------------------------------------------- attachments


def _read_attachments(
    root: ET.Element, package: EdxmlPackage, *, budget: _Budget, depth: int
) -> list[EdxmlAttachment]:
    manifest: dict[str, ET.Element] = {}
    for element in root.iter():
        if _local(element.tag) == "edXMLManifest":
            for reference in _children(element, "Reference"):
                manifest.setdefault(_text(reference, "ContentId"), reference)
    encoded = [
        attachment
        for element in root.iter()
        if _local(element.tag) == "AttachmentEncoded"
        for attachment in _children(element, "Attachment")
    ]
    if len(encoded) > MAX_ATTACHMENTS:
        raise _invalid(f"gói có {len(encoded)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp")
    found: list[EdxmlAttachment] = []
    for index, element in enumerate(encoded, start=1):
        content_id = _text(element, "ContentId")
        reference = manifest.get(content_id)
        name = (
            _text(element, "AttachmentName")
            or _text(reference, "AttachmentName")
            or _text(element, "Description")
            or _text(reference, "Description")
            or f"tep-dinh-kem-{index}"
        )
        content_type = _text(element, "ContentType") or _text(reference, "ContentType")
        description = _text(element, "Description") or _text(reference, "Description")
        node = _child(element, "ContentTransferEncoded")
        compact = "".join("".join(node.itertext()).split()) if node is not None else ""
        if not compact:
            package.notes.append(f"Tệp đính kèm “{name}” không có nội dung nên được bỏ qua.")
            continue
        if len(compact) // 4 * 3 > budget.remaining + 3:  # refused before decoding
            budget.take(len(compact) // 4 * 3, name)
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _invalid(f"tệp đính kèm “{name}” không giải mã được (mã base64 hỏng)") from exc
        del compact
        if data.startswith(b"PK\x03\x04") and detect_format(data) is None:
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
        raise _invalid(f"gói có {len(found)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp")
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
                raise _invalid(f"tệp nén “{name}” có {len(infos)} tệp, quá {MAX_ZIP_MEMBERS} tệp")
            for info in infos:
                member = _clean(info.filename.replace("\\", "/").rsplit("/", 1)[-1])
                if info.flag_bits & 0x1:
                    raise _invalid(f"tệp nén “{name}” có mật khẩu nên không mở được")
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
        raise _invalid(f"tệp nén “{name}” bị hỏng") from exc
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
