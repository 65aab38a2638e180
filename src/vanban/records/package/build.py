"""Exporting a dossier, or a whole hand-over, as one archival package (R19; Luật Lưu trữ 2024;
TT 05/2025/TT-BNV; NĐ 30/2020 Appendix VI). The package is a ZIP (layout.py): METS.xml, the
metadata of the fonds, dossiers and documents, each file with its SHA-256 in the METS file
section and in manifest-sha256.txt, the PREMIS events of each document from the audit trail, and
every PDF in its archival form (pdf.py: validation data and a document time-stamp, B-LTA).

Word processing files travel with their PDF/A: the one the drafting step made (DraftVersion), or
one made now by LibreOffice. Without a time-stamp service (VANBAN_TSA_URL) nothing is exported.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record, event_fields
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents import pdfconvert
from vanban.documents.files import file_read_verified
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.signatures import verify as signature_verify
from vanban.signatures.pdfsign import VN_TZ
from vanban.signatures.services import intermediates, trust_roots

from .. import rules
from ..models import Dossier, DossierItem, DossierStatus, Fonds, HandOver, ItemKind
from . import layout
from .metadata import (
    MetsDocument,
    MetsDossier,
    PackedFile,
    document_xml,
    dossier_xml,
    events_xml,
    fonds_xml,
    manifest,
    mets_xml,
    sha256,
)
from .pdf import FIELD_PREFIX, archival_pdf, manifest_stamp

ACTION_EXPORT = "records.package_export"
WORD_FORMATS = ("docx", "doc", "odt")

MSG_NO_TSA = (
    "Chưa cấu hình dịch vụ cấp dấu thời gian (VANBAN_TSA_URL). Gói lưu trữ phải mang dấu thời "
    "gian lưu trữ cho từng tệp PDF nên không được tạo; đề nghị quản trị hệ thống cấu hình dịch "
    "vụ cấp dấu thời gian rồi thực hiện lại."
)
MSG_OPEN = "Hồ sơ “{title}” đang lập: chỉ đóng gói lưu trữ hồ sơ đã kết thúc."
MSG_EMPTY_HAND_OVER = "Lần nộp lưu này chưa có hồ sơ nào để đóng gói."


@dataclass
class _Item:
    """One document of a dossier as it goes into the package."""

    ordinal: int
    kind: str  # "Văn bản đến", "Văn bản đi", "Dự thảo", "Kết quả xử lý"
    identifier: str
    label: str
    fields: list[tuple[str, Any]]
    signer: tuple[str, str]
    tail: list[tuple[str, Any]]
    dated: dt.date | None
    pages: int | None
    sources: list[tuple[str, str, str, bytes, str]]  # (name, role, format, data, sha256)
    converted: dict[int, tuple[str, bytes, str]] = field(default_factory=dict)  # index -> pdf
    targets: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Context:
    tsa_url: str
    validation: Any
    stamp_field: str


def build_dossier_package(
    dossier: Dossier, actor: Any, *, out: Path | str | None = None, ip: str | None = None
) -> Path:
    """The archival package of one closed dossier, written to `out` (a new temporary file when
    None; the caller removes it). `actor` None is the server's console (`vanban archive
    export`); a person must be able to read the dossier. Records `records.package_export`."""
    if actor is not None and not (
        rules.can_read(actor, dossier) or rules.is_archivist(actor, dossier.unit_id)
    ):
        raise AccessDenied("Bạn không có quyền đóng gói lưu trữ hồ sơ này.")
    if dossier.status == DossierStatus.OPEN:
        raise ServiceError(MSG_OPEN.format(title=dossier.title))
    fonds = Fonds.objects.filter(unit_id=dossier.unit_id).first()
    return _export(
        dossiers=[dossier],
        fonds=fonds,
        hand_over=None,
        actor=actor,
        out=out,
        ip=ip,
        target=dossier,
        object_id=f"vanban:ho-so:{dossier.file_code}",
        label=dossier.title,
    )


def build_hand_over_package(
    hand_over: HandOver, actor: Any, *, out: Path | str | None = None, ip: str | None = None
) -> Path:
    """The archival package of a hand-over: its fonds and every dossier of its list, in order.
    A person must be the agency's archive, its head, its office or the one who prepared it."""
    unit_id = hand_over.unit_id
    if actor is not None and not (
        rules.is_archivist(actor, unit_id)
        or rules.is_head(actor, unit_id)
        or rules.is_office(actor, unit_id)
        or (rules.is_active(actor) and actor.pk == hand_over.prepared_by_id)
    ):
        raise AccessDenied("Bạn không có quyền đóng gói lưu trữ lần nộp lưu này.")
    dossiers = [
        item.dossier for item in hand_over.items.select_related("dossier__unit").order_by("ordinal")
    ]
    if not dossiers:
        raise ServiceError(MSG_EMPTY_HAND_OVER)
    for dossier in dossiers:
        if dossier.status == DossierStatus.OPEN:
            raise ServiceError(MSG_OPEN.format(title=dossier.title))
    return _export(
        dossiers=dossiers,
        fonds=hand_over.fonds,
        hand_over=hand_over,
        actor=actor,
        out=out,
        ip=ip,
        target=hand_over,
        object_id=f"vanban:nop-luu:{hand_over.pk}",
        label=f"Nộp lưu số {hand_over.pk}",
    )


def _export(
    *,
    dossiers: list[Dossier],
    fonds: Fonds | None,
    hand_over: HandOver | None,
    actor: Any,
    out: Path | str | None,
    ip: str | None,
    target: Any,
    object_id: str,
    label: str,
) -> Path:
    tsa_url = str(getattr(settings, "VANBAN_TSA_URL", "") or "")
    if not tsa_url:
        raise ServiceError(MSG_NO_TSA)
    now = clock.now()
    roots = trust_roots()
    context = _Context(
        tsa_url=tsa_url,
        validation=signature_verify.context(
            roots,
            revocation="hard-fail",
            allow_fetching=settings.VANBAN_SIGNATURE_FETCH,
            other_certs=intermediates(),
        ),
        stamp_field=f"{FIELD_PREFIX}-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
    )
    contents: dict[str, bytes] = {}
    mimetypes: dict[str, str] = {}
    mets_dossiers: list[MetsDossier] = []
    dates: list[dt.date] = []
    doc_total = 0
    for index, dossier in enumerate(dossiers, start=1):
        items = [_item(row) for row in _rows(dossier)]
        mets_dossier = _pack_dossier(index, dossier, items, context, contents, mimetypes)
        mets_dossiers.append(mets_dossier)
        dates.extend(i.dated for i in items if i.dated is not None)
        doc_total += len(items)
    unit = dossiers[0].unit
    contents[layout.FONDS] = fonds_xml(
        _fonds_fields(fonds, unit, dates, doc_total), _hand_over_fields(hand_over)
    )
    others: list[str] = []
    for name in layout.SCHEMA_FILES:
        member = layout.SCHEMA_DIR + name
        contents[member] = layout.schema_path(name).read_bytes()
        mimetypes[member] = "text/xml"
        others.append(member)
    for root in roots:
        member = f"{layout.ROOTS_DIR}{root.sha256.hex()}.cer"
        contents[member] = root.dump()
        mimetypes[member] = "application/pkix-cert"
        others.append(member)
    fonds_label = fonds.name if fonds is not None else unit.name
    contents[layout.METS] = mets_xml(
        object_id=object_id,
        label=label,
        created=now.isoformat(),
        fonds_label=fonds_label,
        dossiers=mets_dossiers,
        contents=contents,
        mimetypes=mimetypes,
        other_files=others,
    )
    contents[layout.MANIFEST] = manifest(contents)
    stamp = manifest_stamp(
        contents[layout.MANIFEST], tsa_url=context.tsa_url, context=context.validation
    )
    contents[layout.MANIFEST_STAMP] = stamp.token
    for kind, blobs in (("cert", stamp.certificates), ("ocsp", stamp.ocsps), ("crl", stamp.crls)):
        for number, data in enumerate(blobs, start=1):
            contents[f"{layout.MANIFEST_VALIDATION_DIR}{kind}-{number:02d}.der"] = data
    path = _write_zip(contents, out)
    package_hash = sha256(path.read_bytes())
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=ACTION_EXPORT,
            unit=unit,
            target=target,
            data={
                "sha256": package_hash,
                "size": path.stat().st_size,
                "dossiers": [d.pk for d in dossiers],
                "documents": doc_total,
                "via": "console" if actor is None else "web",
            },
            ip=ip,
        )
    return path


def _write_zip(contents: dict[str, bytes], out: Path | str | None) -> Path:
    if out is None:
        handle, name = tempfile.mkstemp(prefix="goi-luu-tru-", suffix=".zip")
        os.close(handle)
        target = Path(name)
    else:
        target = Path(out)
    partial = target.with_name(target.name + ".part")
    order = [layout.METS, layout.MANIFEST, *sorted(set(contents) - {layout.METS, layout.MANIFEST})]
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            archive.writestr(name, contents[name])
    partial.replace(target)
    return target


# ------------------------------------------------------------------ rows and items


def _rows(dossier: Dossier) -> list[DossierItem]:
    return list(
        DossierItem.objects.filter(dossier=dossier)
        .select_related(
            "document__document_type",
            "draft_version__draft__document_type",
            "progress_file__entry",
        )
        .order_by("ordinal")
    )


def _item(row: DossierItem) -> _Item:
    if row.kind == ItemKind.DOCUMENT and row.document is not None:
        return _document_item(row.ordinal, row.document)
    if row.kind == ItemKind.DRAFT_VERSION and row.draft_version is not None:
        return _draft_item(row.ordinal, row.draft_version)
    if row.progress_file is None:  # the check constraint forbids it
        raise ServiceError(f"Văn bản số {row.ordinal} của hồ sơ không trỏ tới tệp nào.")
    return _progress_item(row.ordinal, row.progress_file)


def _record_fields(
    *,
    identifier: str,
    kind: str,
    type_name: str,
    number: str,
    notation: str,
    issued: Any,
    organ: str,
    organ_id: str,
    subject: str,
    language: str,
    pages: Any,
    description: str,
) -> list[tuple[str, Any]]:
    return [
        ("Identifier", identifier),
        ("Kind", kind),
        ("FileCode", ""),  # filled per dossier
        ("DocOrdinal", 0),
        ("TypeName", type_name),
        ("CodeNumber", number),
        ("CodeNotation", notation),
        ("IssuedDate", issued),
        ("OrganName", organ),
        ("OrganId", organ_id),
        ("Subject", subject),
        ("Language", language),
        ("PageAmount", pages),
        ("Description", description),
    ]


def _empty_tail() -> list[tuple[str, Any]]:
    return [
        ("Priority", ""),
        ("DueDate", ""),
        ("IssuedAmount", ""),
        ("Recipients", ""),
        ("ArrivalDate", ""),
        ("ArrivalNumber", ""),
        ("ToPlaces", ""),
        ("TraceHeaderList", ""),
    ]


def _document_item(ordinal: int, doc: Document) -> _Item:
    incoming = doc.direction == Direction.INCOMING
    # The main file first, then the attachments in the order they were added.
    files: list[DocumentFile] = sorted(
        doc.files.all(), key=lambda f: (f.role != DocumentFile.Role.MAIN, f.pk)
    )
    sources = [
        (
            f.original_name,
            f.get_role_display(),
            f.file_format,
            file_read_verified(f.storage_name, f.sha256),
            f.sha256,
        )
        for f in files
    ]
    tail = [
        ("Priority", doc.urgency),
        ("DueDate", doc.due_date),
        ("IssuedAmount", "" if incoming else doc.issued_amount),
        ("Recipients", "" if incoming else doc.recipients),
        ("ArrivalDate", doc.arrival_date if incoming else ""),
        ("ArrivalNumber", doc.arrival_number),
        ("ToPlaces", doc.to_places if incoming else ""),
        ("TraceHeaderList", _trace(doc)),
    ]
    targets = [("documents.document", str(doc.pk))]
    processing_id = _processing_id(doc)
    if processing_id is not None:
        targets.append(("workflow.processing", str(processing_id)))
    from vanban.drafting.models import Draft

    for draft_id in Draft.objects.filter(document=doc).values_list("pk", flat=True):
        targets.append(("drafting.draft", str(draft_id)))
    return _Item(
        ordinal=ordinal,
        kind="Văn bản đến" if incoming else "Văn bản đi",
        identifier=f"vanban:van-ban:{doc.pk}",
        label=f"{doc.number_symbol} {doc.subject}".strip()[:300],
        fields=_record_fields(
            identifier=f"vanban:van-ban:{doc.pk}",
            kind="Văn bản đến" if incoming else "Văn bản đi",
            type_name=doc.document_type.name,
            number=doc.code_number,
            notation=doc.code_notation,
            issued=doc.issued_date,
            organ=doc.issuer_name,
            organ_id=doc.issuer_code,
            subject=doc.subject,
            language=doc.language,
            pages=doc.page_amount,
            description=doc.description,
        ),
        signer=(doc.signer_position, doc.signer_name),
        tail=tail,
        dated=doc.issued_date,
        pages=doc.page_amount,
        sources=sources,
        targets=targets,
    )


def _processing_id(doc: Document) -> int | None:
    from vanban.workflow.models import Processing

    return Processing.objects.filter(document=doc).values_list("pk", flat=True).first()


def _trace(doc: Document) -> str:
    """TraceHeaderList (Appendix VI): the steps of the document's handling, one a line."""
    from vanban.workflow.models import TrailEntry

    lines = [
        f"{entry.at.astimezone(VN_TZ):%d/%m/%Y %H:%M} {entry.actor_name}: {entry.summary}"
        for entry in TrailEntry.objects.filter(document=doc).order_by("at", "pk")
    ]
    return "\n".join(lines)


def _draft_item(ordinal: int, version: Any) -> _Item:
    draft = version.draft
    sources = [
        (
            version.original_name,
            f"Dự thảo phiên bản {version.number}",
            version.file_format,
            file_read_verified(version.storage_name, version.sha256),
            version.sha256,
        )
    ]
    item = _Item(
        ordinal=ordinal,
        kind="Dự thảo",
        identifier=f"vanban:du-thao:{version.pk}",
        label=f"Dự thảo phiên bản {version.number}: {draft.subject}"[:300],
        fields=_record_fields(
            identifier=f"vanban:du-thao:{version.pk}",
            kind="Dự thảo",
            type_name=draft.document_type.name,
            number="",
            notation="",
            issued="",
            organ=draft.issuing_unit.name[:200],
            organ_id=draft.issuing_unit.agency_code,
            subject=draft.subject,
            language="Tiếng Việt",
            pages=version.pdf_page_count,
            description=f"Dự thảo phiên bản {version.number}",
        ),
        signer=("", ""),
        tail=_empty_tail(),
        dated=version.uploaded_at.date() if getattr(version, "uploaded_at", None) else None,
        pages=version.pdf_page_count,
        sources=sources,
        targets=[("drafting.draft", str(draft.pk)), ("drafting.draftversion", str(version.pk))],
    )
    shown = version.pdf_to_show()
    if shown is not None and shown.converted:
        item.converted[0] = (
            shown.file_name,
            file_read_verified(shown.storage_name, shown.sha256),
            shown.sha256,
        )
    return item


def _progress_item(ordinal: int, progress_file: Any) -> _Item:
    entry = progress_file.entry
    subject = (entry.text or progress_file.original_name)[:500]
    return _Item(
        ordinal=ordinal,
        kind="Kết quả xử lý",
        identifier=f"vanban:ket-qua:{progress_file.pk}",
        label=progress_file.original_name[:300],
        fields=_record_fields(
            identifier=f"vanban:ket-qua:{progress_file.pk}",
            kind="Kết quả xử lý",
            type_name=progress_file.get_kind_display(),
            number="",
            notation="",
            issued=progress_file.uploaded_at.date(),
            organ="",
            organ_id="",
            subject=subject,
            language="Tiếng Việt",
            pages="",
            description="",
        ),
        signer=("", ""),
        tail=_empty_tail(),
        dated=progress_file.uploaded_at.date(),
        pages=None,
        sources=[
            (
                progress_file.original_name,
                progress_file.get_kind_display(),
                progress_file.file_format,
                file_read_verified(progress_file.storage_name, progress_file.sha256),
                progress_file.sha256,
            )
        ],
        targets=[
            ("workflow.progressfile", str(progress_file.pk)),
            ("workflow.progressentry", str(entry.pk)),
            ("workflow.processing", str(entry.processing_id)),
        ],
    )


def _events(targets: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The audit events whose target is the document, its processing or its draft."""
    condition = Q()
    for target_type, target_id in targets:
        condition |= Q(target_type=target_type, target_id=target_id)
    rows = AuditEvent.objects.filter(condition).order_by("seq")
    return [{**event_fields(event), "hash": event.hash} for event in rows]


# ------------------------------------------------------------------ packing


def _pack_dossier(
    index: int,
    dossier: Dossier,
    items: list[_Item],
    context: _Context,
    contents: dict[str, bytes],
    mimetypes: dict[str, str],
) -> MetsDossier:
    documents: list[MetsDocument] = []
    pages_total = 0
    for item in items:
        directory = layout.document_dir(index, item.ordinal)
        packed = _pack_files(item, directory, context)
        for one in packed:
            contents[one.path] = one.data
            mimetypes[one.path] = one.mimetype
        fields = [
            (name, dossier.file_code if name == "FileCode" else value)
            for name, value in item.fields
        ]
        fields = [(n, item.ordinal if n == "DocOrdinal" else v) for n, v in fields]
        pages = item.pages if item.pages is not None else _pdf_pages(packed)
        pages_total += pages or 0
        fields = [(n, pages if n == "PageAmount" else v) for n, v in fields]
        metadata_path = f"{directory}document.xml"
        events_path = f"{directory}events.xml"
        contents[metadata_path] = document_xml(fields, item.signer, item.tail, packed)
        contents[events_path] = events_xml(_events(item.targets), item.identifier)
        documents.append(
            MetsDocument(
                ident=f"d{index:02d}-{item.ordinal:03d}",
                label=item.label,
                order=item.ordinal,
                metadata=metadata_path,
                events=events_path,
                files=[p.path for p in packed],
            )
        )
    dates = [i.dated for i in items if i.dated is not None]
    metadata_path = f"{layout.dossier_dir(index)}dossier.xml"
    contents[metadata_path] = dossier_xml(
        [
            ("FileCode", dossier.file_code),
            ("OrganId", dossier.unit.agency_code),
            ("FileCatalog", f"{dossier.year:04d}"),
            ("FileNotation", dossier.notation),
            ("Title", dossier.title),
            ("Maintenance", dossier.maintenance),
            ("Rights", dossier.rights),
            ("Creator", dossier.creator),
            ("Language", dossier.language),
            ("StartDate", min(dates) if dates else ""),
            ("EndDate", max(dates) if dates else ""),
            ("DocTotal", len(items)),
            ("PageTotal", pages_total),
            ("Description", dossier.description),
            ("AdHoc", dossier.ad_hoc),
            ("Status", dossier.get_status_display()),
        ]
    )
    return MetsDossier(
        ident=f"d{index:02d}",
        label=f"{dossier.file_code} {dossier.title}"[:300],
        metadata=metadata_path,
        documents=documents,
    )


def _pdf_pages(packed: list[PackedFile]) -> int | None:
    from pypdf import PdfReader

    for one in packed:
        if one.file_format == "pdf":
            try:
                return len(PdfReader(io.BytesIO(one.data)).pages)
            except Exception:
                return None
    return None


def _slug(role: str) -> str:
    from vanban.core.text import fold

    return "-".join(fold(role).split()) or "tep"


def _pack_files(item: _Item, directory: str, context: _Context) -> list[PackedFile]:
    packed: list[PackedFile] = []
    number = 0
    for index, (name, role, file_format, data, digest) in enumerate(item.sources):
        number += 1
        path = f"{directory}files/{number:02d}-{_slug(role)}.{file_format or 'bin'}"
        packed.append(_packed(path, name, role, file_format, data, digest, context))
        if file_format in WORD_FORMATS:
            converted = item.converted.get(index)
            if converted is None:
                try:
                    pdf = pdfconvert.to_pdfa(data, file_format, name=name)
                except (pdfconvert.SofficeMissing, pdfconvert.ConversionFailed) as exc:
                    raise ServiceError(
                        f"Không chuyển được tệp “{name}” sang PDF/A để đóng gói lưu trữ: {exc}"
                    ) from exc
                converted = (f"{Path(name).stem}.pdf", pdf, sha256(pdf))
            number += 1
            pdf_path = f"{directory}files/{number:02d}-{_slug(role)}-pdfa.pdf"
            pdf_name, pdf_data, pdf_digest = converted
            one = _packed(
                pdf_path, pdf_name, "Bản PDF/A chuyển đổi", "pdf", pdf_data, pdf_digest, context
            )
            one.converted_from = path
            packed.append(one)
    return packed


def _packed(
    path: str,
    name: str,
    role: str,
    file_format: str,
    data: bytes,
    digest: str,
    context: _Context,
) -> PackedFile:
    one = PackedFile(
        path=path,
        original_name=name[:300],
        role=role[:50],
        file_format=file_format or "bin",
        data=data,
        original_sha256=digest,
        original_size=len(data),
    )
    if file_format == "pdf":
        archived = archival_pdf(
            data,
            name=name,
            tsa_url=context.tsa_url,
            context=context.validation,
            field_name=context.stamp_field,
        )
        one.data = archived.data
        one.signatures = archived.signatures
        one.stamped = True
        one.notes = archived.notes
    return one


# ------------------------------------------------------------------ fonds


def _fonds_fields(
    fonds: Fonds | None, unit: Any, dates: list[dt.date], doc_total: int
) -> list[tuple[str, Any]]:
    return [
        ("FondsCode", fonds.code if fonds is not None else ""),
        ("FondsName", fonds.name if fonds is not None else unit.name[:300]),
        ("OrganId", unit.agency_code),
        ("Status", "Đóng" if fonds is not None and fonds.closed_on else "Mở"),
        ("OpenedOn", fonds.opened_on if fonds is not None else ""),
        ("ClosedOn", fonds.closed_on if fonds is not None else ""),
        ("History", ""),
        ("StartDate", min(dates) if dates else ""),
        ("EndDate", max(dates) if dates else ""),
        ("DocTotal", doc_total),
        ("Classification", ""),
        ("Language", "Tiếng Việt"),
        ("Backup", ""),
        ("Description", fonds.note if fonds is not None else ""),
    ]


def _hand_over_fields(hand_over: HandOver | None) -> list[tuple[str, Any]] | None:
    if hand_over is None:
        return None
    return [
        ("Identifier", hand_over.pk),
        ("MinutesNumber", hand_over.minutes_number),
        ("Status", hand_over.get_status_display()),
        ("SubmittedAt", hand_over.submitted_at),
        ("DecidedAt", hand_over.decided_at),
    ]
