"""The dossier search form, read from the query string (GET)."""

from __future__ import annotations

from typing import Any

from django import forms

from vanban.accounts.models import User
from vanban.core.forms import MAX_PAGE, MAX_YEAR, MIN_YEAR, Form, VietnameseDateField

from .models import Dossier, DossierStatus
from .rules import readable_q
from .search import DossierFilters, DossierSort, maintenance_choices


def _date_field(label: str) -> VietnameseDateField:
    return VietnameseDateField(label=label, required=False)


class HandlerChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class DossierSearchForm(Form):
    q = forms.CharField(
        label="Tìm hồ sơ",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Mã, số ký hiệu, tiêu đề hồ sơ, người lập, nội dung văn bản",
                "autocomplete": "off",
            }
        ),
        error_messages={"max_length": "Từ khóa tìm kiếm dài quá %(limit_value)d ký tự."},
    )
    year = forms.IntegerField(
        label="Năm hình thành",
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "invalid": "Năm phải là số, ví dụ 2026.",
            "min_value": f"Năm phải từ {MIN_YEAR} trở đi.",
            "max_value": f"Năm phải không quá {MAX_YEAR}.",
        },
    )
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Mọi trạng thái"), *DossierStatus.choices],
        error_messages={"invalid_choice": "Hãy chọn một trạng thái trong danh sách."},
    )
    ad_hoc = forms.ChoiceField(
        label="Loại hồ sơ",
        required=False,
        choices=[("", "Theo danh mục và phát sinh"), ("0", "Theo danh mục"), ("1", "Phát sinh")],
        error_messages={"invalid_choice": "Hãy chọn hồ sơ theo danh mục hoặc phát sinh."},
    )
    handler = HandlerChoice(
        label="Người lập hồ sơ",
        required=False,
        queryset=User.objects.none(),
        empty_label="Mọi người lập",
        error_messages={"invalid_choice": "Hãy chọn người lập hồ sơ trong danh sách."},
    )
    maintenance = forms.ChoiceField(
        label="Thời hạn bảo quản",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Hãy chọn thời hạn bảo quản trong danh sách."},
    )
    opened_from = _date_field("Mở từ ngày")
    opened_to = _date_field("Mở đến ngày")
    closed_from = _date_field("Kết thúc từ ngày")
    closed_to = _date_field("Kết thúc đến ngày")
    sort = forms.ChoiceField(
        label="Sắp xếp",
        required=False,
        choices=DossierSort.choices,
        error_messages={"invalid_choice": "Hãy chọn một cách sắp xếp trong danh sách."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Số trang phải là số nguyên dương.",
            "min_value": "Số trang phải từ 1 trở lên.",
            "max_value": f"Số trang phải không quá {MAX_PAGE}.",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler_ids = Dossier.objects.filter(readable_q(user)).values("handler_id")
        handler_field: Any = self.fields["handler"]
        handler_field.queryset = User.objects.filter(pk__in=handler_ids).order_by("full_name")
        maintenance_field: Any = self.fields["maintenance"]
        maintenance_field.choices = [
            ("", "Mọi thời hạn"),
            *((m, m) for m in maintenance_choices(user=user)),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end, message in (
            ("opened_from", "opened_to", "Ngày mở “từ” phải trước ngày “đến”."),
            ("closed_from", "closed_to", "Ngày kết thúc “từ” phải trước ngày “đến”."),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, message)
        return data

    def filters(self) -> DossierFilters:
        data = self.cleaned_data
        ad_hoc = {"1": True, "0": False}.get(data.get("ad_hoc") or "")
        return DossierFilters(
            query=data.get("q") or "",
            year=data.get("year"),
            status=data.get("status") or "",
            ad_hoc=ad_hoc,
            handler=data.get("handler"),
            maintenance=data.get("maintenance") or "",
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            closed_from=data.get("closed_from"),
            closed_to=data.get("closed_to"),
            sort=data.get("sort") or DossierSort.NEWEST,
        )
