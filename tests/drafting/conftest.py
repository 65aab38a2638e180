"""The drafting tests' fixtures: each test gets its own empty storage and the clock stands at
25/11/2026, Vietnam time (tests/support/drafting.py)."""

import pytest

from tests.support import drafting


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    """Each test gets its own empty storage, so that it can count the files it stored."""
    drafting.own_storage(settings, tmp_path)


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Everything happens on 25/11/2026, Vietnam time."""
    with drafting.fixed_clock():
        yield
