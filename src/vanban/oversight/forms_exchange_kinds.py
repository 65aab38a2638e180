"""Forms of the yearly list of kinds exchanged electronically and of its compliance report."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.core.forms import Form
from vanban.documents.models import DocumentType
from vanban.reports.periods import ROMAN_QUARTERS, Period

from . import exchange_kinds

MSG_YEAR = "Năm không hợp lệ."


def year_field(**extra: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label="Năm",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
        error_messages={"invalid": MSG_YEAR, "required": "Hãy nhập năm."},
        **extra,
    )


class KindForm(Form):
    document_type = forms.ModelChoiceField(
        label="Loại văn bản",
        queryset=DocumentType.objects.filter(is_active=True),
        empty_label="— Chọn loại văn bản —",
        error_messages={
            "required": "Hãy chọn loại văn bản.",
            "invalid_choice": "Lựa chọn không hợp lệ; hãy chọn lại trong danh sách.",
        },
    )
    subject_keyword = forms.CharField(
        label="Trích yếu có cụm từ (để trống: mọi văn bản của loại này)",
        max_length=100,
        required=False,
    )
    is_exception = forms.BooleanField(
        label="Ngoại lệ: văn bản loại này (có cụm từ này) không bắt buộc gửi điện tử",
        required=False,
    )
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)


class PeriodForm(Form):
    """A year, or one quarter of it: the list applied is the year's."""

    year = year_field()
    quarter = forms.TypedChoiceField(
        label="Quý",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Cả năm"), *((q, f"Quý {r}") for q, r in ROMAN_QUARTERS.items())],
        error_messages={"invalid_choice": "Quý phải từ 1 đến 4."},
    )

    @classmethod
    def from_query(cls, data: Any) -> PeriodForm:
        values = {"year": str(exchange_kinds.this_year()), **data.dict()}
        return cls(values)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if year is not None:
            try:
                cleaned["period"] = Period.quarter(year, quarter) if quarter else Period.year(year)
            except exchange_kinds.ServiceError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned

    def query(self) -> dict[str, Any]:
        values = {"year": self.cleaned_data["year"]}
        if self.cleaned_data.get("quarter"):
            values["quarter"] = self.cleaned_data["quarter"]
        return values
