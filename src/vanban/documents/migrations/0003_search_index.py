"""Search indexes on PostgreSQL only: a trigram index on Document.search_text and one index per
sort order of the search page.

`search_text LIKE '% term %'` (Django's `contains`) is answered from the trigram GIN index instead
of a table scan; the sort indexes let the first page of a common word be read in order, stopping
after one page, instead of sorting every hit. SQLite has no trigram index and reads the table,
which is fine at the size of a single office.
CONCURRENTLY cannot run inside a migration's transaction: on a large existing table, run the
CREATE INDEX statements below by hand with CONCURRENTLY before migrating; this migration then
finds them in place (IF NOT EXISTS).
"""

from django.db import migrations

TABLE = "documents_document"
INDEXES = {
    "documents_document_search_trgm": "USING gin (search_text gin_trgm_ops)",
    "documents_document_sort_registered": "(registered_at, id)",
    "documents_document_sort_issued": "(issued_date, registered_at, id)",
    "documents_document_sort_number": "(year, register_number, id)",
    "documents_document_sort_urgency": "(urgency, registered_at, id)",
}
CREATE_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"


def create_sql(name: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {INDEXES[name]}"


def drop_sql(name: str) -> str:
    return f"DROP INDEX IF EXISTS {name}"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_EXTENSION)
        for name in INDEXES:
            schema_editor.execute(create_sql(name))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(drop_sql(name))


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_document_types")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
