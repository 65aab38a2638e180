"""What a scheduled report contains (R24): the usage figures of its scope and period, as a PDF to
read and send (in the layout of an administrative report, NĐ 30/2020) and an XLSX with the same
numbers."""

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from vanban.accounts.models import Unit
from vanban.reports.pdf import document_date_line, render_pdf
from vanban.reports.periods import Period
from vanban.reports.selectors import province_name


@dataclass(frozen=True)
class ReportFile:
    file_format: str  # "pdf" or "xlsx"
    name: str  # offered on download and as the e-mail attachment's name
    data: bytes


@dataclass
class ReportContent:
    title: str
    files: list[ReportFile] = field(default_factory=list)


@dataclass
class UsageSummary:
    """The figures of a scope and the table of the units below it."""

    figures: list[tuple[str, int]]
    columns: list[str]
    rows: list[tuple[str, list[int]]]


def report_title(*, period: Period, unit: Unit | None) -> str:
    scope = unit.name if unit is not None else "toàn tỉnh"
    return f"Báo cáo tình hình sử dụng phần mềm quản lý văn bản {period.name.lower()}: {scope}"


def usage_summary(*, period: Period, unit: Unit | None) -> UsageSummary:
    return UsageSummary(figures=[], columns=[], rows=[])


def _heading_unit(unit: Unit | None) -> Unit | None:
    """The unit under whose heading the report is written: the unit itself, or for the
    province's report the root of the province."""
    if unit is not None:
        return unit
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def _xlsx(title: str, period: Period, summary: UsageSummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([period.label])
    sheet.append([])
    sheet.append(["Chỉ tiêu", "Số lượng"])
    for label, value in summary.figures:
        sheet.append([label, value])
    if summary.rows:
        sheet.append([])
        sheet.append(["Đơn vị", *summary.columns])
        for name, values in summary.rows:
            sheet.append([name, *values])
    sheet.column_dimensions["A"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_content(*, kind: str, period: Period, unit: Unit | None) -> ReportContent:
    title = report_title(period=period, unit=unit)
    summary = usage_summary(period=period, unit=unit)
    scope = unit.abbreviation if unit is not None else "toan-tinh"
    stem = f"bao-cao-su-dung-{scope}-{period.slug}"
    pdf = render_pdf(
        "oversight/scheduled_reports/report_pdf.html",
        {
            "title": title,
            "period": period,
            "summary": summary,
            "unit": _heading_unit(unit),
            "scope_name": unit.name if unit is not None else "Toàn tỉnh",
            "document_symbol": "BC",
            "date_line": document_date_line(place=province_name()),
        },
    )
    return ReportContent(
        title=title,
        files=[
            ReportFile("pdf", f"{stem}.pdf", pdf),
            ReportFile("xlsx", f"{stem}.xlsx", _xlsx(title, period, summary)),
        ],
    )
