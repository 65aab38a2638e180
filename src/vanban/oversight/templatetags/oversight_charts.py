"""`{% chart_figure chart %}`: a usage chart (R24) as SVG with the table of its numbers under it."""

from typing import Any

from django import template

from ..charts import Chart, chart_svg
from ..charts import number_vi as _number_vi

register = template.Library()


@register.inclusion_tag("oversight/statistics/_chart.html")
def chart_figure(chart: Chart, *, with_table: bool = True) -> dict[str, Any]:
    return {"chart": chart, "svg": chart_svg(chart), "with_table": with_table}


@register.filter
def number_vi(value: int | None) -> str:
    """10000 -> "10.000"; nothing for a missing figure."""
    return "" if value is None else _number_vi(value)
