"""Reading and writing edXML messages (QCVN 102:2016/BTTTT) as records of `edxml_model`.

Reading (`read_message`) treats every message as hostile until read, with the safety scan of
`vanban.exchange.edxml`: a package larger than the size limit is refused unread, any DTD or entity
declaration is refused before a tree is built (no XXE, no "billion laughs"), an undeclared prefix
(seen in the field: `xlink:href`, and `edXML:` outside the element that declares it, both in
edoc.edxml) is declared on the root element and the repair recorded; only then lxml builds the
tree, without entities or network. Anything else malformed raises EdxmlError with a Vietnamese
reason. Elements outside the standard are left out and listed in `notes`; comments are not kept
(except inside the Signature, which is kept as the bytes of the element).

Writing (`write_package`, `write_status`) produces UTF-8 XML with the samples' namespace layout:

    <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
      <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
        <edXML:edXMLHeader> <edXML:MessageHeader> ... <Signature ...> (as read) ...
      </edXML:edXMLEnvelope>
      <AttachmentEncoded> <Attachment> <ContentId>...</ContentId> ...
          <edXML:ContentTransferEncoded xmlns:edXML="...">base64</edXML:ContentTransferEncoded>

Every element is in the one namespace; the prefixes are the samples' spelling of it. A package
read after a repair is written well-formed (the prefixes declared where the layout above puts
them, an attribute's namespace declared on its element).

`validate` checks a message against schema/edxml.xsd, plus what XML Schema 1.0 cannot say
(how many times each header element may appear, which ones packages and status messages need).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from lxml import etree

from vanban.exchange.edxml import (
    KNOWN_PREFIXES,
    MAX_ATTACHMENTS,
    MB,
    NAMESPACE,
    STATUS_CODES,
    EdxmlError,
    _declare_prefixes,
    _invalid,
    _scan,
    _size_label,
)
from vanban.interop.edxml_model import (
    Attachment,
    Child,
    Manifest,
    MessageHeader,
    Organ,
    Package,
    Record,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    TraceHeaderList,
    timestamp_to_text,
)

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "edxml.xsd"
XMLDSIG = KNOWN_PREFIXES["ds"]
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_PREFIXES = {uri: prefix for prefix, uri in KNOWN_PREFIXES.items() if prefix != "edXML"}

# Children of MessageHeader only a package has, and only a status message has.
_PACKAGE_ONLY = {c.xml for c in MessageHeader.CHILDREN} - {c.xml for c in StatusMessage.CHILDREN}
_STATUS_ONLY = {c.xml for c in StatusMessage.CHILDREN} - {c.xml for c in MessageHeader.CHILDREN}
_PACKAGE_REQUIRED = (
    "From",
    "To",
    "DocumentId",
    "Code",
    "PromulgationInfo",
    "DocumentType",
    "Subject",
)
_STATUS_REQUIRED = ("From", "ResponseFor", "StatusCode", "Timestamp")


# ---------------------------------------------------------------- reading


def _parser() -> etree.XMLParser:
    # DTDs and entities were refused by `_scan` before; this parser would not expand or fetch
    # them anyway. huge_tree lifts libxml2's 10 MB limit on one text node (an attachment's
    # base64); the package's size is bounded by the caller's limit.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def parse_tree(data: bytes, *, max_bytes: int | None = None) -> tuple[Any, bytes, list[str]]:
    """(root element, the bytes parsed, repairs) of a message, read safely: the size limit
    (`max_bytes`, None: none), the scan for DTDs and entities, the repair of undeclared prefixes,
    then lxml. EdxmlError (Vietnamese) for anything that is not well-formed XML."""
    if not isinstance(data, bytes | bytearray):
        raise _invalid("gói phải là dãy byte")
    data = bytes(data)
    if max_bytes is not None and len(data) > max_bytes:
        raise EdxmlError(f"Gói edXML lớn hơn giới hạn {_size_label(max_bytes)} của một tệp.")
    if not data.strip():
        raise _invalid("gói rỗng")
    scan = _scan(data)
    repairs: list[str] = []
    if scan.unbound:
        data, repairs = _declare_prefixes(data, scan)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise _invalid(f"không đúng cú pháp XML (dòng {line}, cột {column})") from exc
    return root, data, repairs


def read_message(data: bytes, *, max_bytes: int | None = None) -> Package | StatusMessage:
    """A package or a status message; EdxmlError (Vietnamese) for anything that cannot be used.

    `max_bytes` defaults to the province's file size limit (DocumentPolicy)."""
    if max_bytes is None:
        from vanban.documents.models import DocumentPolicy

        max_bytes = DocumentPolicy.current().max_file_size_mb * MB
    root, xml, repairs = parse_tree(data, max_bytes=max_bytes)
    return _message(root, xml, repairs)


