"""Forms of the pages of the exchange with other systems: partner systems and their agency
codes (province admin), registering or refusing a package received from a partner (the
recipient unit's clerk), the monitoring filter."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from vanban.accounts.models import MAX_UNIT_LEVEL, Unit
from vanban.accounts.unit_fields import (
    UnitCheckboxes,
    UnitChoiceField,
    UnitMultipleChoiceField,
)
from vanban.core.agency_codes import agency_code_line_problem
from vanban.core.forms import Form, model_choice_field
from vanban.documents.forms import IncomingForm
from vanban.exchange.models import PARTNER_TRANSPORTS, Transport

CSV_MAX_BYTES = 2 * 1024 * 1024
LEVELS = [("", "Mọi cấp"), *((str(n), f"Cấp {n}") for n in range(1, MAX_UNIT_LEVEL + 1))]


class UnitsField(UnitMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{super().label_from_instance(obj)} ({obj.agency_code})"


class PartnerForm(Form):
    name = forms.CharField(
        label="Tên hệ thống",
        max_length=255,
        required=False,
        help_text=(
            "Ví dụ: Trục liên thông văn bản quốc gia, Hệ thống quản lý văn bản tỉnh Vĩnh Long."
        ),
    )
    transport = forms.ChoiceField(
        label="Cách kết nối",
        choices=PARTNER_TRANSPORTS,
        initial=Transport.DIRECT,
        error_messages={"invalid_choice": "Cách kết nối không hợp lệ."},
    )
    endpoint = forms.CharField(
        label="Địa chỉ nhận gói tin",
        max_length=500,
        required=False,
        help_text=(
            "Kết nối trực tiếp: địa chỉ nhận của hệ thống kia, ví dụ "
            "https://vanban.vinhlong.gov.vn/lien-thong/he-thong-khac/nhan/. Trục liên thông: "
            "địa chỉ gốc của tài nguyên REST, ví dụ https://lgsp.bentre.gov.vn/edoc/."
        ),
    )
    outbound_token = forms.CharField(
        label="Mã xác thực khi gửi",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Mã do hệ thống kia cấp cho ta. Khi sửa: để trống để giữ mã đang dùng.",
    )
    codes = forms.CharField(
        label="Thêm mã định danh cơ quan thuộc hệ thống",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một cơ quan: mã định danh, dấu chấm phẩy, tên cơ quan. "
        "Ví dụ: 000.00.00.G22; Bộ Thông tin và Truyền thông.",
    )
    allowed_units = UnitsField(
        label="Đơn vị được gửi văn bản qua hệ thống này",
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitCheckboxes,
        help_text="Để trống: mọi đơn vị trong tỉnh đều được gửi.",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "allowed_units").queryset = Unit.objects.filter(is_active=True)

    def clean_codes(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["codes"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = re.split(r"\s*[;,\t]\s*|\s+", line, maxsplit=1)
            code = parts[0]
            name = parts[1].strip() if len(parts) > 1 else ""
            if not code:
                raise forms.ValidationError(f"Dòng {number}: thiếu mã định danh.")
            if problem := agency_code_line_problem(number, code):
                raise forms.ValidationError(problem)
            rows.append((code, name))
        return rows


class CodesImportForm(Form):
    file = forms.FileField(
        label="Tệp CSV",
        help_text=(
            "Mã hóa UTF-8, dòng tiêu đề: he_thong,ma_dinh_danh,ten_co_quan (thêm ngay_dong,"
            "ma_ke_thua cho các mã đã đóng)."
        ),
        error_messages={"required": "Hãy chọn tệp CSV.", "invalid": "Hãy chọn lại tệp CSV."},
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError("Tệp CSV lớn hơn 2 MB.")
        data = upload.read()
        try:
            return str(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Tệp CSV phải mã hóa UTF-8.") from exc


class InboundRegisterForm(IncomingForm):
    """Registering a package received from a partner: the record prefilled from the package,
    checked and completed by the clerk; the unit is the package's recipient and the files are
    the package's."""

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, units=Unit.objects.filter(pk=unit.pk), **kwargs)
        for name in ("unit", "main_file", "attachments", "package", "package_token"):
            del self.fields[name]


class InboundRefuseForm(Form):
    reason = forms.CharField(
        label="Lý do từ chối",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        help_text="Được gửi về cơ quan gửi cùng trạng thái 02 (bị từ chối).",
    )


class MonitorFilterForm(Form):
    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Mọi đơn vị",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị."},
    )
    level = forms.ChoiceField(
        label="Cấp",
        choices=LEVELS,
        required=False,
        error_messages={"invalid_choice": "Cấp không hợp lệ."},
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units


class TakeBackAnswerForm(Form):
    accept = forms.TypedChoiceField(
        label="Trả lời",
        choices=[("1", "Đồng ý cho lấy lại"), ("0", "Không đồng ý")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Ý kiến (bắt buộc khi không đồng ý)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
