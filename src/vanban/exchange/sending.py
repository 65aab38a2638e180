"""Sending an issued document: one entry point whatever the transport (R15).

A recipient is a unit of this deployment (transport "local": a `Delivery` in its reception queue at
once, status 01) or an agency of another system by its agency code (a `Delivery` of transport
"direct" or "gateway" and an edXML package through the transactional outbox, to a partner system
directly over HTTP or through the provincial gateway). Either way the document's recipients are
its `Delivery` rows.
Everything happens in the caller's transaction: the document is sent if and only if it is issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.documents.models import Document
from vanban.exchange.partners.services import external_send, partner_code_successor

from .addressing import Addressed, recipient_for_code
from .delivery import deliveries_create, original_take
from .models import BusinessType


@dataclass(frozen=True)
class Recipient:
    """A unit of this deployment, or an agency of another system (code and name)."""

    unit: Unit | None = None
    agency_code: str = ""
    name: str = ""


def document_send(
    *,
    actor: User,
    document: Document,
    recipients: list[Recipient],
    business_type: int = BusinessType.NEW,
    original_document: Document | None = None,
    ip: str | None = None,
) -> None:
    """Sends `document` to every recipient, in the caller's transaction.

    Units of the deployment get a delivery (`deliveries_create`); agencies with a route to a partner
    system get a package in the outbox (`external_send`); an agency without a route is left to other
    means (paper, e-mail), as the issuing page reports.

    An update or replacement is refused when its original may no longer have one (replaced
    already, or recalled and given back: `original_refusal`); a replacement marks its original
    replaced (`Document.replaced_by`), whoever it is sent to.
    """
    units = [r.unit for r in recipients if r.unit is not None]
    agencies: list[tuple[str, str]] = []
    for r in recipients:
        if r.unit is not None or not r.agency_code:
            continue
        # An agency named by a closed code of ours (a draft written before a reorganisation) is
        # the unit that answers for it now (QĐ 09/2025/QĐ-TTg).
        # So is a closed code of the partners' directory whose successor is one of our units.
        addressed = recipient_for_code(r.agency_code)
        closed = partner_code_successor(r.agency_code) if addressed is None else None
        if closed is not None and closed.successor_code:
            addressed = recipient_for_code(closed.successor_code)
            if addressed is not None and not addressed.readdressed:
                addressed = Addressed(r.agency_code, addressed.unit, closed.note)
        if addressed is not None and addressed.readdressed:
            units.append(addressed.unit)
        else:
            agencies.append((r.agency_code, r.name))
    with transaction.atomic():
        original_take(document=document, business_type=business_type, original=original_document)
        if units:
            deliveries_create(
                actor=actor,
                document=document,
                units=units,
                business_type=business_type,
                original_document=original_document,
                ip=ip,
            )
        external_send(
            actor=actor,
            document=document,
            recipients=agencies,
            business_type=business_type,
            original_document=original_document,
        )
