"""Units in time: what a unit was called, which code it had and where it stood on a given day,
and which unit carries on an ended one.

Since 1 July 2025 (two-level local government; NQ 202/2025/QH15, QĐ 09/2025/QĐ-TTg) units of a
province are merged, renamed, moved and closed by legal decisions. A unit row is never deleted
nor rewritten without its past: its identity before a change is kept as a `UnitRecord` valid up
to the day before the change, an ended unit keeps its row (`end_date`, inactive) and its
successors are `UnitLink` rows. A document keeps pointing at the unit that registered or issued
it; `unit_facts_on(unit, day)` gives the name and code as they were that day.

Reading costs a fixed number of queries whatever the size of the tree: `units_on` reads the
units and their records in two queries; `successor_of` and `unit_for_code` read the links once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from .models import Unit, UnitChangeKind, UnitLink, UnitRecord


@dataclass(frozen=True)
class UnitFacts:
    """A unit as it was on one day."""

    unit_id: int
    name: str
    symbol: str
    abbreviation: str
    agency_code: str
    parent_id: int | None
    level: int
    start_date: dt.date | None
    end_date: dt.date | None

    @property
    def period(self) -> str:
        """ "01/01/2020 – 30/06/2025", "từ 01/07/2025", or "" when both ends are unknown."""
        start = f"{self.start_date:%d/%m/%Y}" if self.start_date else ""
        end = f"{self.end_date:%d/%m/%Y}" if self.end_date else ""
        if start and end:
            return f"{start} – {end}"
        if end:
            return f"đến {end}"
        return f"từ {start}" if start else ""


def exists_on(unit: Unit, day: dt.date) -> bool:
    """Whether `unit` existed on `day` (an empty start is "since before the records")."""
    return (unit.start_date is None or unit.start_date <= day) and (
        unit.end_date is None or day <= unit.end_date
    )


def _facts(unit: Unit, record: UnitRecord | None) -> UnitFacts:
    source: Unit | UnitRecord = record if record is not None else unit
    return UnitFacts(
        unit_id=unit.pk,
        name=source.name,
        symbol=source.symbol,
        abbreviation=source.abbreviation,
        agency_code=source.agency_code,
        parent_id=source.parent_id,
        level=source.level,
        start_date=unit.start_date,
        end_date=unit.end_date,
    )


def _record_on(records: Iterable[UnitRecord], day: dt.date) -> UnitRecord | None:
    """The record in force on `day`: the earliest one whose `valid_until` is on or after it."""
    best: UnitRecord | None = None
    for record in records:
        if record.valid_until >= day and (best is None or record.valid_until < best.valid_until):
            best = record
    return best


def unit_facts_on(unit: Unit, day: dt.date | None) -> UnitFacts:
    """`unit` as it was on `day` (its current identity when `day` is None or after every
    change). One query, none when the unit has no history prefetched as empty."""
    if day is None:
        return _facts(unit, None)
    records = unit.history.all()  # prefetch_related("history") makes this free
    return _facts(unit, _record_on(records, day))


def units_facts_on(items: Iterable[tuple[Unit, dt.date | None]]) -> list[UnitFacts]:
    """Each `(unit, day)` as `unit_facts_on` gives it, reading the records of all the units in
    one query (none when no day is given): a page that shows several units of their time (a
    document's unit and its issuing unit) costs one query, not one per unit."""
    pairs = list(items)
    days = [day for _unit, day in pairs if day is not None]
    by_unit: dict[int, list[UnitRecord]] = {}
    if days:
        for record in UnitRecord.objects.filter(
            unit__in={unit.pk for unit, day in pairs if day is not None},
            valid_until__gte=min(days),
        ):
            by_unit.setdefault(record.unit_id, []).append(record)
    return [
        _facts(unit, None if day is None else _record_on(by_unit.get(unit.pk, []), day))
        for unit, day in pairs
    ]


def units_on(day: dt.date) -> list[UnitFacts]:
    """The tree of `day`: every unit that existed that day, as it was then, by level and name.
    Two queries."""
    units = list(
        Unit.objects.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        )
    )
    by_unit: dict[int, list[UnitRecord]] = {}
    for record in UnitRecord.objects.filter(
        unit__in=[u.pk for u in units], valid_until__gte=day
    ).order_by("valid_until"):
        by_unit.setdefault(record.unit_id, []).append(record)
    facts = [_facts(u, _record_on(by_unit.get(u.pk, []), day)) for u in units]
    return sorted(facts, key=lambda f: (f.level, f.name, f.unit_id))


def _default_links() -> dict[int, int]:
    return dict(
        UnitLink.objects.filter(is_default=True).values_list("predecessor_id", "successor_id")
    )


