"""Reading the weekly work calendar: who may read which unit's weeks, the week page, the home
page's section (docs/agenda.md).

Everyone reads the published weeks of their own unit and of the units above it (a department's
people read the department's and the province's calendars); the office and the leaders of a
unit also see the entries being drafted. Readers only ever see the copy taken at publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.reports.pdf import document_date_line

from .models import AgendaWeek, WeekStatus
from .services import (
    EVENING,
    NOON,
    WEEKDAY_NAMES,
    entry_rows,
    is_clerk_of,
    is_leader_of,
    week_days,
    week_of,
)

PERIODS = (("morning", "Sáng"), ("afternoon", "Chiều"), ("evening", "Tối"))


def today() -> dt.date:
    return timezone.localdate(clock.now())


def readable_units(*, user: User) -> list[Unit]:
    """The person's unit and the units above it, nearest first: one query (four levels)."""
    if not user.is_authenticated or not user.is_active:
        return []
    unit: Unit | None = Unit.objects.select_related("parent__parent__parent").get(pk=user.unit_id)
    units = []
    while unit is not None:
        units.append(unit)
        unit = unit.parent
    return units


def access_unit(*, user: User, unit_id: int) -> Unit:
    """A unit whose calendar the person may read; `NotFound` for any other."""
    for unit in readable_units(user=user):
        if unit.pk == unit_id:
            return unit
    raise NotFound()


@dataclass
class EntryRow:
    """One engagement as shown, printed and exported."""

    uid: str
    day: dt.date
    start: dt.time
    end: dt.time | None
    place: str
    content: str
    leaders: list[str]
    attendees: str
    preparer: str
    note: str
    adjusted: bool = False
    pk: int | None = None  # the entry being drafted (edit links); None in the published copy

    @property
    def period(self) -> str:
        if self.start < NOON:
            return "morning"
        return "afternoon" if self.start < EVENING else "evening"

    @property
    def time_label(self) -> str:
        start = self.start.strftime("%H:%M")
        return f"{start} – {self.end:%H:%M}" if self.end else start

    @property
    def people(self) -> str:
        """Thành phần: the leaders, then the others."""
        return "; ".join([*self.leaders, *([self.attendees] if self.attendees else [])])


def row_of(data: dict[str, Any], *, pk: int | None = None) -> EntryRow:
    return EntryRow(
        uid=data["uid"],
        day=dt.date.fromisoformat(data["day"]),
        start=dt.time.fromisoformat(data["start"]),
        end=dt.time.fromisoformat(data["end"]) if data.get("end") else None,
        place=data.get("place", ""),
        content=data.get("content", ""),
        leaders=list(data.get("leaders", [])),
        attendees=data.get("attendees", ""),
        preparer=data.get("preparer", ""),
        note=data.get("note", ""),
        adjusted=bool(data.get("adjusted")),
        pk=pk,
    )


@dataclass
class PeriodBlock:
    key: str
    label: str
    rows: list[EntryRow]


@dataclass
class DayBlock:
    day: dt.date
    weekday: str
    is_today: bool
    periods: list[PeriodBlock]

    @property
    def rows(self) -> list[EntryRow]:
        return [row for period in self.periods for row in period.rows]

    @property
    def row_count(self) -> int:
        return max(1, len(self.rows))


def day_blocks(rows: list[EntryRow], days: list[dt.date], *, every_period: bool) -> list[DayBlock]:
    """Monday to Sunday, each split into "Sáng" and "Chiều" (and "Tối" when used), as
    Vietnamese calendars are laid out. `every_period` keeps the empty morning and afternoon."""
    now = today()
    blocks = []
    for day in days:
        periods = []
        for key, label in PERIODS:
            found = [r for r in rows if r.day == day and r.period == key]
            if found or (every_period and key != "evening"):
                periods.append(PeriodBlock(key=key, label=label, rows=found))
        blocks.append(
            DayBlock(
                day=day, weekday=WEEKDAY_NAMES[day.weekday()], is_today=day == now, periods=periods
            )
        )
    return blocks


@dataclass
class WeekPage:
    unit: Unit
    iso_year: int
    iso_week: int
    days: list[dt.date]
    week: AgendaWeek | None
    blocks: list[DayBlock]
    # "working": the entries being drafted (office and leaders); "published": the published copy
    showing: str
    can_draft: bool
    can_approve: bool
    units: list[Unit] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.week is not None and self.week.revision > 0

    @property
    def adjusted(self) -> bool:
        return self.week is not None and self.week.revision > 1

    @property
    def status_label(self) -> str:
        if self.week is None:
            return "Chưa soạn"
        return WeekStatus(self.week.status).label

    @property
    def previous(self) -> tuple[int, int]:
        return week_of(self.days[0] - dt.timedelta(days=7))

    @property
    def next(self) -> tuple[int, int]:
        return week_of(self.days[0] + dt.timedelta(days=7))

    @property
    def this_week(self) -> tuple[int, int]:
        return week_of(today())

    @property
    def has_rows(self) -> bool:
        return any(block.rows for block in self.blocks)


