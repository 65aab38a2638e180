"""What a scheduled report contains (R24): the usage statistics page of its scope and period
(oversight.statistics_pages: the figures, the table of the units below, the charts), as the
PDF in the layout of an administrative report and the XLSX with the same numbers: the exports
of the statistics pages (oversight.exports_statistics), so that a report has the numbers an
administrator sees on the page of the same period."""

from dataclasses import dataclass, field
from typing import Any

from vanban.accounts.models import Role, Unit
from vanban.reports.periods import Period
from vanban.reports.selectors import province_name

from .exports_statistics import statistics_pdf, statistics_xlsx
from .models_scheduled_reports import ReportKind
from .statistics_page import StatisticsPage
from .statistics_pages import province_page, unit_page


@dataclass(frozen=True)
class ReportFile:
    file_format: str  # "pdf" or "xlsx"
    name: str  # offered on download and as the e-mail attachment's name
    data: bytes


@dataclass
class ReportContent:
    title: str
    files: list[ReportFile] = field(default_factory=list)


def report_title(*, period: Period, unit: Unit | None) -> str:
    scope = unit.name if unit is not None else "toàn tỉnh"
    return f"Báo cáo tình hình sử dụng phần mềm quản lý văn bản {period.name.lower()}: {scope}"


def period_query(kind: str, period: Period) -> dict[str, Any]:
    """The statistics pages' query string of the period (the links inside the report)."""
    query: dict[str, Any] = {"period": kind, "year": period.first.year}
    if kind == ReportKind.QUARTER:
        query["quarter"] = (period.first.month + 2) // 3
    else:
        query["month"] = period.first.month
    return query


def report_page(*, kind: str, period: Period, unit: Unit | None) -> StatisticsPage:
    """The statistics page the report prints: the province's, or the unit's with its
    sub-units, as its administrators see it."""
    query = period_query(kind, period)
    if unit is None:
        return province_page(period=period, query=query)
    return unit_page(unit=unit, period=period, query=query, top_ids={unit.pk})


def _heading_unit(unit: Unit | None) -> Unit | None:
    """The unit under whose heading the report is written: the unit itself; for the province's
    report, the Department where the province administrators sit (the root when there is none)."""
    if unit is not None:
        return unit
    department = (
        Unit.objects.filter(role_assignments__role=Role.PROVINCE_ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    # Several roots (provinces being merged, NQ 202/2025/QH15): the first one still open.
    return (
        department
        or Unit.objects.filter(parent__isnull=True, end_date__isnull=True).order_by("pk").first()
    )


def report_content(*, kind: str, period: Period, unit: Unit | None) -> ReportContent:
    page = report_page(kind=kind, period=period, unit=unit)
    scope = unit.abbreviation if unit is not None else "toan-tinh"
    stem = f"bao-cao-su-dung-{scope}-{period.slug}"
    heading = _heading_unit(unit)
    files = [ReportFile("xlsx", f"{stem}.xlsx", statistics_xlsx(page))]
    if heading is not None:
        pdf = statistics_pdf(page, unit=heading, place=province_name())
        files.insert(0, ReportFile("pdf", f"{stem}.pdf", pdf))
    return ReportContent(title=report_title(period=period, unit=unit), files=files)
