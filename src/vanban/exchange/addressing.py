"""Which unit of ours a message addressed by agency code reaches (QĐ 09/2025/QĐ-TTg: a closed
code's documents and messages go to its successor; docs/reorganisation.md, "Codes, partners and
certificates").

Every door that looks up a recipient of ours by its code asks `recipient_for_code`: a package
from a partner system (To), a status message about a document we sent (ResponseFor), an agency
named by code among the recipients of an issued document. An open unit bearing the code answers
for it; a code that was an ended unit's, or a unit's former code (`UnitRecord`), reaches the unit
that carries it on (`accounts.unit_history.unit_for_code`), with a note in Vietnamese that says so
and that the reception, the delivery's trail and the sender see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from vanban.accounts.models import Unit, UnitRecord
from vanban.accounts.unit_history import (
    UnitFacts,
    exists_on,
    successor_of,
    unit_facts_on,
    unit_for_code,
)

READDRESSED_LABEL = "Chuyển cho đơn vị kế thừa"


@dataclass(frozen=True)
class Addressed:
    """The unit of ours that answers for `code`, and why when it is not the unit bearing it."""

    code: str
    unit: Unit
    note: str = ""  # empty when the code is the unit's own current code

    @property
    def readdressed(self) -> bool:
        return bool(self.note)


def _former_identity(code: str) -> tuple[str, dt.date | None, bool]:
    """The name that went with `code` when it was in use, the last day it was, and whether the
    unit bearing it ended (False: the unit lives on under another code). One or two queries."""
    unit = (
        Unit.objects.filter(agency_code=code)
        .exclude(end_date__isnull=True, is_active=True)
        .order_by("-end_date", "-pk")
        .first()
    )
    if unit is not None:
        return unit.name, unit.end_date, True
    record = UnitRecord.objects.filter(agency_code=code).order_by("-valid_until").first()
    if record is None:
        return "", None, False
    ended = record.unit.end_date is not None and record.unit.end_date <= record.valid_until
    return record.name, record.valid_until, ended


def readdress_note(code: str, unit: Unit) -> str:
    """ "Gửi đến mã đã đóng 000.00.00.H07 (Ủy ban nhân dân tỉnh Bến Tre, chấm dứt 30/06/2025);
    chuyển cho đơn vị kế thừa Ủy ban nhân dân tỉnh Vĩnh Long (000.00.00.H61)." """
    name, last_day, ended = _former_identity(code)
    facts = [name] if name else []
    if last_day is not None:
        facts.append(f"{'chấm dứt' if ended else 'dùng đến'} {last_day:%d/%m/%Y}")
    said = f" ({', '.join(facts)})" if facts else ""
    whom = "đơn vị kế thừa" if ended else "đơn vị nay mang mã mới"
    return f"Gửi đến mã đã đóng {code}{said}; chuyển cho {whom} {unit.name} ({unit.agency_code})."


def recipient_for_code(code: str) -> Addressed | None:
    """The open unit of ours that answers for `code` today, or None when the code is no unit's
    of this deployment (nor was) or its unit ended without a successor."""
    code = (code or "").strip()
    if not code:
        return None
    unit = unit_for_code(code)
    if unit is None:
        return None
    if unit.agency_code == code:
        return Addressed(code, unit)
    return Addressed(code, unit, readdress_note(code, unit))


def unit_now(unit: Unit) -> Addressed | None:
    """The open unit that carries on `unit` (itself when it is open), with the note when it is
    another one: a message about a document an ended unit sent reaches its successor."""
    if unit.end_date is None and unit.is_active:
        return Addressed(unit.agency_code, unit)
    successor = successor_of(unit)
    if successor is None:
        return None
    return Addressed(unit.agency_code, successor, readdress_note(unit.agency_code, successor))


