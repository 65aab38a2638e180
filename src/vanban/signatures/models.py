"""Certificates, trust roots, signature images and seals, signing requests and verification
reports (R11, R12, R16)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from vanban.accounts.models import Unit
from vanban.documents import receipt_checks


class TrustKind(models.TextChoices):
    ROOT = "root", "CA gốc"
    INTERMEDIATE = "intermediate", "CA trung gian"


class TrustSource(models.TextChoices):
    INSTALLED = "installed", "Quản trị cài đặt"
    # An issuing CA fetched from a signer's certificate (AIA caIssuers) during a verification,
    # kept so that later verifications need no network (TT 15/2025/TT-BKHCN; NĐ 68/2024).
    FETCHED = "fetched", "Tự động tải theo AIA"


class TrustRoot(models.Model):
    """A certificate of the province's trust list (managed by the province admin). Validation
    trusts the roots and nothing else, never the operating system's list; the intermediate CAs
    installed here complete a signer's chain without fetching it over the network."""

    kind = models.CharField("loại", max_length=12, choices=TrustKind.choices, default="root")
    name = models.CharField("tên chứng thư gốc", max_length=255)
    subject = models.CharField("chủ thể", max_length=1000)
    der = models.BinaryField()
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    active = models.BooleanField("đang tin cậy", default=True)
    source = models.CharField(
        "nguồn", max_length=12, choices=TrustSource.choices, default=TrustSource.INSTALLED
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "chứng thư gốc tin cậy"

    def __str__(self) -> str:
        return self.name


class CertificateKind(models.TextChoices):
    PERSONAL = "personal", "Chứng thư số cá nhân"
    ORGANISATION = "organisation", "Chứng thư số tổ chức"


class KeyStorage(models.TextChoices):
    PKCS12 = "pkcs12", "Tệp khóa PKCS#12 lưu trên máy chủ"
    PKCS11 = "pkcs11", "Thiết bị ký PKCS#11/HSM gắn với máy chủ"
    LOCAL = "local", "Thiết bị ký trên máy người ký (vanban-sign)"
    # NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN: the key stays with the remote signing service.
    REMOTE = "remote", "Khóa do dịch vụ ký số từ xa giữ"


class Certificate(models.Model):
    """A person's or a unit's certificate (the public part), and where its private key is."""

    kind = models.CharField("loại", max_length=12, choices=CertificateKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    der = models.BinaryField()
    chain = models.JSONField("chuỗi chứng thư trung gian (base64)", default=list)
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    subject_name = models.CharField("tên chủ thể", max_length=255)
    organisation = models.CharField("tổ chức", max_length=255, blank=True)
    subject = models.CharField("chủ thể", max_length=1000)
    issuer = models.CharField("tổ chức cấp", max_length=255)
    serial = models.CharField("số hiệu", max_length=80)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    key_storage = models.CharField("nơi giữ khóa", max_length=10, choices=KeyStorage.choices)
    pkcs12_storage_name = models.CharField(max_length=500, blank=True)
    pkcs12_sha256 = models.CharField(max_length=64, blank=True)
    pkcs11_key_label = models.CharField("nhãn khóa trên thiết bị", max_length=100, blank=True)
    remote_provider = models.CharField("dịch vụ ký số từ xa", max_length=40, blank=True)
    remote_credential_id = models.CharField("mã khóa ký số từ xa", max_length=255, blank=True)
    # The holder is told once, 30 days before the certificate expires.
    expiry_notified_at = models.DateTimeField("đã báo sắp hết hạn lúc", null=True, blank=True)
    active = models.BooleanField("đang dùng", default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["-not_after", "id"]
        verbose_name = "chứng thư số"
        constraints = [
            models.CheckConstraint(
                name="certificate_owner",
                condition=(
                    Q(kind="personal", user__isnull=False, unit__isnull=True)
                    | Q(kind="organisation", user__isnull=True, unit__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} ({self.serial})"

    def valid_at(self, moment: dt.datetime) -> bool:
        return self.not_before <= moment <= self.not_after


class MarkKind(models.TextChoices):
    SIGNATURE = "signature", "Hình chữ ký"
    SEAL = "seal", "Hình con dấu"


class SignatureMark(models.Model):
    """The image shown by a signature: a person's handwritten signature (blue) or a unit's seal
    (red, real size), PNG with a transparent background (NĐ 30/2020 Appendix I)."""

    kind = models.CharField("loại", max_length=10, choices=MarkKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signature_marks",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="signature_marks"
    )
    storage_name = models.CharField(max_length=500, unique=True)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField("tên tệp", max_length=255)
    width_mm = models.DecimalField("kích thước thật (mm)", max_digits=5, decimal_places=1)
    pixel_width = models.PositiveIntegerField()
    pixel_height = models.PositiveIntegerField()
    active = models.BooleanField("đang dùng", default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "hình chữ ký, con dấu"
        constraints = [
            models.CheckConstraint(
                name="mark_owner",
                condition=(
                    Q(kind="signature", user__isnull=False, unit__isnull=True)
                    | Q(kind="seal", user__isnull=True, unit__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class SigningPurpose(models.TextChoices):
    PERSONAL = "personal", "Ký số cá nhân (người có thẩm quyền)"
    ORGANISATION = "organisation", "Ký số tổ chức (văn thư)"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Chờ ký trên máy người ký"
    COMPLETED = "completed", "Đã ký"
    CANCELLED = "cancelled", "Đã hủy"


class SigningRequest(models.Model):
    """A document prepared by the server whose signature value is made next to the key
    (`vanban-sign`) and sent back; the server then completes the PDF."""

    code = models.CharField("mã yêu cầu ký", max_length=32, unique=True)
    purpose = models.CharField(max_length=12, choices=SigningPurpose.choices)
    draft = models.ForeignKey(
        "drafting.Draft", on_delete=models.CASCADE, related_name="signing_requests"
    )
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_storage_name = models.CharField(max_length=500, unique=True)
    prepared_sha256 = models.CharField(max_length=64)
    prepared = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "yêu cầu ký số"

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.code[:8]}"


class Trigger(models.TextChoices):
    SIGNING = "signing", "Khi ký"
    UPLOAD = receipt_checks.UPLOAD, "Khi tải lên hoặc vào sổ"
    ISSUE = "issue", "Khi phát hành"
    RECEIPT = receipt_checks.RECEIPT, "Khi tiếp nhận"
    DEMAND = "demand", "Kiểm tra theo yêu cầu"


class VerificationReport(models.Model):
    """The stored result of checking the signatures of one file (R11): kept with the document,
    shown as its verification panel, never changed afterwards."""

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verification_reports",
    )
    draft = models.ForeignKey(
        "drafting.Draft",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verification_reports",
    )
    file_name = models.CharField("tệp", max_length=255)
    file_sha256 = models.CharField(max_length=64)
    trigger = models.CharField("thời điểm kiểm tra", max_length=10, choices=Trigger.choices)
    status = models.CharField("kết quả", max_length=10)
    content = models.JSONField(default=dict)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    checked_at = models.DateTimeField()
    # R11: why the clerk registered the document although this file's signature was invalid or
    # untrusted (empty when it was accepted or checked on another occasion).
    confirmation = models.TextField("lý do vẫn vào sổ", blank=True, default="")

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "kết quả kiểm tra chữ ký số"
        indexes = [models.Index(fields=["document", "-checked_at"], name="verif_document_idx")]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.status}"

    @property
    def valid(self) -> bool:
        return self.status == "valid"