def _local(element: Any) -> str:
    return etree.QName(element).localname


def _namespace(element: Any) -> str:
    return etree.QName(element).namespace or ""


def _elements(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _ours(element: Any) -> bool:
    return _namespace(element) == NAMESPACE


def _single(parent: Any, name: str, path: str, notes: list[str]) -> Any | None:
    """The one child `name` of `parent` (None when absent); a second one is refused."""
    found = [c for c in _elements(parent) if _ours(c) and _local(c) == name]
    if len(found) > 1:
        raise _invalid(f"phần tử {path}/{name} xuất hiện {len(found)} lần")
    return found[0] if found else None


def _note_others(parent: Any, known: set[str], path: str, notes: list[str]) -> None:
    for child in _elements(parent):
        if not (_ours(child) and _local(child) in known):
            _note_ignored(child, path, notes)


def _note_ignored(element: Any, path: str, notes: list[str]) -> None:
    namespace = _namespace(element)
    where = f" (không gian tên “{namespace or 'trống'}”)" if namespace != NAMESPACE else ""
    notes.append(
        f"Phần tử “{path}/{_local(element)}”{where} không thuộc chuẩn edXML nên được bỏ qua."
    )


def _message(root: Any, xml: bytes, repairs: list[str]) -> Package | StatusMessage:
    if _local(root) != "edXML":
        raise _invalid(f"phần tử gốc là “{_local(root)}”, không phải edXML")
    namespace = _namespace(root)
    if namespace != NAMESPACE:
        raise _invalid(
            f"gói không thuộc chuẩn QCVN 102:2016 (không gian tên “{namespace or 'trống'}”)"
        )
    notes: list[str] = []
    _note_attributes(root, "edXML", notes)
    envelope = _single(root, "edXMLEnvelope", "edXML", notes)
    if envelope is None:
        raise _invalid("thiếu phần edXMLEnvelope")
    header = _single(envelope, "edXMLHeader", "edXMLEnvelope", notes)
    message = None if header is None else _single(header, "MessageHeader", "edXMLHeader", notes)
    if message is None:
        raise _invalid("thiếu phần MessageHeader")
    path = "MessageHeader"
    if _single(message, "StatusCode", path, notes) is not None:
        status = _read(StatusMessage, message, path, notes)
        status.repairs, status.notes = repairs, notes
        code = status.status_code or ""
        if code not in STATUS_CODES:
            raise EdxmlError(_unknown_code(code))
        _note_others(header, {"MessageHeader"}, "edXMLHeader", notes)
        _note_others(envelope, {"edXMLHeader"}, "edXMLEnvelope", notes)
        _note_others(root, {"edXMLEnvelope"}, "edXML", notes)
        return status

    package = Package(repairs=repairs, notes=notes)
    package.message = _read(MessageHeader, message, path, notes)
    trace = _single(header, "TraceHeaderList", "edXMLHeader", notes)
    if trace is not None:
        package.trace = _read(TraceHeaderList, trace, "edXMLHeader/TraceHeaderList", notes)
    signatures = [c for c in _elements(header) if _local(c) == "Signature"]
    if len(signatures) > 1:
        raise _invalid(f"phần tử edXMLHeader/Signature xuất hiện {len(signatures)} lần")
    if signatures:
        package.signature = _signature_bytes(xml, signatures[0], root)
    for child in _elements(header):
        if _local(child) not in ("MessageHeader", "TraceHeaderList", "Signature") or (
            _local(child) != "Signature" and not _ours(child)
        ):
            _note_ignored(child, "edXMLHeader", notes)

    body = _single(envelope, "edXMLBody", "edXMLEnvelope", notes)
    if body is not None:
        manifest = _single(body, "edXMLManifest", "edXMLBody", notes)
        if manifest is not None:
            package.manifest = _read(Manifest, manifest, "edXMLBody/edXMLManifest", notes)
        _note_others(body, {"edXMLManifest"}, "edXMLEnvelope/edXMLBody", notes)
    _note_others(envelope, {"edXMLHeader", "edXMLBody"}, "edXMLEnvelope", notes)

    encoded = [c for c in _elements(root) if _ours(c) and _local(c) == "AttachmentEncoded"]
    if encoded:
        package.attachments = []
        if len(encoded) > 1:
            notes.append(
                f"Gói có {len(encoded)} phần AttachmentEncoded; các tệp đính kèm được gộp vào "
                "một phần."
            )
        for element in encoded:
            _note_attributes(element, "AttachmentEncoded", notes)
            for child in _elements(element):
                if _ours(child) and _local(child) == "Attachment":
                    package.attachments.append(
                        _read(Attachment, child, "AttachmentEncoded/Attachment", notes)
                    )
                else:
                    _note_ignored(child, "AttachmentEncoded", notes)
        if len(package.attachments) > MAX_ATTACHMENTS:
            raise _invalid(
                f"gói có {len(package.attachments)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp"
            )
    _note_others(root, {"edXMLEnvelope", "AttachmentEncoded"}, "edXML", notes)
    return package


def _unknown_code(code: str) -> str:
    known = ", ".join(STATUS_CODES)
    return (
        f"Thông điệp trạng thái có mã “{code}” không nằm trong danh sách mã trạng thái của "
        f"trục liên thông ({known})."
    )


def _note_attributes(element: Any, path: str, notes: list[str]) -> None:
    for name in element.attrib:
        notes.append(f"Thuộc tính “{name}” của phần tử “{path}” không được giữ lại.")


def _read(cls: type[Any], element: Any, path: str, notes: list[str]) -> Any:
    """A record from its element, by the record's CHILDREN; the children's order is kept."""
    record = cls()
    record.attributes = dict(element.attrib)
    order: list[str] = []
    for child in _elements(element):
        name = _local(child)
        spec = cls.child(name) if _ours(child) else None
        if spec is None:
            _note_ignored(child, path, notes)
            continue
        where = f"{path}/{name}"
        value = _value(spec, child, where, notes)
        order.append(name)
        if spec.many:
            getattr(record, spec.attr).append(value)
        elif getattr(record, spec.attr) is not None:
            raise _invalid(f"phần tử {where} xuất hiện hơn một lần")
        else:
            setattr(record, spec.attr, value)
    if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
        notes.append(f"Phần tử “{path}” có văn bản xen giữa các phần tử con; văn bản đó bị bỏ qua.")
    record.order = tuple(order)
    return record


def _value(spec: Child, element: Any, path: str, notes: list[str]) -> Any:
    if spec.item:
        items = []
        for child in _elements(element):
            if _ours(child) and _local(child) == spec.item:
                where = f"{path}/{spec.item}"
                if spec.kind is None:
                    items.append(_text(child, where, notes))
                else:
                    items.append(_read(spec.kind, child, where, notes))
            else:
                _note_ignored(child, path, notes)
        _note_attributes(element, path, notes)
        return items
    if spec.kind is not None:
        return _read(spec.kind, element, path, notes)
    return _text(element, path, notes)


def _text(element: Any, path: str, notes: list[str]) -> str:
    if _elements(element):
        raise _invalid(f"phần tử {path} phải chỉ chứa văn bản, không chứa phần tử con")
    _note_attributes(element, path, notes)
    return (element.text or "").strip()


# ---------------------------------------------------------------- the Signature, verbatim


def _signature_bytes(xml: bytes, element: Any, root: Any) -> bytes:
    """The Signature element as written in the package when those bytes mean the same element
    where the writer puts them (the default namespace and `edXML:` both the standard's), else
    lxml's serialization of it (which declares the namespaces it needs)."""
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    span = _signature_span(xml) if encoding in ("UTF-8", "UTF8", "US-ASCII", "ASCII") else None
    if span is not None:
        raw = xml[span[0] : span[1]]
        if _same_elements(_in_our_context(raw), element):
            return raw
    return etree.tostring(element, encoding="utf-8", with_tail=False)


def _signature_span(xml: bytes) -> tuple[int, int] | None:
    """Byte offsets of edXML/edXMLEnvelope/edXMLHeader/Signature (already scanned: no DTD)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    path = ["edXMLEnvelope", "edXMLHeader", "Signature"]
    stack: list[str] = []
    span: list[int] = []

    def start(name: str, _attributes: dict[str, str]) -> None:
        stack.append(name.rpartition(":")[2])
        if not span and stack[1:] == path:
            span.append(parser.CurrentByteIndex)

    def end(_name: str) -> None:
        if len(span) == 1 and stack[1:] == path:
            at = parser.CurrentByteIndex
            close = xml.find(b">", at)
            # `<Signature/>` has no end tag: its bytes are not looked for.
            span.append(close + 1 if xml[at : at + 2] == b"</" and close > 0 else -1)
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return None
    if len(span) != 2 or span[1] < 0:
        return None
    return span[0], span[1]


def _in_our_context(raw: bytes) -> Any | None:
    """`raw` parsed where the writer puts it; None when it is not one well-formed element."""
    wrapped = f'<edXML xmlns="{NAMESPACE}" xmlns:edXML="{NAMESPACE}">'.encode() + raw + b"</edXML>"
    try:
        _scan(wrapped)
        holder = etree.fromstring(wrapped, _parser())
    except (EdxmlError, etree.XMLSyntaxError):
        return None
    children = _elements(holder)
    if len(children) != 1 or (holder.text or "").strip() or (children[0].tail or "").strip():
        return None
    return children[0]


def _same_elements(left: Any | None, right: Any) -> bool:
    """The same elements (namespace and name) with the same attributes, in the same order."""
    if left is None:
        return False
    ours, theirs = list(left.iter(etree.Element)), list(right.iter(etree.Element))
    return len(ours) == len(theirs) and all(
        a.tag == b.tag and dict(a.attrib) == dict(b.attrib)
        for a, b in zip(ours, theirs, strict=True)
    )


def _check_signature(signature: bytes) -> None:
    try:
        signature.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EdxmlError("Chữ ký XML (Signature) của gói không phải văn bản UTF-8.") from exc
    element = _in_our_context(signature)
    if element is None or _local(element) != "Signature":
        raise EdxmlError("Chữ ký XML (Signature) của gói không phải một phần tử Signature hợp lệ.")


# ---------------------------------------------------------------- writing

_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
INDENT = "  "


def _escape(text: str, *, attribute: bool = False) -> str:
    found = _INVALID_CHARS.search(text)
    if found:
        raise EdxmlError(
            f"Không ghi được gói edXML: có ký tự không được phép trong XML (mã {ord(found[0]):#x})."
        )
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def _attributes(attributes: dict[str, str]) -> str:
    """The attributes written, and the declarations their namespaces need, on one element."""
    declared: dict[str, str] = {}
    parts: list[str] = []
    for name, value in attributes.items():
        if name.startswith("{"):
            uri, _, local = name[1:].partition("}")
            if uri == XML_NAMESPACE:
                prefix = "xml"
            else:
                prefix = _PREFIXES.get(uri) or declared.get(uri) or f"ns{len(declared) + 1}"
                if uri == NAMESPACE:
                    prefix = "edXML"
                declared[uri] = prefix
            parts.append(f'{prefix}:{local}="{_escape(value, attribute=True)}"')
        else:
            parts.append(f'{name}="{_escape(value, attribute=True)}"')
    declarations = [
        f'xmlns:{prefix}="{_escape(uri, attribute=True)}"' for uri, prefix in declared.items()
    ]
    return "".join(f" {part}" for part in declarations + parts)


def _ordered(record: Record) -> list[tuple[Child, Any]]:
    """The children to write: in the order read, then the others in the standard's order."""
    pending: dict[str, list[Any]] = {}
    for spec in record.CHILDREN:
        value = getattr(record, spec.attr)
        if spec.many:
            pending[spec.xml] = list(value)
        else:
            pending[spec.xml] = [] if value is None else [value]
    specs = {spec.xml: spec for spec in record.CHILDREN}
    result = []
    for name in record.order:
        if name in specs and pending[name]:
            result.append((specs[name], pending[name].pop(0)))
    for spec in record.CHILDREN:
        result.extend((spec, value) for value in pending[spec.xml])
    return result


def _write_record(
    out: list[str], record: Record, name: str, depth: int, prefix: str, extra: str = ""
) -> None:
    pad = INDENT * depth
    start = f"{pad}<{prefix}{name}{extra}{_attributes(record.attributes)}>"
    children = _ordered(record)
    if not children:
        out.append(f"{start}</{prefix}{name}>")
        return
    out.append(start)
    for spec, value in children:
        _write_child(out, spec, value, depth + 1, prefix)
    out.append(f"{pad}</{prefix}{name}>")


def _write_child(out: list[str], spec: Child, value: Any, depth: int, prefix: str) -> None:
    if spec.item:
        pad = INDENT * depth
        if not value:
            out.append(f"{pad}<{prefix}{spec.xml}></{prefix}{spec.xml}>")
            return
        out.append(f"{pad}<{prefix}{spec.xml}>")
        for item in value:
            if spec.kind is None:
                _write_text(out, spec.item, item, depth + 1, prefix)
            else:
                _write_record(out, item, spec.item, depth + 1, prefix)
        out.append(f"{pad}</{prefix}{spec.xml}>")
    elif spec.kind is not None:
        _write_record(out, value, spec.xml, depth, prefix)
    else:
        _write_text(out, spec.xml, value, depth, prefix)


def _write_text(
    out: list[str], name: str, text: str, depth: int, prefix: str, extra: str = ""
) -> None:
    out.append(f"{INDENT * depth}<{prefix}{name}{extra}>{_escape(text)}</{prefix}{name}>")


def _root_open() -> list[str]:
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<edXML xmlns="{NAMESPACE}">',
        f'{INDENT}<edXML:edXMLEnvelope xmlns:edXML="{NAMESPACE}">',
        f"{INDENT * 2}<edXML:edXMLHeader>",
    ]


