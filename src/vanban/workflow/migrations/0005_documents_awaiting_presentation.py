"""Marks the incoming documents still waiting to be presented (R18 "Văn bản chờ trình"):
registered, with no processing yet (or one that is still waiting). One UPDATE; at 1,000,000
documents it writes the about 150,000 incoming documents never presented, the others keep the
column's default (documents migration 0012 added it without rewriting the table)."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    document = apps.get_model("documents", "Document")
    processing = apps.get_model("workflow", "Processing")
    started = processing.objects.filter(document_id=OuterRef("pk")).exclude(status="waiting")
    document.objects.filter(direction="in").exclude(Exists(started)).update(
        awaiting_presentation=True
    )


def unmark(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("documents", "Document").objects.filter(awaiting_presentation=True).update(
        awaiting_presentation=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0012_document_awaiting_presentation"),
        ("workflow", "0004_direction_template"),
    ]

    operations = [migrations.RunPython(mark, unmark, elidable=True)]
