"""Reads of the exchange with partner systems: the clerks' queue, the monitoring scopes and
counts, one received message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from vanban.core.errors import NotFound
from vanban.exchange.delivery_selectors import queue_waiting
from vanban.exchange.models import (
    BusinessType,
    Delivery,
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    OutboundState,
)


def queue_for(
    unit_ids: list[int], *, waiting: QuerySet[Delivery] | None = None
) -> QuerySet[Inbound]:
    """The part of the reception queue of `unit_ids` that came from partner systems, as the
    messages that brought it: the packages of the documents `waiting` there (by default
    `exchange.delivery_selectors.queue_waiting`, the one filter of the queue; the queue page gives
    its `reception_queue`), and the take-back requests (revocation package or status 13) waiting
    for the clerk's answer about a document already registered."""
    if waiting is None:
        waiting = queue_waiting(unit_ids)
    packages = waiting.filter(package__isnull=False).values("package_id")
    return Inbound.objects.filter(
        Q(pk__in=packages)
        | Q(business_type=BusinessType.REVOKE, unit_id__in=unit_ids, state=InboundState.QUEUED)
    ).select_related("unit")


def outbound_scope(unit_ids: list[int] | None) -> Any:
    """Messages our units `unit_ids` send (None: all): packages of their documents and status
    messages about packages they received."""
    out = Outbound.objects.all()
    if unit_ids is None:
        return out
    answered = Inbound.objects.filter(kind=MessageKind.PACKAGE, unit_id__in=unit_ids)
    return out.filter(
        Q(document__unit_id__in=unit_ids)
        | Q(document__isnull=True, edxml_id__in=answered.values("edxml_id"))
    )


def inbound_scope(unit_ids: list[int] | None) -> Any:
    inn = Inbound.objects.all()
    return inn if unit_ids is None else inn.filter(unit_id__in=unit_ids)


def monitor_counts(unit_ids: list[int] | None) -> dict[str, int]:
    """Counts for the monitoring page; `unit_ids` None = the whole province."""
    out = outbound_scope(unit_ids).aggregate(
        sent=Count("pk", filter=Q(state=OutboundState.SENT)),
        pending=Count("pk", filter=Q(state=OutboundState.PENDING)),
        retried=Count("pk", filter=Q(state=OutboundState.PENDING, attempts__gt=0)),
        failed=Count("pk", filter=Q(state=OutboundState.FAILED)),
    )
    inn = inbound_scope(unit_ids).aggregate(
        received=Count("pk"),
        queued=Count("pk", filter=Q(state=InboundState.QUEUED, kind=MessageKind.PACKAGE)),
        rejected=Count("pk", filter=Q(state=InboundState.REJECTED)),
    )
    return {**out, **inn}


def get_inbound(pk: int) -> Inbound:
    row = Inbound.objects.select_related("unit", "partner").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row
