"""Writing edXML messages (QCVN 102:2016/BTTTT) from the records of `model`, with lxml.

The output is UTF-8 XML with the samples' namespace layout (NS: the namespace, `NAMESPACE`):

    <edXML xmlns="NS">
      <edXML:edXMLEnvelope xmlns:edXML="NS">
        <edXML:edXMLHeader> <edXML:MessageHeader> ... <Signature ...> (as read) ...
      </edXML:edXMLEnvelope>
      <AttachmentEncoded> <Attachment> <ContentId>...</ContentId> ...
          <edXML:ContentTransferEncoded xmlns:edXML="NS">base64</edXML:ContentTransferEncoded>

Every element is in the one namespace; the prefixes are the samples' spelling of it (lxml uses
the nearest declaration: the default one on the root, `edXML` inside the envelope and on the
content). A package read after a repair is written well-formed (the prefixes declared where the
layout above puts them, an attribute's namespace declared on its element). An element present
but empty is written `<X></X>`, as the samples do. The Signature is written as the bytes it was
read as.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .constants import KNOWN_PREFIXES, NAMESPACE, STATUS_CODES, XML_NAMESPACE
from .message_reader import in_our_context, local_name, unknown_code
from .model import Attachment, Child, MessageHeader, Package, Record, StatusMessage
from .safety import EdxmlError

INDENT = "  "
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_PREFIXES = {uri: prefix for prefix, uri in KNOWN_PREFIXES.items() if prefix != "edXML"}
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Where the Signature's bytes go: a processing instruction, which no text or attribute value
# can spell (their "<" is escaped), replaced once the tree is serialized.
_SIGNATURE_TARGET = "vanban-signature"
_SIGNATURE_MARK = etree.tostring(etree.ProcessingInstruction(_SIGNATURE_TARGET))


def _checked(text: str) -> str:
    found = _INVALID_CHARS.search(text)
    if found:
        raise EdxmlError(
            f"Không ghi được gói edXML: có ký tự không được phép trong XML (mã {ord(found[0]):#x})."
        )
    return text


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _element(parent: Any, name: str, attributes: dict[str, str] | None = None, **extra: Any) -> Any:
    """A child element in the namespace, with its attributes and the declarations their
    namespaces need on the element itself."""
    nsmap: dict[str, str] = dict(extra.get("nsmap") or {})
    values: list[tuple[str, str]] = []
    for key, value in (attributes or {}).items():
        if key.startswith("{"):
            uri = key[1:].partition("}")[0]
            if uri != XML_NAMESPACE and uri not in nsmap.values():
                if uri == NAMESPACE:
                    prefix = "edXML"
                else:
                    prefix = _PREFIXES.get(uri) or f"ns{len(nsmap) + 1}"
                nsmap[prefix] = uri
        values.append((key, _checked(value)))
    if parent is None:
        element = etree.Element(_tag(name), nsmap=nsmap or None)
    else:
        element = etree.SubElement(parent, _tag(name), nsmap=nsmap or None)
    for key, value in values:
        element.set(key, value)
    return element


def _text_element(parent: Any, name: str, text: str, **extra: Any) -> None:
    _element(parent, name, **extra).text = _checked(text)


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


def _record(parent: Any, record: Record, name: str) -> Any:
    element = _element(parent, name, record.attributes)
    children = _ordered(record)
    if not children:
        element.text = ""
    for spec, value in children:
        _child(element, spec, value)
    return element


def _child(parent: Any, spec: Child, value: Any) -> None:
    if spec.item:
        wrapper = _element(parent, spec.xml)
        if not value:
            wrapper.text = ""
        for item in value:
            if spec.kind is None:
                _text_element(wrapper, spec.item, item)
            else:
                _record(wrapper, item, spec.item)
    elif spec.kind is not None:
        _record(parent, value, spec.xml)
    else:
        _text_element(parent, spec.xml, value)


def _attachment(parent: Any, attachment: Attachment) -> None:
    """Unprefixed, as the samples write it, but the content: `edXML:ContentTransferEncoded`
    declaring the prefix on itself."""
    element = _element(parent, "Attachment", attachment.attributes)
    for spec, value in _ordered(attachment):
        if spec.xml == "ContentTransferEncoded":
            _text_element(element, spec.xml, value, nsmap={"edXML": NAMESPACE})
        else:
            _text_element(element, spec.xml, value)


def _envelope() -> tuple[Any, Any, Any]:
    """(root, envelope, header): the root declares the namespace as the default one, the
    envelope as `edXML`."""
    root = etree.Element(_tag("edXML"), nsmap={None: NAMESPACE})
    envelope = etree.SubElement(root, _tag("edXMLEnvelope"), nsmap={"edXML": NAMESPACE})
    header = etree.SubElement(envelope, _tag("edXMLHeader"))
    return root, envelope, header


def _serialized(root: Any, signature: bytes | None = None) -> bytes:
    etree.indent(root, space=INDENT)
    tree: bytes = etree.tostring(root, encoding="utf-8")
    out = DECLARATION + tree + b"\n"
    if signature is not None:
        out = out.replace(_SIGNATURE_MARK, signature, 1)
    return out


def _check_signature(signature: bytes) -> None:
    try:
        signature.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EdxmlError("Chữ ký XML (Signature) của gói không phải văn bản UTF-8.") from exc
    element = in_our_context(signature)
    if element is None or local_name(element) != "Signature":
        raise EdxmlError("Chữ ký XML (Signature) của gói không phải một phần tử Signature hợp lệ.")


def _check_record_types(value: Any, expected: type, label: str) -> None:
    if not isinstance(value, expected):
        raise TypeError(f"{label} must be {expected.__name__}, not {type(value).__name__}")


def write_package(package: Package) -> bytes:
    """The package as UTF-8 XML in the samples' layout."""
    _check_record_types(package.message, MessageHeader, "Package.message")
    root, envelope, header = _envelope()
    _record(header, package.message, "MessageHeader")
    if package.trace is not None:
        _record(header, package.trace, "TraceHeaderList")
    if package.signature is not None:
        _check_signature(package.signature)
        header.append(etree.ProcessingInstruction(_SIGNATURE_TARGET))
    if package.manifest is not None:
        body = _element(envelope, "edXMLBody")
        _record(body, package.manifest, "edXMLManifest")
    if package.attachments is not None:
        encoded = _element(root, "AttachmentEncoded")
        if not package.attachments:
            encoded.text = ""
        for attachment in package.attachments:
            _attachment(encoded, attachment)
    return _serialized(root, package.signature)


def write_status(message: StatusMessage) -> bytes:
    """The status message as UTF-8 XML in the samples' layout; EdxmlError for an unknown code."""
    _check_record_types(message, StatusMessage, "message")
    if (message.status_code or "") not in STATUS_CODES:
        raise EdxmlError(unknown_code(message.status_code or ""))
    root, _envelope_element, header = _envelope()
    _record(header, message, "MessageHeader")
    return _serialized(root)


def write_message(message: Package | StatusMessage) -> bytes:
    if isinstance(message, StatusMessage):
        return write_status(message)
    return write_package(message)
