"""Forms of the clerk's pages: document lists, registering incoming and outgoing documents,
giving a document to a person, numbering series.

Forms only parse input. The record rules (lengths, number and symbol, issuing body, refusals of R13)
live in documents.services, so most text fields are optional here and the service's Vietnamese
message is shown next to the field. The browser gets no `maxlength`: it would cut a pasted text
silently; long texts show a character counter instead (R16, documents/js/char-counter.js) and the
service refuses a text past its limit, saying how long it is, with what was typed kept.
"""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from vanban.accounts.models import Unit, User
from vanban.accounts.unit_fields import UnitChoiceField
from vanban.core.forms import Form, VietnameseDateField, model_choice_field

from . import receipt_checks
from .files import ALLOWED_LABEL
from .models import Direction, DocumentType, Urgency
from .services import SECRECY_LEVELS, DocumentInput, Refusals

DECLARATION_LABEL = (
    "Tôi xác nhận văn bản không chứa nội dung nhạy cảm chưa được cơ quan có thẩm quyền kết luận "
    "và không có nội dung độc hại"
)
SECRECY_CHOICES = [("", "Không"), *SECRECY_LEVELS.items()]
UNIT_ERRORS = {
    "required": "Hãy chọn đơn vị.",
    "invalid_choice": "Hãy chọn một đơn vị bạn làm văn thư.",
}


def _text(label: str, max_length: int, *, textarea: bool = False, **kwargs: Any) -> forms.CharField:
    """Optional text; the service checks the length and says so in Vietnamese.

    A long text (a textarea) carries its limit in `data-maxlength` for the counter "12/500 ký
    tự"; no `maxlength` attribute, which would cut pasted text without a word.
    """
    widget = (
        forms.Textarea(attrs={"rows": 3, "data-maxlength": max_length})
        if textarea
        else forms.TextInput()
    )
    return forms.CharField(label=label, required=False, strip=True, widget=widget, **kwargs)


def _date(label: str, **kwargs: Any) -> VietnameseDateField:
    return VietnameseDateField(label=label, required=False, **kwargs)


def _year() -> forms.IntegerField:
    """An optional year filter; empty means every year."""
    return forms.IntegerField(
        label="Năm",
        required=False,
        min_value=1900,
        max_value=2999,
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2999, "placeholder": "Mọi năm"}),
        error_messages={
            "invalid": "Năm không hợp lệ.",
            "min_value": "Năm không hợp lệ.",
            "max_value": "Năm không hợp lệ.",
        },
    )


def _count(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 999}),
        error_messages={"invalid": f"{label} phải là một số."},
        **kwargs,
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (format, size, secrecy)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in items if item]


def _main_file(help_text: str) -> forms.FileField:
    return forms.FileField(
        label="Tệp văn bản chính",
        required=False,
        allow_empty_file=True,
        help_text=help_text,
        error_messages={"invalid": "Tệp gửi lên không hợp lệ; hãy chọn lại tệp."},
    )


class IssuerUnitField(UnitChoiceField):
    """A unit of the deployment as the issuing body; the agency code follows the name."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{super().label_from_instance(obj)} ({obj.agency_code})"


# ---------------------------------------------------------------- lists


class DocumentFilterForm(Form):
    """Unit (among the reader's registers) and year of the document lists."""

    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Tất cả đơn vị",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị."},
    )
    year = _year()

    def __init__(self, data: dict[str, Any], *, units: QuerySet[Unit]) -> None:
        super().__init__(data)
        model_choice_field(self, "unit").queryset = units.select_related("parent")


# ---------------------------------------------------------------- registering


