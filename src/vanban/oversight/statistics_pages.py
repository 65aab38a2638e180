"""The usage statistics pages built from the statistics service (R24): which figures a page
shows and with which Vietnamese label, the table of units below the scope, the charts, the
breadcrumbs of the drill-down. Views only parse the request and call these."""

import datetime as dt
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse

from vanban.accounts.models import Unit
from vanban.core import clock
from vanban.core.text import format_date_vi
from vanban.reports.periods import REPORT_TZ, Period

from . import statistics
from .charts import Chart, ChartSeries
from .statistics import Scope, Step, UsageFigures
from .statistics_build import aggregated_until
from .statistics_counts import UnitTree
from .statistics_documents import LIST_OF_FIGURE
from .statistics_page import Crumb, FigureCell, StatisticsPage, TableRow

# The figures a page shows, in order, with the names the statistics service gives them
# (statistics.FIGURE_LABELS); "(hiện tại)" marks those counted now, whatever the period.
SHOWN: tuple[str, ...] = (
    "incoming_registered",
    "incoming_electronic",
    "incoming_paper",
    "outgoing_registered",
    "outgoing_electronic",
    "outgoing_paper",
    "outgoing_issued_electronically",
    "documents_signature_valid",
    "processing_on_time",
    "processing_late",
    "processing_overdue_now",
    "drafts_created",
    "drafts_issued",
    "exchange_local_sent",
    "exchange_local_received",
    "exchange_local_refused",
    "exchange_partner_sent",
    "exchange_partner_received",
    "exchange_partner_refused",
    "logins",
    "active_people",
    "accounts_active",
    "accounts_locked",
    "accounts_never_used",
)


def figure_label(name: str) -> str:
    label = statistics.FIGURE_LABELS[name]
    return f"{label} (hiện tại)" if name in statistics.POINT_IN_TIME_FIELDS else label


FIGURES: tuple[tuple[str, str], ...] = tuple((name, figure_label(name)) for name in SHOWN)
LABELS = dict(FIGURES)
# The columns of the table of units: the figures an administrator compares units by. All add up
# across units, so the row of totals is the scope's own figure.
COLUMNS: tuple[str, ...] = (
    "incoming_registered",
    "incoming_electronic",
    "incoming_paper",
    "outgoing_registered",
    "processing_late",
    "processing_overdue_now",
    "exchange_local_refused",
    "logins",
)
SHORT_LABELS = {
    "incoming_registered": "VB đến",
    "incoming_electronic": "Đến điện tử",
    "incoming_paper": "Đến bản giấy",
    "outgoing_registered": "VB đi",
    "processing_late": "Trễ hạn",
    "processing_overdue_now": "Đang quá hạn",
    "exchange_local_refused": "Đã trả lại",
    "logins": "Lượt đăng nhập",
}
# A series by day up to two months, by month beyond.
DAYS_BY_DAY = 62

Link = Callable[[Unit], str]


def _value(figures: UsageFigures, name: str) -> int:
    return int(getattr(figures, name) or 0)


def unit_url(unit: Unit, query: dict[str, object]) -> str:
    return f"{reverse('oversight:statistics_unit', args=[unit.pk])}?{urlencode(query)}"


def list_url(unit: Unit, slug: str, query: dict[str, object]) -> str:
    url = reverse("oversight:statistics_documents", args=[unit.pk, slug])
    return f"{url}?{urlencode(query)}"


def _figure_cells(figures: UsageFigures, link: Callable[[str], str] | None) -> list[FigureCell]:
    cells = []
    for name, label in FIGURES:
        slug = LIST_OF_FIGURE.get(name)
        value = _value(figures, name)
        href = link(slug) if link is not None and slug and value else ""
        cells.append(FigureCell(name, label, value, href))
    return cells


def _rows(children: list[tuple[Unit, UsageFigures]], query: dict[str, object]) -> list[TableRow]:
    return [
        TableRow(
            child.name,
            unit_url(child, query),
            tuple(_value(figures, name) for name in COLUMNS),
        )
        for child, figures in children
    ]


