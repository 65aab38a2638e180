"""Units in time: a unit as it was on a day, the tree of a date, successors and closed codes."""

import datetime as dt

import pytest

from vanban.accounts import services
from vanban.accounts.models import Unit, UnitChangeKind, UnitLink
from vanban.accounts.unit_history import (
    Transfer,
    code_is_closed,
    exists_on,
    successor_of,
    unit_facts_on,
    unit_for_code,
    unit_record_write,
    units_on,
)

JUNE_30 = dt.date(2025, 6, 30)
JULY_1 = dt.date(2025, 7, 1)


def _unit(name: str, abbreviation: str, code: str, parent: Unit) -> Unit:
    return services.unit_create(
        actor=None,
        name=name,
        symbol=abbreviation.upper(),
        abbreviation=abbreviation,
        agency_code=code,
        parent=parent,
    )


def _end(unit: Unit, successor: Unit, *, default: bool = True) -> None:
    Unit.objects.filter(pk=unit.pk).update(end_date=JUNE_30, is_active=False)
    UnitLink.objects.create(
        predecessor=unit,
        successor=successor,
        kind=UnitChangeKind.MERGED,
        effective_date=JULY_1,
        decision="202/2025/QH15",
        is_default=default,
    )
    unit.refresh_from_db()


@pytest.fixture
def merged(province):
    """Sở TT&TT (H07) merged into a new Sở KH&CN on 1/7/2025."""
    skhcn = _unit("Sở Khoa học và Công nghệ", "skhcn", "000.00.14.H61", province.root)
    Unit.objects.filter(pk=skhcn.pk).update(start_date=JULY_1)
    skhcn.refresh_from_db()
    _end(province.stttt, skhcn)
    return province.stttt, skhcn


def test_a_renamed_unit_is_shown_as_it_was_on_an_earlier_day(province):
    unit = province.snv
    old_name, old_code = unit.name, unit.agency_code
    unit_record_write(unit, valid_until=JUNE_30, kind=UnitChangeKind.RENAMED, decision="1/QĐ")
    Unit.objects.filter(pk=unit.pk).update(
        name="Sở Nội vụ tỉnh Vĩnh Long", agency_code="000.00.05.H61"
    )
    unit.refresh_from_db()

    before = unit_facts_on(unit, dt.date(2025, 3, 1))
    after = unit_facts_on(unit, JULY_1)
    assert (before.name, before.agency_code) == (old_name, old_code)
    assert (after.name, after.agency_code) == ("Sở Nội vụ tỉnh Vĩnh Long", "000.00.05.H61")
    assert unit_facts_on(unit, None).name == "Sở Nội vụ tỉnh Vĩnh Long"
    # The old code is no open unit's any more, and answers for the same unit.
    assert code_is_closed(old_code)
    assert unit_for_code(old_code) == unit


def test_writing_the_same_record_twice_keeps_the_first(province):
    unit = province.snv
    first = unit_record_write(unit, valid_until=JUNE_30, kind=UnitChangeKind.RENAMED)
    Unit.objects.filter(pk=unit.pk).update(name="Tên mới")
    unit.refresh_from_db()
    again = unit_record_write(unit, valid_until=JUNE_30, kind=UnitChangeKind.RENAMED)
    assert again.pk == first.pk and again.name != "Tên mới"
    assert unit.history.count() == 1


def test_the_tree_of_a_date_shows_the_units_of_that_day(merged, province):
    stttt, skhcn = merged
    before = {f.unit_id for f in units_on(dt.date(2025, 6, 1))}
    after = {f.unit_id for f in units_on(JULY_1)}
    assert stttt.pk in before and skhcn.pk not in before
    assert skhcn.pk in after and stttt.pk not in after
    assert province.root.pk in before & after
    assert exists_on(stttt, JUNE_30) and not exists_on(stttt, JULY_1)


def test_the_tree_of_a_date_reads_two_queries_whatever_the_size(
    merged, province, django_assert_num_queries
):
    with django_assert_num_queries(2):
        small = units_on(JULY_1)
    for number in range(5):
        _unit(f"Phòng {number}", f"phong{number}", f"000.{number + 10:02d}.14.H61", merged[1])
    with django_assert_num_queries(2):
        large = units_on(JULY_1)
    assert len(large) == len(small) + 5


def test_a_closed_code_answers_with_its_successor(merged):
    stttt, skhcn = merged
    assert successor_of(stttt) == skhcn
    assert successor_of(skhcn) == skhcn
    assert unit_for_code("000.00.12.H07") == skhcn
    assert code_is_closed("000.00.12.H07")
    assert not code_is_closed("000.00.14.H61")
    assert unit_for_code("000.99.99.H99") is None


def test_successors_are_followed_through_two_reorganisations(merged, province):
    _stttt, skhcn = merged
    later = _unit("Sở Khoa học, Công nghệ và Đổi mới", "skhcndm", "000.00.15.H61", province.root)
    Unit.objects.filter(pk=skhcn.pk).update(end_date=dt.date(2026, 1, 1), is_active=False)
    UnitLink.objects.create(
        predecessor=skhcn,
        successor=later,
        kind=UnitChangeKind.MERGED,
        effective_date=dt.date(2026, 1, 2),
    )
    assert unit_for_code("000.00.12.H07") == later


def test_an_ended_unit_without_successor_has_none(province):
    Unit.objects.filter(pk=province.snv.pk).update(end_date=JUNE_30, is_active=False)
    province.snv.refresh_from_db()
    assert successor_of(province.snv) is None
    assert unit_for_code(province.snv.agency_code) is None


def test_a_transfer_names_the_unit_that_takes_each_item(merged, province):
    stttt, skhcn = merged
    transfer = Transfer(
        source=stttt,
        target=skhcn,
        effective_date=JULY_1,
        decision="202/2025/QH15",
        plan_ref="plan-1",
        overrides=(("processing:7", province.snv.pk),),
    )
    assert transfer.end_date == JUNE_30
    assert transfer.target_for("processing", 7) == province.snv.pk
    assert transfer.target_for("processing", 8) == skhcn.pk
    assert not transfer.is_same_unit
