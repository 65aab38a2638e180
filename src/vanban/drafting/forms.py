"""Forms of the drafting pages. They only parse input; the rules (who may be signer, checker,
reviewer; recipients; refusals of R13) live in drafting.services, whose Vietnamese message is
shown next to the field."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from vanban.accounts.models import Unit, User
from vanban.accounts.unit_fields import (
    UnitCheckboxes,
    UnitChoiceField,
    UnitMultipleChoiceField,
)
from vanban.core.forms import (
    CheckboxList,
    Form,
    VietnameseDateField,
    choice_field,
    model_choice_field,
)
from vanban.documents.files import ALLOWED_LABEL
from vanban.documents.forms import (
    DECLARATION_LABEL,
    SECRECY_CHOICES,
    MultipleFileField,
    PersonChoiceField,
)
from vanban.documents.models import DocumentType, Urgency
from vanban.documents.services import Refusals
from vanban.signatures.models import Certificate
from vanban.signatures.numberdate import Box

from .models import Authority
from .services import DraftInput, ExternalRecipient

ACCEPT, RETURN = "accept", "return"


def _text(label: str, max_length: int, *, textarea: bool = False, **kwargs: Any) -> forms.CharField:
    attrs = {"maxlength": max_length}
    widget = (
        forms.Textarea(attrs={**attrs, "rows": 3}) if textarea else forms.TextInput(attrs=attrs)
    )
    return forms.CharField(label=label, required=False, strip=True, widget=widget, **kwargs)


def _date(label: str, **kwargs: Any) -> VietnameseDateField:
    return VietnameseDateField(label=label, required=False, **kwargs)


def _content_file() -> forms.FileField:
    return forms.FileField(
        label="Tệp nội dung dự thảo",
        required=False,
        allow_empty_file=True,
        help_text=f"Định dạng {ALLOWED_LABEL}, nhận biết theo nội dung tệp; mỗi lần tải lên là "
        "một phiên bản mới, phiên bản cũ được giữ nguyên.",
        error_messages={"invalid": "Tệp gửi lên không hợp lệ; hãy chọn lại tệp."},
    )


class PeopleField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        label = f"{obj.full_name} – {obj.position}" if obj.position else obj.full_name
        return f"{label} ({obj.unit.name})"


class SignerField(PersonChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{super().label_from_instance(obj)} ({obj.unit.name})"


def parse_external(text: str) -> list[ExternalRecipient]:
    """One body a line: "Bộ Nội vụ; 000.00.00.G12" (the agency code is optional)."""
    rows = []
    for line in (text or "").splitlines():
        name, _sep, code = line.partition(";")
        if name.strip():
            rows.append(ExternalRecipient(name=name.strip(), agency_code=code.strip()))
    return rows


class DraftCreateForm(Form):
    issuing_unit = UnitChoiceField(
        label="Cơ quan ban hành",
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Hãy chọn cơ quan ban hành.",
            "invalid_choice": "Cơ quan ban hành phải là đơn vị của bạn hoặc đơn vị cấp trên.",
        },
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
    legal_normative = forms.BooleanField(label="Văn bản quy phạm pháp luật", required=False)
    subject = _text("Trích yếu", 500, textarea=True)
    urgency = forms.TypedChoiceField(
        label="Độ khẩn",
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.NORMAL,
        error_messages={"invalid_choice": "Độ khẩn không hợp lệ.", "required": "Hãy chọn độ khẩn."},
    )
    due_date = _date("Hạn trả lời")
    recipient_units = UnitMultipleChoiceField(
        label="Nơi nhận trong hệ thống",
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitCheckboxes,
        help_text="Các đơn vị này nhận văn bản điện tử ngay khi văn thư ban hành.",
        error_messages={"invalid_choice": "Không tìm thấy đơn vị nhận."},
    )
    external_recipients = _text(
        "Nơi nhận ngoài hệ thống",
        1000,
        textarea=True,
        help_text="Mỗi dòng một cơ quan: tên cơ quan; mã định danh (nếu có), "
        "ví dụ: Bộ Nội vụ; 000.00.00.G12",
    )
    signer = SignerField(
        label="Người ký",
        queryset=User.objects.none(),
        empty_label="— Chọn lãnh đạo ký —",
        required=False,
        error_messages={"invalid_choice": "Người ký phải là lãnh đạo của cơ quan ban hành."},
    )
    authority = forms.ChoiceField(
        label="Thẩm quyền ký",
        choices=Authority.choices,
        required=False,
        error_messages={"invalid_choice": "Thẩm quyền ký không hợp lệ."},
    )
    authority_title = _text(
        "Thay mặt tập thể hoặc người đứng đầu",
        100,
        help_text="Ví dụ: ỦY BAN NHÂN DÂN (TM.), GIÁM ĐỐC (KT., TL., TUQ., Q.).",
    )
    signer_position = _text(
        "Chức vụ người ký", 100, help_text="Ví dụ: PHÓ GIÁM ĐỐC, CHÁNH VĂN PHÒNG."
    )
    content_file = _content_file()
    note = _text("Ghi chú phiên bản", 500)
    secrecy = forms.ChoiceField(
        label="Độ mật",
        required=False,
        choices=SECRECY_CHOICES,
        help_text="Văn bản mật (Mật, Tối mật, Tuyệt mật) không được soạn thảo trong hệ thống.",
        error_messages={"invalid_choice": "Độ mật không hợp lệ."},
    )
    sensitive_declared = forms.BooleanField(
        label=DECLARATION_LABEL,
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(
        self,
        *args: Any,
        issuing_units: list[Unit],
        signers: QuerySet[User],
        units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "issuing_unit").queryset = Unit.objects.filter(
            pk__in=[u.pk for u in issuing_units]
        )
        model_choice_field(self, "signer").queryset = signers
        model_choice_field(self, "recipient_units").queryset = units

    def draft_input(self) -> DraftInput:
        data = self.cleaned_data
        return DraftInput(
            document_type=data["document_type"],
            subject=data["subject"],
            urgency=data["urgency"],
            legal_normative=data["legal_normative"],
            due_date=data["due_date"],
            authority=data["authority"],
            authority_title=data["authority_title"],
            signer_position=data["signer_position"],
        )

    def refusals(self) -> Refusals:
        return Refusals(
            secrecy=self.cleaned_data["secrecy"],
            sensitive_declared=self.cleaned_data["sensitive_declared"],
        )

    def external(self) -> list[ExternalRecipient]:
        return parse_external(self.cleaned_data["external_recipients"])

    def upload(self) -> UploadedFile[bytes] | None:
        return self.cleaned_data.get("content_file")


class VersionForm(Form):
    # The draft page shows this form beside others with a "note": its own prefix keeps every
    # element id, and so every label, pointing at its own field (WCAG 2.1 1.3.1, 4.1.1); the
    # POST reads the same prefixed names.
    prefix = "version"

    content_file = _content_file()
    note = _text("Nội dung thay đổi", 500)


class CommentRequestForm(Form):
    # The draft page shows this form beside others with a "note": its own prefix keeps every
    # element id, and so every label, pointing at its own field (WCAG 2.1 1.3.1, 4.1.1); the
    # POST reads the same prefixed names.
    prefix = "comment-request"

    people = PeopleField(
        label="Xin ý kiến của",
        queryset=User.objects.none(),
        required=False,
        widget=CheckboxList,
        error_messages={"invalid_choice": "Chỉ xin ý kiến cán bộ đang hoạt động của cơ quan."},
    )
    deadline = _date("Hạn góp ý")
    note = _text("Nội dung xin ý kiến", 1000, textarea=True)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "people").queryset = people


class CommentForm(Form):
    text = _text("Ý kiến góp ý", 4000, textarea=True)


class SubmitForm(Form):
    # The draft page shows this form beside others with a "note": its own prefix keeps every
    # element id, and so every label, pointing at its own field (WCAG 2.1 1.3.1, 4.1.1); the
    # POST reads the same prefixed names.
    prefix = "submit"

    reviewer = SignerField(
        label="Lãnh đạo đơn vị kiểm tra nội dung",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Chọn lãnh đạo đơn vị —",
        error_messages={"invalid_choice": "Người kiểm tra nội dung phải là lãnh đạo đơn vị."},
    )
    checker = SignerField(
        label="Người kiểm tra thể thức",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Chọn người kiểm tra thể thức —",
        error_messages={"invalid_choice": "Người kiểm tra thể thức không hợp lệ."},
    )
    note = _text("Nội dung trình", 4000, textarea=True)

    def __init__(
        self, *args: Any, reviewers: QuerySet[User], checkers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "reviewer").queryset = reviewers
        model_choice_field(self, "checker").queryset = checkers


class DecisionForm(Form):
    """Content check, format check, approval: pass or return, with a note."""

    decision = forms.ChoiceField(
        label="Kết quả",
        choices=[(ACCEPT, "Đạt / đồng ý"), (RETURN, "Trả lại để sửa")],
        initial=ACCEPT,
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn kết quả.", "invalid_choice": "Kết quả không hợp lệ."},
    )
    note = _text("Ý kiến", 4000, textarea=True)

    @property
    def accepted(self) -> bool:
        decision: str = self.cleaned_data["decision"]
        return decision == ACCEPT


def certificate_label(cert: Certificate) -> str:
    """A certificate to sign with: holder, serial, issuer and expiry."""
    return (
        f"{cert.subject_name} – số hiệu {cert.serial}, {cert.issuer}, "
        f"hiệu lực đến {cert.not_after:%d/%m/%Y}"
    )


def _certificate(label: str, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[],
        error_messages={
            "required": "Hãy chọn chứng thư số.",
            "invalid_choice": "Chứng thư số không hợp lệ hoặc không còn dùng.",
        },
    )


def _pin() -> forms.CharField:
    return forms.CharField(
        label="Mã PIN",
        required=False,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="Mã PIN chỉ dùng để mở khóa khi ký, không được lưu lại.",
    )


class _CertificateForm(Form):
    """A form with a choice among the certificates the view has read (no query of its own);
    `chosen()` is the Certificate chosen, or None."""

    empty_label = "— Chọn chứng thư số —"
    certificate_field = "certificate"

    def __init__(self, *args: Any, certificates: list[Certificate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificates = {str(c.pk): c for c in certificates}
        field = choice_field(self, self.certificate_field)
        field.choices = [
            ("", self.empty_label),
            *((pk, certificate_label(c)) for pk, c in self.certificates.items()),
        ]
        if len(certificates) == 1:
            field.initial = str(certificates[0].pk)

    def chosen(self) -> Certificate | None:
        cleaned = getattr(self, "cleaned_data", {})
        return self.certificates.get(cleaned.get(self.certificate_field) or "")


class SignForm(_CertificateForm):
    """The approver signs with a key held by the server (PKCS#12 file or PKCS#11 token)."""

    certificate = _certificate("Chứng thư số cá nhân", required=True)
    pin = _pin()


class IssueBatchForm(_CertificateForm):
    """The clerk issues several signed drafts with one organisation certificate and one PIN."""

    empty_label = "— Chọn chứng thư số tổ chức —"
    certificate = _certificate("Chứng thư số tổ chức", required=True)
    pin = _pin()


class SignRequestForm(_CertificateForm):
    """The approver signs with a token on their own computer (vanban-sign)."""

    certificate_field = "local_certificate"
    local_certificate = _certificate("Chứng thư số trên thiết bị ký của bạn", required=True)


class PhoneSignForm(_CertificateForm):
    """The approver signs with a remote key whose signature they confirm on their phone (the
    asynchronous provider; NĐ 23/2025/NĐ-CP): no PIN is typed here."""

    certificate_field = "phone_certificate"
    phone_certificate = _certificate("Chứng thư số xác nhận trên điện thoại", required=True)


class SignedUploadForm(Form):
    signed_file = forms.FileField(
        label="Tệp PDF đã ký số",
        required=True,
        allow_empty_file=True,
        help_text="Tệp PDF của phiên bản đã phê duyệt, được ký số bằng phần mềm khác với chứng "
        "thư số cá nhân đã đăng ký của bạn; hệ thống kiểm tra chữ ký ngay khi tải lên.",
        error_messages={
            "required": "Hãy chọn tệp PDF đã ký số.",
            "invalid": "Tệp gửi lên không hợp lệ; hãy chọn lại tệp.",
        },
    )

    def data_bytes(self) -> bytes:
        upload = self.cleaned_data.get("signed_file")
        if upload is None:
            return b""
        upload.seek(0)
        return bytes(upload.read())


class MillimetreField(forms.FloatField):
    """A length in millimetres; a decimal comma is read as a point ("12,5")."""

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        result: float | None = super().to_python(value)
        return result


def _millimetres(label: str) -> MillimetreField:
    return MillimetreField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        error_messages={"invalid": f"{label} phải là một số (mm)."},
    )


