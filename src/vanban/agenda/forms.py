"""The entry form: the date typed as dd/mm/yyyy and the times as HH:MM, in plain text boxes
(the service reads them and says what is wrong, next to the field)."""

from typing import Any

from django import forms

from vanban.accounts.models import Unit, User
from vanban.core.forms import Form, model_choice_field

from .models import AgendaEntry
from .services import EntryInput, unit_leaders


class LeaderChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.position})" if obj.position else str(obj.full_name)


class EntryForm(Form):
    day = forms.CharField(
        label="Ngày (dd/mm/yyyy)",
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )
    start = forms.CharField(
        label="Giờ bắt đầu (HH:MM)",
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "HH:MM", "inputmode": "numeric"}),
    )
    end = forms.CharField(
        label="Giờ kết thúc (nếu có)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "HH:MM", "inputmode": "numeric"}),
    )
    content = forms.CharField(
        label="Nội dung", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    place = forms.CharField(label="Địa điểm", max_length=255, required=False)
    leaders = LeaderChoice(
        label="Lãnh đạo dự",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Người được chọn không phải lãnh đạo của đơn vị."},
    )
    attendees = forms.CharField(label="Thành phần khác", max_length=1000, required=False)
    preparer = forms.CharField(label="Đơn vị, người chuẩn bị", max_length=255, required=False)
    note = forms.CharField(label="Ghi chú", max_length=500, required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "leaders").queryset = unit_leaders(unit)

    @staticmethod
    def initial_of(entry: AgendaEntry) -> dict[str, Any]:
        return {
            "day": entry.day.strftime("%d/%m/%Y"),
            "start": entry.start.strftime("%H:%M"),
            "end": entry.end.strftime("%H:%M") if entry.end else "",
            "content": entry.content,
            "place": entry.place,
            "leaders": list(entry.leaders.all()),
            "attendees": entry.attendees,
            "preparer": entry.preparer,
            "note": entry.note,
        }

    def entry_input(self) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            day=data["day"],
            start=data["start"],
            end=data.get("end", ""),
            content=data["content"],
            place=data.get("place", ""),
            leaders=list(data.get("leaders") or []),
            attendees=data.get("attendees", ""),
            preparer=data.get("preparer", ""),
            note=data.get("note", ""),
        )


class ReturnForm(Form):
    note = forms.CharField(label="Lý do trả lại", max_length=1000)
