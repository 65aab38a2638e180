"""The index of half 1 of the visibility rule on PostgreSQL: a unit's documents in registration
order, (unit, registered_at, id).

Lists and searches read the documents of the person's register units apart from the documents
given to them (documents/visibility.py); this index lets the first page of a small unit's
documents, or of a common word among them, in registration order stop after one page instead of
walking the registration index of every unit. SQLite is left as it is (a single office's size).
CONCURRENTLY cannot run inside a migration's transaction: on a large existing table, run the
CREATE INDEX statement below by hand with CONCURRENTLY before migrating; this migration then
finds it in place (IF NOT EXISTS).
"""

from django.db import migrations

NAME = "documents_document_unit_registered"
CREATE_SQL = f"CREATE INDEX IF NOT EXISTS {NAME} ON documents_document (unit_id, registered_at, id)"
DROP_SQL = f"DROP INDEX IF EXISTS {NAME}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("documents", "0010_search_vector")]

    operations = [migrations.RunPython(create_index, drop_index)]
