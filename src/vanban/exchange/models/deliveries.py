"""Exchange inside one deployment (R15; DESIGN.md "Exchange: how documents travel").

Issuing an outgoing document to another unit of the deployment creates a `Delivery` in the same
transaction: the document arrives at once in the recipient unit's reception queue (status 01). The
recipient's clerk registers it (03, an incoming document is created from the outgoing one, no
re-typing) or returns it with a reason (02); the incoming processing then reports 04, 05 and 06
through `delivery.delivery_status_update`. The sender sees each recipient's status with its time.

A recall (thu hồi) asks every recipient to give the document back (13); each recipient's clerk
accepts (15) or refuses (16). The codes are those of the edXML status messages, so a delivery
between deployments can later use the same rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from vanban.accounts.models import Unit
from vanban.documents.models import Document
from vanban.exchange.edxml import (
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_TYPES,
    BUSINESS_UPDATE,
    STATUS_CODES,
)


class DeliveryStatus(models.TextChoices):
    """Where a delivered document is at the recipient (edXML StatusCode 01-06), labelled with the
    one text of each code (edxml.constants). Inside the deployment a refused document is
    returned to its sender with a reason (Nghị định 30/2020/NĐ-CP): the action is "Trả lại", the
    status the sender sees is 02 "bị từ chối", as from any other system."""

    ARRIVED = "01", STATUS_CODES["01"]
    RETURNED = "02", STATUS_CODES["02"]
    REGISTERED = "03", STATUS_CODES["03"]
    ASSIGNED = "04", STATUS_CODES["04"]
    PROCESSING = "05", STATUS_CODES["05"]
    DONE = "06", STATUS_CODES["06"]


class RecallStatus(models.TextChoices):
    """A take-back request and its answer (edXML StatusCode 13, 15, 16), labelled with the one
    text of each code (edxml.constants)."""

    NONE = "", "không"
    REQUESTED = "13", STATUS_CODES["13"]
    ACCEPTED = "15", STATUS_CODES["15"]
    REFUSED = "16", STATUS_CODES["16"]


class BusinessType(models.IntegerChoices):
    """edXML business type of what is sent (Bussiness/BussinessDocType)."""

    NEW = BUSINESS_NEW, BUSINESS_TYPES[BUSINESS_NEW]
    REVOKE = BUSINESS_REVOKE, BUSINESS_TYPES[BUSINESS_REVOKE]
    UPDATE = BUSINESS_UPDATE, BUSINESS_TYPES[BUSINESS_UPDATE]
    REPLACE = BUSINESS_REPLACE, BUSINESS_TYPES[BUSINESS_REPLACE]


class ReturnReason(models.TextChoices):
    WRONG_RECIPIENT = "wrong_recipient", "Gửi sai đơn vị nhận"
    INVALID = "invalid", "Văn bản không hợp lệ"


class DocumentRecall(models.Model):
    """The sender's decision to recall an outgoing document: it is frozen from then on."""

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="recall", verbose_name="văn bản"
    )
    reason = models.CharField("lý do thu hồi", max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("thời điểm thu hồi")

    class Meta:
        verbose_name = "thu hồi văn bản"
        verbose_name_plural = "thu hồi văn bản"

    def __str__(self) -> str:
        return f"Thu hồi {self.document_id}"


class Delivery(models.Model):
    """One outgoing document sent to one unit of the deployment."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="deliveries", verbose_name="văn bản đi"
    )
    sender_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị gửi"
    )
    recipient_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="deliveries", verbose_name="đơn vị nhận"
    )
    business_type = models.PositiveSmallIntegerField(
        "loại nghiệp vụ", choices=BusinessType.choices, default=BusinessType.NEW
    )
    # The delivery to the same unit that this one updates or replaces.
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
        verbose_name="văn bản được cập nhật, thay thế",
    )
    status = models.CharField(
        "trạng thái",
        max_length=2,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.ARRIVED,
    )
    status_at = models.DateTimeField("thời điểm trạng thái")
    return_reason = models.CharField(
        "lý do trả lại", max_length=20, choices=ReturnReason.choices, blank=True
    )
    return_note = models.CharField("ghi chú trả lại", max_length=500, blank=True)
    incoming_document = models.OneToOneField(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivery_received",
        verbose_name="văn bản đến đã vào sổ",
    )
    recall_status = models.CharField(
        "thu hồi", max_length=2, choices=RecallStatus.choices, blank=True, default=""
    )
    recall_answer_note = models.CharField("ý kiến về đề nghị thu hồi", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("thời điểm gửi")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "văn bản gửi trong hệ thống"
        verbose_name_plural = "văn bản gửi trong hệ thống"
        constraints = [
            # Issuing twice never sends two copies to the same unit.
            models.UniqueConstraint(
                fields=["document", "recipient_unit"], name="unique_delivery_per_unit"
            ),
        ]
        indexes = [
            # The reception queue: a unit's documents still waiting, newest first.
            models.Index(
                fields=["recipient_unit", "-created_at"],
                condition=Q(status="01"),
                name="delivery_queue",
            ),
            models.Index(fields=["recipient_unit", "recall_status"], name="delivery_recall"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} -> {self.recipient_unit_id}: {self.status}"

    @property
    def in_queue(self) -> bool:
        """Waiting for the recipient's clerk to register or return it."""
        return self.status == DeliveryStatus.ARRIVED and self.recall_status in (
            RecallStatus.NONE,
            RecallStatus.REFUSED,
        )

    @property
    def recall_pending(self) -> bool:
        return self.recall_status == RecallStatus.REQUESTED

    @property
    def withdrawn(self) -> bool:
        return self.recall_status == RecallStatus.ACCEPTED


class DeliveryEvent(models.Model):
    """One status of a delivery, with who and when: the trail the sender and recipient see."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    code = models.CharField("mã trạng thái", max_length=2)
    label = models.CharField("trạng thái", max_length=100)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("thời điểm")

    class Meta:
        ordering = ["delivery_id", "at", "id"]
        verbose_name = "trạng thái văn bản gửi"
        verbose_name_plural = "trạng thái văn bản gửi"

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.code}"
