"""Reading and checking a reorganisation plan (PLAN.json, docs/reorganisation.md "The plan").

`plan_parse(data)` takes the JSON text (or the object already read) and returns a `Plan` whose
units are resolved against the deployment's tree, or raises `PlanError` with one Vietnamese
sentence naming the line or the unit at fault. Nothing is written. The checks follow the rules
of the 2025 reorganisation (NQ 202/2025/QH15, NQ 1687/NQ-UBTVQH15, QĐ 09/2025/QĐ-TTg): a unit
ends at most once, a successor stays open, codes and account abbreviations stay unique, the tree
keeps four levels (R1) and no cycle.

Reading costs a fixed number of queries whatever the size of the plan: every unit once, and
the codes units bore before.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vanban.accounts.models import ABBREVIATION_RE, MAX_UNIT_LEVEL, Unit, UnitRecord
from vanban.core.agency_codes import agency_code_problem
from vanban.core.errors import ServiceError
from vanban.core.text import nfc

CHANGE_KINDS = ("merge", "split", "rename", "move", "close")
CHANGE_LABELS = {
    "merge": "hợp nhất, sáp nhập",
    "split": "chia tách",
    "rename": "đổi tên",
    "move": "chuyển đơn vị cấp trên",
    "close": "chấm dứt hoạt động",
}
ITEM_KINDS = ("processing", "draft", "delivery", "inbound", "user")
ITEM_RE = re.compile(r"^([a-z]+):([1-9][0-9]{0,17})$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")
RENAME_FIELDS = ("name", "symbol", "abbreviation", "agency_code")
NEW_UNIT_TEXT_FIELDS = ("address", "email", "phone", "fax", "website", "place_name")
MAX_PLAN_BYTES = 2_000_000


class PlanError(ServiceError):
    """A plan refused: nothing was written; `message` names the line or the unit at fault."""


@dataclass(frozen=True)
class NewUnit:
    """A unit the plan creates, named in the plan by `key`."""

    key: str
    name: str
    symbol: str
    abbreviation: str
    agency_code: str
    parent: str  # a reference: an existing unit's agency code or another new unit's key
    extra: dict[str, str] = field(default_factory=dict)  # address, e-mail, place name...


@dataclass(frozen=True)
class Change:
    """One line of `changes`, its references checked (agency codes of existing units, keys of
    new ones). `number` is its place in the list, from 1."""

    number: int
    kind: str
    sources: tuple[str, ...] = ()  # merge: units; split, rename, move, close: (unit,)
    into: tuple[str, ...] = ()  # merge: (into,); split: into; close: (successor,) or ()
    default: str = ""  # the default successor (merge: into; split: default; close: successor)
    fields: dict[str, str] = field(default_factory=dict)  # rename: the new values
    parent: str = ""  # move: the new parent

    @property
    def label(self) -> str:
        return f"Thay đổi thứ {self.number} ({CHANGE_LABELS[self.kind]})"


@dataclass
class Plan:
    """A checked plan. `units` are the deployment's units by agency code, read once."""

    title: str
    decision_number: str
    decision_date: dt.date | None
    effective_date: dt.date
    new_units: list[NewUnit]
    changes: list[Change]
    items: dict[str, str]  # "<kind>:<id>" -> a reference
    units: dict[str, Unit]
    data: dict[str, Any]

    @property
    def end_date(self) -> dt.date:
        return self.effective_date - dt.timedelta(days=1)

    def is_new(self, ref: str) -> bool:
        return ref not in self.units

    def new_unit(self, ref: str) -> NewUnit:
        return next(n for n in self.new_units if n.key == ref)

    def name_of(self, ref: str) -> str:
        """The unit's name as the plan leaves it: a new unit's name, a renamed one's new name."""
        if self.is_new(ref):
            return self.new_unit(ref).name
        for change in self.changes:
            if change.kind == "rename" and change.sources[0] == ref and "name" in change.fields:
                return change.fields["name"]
        return self.units[ref].name


# ---------------------------------------------------------------- small readers


