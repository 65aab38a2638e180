"""The workflow tests' fixtures (tests/support/workflow.py): the clock stands at NOW, and a Sở
with two departments."""

import pytest

from tests.support import workflow
from tests.support.workflow import Work


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Every workflow test runs at NOW unless it moves the clock itself."""
    with workflow.fixed_clock():
        yield


@pytest.fixture
def work(office) -> Work:
    return workflow.build_work(office)
