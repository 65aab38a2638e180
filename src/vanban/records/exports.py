"""Exports of dossiers (R19; Appendix VI "Dossiers": "export a whole dossier to PDF and XML in
chronological order"; "Search and use": export results; docs/records.md).

- `results_xlsx`, `results_pdf`: the result list of a dossier search (spreadsheet, A4 landscape).
- `dossier_pdf`: the dossier's content as one PDF: a cover and table of contents set by
  WeasyPrint, then each document's main PDF file (for a draft version its PDF, for a processing
  result its file) in chronological order (issued date; for a draft version or a result the day
  it was uploaded; the order in the dossier breaks ties), joined with pypdf. A file that is not a
  PDF, or that is missing or changed in storage, is listed on the contents page as not included.
- `dossier_xml`: the Appendix VI fields of the dossier and of each of its documents (tags as
  in STANDARDS.md "Record fields"), UTF-8, built with lxml.

Every export of a dossier is written to the audit trail as `records.dossier_exported` with the
dossier as its target (the access history); an export of results as `records.search_exported`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound
from vanban.core.text import format_date_vi
from vanban.documents.exports import xlsx_text
from vanban.documents.files import FileUnavailable, file_read_verified
from vanban.documents.models import Direction, DocumentFile
from vanban.documents.search import number_vi
from vanban.reports.pdf import render_pdf
from vanban.reports.periods import REPORT_TZ

from .models import Dossier, DossierItem, ItemKind
from .rules import can_read
from .search import ACTION_EXPORTED, DossierFilters

ACTION_SEARCH_EXPORTED = "records.search_exported"
MSG_NOT_FOUND = "Không tìm thấy hồ sơ (hoặc bạn không được xem hồ sơ này)."

# ---------------------------------------------------------------- result list

COLUMNS = (
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tiêu đề hồ sơ", 60),
    ("Thời hạn bảo quản", 18),
    ("Người lập hồ sơ", 24),
    ("Trạng thái", 16),
    ("Số văn bản", 11),
    ("Lượt khai thác", 13),
)


@dataclass(frozen=True)
class ExportHeading:
    filters: DossierFilters
    created_at: dt.datetime
    author: str
    count: int
    truncated: bool
    limit: int

    @property
    def title(self) -> str:
        day = format_date_vi(timezone.localtime(self.created_at).date())
        return f"Kết quả tìm kiếm hồ sơ – ngày {day}"

    @property
    def criteria_line(self) -> str:
        criteria = self.filters.criteria()
        return "Điều kiện tìm kiếm: " + ("; ".join(criteria) or "mọi hồ sơ được xem") + "."

    @property
    def author_line(self) -> str:
        moment = timezone.localtime(self.created_at)
        return f"Người xuất: {self.author}, lúc {moment:%H:%M} ngày {format_date_vi(moment)}."

    @property
    def count_line(self) -> str:
        limit = number_vi(self.limit)
        if self.truncated:
            return (
                f"Tìm được hơn {limit} hồ sơ; danh sách chỉ gồm {limit} hồ sơ đầu tiên theo thứ "
                "tự đã chọn (giới hạn mỗi lần xuất). Hãy thu hẹp điều kiện để xuất đủ."
            )
        return f"Gồm {number_vi(self.count)} hồ sơ."


def dossier_label(dossier: Dossier) -> str:
    return f"{dossier.title} (hồ sơ phát sinh)" if dossier.ad_hoc else dossier.title


def row_values(position: int, dossier: Dossier) -> list[object]:
    return [
        position,
        dossier.file_code,
        dossier_label(dossier),
        dossier.maintenance,
        dossier.handler.full_name,
        dossier.get_status_display(),
        getattr(dossier, "item_count", 0),
        getattr(dossier, "access_count", 0),
    ]


def _record_search_export(actor: User, heading: ExportHeading, file_format: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=ACTION_SEARCH_EXPORTED,
            unit=actor.unit,
            data={
                "format": file_format,
                "count": heading.count,
                "criteria": heading.filters.criteria(),
            },
        )


def results_xlsx(rows: list[Dossier], *, heading: ExportHeading, actor: User) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết quả tìm kiếm hồ sơ"
    row = 0
    for line, font in (
        (heading.title, Font(bold=True, size=13)),
        (heading.criteria_line, None),
        (heading.author_line, None),
        (heading.count_line, Font(italic=True)),
    ):
        row += 1
        cell = sheet.cell(row=row, column=1, value=xlsx_text(line))
        if font:
            cell.font = font
    header_row = row + 2
    fill = PatternFill("solid", fgColor="EEF2F7")
    for index, (name, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=index, value=name)
        cell.font, cell.fill = Font(bold=True), fill
        sheet.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for position, dossier in enumerate(rows, start=1):
        row = header_row + position
        for index, value in enumerate(row_values(position, dossier), start=1):
            cell = sheet.cell(row=row, column=index, value=xlsx_text(value))
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a title is never a formula
            cell.alignment = wrap
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    workbook.properties.title = heading.title
    workbook.properties.creator = "vanban"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _record_search_export(actor, heading, "xlsx")
    return buffer.getvalue()


def results_pdf(rows: list[Dossier], *, heading: ExportHeading, actor: User) -> bytes:
    pdf = render_pdf(
        "records/use/results_pdf.html",
        {
            "heading": heading,
            "columns": [name for name, _width in COLUMNS],
            "rows": [row_values(position, d) for position, d in enumerate(rows, 1)],
        },
    )
    _record_search_export(actor, heading, "pdf")
    return pdf


# ---------------------------------------------------------------- one dossier's content


@dataclass
class Part:
    """One document of the dossier as the exports show it."""

    item: DossierItem
    kind_label: str
    type_name: str
    code_number: str
    code_notation: str
    day: dt.date | None
    organ_name: str
    subject: str
    language: str
    page_amount: int | None
    description: str
    # The PDF to join: (storage name, SHA-256, file name), or None with the reason in `left_out`.
    pdf: tuple[str, str, str] | None
    left_out: str = ""
    start_page: int | None = None

    @property
    def number_symbol(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(REPORT_TZ).date()


def _not_pdf(name: str, file_format: str) -> str:
    return f"Tệp “{name}” ({file_format.upper()}) không phải PDF, không ghép vào bản PDF."


def _part(item: DossierItem) -> Part:
    if item.kind == ItemKind.DOCUMENT:
        document = item.document
        if document is None:  # pragma: no cover - the check constraint of DossierItem
            raise NotFound(MSG_NOT_FOUND)
        mains = [f for f in document.files.all() if f.role == DocumentFile.Role.MAIN]
        main = mains[0] if mains else None
        pdf, left_out = None, "Văn bản không có tệp chính."
        if main is not None and main.file_format == "pdf":
            pdf, left_out = (main.storage_name, main.sha256, main.original_name), ""
        elif main is not None:
            left_out = _not_pdf(main.original_name, main.file_format)
        return Part(
            item=item,
            kind_label="Văn bản đến" if document.direction == Direction.INCOMING else "Văn bản đi",
            type_name=document.document_type.name,
            code_number=document.code_number,
            code_notation=document.code_notation,
            day=document.issued_date,
            organ_name=document.issuer_name,
            subject=document.subject,
            language=document.language,
            page_amount=document.page_amount,
            description=document.description,
            pdf=pdf,
            left_out=left_out,
        )
    if item.kind == ItemKind.DRAFT_VERSION:
        version = item.draft_version
        if version is None:  # pragma: no cover - the check constraint of DossierItem
            raise NotFound(MSG_NOT_FOUND)
        draft = version.draft
        shown = version.pdf_to_show()
        return Part(
            item=item,
            kind_label=f"Dự thảo, phiên bản {version.number}",
            type_name=draft.document_type.name,
            code_number="",
            code_notation="",
            day=_local_day(version.uploaded_at),
            organ_name=draft.issuing_unit.name,
            subject=draft.subject,
            language="Tiếng Việt",
            page_amount=shown.page_count if shown else version.page_count,
            description=version.note,
            pdf=(shown.storage_name, shown.sha256, shown.file_name) if shown else None,
            left_out="" if shown else _not_pdf(version.original_name, version.file_format),
        )
    progress = item.progress_file
    if progress is None:  # pragma: no cover - the check constraint of DossierItem
        raise NotFound(MSG_NOT_FOUND)
    is_pdf = progress.file_format == "pdf"
    return Part(
        item=item,
        kind_label=progress.get_kind_display(),
        type_name=progress.get_kind_display(),
        code_number="",
        code_notation="",
        day=_local_day(progress.uploaded_at),
        organ_name="",
        subject=progress.original_name,
        language="Tiếng Việt",
        page_amount=None,
        description=progress.entry.text[:500],
        pdf=(progress.storage_name, progress.sha256, progress.original_name) if is_pdf else None,
        left_out="" if is_pdf else _not_pdf(progress.original_name, progress.file_format),
    )


def dossier_parts(dossier: Dossier) -> list[Part]:
    """The dossier's documents in chronological order (the order in the dossier breaks ties);
    a fixed number of queries whatever their number."""
    items = (
        DossierItem.objects.filter(dossier=dossier)
        .select_related(
            "document__document_type",
            "draft_version__draft__document_type",
            "draft_version__draft__issuing_unit",
            "progress_file__entry",
        )
        .prefetch_related(
            Prefetch(
                "document__files",
                queryset=DocumentFile.objects.filter(role=DocumentFile.Role.MAIN).defer("text"),
            )
        )
        .order_by("ordinal")
    )
    parts = [_part(item) for item in items]
    parts.sort(key=lambda p: (p.day or dt.date.max, p.item.ordinal))
    return parts


def readable_dossier(*, user: User, pk: int) -> Dossier:
    """The dossier if `user` may read it; NotFound otherwise (as missing)."""
    dossier = (
        Dossier.objects.select_related("unit", "handler", "entry__heading").filter(pk=pk).first()
    )
    if dossier is None or not can_read(user, dossier):
        raise NotFound(MSG_NOT_FOUND)
    return dossier


def _record_export(actor: User, dossier: Dossier, file_format: str, ip: str | None) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=ACTION_EXPORTED,
            unit=dossier.unit,
            target=dossier,
            data={"format": file_format, "file_code": dossier.file_code},
            ip=ip,
        )


@dataclass
class Cover:
    dossier: Dossier
    parts: list[Part]
    start_date: dt.date | None
    end_date: dt.date | None
    page_total: int
    created_at: dt.datetime
    author: str
    joined: int


def _dates(parts: list[Part]) -> tuple[dt.date | None, dt.date | None]:
    days = [p.day for p in parts if p.day is not None]
    return (min(days), max(days)) if days else (None, None)


def _render_cover(cover: Cover) -> bytes:
    return render_pdf("records/use/dossier_pdf.html", {"cover": cover})


def dossier_pdf(*, actor: User, dossier: Dossier, ip: str | None = None) -> bytes:
    """The cover and table of contents, then the documents' PDF files in chronological order."""
    parts = dossier_parts(dossier)
    readers: list[PdfReader | None] = []
    for part in parts:
        reader = None
        if part.pdf is not None:
            storage_name, sha256, name = part.pdf
            try:
                reader = PdfReader(io.BytesIO(file_read_verified(storage_name, sha256)))
                if reader.is_encrypted:
                    raise PyPdfError("encrypted")
                _ = len(reader.pages)
            except FileUnavailable:
                part.left_out = f"Tệp “{name}” không còn nguyên vẹn trong kho lưu trữ."
                reader = None
            except (PyPdfError, ValueError, KeyError, TypeError):
                part.left_out = f"Tệp “{name}” không đọc được (PDF hỏng hoặc có mật khẩu)."
                reader = None
        readers.append(reader)
    start, end = _dates(parts)
    pages = [len(r.pages) if r is not None else 0 for r in readers]
    cover = Cover(
        dossier=dossier,
        parts=parts,
        start_date=start,
        end_date=end,
        page_total=sum(pages),
        created_at=clock.now(),
        author=actor.full_name,
        joined=sum(1 for r in readers if r is not None),
    )
    # The contents give the page where each document starts: set the cover once to know its
    # own length, then again with the numbers (again if the numbers made it longer).
    cover_pages = 0
    for _attempt in range(3):
        position = cover_pages + 1
        for part, count in zip(parts, pages, strict=True):
            part.start_page = position if count else None
            position += count
        cover_pdf = _render_cover(cover)
        length = len(PdfReader(io.BytesIO(cover_pdf)).pages)
        if length == cover_pages:
            break
        cover_pages = length
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover_pdf)))
    for part, reader in zip(parts, readers, strict=True):
        if reader is None:
            continue
        start_index = len(writer.pages)
        writer.append(reader, import_outline=False)
        label = f"{part.item.ordinal}. {part.number_symbol or part.kind_label} – {part.subject}"
        writer.add_outline_item(title=label[:200], page_number=start_index)
    writer.add_metadata({"/Title": f"{dossier.file_code} {dossier.title}", "/Creator": "vanban"})
    buffer = io.BytesIO()
    writer.write(buffer)
    _record_export(actor, dossier, "pdf", ip)
    return buffer.getvalue()


