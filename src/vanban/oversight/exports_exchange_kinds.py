"""The compliance report of the kinds exchanged electronically as a spreadsheet (R22): a sheet of
counts per unit and a sheet of the documents counted (at most `EXPORT_LIMIT`)."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from vanban.accounts.models import User
from vanban.core.text import format_date_vi
from vanban.documents.exports import xlsx_text

from . import exchange_kinds
from .exchange_kinds import ComplianceReport

EXPORT_LIMIT = 5000
UNIT_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 45),
    ("Văn bản thuộc danh mục", 14),
    ("Không gửi điện tử", 14),
    ("Không có chữ ký số hợp lệ", 14),
    ("Chưa thực hiện đúng", 14),
    ("Tỷ lệ thực hiện đúng (%)", 14),
)
DOCUMENT_COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 35),
    ("Số, ký hiệu", 20),
    ("Ngày văn bản", 13),
    ("Loại văn bản, trích yếu", 60),
    ("Gửi điện tử", 12),
    ("Ký số hợp lệ", 12),
)


def _header(sheet: Worksheet, row: int, columns: tuple[tuple[str, int], ...]) -> None:
    fill = PatternFill("solid", fgColor="EEF2F7")
    for index, (name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index, value=name)
        cell.font, cell.fill = Font(bold=True), fill
        sheet.column_dimensions[cell.column_letter].width = width


def _put(sheet: Worksheet, row: int, values: list[object]) -> None:
    for index, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=index, value=xlsx_text(value))
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text from a document is never a formula


def compliance_xlsx(report: ComplianceReport, *, user: User) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Theo đơn vị"
    title = f"Thực hiện danh mục văn bản bắt buộc gửi điện tử – {report.period.name}"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=report.period.label)
    moment = timezone.localtime()
    sheet.cell(
        row=3,
        column=1,
        value=f"Người xuất: {user.full_name}, lúc {moment:%H:%M} ngày {format_date_vi(moment)}.",
    )
    if not report.has_list:
        sheet.cell(row=5, column=1, value=f"Năm {report.period.first.year} chưa có danh mục.")
    _header(sheet, 6, UNIT_COLUMNS)
    row = 6
    for position, line in enumerate([*report.rows, report.total], start=1):
        row += 1
        share = round(line.share, 2) if line.share is not None else None
        _put(
            sheet,
            row,
            [
                position if line.unit.pk else "",
                line.unit.name,
                line.required,
                line.paper,
                line.unsigned,
                line.noncompliant,
                share,
            ],
        )
    sheet.freeze_panes = "A7"
    documents_sheet = workbook.create_sheet("Văn bản chưa thực hiện đúng")
    documents = list(
        exchange_kinds.noncompliant_documents_all(user=user, period=report.period)[
            : EXPORT_LIMIT + 1
        ]
    )
    note = f"Gồm {min(len(documents), EXPORT_LIMIT)} văn bản"
    if len(documents) > EXPORT_LIMIT:
        note += f" đầu tiên (mỗi lần xuất tối đa {EXPORT_LIMIT} văn bản)"
    documents_sheet.cell(row=1, column=1, value=note + ".")
    _header(documents_sheet, 3, DOCUMENT_COLUMNS)
    for position, document in enumerate(documents[:EXPORT_LIMIT], start=1):
        _put(
            documents_sheet,
            3 + position,
            [
                position,
                document.unit.name,
                document.number_symbol,
                document.issued_date,
                f"{document.document_type.name} – {document.subject}",
                "Có" if document.sent_electronically else "Không",  # type: ignore[attr-defined]
                "Có" if document.signed else "Không",  # type: ignore[attr-defined]
            ],
        )
        documents_sheet.cell(row=3 + position, column=4).number_format = "DD/MM/YYYY"
    documents_sheet.freeze_panes = "A4"
    workbook.properties.title = title
    workbook.properties.creator = "vanban"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
