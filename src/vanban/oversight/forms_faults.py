"""Forms of the fault and misuse reports (R20, R21): they parse the input; the rules are in
`faults`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from vanban.core.forms import Form, choice_field

from .faults import MAX_NOTE, MAX_TEXT, SCREENSHOT_MAX_MB
from .models_faults import FaultKind, FaultStatus


class FaultReportForm(Form):
    kind = forms.ChoiceField(
        label="Loại",
        choices=FaultKind.choices,
        widget=forms.RadioSelect,
        initial=FaultKind.FAULT,
        error_messages={
            "required": "Hãy chọn loại báo lỗi.",
            "invalid_choice": "Hãy chọn loại báo lỗi.",
        },
    )
    text = forms.CharField(
        label="Nội dung",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        strip=True,
        help_text="Bạn đang làm gì, hệ thống báo gì, điều gì đáng ngờ hoặc bạn cần hỗ trợ gì.",
        error_messages={
            "required": "Hãy mô tả lỗi, điều nghi ngờ hoặc việc cần hỗ trợ.",
            "max_length": f"Nội dung dài quá {MAX_TEXT} ký tự; hãy viết ngắn hơn.",
        },
    )
    screenshot = forms.FileField(
        label="Ảnh chụp màn hình (không bắt buộc)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=f"Ảnh PNG hoặc JPEG, tối đa {SCREENSHOT_MAX_MB} MB.",
        error_messages={"empty": "Tệp ảnh đã chọn rỗng."},
    )
    detection = forms.TypedChoiceField(
        label="Tệp bị cách ly liên quan (không bắt buộc)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text=(
            "Khi báo tệp đính kèm đáng ngờ: chọn tệp mà hệ thống đã phát hiện mã độc và cách ly "
            "ở đơn vị bạn."
        ),
        error_messages={"invalid_choice": "Tệp bị cách ly đã chọn không thuộc đơn vị của bạn."},
    )
    page_url = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, detections: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "detection").choices = [
            ("", "(Không chọn)"),
            *(
                (
                    d.pk,
                    f"{d.original_name} – {d.signature_label} – {d.detected_at:%d/%m/%Y %H:%M}",
                )
                for d in detections
            ),
        ]


# The changes offered on a report's page to each person (faults.TRANSITIONS).
TRIAGE_CHOICES = [
    (FaultStatus.NEEDS_INFO.value, "Đề nghị người báo bổ sung thông tin"),
    (FaultStatus.DUPLICATE.value, "Trùng với báo lỗi khác"),
    (FaultStatus.FIXED.value, "Đơn vị đã khắc phục"),
    (FaultStatus.ESCALATED.value, "Chuyển Sở xử lý"),
]
CLOSE_CHOICES = [
    (FaultStatus.DEPARTMENT_FIXED.value, "Sở đã khắc phục"),
    (FaultStatus.WONT_FIX.value, "Sở không khắc phục"),
]


class FaultChangeForm(Form):
    """One change of status; which ones are offered depends on the person (the service decides
    whether it is allowed)."""

    to_status = forms.ChoiceField(
        label="Xử lý",
        choices=FaultStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Hãy chọn cách xử lý.",
            "invalid_choice": "Hãy chọn cách xử lý.",
        },
    )
    note = forms.CharField(
        label="Ghi chú",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_NOTE,
        error_messages={"max_length": f"Ghi chú dài quá {MAX_NOTE} ký tự."},
    )
    duplicate_of = forms.IntegerField(
        label="Trùng với báo lỗi số",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Hãy nhập số của báo lỗi.",
            "min_value": "Hãy nhập số của báo lỗi.",
        },
    )

    def __init__(
        self, *args: Any, offered: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if offered is not None:
            choice_field(self, "to_status").choices = offered


class FaultAnswerForm(Form):
    """The reporter's answer to a question of the IT staff."""

    note = forms.CharField(
        label="Thông tin bổ sung",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_NOTE,
        error_messages={
            "required": "Hãy ghi thông tin bổ sung.",
            "max_length": f"Thông tin bổ sung dài quá {MAX_NOTE} ký tự.",
        },
    )