# ---------------------------------------------------------------- XML (Appendix VI)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _add(parent: etree._Element, tag: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = "" if value is None else str(value)
    return element


def dossier_xml_bytes(dossier: Dossier, parts: list[Part]) -> bytes:
    """The Appendix VI fields of the dossier, then of each document in chronological order."""
    start, end = _dates(parts)
    root = etree.Element("Dossier")
    _add(root, "FileCode", dossier.file_code)
    _add(root, "OrganId", dossier.unit.agency_code)
    _add(root, "FileCatalog", dossier.year)
    _add(root, "FileNotation", dossier.notation)
    _add(root, "Title", dossier.title)
    _add(root, "Maintenance", dossier.maintenance)
    _add(root, "Rights", dossier.rights)
    _add(root, "Creator", dossier.creator or dossier.handler.full_name)
    _add(root, "Language", dossier.language)
    _add(root, "StartDate", _iso(start))
    _add(root, "EndDate", _iso(end))
    _add(root, "DocTotal", len(parts))
    _add(root, "PageTotal", sum(p.page_amount or 0 for p in parts))
    _add(root, "Description", dossier.description)
    _add(root, "AdHoc", "true" if dossier.ad_hoc else "false")
    _add(root, "Status", dossier.get_status_display())
    documents = etree.SubElement(root, "Documents")
    for part in parts:
        doc = etree.SubElement(documents, "Document", kind=part.item.kind)
        _add(doc, "FileCode", dossier.file_code)
        _add(doc, "DocOrdinal", part.item.ordinal)
        _add(doc, "TypeName", part.type_name)
        _add(doc, "CodeNumber", part.code_number)
        _add(doc, "CodeNotation", part.code_notation)
        _add(doc, "IssuedDate", _iso(part.day))
        _add(doc, "OrganName", part.organ_name)
        _add(doc, "Subject", part.subject)
        _add(doc, "Language", part.language)
        _add(doc, "PageAmount", part.page_amount or "")
        _add(doc, "Description", part.description)
        document = part.item.document
        if document is not None:
            signer = etree.SubElement(doc, "SignerInfo")
            _add(signer, "Position", document.signer_position)
            _add(signer, "FullName", document.signer_name)
            _add(doc, "Priority", document.urgency)
            if document.direction == Direction.INCOMING:
                _add(
                    doc,
                    "ArrivalDate",
                    _iso(document.arrival_date and _local_day(document.arrival_date)),
                )
                _add(doc, "ArrivalNumber", document.arrival_number)
                _add(doc, "ToPlaces", document.to_places)
            else:
                _add(doc, "IssuedAmount", document.issued_amount or "")
            _add(doc, "DueDate", _iso(document.due_date))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dossier_xml(*, actor: User, dossier: Dossier, ip: str | None = None) -> bytes:
    data = dossier_xml_bytes(dossier, dossier_parts(dossier))
    _record_export(actor, dossier, "xml", ip)
    return data


def export_name(dossier: Dossier, extension: str) -> str:
    return f"Hồ sơ {dossier.file_code}.{extension}"
