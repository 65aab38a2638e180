"""Choice of unit and period for the reports; turns the query string into a Period."""

from typing import Any

from django import forms

from vanban.accounts import selectors as account_selectors
from vanban.accounts.models import Unit, User
from vanban.accounts.unit_fields import UnitChoiceField
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.forms import Form, VietnameseDateField, model_choice_field

from .periods import MIN_YEAR, ROMAN_QUARTERS, Period

PERIOD_KINDS = [
    ("month", "Tháng"),
    ("quarter", "Quý"),
    ("year", "Năm"),
    ("custom", "Khoảng thời gian"),
]


def _date_field(label: str) -> VietnameseDateField:
    return VietnameseDateField(label=label, required=False, min_year=MIN_YEAR)


class ReportPeriodForm(Form):
    """Unit (among those the reader administers) and period: month, quarter, year or custom."""

    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"required": "Hãy chọn đơn vị.", "invalid_choice": "Không tìm thấy đơn vị."},
    )
    period = forms.ChoiceField(
        label="Kỳ báo cáo",
        choices=PERIOD_KINDS,
        error_messages={
            "required": "Hãy chọn kỳ báo cáo.",
            "invalid_choice": "Kỳ báo cáo không hợp lệ.",
        },
    )
    year = forms.IntegerField(
        label="Năm",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
        error_messages={"invalid": "Năm không hợp lệ."},
    )
    quarter = forms.TypedChoiceField(
        label="Quý",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(q, f"Quý {roman}") for q, roman in ROMAN_QUARTERS.items()],
        error_messages={"invalid_choice": "Quý phải từ 1 đến 4."},
    )
    month = forms.TypedChoiceField(
        label="Tháng",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(m, f"Tháng {m}") for m in range(1, 13)],
        error_messages={"invalid_choice": "Tháng phải từ 1 đến 12."},
    )
    start = _date_field("Từ ngày")
    end = _date_field("Đến ngày")

    def __init__(self, data: dict[str, Any], *, user: User) -> None:
        super().__init__(data)
        model_choice_field(self, "unit").queryset = account_selectors.units_reported_by(user=user)

    @staticmethod
    def defaults(*, user: User) -> dict[str, Any]:
        """Without a query string: the reader's own unit (or the first one they administer) and
        the current quarter."""
        managed = user.managed_unit_ids()
        unit_id = (
            user.unit_id
            if managed is None or user.unit_id in managed
            else min(managed, default=None)
        )
        current = Period.quarter_of(clock.now())
        return {
            "unit": unit_id,
            "period": "quarter",
            "year": current.first.year,
            "quarter": (current.first.month + 2) // 3,
            "month": current.first.month,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period_fields = ("period", "year", "quarter", "month", "start", "end")
        if any(name in self.errors for name in period_fields):
            return data
        try:
            period = self._period(data)
        except ServiceError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            if period is not None:
                data["report_period"] = period
        return data

    def _period(self, data: dict[str, Any]) -> Period | None:
        """The chosen period, or None after adding an error for a missing part."""
        kind, year = data["period"], data.get("year")
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", "Hãy nhập ngày bắt đầu.")
            if end is None:
                self.add_error("end", "Hãy nhập ngày kết thúc.")
            return None if start is None or end is None else Period.custom(start, end)
        if year is None:
            self.add_error("year", "Hãy nhập năm.")
            return None
        if kind == "year":
            return Period.year(year)
        part = data.get(kind)  # the quarter or the month
        if part is None:
            self.add_error(kind, "Hãy chọn quý." if kind == "quarter" else "Hãy chọn tháng.")
            return None
        return Period.quarter(year, part) if kind == "quarter" else Period.month(year, part)

    def query(self) -> dict[str, Any]:
        """The canonical query string of a valid form, for links (the PDF of the same report)."""
        data = self.cleaned_data
        params: dict[str, Any] = {"unit": data["unit"].pk, "period": data["period"]}
        if data["period"] == "custom":
            params |= {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
        else:
            params["year"] = data["year"]
            if data["period"] in ("quarter", "month"):
                params[data["period"]] = data[data["period"]]
        return params
