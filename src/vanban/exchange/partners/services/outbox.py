"""The outbox: packages and status messages queued in the caller's transaction (`_outbound`),
issued documents queued for agencies of other systems (`external_send`), and the worker that
sends what is due through the partner's transport, retrying with an exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.services import notification_send
from vanban.documents.models import Document
from vanban.exchange.addressing import READDRESSED_LABEL
from vanban.exchange.edxml import validate
from vanban.exchange.models import (
    Delivery,
    DeliveryEvent,
    Inbound,
    MessageKind,
    Outbound,
    OutboundState,
    Partner,
    Transport,
)

from ..packages import package_for_document
from ._common import logger
from .partners import ClosedCode, partner_code_successor, route_for

MAX_ATTEMPTS = 30
BACKOFF_FIRST = dt.timedelta(seconds=5)
BACKOFF_MAX = dt.timedelta(hours=1)


def _outbound(
    *,
    partner: Partner,
    kind: str,
    document_id: str,
    to_code: str,
    data: bytes,
    name: str,
    status_code: str = "",
    business_type: int = 0,
    document: Document | None = None,
) -> Outbound:
    """Writes the message row inside the caller's transaction, once the message passes the XML
    Schema kept in the repository (what we produce must be valid edXML)."""
    problems = validate(data)
    if problems:
        raise ServiceError("Gói tin tạo ra không đúng lược đồ edXML: " + "; ".join(problems[:3]))
    now = clock.now()
    return Outbound.objects.create(
        partner=partner,
        kind=kind,
        edxml_id=document_id,
        to_code=to_code,
        status_code=status_code,
        business_type=business_type,
        document=document,
        payload=data,
        original_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        next_attempt_at=now,
        created_at=now,
    )


def external_send(
    *,
    actor: User,
    document: Document,
    recipients: list[tuple[str, str]],
    business_type: int = 0,
    original_document: Document | None = None,
) -> list[Delivery]:
    """Queues the issued `document` for every recipient (agency code, name) served by a partner
    system, in the caller's transaction: a `Delivery` by the partner's transport (status blank
    until the partner reports one) and its package in the outbox; never twice the same business
    to the same agency. Recipients without a route are left to other means
    (paper, e-mail) and reported by `unrouted`."""
    deliveries = []
    now = clock.now()
    for code, name in recipients:
        # A closed code of the directory goes to the code that carries it on (QĐ 09/2025/QĐ-TTg),
        # and the clerk is told.
        closed = partner_code_successor(code)
        if closed is not None:
            if not closed.successor_code:
                continue
            code, name = closed.successor_code, closed.successor_name
        route = route_for(unit=document.unit, agency_code=code)
        if route is None:
            continue
        data, document_id = package_for_document(
            document,
            to_code=code,
            to_name=name or route.name,
            business_type=business_type,
            original_document=original_document,
        )
        delivery, created = Delivery.objects.exclude(transport=Transport.LOCAL).get_or_create(
            document=document,
            agency_code=code,
            business_type=business_type,
            defaults={
                "transport": route.partner.transport,
                "partner": route.partner,
                "sender_unit_id": document.unit_id,
                "recipient_name": (name or route.name)[:255],
                "edxml_id": document_id,
                "status": "",
                "status_at": None,
                "created_by": actor,
                "created_at": now,
            },
        )
        if not created:
            continue
        if closed is not None:
            _closed_code_told(actor, document, delivery, closed, now)
        _outbound(
            partner=route.partner,
            kind=MessageKind.PACKAGE,
            document_id=document_id,
            to_code=code,
            data=data,
            name=f"{document.number_symbol}.edxml",
            business_type=business_type,
            document=document,
        )
        deliveries.append(delivery)
    if deliveries:
        audit_record(
            actor=actor,
            action="interop.send",
            unit=document.unit,
            target=document,
            data={"to": [d.agency_code for d in deliveries], "business_type": business_type},
        )
    return deliveries


def _closed_code_told(
    actor: User, document: Document, delivery: Delivery, closed: ClosedCode, now: dt.datetime
) -> None:
    """The trail of a delivery re-addressed from a closed code says so, and the clerk who issued
    is told (QĐ 09/2025/QĐ-TTg)."""
    DeliveryEvent.objects.create(
        delivery=delivery, code="", label=READDRESSED_LABEL, note=closed.note[:500], at=now
    )
    if getattr(actor, "pk", None):
        notification_send(
            recipients=[actor],
            title=f"Văn bản số {document.number_symbol}: {closed.note}"[:255],
            link=reverse("exchange:sent_status", kwargs={"document_pk": document.pk}),
        )


def _resolved(code: str) -> str:
    closed = partner_code_successor(code)
    return code if closed is None else closed.successor_code


def unrouted(document: Document, codes: list[str]) -> list[str]:
    """The codes a document cannot be sent to electronically (a closed code is judged by the
    code that carries it on)."""
    return [
        c
        for c in codes
        if not _resolved(c) or route_for(unit=document.unit, agency_code=_resolved(c)) is None
    ]


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt (settings VANBAN_INTEROP_BACKOFF_FIRST/_MAX, seconds)."""
    first: float = getattr(settings, "VANBAN_INTEROP_BACKOFF_FIRST", BACKOFF_FIRST.total_seconds())
    longest: float = getattr(settings, "VANBAN_INTEROP_BACKOFF_MAX", BACKOFF_MAX.total_seconds())
    doubling: int = 2 ** max(attempts - 1, 0)
    delay = dt.timedelta(seconds=first) * doubling
    return min(delay, dt.timedelta(seconds=longest))


