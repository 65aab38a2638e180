"""The report tests' fixtures: a quarter of account changes in two units
(tests/support/reports.py)."""

import pytest

from tests.support import reports
from tests.support.reports import Scenario


@pytest.fixture(autouse=True)
def _province_built_in_september():
    """The `province` fixture's accounts are issued on 20/09/2026, in the third quarter."""
    with reports.province_built_in_september():
        yield


@pytest.fixture
def scenario(province) -> Scenario:
    return reports.build_scenario(province)
