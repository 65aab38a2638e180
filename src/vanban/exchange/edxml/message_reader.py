"""Reading whole edXML messages (QCVN 102:2016/BTTTT) into the records of `model`.

`read_message` treats every message as hostile until read, with the safety scan of `safety`: a
package larger than the size limit is refused unread, any DTD or entity declaration is refused
before a tree is built (no XXE, no "billion laughs"), an undeclared prefix (seen in the field:
`xlink:href`, and `edXML:` outside the element that declares it, both in edoc.edxml) is declared
on the root element and the repair recorded; only then lxml builds the tree, without entities or
network. Anything else malformed raises EdxmlError with a Vietnamese reason. Elements outside the
standard are left out and listed in `notes`; comments are not kept (except inside the Signature,
which is kept as the bytes of the element).
"""

from __future__ import annotations

from typing import Any, TypeVar
from xml.parsers import expat

from lxml import etree

from .constants import NAMESPACE, STATUS_CODES
from .model import (
    Attachment,
    Child,
    Manifest,
    MessageHeader,
    Package,
    Record,
    StatusMessage,
    TraceHeaderList,
)
from .safety import (
    MAX_ATTACHMENTS,
    EdxmlError,
    default_max_bytes,
    invalid,
    lxml_parser,
    parse_tree,
    scan,
)

# lxml ships no type information: its elements are `Any` here.
R = TypeVar("R", bound=Record)

# ---------------------------------------------------------------- reading


def read_message(data: bytes, *, max_bytes: int | None = None) -> Package | StatusMessage:
    """A package or a status message; EdxmlError (Vietnamese) for anything that cannot be used.

    `max_bytes` defaults to the configured limit (the province's file size limit)."""
    if max_bytes is None:
        max_bytes = default_max_bytes()
    root, xml, repairs = parse_tree(data, max_bytes=max_bytes)
    return _message(root, xml, repairs)


def local_name(element: Any) -> str:
    name: str = etree.QName(element).localname
    return name


def _namespace(element: Any) -> str:
    return etree.QName(element).namespace or ""


