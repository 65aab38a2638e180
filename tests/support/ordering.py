"""The order the suite runs in: the long tests as early as their database allows.

pytest-django runs the tests of the database first (each rolled back), then the transactional
ones (each flushing every table, the rows of the data migrations with them), then those without
a database, as Django does. The rolled-back ones must come before the transactional ones; the
tests without a database may run at any time, so they run first. Inside each group the tests
that drive other processes, the browser or thousands of API requests take minutes where the
others take a fraction of a second, so they start first: the two workers of `make test` then
finish together instead of one waiting for the other's last long test.
"""

import pytest
from pytest_django.fixtures import validate_django_db

# The markers of the long tests, longest kind first (pyproject.toml declares them).
LONG_MARKERS = ("fuzz", "process", "browser")


def django_group(item: pytest.Item) -> int:
    """0: database, rolled back; 1: transactional; 2: no database (as pytest-django counts)."""
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in fixtures or "live_server" in fixtures
    uses_db = "db" in fixtures
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        transactional = transactional or transaction or reset_sequences
        uses_db = True
    if transactional:
        return 1
    return 0 if uses_db else 2


def length_rank(item: pytest.Item) -> int:
    for rank, name in enumerate(LONG_MARKERS):
        if item.get_closest_marker(name) is not None:
            return rank
    return len(LONG_MARKERS)


# Without a database, then rolled back, then transactional.
GROUP_ORDER = {2: 0, 0: 1, 1: 2}


def longest_first(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: (GROUP_ORDER[django_group(item)], length_rank(item)))
