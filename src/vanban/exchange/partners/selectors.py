"""Reads of the exchange with other systems for pages of other apps: what became of an outgoing
document sent to agencies of other systems."""

from __future__ import annotations

from dataclasses import dataclass

from vanban.documents.models import Document
from vanban.exchange.edxml import STATUS_CODES
from vanban.exchange.models import Delivery, MessageKind, Outbound, OutboundState


@dataclass(frozen=True)
class PartnerDelivery:
    """A delivery to an agency of another system with its package in the outbox (`message`,
    None before it is queued) and `status_label`: the last status the recipient's system
    reported, else how far our sending got."""

    delivery: Delivery
    message: Outbound | None
    status_label: str


def partner_status(document: Document, deliveries: list[Delivery]) -> list[PartnerDelivery]:
    """The document's `deliveries` to agencies of other systems with their packages and status
    labels: one query for all of them."""
    if not deliveries:
        return []
    packages = {
        (m.to_code, m.business_type): m
        for m in Outbound.objects.filter(document=document, kind=MessageKind.PACKAGE)
    }
    rows = []
    for delivery in deliveries:
        message = packages.get((delivery.agency_code, delivery.business_type))
        if delivery.status:
            label = STATUS_CODES.get(delivery.status, "")
        elif message is None:
            label = "chưa gửi"
        elif message.state == OutboundState.SENT:
            label = "đã gửi, chờ hệ thống nhận xác nhận"
        elif message.state == OutboundState.FAILED:
            label = "gửi không được"
        elif message.attempts:
            label = f"đang gửi lại (đã thử {message.attempts} lần)"
        else:
            label = "chờ gửi"
        rows.append(PartnerDelivery(delivery, message, label))
    return rows
