"""The period of the usage statistics pages (R24): a month, a quarter, a year or dates from-to
(dd/mm/yyyy), read from the query string into a `reports.periods.Period`."""

from typing import Any

from vanban.core import clock
from vanban.core.forms import Form
from vanban.reports.forms import ReportPeriodForm
from vanban.reports.periods import Period

PERIOD_FIELDS = ("period", "year", "quarter", "month", "start", "end")


class StatisticsPeriodForm(ReportPeriodForm):
    """The report period form without its unit: the unit of a statistics page is in its address.
    The same checks and the same Vietnamese messages as the other reports."""

    unit = None  # type: ignore[assignment]

    def __init__(self, data: dict[str, Any]) -> None:
        Form.__init__(self, data)

    @classmethod
    def for_query(cls, query: dict[str, str]) -> "StatisticsPeriodForm":
        """The form of a query string; without a period, the current quarter."""
        current = Period.quarter_of(clock.now())
        defaults: dict[str, Any] = {
            "period": "quarter",
            "year": current.first.year,
            "quarter": (current.first.month + 2) // 3,
            "month": current.first.month,
        }
        given = {name: query[name] for name in PERIOD_FIELDS if name in query}
        return cls(defaults | given)

    @property
    def period(self) -> Period:
        return self.cleaned_data["report_period"]

    def query(self) -> dict[str, Any]:
        """The canonical query string of a valid form, carried by every link of the drill-down
        and by the exports, so that they show the same period."""
        data = self.cleaned_data
        if data["period"] == "custom":
            return {
                "period": "custom",
                "start": data["start"].strftime("%d/%m/%Y"),
                "end": data["end"].strftime("%d/%m/%Y"),
            }
        params: dict[str, Any] = {"period": data["period"], "year": data["year"]}
        if data["period"] in ("quarter", "month"):
            params[data["period"]] = data[data["period"]]
        return params
