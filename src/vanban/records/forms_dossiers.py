"""Forms of the dossier pages: they parse input; the services in `dossiers` decide."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.accounts.models import User
from vanban.core.forms import Form, VietnameseDateField, choice_field

from .dossiers import RIGHTS, DossierFields
from .models import RetentionItem

RIGHTS_CHOICES = [(r, r) for r in RIGHTS]


class RetentionChoice(forms.ModelChoiceField[RetentionItem]):
    def label_from_instance(self, obj: RetentionItem) -> str:
        return f"{obj.number}. {obj.title[:120]} – {obj.maintenance}"


def _retention_field(**kwargs: Any) -> RetentionChoice:
    return RetentionChoice(
        label="Thời hạn bảo quản",
        queryset=RetentionItem.objects.filter(is_active=True, group__schedule__is_current=True)
        .select_related("group")
        .order_by("group__order", "group_id", "order", "pk"),
        error_messages={"invalid_choice": "Hãy chọn thời hạn bảo quản trong bảng đang dùng."},
        **kwargs,
    )


class FieldsForm(Form):
    rights = forms.ChoiceField(label="Chế độ sử dụng", choices=RIGHTS_CHOICES, initial="Hạn chế")
    language = forms.CharField(label="Ngôn ngữ", max_length=30, initial="Tiếng Việt")
    description = forms.CharField(
        label="Chú giải", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    construction = forms.BooleanField(
        label="Hồ sơ công trình xây dựng cơ bản (nộp lưu sau 3 tháng)", required=False
    )

    def dossier_fields(self) -> DossierFields:
        data = self.cleaned_data
        return DossierFields(
            rights=data["rights"],
            language=data["language"],
            description=data["description"],
            construction=data["construction"],
        )


class OpenFromEntryForm(FieldsForm):
    entry = forms.TypedChoiceField(label="Hồ sơ trong danh mục", coerce=int)

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = choice_field(self, "entry")
        field.choices = [
            (e.pk, f"{e.code} {e.title} ({e.retention_item.maintenance})") for e in entries
        ]
        field.error_messages["invalid_choice"] = "Hãy chọn một hồ sơ trong danh mục đã phê duyệt."


class OpenAdHocForm(FieldsForm):
    title = forms.CharField(label="Tiêu đề hồ sơ", max_length=500)
    notation = forms.CharField(
        label="Số và ký hiệu hồ sơ",
        max_length=20,
        required=False,
        help_text="Để trống: hệ thống đặt PS01.<chữ viết tắt của cơ quan>, PS02... theo năm.",
    )
    retention_item = _retention_field()

    field_order = ["title", "notation", "retention_item"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Beside the form of the list on one page: ids of its own.
        kwargs.setdefault("auto_id", "ps_%s")
        super().__init__(*args, **kwargs)


class EditForm(FieldsForm):
    title = forms.CharField(label="Tiêu đề hồ sơ", max_length=500)

    field_order = ["title"]


class CloseForm(Form):
    work_ended_on = VietnameseDateField(
        label="Ngày kết thúc công việc", required=False, help_text="Để trống: hôm nay."
    )
    retention_item = _retention_field(required=False)
    confirmed = forms.MultipleChoiceField(
        label="Tôi đã xem và vẫn kết thúc hồ sơ dù",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, problems: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = choice_field(self, "confirmed")
        field.choices = [(p.key, p.message) for p in problems]
        # A warning that went away meanwhile is simply not needed any more.
        field.valid_value = lambda value: True  # type: ignore[method-assign]


class ReopenForm(Form):
    reason = forms.CharField(
        label="Lý do mở lại", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ShareForm(Form):
    user = forms.ModelChoiceField(
        label="Người được đọc",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "Hãy chọn một người trong cơ quan."},
    )


class AddForm(Form):
    dossier = forms.IntegerField(
        label="Hồ sơ", error_messages={"required": "Hãy chọn một hồ sơ đang lập."}
    )
