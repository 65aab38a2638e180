"""The result list of a search as a spreadsheet (XLSX) or a printed list (PDF, A4 landscape).

Both have the columns of the results table and a heading with the search and the date. At most
`search.EXPORT_LIMIT` (XLSX) or `search.PDF_EXPORT_LIMIT` (PDF) documents are written; when the
search found more, the file says so.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from vanban.core.text import format_date_vi
from vanban.reports.pdf import render_pdf

from .models import Direction, Document
from .search import number_vi

COLUMNS = (
    ("STT", 6),
    ("Số, ký hiệu", 20),
    ("Ngày văn bản", 13),
    ("Loại văn bản, trích yếu", 60),
    ("Cơ quan ban hành", 32),
    ("Đến / đi", 18),
    ("Độ khẩn", 14),
)


@dataclass(frozen=True)
class ExportHeading:
    """What the search was, when and by whom it was exported, and whether rows were left out."""

    query: str
    criteria: list[str]
    created_at: dt.datetime
    author: str
    count: int
    truncated: bool
    limit: int
    # A list other than a search's (documents chosen on a list page) names itself.
    list_name: str = ""

    @property
    def title(self) -> str:
        day = format_date_vi(timezone.localtime(self.created_at).date())
        if self.list_name:
            return f"{self.list_name} – ngày {day}"
        if self.query:
            return f"Kết quả tìm kiếm văn bản “{self.query}” – ngày {day}"
        return f"Kết quả tìm kiếm văn bản – ngày {day}"

    @property
    def criteria_line(self) -> str:
        if self.list_name:
            return "; ".join(self.criteria) + "."
        return "Điều kiện tìm kiếm: " + ("; ".join(self.criteria) or "mọi văn bản được xem") + "."

    @property
    def author_line(self) -> str:
        moment = timezone.localtime(self.created_at)
        return f"Người xuất: {self.author}, lúc {moment:%H:%M} ngày {format_date_vi(moment)}."

    @property
    def count_line(self) -> str:
        limit = number_vi(self.limit)
        if self.truncated:
            return (
                f"Tìm được hơn {limit} văn bản; danh sách chỉ gồm {limit} văn bản đầu tiên theo "
                "thứ tự đã chọn (giới hạn mỗi lần xuất). Hãy thu hẹp điều kiện để xuất đủ."
            )
        return f"Gồm {number_vi(self.count)} văn bản (mỗi lần xuất tối đa {limit} văn bản)."


def direction_label(document: Document) -> str:
    if document.direction == Direction.INCOMING:
        return f"Đến, số đến {document.register_number}"
    return "Đi"


def row_values(position: int, document: Document) -> list[object]:
    return [
        position,
        document.number_symbol,
        document.issued_date,
        f"{document.document_type.name} – {document.subject}",
        document.issuer_name,
        direction_label(document),
        document.get_urgency_display(),
    ]


def xlsx_text(value: object) -> object:
    """A value for a spreadsheet cell: control characters, which a cell does not allow, taken
    out of a text (the other exports use it too)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def results_xlsx(rows: list[Document], *, heading: ExportHeading) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết quả tìm kiếm"
    bold = Font(bold=True)
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
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for position, document in enumerate(rows, start=1):
        row = header_row + position
        for index, value in enumerate(row_values(position, document), start=1):
            cell = sheet.cell(row=row, column=index, value=xlsx_text(value))
            if isinstance(value, str) and value.startswith("="):
                # Text from a document is never a formula.
                cell.data_type = "s"
            cell.alignment = wrap
        sheet.cell(row=row, column=3).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last_column = sheet.cell(row=header_row, column=len(COLUMNS)).column_letter
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + len(rows)}"
    workbook.properties.title = heading.title
    workbook.properties.creator = "vanban"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def results_pdf(rows: list[Document], *, heading: ExportHeading) -> bytes:
    return render_pdf(
        "documents/search/results_pdf.html",
        {
            "heading": heading,
            "columns": [name for name, _width in COLUMNS],
            "rows": [(position, d, direction_label(d)) for position, d in enumerate(rows, 1)],
        },
    )