def _check_record_types(value: Any, expected: type, label: str) -> None:
    if not isinstance(value, expected):
        raise TypeError(f"{label} must be {expected.__name__}, not {type(value).__name__}")


def write_package(package: Package) -> bytes:
    """The package as UTF-8 XML in the samples' layout."""
    _check_record_types(package.message, MessageHeader, "Package.message")
    out = _root_open()
    _write_record(out, package.message, "MessageHeader", 3, "edXML:")
    if package.trace is not None:
        _write_record(out, package.trace, "TraceHeaderList", 3, "edXML:")
    if package.signature is not None:
        _check_signature(package.signature)
        out.append(INDENT * 3 + package.signature.decode("utf-8"))
    out.append(f"{INDENT * 2}</edXML:edXMLHeader>")
    if package.manifest is not None:
        out.append(f"{INDENT * 2}<edXML:edXMLBody>")
        _write_record(out, package.manifest, "edXMLManifest", 3, "edXML:")
        out.append(f"{INDENT * 2}</edXML:edXMLBody>")
    out.append(f"{INDENT}</edXML:edXMLEnvelope>")
    if package.attachments is not None:
        if not package.attachments:
            out.append(f"{INDENT}<AttachmentEncoded></AttachmentEncoded>")
        else:
            out.append(f"{INDENT}<AttachmentEncoded>")
            for attachment in package.attachments:
                _write_attachment(out, attachment, 2)
            out.append(f"{INDENT}</AttachmentEncoded>")
    out.append("</edXML>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _write_attachment(out: list[str], attachment: Attachment, depth: int) -> None:
    """Unprefixed, as the samples write it, but the content: `edXML:ContentTransferEncoded`
    declaring the prefix on itself."""
    pad = INDENT * depth
    out.append(f"{pad}<Attachment{_attributes(attachment.attributes)}>")
    for spec, value in _ordered(attachment):
        if spec.xml == "ContentTransferEncoded":
            extra = f' xmlns:edXML="{NAMESPACE}"'
            _write_text(out, spec.xml, value, depth + 1, "edXML:", extra)
        else:
            _write_text(out, spec.xml, value, depth + 1, "")
    out.append(f"{pad}</Attachment>")


def write_status(message: StatusMessage) -> bytes:
    """The status message as UTF-8 XML in the samples' layout; EdxmlError for an unknown code."""
    _check_record_types(message, StatusMessage, "message")
    if (message.status_code or "") not in STATUS_CODES:
        raise EdxmlError(_unknown_code(message.status_code or ""))
    out = _root_open()
    _write_record(out, message, "MessageHeader", 3, "edXML:")
    out += [
        f"{INDENT * 2}</edXML:edXMLHeader>",
        f"{INDENT}</edXML:edXMLEnvelope>",
        "</edXML>",
    ]
    return ("\n".join(out) + "\n").encode("utf-8")


def write_message(message: Package | StatusMessage) -> bytes:
    if isinstance(message, StatusMessage):
        return write_status(message)
    return write_package(message)


def status_message(
    from_organ: Organ,
    response_for: ResponseFor,
    code: str,
    description: str,
    timestamp: Any,
    staff: StaffInfo | None = None,
) -> StatusMessage:
    """A status message answering `response_for` with `code` (one of STATUS_CODES); the
    timestamp is a datetime (written in Vietnam's time) or the text already formatted."""
    if code not in STATUS_CODES:
        raise EdxmlError(_unknown_code(code))
    text = timestamp if isinstance(timestamp, str) else timestamp_to_text(timestamp)
    return StatusMessage(
        from_organ=from_organ,
        response_for=response_for,
        staff_info=staff,
        status_code=code,
        description=description,
        timestamp=text,
    )


# ---------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    """schema/edxml.xsd (which imports schema/xmldsig.xsd from the same folder)."""
    document = etree.parse(str(SCHEMA_PATH), _parser())
    return etree.XMLSchema(document)


def validate(data: bytes) -> list[str]:
    """What is wrong with a message we produce, one sentence each; empty when it is valid."""
    try:
        root, _xml, repairs = parse_tree(data)
    except EdxmlError as exc:
        return [exc.message]
    problems = [f"Gói dùng tiền tố không gian tên chưa khai báo: {repair}" for repair in repairs]
    checker = schema()
    if not checker.validate(root.getroottree()):
        problems += [f"Dòng {error.line}: {_shorten(error.message)}" for error in checker.error_log]
    problems += _header_problems(root)
    return problems


def _shorten(message: str) -> str:
    """The schema's message with a long quoted value (an attachment's base64) cut short."""
    return re.sub(r"'([^']{60})[^']{20,}'", r"'\1…'", message)


def _header_problems(root: Any) -> list[str]:
    """How many times each MessageHeader element appears (XML Schema 1.0 cannot count the
    elements of a content model in any order), and which ones each kind of message needs."""
    message = root.find(
        f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/{{{NAMESPACE}}}MessageHeader"
    )
    if message is None:
        return []
    counts: dict[str, int] = {}
    for child in _elements(message):
        counts[_local(child)] = counts.get(_local(child), 0) + 1
    is_status = "StatusCode" in counts
    problems = []
    repeatable = {"To", "ResponseFor"} if not is_status else set()
    for name, count in counts.items():
        if count > 1 and name not in repeatable:
            problems.append(
                f"Phần tử MessageHeader/{name} xuất hiện {count} lần (chỉ được một lần)."
            )
    kind = "thông điệp trạng thái" if is_status else "gói văn bản"
    for name in _STATUS_REQUIRED if is_status else _PACKAGE_REQUIRED:
        if not counts.get(name):
            problems.append(f"MessageHeader của {kind} thiếu phần tử {name}.")
    for name in sorted(_PACKAGE_ONLY if is_status else _STATUS_ONLY):
        if counts.get(name):
            problems.append(f"MessageHeader của {kind} không được có phần tử {name}.")
    if is_status:
        header = message.getparent()
        envelope = header.getparent()
        if any(len(_elements(e)) > 1 for e in (root, envelope, header)):
            problems.append(
                "Thông điệp trạng thái chỉ có MessageHeader, không có vết, chữ ký hay tệp đính kèm."
            )
    document_id = message.find(f"{{{NAMESPACE}}}DocumentId")
    if not is_status and document_id is not None and not (document_id.text or "").strip():
        problems.append("DocumentId của gói văn bản để trống.")
    return problems
