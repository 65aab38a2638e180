"""The documents sent to agencies of other systems move from `ExternalDelivery` and
`ExternalEvent` into `Delivery` and `DeliveryEvent` (R15: one record of a sent document whatever
the transport); the events of each keep their order, codes, labels, notes and times.

What the partner reported maps as it would be written today:
- the transport is the partner's (direct or gateway); the sender is the document's unit;
- the status (blank until the partner reports) and its time are kept as they were;
- the reason goes where a unit's clerk writes it: with a refusal (02) in `return_note`,
  otherwise (the answer to a take-back, 16) in `recall_answer_note`;
- the take-back state (`recall_status`) is the last of 13, 15, 16 in the trail.

Going back copies them to the former tables (recreated by reversing 0006) and removes them from
`Delivery`. The pairing of rows relies on (document, agency code, business type) being unique,
which both sides enforce.
"""

from django.db import migrations

LOCAL = "local"
RECALL_CODES = ("13", "15", "16")


def forwards(apps, schema_editor):
    external = apps.get_model("exchange", "ExternalDelivery")
    external_event = apps.get_model("exchange", "ExternalEvent")
    delivery = apps.get_model("exchange", "Delivery")
    event = apps.get_model("exchange", "DeliveryEvent")
    for old in external.objects.select_related("document", "partner").order_by("pk").iterator():
        events = list(external_event.objects.filter(delivery_id=old.pk).order_by("at", "pk"))
        recall = [e.code for e in events if e.code in RECALL_CODES]
        new = delivery.objects.create(
            document_id=old.document_id,
            transport=old.partner.transport,
            sender_unit_id=old.document.unit_id,
            partner_id=old.partner_id,
            agency_code=old.agency_code,
            recipient_name=old.name,
            edxml_id=old.edxml_id,
            business_type=old.business_type,
            status=old.status,
            status_at=old.status_at,
            return_note=old.reason if old.status == "02" else "",
            recall_status=recall[-1] if recall else "",
            recall_answer_note=old.reason if old.status != "02" else "",
            created_at=old.created_at,
        )
        event.objects.bulk_create(
            event(delivery_id=new.pk, code=e.code, label=e.label, note=e.note, at=e.at) for e in events
        )


def backwards(apps, schema_editor):
    external = apps.get_model("exchange", "ExternalDelivery")
    external_event = apps.get_model("exchange", "ExternalEvent")
    delivery = apps.get_model("exchange", "Delivery")
    event = apps.get_model("exchange", "DeliveryEvent")
    moved = delivery.objects.exclude(transport=LOCAL)
    for new in moved.order_by("pk").iterator():
        old = external.objects.create(
            document_id=new.document_id,
            partner_id=new.partner_id,
            agency_code=new.agency_code,
            name=new.recipient_name,
            edxml_id=new.edxml_id,
            business_type=new.business_type,
            status=new.status,
            status_at=new.status_at,
            reason=new.return_note if new.status == "02" else new.recall_answer_note,
            created_at=new.created_at,
        )
        external_event.objects.bulk_create(
            external_event(delivery_id=old.pk, code=e.code, label=e.label, note=e.note, at=e.at)
            for e in event.objects.filter(delivery_id=new.pk).order_by("at", "pk")
        )
    event.objects.filter(delivery__in=moved).delete()
    moved.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0004_one_delivery_for_every_transport'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
