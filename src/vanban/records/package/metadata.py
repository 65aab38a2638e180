"""The XML of an archival package: the fonds, dossier and document metadata (schema
schema/vanban-luu-tru.xsd), the PREMIS events and METS.xml (layout.py says where each goes)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import layout
from .layout import lt, mets, premis, xlink


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _el(parent: etree._Element, tag: str, value: Any = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if value is not None:
        child.text = text_of(value)
    return child


def _bytes(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _record(tag: str, fields: list[tuple[str, Any]]) -> etree._Element:
    root = etree.Element(lt(tag), nsmap={None: layout.NS_LT})
    for name, value in fields:
        _el(root, lt(name), value)
    return root


def fonds_xml(fields: list[tuple[str, Any]], hand_over: list[tuple[str, Any]] | None) -> bytes:
    root = _record("Fonds", fields)
    if hand_over is not None:
        block = _el(root, lt("HandOver"))
        for name, value in hand_over:
            _el(block, lt(name), value)
    return _bytes(root)


def dossier_xml(fields: list[tuple[str, Any]]) -> bytes:
    return _bytes(_record("Dossier", fields))


@dataclass
class PackedFile:
    """A file of a document as it goes into the package."""

    path: str
    original_name: str
    role: str
    file_format: str
    data: bytes
    original_sha256: str
    original_size: int
    signatures: int = 0
    stamped: bool = False
    notes: list[str] = field(default_factory=list)
    converted_from: str = ""

    @property
    def mimetype(self) -> str:
        return {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "doc": "application/msword",
            "odt": "application/vnd.oasis.opendocument.text",
            "xml": "text/xml",
        }.get(self.file_format, "application/octet-stream")


def document_xml(
    fields: list[tuple[str, Any]],
    signer: tuple[str, str],
    tail: list[tuple[str, Any]],
    files: list[PackedFile],
) -> bytes:
    """`fields` up to Description, the SignerInfo, `tail` (Priority .. TraceHeaderList), Files."""
    root = _record("Document", fields)
    info = _el(root, lt("SignerInfo"))
    _el(info, lt("Position"), signer[0])
    _el(info, lt("FullName"), signer[1])
    for name, value in tail:
        _el(root, lt(name), value)
    block = _el(root, lt("Files"))
    for packed in files:
        item = _el(block, lt("File"))
        for name, value in (
            ("Path", packed.path),
            ("OriginalName", packed.original_name),
            ("Role", packed.role),
            ("Format", packed.file_format),
            ("Size", len(packed.data)),
            ("SHA256", sha256(packed.data)),
            ("OriginalSize", packed.original_size),
            ("OriginalSHA256", packed.original_sha256),
            ("Signatures", packed.signatures),
            ("ArchivalTimeStamp", packed.stamped),
            ("ValidationNote", " ".join(packed.notes)[:1000]),
            ("ConvertedFrom", packed.converted_from),
        ):
            _el(item, lt(name), value)
    return _bytes(root)


def chain_fields(fields: dict[str, Any]) -> list[tuple[str, Any]]:
    """The audit fields of an event (`vanban.audit.services.event_fields`) as XML elements."""
    return [
        ("Seq", fields["seq"]),
        ("At", fields["at"]),
        ("Actor", fields["actor_id"]),
        ("Action", fields["action"]),
        ("Unit", fields["unit_id"]),
        ("TargetType", fields["target_type"]),
        ("TargetId", fields["target_id"]),
        ("Data", json.dumps(fields["data"], ensure_ascii=False, sort_keys=True)),
        ("Ip", fields["ip"]),
        ("PrevHash", fields["prev_hash"]),
        ("Hash", fields["hash"]),
    ]


def events_xml(events: list[dict[str, Any]], object_id: str) -> bytes:
    """PREMIS 3 events; each carries the audit chain fields in its outcome's extension."""
    root = etree.Element(premis("premis"), nsmap={"premis": layout.NS_PREMIS, "lt": layout.NS_LT})
    root.set("version", "3.0")
    for fields in events:
        event = _el(root, premis("event"))
        ident = _el(event, premis("eventIdentifier"))
        _el(ident, premis("eventIdentifierType"), "vanban:audit-seq")
        _el(ident, premis("eventIdentifierValue"), fields["seq"])
        _el(event, premis("eventType"), fields["action"])
        _el(event, premis("eventDateTime"), fields["at"])
        detail = _el(event, premis("eventDetailInformation"))
        _el(detail, premis("eventDetail"), f"{fields['target_type']} #{fields['target_id']}")
        outcome = _el(event, premis("eventOutcomeInformation"))
        _el(outcome, premis("eventOutcome"), "ghi nhận trong nhật ký")
        extension = _el(
            _el(outcome, premis("eventOutcomeDetail")), premis("eventOutcomeDetailExtension")
        )
        chain = _el(extension, lt("Chain"))
        for name, value in chain_fields(fields):
            _el(chain, lt(name), value)
        if fields["actor_id"] is not None:
            agent = _el(event, premis("linkingAgentIdentifier"))
            _el(agent, premis("linkingAgentIdentifierType"), "vanban:user")
            _el(agent, premis("linkingAgentIdentifierValue"), fields["actor_id"])
        link = _el(event, premis("linkingObjectIdentifier"))
        _el(link, premis("linkingObjectIdentifierType"), "vanban")
        _el(link, premis("linkingObjectIdentifierValue"), object_id)
    return _bytes(root)


