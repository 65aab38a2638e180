"""What the exchange hands over when a unit ends (docs/reorganisation.md, "What moves, and what
stays"; QĐ 09/2025/QĐ-TTg).

The ended unit keeps what it sent and what it settled (registered, returned, given back). Its
reception queue goes to the unit that carries it on: the documents of the deployment's units still
waiting (local deliveries, status 01) and the packages of partner systems still waiting for its
clerk (the `Inbound` row with its delivery, and a take-back request waiting for an answer). Each
moved delivery gets a line in its trail naming the decision, and the audit trail one event per
item. Partner systems through which the ended unit was allowed to send let its successor send too.
Messages that arrive later for its closed code are re-addressed on arrival (`exchange.addressing`).

A copy the successor already holds (the same document sent to both units, or the same package)
or a document the successor sent itself is not moved: the preview warns, and the plan may give
it to another unit (`items`, "delivery:<pk>" or "inbound:<pk>").
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from vanban.accounts.models import Unit
from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.audit.services import audit_record
from vanban.core import clock

from .addressing import READDRESSED_LABEL
from .delivery_selectors import queue_waiting
from .models import Delivery, DeliveryEvent, Inbound, InboundState, MessageKind, Partner

HANDED_OVER_LABEL = READDRESSED_LABEL  # one line of the trail, whichever way it moved
EXAMPLES = 5


def _waiting(transfer: Transfer) -> QuerySet[Delivery]:
    return (
        queue_waiting([transfer.source.pk])
        .select_related("document", "package", "sender_unit")
        .order_by("created_at", "pk")
    )


def _requests(transfer: Transfer) -> QuerySet[Inbound]:
    """Packages of partners still waiting for the source's clerk that are not a document of the
    queue: take-back requests (business type 1) of a registered document waiting for an
    answer."""
    return Inbound.objects.filter(
        unit=transfer.source,
        kind=MessageKind.PACKAGE,
        state=InboundState.QUEUED,
        delivery__isnull=True,
    ).order_by("received_at", "pk")


def _partners(transfer: Transfer) -> QuerySet[Partner]:
    return Partner.objects.filter(allowed_units=transfer.source).exclude(
        allowed_units=transfer.target
    )


def _chosen(transfer: Transfer, delivery: Delivery) -> int:
    """The unit that takes `delivery`: the plan's choice for the delivery or for its package,
    else the target."""
    if delivery.package_id is not None:
        for item, unit_id in transfer.overrides:
            if item == f"inbound:{delivery.package_id}":
                return unit_id
    return transfer.target_for("delivery", delivery.pk)


def _label(delivery: Delivery) -> str:
    if delivery.document is not None:
        return f"{delivery.document.number_symbol or delivery.document.subject[:60]}"
    package = delivery.package
    return f"{package.number_symbol or package.edxml_id} ({package.from_name or package.from_code})"


def _blocked(delivery: Delivery, unit_id: int) -> str:
    """Why `delivery` may not go to unit `unit_id` (empty when it may), in Vietnamese."""
    if delivery.document is not None:
        if delivery.sender_unit_id == unit_id:
            return f"{_label(delivery)}: do chính đơn vị nhận chuyển giao gửi"
        if Delivery.objects.filter(document=delivery.document, recipient_unit_id=unit_id).exists():
            return f"{_label(delivery)}: đơn vị nhận chuyển giao đã nhận văn bản này"
        return ""
    if Delivery.objects.filter(
        edxml_id=delivery.edxml_id,
        recipient_unit_id=unit_id,
        business_type=delivery.business_type,
        package__isnull=False,
    ).exists():
        return f"{_label(delivery)}: đơn vị nhận chuyển giao đã nhận gói tin này"
    return ""


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """What the exchange would hand over (reading only): the waiting documents of the deployment's
    units, the waiting packages of partner systems, the take-back requests waiting for an answer,
    and the partner systems the successor may then send through."""
    if transfer.is_same_unit:
        return []
    local: list[Delivery] = []
    received: list[Delivery] = []
    warnings: dict[bool, list[str]] = {True: [], False: []}  # by "from a partner system"
    for delivery in _waiting(transfer):
        from_partner = delivery.package_id is not None
        (received if from_partner else local).append(delivery)
        if problem := _blocked(delivery, _chosen(transfer, delivery)):
            warnings[from_partner].append(f"Không chuyển {problem}.")
    requests = list(_requests(transfer))
    partners = list(_partners(transfer))
    lines = [
        PreviewLine(
            label="Văn bản đến chờ vào sổ (từ đơn vị trong hệ thống)",
            count=len(local),
            examples=tuple(_label(d) for d in local[:EXAMPLES]),
            warnings=tuple(warnings[False]),
        ),
        PreviewLine(
            label="Gói văn bản từ hệ thống khác chờ vào sổ",
            count=len(received),
            examples=tuple(_label(d) for d in received[:EXAMPLES]),
            warnings=tuple(warnings[True]),
        ),
        PreviewLine(
            label="Đề nghị lấy lại văn bản của hệ thống khác chờ trả lời",
            count=len(requests),
            examples=tuple(f"{r.number_symbol or r.edxml_id}" for r in requests[:EXAMPLES]),
        ),
        PreviewLine(
            label="Hệ thống liên thông cho đơn vị kế thừa gửi qua",
            count=len(partners),
            examples=tuple(p.name for p in partners[:EXAMPLES]),
        ),
    ]
    return [line for line in lines if line.count or line.warnings]


def _note(transfer: Transfer, unit: Unit) -> str:
    return (
        f"Theo {transfer.decision}: {transfer.source.name} chấm dứt hoạt động từ "
        f"{transfer.effective_date:%d/%m/%Y}; văn bản chuyển cho {unit.name}."
    )


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Hands the source's reception queue and partner permissions to the units the plan names;
    idempotent (a second run finds nothing left in the source's queue and returns zeros)."""
    counts = {"deliveries": 0, "inbound": 0, "requests": 0, "partners": 0}
    if transfer.is_same_unit:
        return counts
    units = {transfer.target.pk: transfer.target}
    now = clock.now()
    with transaction.atomic():
        for delivery in _waiting(transfer).select_for_update(of=("self",)):
            unit_id = _chosen(transfer, delivery)
            if _blocked(delivery, unit_id):
                continue  # the preview warned; it stays where it is
            unit = units.get(unit_id) or units.setdefault(unit_id, Unit.objects.get(pk=unit_id))
            delivery.recipient_unit = unit
            delivery.save(update_fields=["recipient_unit"])
            if delivery.package is not None:
                Inbound.objects.filter(pk=delivery.package_id).update(unit=unit)
                counts["inbound"] += 1
            else:
                counts["deliveries"] += 1
            DeliveryEvent.objects.create(
                delivery=delivery,
                code=delivery.status,
                label=HANDED_OVER_LABEL,
                note=_note(transfer, unit)[:500],
                actor=transfer.actor if getattr(transfer.actor, "pk", None) else None,
                at=now,
            )
            audit_record(
                actor=transfer.actor,
                action="exchange.reorganise",
                unit=unit,
                target=delivery,
                data={
                    "plan": transfer.plan_ref,
                    "decision": transfer.decision,
                    "from_unit": transfer.source.pk,
                    "to_unit": unit.pk,
                    "package": delivery.package_id,
                },
            )
        for request in _requests(transfer).select_for_update(of=("self",)):
            unit_id = transfer.target_for("inbound", request.pk)
            request.unit_id = unit_id
            request.save(update_fields=["unit"])
            counts["requests"] += 1
            audit_record(
                actor=transfer.actor,
                action="exchange.reorganise",
                unit=units.get(unit_id) or Unit.objects.get(pk=unit_id),
                target=request,
                data={
                    "plan": transfer.plan_ref,
                    "from_unit": transfer.source.pk,
                    "to_unit": unit_id,
                },
            )
        for partner in _partners(transfer):
            partner.allowed_units.add(transfer.target)
            counts["partners"] += 1
            audit_record(
                actor=transfer.actor,
                action="exchange.reorganise",
                unit=transfer.target,
                target=partner,
                data={
                    "plan": transfer.plan_ref,
                    "allowed_unit_added": transfer.target.pk,
                    "because_of": transfer.source.pk,
                },
            )
    return counts
