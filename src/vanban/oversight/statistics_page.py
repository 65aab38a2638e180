"""What one usage statistics page shows (R24; Art. 8.5, 11.1.đ, 11.2.b): the figures of a scope
(the province, a level, a unit) for a period, a table of the units or levels below it with the
same figures, and charts. The HTML page, the XLSX and the PDF are all made from one
`StatisticsPage`, so that an export has the numbers of the page it came from."""

import datetime as dt
from dataclasses import dataclass, field

from vanban.reports.periods import Period

from .charts import Chart


@dataclass(frozen=True)
class FigureCell:
    """One figure of the scope: its label, its value and, where the documents behind it can be
    listed, the address of that list."""

    key: str
    label: str
    value: int
    link: str = ""


@dataclass(frozen=True)
class TableRow:
    """A unit (or a level) below the scope, with one value a column of the table."""

    name: str
    link: str
    values: tuple[int, ...]
    note: str = ""


@dataclass(frozen=True)
class Crumb:
    label: str
    link: str


@dataclass
class StatisticsPage:
    title: str
    scope_name: str
    period: Period
    made_at: dt.datetime
    figures: list[FigureCell]
    table_title: str
    table_header: str
    columns: list[tuple[str, str]]  # (key, label) of each value of a row
    rows: list[TableRow]
    charts: list[Chart] = field(default_factory=list)
    crumbs: list[Crumb] = field(default_factory=list)
    slug: str = "tinh"

    @property
    def column_totals(self) -> list[int]:
        return [sum(row.values[i] for row in self.rows) for i in range(len(self.columns))]