def successor_of(unit: Unit) -> Unit | None:
    """The open unit that carries on `unit` by its default successors (itself when it is open;
    None when it ended without one). Two queries at most."""
    if unit.end_date is None and unit.is_active:
        return unit
    links = _default_links()
    seen = {unit.pk}
    current = unit.pk
    while current in links:
        current = links[current]
        if current in seen:  # a cycle is refused when links are written; never loop on one
            return None
        seen.add(current)
    if current == unit.pk:
        return None
    successor = Unit.objects.filter(pk=current).first()
    return successor if successor is not None and successor.end_date is None else None


def unit_for_code(code: str) -> Unit | None:
    """The open unit that answers for agency code `code` today: the open unit bearing it, else
    the successor of the ended unit that bore it, or of the unit that bore it before a change of
    code (QĐ 09/2025/QĐ-TTg: a closed code's documents and messages go to its successor)."""
    unit = Unit.objects.filter(agency_code=code, end_date__isnull=True, is_active=True).first()
    if unit is not None:
        return unit
    former = (
        Unit.objects.filter(Q(agency_code=code) | Q(history__agency_code=code))
        .distinct()
        .order_by("-end_date", "-pk")
        .first()
    )
    if former is None:
        return None
    return successor_of(former)


def code_is_closed(code: str) -> bool:
    """Whether `code` was a unit's code and is no longer any open unit's."""
    if Unit.objects.filter(agency_code=code, end_date__isnull=True, is_active=True).exists():
        return False
    return Unit.objects.filter(Q(agency_code=code) | Q(history__agency_code=code)).exists()


def unit_record_write(
    unit: Unit, *, valid_until: dt.date, kind: str, decision: str = ""
) -> UnitRecord:
    """Keep `unit`'s identity as it is now, valid up to `valid_until` (the day before a change
    takes effect). Writing the same day twice keeps the first record (re-running a plan)."""
    if kind not in UnitChangeKind.values:
        raise ValueError(kind)
    previous = (
        UnitRecord.objects.filter(unit=unit, valid_until__lt=valid_until)
        .order_by("-valid_until")
        .first()
    )
    record, _created = UnitRecord.objects.get_or_create(
        unit=unit,
        valid_until=valid_until,
        defaults={
            "valid_from": (
                previous.valid_until + dt.timedelta(days=1) if previous else unit.start_date
            ),
            "name": unit.name,
            "symbol": unit.symbol,
            "abbreviation": unit.abbreviation,
            "agency_code": unit.agency_code,
            "parent": unit.parent,
            "level": unit.level,
            "kind": kind,
            "decision": decision,
        },
    )
    return record


def predecessors_of(unit: Unit) -> list[UnitLink]:
    """The links to the units `unit` carries on, with them, oldest first. One query."""
    return list(unit.predecessor_links.select_related("predecessor").order_by("effective_date"))


def successors_of(unit: Unit) -> list[UnitLink]:
    """The links to the units that carry `unit` on, with them. One query."""
    return list(unit.successor_links.select_related("successor").order_by("-is_default", "pk"))


# ---------------------------------------------------------------- what a reorganisation hands over


@dataclass(frozen=True)
class Transfer:
    """One unit handed to its successor by a reorganisation plan (docs/reorganisation.md).

    `source` ends on `effective_date - 1` (merged, split, closed); for a rename or a move of one
    unit `source` is `target`. Every app that keeps something per unit has a module
    `<app>/reorganise.py` with `transfer_preview(transfer) -> list[PreviewLine]` (what would move,
    reading only) and `transfer_apply(transfer) -> dict[str, int]` (moves it, writes an audit
    event per change and a line in each document's timeline, and is idempotent: applied twice,
    the second run moves nothing and returns zeros)."""

    source: Unit
    target: Unit
    effective_date: dt.date
    decision: str
    plan_ref: str  # the plan's identifier, written into audit data and timelines
    actor: object | None = None  # the province administrator (a User), None for the installer
    # Per-item choices of the plan, "<kind>:<pk>" -> the unit that takes it instead of `target`
    # (kinds: processing, draft, delivery, inbound, user).
    overrides: tuple[tuple[str, int], ...] = ()

    @property
    def end_date(self) -> dt.date:
        return self.effective_date - dt.timedelta(days=1)

    @property
    def is_same_unit(self) -> bool:
        return self.source.pk == self.target.pk

    def target_for(self, kind: str, pk: int) -> int:
        """The unit id that takes item `kind:pk`: the plan's choice, else the target."""
        key = f"{kind}:{pk}"
        for item, unit_id in self.overrides:
            if item == key:
                return unit_id
        return self.target.pk


@dataclass(frozen=True)
class PreviewLine:
    """One line of a plan's preview: what kind of thing, how many, a few examples, and the
    conflicts that stop the plan (non-empty `conflicts` refuses the apply)."""

    label: str  # Vietnamese: "Văn bản đến đang xử lý", "Tài khoản", "Sổ văn bản năm 2025"
    count: int
    examples: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
