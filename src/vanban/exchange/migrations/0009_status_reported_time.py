"""A status a partner system reported keeps the time its system wrote in the message (edXML
`Timestamp`, QĐ 28/2018/QĐ-TTg) beside our time of receipt (`DeliveryEvent.reported_at`).

The events already kept get it from the status message that brought them, still in the message
log (`Inbound`, kind status, its stored bytes): the event of the same delivery (the DocumentId,
the partner and its agency, a document we sent), code and time of receipt. An event whose message
is gone or unreadable, and every other event, keeps it blank. Going back drops the field.
"""

import datetime as dt
import re
import zoneinfo

from django.core.files.storage import default_storage
from django.db import migrations, models

EXCHANGE_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TIMESTAMP = re.compile(rb"<(?:[A-Za-z0-9_]+:)?Timestamp>\s*([^<]*?)\s*</")
PATTERNS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _written(data: bytes) -> dt.datetime | None:
    found = TIMESTAMP.search(data)
    if found is None:
        return None
    text = " ".join(found.group(1).decode("utf-8", "replace").split())
    for pattern in PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=EXCHANGE_ZONE)
        except ValueError:
            continue
    return None


def forward(apps, schema_editor):
    Inbound = apps.get_model("exchange", "Inbound")
    DeliveryEvent = apps.get_model("exchange", "DeliveryEvent")
    messages = Inbound.objects.filter(kind="status").exclude(status_code__in=["", "13"])
    for message in messages.iterator():
        try:
            with default_storage.open(message.storage_name, "rb") as handle:
                written = _written(handle.read())
        except OSError:
            continue
        if written is None:
            continue
        DeliveryEvent.objects.filter(
            delivery__edxml_id=message.edxml_id,
            delivery__agency_code=message.from_code,
            delivery__partner_id=message.partner_id,
            delivery__package__isnull=True,
            code=message.status_code,
            at=message.received_at,
            reported_at__isnull=True,
        ).update(reported_at=written)


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0008_received_packages_as_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliveryevent",
            name="reported_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="thời điểm bên nhận ghi"
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
