"""Charts of the usage statistics (R24), drawn on the server as SVG: no script, no charting library.

A `Chart` holds the numbers (categories, and for each series one value a category); `chart_svg`
draws it. Three kinds:

- "bars": one horizontal row a category, its label above the bars (units, levels: long names that
  stay readable on a phone), the series side by side or stacked;
- "columns": vertical columns along a time axis (months, quarters), side by side or stacked;
- "line": one line a series along a time axis.

The SVG scales with its viewBox, from a 390 px phone to a 1366 px screen. It carries a <title>
and a <desc> for screen readers; every page shows the same numbers in a table under the chart
(templates/oversight/statistics/_chart.html), and the PDF exports do the same.
"""

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
KINDS = ("bars", "columns", "line")
# Colours told apart by people with the common colour-vision deficiencies (Okabe-Ito order, the
# first darkened to the site's blue), each with enough contrast on white.
PALETTE = ("#0b4f8a", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#5f6368")
EMPTY_TEXT = "Không có số liệu trong kỳ."
FONT = "Segoe UI, Roboto, Noto Sans, DejaVu Sans, Arial, sans-serif"


def number_vi(value: int) -> str:
    """10000 -> "10.000", as Vietnamese readers group digits."""
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class ChartSeries:
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """What a chart shows. `links` (optional, one a category) lead from the table's rows to the
    next page of the drill-down."""

    title: str
    description: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    kind: str = "bars"
    stacked: bool = False
    category_header: str = "Đơn vị"
    links: tuple[str, ...] = ()
    slug: str = "chart"
    show_total: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"Series {series.label!r} has not one value a category")
            if any(value < 0 for value in series.values):
                raise ValueError(f"Series {series.label!r} has a negative value")
        if self.links and len(self.links) != len(self.categories):
            raise ValueError("A chart's links go one a category")

    @property
    def is_empty(self) -> bool:
        return not self.categories or not self.series

    @property
    def colours(self) -> list[tuple[str, str]]:
        """(label, colour) of each series, for the legend."""
        return [(s.label, colour(i)) for i, s in enumerate(self.series)]

    @property
    def rows(self) -> list[tuple[str, str, list[int], int]]:
        """The table under the chart: (category, link, values, total) a category."""
        links = self.links or ("",) * len(self.categories)
        rows = []
        for i, category in enumerate(self.categories):
            values = [s.values[i] for s in self.series]
            rows.append((category, links[i], values, sum(values)))
        return rows

    @property
    def series_totals(self) -> list[int]:
        return [sum(s.values) for s in self.series]

    def scale_maximum(self) -> int:
        """The largest length drawn: a value, or a category's sum when stacked."""
        if self.is_empty:
            return 0
        if self.stacked:
            return max(sum(s.values[i] for s in self.series) for i in range(len(self.categories)))
        return max(max(s.values) for s in self.series)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^k not below `value` (at least 1): the top of an axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    """Coordinates with at most two decimals, without a trailing ".0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Svg:
    def __init__(self, chart: Chart, height: float) -> None:
        self.chart = chart
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {WIDTH} {_fmt(height)}",
                "class": f"chart chart-{chart.kind}",
                "role": "img",
                "aria-labelledby": f"{chart.slug}-title {chart.slug}-desc",
                "preserveAspectRatio": "xMinYMin meet",
                "font-family": FONT,
                "font-size": "13",
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{chart.slug}-title"}).text = chart.title
        ET.SubElement(self.root, "desc", {"id": f"{chart.slug}-desc"}).text = chart.description

    def text(self, x: float, y: float, content: str, **attrs: str) -> ET.Element:
        element = ET.SubElement(self.root, "text", {"x": _fmt(x), "y": _fmt(y), **attrs})
        element.text = content
        return element

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, tip: str, value: int
    ) -> ET.Element:
        element = ET.SubElement(
            self.root,
            "rect",
            {
                "x": _fmt(x),
                "y": _fmt(y),
                "width": _fmt(w),
                "height": _fmt(h),
                "fill": fill,
                "class": "bar",
                "data-value": str(value),
            },
        )
        ET.SubElement(element, "title").text = tip
        return element

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#d7dce2") -> None:
        ET.SubElement(
            self.root,
            "line",
            {
                "x1": _fmt(x1),
                "y1": _fmt(y1),
                "x2": _fmt(x2),
                "y2": _fmt(y2),
                "stroke": stroke,
                "stroke-width": "1",
            },
        )

    def markup(self) -> SafeString:
        return mark_safe(ET.tostring(self.root, encoding="unicode"))  # noqa: S308 - escaped by ET


def _empty(chart: Chart) -> SafeString:
    svg = _Svg(chart, 60)
    svg.text(WIDTH / 2, 35, EMPTY_TEXT, **{"text-anchor": "middle", "fill": "#5f6368"})
    return svg.markup()


# Horizontal bars: the label line, then the bars, then a gap.
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 3
ROW_GAP = 12
VALUE_ROOM = 70  # room right of the longest bar for its number


def _bars(chart: Chart) -> SafeString:
    maximum = chart.scale_maximum()
    plot = WIDTH - VALUE_ROOM
    bars_in_row = 1 if chart.stacked else len(chart.series)
    row_height = LABEL_HEIGHT + bars_in_row * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    svg = _Svg(chart, len(chart.categories) * row_height + 4)
    for i, category in enumerate(chart.categories):
        top = i * row_height
        svg.text(0, top + 14, category, **{"class": "category"})
        y = top + LABEL_HEIGHT + 2
        x = 0.0
        for s_index, series in enumerate(chart.series):
            value = series.values[i]
            width = plot * value / maximum if maximum else 0.0
            tip = f"{category} – {series.label}: {number_vi(value)}"
            svg.rect(x if chart.stacked else 0, y, width, BAR_HEIGHT, colour(s_index), tip, value)
            if chart.stacked:
                x += width
            else:
                svg.text(width + 4, y + BAR_HEIGHT - 3, number_vi(value), **{"font-size": "12"})
                y += BAR_HEIGHT + BAR_GAP
        if chart.stacked:
            total = sum(s.values[i] for s in chart.series)
            svg.text(x + 4, y + BAR_HEIGHT - 3, number_vi(total), **{"font-size": "12"})
    return svg.markup()


# Columns and lines: a value axis on the left, categories along the bottom.
HEIGHT = 280
AXIS_LEFT = 56
AXIS_BOTTOM = 40
TOP = 14
TICKS = 4


def _axes(chart: Chart, svg: _Svg, top_value: int) -> tuple[float, float, float]:
    """Draws the grid and labels; gives (plot left, plot width, plot bottom)."""
    bottom = HEIGHT - AXIS_BOTTOM
    plot_height = bottom - TOP
    for tick in range(TICKS + 1):
        value = top_value * tick / TICKS
        y = bottom - plot_height * tick / TICKS
        svg.line(AXIS_LEFT, y, WIDTH - 4, y)
        label = number_vi(round(value))
        svg.text(AXIS_LEFT - 6, y + 4, label, **{"text-anchor": "end", "font-size": "12"})
    plot_width = WIDTH - 4 - AXIS_LEFT
    slot = plot_width / len(chart.categories)
    # As many labels along the bottom as fit (about 44 units of width each).
    every = max(1, math.ceil(len(chart.categories) * 44 / plot_width))
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            svg.text(
                AXIS_LEFT + slot * (i + 0.5),
                bottom + 18,
                category,
                **{"text-anchor": "middle", "font-size": "12", "class": "category"},
            )
    return AXIS_LEFT, plot_width, bottom


def _top_value(chart: Chart) -> int:
    """The top of the value axis: TICKS whole steps, each a round number (1, 2, 5 x 10^k)."""
    return TICKS * nice_ceiling(math.ceil(chart.scale_maximum() / TICKS))


def _columns(chart: Chart) -> SafeString:
    svg = _Svg(chart, HEIGHT)
    top_value = _top_value(chart)
    left, plot_width, bottom = _axes(chart, svg, top_value)
    plot_height = bottom - TOP
    slot = plot_width / len(chart.categories)
    inner = slot * 0.8
    width = inner if chart.stacked else inner / len(chart.series)
    for i, category in enumerate(chart.categories):
        x0 = left + slot * i + slot * 0.1
        y = bottom
        for s_index, series in enumerate(chart.series):
            value = series.values[i]
            height = plot_height * value / top_value
            tip = f"{category} – {series.label}: {number_vi(value)}"
            if chart.stacked:
                y -= height
                svg.rect(x0, y, width, height, colour(s_index), tip, value)
            else:
                svg.rect(
                    x0 + width * s_index,
                    bottom - height,
                    width,
                    height,
                    colour(s_index),
                    tip,
                    value,
                )
    return svg.markup()


def _line(chart: Chart) -> SafeString:
    svg = _Svg(chart, HEIGHT)
    top_value = _top_value(chart)
    left, plot_width, bottom = _axes(chart, svg, top_value)
    plot_height = bottom - TOP
    slot = plot_width / len(chart.categories)
    for s_index, series in enumerate(chart.series):
        points = [
            (left + slot * (i + 0.5), bottom - plot_height * value / top_value)
            for i, value in enumerate(series.values)
        ]
        ET.SubElement(
            svg.root,
            "polyline",
            {
                "points": " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points),
                "fill": "none",
                "stroke": colour(s_index),
                "stroke-width": "2.5",
                "class": "series",
            },
        )
        for (x, y), category, value in zip(points, chart.categories, series.values, strict=True):
            point = ET.SubElement(
                svg.root,
                "circle",
                {
                    "cx": _fmt(x),
                    "cy": _fmt(y),
                    "r": "3.5",
                    "fill": colour(s_index),
                    "class": "point",
                    "data-value": str(value),
                },
            )
            ET.SubElement(point, "title").text = f"{category} – {series.label}: {number_vi(value)}"
    return svg.markup()


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an <svg> element (safe markup: every text is escaped)."""
    if chart.is_empty:
        return _empty(chart)
    return {"bars": _bars, "columns": _columns, "line": _line}[chart.kind](chart)
