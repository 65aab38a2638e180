"""The read mark of a part given for information (R18).

A part the person marked read (completed) keeps its completion time as the time it was read; a
part the system ended gets no mark: nothing says the person ever opened it.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import F


def mark_read_parts(apps: Any, schema_editor: Any) -> None:
    Assignment = apps.get_model("workflow", "Assignment")
    Assignment.objects.filter(role="info", status="done", read_at__isnull=True).update(
        read_at=F("completed_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_processing_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="xem lần đầu lúc"),
        ),
        migrations.RunPython(mark_read_parts, migrations.RunPython.noop),
    ]