def child_elements(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _ours(element: Any) -> bool:
    return _namespace(element) == NAMESPACE


def _single(parent: Any, name: str, path: str, notes: list[str]) -> Any | None:
    """The one child `name` of `parent` (None when absent); a second one is refused."""
    found = [c for c in child_elements(parent) if _ours(c) and local_name(c) == name]
    if len(found) > 1:
        raise invalid(f"phần tử {path}/{name} xuất hiện {len(found)} lần")
    return found[0] if found else None


def _note_others(parent: Any, known: set[str], path: str, notes: list[str]) -> None:
    for child in child_elements(parent):
        if not (_ours(child) and local_name(child) in known):
            _note_ignored(child, path, notes)


def _note_ignored(element: Any, path: str, notes: list[str]) -> None:
    namespace = _namespace(element)
    where = f" (không gian tên “{namespace or 'trống'}”)" if namespace != NAMESPACE else ""
    notes.append(
        f"Phần tử “{path}/{local_name(element)}”{where} không thuộc chuẩn edXML nên được bỏ qua."
    )


def _message(root: Any, xml: bytes, repairs: list[str]) -> Package | StatusMessage:
    if local_name(root) != "edXML":
        raise invalid(f"phần tử gốc là “{local_name(root)}”, không phải edXML")
    namespace = _namespace(root)
    if namespace != NAMESPACE:
        raise invalid(
            f"gói không thuộc chuẩn QCVN 102:2016 (không gian tên “{namespace or 'trống'}”)"
        )
    notes: list[str] = []
    _note_attributes(root, "edXML", notes)
    envelope = _single(root, "edXMLEnvelope", "edXML", notes)
    if envelope is None:
        raise invalid("thiếu phần edXMLEnvelope")
    header = _single(envelope, "edXMLHeader", "edXMLEnvelope", notes)
    message = None if header is None else _single(header, "MessageHeader", "edXMLHeader", notes)
    if message is None:
        raise invalid("thiếu phần MessageHeader")
    path = "MessageHeader"
    if _single(message, "StatusCode", path, notes) is not None:
        status = _read(StatusMessage, message, path, notes)
        status.repairs, status.notes = repairs, notes
        code = status.status_code or ""
        if code not in STATUS_CODES:
            raise EdxmlError(unknown_code(code))
        _note_others(header, {"MessageHeader"}, "edXMLHeader", notes)
        _note_others(envelope, {"edXMLHeader"}, "edXMLEnvelope", notes)
        _note_others(root, {"edXMLEnvelope"}, "edXML", notes)
        return status

    package = Package(repairs=repairs, notes=notes)
    package.message = _read(MessageHeader, message, path, notes)
    trace = _single(header, "TraceHeaderList", "edXMLHeader", notes)
    if trace is not None:
        package.trace = _read(TraceHeaderList, trace, "edXMLHeader/TraceHeaderList", notes)
    signatures = [c for c in child_elements(header) if local_name(c) == "Signature"]
    if len(signatures) > 1:
        raise invalid(f"phần tử edXMLHeader/Signature xuất hiện {len(signatures)} lần")
    if signatures:
        package.signature = _signature_bytes(xml, signatures[0], root)
    for child in child_elements(header):
        if local_name(child) not in ("MessageHeader", "TraceHeaderList", "Signature") or (
            local_name(child) != "Signature" and not _ours(child)
        ):
            _note_ignored(child, "edXMLHeader", notes)

    body = _single(envelope, "edXMLBody", "edXMLEnvelope", notes)
    if body is not None:
        manifest = _single(body, "edXMLManifest", "edXMLBody", notes)
        if manifest is not None:
            package.manifest = _read(Manifest, manifest, "edXMLBody/edXMLManifest", notes)
        _note_others(body, {"edXMLManifest"}, "edXMLEnvelope/edXMLBody", notes)
    _note_others(envelope, {"edXMLHeader", "edXMLBody"}, "edXMLEnvelope", notes)

    encoded = [c for c in child_elements(root) if _ours(c) and local_name(c) == "AttachmentEncoded"]
    if encoded:
        package.attachments = []
        if len(encoded) > 1:
            notes.append(
                f"Gói có {len(encoded)} phần AttachmentEncoded; các tệp đính kèm được gộp vào "
                "một phần."
            )
        for element in encoded:
            _note_attributes(element, "AttachmentEncoded", notes)
            for child in child_elements(element):
                if _ours(child) and local_name(child) == "Attachment":
                    package.attachments.append(
                        _read(Attachment, child, "AttachmentEncoded/Attachment", notes)
                    )
                else:
                    _note_ignored(child, "AttachmentEncoded", notes)
        if len(package.attachments) > MAX_ATTACHMENTS:
            raise invalid(
                f"gói có {len(package.attachments)} tệp đính kèm, quá {MAX_ATTACHMENTS} tệp"
            )
    _note_others(root, {"edXMLEnvelope", "AttachmentEncoded"}, "edXML", notes)
    return package


def unknown_code(code: str) -> str:
    known = ", ".join(STATUS_CODES)
    return (
        f"Thông điệp trạng thái có mã “{code}” không nằm trong danh sách mã trạng thái của "
        f"trục liên thông ({known})."
    )


def _note_attributes(element: Any, path: str, notes: list[str]) -> None:
    for name in element.attrib:
        notes.append(f"Thuộc tính “{name}” của phần tử “{path}” không được giữ lại.")


def _read(cls: type[R], element: Any, path: str, notes: list[str]) -> R:
    """A record from its element, by the record's CHILDREN; the children's order is kept."""
    record = cls()
    record.attributes = dict(element.attrib)
    order: list[str] = []
    for child in child_elements(element):
        name = local_name(child)
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
            raise invalid(f"phần tử {where} xuất hiện hơn một lần")
        else:
            setattr(record, spec.attr, value)
    if (element.text or "").strip() or any((c.tail or "").strip() for c in element):
        notes.append(f"Phần tử “{path}” có văn bản xen giữa các phần tử con; văn bản đó bị bỏ qua.")
    record.order = tuple(order)
    return record


def _value(
    spec: Child, element: Any, path: str, notes: list[str]
) -> str | Record | list[str | Record]:
    if spec.item:
        items: list[str | Record] = []
        for child in child_elements(element):
            if _ours(child) and local_name(child) == spec.item:
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
    if child_elements(element):
        raise invalid(f"phần tử {path} phải chỉ chứa văn bản, không chứa phần tử con")
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
        if _same_elements(in_our_context(raw), element):
            return raw
    serialized: bytes = etree.tostring(element, encoding="utf-8", with_tail=False)
    return serialized


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


def in_our_context(raw: bytes) -> Any | None:
    """`raw` parsed where the writer puts it; None when it is not one well-formed element."""
    wrapped = f'<edXML xmlns="{NAMESPACE}" xmlns:edXML="{NAMESPACE}">'.encode() + raw + b"</edXML>"
    try:
        scan(wrapped)
        holder = etree.fromstring(wrapped, lxml_parser())
    except (EdxmlError, etree.XMLSyntaxError):
        return None
    children = child_elements(holder)
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