class RefusalFields(Form):
    """R13: what may not enter the system, and the clerk's declaration."""

    secrecy = forms.ChoiceField(
        label="Độ mật",
        required=False,
        choices=SECRECY_CHOICES,
        help_text="Văn bản mật (Mật, Tối mật, Tuyệt mật) không được đưa vào hệ thống.",
        error_messages={"invalid_choice": "Độ mật không hợp lệ."},
    )
    complaint = forms.BooleanField(
        label="Đơn thư khiếu nại, tố cáo",
        required=False,
        help_text="Đơn thư khiếu nại, tố cáo không được đưa vào hệ thống.",
    )
    sensitive_declared = forms.BooleanField(
        label=DECLARATION_LABEL,
        required=False,
        # The service gives the message when it is missing; the browser asks first.
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def refusals(self) -> Refusals:
        data = self.cleaned_data
        return Refusals(
            secrecy=data["secrecy"],
            complaint=data["complaint"],
            sensitive_declared=data["sensitive_declared"],
        )


class SignatureConfirmFields(Form):
    """R11: registering although a file's signature is invalid or untrusted needs the clerk's
    explicit confirmation and reason; both are shown once the check has found such a file."""

    confirm_signatures = forms.BooleanField(
        label="Vẫn vào sổ dù chữ ký số không hợp lệ hoặc không được tin cậy", required=False
    )
    signature_reason = forms.CharField(
        label="Lý do vẫn vào sổ",
        required=False,
        max_length=receipt_checks.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: đã xác minh với cơ quan gửi qua điện thoại; bản giấy có chữ ký, dấu.",
        error_messages={
            "max_length": f"Lý do dài quá {receipt_checks.REASON_MAX} ký tự; hãy viết ngắn lại."
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("confirm_signatures") and not (data.get("signature_reason") or "").strip():
            self.add_error("signature_reason", "Hãy ghi lý do vẫn vào sổ.")
        elif (data.get("signature_reason") or "").strip() and not data.get("confirm_signatures"):
            self.add_error(
                "confirm_signatures", "Hãy đánh dấu xác nhận vẫn vào sổ, hoặc xóa lý do."
            )
        return data

    def signature_reason_value(self) -> str:
        """The reason the service receives: only with the confirmation."""
        data = self.cleaned_data
        return str(data.get("signature_reason") or "") if data.get("confirm_signatures") else ""

    def signatures_unconfirmed(self) -> bool:
        """The confirmation is on the form since the clerk was shown the problem."""
        return bool(self["confirm_signatures"].value() or self["signature_reason"].value())


class RegisterForm(RefusalFields):
    """Fields both registers share: unit, type, subject, signer, urgency, files."""

    unit = UnitChoiceField(
        label="Đơn vị vào sổ",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages=UNIT_ERRORS,
    )
    document_type = forms.ModelChoiceField(
        label="Loại văn bản",
        queryset=DocumentType.objects.filter(is_active=True),
        empty_label="— Chọn loại văn bản —",
        error_messages={
            "required": "Hãy chọn loại văn bản.",
            "invalid_choice": "Hãy chọn loại văn bản.",
        },
    )
    subject = _text("Trích yếu", 500, textarea=True)
    signer_name = _text("Người ký", 50)
    signer_position = _text("Chức vụ người ký", 100)
    urgency = forms.TypedChoiceField(
        label="Độ khẩn",
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.NORMAL,
        error_messages={"invalid_choice": "Độ khẩn không hợp lệ.", "required": "Hãy chọn độ khẩn."},
    )
    page_amount = _count("Số trang")
    description = _text("Ghi chú", 500, textarea=True)
    attachments = MultipleFileField(
        label="Tệp đính kèm", help_text=f"Có thể chọn nhiều tệp; định dạng {ALLOWED_LABEL}."
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units.select_related("parent")

    def _input(self, **extra: Any) -> DocumentInput:
        data = self.cleaned_data
        return DocumentInput(
            document_type=data["document_type"],
            subject=data["subject"],
            signer_name=data["signer_name"],
            signer_position=data["signer_position"],
            urgency=data["urgency"],
            due_date=data["due_date"],
            page_amount=data["page_amount"],
            description=data["description"],
            **extra,
        )

    def uploads(self) -> tuple[UploadedFile[bytes] | None, list[UploadedFile[bytes]]]:
        return self.cleaned_data.get("main_file"), self.cleaned_data.get("attachments") or []

    def focus(self, name: str | None = None) -> None:
        """R16: the page opens with the cursor in `name`, else in the first field refused, else
        in the first field, in the order of the page (`field_order`)."""
        shown = [key for key, field in self.fields.items() if not field.widget.is_hidden]
        errors = self.errors if self.is_bound else {}
        target = name or next((key for key in shown if key in errors), shown[0])
        self.fields[target].widget.attrs["autofocus"] = True


class IncomingForm(SignatureConfirmFields, RegisterForm):
    """Registering an incoming document (R14, R16): the system gives the arrival number."""

    # The order of the page (incoming_create.html), which the cursor follows to a refused field.
    field_order = [
        "unit", "document_type", "code_number", "code_notation", "issued_date", "subject",
        "signer_name", "signer_position", "urgency", "due_date", "page_amount", "to_places",
        "description", "is_electronic", "issuer_unit", "issuer_name", "issuer_code", "main_file",
        "attachments", "secrecy", "complaint", "sensitive_declared", "confirm_duplicate",
        "confirm_signatures", "signature_reason",
    ]  # fmt: skip

    code_number = _text("Số", 11, help_text="Chỉ phần số, ví dụ 15.")
    code_notation = _text("Ký hiệu", 30, help_text="Ví dụ QĐ-UBND; không có khoảng trắng.")
    issued_date = _date("Ngày văn bản")
    issuer_unit = IssuerUnitField(
        label="Cơ quan ban hành trong hệ thống",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        empty_label="— Cơ quan ngoài hệ thống (nhập tên bên dưới) —",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị."},
    )
    issuer_name = _text(
        "Tên cơ quan ban hành bên ngoài",
        200,
        help_text="Chỉ nhập khi cơ quan không có trong danh sách.",
    )
    issuer_code = _text("Mã định danh cơ quan bên ngoài", 13, help_text="Dạng 000.00.00.H07.")
    due_date = _date("Hạn xử lý")
    to_places = _text("Đơn vị hoặc người nhận", 1000, textarea=True)
    is_electronic = forms.BooleanField(label="Văn bản điện tử", required=False)
    main_file = _main_file(
        "Bắt buộc: bản quét (PDF, ảnh) của văn bản giấy hoặc tệp văn bản điện tử; định dạng "
        f"{ALLOWED_LABEL}, nhận biết theo nội dung tệp."
    )
    confirm_duplicate = forms.BooleanField(label="Vẫn vào sổ (đây là văn bản khác)", required=False)
    # An electronic document received through the exchange axis: read by "Đọc gói edXML"
    # (vanban.exchange), then kept on the server behind the signed ticket `package_token`.
    package = forms.FileField(
        label="Gói văn bản điện tử (edXML)",
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".edxml,.xml"}),
        help_text=(
            "Văn bản nhận qua trục liên thông: chọn tệp .edxml rồi bấm “Đọc gói edXML” để điền "
            "sẵn các trường; các tệp trong gói được lưu cùng văn bản."
        ),
        error_messages={"invalid": "Tệp gửi lên không hợp lệ; hãy chọn lại tệp."},
    )
    package_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("issuer_unit") and (data.get("issuer_name") or data.get("issuer_code")):
            self.add_error(
                "issuer_name",
                "Hãy chọn cơ quan trong hệ thống hoặc nhập tên cơ quan bên ngoài, không cả hai.",
            )
        return data

    def document_input(self) -> DocumentInput:
        data = self.cleaned_data
        return self._input(
            code_number=data["code_number"],
            code_notation=data["code_notation"],
            issued_date=data["issued_date"],
            issuer_unit=data["issuer_unit"],
            issuer_name=data["issuer_name"],
            issuer_code=data["issuer_code"],
            to_places=data["to_places"],
            is_electronic=data["is_electronic"],
        )


class OutgoingForm(RegisterForm):
    """Registering an outgoing document: the system gives number, symbol and date (Art. 15)."""

    field_order = [
        "unit", "document_type", "legal_normative", "drafting_symbol", "subject", "signer_name",
        "signer_position", "urgency", "recipients", "archive_holder", "issued_amount",
        "page_amount", "due_date", "description", "main_file", "attachments", "secrecy",
        "complaint", "sensitive_declared",
    ]  # fmt: skip

    legal_normative = forms.BooleanField(
        label="Văn bản quy phạm pháp luật",
        required=False,
        help_text="Được đánh số theo sổ riêng của loại văn bản; ký hiệu có năm (01/2026/QĐ-UBND).",
    )
    drafting_symbol = _text(
        "Đơn vị soạn thảo",
        10,
        help_text="Với công văn: chữ viết tắt của đơn vị soạn thảo, ví dụ VP (ký hiệu UBND-VP).",
    )
    recipients = _text("Nơi nhận", 1000, textarea=True)
    archive_holder = _text("Đơn vị, người nhận bản lưu", 200)
    issued_amount = _count("Số lượng bản")
    due_date = _date("Hạn trả lời")
    main_file = _main_file(f"Bắt buộc; định dạng {ALLOWED_LABEL}, nhận biết theo nội dung tệp.")

    def document_input(self) -> DocumentInput:
        data = self.cleaned_data
        return self._input(
            legal_normative=data["legal_normative"],
            drafting_symbol=data["drafting_symbol"],
            recipients=data["recipients"],
            archive_holder=data["archive_holder"],
            issued_amount=data["issued_amount"],
        )


# ---------------------------------------------------------------- giving a document to a person


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} – {obj.position}" if obj.position else obj.full_name


class ShareForm(Form):
    user = PersonChoiceField(
        label="Chuyển cho",
        queryset=User.objects.none(),
        empty_label="— Chọn cán bộ —",
        error_messages={
            "required": "Hãy chọn người nhận.",
            "invalid_choice": "Chỉ chuyển văn bản cho cán bộ đang hoạt động của đơn vị.",
        },
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = candidates


# ---------------------------------------------------------------- numbering series


SCOPE_ALL, SCOPE_TYPE, SCOPE_LEGAL = "all", "type", "legal"
SCOPE_CHOICES = [
    (SCOPE_ALL, "Một sổ chung cho mọi loại văn bản"),
    (SCOPE_TYPE, "Sổ riêng cho một loại văn bản (văn bản đi)"),
    (SCOPE_LEGAL, "Sổ văn bản quy phạm pháp luật của một loại (văn bản đi)"),
]


class SeriesFilterForm(Form):
    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"required": "Hãy chọn đơn vị.", "invalid_choice": "Không tìm thấy đơn vị."},
    )
    year = _year()

    def __init__(self, data: dict[str, Any], *, units: QuerySet[Unit]) -> None:
        super().__init__(data)
        model_choice_field(self, "unit").queryset = units.select_related("parent")