def _own_row(unit: Unit, total: UsageFigures, rows: list[TableRow], query: dict) -> TableRow:
    """The unit's own work, apart from its sub-units: its total less theirs (every column adds
    up across units)."""
    values = tuple(
        _value(total, name) - sum(row.values[i] for row in rows) for i, name in enumerate(COLUMNS)
    )
    return TableRow(f"{unit.name} (riêng đơn vị)", "", values)


def _units_chart(rows: list[TableRow], slug: str, scope_name: str, period: Period) -> Chart:
    """Incoming documents of each unit, electronic and paper stacked."""
    electronic, paper = COLUMNS.index("incoming_electronic"), COLUMNS.index("incoming_paper")
    return Chart(
        title=f"Văn bản đến điện tử và bản giấy theo đơn vị – {period.name}",
        description=(
            f"Biểu đồ thanh ngang: số văn bản đến điện tử và bản giấy của từng đơn vị thuộc "
            f"{scope_name}, {period.label.lower()}."
        ),
        categories=tuple(row.name for row in rows),
        series=(
            ChartSeries("Văn bản đến điện tử", tuple(row.values[electronic] for row in rows)),
            ChartSeries("Văn bản đến bản giấy", tuple(row.values[paper] for row in rows)),
        ),
        kind="bars",
        stacked=True,
        links=tuple(row.link for row in rows),
        slug=f"{slug}-units",
        show_total=True,
    )


def series_step(period: Period) -> Step:
    return "day" if (period.last - period.first).days + 1 <= DAYS_BY_DAY else "month"


def _series_chart(scope: Scope, scope_name: str, period: Period, slug: str) -> Chart:
    """Incoming electronic and paper, and outgoing documents, by day or month of the period."""
    step = series_step(period)
    rows = statistics.usage_series(scope=scope, period=period, step=step)
    categories = tuple(
        f"{day:%d/%m}" if step == "day" else f"{day.month:02d}/{day.year}" for day, _ in rows
    )
    return Chart(
        title=f"Văn bản theo {'ngày' if step == 'day' else 'tháng'} – {period.name}",
        description=(
            f"Biểu đồ cột: số văn bản đến điện tử, đến bản giấy và văn bản đi của {scope_name} "
            f"theo {'từng ngày' if step == 'day' else 'từng tháng'}, {period.label.lower()}."
        ),
        categories=categories,
        series=(
            ChartSeries("Văn bản đến điện tử", tuple(f.incoming_electronic for _, f in rows)),
            ChartSeries("Văn bản đến bản giấy", tuple(f.incoming_paper for _, f in rows)),
            ChartSeries("Văn bản đi", tuple(f.outgoing_registered for _, f in rows)),
        ),
        kind="columns",
        stacked=False,
        category_header="Ngày" if step == "day" else "Tháng",
        slug=f"{slug}-series",
    )


def _now() -> dt.datetime:
    return clock.now()


def freshness_line() -> str:
    """Up to which day the figures of a period are counted (docs/oversight.md, "Freshness")."""
    day = aggregated_until()
    if day is None:
        return "Số liệu theo kỳ chưa được tổng hợp lần nào."
    return (
        f"Số liệu theo kỳ tính đến hết ngày {format_date_vi(day)}; "
        "số liệu “hiện tại” tính đến lúc xem."
    )


