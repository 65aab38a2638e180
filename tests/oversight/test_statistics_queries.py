"""The statistics issue a fixed number of SQL queries, whatever the number of units, people and
days (R24; docs/oversight.md, "Speed: per-day aggregates")."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.province import add_unit, make_user
from vanban.accounts.models import AccountPolicy, Role
from vanban.core import clock
from vanban.oversight import statistics
from vanban.oversight.models import DailyLogin, DailyUsage
from vanban.oversight.statistics import Scope
from vanban.reports.periods import REPORT_TZ, Period

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=REPORT_TZ)
Q4 = Period.quarter(2026, 4)
# usage and usage_by_unit: the unit tree, the summed aggregates, the distinct people, and the
# point-in-time groups (accounts, the account policy, second factor, overdue, waiting).
USAGE_QUERIES = 8
# usage_series: the unit tree, the sums by day, the distinct people by day or month.
SERIES_QUERIES = 3


@pytest.fixture(autouse=True)
def _now():
    AccountPolicy.current()  # the policy's row exists, as in every running deployment
    with clock.frozen(NOW):
        yield


def grow(province, n: int) -> None:
    """`n` more units under the Sở Nội vụ, each with two people, a sub-unit and a quarter of
    aggregates with logins."""
    for i in range(n):
        unit = add_unit(
            f"Phòng {i}", "P", f"phong{n}x{i}", f"{100 + i:03d}.{n:02d}.05.H07", province.snv
        )
        sub = add_unit(f"Tổ {i}", "T", f"to{n}x{i}", f"{100 + i:03d}.{n:02d}.06.H07", unit)
        people = [
            make_user(unit, f"Người Thứ {i}", (Role.STAFF,)),
            make_user(sub, f"Người Khác {i}", (Role.UNIT_ADMIN,)),
        ]
        days = [Q4.first + dt.timedelta(days=d) for d in range(0, 60, 3)]
        DailyUsage.objects.bulk_create(
            DailyUsage(unit=u, day=day, logins=2, incoming_registered=3)
            for day in days
            for u in (unit, sub)
        )
        DailyLogin.objects.bulk_create(
            DailyLogin(unit=person.unit, day=day, user=person) for day in days for person in people
        )


def counted(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def calls(province):
    return {
        "usage province": lambda: statistics.usage(scope=Scope.province(), period=Q4),
        "usage unit": lambda: statistics.usage(scope=Scope.of_unit(province.snv), period=Q4),
        "usage level": lambda: statistics.usage(scope=Scope.of_level(2), period=Q4),
        "by unit top": lambda: statistics.usage_by_unit(parent=None, period=Q4),
        "by unit": lambda: statistics.usage_by_unit(parent=province.root, period=Q4),
        "by unit deep": lambda: statistics.usage_by_unit(parent=province.snv, period=Q4),
        "series by day": lambda: statistics.usage_series(
            scope=Scope.province(), period=Q4, step="day"
        ),
        "series by month": lambda: statistics.usage_series(
            scope=Scope.of_unit(province.snv), period=Q4, step="month"
        ),
    }


def test_the_number_of_queries_does_not_grow_with_units_people_or_days(province):
    grow(province, 2)
    small = {name: counted(call) for name, call in calls(province).items()}
    grow(province, 25)
    large = {name: counted(call) for name, call in calls(province).items()}
    assert small == large
    assert {name: n for name, n in large.items() if not name.startswith("series")} == {
        name: USAGE_QUERIES for name in large if not name.startswith("series")
    }
    assert large["series by day"] == large["series by month"] == SERIES_QUERIES


def test_the_grown_figures_add_up(province):
    grow(province, 4)
    figures = statistics.usage(scope=Scope.of_unit(province.snv), period=Q4)
    assert figures.logins == 4 * 2 * 20 * 2
    assert figures.incoming_registered == 4 * 2 * 20 * 3
    assert figures.active_people == 8
    rows = dict(statistics.usage_by_unit(parent=province.snv, period=Q4))
    assert len(rows) == 4
    assert {f.logins for f in rows.values()} == {2 * 20 * 2}
    assert {f.active_people for f in rows.values()} == {2}
    by_month = statistics.usage_series(scope=Scope.of_unit(province.snv), period=Q4, step="month")
    assert [day for day, _ in by_month] == [dt.date(2026, m, 1) for m in (10, 11, 12)]
    assert sum(f.incoming_registered for _, f in by_month) == figures.incoming_registered
    assert [f.active_people for _, f in by_month] == [8, 8, 0]


def test_who_sees_which_units(province):
    """R7, R24: the province administrator sees the province; a unit administrator the units
    they administer and the units below them; a specialist nothing."""
    below = add_unit("Phòng Tổ chức", "TC", "tcsnv", "120.00.05.H07", province.snv)
    assert statistics.visible_units(province.province_admin) is None
    assert statistics.visible_units(province.admin_snv) == [province.snv]
    assert statistics.visible_units(province.staff_snv) == []
    assert statistics.may_see(province.admin_snv, Scope.of_unit(below))
    assert not statistics.may_see(province.admin_snv, Scope.of_unit(province.stttt))
    assert not statistics.may_see(province.admin_snv, Scope.province())
    assert statistics.default_scope(province.admin_snv) == Scope.of_unit(province.snv)
    assert statistics.default_scope(province.province_admin) == Scope.province()
    rows = statistics.usage_of_units(units=[province.snv], period=Q4)
    assert [unit for unit, _ in rows] == [province.snv]
    assert rows[0][1] == statistics.usage(scope=Scope.of_unit(province.snv), period=Q4)
