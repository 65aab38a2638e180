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

from .statistics import Scope, UsageFigures, usage, usage_by_unit


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

    @property
    def totals(self) -> list[int]:
        return [sum(values[i] for _name, values in self.rows) for i in range(len(self.columns))]


def report_title(*, period: Period, unit: Unit | None) -> str:
    scope = unit.name if unit is not None else "toàn tỉnh"
    return f"Báo cáo tình hình sử dụng phần mềm quản lý văn bản {period.name.lower()}: {scope}"


# The figures of the report, in the order a reader expects them (docs/oversight.md, "Usage
# statistics", defines each).
FIGURES: tuple[tuple[str, str], ...] = (
    ("accounts_active", "Tài khoản đang hoạt động (hiện tại)"),
    ("accounts_locked", "Tài khoản đang tạm khóa (hiện tại)"),
    ("accounts_revoked", "Tài khoản đã thu hồi (hiện tại)"),
    ("accounts_never_used", "Tài khoản chưa đăng nhập lần nào (hiện tại)"),
    ("logins", "Lượt đăng nhập"),
    ("active_people", "Số người đã đăng nhập"),
    ("incoming_registered", "Văn bản đến đã vào sổ"),
    ("incoming_electronic", "– trong đó văn bản điện tử"),
    ("outgoing_registered", "Văn bản đi đã vào sổ"),
    ("outgoing_electronic", "– trong đó văn bản điện tử"),
    ("outgoing_issued_electronically", "Văn bản đi đã gửi qua hệ thống"),
    ("documents_signature_valid", "Văn bản có chữ ký số hợp lệ"),
    ("processing_on_time", "Văn bản đến xử lý xong đúng hạn"),
    ("processing_late", "Văn bản đến xử lý xong trễ hạn"),
    ("processing_overdue_now", "Văn bản đến đang quá hạn xử lý (hiện tại)"),
    ("drafts_created", "Dự thảo lập mới"),
    ("drafts_issued", "Dự thảo đã ban hành"),
    ("exchange_local_sent", "Văn bản gửi đơn vị trong tỉnh"),
    ("exchange_local_received", "Văn bản nhận từ đơn vị trong tỉnh"),
    ("exchange_local_refused", "Văn bản bị đơn vị nhận trả lại"),
    ("exchange_partner_sent", "Văn bản gửi hệ thống khác (liên thông)"),
    ("exchange_partner_received", "Văn bản nhận từ hệ thống khác (liên thông)"),
)
# The columns of the table of units below the scope.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("incoming_registered", "Văn bản đến"),
    ("outgoing_registered", "Văn bản đi"),
    ("outgoing_issued_electronically", "Gửi qua hệ thống"),
    ("processing_on_time", "Xử lý đúng hạn"),
    ("processing_late", "Xử lý trễ hạn"),
    ("logins", "Lượt đăng nhập"),
    ("active_people", "Người đăng nhập"),
)


def _value(figures: UsageFigures, name: str) -> int:
    return int(getattr(figures, name) or 0)


def _table_parent(unit: Unit | None) -> Unit | None:
    """Whose children the table lists: the unit's own, or for the province's report the units
    under the province's root (the departments, districts and communes), not the root alone."""
    if unit is not None:
        return unit
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("pk")[:2])
    return roots[0] if len(roots) == 1 else None


def usage_summary(*, period: Period, unit: Unit | None) -> UsageSummary:
    """The report's numbers from the usage statistics (oversight.statistics, R24)."""
    scope = Scope.of_unit(unit) if unit is not None else Scope.province()
    figures = usage(scope=scope, period=period)
    rows = usage_by_unit(parent=_table_parent(unit), period=period)
    return UsageSummary(
        figures=[(label, _value(figures, name)) for name, label in FIGURES],
        columns=[label for _name, label in COLUMNS],
        rows=[
            (child.name, [_value(child_figures, name) for name, _label in COLUMNS])
            for child, child_figures in rows
        ],
    )


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
        sheet.append(["Tổng cộng", *summary.totals])
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
