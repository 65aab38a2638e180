"""Building the per-day usage aggregates (R24): from the registers into DailyUsage and DailyLogin.

A day's rows are replaced as a whole in one transaction, so a rebuild is idempotent and a crash
leaves the previous rows. The nightly task builds yesterday and any day after the last built one;
`vanban stats rebuild --from --to` rebuilds any range (after an import of old documents).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.reports.periods import REPORT_TZ

from .models_statistics import DailyLogin, DailyUsage, UsageBuild
from .statistics_counts import ADDITIVE_FIELDS, day_counts, login_rows

# Days built per transaction: a month of a province is a few tens of thousands of rows.
CHUNK_DAYS = 31
BATCH = 2000
# The nightly task catches up at most this many missed days; older ones need the command.
CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class BuildRun:
    first: dt.date | None
    last: dt.date | None
    days: int
    unit_days: int
    person_days: int


def today_local() -> dt.date:
    return clock.now().astimezone(REPORT_TZ).date()


def usage_rebuild(*, first: dt.date, last: dt.date) -> BuildRun:
    """Counts every day from `first` to `last` (both included) again from the registers and
    replaces its aggregates; refused for a range in the wrong order or beyond today."""
    if last < first:
        raise ServiceError("Ngày kết thúc không được trước ngày bắt đầu.", field="to")
    if last > today_local():
        raise ServiceError("Không tính được số liệu của ngày chưa đến.", field="to")
    unit_days = person_days = 0
    day = first
    while day <= last:
        chunk_last = min(last, day + dt.timedelta(days=CHUNK_DAYS - 1))
        units, people = _build_chunk(day, chunk_last)
        unit_days += units
        person_days += people
        day = chunk_last + dt.timedelta(days=1)
    return BuildRun(first, last, (last - first).days + 1, unit_days, person_days)


def _build_chunk(first: dt.date, last: dt.date) -> tuple[int, int]:
    counted = day_counts(first=first, last=last)
    logins = login_rows(first=first, last=last)
    now = clock.now()
    with transaction.atomic():
        DailyUsage.objects.filter(day__gte=first, day__lte=last).delete()
        DailyLogin.objects.filter(day__gte=first, day__lte=last).delete()
        usage_rows = [
            DailyUsage(
                unit_id=unit_id,
                day=day,
                **{name: values.get(name, 0) for name in ADDITIVE_FIELDS},
            )
            for (unit_id, day), values in sorted(
                counted.items(), key=lambda kv: (kv[0][1], kv[0][0])
            )
            if any(values.values())
        ]
        DailyUsage.objects.bulk_create(usage_rows, batch_size=BATCH)
        DailyLogin.objects.bulk_create(
            [
                DailyLogin(day=day, unit_id=unit_id, user_id=user_id)
                for day, unit_id, user_id in logins
            ],
            batch_size=BATCH,
        )
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        UsageBuild.objects.filter(day__in=days).delete()
        UsageBuild.objects.bulk_create([UsageBuild(day=day, built_at=now) for day in days])
    return len(usage_rows), len(logins)


def usage_nightly() -> BuildRun:
    """The nightly build: yesterday, and every day after the last built one that was missed
    (a night the workers were down), at most CATCH_UP_DAYS back. Idempotent."""
    yesterday = today_local() - dt.timedelta(days=1)
    last_built = (
        UsageBuild.objects.filter(day__lt=yesterday)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    earliest = yesterday - dt.timedelta(days=CATCH_UP_DAYS - 1)
    first = (
        yesterday
        if last_built is None
        else max(earliest, min(yesterday, last_built + dt.timedelta(days=1)))
    )
    return usage_rebuild(first=first, last=yesterday)


def aggregated_until() -> dt.date | None:
    """The last day whose aggregates were built: the period figures are complete up to the end
    of that day (docs/oversight.md, "Freshness")."""
    day: dt.date | None = UsageBuild.objects.order_by("-day").values_list("day", flat=True).first()
    return day
