"""Reporting periods are whole days in Vietnam time; document dates follow NĐ 30/2020."""

import datetime as dt

import pytest

from tests.support.reports import local
from vanban.accounts import services
from vanban.core.errors import ServiceError
from vanban.reports.pdf import document_date_line
from vanban.reports.periods import Period
from vanban.reports.selectors import province_name

UTC = dt.UTC


def test_quarter_bounds_are_local_midnights():
    q4 = Period.quarter(2026, 4)
    assert (q4.first, q4.last) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert q4.start == dt.datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    assert q4.end == dt.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert q4.label == "Từ ngày 01/10/2026 đến ngày 31/12/2026"
    assert (q4.name, q4.slug) == ("Quý IV năm 2026", "2026-q4")
    assert Period.quarter(2026, 1).last == dt.date(2026, 3, 31)


def test_month_year_and_custom():
    february = Period.month(2028, 2)
    assert (february.first, february.last, february.slug) == (
        dt.date(2028, 2, 1),
        dt.date(2028, 2, 29),
        "2028-02",
    )
    december = Period.month(2026, 12)
    assert december.end == dt.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert Period.year(2026).label == "Từ ngày 01/01/2026 đến ngày 31/12/2026"
    one_day = Period.custom(dt.date(2026, 11, 5), dt.date(2026, 11, 5))
    assert one_day.end - one_day.start == dt.timedelta(days=1)
    assert one_day.slug == "20261105-20261105"


def test_quarter_of_uses_the_vietnam_date():
    # 17:30 UTC on 31/12 is already 1 January in Vietnam.
    moment = dt.datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert Period.quarter_of(moment).slug == "2027-q1"
    assert Period.quarter_of(local(2026, 9, 30, 23, 59)).slug == "2026-q3"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Period.custom(dt.date(2026, 12, 31), dt.date(2026, 10, 1)),
            "Ngày kết thúc (01/10/2026) không được trước ngày bắt đầu (31/12/2026).",
        ),
        (lambda: Period.quarter(2026, 0), "Quý phải từ 1 đến 4."),
        (lambda: Period.month(2026, 13), "Tháng phải từ 1 đến 12."),
        (lambda: Period.year(1999), "Năm phải trong khoảng từ 2000 đến 2100."),
        (
            lambda: Period.custom(dt.date(2026, 1, 1), dt.date(9999, 12, 31)),
            "Năm phải trong khoảng từ 2000 đến 2100.",
        ),
    ],
)
def test_impossible_periods_are_refused(make, message):
    with pytest.raises(ServiceError) as error:
        make()
    assert error.value.message == message


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (dt.date(2026, 11, 25), "Bến Tre, ngày 25 tháng 11 năm 2026"),
        (dt.date(2020, 1, 5), "Bến Tre, ngày 05 tháng 01 năm 2020"),
        (dt.date(2027, 2, 28), "Bến Tre, ngày 28 tháng 02 năm 2027"),
        (dt.date(2026, 3, 9), "Bến Tre, ngày 09 tháng 3 năm 2026"),
    ],
)
def test_document_date_line(day, line):
    assert document_date_line(place="Bến Tre", day=day) == line


@pytest.mark.django_db
def test_province_name_is_the_root_unit_without_its_prefix(province):
    assert province_name() == "Bến Tre"
    services.unit_update(
        actor=province.province_admin,
        unit=province.root,
        name="Uỷ ban nhân dân tỉnh Vĩnh Long",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        is_active=True,
    )
    assert province_name() == "Vĩnh Long"
