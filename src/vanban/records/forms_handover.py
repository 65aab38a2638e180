"""Forms of the hand-over, keeping back and the fonds (records/views_handover.py)."""

from typing import Any

from django import forms

from vanban.accounts.models import Unit
from vanban.core.forms import Form, VietnameseDateField, choice_field, model_choice_field


def _date(label: str) -> VietnameseDateField:
    return VietnameseDateField(
        label=label, required=True, error_messages={"required": f"Hãy nhập {label.lower()}."}
    )


class DossierChoiceForm(Form):
    """The dossiers ticked on the due page."""

    dossiers = forms.TypedMultipleChoiceField(
        label="Hồ sơ nộp lưu",
        coerce=int,
        required=True,
        error_messages={"required": "Hãy chọn ít nhất một hồ sơ để nộp lưu."},
    )

    def __init__(self, *args: Any, choices: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dossiers").choices = [(pk, str(pk)) for pk in (choices or [])]


class ReturnForm(Form):
    reason = forms.CharField(
        label="Lý do trả lại",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"required": "Hãy nhập lý do trả lại."},
    )


class KeepBackForm(Form):
    reason = forms.CharField(
        label="Lý do giữ lại",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"required": "Hãy nhập lý do giữ lại."},
    )
    until = _date("Giữ lại đến ngày")


class DecideForm(Form):
    decision = forms.ChoiceField(
        label="Quyết định",
        choices=[("approve", "Đồng ý giữ lại"), ("refuse", "Không đồng ý")],
        error_messages={"required": "Hãy chọn đồng ý hoặc không đồng ý."},
    )


class FondsOpenForm(Form):
    unit = forms.ModelChoiceField(
        label="Cơ quan",
        queryset=Unit.objects.none(),
        error_messages={
            "required": "Hãy chọn cơ quan.",
            "invalid_choice": (
                "Cơ quan này không mở phông được (đã có phông hoặc không thuộc quyền của bạn)."
            ),
        },
    )
    name = forms.CharField(
        label="Tên phông", max_length=300, error_messages={"required": "Hãy nhập tên phông."}
    )
    code = forms.CharField(label="Mã phông", max_length=20, required=False)
    opened_on = _date("Ngày mở phông")
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = (
            units if units is not None else Unit.objects.none()
        )


class FondsCloseForm(Form):
    closed_on = _date("Ngày đóng phông")
    note = forms.CharField(
        label="Ghi chú (ví dụ: cơ quan hợp nhất theo quyết định số …)",
        max_length=500,
        required=False,
    )
