"""The API tests' fixtures: tokens for every kind of caller (tests/support/api.py)."""

import pytest

from tests.support.api import Callers, build_callers


@pytest.fixture
def callers(province) -> Callers:
    return build_callers(province)
