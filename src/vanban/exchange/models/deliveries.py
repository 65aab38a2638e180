"""A sent and a received document, whatever the transport (R15; DESIGN.md "Exchange: how
documents travel").

A `Delivery` is one document on its way from a sender to one recipient, with the recipient's
status and its trail of `DeliveryEvent`s. It has one of three shapes (the constraint
`delivery_recipient_by_transport`):

- sent inside the deployment (transport "local"): our outgoing document to a unit of ours;
- sent to a partner (transport direct or gateway): our outgoing document to an agency of a
  partner system reached over direct HTTP or through the provincial gateway (its agency code and
  name, the partner, the edXML DocumentId);
- received from a partner (transport direct or gateway, `package` set): a document of an agency
  of a partner system (`agency_code` is the sender's) to a unit of ours. `document` is empty: the
  document lives in the other system, and what we hold of it is the package that carried it.

The messages that carry a partner delivery on the wire are `Outbound` and `Inbound`
(models.partners); a received delivery's `package` is the `Inbound` message that brought it.

Inside the deployment, issuing creates the delivery in the same transaction: the document arrives
at once in the recipient unit's reception queue (status 01). The recipient's clerk registers it
(03, an incoming document is created from the outgoing one, no re-typing) or returns it with a
reason (02); the incoming processing then reports 04, 05 and 06 through
`delivery.delivery_status_update`. A recall (thu hồi) asks every recipient to give the document
back (13); each recipient's clerk accepts (15) or refuses (16).

A document received from a partner arrives in the recipient unit's reception queue as a local
one does (01, or 02 at once when its signatures fail), and its clerk registers it (03) or refuses
it (02, the reason in `return_note`); the same codes go back to the sender as status messages.

To a partner, the status is blank ("chờ gửi") until the partner's system reports one; it is then
the last code reported (a late progress never goes back), and a take-back answer (13 sent, 15 or
16 received) is also kept in `recall_status`, as for a unit of the deployment. The codes are
those of the edXML status messages in every transport.
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
    STATUSES,
)


class Transport(models.TextChoices):
    """How a sent document travels: inside the deployment, or to a partner system."""

    LOCAL = "local", "Trong hệ thống"
    DIRECT = "direct", "Kết nối trực tiếp giữa hai hệ thống (HTTP)"
    GATEWAY = "gateway", "Trục liên thông của tỉnh (LGSP)"


# The ways a partner system is reached (Partner.transport).
PARTNER_TRANSPORTS = [(t.value, t.label) for t in (Transport.DIRECT, Transport.GATEWAY)]


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


# A delivery's status: 01-06 for a unit of the deployment; for a partner, blank until its system
# reports, then the last code it reported (a take-back answer included).
STATUS_CHOICES = [("", "chờ gửi"), *((status.code, status.label) for status in STATUSES)]


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
    """One document from a sender to one recipient: our outgoing document to a unit of the
    deployment (`recipient_unit`, transport local) or to an agency of a partner system
    (`partner`, `agency_code`, `recipient_name`, `edxml_id`; transport direct or gateway), or a
    document of an agency of a partner system to a unit of ours (`partner`, `agency_code` of the
    sender, `recipient_unit`, `edxml_id`, the `package` that carried it; no `document`).

    The recipient's reasons go where a unit's clerk writes them: a refusal (02) in
    `return_note` (a partner gives free text, so `return_reason` stays blank), the answer to a
    take-back in `recall_answer_note`. `reason` reads the one that goes with the last answer."""

    # Empty for a document received from a partner: it lives in the other system.
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name="văn bản đi",
    )
    transport = models.CharField(
        "cách gửi", max_length=10, choices=Transport.choices, default=Transport.LOCAL
    )
    # Empty for a document received from a partner: its sender is the agency `agency_code`.
    sender_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="đơn vị gửi",
    )
    recipient_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name="đơn vị nhận",
    )
    partner = models.ForeignKey(
        "exchange.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="hệ thống liên thông",
    )
    # The agency of the partner system: the recipient of a document we sent, the sender of one
    # we received.
    agency_code = models.CharField("mã định danh nơi nhận", max_length=13, blank=True)
    recipient_name = models.CharField("nơi nhận", max_length=255, blank=True)
    edxml_id = models.CharField("DocumentId", max_length=255, blank=True)
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
        choices=STATUS_CHOICES,
        blank=True,
        default=DeliveryStatus.ARRIVED,
    )
    status_at = models.DateTimeField("thời điểm trạng thái", null=True, blank=True)
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
    # The message that brought a document received from a partner (its bytes, SHA-256 and
    # monitoring stay with the message log).
    package = models.OneToOneField(
        "exchange.Inbound",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivery",
        verbose_name="gói tin nhận",
    )
    recall_status = models.CharField(
        "thu hồi", max_length=2, choices=RecallStatus.choices, blank=True, default=""
    )
    recall_answer_note = models.CharField("ý kiến về đề nghị thu hồi", max_length=500, blank=True)
    # Nobody for a delivery written before the person was recorded (partner deliveries).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("thời điểm gửi")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "văn bản gửi"
        verbose_name_plural = "văn bản gửi"
        constraints = [
            # Issuing twice never sends two copies to the same unit...
            models.UniqueConstraint(
                fields=["document", "recipient_unit"],
                condition=Q(transport="local"),
                name="unique_delivery_per_unit",
            ),
            # ... nor the same business to the same agency of another system.
            models.UniqueConstraint(
                fields=["document", "agency_code", "business_type"],
                condition=~Q(transport="local") & Q(package__isnull=True),
                name="unique_delivery_per_agency",
            ),
            # A document received from a partner is one delivery per DocumentId, business and
            # recipient unit (its package is one delivery: the one-to-one field).
            models.UniqueConstraint(
                fields=["edxml_id", "recipient_unit", "business_type"],
                condition=Q(package__isnull=False),
                name="unique_delivery_received",
            ),
            # Three shapes and nothing else: sent inside the deployment, sent to a partner,
            # received from a partner.
            models.CheckConstraint(
                condition=(
                    Q(
                        transport="local",
                        document__isnull=False,
                        sender_unit__isnull=False,
                        recipient_unit__isnull=False,
                        partner__isnull=True,
                        package__isnull=True,
                    )
                    | (
                        Q(
                            document__isnull=False,
                            sender_unit__isnull=False,
                            recipient_unit__isnull=True,
                            partner__isnull=False,
                            package__isnull=True,
                        )
                        & ~Q(transport="local")
                        & ~Q(agency_code="")
                    )
                    | (
                        Q(
                            document__isnull=True,
                            sender_unit__isnull=True,
                            recipient_unit__isnull=False,
                            partner__isnull=False,
                            package__isnull=False,
                        )
                        & ~Q(transport="local")
                        & ~Q(agency_code="")
                    )
                ),
                name="delivery_recipient_by_transport",
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
            # A partner's status message names the DocumentId and the agency it comes from.
            models.Index(
                fields=["edxml_id", "agency_code"],
                condition=~Q(transport="local"),
                name="delivery_partner_lookup",
            ),
        ]

    def __str__(self) -> str:
        if self.is_received:
            return f"{self.agency_code} {self.edxml_id} -> {self.recipient_unit_id}: {self.status}"
        recipient = self.recipient_unit_id if self.is_local else self.agency_code
        return f"{self.document_id} -> {recipient}: {self.status or 'chờ gửi'}"

    @property
    def is_local(self) -> bool:
        return self.transport == Transport.LOCAL

    @property
    def is_received(self) -> bool:
        """A document received from a partner system (its `package` brought it)."""
        return self.package_id is not None

    # A sent delivery always has its document and sender unit (the constraint
    # delivery_recipient_by_transport); the services of sent deliveries read them through these.
    @property
    def sent_document(self) -> Document:
        if self.document is None:
            raise ValueError(f"Delivery {self.pk} is not one of our documents.")
        return self.document

    @property
    def sender(self) -> Unit:
        if self.sender_unit is None:
            raise ValueError(f"Delivery {self.pk} is not from a unit of the deployment.")
        return self.sender_unit

    # A delivery inside the deployment always has its recipient unit (the constraint
    # delivery_recipient_by_transport); the services of such deliveries read it through these.
    @property
    def local_recipient(self) -> Unit:
        if self.recipient_unit is None:
            raise ValueError(f"Delivery {self.pk} is not to a unit of the deployment.")
        return self.recipient_unit

    @property
    def local_recipient_id(self) -> int:
        if self.recipient_unit_id is None:
            raise ValueError(f"Delivery {self.pk} is not to a unit of the deployment.")
        return self.recipient_unit_id

    @property
    def name(self) -> str:
        """The recipient's name: the unit of the deployment, or the agency of another system as
        the document was addressed to it."""
        return self.recipient_unit.name if self.recipient_unit else self.recipient_name

    @property
    def reason(self) -> str:
        """The reason the recipient gave with its last answer: a refusal (02) or the answer to
        a take-back."""
        if self.status == DeliveryStatus.RETURNED:
            return self.return_note
        return self.recall_answer_note or self.return_note

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
    """One status of a delivery, with who and when: the trail the sender and recipient see
    (nobody for a status a partner system reported)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    code = models.CharField("mã trạng thái", max_length=2)
    label = models.CharField("trạng thái", max_length=100)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When we recorded it (a partner's status: when it arrived here).
    at = models.DateTimeField("thời điểm")
    # The time the partner's system wrote in its status message (Timestamp), when it gave one.
    reported_at = models.DateTimeField("thời điểm bên nhận ghi", null=True, blank=True)

    class Meta:
        ordering = ["delivery_id", "at", "id"]
        verbose_name = "trạng thái văn bản gửi"
        verbose_name_plural = "trạng thái văn bản gửi"

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.code}"
