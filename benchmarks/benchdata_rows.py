"""Writing the generated province fast (benchmarks/benchdata.py): primary keys handed out in
advance, COPY on PostgreSQL, the search indexes dropped and built again around a large load, and
VACUUM ANALYZE at the end.

The index helpers are shared with benchmarks/search.py.
"""

import importlib
from typing import Any

from django.db import connection
from django.db.models import Max

BATCH = 5000  # documents written at a time; keys taken from a sequence at a time


def _index_migration() -> Any:
    return importlib.import_module("vanban.documents.migrations.0003_search_index")


def search_indexes_drop(cursor: Any) -> None:
    """Drop the search indexes of migration 0003 before a bulk load (PostgreSQL)."""
    index = _index_migration()
    for name in index.INDEXES:
        cursor.execute(index.drop_sql(name))


def search_indexes_build(cursor: Any) -> None:
    """Build the search indexes of migration 0003 again after a bulk load (PostgreSQL)."""
    index = _index_migration()
    if connection.in_atomic_block:
        # Django's foreign keys are checked at commit; CREATE INDEX refuses a table with checks
        # pending, so they run now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for name in index.INDEXES:
        cursor.execute(index.create_sql(name))
    if connection.in_atomic_block:
        # Back to Django's deferred checks for the rest of the transaction: registering a
        # document relies on them (its files are inserted before the document row).
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


TABLES = [
    "documents_document",
    "documents_documentshare",
    "documents_registerseries",
    "workflow_processing",
    "workflow_assignment",
    "workflow_trailentry",
]


def tables_vacuum() -> None:
    """VACUUM ANALYZE the loaded tables (PostgreSQL, outside a transaction): statistics for the
    planner and a visibility map, as autovacuum would leave them in a running province."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


class Ids:
    """Primary keys handed out before the rows are written, so that related rows can be built
    in the same pass: on PostgreSQL taken from the table's sequence in blocks, on SQLite counted
    on from the largest key (the load holds the database to itself)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.free: list[int] = []
        self.next = 0
        if connection.vendor != "postgresql":
            self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        if connection.vendor != "postgresql":
            self.next += 1
            return self.next - 1
        if not self.free:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.model._meta.db_table, BATCH],
                )
                self.free = [row[0] for row in reversed(cursor.fetchall())]
        return self.free.pop()


def rows_write(model: Any, objects: list[Any]) -> None:
    """Insert model instances whose keys are set: COPY on PostgreSQL (several times faster than
    INSERT statements), `bulk_create` elsewhere. Values go to COPY as they are on the instance,
    so only plain values (text, numbers, dates, aware times, None) may be used."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([getattr(obj, name) for name in names])
