"""Every document received from a partner system becomes a `Delivery` (R15: one record of a sent
and a received document whatever the transport; one reception queue): each package kept in
`Inbound` (a new document, an update or a replacement; not a take-back, business type 1) gets
the delivery it would get today, to the unit it came for, with its trail.

What the package's state says maps as it would be written today:
- the transport is the partner's (direct or gateway); `agency_code` is the sending agency's,
  `recipient_unit` our unit, `package` the message, no document and no sender unit;
- waiting (queued): 01; registered: 03 with the incoming document, or the last progress (04,
  05, 06) already sent back to the sender; refused by the clerk: 02 with the reason
  (`return_note`); refused on arrival (signatures): 02 with the reason; taken back by the
  sender: 15 (`recall_status`, the reason in `recall_answer_note`), 01 or 03 as it stood;
- a take-back request of a registered document still waiting for the clerk's answer: 13; one the
  clerk refused: 16 with the reason;
- the trail: 01 on arrival (02 for a package refused on arrival), then 02 or 03 by the clerk
  who answered, the progress sent back (without a note or a person: the message log keeps
  neither), the take-back; each at the time it happened.

The texts are written out here (a migration records a past state). A package kept for no unit of
ours cannot exist (receiving refuses it) and gets no delivery. Going back removes these
deliveries and their trails; the packages keep their own state throughout.
"""

from django.db import migrations

PACKAGE = "package"
REVOKE = 1
LABELS = {
    "01": "đã đến",
    "02": "bị từ chối",
    "03": "đã vào sổ",
    "04": "đã giao xử lý",
    "05": "đang xử lý",
    "06": "hoàn thành",
    "13": "đề nghị thu hồi",
    "15": "đồng ý thu hồi/cập nhật",
    "16": "từ chối thu hồi/cập nhật",
}
PROGRESS = ("04", "05", "06")
# The note of a take-back request of a registered document, as receiving writes it.
ASKED = "Văn bản đã vào sổ: văn thư quyết định đồng ý hay từ chối cho lấy lại."


def _trail(row, outbound, inbound):
    """(status, recall status, recall note, events) of the package `row`; events are
    (code, note, actor id, at)."""
    events = []
    if row.state == "rejected":
        return "02", "", "", [("02", row.reason, None, row.received_at)]
    events.append(("01", "", None, row.received_at))
    status = "01"
    answered_at = row.answered_at or row.received_at
    if row.state == "refused":
        status = "02"
        events.append(("02", row.reason, row.answered_by_id, answered_at))
    elif row.incoming_document_id is not None:
        status = "03"
        number = row.incoming_document.register_number
        events.append(("03", f"Số đến {number}", row.answered_by_id, answered_at))
        sent = outbound.objects.filter(
            kind="status", edxml_id=row.edxml_id, to_code=row.from_code, status_code__in=PROGRESS
        ).order_by("created_at", "pk")
        for message in sent:
            if PROGRESS.index(message.status_code) > (
                PROGRESS.index(status) if status in PROGRESS else -1
            ):
                status = message.status_code
                events.append((status, "", None, message.created_at))
    requests = inbound.objects.filter(
        business_type=REVOKE, edxml_id=row.edxml_id, to_code=row.to_code
    ).order_by("received_at", "pk")
    recall, note = "", ""
    if row.state == "recalled":
        recall = "15"
        asked = requests.first()
        asked_at = asked.received_at if asked is not None else _last(events)
        answered = requests.filter(state="applied", answered_by__isnull=False).last()
        if row.incoming_document_id is not None and answered is not None:
            # Registered, then given back by the clerk.
            note = answered.reason
            events.append(("13", ASKED, None, asked_at))
            events.append(("15", note, answered.answered_by_id, answered.answered_at or asked_at))
        else:  # withdrawn by the sender before it was registered
            note = row.reason
            events.append(("15", note, None, asked_at))
    else:
        waiting = requests.filter(state="queued").first()
        refused = requests.filter(state="applied", answered_by__isnull=False).last()
        if waiting is not None:
            recall = "13"
            events.append(("13", ASKED, None, waiting.received_at))
        elif refused is not None:
            recall, note = "16", refused.reason
            events.append(("13", ASKED, None, refused.received_at))
            events.append(
                ("16", note, refused.answered_by_id, refused.answered_at or refused.received_at)
            )
    return status, recall, note, events


def _last(events):
    return events[-1][3]


def forwards(apps, schema_editor):
    inbound = apps.get_model("exchange", "Inbound")
    outbound = apps.get_model("exchange", "Outbound")
    delivery = apps.get_model("exchange", "Delivery")
    event = apps.get_model("exchange", "DeliveryEvent")
    packages = (
        inbound.objects.filter(kind=PACKAGE, unit__isnull=False)
        .exclude(business_type=REVOKE)
        .select_related("partner", "incoming_document")
        .order_by("pk")
    )
    for row in packages.iterator():
        status, recall, note, events = _trail(row, outbound, inbound)
        new = delivery.objects.create(
            transport=row.partner.transport,
            partner_id=row.partner_id,
            agency_code=row.from_code,
            recipient_unit_id=row.unit_id,
            edxml_id=row.edxml_id,
            business_type=row.business_type,
            package_id=row.pk,
            status=status,
            status_at=max(at for code, _note, _actor, at in events if code == status),
            return_note=row.reason[:500] if status == "02" else "",
            incoming_document_id=row.incoming_document_id,
            recall_status=recall,
            recall_answer_note=note[:500],
            created_at=row.received_at,
        )
        event.objects.bulk_create(
            event(
                delivery_id=new.pk,
                code=code,
                label=LABELS[code],
                note=text[:500],
                actor_id=actor,
                at=at,
            )
            for code, text, actor, at in events
        )


def backwards(apps, schema_editor):
    delivery = apps.get_model("exchange", "Delivery")
    event = apps.get_model("exchange", "DeliveryEvent")
    received = delivery.objects.filter(package__isnull=False)
    event.objects.filter(delivery__in=received).delete()
    received.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0007_received_documents_are_deliveries"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
