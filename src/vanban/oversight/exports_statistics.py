"""The usage statistics pages as a spreadsheet (XLSX) and as a printed report (PDF) (R24;
Art. 11.1.đ, 11.2.b: periodic and ad-hoc usage reports).

Both are made from the page's own `StatisticsPage`: the same figures, the same table of units,
the same numbers under each chart, with Vietnamese headings.
"""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from vanban.accounts.models import Unit
from vanban.core.text import format_date_vi
from vanban.documents.exports import xlsx_text
from vanban.reports.pdf import document_date_line, render_pdf

from .statistics_page import StatisticsPage

HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
BOLD = Font(bold=True)
# A sheet's name: at most 31 characters, none of []:*?/\ (the spreadsheet's own rule).
SHEET_NAME_LIMIT = 31


def _cell(sheet: Worksheet, row: int, column: int, value: object, font: Font | None = None) -> None:
    cell = sheet.cell(row=row, column=column, value=xlsx_text(value))
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font


def _header(sheet: Worksheet, row: int, names: list[str]) -> None:
    for column, name in enumerate(names, start=1):
        _cell(sheet, row, column, name, BOLD)
        sheet.cell(row=row, column=column).fill = HEADER_FILL
        sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")


def made_line(page: StatisticsPage) -> str:
    moment = timezone.localtime(page.made_at)
    return f"Số liệu lập lúc {moment:%H:%M} ngày {format_date_vi(moment.date())}."


def statistics_xlsx(page: StatisticsPage) -> bytes:
    """Sheet "Tổng hợp": the figures of the scope and the table of units below it; one sheet a
    chart with the numbers it draws."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    _cell(sheet, 1, 1, page.title, Font(bold=True, size=13))
    _cell(sheet, 2, 1, page.period.label)
    _cell(sheet, 3, 1, made_line(page), Font(italic=True))
    row = 5
    _header(sheet, row, ["Chỉ tiêu", "Số lượng"])
    for figure in page.figures:
        row += 1
        _cell(sheet, row, 1, figure.label)
        _cell(sheet, row, 2, figure.value)
    row += 2
    _cell(sheet, row, 1, page.table_title, BOLD)
    row += 1
    header_row = row
    _header(sheet, row, ["STT", page.table_header, *(label for _key, label in page.columns)])
    for position, table_row in enumerate(page.rows, start=1):
        row += 1
        _cell(sheet, row, 1, position)
        _cell(sheet, row, 2, table_row.name)
        for column, value in enumerate(table_row.values, start=3):
            _cell(sheet, row, column, value)
    if page.rows:
        row += 1
        _cell(sheet, row, 2, "Tổng cộng", BOLD)
        for column, value in enumerate(page.column_totals, start=3):
            _cell(sheet, row, column, value, BOLD)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 42
    for index in range(len(page.columns)):
        letter = sheet.cell(row=header_row, column=index + 3).column_letter
        sheet.column_dimensions[letter].width = 16
    used = {sheet.title}
    for number, chart in enumerate(page.charts, start=1):
        name = _sheet_name(f"Biểu đồ {number}", used)
        chart_sheet = workbook.create_sheet(name)
        _cell(chart_sheet, 1, 1, chart.title, Font(bold=True, size=13))
        _cell(chart_sheet, 2, 1, page.period.label)
        _header(chart_sheet, 4, [chart.category_header, *(s.label for s in chart.series)])
        for offset, (category, _link, values, _total) in enumerate(chart.rows, start=5):
            _cell(chart_sheet, offset, 1, category)
            for column, value in enumerate(values, start=2):
                _cell(chart_sheet, offset, column, value)
        chart_sheet.column_dimensions["A"].width = 42
    workbook.properties.title = page.title
    workbook.properties.creator = "vanban"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    name = name[:SHEET_NAME_LIMIT]
    used.add(name)
    return name


def statistics_pdf(page: StatisticsPage, *, unit: Unit, place: str) -> bytes:
    """A usage report in the layout of an administrative report (NĐ 30/2020), A4, under the
    heading of the unit that makes it (the reader's)."""
    return render_pdf(
        "oversight/statistics/report_pdf.html",
        {
            "page": page,
            "unit": unit,
            "document_symbol": "BC",
            "date_line": document_date_line(place=place),
            "made_line": made_line(page),
        },
    )