def answered_codes() -> list[str]:
    """Every agency code messages may be addressed to here: our open units' codes, and the
    closed codes (of ended units, or former codes) that still reach a unit of ours. The gateway
    is asked for what waits for each (QĐ 09/2025/QĐ-TTg). A few queries."""
    codes = set(
        Unit.objects.filter(is_active=True, end_date__isnull=True)
        .exclude(agency_code="")
        .values_list("agency_code", flat=True)
    )
    closed = set(
        Unit.objects.exclude(is_active=True, end_date__isnull=True)
        .exclude(agency_code="")
        .values_list("agency_code", flat=True)
    ) | set(UnitRecord.objects.exclude(agency_code="").values_list("agency_code", flat=True))
    # A closed code is polled when a unit answers for it; each look-up is a few queries, and
    # the codes closed by a reorganisation are few.
    codes |= {code for code in closed - codes if unit_for_code(code) is not None}
    return sorted(codes)


# ---------------------------------------------------------------- the sender of a package


@dataclass(frozen=True)
class FormerIssuer:
    """A unit of ours that bore a closed code, as it was on a document's date, and the note the
    clerk reads on the registering form."""

    code: str
    unit: Unit
    facts: UnitFacts
    note: str


def _facts_bearing(unit: Unit, code: str, day: dt.date | None) -> tuple[UnitFacts, bool]:
    """`unit` as it was on `day` when it bore `code` then (True); else as it was the last time it
    bore `code` (False). The unit's records are prefetched: no query."""
    on_day = unit_facts_on(unit, day)
    if on_day.agency_code == code and (day is None or exists_on(unit, day)):
        return on_day, True
    if unit.agency_code == code:
        return unit_facts_on(unit, None), False
    last = max(
        (r.valid_until for r in unit.history.all() if r.agency_code == code),
        default=None,
    )
    return unit_facts_on(unit, last), False


def former_issuer(code: str, day: dt.date | None) -> FormerIssuer | None:
    """The unit of ours that sent a package under a code that is closed now (an ended unit's
    code, or a unit's former code kept in a `UnitRecord`), with its name and code as they were on
    the document's date `day` (QĐ 09/2025/QĐ-TTg; Appendix VI of NĐ 30/2020/NĐ-CP: the issuing
    body is written as the document gives it). None for a code an open unit bears, or no unit of
    ours ever bore. A few queries, whatever the number of units."""
    code = (code or "").strip()
    if not code or not _no_open_unit_bears(code):
        return None
    units = list(
        Unit.objects.filter(Q(agency_code=code) | Q(history__agency_code=code))
        .distinct()
        .prefetch_related("history")
    )
    best: tuple[tuple[bool, dt.date, int], Unit, UnitFacts] | None = None
    for unit in units:
        facts, on_day = _facts_bearing(unit, code, day)
        key = (on_day, unit.end_date or dt.date.max, unit.pk)
        if best is None or key > best[0]:
            best = (key, unit, facts)
    if best is None:
        return None
    _key, unit, facts = best
    when = (
        f"vào ngày văn bản ({day:%d/%m/%Y})"
        if day is not None
        else "khi còn mang mã này (gói không ghi ngày văn bản)"
    )
    if unit.end_date is not None or not unit.is_active:
        successor = successor_of(unit)
        ended = f", chấm dứt hoạt động {unit.end_date:%d/%m/%Y}" if unit.end_date else ""
        carried = (
            f"; đơn vị kế thừa: {successor.name} ({successor.agency_code})"
            if successor is not None
            else ""
        )
        whose = f"đơn vị đã kết thúc của hệ thống{ended}{carried}"
    else:
        whose = f"mã cũ của đơn vị nay là {unit.name} ({unit.agency_code})"
    note = (
        f"Cơ quan gửi mang mã đã đóng {code}: {facts.name} ({whose}). Tên và mã cơ quan ban hành "
        f"được điền theo đơn vị {when}."
    )
    return FormerIssuer(code=code, unit=unit, facts=facts, note=note)


def _no_open_unit_bears(code: str) -> bool:
    """Whether `code` is no open unit's code today. One query."""
    return not Unit.objects.filter(agency_code=code, end_date__isnull=True, is_active=True).exists()
