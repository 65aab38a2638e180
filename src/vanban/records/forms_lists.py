"""Forms of the retention schedule and the yearly dossier list: numbers typed as text, read and
judged by the services (which say what is wrong, next to the field)."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.accounts.models import Unit, User
from vanban.core.forms import Form, model_choice_field

from . import lists, retention
from .models import (
    DossierListEntry,
    DossierListHeading,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
)

MSG_PICK = "Lựa chọn không hợp lệ; hãy chọn lại trong danh sách."


class GroupChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number}. {obj.title}"


class RetentionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.group.number}.{obj.number}. {obj.title} – {obj.maintenance}"


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.position})" if obj.position else str(obj.full_name)


class ItemForm(Form):
    group = GroupChoice(
        label="Nhóm hồ sơ, tài liệu",
        queryset=RetentionGroup.objects.none(),
        error_messages={"invalid_choice": MSG_PICK, "required": "Hãy chọn nhóm hồ sơ, tài liệu."},
    )
    number = forms.CharField(label="Số thứ tự", max_length=10, required=False)
    title = forms.CharField(
        label="Tên loại hồ sơ, tài liệu", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label="Loại thời hạn", choices=RetentionKind.choices)
    years = forms.CharField(
        label="Số năm (với thời hạn có số năm)",
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    legal_basis = forms.CharField(label="Căn cứ pháp lý", max_length=300, required=False)
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schedule = retention.current_schedule()
        model_choice_field(self, "group").queryset = (
            schedule.groups.order_by("order", "pk") if schedule else RetentionGroup.objects.none()
        )

    @staticmethod
    def initial_of(item: RetentionItem) -> dict[str, Any]:
        return {
            "group": item.group_id,
            "number": item.number,
            "title": item.title,
            "kind": item.kind,
            "years": item.years or "",
            "legal_basis": item.legal_basis,
            "note": item.note,
        }

    def item_input(self) -> retention.ItemInput:
        data = self.cleaned_data
        return retention.ItemInput(
            group=data["group"],
            number=data.get("number", ""),
            title=data["title"],
            kind=data["kind"],
            years=data.get("years", ""),
            legal_basis=data.get("legal_basis", ""),
            note=data.get("note", ""),
        )


class ListCreateForm(Form):
    year = forms.CharField(
        label="Năm", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class HeadingForm(Form):
    title = forms.CharField(label="Tên đề mục", max_length=300)
    abbreviation = forms.CharField(
        label="Chữ viết tắt (ví dụ: TCCB)",
        max_length=10,
        help_text="Đứng sau số hồ sơ: 01.TCCB.",
    )
    subunit = forms.ModelChoiceField(
        label="Đơn vị (nếu đề mục theo đơn vị)",
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": MSG_PICK},
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "subunit").queryset = lists.unit_subunits(unit)

    @staticmethod
    def initial_of(heading: DossierListHeading) -> dict[str, Any]:
        return {
            "title": heading.title,
            "abbreviation": heading.abbreviation,
            "subunit": heading.subunit_id,
        }

    def heading_input(self) -> lists.HeadingInput:
        data = self.cleaned_data
        return lists.HeadingInput(
            title=data["title"], abbreviation=data["abbreviation"], subunit=data.get("subunit")
        )


class EntryForm(Form):
    number = forms.CharField(
        label="Số hồ sơ trong đề mục",
        max_length=5,
        required=False,
        help_text="Để trống để lấy số tiếp theo.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    title = forms.CharField(
        label="Tiêu đề hồ sơ", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    retention_item = RetentionChoice(
        label="Thời hạn bảo quản",
        queryset=RetentionItem.objects.none(),
        error_messages={"invalid_choice": MSG_PICK, "required": "Hãy chọn thời hạn bảo quản."},
    )
    person_in_charge = PersonChoice(
        label="Người lập hồ sơ",
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": MSG_PICK},
    )
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def __init__(
        self, *args: Any, unit: Unit, entry: DossierListEntry | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # An entry keeps what it had even if the item was stopped or the person moved since.
        model_choice_field(self, "retention_item").queryset = retention.active_items(
            also=entry.retention_item_id if entry else None
        )
        model_choice_field(self, "person_in_charge").queryset = lists.unit_people(
            unit, also=entry.person_in_charge_id if entry else None
        )

    @staticmethod
    def initial_of(entry: DossierListEntry) -> dict[str, Any]:
        return {
            "number": str(entry.number),
            "title": entry.title,
            "retention_item": entry.retention_item_id,
            "person_in_charge": entry.person_in_charge_id,
            "note": entry.note,
        }

    def entry_input(self) -> lists.EntryInput:
        data = self.cleaned_data
        return lists.EntryInput(
            number=data.get("number", ""),
            title=data["title"],
            retention_item=data["retention_item"],
            person_in_charge=data.get("person_in_charge"),
            note=data.get("note", ""),
        )


class ReturnForm(Form):
    note = forms.CharField(label="Lý do trả lại", max_length=1000)


class ReopenForm(Form):
    reason = forms.CharField(label="Lý do mở lại để điều chỉnh", max_length=1000)