def due(limit: int = 50, now: dt.datetime | None = None) -> list[int]:
    now = now or clock.now()
    return list(
        Outbound.objects.filter(state=OutboundState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver(pk: int) -> str:
    """Sends one due message and records success, or the error and the next attempt.

    No transaction or lock is held while the partner is being called: the message is first
    claimed in a short transaction (row lock, skipped by other workers) that moves its next
    attempt past the transport's timeout, so that no other worker takes it meanwhile; the
    outcome is recorded in a second one. (Holding the transaction during the call would keep
    SQLite's write lock, and two deployments sending to each other would wait on each other.)
    A worker that dies while sending leaves the message due again when the claim expires; the
    partner then acknowledges it as a duplicate."""
    from ..transport import TIMEOUT, TransportError, adapter_for

    now = clock.now()
    with transaction.atomic():
        message = (
            Outbound.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(pk=pk, state=OutboundState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "skipped"
        claim = now + dt.timedelta(seconds=TIMEOUT + 30)
        message.next_attempt_at = claim
        message.save(update_fields=["next_attempt_at"])
    mine = Outbound.objects.filter(pk=pk, state=OutboundState.PENDING, next_attempt_at=claim)
    attempts = message.attempts + 1
    try:
        data = bytes(message.payload)
        if hashlib.sha256(data).hexdigest() != message.sha256:
            raise TransportError("Nội dung gói tin đã bị thay đổi.", permanent=True)
        adapter_for(message.partner).send(message, data)
    except TransportError as exc:
        failed = exc.permanent or attempts >= MAX_ATTEMPTS
        mine.update(
            attempts=attempts,
            last_error=str(exc)[:500],
            state=OutboundState.FAILED if failed else OutboundState.PENDING,
            next_attempt_at=claim if failed else clock.now() + backoff(attempts),
        )
        logger.warning("interop: %s %s: %s", message.kind, message.edxml_id, exc)
        return "failed" if failed else "retry"
    mine.update(attempts=attempts, state=OutboundState.SENT, sent_at=clock.now(), last_error="")
    return "sent"


def work_once(limit: int = 50) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pk in due(limit):
        outcome = deliver(pk)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def message_unit_id(message: Outbound) -> int | None:
    """Our unit a message speaks for: the issuing unit of a package, the recipient unit of the
    package a status message answers."""
    if message.document_id is not None:
        return Document.objects.filter(pk=message.document_id).values_list("unit_id", flat=True)[0]
    return (
        Inbound.objects.filter(
            kind=MessageKind.PACKAGE, edxml_id=message.edxml_id, from_code=message.to_code
        )
        .values_list("unit_id", flat=True)
        .first()
    )


def retry_now(*, actor: User, message: Outbound, ip: str | None = None) -> Outbound:
    """An admin (the province admin, or the admin of the unit the message speaks for) sends a
    failed or waiting message again now."""
    if not actor.is_province_admin:
        unit_id = message_unit_id(message)
        managed = actor.managed_unit_ids() if actor.is_active else set()
        if unit_id is None or managed is None or unit_id not in managed:
            raise AccessDenied("Chỉ quản trị tỉnh hoặc quản trị đơn vị gửi được gửi lại gói tin.")
    with transaction.atomic():
        locked = Outbound.objects.select_for_update().get(pk=message.pk)
        if locked.state == OutboundState.SENT:
            raise ServiceError("Gói tin đã được gửi; không gửi lại.")
        locked.state = OutboundState.PENDING
        locked.next_attempt_at = clock.now()
        locked.save(update_fields=["state", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="interop.retry",
            target=locked,
            ip=ip,
            data={"edxml_id": locked.edxml_id, "to": locked.to_code, "attempts": locked.attempts},
        )
    message.refresh_from_db()
    return message
