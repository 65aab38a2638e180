"""The exchange across a reorganisation runs as the interoperability tests do: each test gets its
own empty storage and the clock stands at 25/11/2026, Vietnam time (tests/support/drafting.py).
`ended(unit, successor)` stands for what the reorganisation engine does to a unit that ends
(docs/reorganisation.md): its last day, inactive, and its default successor."""

import datetime as dt

import pytest

from tests.support import drafting
from tests.support.province import add_unit
from vanban.accounts.models import Unit, UnitChangeKind, UnitLink
from vanban.accounts.unit_history import unit_record_write

EFFECTIVE = dt.date(2025, 7, 1)
DECISION = "Nghị quyết 202/2025/QH15"
TRA_VINH_SNV = "000.00.05.H59"
TRA_VINH_SNV_NAME = "Sở Nội vụ tỉnh Trà Vinh"


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    drafting.own_storage(settings, tmp_path)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


def ended(unit: Unit, successor: Unit, *, kind: str = UnitChangeKind.MERGED) -> Unit:
    """`unit` ends on 30/06/2025 and `successor` carries it on (as the engine writes it)."""
    Unit.objects.filter(pk=unit.pk).update(
        end_date=EFFECTIVE - dt.timedelta(days=1), is_active=False
    )
    UnitLink.objects.create(
        predecessor=unit,
        successor=successor,
        kind=kind,
        effective_date=EFFECTIVE,
        decision=DECISION,
    )
    unit.refresh_from_db()
    return unit


def new_code(unit: Unit, code: str) -> Unit:
    """`unit` takes agency code `code` from 01/07/2025; its former identity is kept."""
    unit_record_write(
        unit, valid_until=EFFECTIVE - dt.timedelta(days=1), kind=UnitChangeKind.RENAMED
    )
    Unit.objects.filter(pk=unit.pk).update(agency_code=code)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def tra_vinh(team) -> Unit:
    """A department of the province merged on 1/7/2025 (open until the test ends it)."""
    return add_unit(TRA_VINH_SNV_NAME, "SNVTV", "snvtv", TRA_VINH_SNV, team.province.root)