def published_rows(week: AgendaWeek | None) -> list[EntryRow]:
    if week is None or not week.revision:
        return []
    return [row_of(data) for data in week.published_entries]


def week_page(
    *, user: User, unit: Unit, iso_year: int, iso_week: int, published_only: bool = False
) -> WeekPage:
    """The week of `unit` for `user`, who may read it (`access_unit`): the published copy for
    readers; the entries being drafted for the unit's office and leaders (unless
    `published_only`). `NotFound` for a week that does not exist."""
    try:
        days = week_days(iso_year, iso_week)
    except ServiceError as exc:
        raise NotFound() from exc
    week = AgendaWeek.objects.filter(unit=unit, iso_year=iso_year, iso_week=iso_week).first()
    can_draft = is_clerk_of(user, unit)
    can_approve = is_leader_of(user, unit)
    if (can_draft or can_approve) and not published_only:
        showing = "working"
        rows: list[EntryRow] = []
        if week is not None:
            rows = [row_of(data, pk=pk) for pk, data in entry_rows(week)]
    else:
        showing = "published"
        rows = published_rows(week)
    return WeekPage(
        unit=unit,
        iso_year=iso_year,
        iso_week=iso_week,
        days=days,
        week=week,
        blocks=day_blocks(rows, days, every_period=True),
        showing=showing,
        can_draft=can_draft,
        can_approve=can_approve,
    )


def published_week(*, unit: Unit, iso_year: int, iso_week: int) -> AgendaWeek:
    """The published week, for the print and the iCalendar file; `NotFound` when the week was
    never published."""
    week = (
        AgendaWeek.objects.filter(unit=unit, iso_year=iso_year, iso_week=iso_week, revision__gt=0)
        .select_related("unit__parent")
        .first()
    )
    if week is None:
        raise NotFound("Lịch công tác tuần này chưa được công bố.")
    return week


@dataclass
class ThisWeek:
    unit: Unit
    week: AgendaWeek
    blocks: list[DayBlock]


def this_week_for(*, user: User) -> list[ThisWeek]:
    """The published calendars of this week that the person reads (their unit's and those of the
    units above it), nearest unit first, for the home page: one query, whatever the units."""
    if not user.is_authenticated or not user.is_active:
        return []
    iso_year, iso_week = week_of(today())
    unit_id = user.unit_id
    # The unit itself or one of its (at most three) ancestors: the tree has four levels.
    chain = (
        Q(unit_id=unit_id)
        | Q(unit__children__id=unit_id)
        | Q(unit__children__children__id=unit_id)
        | Q(unit__children__children__children__id=unit_id)
    )
    weeks = (
        AgendaWeek.objects.filter(chain, iso_year=iso_year, iso_week=iso_week, revision__gt=0)
        .select_related("unit")
        .distinct()
        .order_by("-unit__level", "unit_id")
    )
    days = week_days(iso_year, iso_week)
    found = []
    for week in weeks:
        blocks = [
            block
            for block in day_blocks(published_rows(week), days, every_period=False)
            if block.rows
        ]
        found.append(ThisWeek(unit=week.unit, week=week, blocks=blocks))
    return found


@dataclass
class PrintLine:
    """One line of the printed table: the day cell spans its lines, the period label is written
    on the first line of its period."""

    block: DayBlock | None  # on the first line of a day
    day_span: int
    period: str  # on the first line of a period
    row: EntryRow | None  # None: an empty morning or afternoon


def print_lines(blocks: list[DayBlock]) -> list[PrintLine]:
    lines = []
    for block in blocks:
        span = sum(max(1, len(period.rows)) for period in block.periods)
        first = True
        for period in block.periods:
            for n, row in enumerate(period.rows or [None]):
                lines.append(
                    PrintLine(
                        block=block if first else None,
                        day_span=span,
                        period=period.label if n == 0 else "",
                        row=row,
                    )
                )
                first = False
    return lines


def print_context(week: AgendaWeek) -> dict[str, Any]:
    """What the A4 print of a published week shows (agenda/week_pdf.html)."""
    days = week_days(week.iso_year, week.iso_week)
    blocks = day_blocks(published_rows(week), days, every_period=True)
    published = timezone.localdate(week.published_at) if week.published_at else None
    return {
        "unit": week.unit,
        "week": week,
        "first": days[0],
        "last": days[-1],
        "lines": print_lines(blocks),
        "adjusted": week.revision > 1,
        "date_line": document_date_line(place=week.unit.place_name, day=published),
    }
