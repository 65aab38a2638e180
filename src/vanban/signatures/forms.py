"""Forms of the digital-signature pages. They only parse input: what a certificate, a key file,
an image or a trust root must be is checked by signatures.services, whose Vietnamese message is
shown next to the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from vanban.accounts.models import User
from vanban.core.forms import Form, model_choice_field

from . import services
from .models import KeyStorage

ACTIVE_CHOICES = [("1", "Dùng"), ("0", "Ngừng dùng")]


def read_upload(upload: UploadedFile[bytes] | None, limit: int) -> bytes | None:
    """At most `limit` + 1 bytes of an upload: the service refuses anything larger."""
    if upload is None:
        return None
    upload.seek(0)
    data: bytes = upload.read(limit + 1)
    return data


class CertificateForm(Form):
    """A certificate and where its private key is (R11: PKCS#12 kept by the server, a
    PKCS#11 token or HSM of the server, or a token on the signer's own computer)."""

    key_storage = forms.ChoiceField(
        label="Nơi giữ khóa bí mật",
        # A remote key is linked by its credential id (RemoteCredentialForm).
        choices=[c for c in KeyStorage.choices if c[0] != KeyStorage.REMOTE],
        initial=KeyStorage.PKCS12,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Hãy chọn nơi giữ khóa.",
            "invalid_choice": "Hãy chọn nơi giữ khóa.",
        },
    )
    pkcs12 = forms.FileField(
        label="Tệp khóa PKCS#12 (.p12, .pfx)",
        required=False,
        allow_empty_file=True,
        help_text="Khi khóa do máy chủ giữ trong tệp PKCS#12: tệp được mở bằng mã PIN để kiểm tra; "
        "mã PIN không được lưu, người ký nhập lại mỗi lần ký.",
    )
    pin = forms.CharField(
        label="Mã PIN của tệp khóa",
        required=False,
        max_length=100,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    certificate = forms.FileField(
        label="Tệp chứng thư số (.cer, .crt, .pem)",
        required=False,
        allow_empty_file=True,
        help_text="Khi khóa nằm trên thiết bị PKCS#11/HSM của máy chủ hoặc trên máy người ký: chỉ "
        "tải lên phần công khai, kèm chứng thư của tổ chức chứng thực cấp nó trong cùng tệp PEM.",
    )
    pkcs11_key_label = forms.CharField(
        label="Nhãn khóa trên thiết bị PKCS#11", required=False, max_length=100
    )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        storage = data["key_storage"]
        return {
            "key_storage": storage,
            "pkcs12": read_upload(data.get("pkcs12"), services.MAX_P12_BYTES)
            if storage == KeyStorage.PKCS12
            else None,
            "pin": data.get("pin") or "",
            "certificate": read_upload(data.get("certificate"), services.MAX_CERT_BYTES)
            if storage != KeyStorage.PKCS12
            else None,
            "pkcs11_key_label": data.get("pkcs11_key_label") or "",
        }


class PersonCertificateForm(CertificateForm):
    """A unit admin registers the personal certificate of a person of the unit."""

    field_order = ["person"]

    person = forms.ModelChoiceField(
        label="Người được cấp chứng thư số",
        queryset=User.objects.none(),
        empty_label="— Chọn người —",
        error_messages={
            "required": "Hãy chọn người.",
            "invalid_choice": "Hãy chọn một người của đơn vị.",
        },
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "person").queryset = people


class MarkForm(Form):
    """A handwritten-signature image or a seal, with its real width (the seal's diameter)."""

    image = forms.FileField(label="Tệp hình (PNG nền trong suốt)", allow_empty_file=True)
    width_mm = forms.DecimalField(
        label="Kích thước thật (mm)",
        required=False,
        min_value=Decimal("10"),
        max_value=Decimal("80"),
        decimal_places=1,
        max_digits=4,
        error_messages={
            "min_value": "Kích thước thật phải từ 10 đến 80 mm.",
            "max_value": "Kích thước thật phải từ 10 đến 80 mm.",
            "invalid": "Hãy nhập một số, ví dụ 36 hoặc 36,5.",
            "max_decimal_places": "Chỉ nhập tới một chữ số thập phân.",
            "max_digits": "Kích thước thật phải từ 10 đến 80 mm.",
        },
    )

    def __init__(self, *args: Any, seal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if seal:
            self.fields["image"].label = "Hình con dấu (PNG nền trong suốt, màu đỏ)"
            self.fields["width_mm"].label = "Đường kính thật của con dấu (mm)"
            self.fields["width_mm"].required = True
            self.fields["width_mm"].initial = Decimal("36")
            self.fields["width_mm"].error_messages["required"] = "Hãy nhập đường kính con dấu."
        else:
            self.fields["image"].label = "Hình chữ ký (PNG nền trong suốt, màu xanh)"
            self.fields["width_mm"].label = "Chiều rộng thật của chữ ký (mm)"
            self.fields["width_mm"].help_text = "Bỏ trống: 40 mm."
        self.fields["image"].error_messages["required"] = "Hãy chọn tệp hình PNG."

    def arguments(self) -> dict[str, Any]:
        upload = self.cleaned_data["image"]
        return {
            "data": read_upload(upload, services.MAX_MARK_BYTES) or b"",
            "original_name": (upload.name or "")[:255],
            "width_mm": self.cleaned_data.get("width_mm"),
        }


class TrustRootForm(Form):
    certificate = forms.FileField(
        label="Tệp chứng thư gốc (PEM hoặc DER)",
        allow_empty_file=True,
        error_messages={"required": "Hãy chọn tệp chứng thư gốc."},
    )

    def data_bytes(self) -> bytes:
        return read_upload(self.cleaned_data["certificate"], services.MAX_CERT_BYTES) or b""


class ActiveForm(Form):
    active = forms.TypedChoiceField(
        choices=ACTIVE_CHOICES, coerce=lambda v: v == "1", empty_value=None
    )


class RemoteCredentialForm(Form):
    """The credential id a remote signing service gave the person (NĐ 23/2025/NĐ-CP); the
    certificate is read from the service, no PIN is asked."""

    credential_id = forms.CharField(
        label="Mã khóa ký số từ xa",
        max_length=255,
        error_messages={"required": "Cần mã khóa ký số từ xa do nhà cung cấp cấp cho bạn."},
        help_text="Mã khóa (credential ID) do nhà cung cấp dịch vụ ký số từ xa cấp. Mã PIN không "
        "được lưu: bạn nhập mỗi lần ký.",
    )
    # The asynchronous provider: each signature is confirmed in the provider's phone app
    # instead of with a PIN (NĐ 23/2025/NĐ-CP). Absent means the CSC provider.
    provider = forms.ChoiceField(
        label="Cách xác nhận khi ký",
        choices=[
            ("csc", "Nhập mã PIN khi ký (CSC)"),
            ("async", "Xác nhận trên điện thoại"),
        ],
        required=False,
        error_messages={"invalid_choice": "Cách xác nhận khi ký không hợp lệ."},
    )

    def clean_provider(self) -> str:
        return self.cleaned_data.get("provider") or "csc"
