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

from vanban.accounts.models import Unit, UnitRecord
from vanban.accounts.unit_history import successor_of, unit_for_code

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
