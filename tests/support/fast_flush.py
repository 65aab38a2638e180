"""Emptying a PostgreSQL test database by DELETE instead of TRUNCATE.

Django empties the database after each transactional test (and `empty_database` inside a test)
with one `TRUNCATE` of every table. On PostgreSQL a TRUNCATE makes new files for each table, index
and TOAST table: about 3 seconds for vanban's tables, whatever they hold. The tables of a test
hold a few rows, which `DELETE` removes in milliseconds. Foreign keys are created DEFERRABLE
INITIALLY DEFERRED by Django, so the order of the deletions does not matter: the constraints are
checked at commit, when every table is empty. A flush that restarts the sequences keeps Django's
TRUNCATE ... RESTART IDENTITY, which a rollback undoes.

The end state is the one Django's own flush leaves: empty tables.
"""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate_sql_flush = DatabaseOperations.sql_flush


def _delete_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables:
        return []
    if allow_cascade or reset_sequences:
        # A partial flush relying on CASCADE, or one restarting the sequences: Django's TRUNCATE,
        # whose RESTART IDENTITY is undone with the transaction (setval would not be).
        return _truncate_sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608


def install() -> None:
    DatabaseOperations.sql_flush = _delete_sql_flush  # type: ignore[method-assign]
