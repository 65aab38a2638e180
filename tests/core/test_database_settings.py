"""The database session settings the application asks for (settings.py, docs/deployment.md)."""

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session setting")
def test_a_request_runs_without_parallel_workers():
    # Small statements under many concurrent requests: starting parallel workers costs more than
    # it saves (docs/performance.md), so the web's connections ask for none.
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
