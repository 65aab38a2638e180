"""The document's unit on each share: half 2 of the visibility rule (documents given to a person
outside their units) is read from the index (user, document_unit, document) alone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# One statement for every share; portable (PostgreSQL and SQLite). About a minute for the
# 1.15 million shares of a province of 1,000,000 documents.
FILL = """
UPDATE documents_documentshare
SET document_unit_id = (
    SELECT d.unit_id FROM documents_document d WHERE d.id = documents_documentshare.document_id
)
WHERE document_unit_id IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_unit_place_name"),
        ("documents", "0012_document_awaiting_presentation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="documentshare",
            name="document_unit",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="documentshare",
            index=models.Index(
                fields=["user", "document_unit", "document"], name="document_share_user_unit"
            ),
        ),
    ]
