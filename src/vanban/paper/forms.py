"""Forms of the scan intake: the upload of several scans, and the incoming registration form of
documents (`documents.forms.IncomingForm`) prefilled from what was read on a scan.

Forms only parse input; the services check the rules and their Vietnamese messages are shown
next to the fields.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField

from vanban.accounts.models import Unit
from vanban.accounts.unit_fields import UnitChoiceField
from vanban.core.forms import Form, model_choice_field
from vanban.documents.forms import IncomingForm, MultipleFileField

from .models import ScanItem
from .services import OVERRIDE_MIN

PROPOSED_LABEL = "Đề xuất từ bản quét"
# The issuing body is a unit of the deployment or a name and code: a proposed unit wins.
EXTERNAL_ISSUER = ("issuer_name", "issuer_code")


class ScanUploadForm(Form):
    unit = UnitChoiceField(
        label="Đơn vị vào sổ",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Hãy chọn đơn vị.",
            "invalid_choice": "Hãy chọn một đơn vị bạn làm văn thư.",
        },
    )
    files = MultipleFileField(
        label="Các tệp bản quét",
        help_text=(
            "Chọn một hoặc nhiều tệp bản quét (PDF, JPEG, PNG, TIFF); mỗi tệp là một văn bản, "
            "trừ khi chọn tách theo trang trắng."
        ),
    )
    split_blank = forms.BooleanField(
        label="Tách theo trang trắng",
        required=False,
        help_text=(
            "Một tệp PDF quét nhiều văn bản, giữa hai văn bản có một tờ giấy trắng: mỗi phần "
            "giữa các trang trắng là một văn bản; các trang trắng được bỏ đi."
        ),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units.select_related("parent")
        self.fields["files"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.tif,.tiff"


class ScanConfirmForm(IncomingForm):
    """The incoming registration form for one scan: the scan is the main file (no input for it,
    nor for an edXML package); the unit is the scan's; the fields OCR proposed come filled in,
    each marked (R16). A scan stamped secret asks for the clerk's reason first (R13)."""

    override_reason = forms.CharField(
        label="Lý do vẫn vào sổ dù bản quét có dấu chỉ độ mật",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            f"Ít nhất {OVERRIDE_MIN} ký tự, ví dụ: chữ “MẬT” là một phần tên đơn vị, không phải "
            "dấu chỉ độ mật. Lý do được ghi vào nhật ký hệ thống."
        ),
    )

    def __init__(self, *args: Any, item: ScanItem, **kwargs: Any) -> None:
        self.item = item
        self.proposal: dict[str, dict[str, str]] = {
            name: value for name, value in (item.proposal or {}).items() if isinstance(value, dict)
        }
        if "issuer_unit" in self.proposal:
            for name in EXTERNAL_ISSUER:
                self.proposal.pop(name, None)
        initial = dict(kwargs.pop("initial", None) or {})
        initial["unit"] = item.unit_id
        for name, proposed in self.proposal.items():
            initial.setdefault(name, proposed.get("value", ""))
        kwargs["units"] = Unit.objects.filter(pk=item.unit_id)
        super().__init__(*args, initial=initial, **kwargs)
        for name in ("main_file", "package", "package_token", "is_electronic"):
            del self.fields[name]
        self.fields["unit"].widget = forms.HiddenInput()
        if item.secrecy_marks:
            self.order_fields(["override_reason", *self.field_order])
        else:
            del self.fields["override_reason"]
        for name in self.proposal:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"proposed-{name}"

    def document_input(self) -> Any:
        self.cleaned_data["is_electronic"] = False  # a paper document, by its scan
        return super().document_input()

    def rows(self, *names: str) -> list[tuple[BoundField, dict[str, str] | None]]:
        """The fields named, each with what was proposed for it (None when nothing was)."""
        return [(self[name], self.proposal.get(name)) for name in names if name in self.fields]

    def override_reason_value(self) -> str:
        return str(self.cleaned_data.get("override_reason") or "")