def read_chain(element: etree._Element) -> dict[str, Any]:
    """The audit fields of an `lt:Chain` element, as `event_fields` gives them plus the hash."""

    def value(name: str) -> str:
        found = element.find(lt(name))
        return "" if found is None or found.text is None else found.text

    def number(name: str) -> int | None:
        raw = value(name)
        return int(raw) if raw else None

    return {
        "seq": int(value("Seq")),
        "at": value("At"),
        "actor_id": number("Actor"),
        "action": value("Action"),
        "unit_id": number("Unit"),
        "target_type": value("TargetType"),
        "target_id": value("TargetId"),
        "data": json.loads(value("Data") or "{}"),
        "ip": value("Ip") or None,
        "prev_hash": value("PrevHash"),
        "hash": value("Hash"),
    }


# ------------------------------------------------------------------ METS


@dataclass
class MetsDocument:
    ident: str
    label: str
    order: int
    metadata: str  # path of document.xml
    events: str  # path of events.xml
    files: list[str]


@dataclass
class MetsDossier:
    ident: str
    label: str
    metadata: str
    documents: list[MetsDocument]


def _md_ref(parent: etree._Element, href: str, digest: str, mdtype: str) -> None:
    ref = _el(parent, mets("mdRef"))
    ref.set("LOCTYPE", "URL")
    ref.set(xlink("href"), href)
    ref.set("MIMETYPE", "text/xml")
    if mdtype.startswith("OTHER:"):
        ref.set("MDTYPE", "OTHER")
        ref.set("OTHERMDTYPE", mdtype.removeprefix("OTHER:"))
    else:
        ref.set("MDTYPE", mdtype)
    ref.set("CHECKSUM", digest)
    ref.set("CHECKSUMTYPE", "SHA-256")


def mets_xml(
    *,
    object_id: str,
    label: str,
    created: str,
    fonds_label: str,
    dossiers: list[MetsDossier],
    contents: dict[str, bytes],
    mimetypes: dict[str, str],
    other_files: list[str],
) -> bytes:
    """METS.xml: descriptive metadata of the fonds, dossiers and documents, the PREMIS events
    as provenance, every file with its SHA-256, and the structure fonds > dossier > document >
    file (E-ARK common specification's shape)."""
    root = etree.Element(mets("mets"), nsmap=layout.NSMAP_METS)
    root.set("OBJID", object_id)
    root.set("LABEL", label)
    root.set("TYPE", "Hồ sơ lưu trữ")
    root.set("PROFILE", layout.PROFILE)
    header = _el(root, mets("metsHdr"))
    header.set("CREATEDATE", created)
    agent = _el(header, mets("agent"))
    agent.set("ROLE", "CREATOR")
    agent.set("TYPE", "OTHER")
    agent.set("OTHERTYPE", "SOFTWARE")
    _el(agent, mets("name"), "vanban")

    def dmd(ident: str, href: str) -> None:
        section = _el(root, mets("dmdSec"))
        section.set("ID", ident)
        _md_ref(section, href, sha256(contents[href]), "OTHER:VANBAN-LUU-TRU")

    dmd("dmd-fonds", layout.FONDS)
    for dossier in dossiers:
        dmd(f"dmd-{dossier.ident}", dossier.metadata)
        for document in dossier.documents:
            dmd(f"dmd-{document.ident}", document.metadata)
    amd = _el(root, mets("amdSec"))
    for dossier in dossiers:
        for document in dossier.documents:
            prov = _el(amd, mets("digiprovMD"))
            prov.set("ID", f"prov-{document.ident}")
            _md_ref(prov, document.events, sha256(contents[document.events]), "PREMIS:EVENT")

    file_ids: dict[str, str] = {}
    file_sec = _el(root, mets("fileSec"))

    def group(use: str, paths: list[str]) -> None:
        grp = _el(file_sec, mets("fileGrp"))
        grp.set("USE", use)
        for path in paths:
            ident = f"file-{len(file_ids) + 1:05d}"
            file_ids[path] = ident
            item = _el(grp, mets("file"))
            item.set("ID", ident)
            item.set("MIMETYPE", mimetypes.get(path, "application/octet-stream"))
            item.set("SIZE", str(len(contents[path])))
            item.set("CHECKSUM", sha256(contents[path]))
            item.set("CHECKSUMTYPE", "SHA-256")
            location = _el(item, mets("FLocat"))
            location.set("LOCTYPE", "URL")
            location.set(xlink("href"), path)

    group("Tài liệu", [p for d in dossiers for doc in d.documents for p in doc.files])
    group("Lược đồ và gốc tin cậy", other_files)

    struct = _el(root, mets("structMap"))
    struct.set("TYPE", "PHYSICAL")
    struct.set("LABEL", "Phông > hồ sơ > văn bản > tệp")
    top = _el(struct, mets("div"))
    top.set("TYPE", "Phông")
    top.set("LABEL", fonds_label)
    top.set("DMDID", "dmd-fonds")
    for order, dossier in enumerate(dossiers, start=1):
        div = _el(top, mets("div"))
        div.set("TYPE", "Hồ sơ")
        div.set("ORDER", str(order))
        div.set("LABEL", dossier.label)
        div.set("DMDID", f"dmd-{dossier.ident}")
        for document in dossier.documents:
            sub = _el(div, mets("div"))
            sub.set("TYPE", "Văn bản")
            sub.set("ORDER", str(document.order))
            sub.set("LABEL", document.label)
            sub.set("DMDID", f"dmd-{document.ident}")
            sub.set("ADMID", f"prov-{document.ident}")
            for path in document.files:
                pointer = _el(sub, mets("fptr"))
                pointer.set("FILEID", file_ids[path])
    return _bytes(root)


def manifest(contents: dict[str, bytes]) -> bytes:
    lines = [f"{sha256(data)}  {path}\n" for path, data in sorted(contents.items())]
    return "".join(lines).encode("utf-8")