class SeriesCreateForm(Form):
    """Opening a series for a year, as the head of the unit decided (NĐ 30/2020 Art. 15)."""

    unit = UnitChoiceField(
        label="Đơn vị",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Hãy chọn đơn vị.",
            "invalid_choice": "Hãy chọn một đơn vị bạn được thiết lập sổ văn bản.",
        },
    )
    year = forms.IntegerField(
        label="Năm",
        error_messages={"required": "Hãy nhập năm.", "invalid": "Năm không hợp lệ."},
    )
    direction = forms.ChoiceField(
        label="Loại sổ",
        choices=Direction.choices,
        initial=Direction.OUTGOING,
        error_messages={"required": "Hãy chọn loại sổ.", "invalid_choice": "Loại sổ không hợp lệ."},
    )
    scope = forms.ChoiceField(
        label="Cách đánh số",
        choices=SCOPE_CHOICES,
        initial=SCOPE_ALL,
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn cách đánh số.", "invalid_choice": "Không hợp lệ."},
    )
    document_type = forms.ModelChoiceField(
        label="Loại văn bản của sổ riêng",
        queryset=DocumentType.objects.filter(is_active=True),
        required=False,
        empty_label="— Chọn loại văn bản —",
        error_messages={"invalid_choice": "Hãy chọn loại văn bản."},
    )
    name = _text("Tên sổ", 200, help_text="Để trống để dùng tên theo quy định.")

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units.select_related("parent")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        scope = data.get("scope")
        if scope in (SCOPE_TYPE, SCOPE_LEGAL) and not data.get("document_type"):
            self.add_error(
                "document_type", "Sổ riêng phải gắn với một loại văn bản; hãy chọn loại."
            )
        if scope == SCOPE_ALL:
            data["document_type"] = None
        return data

    def series_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "year": data["year"],
            "direction": data["direction"],
            "document_type": data["document_type"],
            "legal_normative": data["scope"] == SCOPE_LEGAL,
            "name": data["name"],
        }
