"""Reads of the exchange: a unit's reception queue (for its clerks: documents from units of the
deployment and from partner systems alike), one received document with its files, and the
recipients' statuses of a sent document, units of the deployment and agencies of other systems
alike (for those who may see the outgoing document). "Missing" and "forbidden" look the same
(NotFound)."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from vanban.accounts.models import Role, Unit, User
from vanban.core.errors import NotFound
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.documents.selectors import access_document

from .models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    DocumentRecall,
    RecallStatus,
    Transport,
)
from .partners.selectors import PartnerDelivery, partner_status


def clerk_unit_ids(user: User) -> list[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return sorted(u for u, r in user.role_pairs() if r == Role.CLERK)


def received_visible_to(user: User) -> QuerySet[Delivery]:
    """Deliveries to the units whose registers the person keeps (clerks), from units of the
    deployment and from partner systems."""
    return Delivery.objects.filter(recipient_unit_id__in=clerk_unit_ids(user))


def _local_received(user: User) -> QuerySet[Delivery]:
    """Deliveries to the person's units from units of the deployment: the pages and the API of
    the exchange inside the deployment (a document from a partner is read from its package, on
    the pages of the exchange with other systems)."""
    return received_visible_to(user).filter(transport=Transport.LOCAL)


def queue_waiting(unit_ids: list[int]) -> QuerySet[Delivery]:
    """What waits for the clerks of `unit_ids` to be registered or returned (refused): the one
    filter of the reception queue, whatever the transport it came by."""
    return Delivery.objects.filter(
        recipient_unit_id__in=unit_ids,
        status=DeliveryStatus.ARRIVED,
        recall_status__in=[RecallStatus.NONE, RecallStatus.REFUSED],
    )


def _with_document(qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return qs.select_related(
        "document__document_type",
        "sender_unit",
        "recipient_unit",
        "original__document",
        "original__incoming_document",
    ).annotate(file_count=Count("document__files"))


def reception_queue(*, user: User, unit: Unit | None = None) -> QuerySet[Delivery]:
    """Documents waiting to be registered or returned, from units of the deployment and from
    partner systems (`transport` tells them apart): urgent first, then the oldest arrival first,
    as the clerk works through them (urgent documents are registered at once)."""
    qs = queue_waiting(clerk_unit_ids(user))
    if unit is not None:
        qs = qs.filter(recipient_unit=unit)
    return _with_document(qs).order_by("-document__urgency", "created_at", "pk")


def recall_requests(*, user: User, unit: Unit | None = None) -> QuerySet[Delivery]:
    """Take-back requests waiting for the clerk's answer, queued or already registered."""
    qs = _local_received(user).filter(recall_status=RecallStatus.REQUESTED)
    if unit is not None:
        qs = qs.filter(recipient_unit=unit)
    return _with_document(qs).select_related("document__recall").order_by("created_at", "pk")


def access_received(*, user: User, pk: int) -> Delivery:
    """A delivery to one of the person's units, with what its page shows."""
    delivery = (
        _with_document(_local_received(user).filter(pk=pk))
        .select_related("incoming_document", "document__recall")
        .prefetch_related(
            Prefetch("events", queryset=DeliveryEvent.objects.select_related("actor")),
            Prefetch("document__files", queryset=DocumentFile.objects.order_by("role", "pk")),
        )
        .first()
    )
    if delivery is None:
        raise NotFound("Không tìm thấy văn bản.")
    return delivery


def received_file(*, user: User, delivery_pk: int, file_pk: int) -> DocumentFile:
    """A file of a document sent to one of the person's units, unless it was taken back."""
    delivery = _local_received(user).filter(pk=delivery_pk).first()
    if delivery is None or delivery.recall_status == RecallStatus.ACCEPTED:
        raise NotFound("Không tìm thấy tệp.")
    file = DocumentFile.objects.filter(pk=file_pk, document=delivery.sent_document).first()
    if file is None:
        raise NotFound("Không tìm thấy tệp.")
    return file


@dataclass
class SentDocument:
    document: Document
    deliveries: list[Delivery]  # to units of the deployment
    recall: DocumentRecall | None
    counts: dict[str, int]
    # To agencies of other systems, with their packages and status labels.
    external: list[PartnerDelivery]


def document_recipients(*, document: Document) -> list[Delivery]:
    """Every recipient of a sent document, whatever the transport, with its trail: units of the
    deployment by name, then agencies of other systems by DocumentId and agency code."""
    return list(
        Delivery.objects.filter(document=document)
        .select_related("recipient_unit", "sender_unit", "original__document", "partner")
        .prefetch_related(
            Prefetch("events", queryset=DeliveryEvent.objects.select_related("actor"))
        )
        .order_by("recipient_unit__name", "edxml_id", "agency_code", "pk")
    )


def sent_document(*, user: User, document_pk: int) -> SentDocument:
    """An outgoing document and each recipient's status with its time and history, for the
    people who may see the document (its unit's clerks and leaders, people it was given to)."""
    document = access_document(user=user, pk=document_pk)
    if document.direction != Direction.OUTGOING:
        raise NotFound("Không tìm thấy văn bản.")
    recipients = document_recipients(document=document)
    deliveries = [d for d in recipients if d.is_local]
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for delivery in deliveries:
        counts[delivery.status] += 1
    recall = DocumentRecall.objects.filter(document=document).select_related("requested_by").first()
    return SentDocument(
        document=document,
        deliveries=deliveries,
        recall=recall,
        counts=counts,
        external=partner_status(document, [d for d in recipients if not d.is_local]),
    )


def delivery_candidates(*, document: Document) -> QuerySet[Unit]:
    """Active units of the deployment that have not received the document yet."""
    return (
        Unit.objects.filter(is_active=True)
        .exclude(pk=document.unit_id)
        .exclude(deliveries__document=document)
        .select_related("parent")
        .order_by("level", "name")
    )


def received_delivery(*, incoming_document: Document) -> Delivery | None:
    """How an incoming document came through the exchange inside the deployment, if it did:
    its delivery tells the sender and whether the sender took it back (`withdrawn`,
    `recall_pending`). For the incoming processing."""
    return (
        Delivery.objects.filter(
            incoming_document_id=incoming_document.pk, transport=Transport.LOCAL
        )
        .select_related("sender_unit", "document")
        .first()
    )
