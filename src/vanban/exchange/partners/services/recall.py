"""Taking a document back (business type 1, status 13): a partner takes back a package we
received (withdrawn if not yet registered, else the clerk answers 15 or 16), and our recalled
document goes to the agencies of other systems as a revocation package.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents.models import Document
from vanban.documents.withdrawals import document_withdraw, withdrawal_lock
from vanban.exchange.edxml import STATUS_CODES
from vanban.exchange.models import (
    Delivery,
    DeliveryEvent,
    Inbound,
    InboundState,
    MessageKind,
    Partner,
    RecallStatus,
)
from vanban.exchange.reception import delivery_event

from ..packages import package_for_document
from ._common import Received, Refused, _package_name, _require_clerk
from .outbox import _outbound
from .status import _status_applied, status_send


def _revocation_arrived(row: Inbound, package: Any) -> None:
    """The sender takes back a document (business type 1): the earlier package is withdrawn if
    not yet registered (answer 15), else the clerk decides (13 recorded, answer later with
    `inbound_revocation_answer`). `_revocation_allowed` checked the request first."""
    _take_back(row, _refs(package))


def _refs(package: Any) -> list[str]:
    """The DocumentIds a revocation package takes back."""
    return list(package.business_refs) or [package.document_id]


def _take_back_checked(
    partner: Partner, sender: str, document_id: str, originals: list[Inbound]
) -> None:
    """Only the sender takes back (QĐ 28/2018/QĐ-TTg, 13 and business type 1): the packages it
    asks about (`originals`) must exist (else 404), all have come from this partner and this
    sending agency (else 403), and still be ours to give back: not refused on arrival or by the
    clerk, no take-back already asked or given (409). Nothing is written."""
    if not originals:
        raise Refused(
            f"Không có văn bản nào có DocumentId {document_id} nhận từ {sender} để thu hồi.",
            http_status=404,
        )
    if any(o.partner_id != partner.pk or o.from_code != sender for o in originals):
        raise Refused(
            f"Chỉ cơ quan đã gửi văn bản {document_id} mới được thu hồi văn bản này; "
            f"{sender} của hệ thống {partner.name} không phải cơ quan đã gửi.",
            http_status=403,
        )
    for original in originals:
        if original.state in (InboundState.REJECTED, InboundState.REFUSED):
            raise Refused(
                f"Văn bản {document_id} đã bị từ chối nhận (02); không có gì để thu hồi.",
                http_status=409,
            )
        delivery = Delivery.objects.filter(package=original).first()
        recall = delivery.recall_status if delivery is not None else ""
        if original.state == InboundState.RECALLED or recall == RecallStatus.ACCEPTED:
            raise Refused(
                f"Văn bản {document_id} đã được thu hồi (15); không nhận đề nghị thu hồi nữa.",
                http_status=409,
            )
        if recall == RecallStatus.REQUESTED:
            raise Refused(
                f"Đề nghị thu hồi văn bản {document_id} (13) đang chờ trả lời.",
                http_status=409,
            )


def _revocation_allowed(partner: Partner, sender: str, package: Any, targets: list[str]) -> None:
    """A revocation package (business type 1) is for documents `sender` of `partner` sent to
    our units `targets` and that may still be taken back (`_take_back_checked`)."""
    originals = list(
        Inbound.objects.filter(
            kind=MessageKind.PACKAGE,
            edxml_id__in=_refs(package),
            to_code__in=targets,
            business_type=0,
        )
    )
    _take_back_checked(partner, sender, package.document_id, originals)


def _registered_copy(inbound: Inbound) -> Document | None:
    """The incoming document registered from the package a take-back request names, if any."""
    delivery = (
        Delivery.objects.filter(
            package__kind=MessageKind.PACKAGE,
            package__edxml_id=inbound.edxml_id,
            package__to_code=inbound.to_code,
            package__business_type=0,
            incoming_document__isnull=False,
        )
        .select_related("incoming_document")
        .first()
    )
    return delivery.incoming_document if delivery is not None else None


def _received_locked(earlier: Inbound) -> Delivery | None:
    """The delivery of the document a package brought, locked: a take-back changes it (and the
    package's state with it) under this lock, as registering and refusing do."""
    return Delivery.objects.select_for_update(of=("self",)).filter(package=earlier).first()


def _take_back_recorded(
    delivery: Delivery | None, code: str, note: str, *, actor: User | None = None
) -> None:
    """The take-back on the delivery of the document received: 13 asked, 15 given back (the
    document leaves the queue, or its registration is marked), 16 refused with the reason."""
    if delivery is None:
        return
    now = clock.now()
    delivery.recall_status = code
    fields = ["recall_status"]
    if code in (RecallStatus.ACCEPTED, RecallStatus.REFUSED):
        delivery.recall_answer_note = note[:500]
        fields.append("recall_answer_note")
    delivery.save(update_fields=fields)
    delivery_event(delivery, code, STATUS_CODES[code], actor=actor, note=note, at=now)


def _take_back(row: Inbound, refs: list[str]) -> None:
    earlier = Inbound.objects.filter(
        kind=MessageKind.PACKAGE,
        edxml_id__in=refs,
        to_code=row.to_code,
        business_type=0,
        partner=row.partner,
        from_code=row.from_code,
    ).first()
    row.state = InboundState.APPLIED
    if earlier is None:
        row.reason = "Không tìm thấy văn bản được đề nghị lấy lại."
        row.save(update_fields=["state", "reason"])
        status_send(inbound=row, code="16", description=row.reason)
        return
    delivery = _received_locked(earlier)
    earlier.refresh_from_db(fields=["state"])
    if earlier.state == InboundState.QUEUED:
        earlier.state = InboundState.RECALLED
        earlier.reason = "Bên gửi đã lấy lại văn bản trước khi vào sổ."
        earlier.save(update_fields=["state", "reason"])
        _take_back_recorded(delivery, RecallStatus.ACCEPTED, earlier.reason)
        row.reason = earlier.reason
        row.save(update_fields=["state", "reason"])
        status_send(inbound=earlier, code="15", description=earlier.reason)
        return
    row.state = InboundState.QUEUED
    row.reason = "Văn bản đã vào sổ: văn thư quyết định đồng ý hay từ chối cho lấy lại."
    row.save(update_fields=["state", "reason"])
    _take_back_recorded(delivery, RecallStatus.REQUESTED, row.reason)


def _take_back_requested(partner: Partner, data: bytes, status: Any, sha256: str) -> Received:
    """A status 13 from the sender of a package we received: it asks to take the document back,
    as a revocation package does, and only from the partner and agency that sent it."""
    originals = list(
        Inbound.objects.filter(
            kind=MessageKind.PACKAGE, edxml_id=status.document_id, business_type=0
        ).order_by("pk")
    )
    _take_back_checked(partner, status.from_code, status.document_id, originals)
    earlier = originals[0]
    return _status_applied(
        partner,
        data,
        sha256,
        status,
        lambda row: _take_back(row, [status.document_id]),
        to_code=earlier.to_code,
        unit=earlier.unit,
        status_code="13",
        business_type=1,
        subject=earlier.subject,
        number_symbol=earlier.number_symbol,
        original_name="trang-thai-13.edxml",
        received_at=clock.now(),
    )


def inbound_revocation_answer(
    *, actor: User, inbound: Inbound, accept: bool, note: str = "", ip: str | None = None
) -> Inbound:
    """The clerk answers a take-back request for a document already registered: 15 (agreed;
    the registered document is marked as taken back and its processing ends,
    `documents.withdrawals`, as for a document from a unit of the deployment) or 16 (refused,
    with the reason)."""
    note = (note or "").strip()
    if not accept and not note:
        raise ServiceError("Hãy ghi lý do từ chối cho lấy lại.", field="note")
    if inbound.business_type != 1 or inbound.state != InboundState.QUEUED:
        raise ServiceError("Không có đề nghị lấy lại văn bản nào chờ trả lời.")
    _require_clerk(actor, inbound)
    with transaction.atomic():
        incoming = _registered_copy(inbound) if accept else None
        if incoming is not None:
            # The processing first, then the package and the delivery (the processing's order).
            withdrawal_lock(incoming)
        locked = Inbound.objects.select_for_update().get(pk=inbound.pk)
        if locked.state != InboundState.QUEUED:
            raise ServiceError("Không có đề nghị lấy lại văn bản nào chờ trả lời.")
        earlier = Inbound.objects.filter(
            kind=MessageKind.PACKAGE,
            edxml_id=locked.edxml_id,
            to_code=locked.to_code,
            business_type=0,
        ).first()
        if earlier is None:
            raise ServiceError("Không tìm thấy văn bản được đề nghị lấy lại.")
        delivery = _received_locked(earlier)
        now = clock.now()
        asked = locked.reason  # the sender's reason, before the answer replaces it
        locked.state = InboundState.APPLIED
        locked.answered_by = actor
        locked.answered_at = now
        if accept:
            locked.reason = note or "Đồng ý cho bên gửi lấy lại văn bản."
            earlier.state = InboundState.RECALLED
            earlier.reason = f"Bên gửi đã lấy lại văn bản ({clock.now():%d/%m/%Y})."
            earlier.save(update_fields=["state", "reason"])
        else:
            locked.reason = note
        locked.save(update_fields=["state", "reason", "answered_by", "answered_at"])
        _take_back_recorded(
            delivery,
            RecallStatus.ACCEPTED if accept else RecallStatus.REFUSED,
            locked.reason,
            actor=actor,
        )
        if incoming is not None and delivery is not None:
            document_withdraw(incoming, actor=actor, reason=asked or locked.reason, at=now)
        status_send(
            inbound=earlier,
            code="15" if accept else "16",
            description=locked.reason,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="interop.take_back_answer",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={"edxml_id": locked.edxml_id, "accept": accept, "note": note},
        )
    inbound.refresh_from_db()
    return inbound


def external_recall(
    *, actor: User, document: Document, reason: str, deliveries: list[Delivery]
) -> list[Delivery]:
    """Our document is recalled (exchange.delivery.document_recall, which locked its
    `deliveries` to agencies of other systems, the refused ones left out): each agency that has
    it gets a revocation package (business type 1) in the same transaction and the delivery
    shows 13; its system answers 15 or 16."""
    now = clock.now()
    for delivery in deliveries:
        partner = delivery.partner
        if partner is None:  # inside the deployment: exchange.delivery asks the unit itself
            continue
        data, _ = package_for_document(
            document,
            to_code=delivery.agency_code,
            to_name=delivery.recipient_name,
            business_type=1,
            original_document=document,
            reason=reason,
        )
        _outbound(
            partner=partner,
            kind=MessageKind.PACKAGE,
            document_id=delivery.edxml_id,
            to_code=delivery.agency_code,
            data=data,
            name=_package_name(document.number_symbol),
            business_type=1,
            document=document,
        )
        DeliveryEvent.objects.create(
            delivery=delivery,
            code=RecallStatus.REQUESTED,
            label=STATUS_CODES[RecallStatus.REQUESTED],
            note=reason[:500],
            actor=actor,
            at=now,
        )
        delivery.status = delivery.recall_status = RecallStatus.REQUESTED
        delivery.status_at = now
        delivery.save(update_fields=["status", "status_at", "recall_status"])
    return deliveries