def province_page(*, period: Period, query: dict[str, object]) -> StatisticsPage:
    """The province: its figures, its top units (with the units below them) and charts. With
    one root unit (the province's people's committee), the table lists the units under it and
    the root's own work apart."""
    scope = Scope.province()
    total = statistics.usage(scope=scope, period=period)
    roots = statistics.usage_by_unit(parent=None, period=period)
    rows = _rows(roots, query)
    link: Callable[[str], str] | None = None
    if len(roots) == 1:
        root = roots[0][0]
        rows = _rows(statistics.usage_by_unit(parent=root, period=period), query)
        rows.append(_own_row(root, total, rows, query))
        # The root with every unit below it is the province: its lists are the province's.
        link = partial(list_url, root, query=query)
    name = "Toàn tỉnh"
    return StatisticsPage(
        title="Thống kê sử dụng – Toàn tỉnh",
        scope_name=name,
        period=period,
        made_at=_now(),
        figures=_figure_cells(total, link),
        table_title="Theo đơn vị (mỗi đơn vị gồm cả các đơn vị trực thuộc)",
        table_header="Đơn vị",
        columns=[(name, SHORT_LABELS[name]) for name in COLUMNS],
        rows=rows,
        charts=[
            _units_chart([r for r in rows if r.link], "tinh", name, period),
            _series_chart(scope, name, period, "tinh"),
        ],
        crumbs=[Crumb("Toàn tỉnh", "")],
        slug="toan-tinh",
    )


def units_page(*, units: list[Unit], period: Period, query: dict[str, object]) -> StatisticsPage:
    """The units a unit administrator administers, when they are several: a row each (with the
    units below it) and its chart; each leads to its own page."""
    rows = _rows(statistics.usage_of_units(units=units, period=period), query)
    name = "Các đơn vị bạn quản trị"
    return StatisticsPage(
        title=f"Thống kê sử dụng – {name}",
        scope_name=name,
        period=period,
        made_at=_now(),
        figures=[],
        table_title="Theo đơn vị (mỗi đơn vị gồm cả các đơn vị trực thuộc)",
        table_header="Đơn vị",
        columns=[(name, SHORT_LABELS[name]) for name in COLUMNS],
        rows=rows,
        charts=[_units_chart(rows, "quan-tri", name, period)],
        crumbs=[Crumb(name, "")],
        slug="don-vi-quan-tri",
    )


def unit_page(
    *, unit: Unit, period: Period, query: dict[str, object], top_ids: set[int] | None
) -> StatisticsPage:
    """One unit with its sub-units: its figures (each leading to the documents behind it), a
    table and a chart of its sub-units, a chart over time. `top_ids`: the units the reader's
    breadcrumbs start from (None: the province)."""
    scope = Scope.of_unit(unit)
    total = statistics.usage(scope=scope, period=period)
    children = statistics.usage_by_unit(parent=unit, period=period)
    rows = _rows(children, query)
    if rows:
        rows.append(_own_row(unit, total, rows, query))
    charts = []
    linked = [r for r in rows if r.link]
    if linked:
        charts.append(_units_chart(linked, f"u{unit.pk}", unit.name, period))
    charts.append(_series_chart(scope, unit.name, period, f"u{unit.pk}"))
    return StatisticsPage(
        title=f"Thống kê sử dụng – {unit.name}",
        scope_name=scope.label,
        period=period,
        made_at=_now(),
        figures=_figure_cells(total, lambda slug: list_url(unit, slug, query)),
        table_title="Các đơn vị trực thuộc (mỗi đơn vị gồm cả các đơn vị trực thuộc của nó)",
        table_header="Đơn vị",
        columns=[(name, SHORT_LABELS[name]) for name in COLUMNS],
        rows=rows,
        charts=charts,
        crumbs=crumbs(unit, query, top_ids),
        slug=f"don-vi-{unit.abbreviation}",
    )


def crumbs(unit: Unit, query: dict[str, object], top_ids: set[int] | None) -> list[Crumb]:
    """Toàn tỉnh › … › the unit, for the province administrator; from the reader's own unit
    down for a unit administrator."""
    tree = UnitTree.load()
    chain = []
    current: Unit | None = tree.units.get(unit.pk, unit)
    while current is not None:
        chain.append(current)
        if top_ids is not None and current.pk in top_ids:
            break
        current = tree.units.get(current.parent_id) if current.parent_id else None
    trail = [Crumb(u.name, unit_url(u, query)) for u in reversed(chain)]
    if top_ids is None:
        trail.insert(0, Crumb("Toàn tỉnh", f"{reverse('oversight:statistics')}?{urlencode(query)}"))
    return trail


def local_today() -> dt.date:
    return clock.now().astimezone(REPORT_TZ).date()
