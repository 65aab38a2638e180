"""Forms of the administrative-reform criteria: the year's criteria edited at once (a row per
criterion), numbers typed with a decimal comma or point."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from vanban.core.forms import Form

from . import reform


class DecimalText(forms.CharField):
    """A number as people type it here: "2,5" or "2.5"."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            max_length=10,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            **kwargs,
        )

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            number = Decimal(text.replace(",", ".").replace(" ", ""))
        except InvalidOperation as exc:
            raise forms.ValidationError(f"“{text}” không phải là một số.") from exc
        if not number.is_finite():
            raise forms.ValidationError(f"“{text}” không phải là một số.")
        return number


class SchemeForm(Form):
    total_points = DecimalText(label="Tổng điểm tối đa của bộ tiêu chí")
    note = forms.CharField(label="Căn cứ, ghi chú", max_length=500, required=False)


class CriterionForm(Form):
    code = forms.CharField(label="Mã", max_length=20)
    name = forms.CharField(label="Tên tiêu chí", max_length=300)
    measure = forms.ChoiceField(
        label="Số liệu dùng",
        # A blank first choice: an empty row sends nothing and is left out.
        choices=[("", "— Chọn số liệu —"), *reform.MEASURE_CHOICES],
        error_messages={
            "invalid_choice": "Số liệu không hợp lệ; hãy chọn lại trong danh sách.",
            "required": "Hãy chọn số liệu.",
        },
    )
    threshold = DecimalText(label="Tỷ lệ tối thiểu (%)")
    target = DecimalText(label="Tỷ lệ đạt điểm tối đa (%)")
    max_points = DecimalText(label="Điểm tối đa")

    def criterion(self) -> reform.CriterionInput:
        data = self.cleaned_data
        return reform.CriterionInput(
            code=data["code"],
            name=data["name"],
            measure=data["measure"],
            target=data["target"],
            threshold=data["threshold"],
            max_points=data["max_points"],
        )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)


def formset_initial(scheme: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "measure": c.measure,
            "threshold": reform.number_vi(c.threshold),
            "target": reform.number_vi(c.target),
            "max_points": reform.number_vi(c.max_points),
        }
        for c in scheme.criteria.all()
    ]


def criteria_of(formset: Any) -> list[reform.CriterionInput]:
    """The rows filled in and not ticked for deletion, in their order."""
    return [
        form.criterion()
        for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]
