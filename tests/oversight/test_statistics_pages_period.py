"""The period of the statistics pages (R24): month, quarter, year or dates dd/mm/yyyy; bad input
gets a clear Vietnamese message."""

import datetime as dt

import pytest

from tests.support.reports import local
from vanban.core import clock
from vanban.oversight.forms_statistics import StatisticsPeriodForm


def period_of(**query):
    form = StatisticsPeriodForm.for_query(query)
    assert form.is_valid(), form.errors
    return form.period, form.query()


def test_without_a_period_the_current_quarter():
    with clock.frozen(local(2026, 12, 7, 10)):
        period, query = period_of()
    assert (period.first, period.last, period.name) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "Quý IV năm 2026",
    )
    assert query == {"period": "quarter", "year": 2026, "quarter": 4}


@pytest.mark.parametrize(
    ("query", "first", "last", "name"),
    [
        (
            {"period": "month", "year": "2026", "month": "2"},
            (2026, 2, 1),
            (2026, 2, 28),
            "Tháng 2 năm 2026",
        ),
        (
            {"period": "quarter", "year": "2025", "quarter": "1"},
            (2025, 1, 1),
            (2025, 3, 31),
            "Quý I năm 2025",
        ),
        ({"period": "year", "year": "2026"}, (2026, 1, 1), (2026, 12, 31), "Năm 2026"),
        (
            {"period": "custom", "start": "05/11/2026", "end": "7/12/2026"},
            (2026, 11, 5),
            (2026, 12, 7),
            "Từ ngày 05/11/2026 đến ngày 07/12/2026",
        ),
    ],
)
def test_each_kind_of_period(query, first, last, name):
    period, canonical = period_of(**query)
    assert (period.first, period.last, period.name) == (dt.date(*first), dt.date(*last), name)
    # The canonical query gives the same period again (links of the drill-down, exports).
    assert period_of(**{k: str(v) for k, v in canonical.items()})[0] == period


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "week"}, "period", "Kỳ báo cáo không hợp lệ."),
        ({"period": "quarter", "year": "2026", "quarter": "5"}, "quarter", "Quý phải từ 1 đến 4."),
        ({"period": "month", "year": "2026", "month": "13"}, "month", "Tháng phải từ 1 đến 12."),
        ({"period": "year", "year": "hai nghìn"}, "year", "Năm không hợp lệ."),
        ({"period": "year", "year": "1990"}, "year", "Năm phải trong khoảng từ 2000 đến 2100."),
        ({"period": "custom", "end": "07/12/2026"}, "start", "Hãy nhập ngày bắt đầu."),
        ({"period": "custom", "start": "2026/12/07", "end": "07/12/2026"}, "start", "dd/mm/yyyy"),
        ({"period": "custom", "start": "31/02/2026", "end": "07/12/2026"}, "start", "31/02/2026"),
        (
            {"period": "custom", "start": "07/12/2026", "end": "01/12/2026"},
            "end",
            "Ngày kết thúc (01/12/2026) không được trước ngày bắt đầu (07/12/2026).",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(query, field, message):
    form = StatisticsPeriodForm.for_query(query)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors
