"""The organisation a certificate names, in time (CV 275/BCY-CTSBMTT: the certificates of a
reorganised agency have their information changed rather than being reissued, so documents keep
carrying signatures whose subject names the agency as it was).

A signature whose certificate names an ended unit, or a unit's past name (`UnitRecord`), verifies
as before: the organisation is not part of the verdict (`verify`). What the result adds is the
organisation's history, in Vietnamese, next to the organisation: "Tổ chức trong chứng thư: Sở
Thông tin và Truyền thông tỉnh Bến Tre — đã sáp nhập vào Sở Khoa học và Công nghệ tỉnh Vĩnh Long
từ 01/07/2025". Three queries at most for any number of signatures, none when none names an
organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from vanban.accounts.models import Unit, UnitChangeKind, UnitLink, UnitRecord
from vanban.core.text import nfc

_VERBS = {
    UnitChangeKind.MERGED: "đã sáp nhập vào",
    UnitChangeKind.SPLIT: "đã chia tách; đơn vị kế thừa:",
    UnitChangeKind.CLOSED: "đã chấm dứt hoạt động; đơn vị kế thừa:",
    UnitChangeKind.RENAMED: "nay là",
    UnitChangeKind.MOVED: "nay là",
    UnitChangeKind.CREATED: "nay là",
}


def _line(name: str, tail: str) -> str:
    return f"Tổ chức trong chứng thư: {name} — {tail}"


def _ended(name: str, unit: Unit, link: UnitLink | None) -> str:
    if link is not None:
        verb = _VERBS.get(UnitChangeKind(link.kind), "nay là")
        return _line(name, f"{verb} {link.successor.name} từ {link.effective_date:%d/%m/%Y}")
    if unit.end_date is not None:
        since = unit.end_date + dt.timedelta(days=1)
        return _line(name, f"đã chấm dứt hoạt động từ {since:%d/%m/%Y}")
    return _line(name, "không còn hoạt động")


def organisation_histories(names: Iterable[str]) -> dict[str, str]:
    """For each organisation name that is an ended unit's or a unit's past name (and no open
    unit's name today), the sentence of its history; other names are left out."""
    wanted = {nfc(n).strip() for n in names if n and n.strip()}
    if not wanted:
        return {}
    units = list(Unit.objects.filter(name__in=wanted))
    current = {u.name for u in units if u.end_date is None and u.is_active}
    # The latest-ended unit of a name wins (a name reused by two units in turn).
    ended = {
        u.name: u
        for u in sorted(units, key=lambda u: u.end_date or dt.date.min)
        if u.name not in current
    }
    records = list(
        UnitRecord.objects.filter(name__in=wanted - current - set(ended))
        .select_related("unit")
        .order_by("valid_until")
    )
    by_record: dict[str, UnitRecord] = {r.name: r for r in records}
    predecessors = [u.pk for u in ended.values()] + [r.unit_id for r in by_record.values()]
    links: dict[int, UnitLink] = {}
    if predecessors:
        links = {
            link.predecessor_id: link
            for link in UnitLink.objects.filter(
                predecessor__in=predecessors, is_default=True
            ).select_related("successor")
        }
    histories: dict[str, str] = {}
    for name, unit in ended.items():
        histories[name] = _ended(name, unit, links.get(unit.pk))
    for name, record in by_record.items():
        unit = record.unit
        if unit.end_date is None and unit.is_active:
            since = record.valid_until + dt.timedelta(days=1)
            histories[name] = _line(name, f"nay là {unit.name} từ {since:%d/%m/%Y}")
        else:
            histories[name] = _ended(name, unit, links.get(unit.pk))
    return histories


def with_organisation_history(signatures: Iterable[Any]) -> list[Any]:
    """The signatures of a report (dicts or `verify.SignatureCheck`), each given its
    `organisation_history` as it reads today."""
    items = list(signatures)
    histories = organisation_histories(_organisation(s) for s in items)
    for item in items:
        history = histories.get(nfc(_organisation(item)).strip(), "")
        if isinstance(item, dict):
            item["organisation_history"] = history
        else:
            item.organisation_history = history
    return items


def _organisation(item: Any) -> str:
    value = item.get("organisation", "") if isinstance(item, dict) else item.organisation
    return str(value or "")