PLACEMENT_BOXES = (("number", "ô số văn bản"), ("date", "ô ngày tháng năm"))
PLACEMENT_PARTS = (
    ("x", "cách mép trái"),
    ("y", "cách mép trên"),
    ("width", "rộng"),
    ("height", "cao"),
)


class IssueForm(_CertificateForm):
    empty_label = "— Chọn chứng thư số tổ chức —"
    issued_amount = forms.IntegerField(
        label="Số lượng bản",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 999}),
        error_messages={"invalid": "Số lượng bản phải là một số."},
    )
    certificate = _certificate("Chứng thư số tổ chức")
    pin = _pin()
    attachments = MultipleFileField(
        label="Phụ lục, tệp đính kèm (PDF)",
        help_text="Có thể chọn nhiều tệp PDF; mỗi tệp được ký số tổ chức, ghi số, ký hiệu và "
        "thời gian ký ở góc trên bên phải trang đầu.",
    )
    # Where the number and the date go on a first page without reserved lines (NĐ 30/2020
    # Appendix I): millimetres from the page's top-left corner.
    number_x = _millimetres("Ô số văn bản: cách mép trái")
    number_y = _millimetres("Ô số văn bản: cách mép trên")
    number_width = _millimetres("Ô số văn bản: rộng")
    number_height = _millimetres("Ô số văn bản: cao")
    date_x = _millimetres("Ô ngày tháng năm: cách mép trái")
    date_y = _millimetres("Ô ngày tháng năm: cách mép trên")
    date_width = _millimetres("Ô ngày tháng năm: rộng")
    date_height = _millimetres("Ô ngày tháng năm: cao")

    def placement_names(self) -> list[str]:
        return [f"{box}_{part}" for box, _ in PLACEMENT_BOXES for part, _ in PLACEMENT_PARTS]

    def placement_fields(self) -> list[Any]:
        return [self[name] for name in self.placement_names()]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        given = [data.get(name) is not None for name in self.placement_names()]
        if any(given) and not all(given):
            self.add_error(
                None,
                "Hãy nhập đủ vị trí và kích thước (mm) của cả ô số văn bản và ô ngày tháng năm, "
                "hoặc để trống tất cả.",
            )
        return data

    def placement(self) -> tuple[Box, Box] | None:
        """The number box and the date box, when the clerk placed them."""
        data = self.cleaned_data
        if any(data.get(name) is None for name in self.placement_names()):
            return None
        number, date = (
            Box(*(float(data[f"{box}_{part}"]) for part, _ in PLACEMENT_PARTS))
            for box, _ in PLACEMENT_BOXES
        )
        return number, date
