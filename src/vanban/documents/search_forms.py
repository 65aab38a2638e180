"""The search box and the advanced search form; read from the query string (GET)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.unit_fields import UnitChoiceField
from vanban.core.forms import (
    MAX_PAGE,
    MAX_YEAR,
    MIN_YEAR,
    Form,
    VietnameseDateField,
    model_choice_field,
)
from vanban.core.text import format_date_vi

from .models import Direction, DocumentType, RegisterSeries, Urgency
from .search import SEARCH_PARAMS, SearchSort, search_units

ADVANCED_PARAMS = SEARCH_PARAMS[1:]


def _date_field(label: str) -> VietnameseDateField:
    return VietnameseDateField(label=label, required=False)


class SeriesChoice(forms.ModelChoiceField[RegisterSeries]):
    def label_from_instance(self, obj: RegisterSeries) -> str:
        return f"{obj.name} – {obj.year} – {obj.unit.name}"


class DocumentSearchForm(Form):
    q = forms.CharField(
        label="Tìm văn bản",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Số, ký hiệu, trích yếu, cơ quan ban hành, người ký, nội dung tệp",
                "autocomplete": "off",
            }
        ),
        error_messages={"max_length": "Từ khóa tìm kiếm dài quá %(limit_value)d ký tự."},
    )
    direction = forms.ChoiceField(
        label="Văn bản đến / đi",
        required=False,
        choices=[("", "Cả văn bản đến và đi"), *Direction.choices],
        error_messages={"invalid_choice": "Hãy chọn văn bản đến hoặc văn bản đi."},
    )
    type = forms.ModelChoiceField(
        label="Loại văn bản",
        required=False,
        queryset=DocumentType.objects.order_by("order", "name"),
        empty_label="Mọi loại văn bản",
        error_messages={"invalid_choice": "Không tìm thấy loại văn bản đã chọn."},
    )
    urgency = forms.TypedChoiceField(
        label="Độ khẩn",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Mọi độ khẩn"), *Urgency.choices],
        error_messages={"invalid_choice": "Độ khẩn không hợp lệ."},
    )
    unit = UnitChoiceField(
        label="Đơn vị",
        required=False,
        queryset=Unit.objects.none(),
        empty_label="Mọi đơn vị được xem",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị đã chọn."},
    )
    series = SeriesChoice(
        label="Sổ văn bản",
        required=False,
        queryset=RegisterSeries.objects.none(),
        empty_label="Mọi sổ",
        error_messages={"invalid_choice": "Không tìm thấy sổ văn bản đã chọn."},
    )
    issued_from = _date_field("Ngày văn bản từ ngày")
    issued_to = _date_field("Ngày văn bản đến ngày")
    registered_from = _date_field("Ngày đến, ngày vào sổ từ ngày")
    registered_to = _date_field("Ngày đến, ngày vào sổ đến ngày")
    sort = forms.ChoiceField(
        label="Sắp xếp",
        required=False,
        choices=SearchSort.choices,
        error_messages={"invalid_choice": "Cách sắp xếp không hợp lệ."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Số trang không hợp lệ.",
            "min_value": "Số trang không hợp lệ.",
            "max_value": "Số trang không hợp lệ.",
        },
    )

    def __init__(self, data: Any, *, user: User) -> None:
        super().__init__(data)
        units = search_units(user=user)
        model_choice_field(self, "unit").queryset = units
        model_choice_field(self, "series").queryset = (
            RegisterSeries.objects.filter(unit__in=units)
            .select_related("unit")
            .order_by("-year", "unit__name", "direction", "name")
        )
        # The unit filter is shown only to a person who may read more than one unit (no query:
        # the roles are already loaded).
        readable = {u for u, r in user.role_pairs() if r in (Role.CLERK, Role.LEADER)}
        self.show_unit = len(readable | {user.unit_id}) > 1
        # Typing reloads only the results (htmx); without JavaScript the form still submits.
        self.fields["q"].widget.attrs.update(
            {
                "hx-get": reverse("documents:search"),
                "hx-target": "#search-results",
                "hx-include": "closest form",
                "hx-trigger": "input changed delay:400ms, search",
                "hx-push-url": "true",
            }
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for first, last, label in (
            ("issued_from", "issued_to", "Ngày văn bản"),
            ("registered_from", "registered_to", "Ngày vào sổ"),
        ):
            for name in (first, last):
                day = data.get(name)
                if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
                    self.add_error(name, f"Năm phải trong khoảng từ {MIN_YEAR} đến {MAX_YEAR}.")
                    data[name] = None
            start, end = data.get(first), data.get(last)
            if start and end and end < start:
                self.add_error(
                    last,
                    f"{label}: ngày kết thúc ({format_date_vi(end)}) không được trước ngày bắt "
                    f"đầu ({format_date_vi(start)}).",
                )
        return data

    # ------------------------------------------------------------ reading the valid form

    @property
    def advanced_used(self) -> bool:
        """Open the advanced part when one of its fields is set or wrong."""
        if any(name in self.errors for name in ADVANCED_PARAMS):
            return True
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) not in (None, "") for name in ADVANCED_PARAMS if name != "sort")

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `search.document_search` (without the user)."""
        data = self.cleaned_data
        return {
            "query": data["q"],
            "direction": data["direction"],
            "document_types": [data["type"]] if data["type"] else [],
            "urgencies": [data["urgency"]] if data["urgency"] is not None else [],
            "unit": data["unit"],
            "series": data["series"],
            "issued_from": data["issued_from"],
            "issued_to": data["issued_to"],
            "registered_from": data["registered_from"],
            "registered_to": data["registered_to"],
            # "Liên quan nhất" by default: without words to rank by, it is the newest first.
            "sort": data["sort"] or SearchSort.RELEVANCE,
        }

    def query_params(self) -> dict[str, str]:
        """The search as query-string values, without empty fields and without the page."""
        params: dict[str, str] = {}
        for name in SEARCH_PARAMS:
            value = self.cleaned_data.get(name)
            if value in (None, "") or (name == "sort" and value == SearchSort.RELEVANCE):
                continue
            if isinstance(value, dt.date):
                params[name] = value.isoformat()
            elif hasattr(value, "pk"):
                params[name] = str(value.pk)
            else:
                params[name] = str(value)
        return params

    def query_string(self) -> str:
        return urlencode(self.query_params())

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def description(self) -> list[str]:
        """The search in words, for the title of an export."""
        data = self.cleaned_data
        parts = []
        if data["q"]:
            parts.append(f"từ khóa “{data['q']}”")
        if data["direction"]:
            parts.append(str(Direction(data["direction"]).label).lower())
        if data["type"]:
            parts.append(f"loại {data['type'].name}")
        if data["urgency"] is not None:
            parts.append(f"độ khẩn {Urgency(data['urgency']).label}")
        if data["unit"]:
            parts.append(f"đơn vị {data['unit'].name}")
        if data["series"]:
            parts.append(f"sổ {data['series'].name} {data['series'].year}")
        for first, last, label in (
            ("issued_from", "issued_to", "ngày văn bản"),
            ("registered_from", "registered_to", "ngày vào sổ"),
        ):
            if data[first] or data[last]:
                span = label
                if data[first]:
                    span += f" từ {format_date_vi(data[first])}"
                if data[last]:
                    span += f" đến {format_date_vi(data[last])}"
                parts.append(span)
        return parts


class SavedSearchForm(Form):
    name = forms.CharField(
        label="Lưu tìm kiếm này với tên",
        max_length=100,
        error_messages={
            "required": "Hãy đặt tên cho tìm kiếm cần lưu.",
            "max_length": "Tên tìm kiếm dài quá %(limit_value)d ký tự.",
        },
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Công văn khẩn của Bộ"}),
    )
    query_string = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
