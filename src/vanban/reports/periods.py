"""Reporting periods: whole local days in Asia/Ho_Chi_Minh, turned into aware [start, end) bounds.

A report "for the fourth quarter" means 01/10 00:00 to 01/01 00:00 Vietnam time, not UTC: an event
at 23:30 on 31/12 local time belongs to the quarter even though it is 16:30 UTC.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vanban.core.errors import ServiceError
from vanban.core.text import format_date_vi

REPORT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MIN_YEAR = 2000
MAX_YEAR = 2100
ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(f"Năm phải trong khoảng từ {MIN_YEAR} đến {MAX_YEAR}.", field=field)


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware instant at which `day` begins in Vietnam."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=REPORT_TZ)


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included."""

    first: dt.date
    last: dt.date
    name: str
    slug: str

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the first instant after the period."""
        return local_midnight(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        return f"Từ ngày {format_date_vi(self.first)} đến ngày {format_date_vi(self.last)}"

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        _check_year(year, "year")
        if not 1 <= month <= 12:
            raise ServiceError("Tháng phải từ 1 đến 12.", field="month")
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(
            first,
            following - dt.timedelta(days=1),
            f"Tháng {month} năm {year}",
            f"{year}-{month:02d}",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        _check_year(year, "year")
        if quarter not in ROMAN_QUARTERS:
            raise ServiceError("Quý phải từ 1 đến 4.", field="quarter")
        first = dt.date(year, 3 * quarter - 2, 1)
        following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(
            first,
            following - dt.timedelta(days=1),
            f"Quý {ROMAN_QUARTERS[quarter]} năm {year}",
            f"{year}-q{quarter}",
        )

    @classmethod
    def year(cls, year: int) -> "Period":
        _check_year(year, "year")
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"Năm {year}", str(year))

    @classmethod
    def custom(cls, first: dt.date, last: dt.date) -> "Period":
        _check_year(first.year, "start")
        _check_year(last.year, "end")
        if last < first:
            raise ServiceError(
                f"Ngày kết thúc ({format_date_vi(last)}) không được trước ngày bắt đầu "
                f"({format_date_vi(first)}).",
                field="end",
            )
        label = f"Từ ngày {format_date_vi(first)} đến ngày {format_date_vi(last)}"
        return cls(first, last, label, f"{first:%Y%m%d}-{last:%Y%m%d}")

    @classmethod
    def quarter_of(cls, moment: dt.datetime) -> "Period":
        """The quarter that contains `moment` in Vietnam."""
        day = moment.astimezone(REPORT_TZ).date()
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)
