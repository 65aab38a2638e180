"""Exchange with other systems (R15): partner systems and the agency codes they serve, and the
messages on the wire: the transactional outbox of packages and status messages (`Outbound`) and
what arrived from partners (`Inbound`). A document sent to an agency of a partner, or received
from one, is a `Delivery` (models.deliveries), as one sent to a unit of the deployment.

These tables were created by the former `interop` app and keep its table names (`interop_*`);
migration exchange 0002 adopts them (docs/architecture.md, "Layers").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vanban.accounts.models import Unit
from vanban.documents.models import Document
from vanban.exchange.edxml import STATUS_CODES

from .deliveries import PARTNER_TRANSPORTS, Transport


class Partner(models.Model):
    """Another document system (another province's deployment, a ministry, the provincial
    gateway) and how to reach it. `inbound_token_hash` is the SHA-256 of the secret it presents
    to us; `outbound_token` is the secret we present to it."""

    name = models.CharField("tên hệ thống", max_length=255, unique=True)
    transport = models.CharField(
        "cách kết nối", max_length=10, choices=PARTNER_TRANSPORTS, default=Transport.DIRECT
    )
    endpoint = models.URLField("địa chỉ nhận gói tin", max_length=500)
    outbound_token = models.CharField("mã xác thực khi gửi", max_length=200, blank=True)
    inbound_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    allowed_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="+",
        verbose_name="đơn vị được gửi qua hệ thống này (để trống: mọi đơn vị)",
    )
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "interop_partner"
        ordering = ["name"]
        verbose_name = "hệ thống liên thông"

    def __str__(self) -> str:
        return self.name


class PartnerCode(models.Model):
    """An agency code (mã định danh) served by a partner system: documents for it go there.

    A code closed by a reorganisation (QĐ 09/2025/QĐ-TTg: a merged province keeps the level-1
    code of the province whose name it takes, the others are closed) keeps its row with the day
    it closed and the code that carries it on; documents for it go to that successor."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="codes")
    agency_code = models.CharField("mã định danh", max_length=13, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    closed_on = models.DateField("ngày đóng mã", null=True, blank=True)
    successor_code = models.CharField("mã định danh kế thừa", max_length=13, blank=True)

    class Meta:
        db_table = "interop_partnercode"
        ordering = ["agency_code"]
        verbose_name = "cơ quan thuộc hệ thống liên thông"

    def __str__(self) -> str:
        return f"{self.agency_code} {self.name}"


class MessageKind(models.TextChoices):
    PACKAGE = "package", "Gói văn bản"
    STATUS = "status", "Thông điệp trạng thái"


class OutboundState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không được (dừng thử lại)"


class Outbound(models.Model):
    """One message to send to a partner: written in the same transaction as what it reports
    (issue, registration, processing), sent by the workers with retries and backoff."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outbound")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    edxml_id = models.CharField("DocumentId", max_length=255)
    to_code = models.CharField("mã định danh nơi nhận", max_length=13)
    status_code = models.CharField("mã trạng thái", max_length=2, blank=True)
    business_type = models.PositiveSmallIntegerField(default=0)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The message itself, kept in the row so that it is written in the same transaction as what
    # it reports (no file to clean up when that transaction rolls back).
    payload = models.BinaryField()
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    state = models.CharField(
        "tình trạng", max_length=10, choices=OutboundState.choices, default=OutboundState.PENDING
    )
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("lần gửi tới")
    last_error = models.CharField("lỗi gần nhất", max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "interop_outbound"
        ordering = ["-created_at", "-id"]
        verbose_name = "gói tin gửi đi"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="outbound_due",
            ),
            models.Index(fields=["edxml_id"], name="outbound_edxml_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.edxml_id} -> {self.to_code} ({self.state})"

    @property
    def status_label(self) -> str:
        """The meaning of a status message's code (QĐ 28/2018/QĐ-TTg)."""
        return STATUS_CODES.get(self.status_code, "")


class InboundState(models.TextChoices):
    QUEUED = "queued", "Chờ vào sổ"
    REGISTERED = "registered", "Đã vào sổ"
    REFUSED = "refused", "Đã từ chối"
    REJECTED = "rejected", "Từ chối khi nhận (chữ ký số không hợp lệ)"
    APPLIED = "applied", "Đã cập nhật trạng thái"
    RECALLED = "recalled", "Bên gửi đã thu hồi"


class Inbound(models.Model):
    """A package or status message received from a partner: the log of what arrived (bytes,
    SHA-256, monitoring). A package is kept once per (DocumentId, recipient code): the same
    content again is acknowledged, other content under the same DocumentId is refused.

    The document a package brings (not a take-back, business type 1) is its `delivery`, which
    the clerk registers or refuses; the package's `state` follows that delivery, written with
    it in the same transaction (docs/architecture.md, "A package's state follows its
    delivery"). A take-back request (a revocation package, a status 13) has no delivery: its
    state is its own."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="inbound")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    edxml_id = models.CharField("DocumentId", max_length=255)
    from_code = models.CharField("mã định danh nơi gửi", max_length=13)
    from_name = models.CharField("nơi gửi", max_length=255, blank=True)
    to_code = models.CharField("mã định danh nơi nhận", max_length=13, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_code = models.CharField(max_length=2, blank=True)
    business_type = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField("trích yếu", max_length=500, blank=True)
    number_symbol = models.CharField("số, ký hiệu", max_length=100, blank=True)
    storage_name = models.CharField(max_length=500, unique=True)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    state = models.CharField("tình trạng", max_length=10, choices=InboundState.choices)
    reason = models.CharField("lý do", max_length=500, blank=True)
    incoming_document = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        db_table = "interop_inbound"
        ordering = ["-received_at", "-id"]
        verbose_name = "gói tin nhận từ hệ thống khác"
        constraints = [
            models.UniqueConstraint(
                fields=["edxml_id", "to_code", "business_type"],
                condition=Q(kind="package"),
                name="unique_inbound_package",
            ),
            models.UniqueConstraint(
                fields=["partner", "sha256"],
                condition=Q(kind="status"),
                name="unique_inbound_status",
            ),
        ]
        indexes = [
            models.Index(
                fields=["unit", "-received_at"], condition=Q(state="queued"), name="inbound_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.edxml_id} ({self.state})"

    @property
    def status_label(self) -> str:
        """The meaning of a status message's code (QĐ 28/2018/QĐ-TTg)."""
        return STATUS_CODES.get(self.status_code, "")