def _text(value: Any, where: str, what: str, *, required: bool = True, limit: int = 255) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise PlanError(f"{where}: “{what}” phải là một chuỗi ký tự.")
    text = " ".join(nfc(value).split())
    if required and not text:
        raise PlanError(f"{where}: thiếu “{what}”.")
    if len(text) > limit:
        raise PlanError(f"{where}: “{what}” dài quá {limit} ký tự.")
    return text


def _date(value: Any, where: str, what: str) -> dt.date:
    if not isinstance(value, str):
        raise PlanError(f"{where}: “{what}” phải là ngày dạng YYYY-MM-DD, ví dụ 2025-07-01.")
    try:
        if len(value.strip()) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PlanError(
            f"{where}: ngày “{value}” không hợp lệ; ghi dạng YYYY-MM-DD, ví dụ 2025-07-01."
        ) from None


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PlanError(f"{where} phải là một đối tượng JSON ({{...}}).")
    return value


def _list(value: Any, where: str, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanError(f"{where}: “{what}” phải là một danh sách ([...]).")
    return value


def _ref(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f"{where}: “{what}” phải là mã định danh của một đơn vị hoặc khóa (key).")
    return value.strip()


def plan_load(data: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """The plan file read as a JSON object, or `PlanError`."""
    if isinstance(data, dict):
        return _no_nul(data)
    if isinstance(data, bytes):
        if len(data) > MAX_PLAN_BYTES:
            raise PlanError("Tệp kế hoạch lớn quá 2 MB.")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanError("Tệp kế hoạch phải là văn bản UTF-8 (JSON).") from None
    try:
        loaded = json.loads(data)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"Tệp kế hoạch không phải JSON hợp lệ: dòng {exc.lineno}, cột {exc.colno} ({exc.msg})."
        ) from None
    return _no_nul(_object(loaded, "Kế hoạch"))


def _no_nul(loaded: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL cannot keep a NUL character in text or JSON."""
    if "\\u0000" in json.dumps(loaded):
        raise PlanError("Tệp kế hoạch có ký tự NUL (\\u0000), không lưu được.")
    return loaded


# ---------------------------------------------------------------- the parser


def plan_parse(data: str | bytes | dict[str, Any]) -> Plan:
    """The plan checked against the deployment's units, or `PlanError`."""
    raw = plan_load(data)
    title = _text(raw.get("title"), "Kế hoạch", "title")
    decision = _object(raw.get("decision"), "Mục “decision” (quyết định)")
    decision_number = _text(decision.get("number"), "Quyết định", "number", limit=100)
    decision_date = (
        _date(decision.get("date"), "Quyết định", "date")
        if decision.get("date") is not None
        else None
    )
    effective = _date(raw.get("effective_date"), "Kế hoạch", "effective_date")
    if decision_date is not None and decision_date > effective:
        raise PlanError(
            f"Ngày quyết định {decision_date:%d/%m/%Y} sau ngày có hiệu lực {effective:%d/%m/%Y}."
        )
    units = {u.agency_code: u for u in Unit.objects.all()}
    new_units = _new_units(raw.get("new_units"), units)
    keys = {n.key for n in new_units}
    changes = [
        _change(number, value, units, keys)
        for number, value in enumerate(_list(raw.get("changes"), "Kế hoạch", "changes"), 1)
    ]
    if not changes and not new_units:
        raise PlanError("Kế hoạch không có thay đổi nào (“changes” trống).")
    plan = Plan(
        title=title,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_date=effective,
        new_units=new_units,
        changes=changes,
        items={},
        units=units,
        data=raw,
    )
    _check_changes(plan)
    plan.items = _items(raw.get("items"), plan)
    _check_tree(plan)
    return plan


def _new_units(value: Any, units: dict[str, Unit]) -> list[NewUnit]:
    result: list[NewUnit] = []
    for number, item in enumerate(_list(value, "Kế hoạch", "new_units"), 1):
        where = f"Đơn vị mới thứ {number}"
        item = _object(item, where)
        key = item.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise PlanError(
                f"{where}: “key” phải gồm chữ, số, dấu chấm, gạch ngang hoặc gạch dưới "
                "(1 đến 60 ký tự)."
            )
        where = f"Đơn vị mới “{key}”"
        if key in units:
            raise PlanError(f"{where}: khóa trùng mã định danh của một đơn vị đã có.")
        if any(n.key == key for n in result):
            raise PlanError(f"{where}: khóa “{key}” được dùng hai lần.")
        name = _text(item.get("name"), where, "name")
        symbol = _text(item.get("symbol"), where, "symbol", limit=30)
        abbreviation = _text(item.get("abbreviation"), where, "abbreviation", limit=30)
        if not ABBREVIATION_RE.match(abbreviation):
            raise PlanError(
                f"{where}: tên viết tắt trong tài khoản “{abbreviation}” chỉ gồm chữ thường "
                "không dấu và chữ số (2 đến 30 ký tự)."
            )
        code = _text(item.get("agency_code"), where, "agency_code", limit=13).upper()
        problem = agency_code_problem(code)
        if problem:
            raise PlanError(f"{where}: {problem}")
        extra = {
            name_: _text(item.get(name_), where, name_, required=False)
            for name_ in NEW_UNIT_TEXT_FIELDS
            if item.get(name_) is not None
        }
        result.append(
            NewUnit(
                key=key,
                name=name,
                symbol=symbol,
                abbreviation=abbreviation,
                agency_code=code,
                parent=_ref(item.get("parent"), where, "parent"),
                extra=extra,
            )
        )
    return result


def _change(number: int, value: Any, units: dict[str, Unit], keys: set[str]) -> Change:
    where = f"Thay đổi thứ {number}"
    item = _object(value, where)
    kind = item.get("kind")
    if kind not in CHANGE_KINDS:
        raise PlanError(
            f"{where}: “kind” phải là một trong {', '.join(CHANGE_KINDS)} (đang là {kind!r})."
        )
    where = f"Thay đổi thứ {number} ({CHANGE_LABELS[kind]})"

    def existing(ref: Any, what: str) -> str:
        code = _ref(ref, where, what)
        if code not in units:
            if code in keys:
                raise PlanError(
                    f"{where}: “{code}” là đơn vị mới của kế hoạch; “{what}” phải là đơn vị đã có."
                )
            raise PlanError(f"{where}: không có đơn vị nào mang mã định danh “{code}”.")
        return code

    def any_unit(ref: Any, what: str) -> str:
        code = _ref(ref, where, what)
        if code not in units and code not in keys:
            raise PlanError(
                f"{where}: “{code}” không phải mã định danh của đơn vị đã có, cũng không phải "
                "khóa của đơn vị mới."
            )
        return code

    if kind == "merge":
        sources = tuple(existing(u, "units") for u in _list(item.get("units"), where, "units"))
        if not sources:
            raise PlanError(f"{where}: “units” phải có ít nhất một đơn vị.")
        if len(set(sources)) != len(sources):
            raise PlanError(f"{where}: một đơn vị được ghi hai lần trong “units”.")
        into = any_unit(item.get("into"), "into")
        if into in sources:
            raise PlanError(f"{where}: đơn vị “{into}” không thể sáp nhập vào chính nó.")
        return Change(number, kind, sources=sources, into=(into,), default=into)
    if kind == "split":
        source = existing(item.get("unit"), "unit")
        into_list = tuple(any_unit(u, "into") for u in _list(item.get("into"), where, "into"))
        if len(into_list) < 2:
            raise PlanError(f"{where}: “into” phải có ít nhất hai đơn vị (chia tách).")
        if len(set(into_list)) != len(into_list) or source in into_list:
            raise PlanError(f"{where}: “into” có đơn vị trùng nhau hoặc chính đơn vị bị chia tách.")
        default = _ref(item.get("default"), where, "default")
        if default not in into_list:
            raise PlanError(f"{where}: “default” ({default}) phải là một đơn vị của “into”.")
        return Change(number, kind, sources=(source,), into=into_list, default=default)
    if kind == "rename":
        source = existing(item.get("unit"), "unit")
        fields = {
            name: _text(item.get(name), where, name, limit=255 if name == "name" else 30)
            for name in RENAME_FIELDS
            if item.get(name) is not None
        }
        if "agency_code" in fields:
            fields["agency_code"] = fields["agency_code"].upper()
            problem = agency_code_problem(fields["agency_code"])
            if problem:
                raise PlanError(f"{where}: {problem}")
        if "abbreviation" in fields and not ABBREVIATION_RE.match(fields["abbreviation"]):
            raise PlanError(
                f"{where}: tên viết tắt trong tài khoản “{fields['abbreviation']}” chỉ gồm chữ "
                "thường không dấu và chữ số (2 đến 30 ký tự)."
            )
        unit = units[source]
        fields = {k: v for k, v in fields.items() if v != getattr(unit, k)}
        if not fields:
            raise PlanError(
                f"{where}: đơn vị “{source}” không có gì thay đổi (name, symbol, abbreviation, "
                "agency_code giống hiện tại)."
            )
        return Change(number, kind, sources=(source,), fields=fields)
    if kind == "move":
        source = existing(item.get("unit"), "unit")
        parent = any_unit(item.get("parent"), "parent")
        if parent == source:
            raise PlanError(f"{where}: đơn vị “{source}” không thể là cấp trên của chính nó.")
        if not units[source].parent_id:
            raise PlanError(f"{where}: không chuyển được đơn vị gốc của tỉnh “{source}”.")
        return Change(number, kind, sources=(source,), parent=parent)
    source = existing(item.get("unit"), "unit")
    successor = item.get("successor")
    if successor is None:
        return Change(number, kind, sources=(source,))
    successor = any_unit(successor, "successor")
    if successor == source:
        raise PlanError(f"{where}: đơn vị “{source}” không thể kế thừa chính nó.")
    return Change(number, kind, sources=(source,), into=(successor,), default=successor)


def ending_changes(plan: Plan) -> Iterable[Change]:
    return (c for c in plan.changes if c.kind in ("merge", "split", "close"))


def _check_changes(plan: Plan) -> None:
    """A unit ends at most once, is renamed or moved at most once, and is not both ended and
    renamed or moved; successors stay open; codes and abbreviations stay unique."""
    ending: dict[str, Change] = {}
    seen: dict[tuple[str, str], Change] = {}
    for change in plan.changes:
        for source in change.sources:
            unit = plan.units[source]
            if unit.end_date is not None or not unit.is_active:
                raise PlanError(
                    f"{change.label}: đơn vị “{unit.name}” ({source}) đã chấm dứt hoạt động "
                    "hoặc đang tạm ngừng."
                )
            group = "end" if change.kind in ("merge", "split", "close") else change.kind
            if group == "end":
                earlier = (
                    ending.get(source) or seen.get((source, "rename")) or seen.get((source, "move"))
                )
            else:
                earlier = seen.get((source, group)) or ending.get(source)
            if earlier is not None:
                raise PlanError(
                    f"{change.label}: đơn vị “{unit.name}” ({source}) đã có trong "
                    f"{earlier.label.lower()}; mỗi đơn vị chỉ có một thay đổi cùng loại và đơn vị "
                    "chấm dứt hoạt động không đổi tên, không chuyển."
                )
            seen[(source, group)] = change
            if group == "end":
                ending[source] = change
    # Successors, parents and targets stay open.
    for change in plan.changes:
        for ref in (*change.into, *((change.parent,) if change.parent else ())):
            if ref in ending:
                raise PlanError(
                    f"{change.label}: đơn vị “{plan.name_of(ref)}” ({ref}) cũng chấm dứt hoạt "
                    f"động theo {ending[ref].label.lower()}, không thể là đơn vị kế thừa hoặc "
                    "đơn vị cấp trên."
                )
            if not plan.is_new(ref):
                unit = plan.units[ref]
                if unit.end_date is not None or not unit.is_active:
                    raise PlanError(
                        f"{change.label}: đơn vị “{unit.name}” ({ref}) đã chấm dứt hoạt động hoặc "
                        "đang tạm ngừng."
                    )
    for new in plan.new_units:
        if new.parent == new.key:
            raise PlanError(f"Đơn vị mới “{new.key}” không thể là cấp trên của chính nó.")
        if new.parent not in plan.units and not any(n.key == new.parent for n in plan.new_units):
            raise PlanError(
                f"Đơn vị mới “{new.key}”: không có đơn vị cấp trên “{new.parent}” (mã định danh "
                "của đơn vị đã có hoặc khóa của đơn vị mới)."
            )
        if new.parent in ending:
            raise PlanError(
                f"Đơn vị mới “{new.key}”: đơn vị cấp trên “{new.parent}” chấm dứt hoạt động theo "
                f"{ending[new.parent].label.lower()}."
            )
        if not plan.is_new(new.parent) and plan.units[new.parent].end_date is not None:
            raise PlanError(
                f"Đơn vị mới “{new.key}”: đơn vị cấp trên “{new.parent}” đã chấm dứt hoạt động."
            )
    _check_unique(plan)


def _check_unique(plan: Plan) -> None:
    """Agency codes and account abbreviations once in the tree after the plan (QĐ 09/2025/QĐ-TTg:
    a closed code is not given to another unit)."""
    former_codes = dict(UnitRecord.objects.values_list("agency_code", "name"))
    renamed: dict[str, Change] = {
        c.sources[0]: c for c in plan.changes if c.kind == "rename"
    }  # unit code -> its rename
    for what, label in (("agency_code", "Mã định danh"), ("abbreviation", "Tên viết tắt")):
        taken: dict[str, str] = {}  # value -> who holds it after the plan
        for code, unit in plan.units.items():
            change = renamed.get(code)
            value = change.fields.get(what, getattr(unit, what)) if change else getattr(unit, what)
            taken[value] = f"đơn vị “{unit.name}” ({code})"
        # Past identities keep their codes (a closed or former code is never reused).
        used_before = {getattr(u, what): u for u in plan.units.values()}
        for new in plan.new_units:
            value = getattr(new, what)
            if value in used_before or value in taken:
                holder = taken.get(value) or f"đơn vị “{used_before[value].name}”"
                raise PlanError(
                    f"Đơn vị mới “{new.key}”: {label.lower()} “{value}” đã được dùng cho {holder}."
                )
            if what == "agency_code" and value in former_codes:
                raise PlanError(
                    f"Đơn vị mới “{new.key}”: mã định danh “{value}” là mã cũ của đơn vị "
                    f"“{former_codes[value]}”; mã đã dùng không cấp lại cho đơn vị khác."
                )
            taken[value] = f"đơn vị mới “{new.key}”"
        for code, change in renamed.items():
            value = change.fields.get(what)
            if value is None:
                continue
            holders = [c for c, u in plan.units.items() if getattr(u, what) == value and c != code]
            if holders:
                raise PlanError(
                    f"{change.label}: {label.lower()} “{value}” đã được dùng cho đơn vị "
                    f"“{plan.units[holders[0]].name}” ({holders[0]})."
                )
            clashes = [
                c for c, other in renamed.items() if c != code and other.fields.get(what) == value
            ]
            if clashes:
                raise PlanError(
                    f"{change.label}: {label.lower()} “{value}” được dùng hai lần trong kế hoạch."
                )


def _items(value: Any, plan: Plan) -> dict[str, str]:
    items = value if value is not None else {}
    if not isinstance(items, dict):
        raise PlanError('Mục “items” phải là một đối tượng JSON {"processing:123": "..."}.')
    ending = {s for c in ending_changes(plan) for s in c.sources}
    result: dict[str, str] = {}
    for item, ref in items.items():
        match = ITEM_RE.match(item)
        if match is None or match.group(1) not in ITEM_KINDS:
            raise PlanError(
                f"Mục “items”: “{item}” phải có dạng <loại>:<số>, loại là một trong "
                f"{', '.join(ITEM_KINDS)}."
            )
        if not isinstance(ref, str) or (
            ref not in plan.units and not any(n.key == ref for n in plan.new_units)
        ):
            raise PlanError(
                f"Mục “items”: “{item}” chuyển cho “{ref}”, không phải mã định danh của đơn vị "
                "đã có, cũng không phải khóa của đơn vị mới."
            )
        if ref in ending:
            raise PlanError(
                f"Mục “items”: “{item}” chuyển cho đơn vị “{ref}”, đơn vị này chấm dứt hoạt động."
            )
        if not plan.is_new(ref) and plan.units[ref].end_date is not None:
            raise PlanError(
                f"Mục “items”: “{item}” chuyển cho đơn vị “{ref}”, đơn vị này đã chấm dứt hoạt "
                "động."
            )
        result[item] = ref
    return result


def _check_tree(plan: Plan) -> None:
    """After the plan every open unit is at most on level 4 (R1) and no unit is its own
    ancestor; a renamed-only unit does not stay under a parent that ends."""
    ending = {s: c for c in ending_changes(plan) for s in c.sources}
    by_pk = {u.pk: code for code, u in plan.units.items()}
    parent: dict[str, str | None] = {
        code: by_pk.get(u.parent_id) if u.parent_id else None for code, u in plan.units.items()
    }
    for new in plan.new_units:
        parent[new.key] = new.parent
    moved = {c.sources[0]: c for c in plan.changes if c.kind == "move"}
    for code, change in moved.items():
        parent[code] = change.parent
    # Units the plan keeps open by naming them (renamed, a successor, a parent, a receiver of
    # items) do not stay under a parent that ends: the plan moves them.
    kept: dict[str, str] = {}
    for change in plan.changes:
        if change.kind == "rename":
            kept.setdefault(change.sources[0], change.label)
        for ref in (*change.into, *((change.parent,) if change.parent else ())):
            kept.setdefault(ref, change.label)
    for new in plan.new_units:
        kept.setdefault(new.parent, f"Đơn vị mới “{new.key}”")
    for item, ref in plan.items.items():
        kept.setdefault(ref, f"Mục “items” ({item})")
    for code, where in kept.items():
        if plan.is_new(code) or code in moved or code in ending:
            continue
        above = _ending_ancestor(code, parent, ending)
        if above is not None:
            raise PlanError(
                f"{where}: đơn vị “{plan.units[code].name}” ({code}) ở dưới đơn vị “"
                f"{plan.name_of(above)}” ({above}) chấm dứt hoạt động; hãy chuyển (move) đơn vị "
                f"“{code}” sang đơn vị cấp trên mới."
            )
    closed = {c for c, u in plan.units.items() if u.end_date is not None}
    for code in parent:
        if code in closed or code in ending:
            continue
        chain = [code]
        current = parent[code]
        while current is not None:
            if current in chain:
                raise PlanError(
                    f"Sau kế hoạch, đơn vị “{plan.name_of(code)}” ({code}) nằm trong một vòng "
                    "cấp trên – cấp dưới (chuyển đơn vị tạo vòng lặp)."
                )
            chain.append(current)
            current = parent.get(current)
        if len(chain) > MAX_UNIT_LEVEL and (
            code in moved or plan.is_new(code) or _below(code, moved, parent)
        ):
            raise PlanError(
                f"Sau kế hoạch, đơn vị “{plan.name_of(code)}” ({code}) ở cấp {len(chain)}; cây "
                f"đơn vị chỉ có tối đa {MAX_UNIT_LEVEL} cấp."
            )


def _ending_ancestor(
    code: str, parent: dict[str, str | None], ending: dict[str, Change]
) -> str | None:
    current = parent.get(code)
    seen: set[str] = set()
    while current is not None and current not in seen:
        if current in ending:
            return current
        seen.add(current)
        current = parent.get(current)
    return None


def _below(code: str, moved: dict[str, Change], parent: dict[str, str | None]) -> bool:
    current = parent.get(code)
    while current is not None:
        if current in moved:
            return True
        current = parent.get(current)
    return False


def new_unit_order(plan: Plan) -> list[NewUnit]:
    """New units, each after the new unit it stands under."""
    done: set[str] = set()
    ordered: list[NewUnit] = []
    pending = list(plan.new_units)
    while pending:
        ready = [n for n in pending if plan.units.get(n.parent) or n.parent in done]
        if not ready:  # cycles are refused by _check_tree; never loop
            break
        for new in ready:
            ordered.append(new)
            done.add(new.key)
            pending.remove(new)
    return ordered
