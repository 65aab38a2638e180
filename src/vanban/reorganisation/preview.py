"""What a plan would do, step by step, before anything is written (docs/reorganisation.md,
"Preparing and applying a plan").

`plan_schedule(plan)` turns a checked `Plan` into its steps: first one step per unit the plan
creates (a new unit after the new unit it stands under), then one step per target unit (the unit
that carries others on, or the unit renamed or moved), then one per unit closed without a
successor. Every unit is named in a step by a reference, `{"unit": id}` for a unit of the
deployment or `{"new": key}` for a unit the plan creates, so the steps, kept with the plan when
it is first applied, are read again unchanged when the apply is run again.

The sub-units of an ending unit that the plan does not name end with it and go to its default
successor (the rule of docs/reorganisation.md "The plan"); a named one keeps its own change, a
moved one takes its subtree with it.

`plan_preview(plan, actor=...)` adds, for every transfer, the lines of each step module's
`transfer_preview` (steps.STEP_MODULES); any conflict stops the apply. In the preview a unit the
plan creates does not exist yet: it is an unsaved `Unit` with a negative id, which no query finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from vanban.accounts.models import Unit, User
from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.core.errors import AccessDenied

from .plan import Change, Plan, ending_changes, new_unit_order
from .steps import StepModule, step_modules

NOT_PROVINCE_ADMIN = "Chỉ quản trị tỉnh được lập, xem trước và áp dụng kế hoạch sắp xếp đơn vị."

LINK_KINDS = {"merge": "merged", "split": "split", "close": "closed"}
Ref = dict[str, Any]  # {"unit": id} or {"new": key}


def require_province_admin(actor: User | None) -> None:
    """Only the province administrator reorganises the province (R7); None is the installer."""
    if actor is not None and not actor.is_province_admin:
        raise AccessDenied(NOT_PROVINCE_ADMIN)


def ref_of(plan: Plan, name: str) -> Ref:
    return {"new": name} if plan.is_new(name) else {"unit": plan.units[name].pk}


def ref_key(ref: Ref) -> str:
    return f"new:{ref['new']}" if "new" in ref else f"unit:{ref['unit']}"


# ---------------------------------------------------------------- the steps


def _children(plan: Plan) -> dict[int, list[Unit]]:
    children: dict[int, list[Unit]] = {}
    for unit in plan.units.values():
        if unit.parent_id and unit.end_date is None:
            children.setdefault(unit.parent_id, []).append(unit)
    for units in children.values():
        units.sort(key=lambda u: (u.name, u.pk))
    return children


def _named(plan: Plan) -> set[str]:
    """Units the plan names in a change or as a receiver: they do not end by the rule."""
    names: set[str] = set()
    for change in plan.changes:
        names.update(change.sources)
        names.update(change.into)
        if change.parent:
            names.add(change.parent)
    names.update(plan.items.values())
    names.update(n.parent for n in plan.new_units)
    return names


def _by_rule(
    plan: Plan, unit: Unit, children: dict[int, list[Unit]], named: set[str]
) -> Iterator[Unit]:
    """The sub-units of `unit`, at any depth, that end with it by the rule."""
    for child in children.get(unit.pk, []):
        if child.agency_code in named:
            continue
        yield child
        yield from _by_rule(plan, child, children, named)


def _end(
    plan: Plan, change: Change, unit: Unit, *, by_rule: bool, parent: str = ""
) -> dict[str, Any]:
    kind = LINK_KINDS[change.kind]
    if by_rule:
        links = (
            [{"successor": ref_of(plan, change.default), "is_default": True}]
            if change.default
            else []
        )
    else:
        links = [
            {"successor": ref_of(plan, ref), "is_default": ref == change.default}
            for ref in change.into
        ]
    return {
        "unit": unit.pk,
        "name": unit.name,
        "agency_code": unit.agency_code,
        "kind": kind,
        "change": change.number,
        "by_rule": by_rule,
        "parent_name": parent,
        "links": links,
    }


def plan_schedule(plan: Plan) -> list[dict[str, Any]]:
    """The plan's steps, in the order they are applied (JSON-able; see the module's doc)."""
    steps: list[dict[str, Any]] = []
    for new in new_unit_order(plan):
        steps.append(
            {
                "key": f"new:{new.key}",
                "kind": "create",
                "target": {"new": new.key},
                "new": {
                    "key": new.key,
                    "name": new.name,
                    "symbol": new.symbol,
                    "abbreviation": new.abbreviation,
                    "agency_code": new.agency_code,
                    "parent": ref_of(plan, new.parent),
                    "extra": dict(new.extra),
                },
            }
        )
    children, named = _children(plan), _named(plan)
    targets: dict[str, dict[str, Any]] = {}

    def target_step(name: str) -> dict[str, Any]:
        ref = ref_of(plan, name)
        key = f"target:{name}"
        if key not in targets:
            targets[key] = {
                "key": key,
                "kind": "target",
                "target": ref,
                "target_name": plan.name_of(name),
                "ends": [],
                "rename": None,
                "move": None,
                "transfers": [],
            }
        return targets[key]

    closes: list[dict[str, Any]] = []
    for change in plan.changes:
        if change.kind in ("rename", "move"):
            code = change.sources[0]
            step = target_step(code)
            if change.kind == "rename":
                step["rename"] = dict(change.fields)
            else:
                step["move"] = {"parent": ref_of(plan, change.parent)}
            transfer = {"source": plan.units[code].pk, "target": ref_of(plan, code)}
            if transfer not in step["transfers"]:
                step["transfers"].append(transfer)
            continue
        for code in change.sources:
            unit = plan.units[code]
            ended = [_end(plan, change, unit, by_rule=False)]
            ended += [
                _end(plan, change, sub, by_rule=True, parent=unit.name)
                for sub in _by_rule(plan, unit, children, named)
            ]
            if change.default:
                step = target_step(change.default)
                step["ends"] += ended
                step["transfers"] += [
                    {"source": end["unit"], "target": ref_of(plan, change.default)} for end in ended
                ]
            else:
                closes.append(
                    {
                        "key": f"close:{code}",
                        "kind": "close",
                        "target": None,
                        "target_name": "",
                        "ends": ended,
                        "rename": None,
                        "move": None,
                        "transfers": [],
                    }
                )
    return [*steps, *targets.values(), *closes]


def plan_items(plan: Plan) -> dict[str, Ref]:
    return {item: ref_of(plan, name) for item, name in plan.items.items()}


# ---------------------------------------------------------------- the preview


@dataclass
class TransferPreview:
    source: Unit
    target: Unit
    sections: list[tuple[str, list[PreviewLine]]] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        return [c for _, lines in self.sections for line in lines for c in line.conflicts]

    @property
    def warnings(self) -> list[str]:
        return [w for _, lines in self.sections for line in lines for w in line.warnings]


@dataclass
class StepPreview:
    step: dict[str, Any]
    target: Unit | None
    transfers: list[TransferPreview] = field(default_factory=list)


@dataclass
class PlanPreview:
    plan: Plan
    steps: list[StepPreview]
    created: list[dict[str, Any]]
    ended: list[dict[str, Any]]
    renamed: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    warnings: list[str]

    @property
    def conflicts(self) -> list[str]:
        return [c for step in self.steps for t in step.transfers for c in t.conflicts]

    @property
    def can_apply(self) -> bool:
        return not self.conflicts


def preview_units(plan: Plan) -> dict[str, Unit]:
    """Every unit a step names, by `ref_key`: the deployment's units, and the units the plan
    creates as unsaved `Unit`s with negative ids."""
    units = {f"unit:{u.pk}": u for u in plan.units.values()}
    for index, new in enumerate(plan.new_units, 1):
        parent = units.get(ref_key(ref_of(plan, new.parent)))
        units[f"new:{new.key}"] = Unit(
            pk=-index,
            name=new.name,
            symbol=new.symbol,
            abbreviation=new.abbreviation,
            agency_code=new.agency_code,
            parent=parent,
            level=(parent.level + 1) if parent is not None else 1,
            start_date=plan.effective_date,
        )
    return units


def transfer_of(
    plan_ref: str,
    plan: Plan,
    source: Unit,
    target: Unit,
    units: dict[str, Unit],
    *,
    actor: User | None,
) -> Transfer:
    overrides = tuple(
        (item, units[ref_key(ref)].pk) for item, ref in sorted(plan_items(plan).items())
    )
    return Transfer(
        source=source,
        target=target,
        effective_date=plan.effective_date,
        decision=plan.decision_number,
        plan_ref=plan_ref,
        actor=actor,
        overrides=overrides,
    )


def plan_preview(
    plan: Plan,
    *,
    actor: User | None,
    plan_ref: str = "",
    modules: list[StepModule] | None = None,
) -> PlanPreview:
    """What `plan` would do: units created, ended (the rule's sub-units too), renamed, moved, and
    every step module's lines for each transfer. Reads only."""
    require_province_admin(actor)
    modules = step_modules() if modules is None else modules
    units = preview_units(plan)
    schedule = plan_schedule(plan)
    created, ended, renamed, moved, warnings = [], [], [], [], []
    steps: list[StepPreview] = []
    by_pk = {u.pk: u for u in plan.units.values()}
    for step in schedule:
        target = units[ref_key(step["target"])] if step["target"] else None
        preview = StepPreview(step=step, target=target)
        steps.append(preview)
        if step["kind"] == "create":
            new = step["new"]
            parent = units[ref_key(new["parent"])]
            created.append({**new, "parent_name": parent.name, "level": units[step["key"]].level})
            continue
        for end in step["ends"]:
            successors = [units[ref_key(link["successor"])].name for link in end["links"]]
            ended.append({**end, "successors": successors})
            if not end["links"]:
                warnings.append(
                    f"Đơn vị “{end['name']}” ({end['agency_code']}) chấm dứt hoạt động mà không có "
                    "đơn vị kế thừa: công việc đang mở của đơn vị (nếu có) sẽ không được chuyển."
                )
        unit = target
        if step["rename"] and unit is not None:
            renamed.append(
                {
                    "unit": unit,
                    "before": {k: getattr(unit, k) for k in step["rename"]},
                    "after": step["rename"],
                }
            )
        if step["move"] and unit is not None:
            parent = units[ref_key(step["move"]["parent"])]
            moved.append(
                {
                    "unit": unit,
                    "before": by_pk[unit.parent_id].name if unit.parent_id in by_pk else "",
                    "after": parent.name,
                    "level": parent.level + 1,
                }
            )
        for transfer in step["transfers"]:
            source = units[f"unit:{transfer['source']}"]
            target_unit = units[ref_key(transfer["target"])]
            handed = transfer_of(plan_ref, plan, source, target_unit, units, actor=actor)
            item = TransferPreview(source=source, target=target_unit)
            for module in modules:
                item.sections.append((module.label, list(module.module.transfer_preview(handed))))
            preview.transfers.append(item)
    return PlanPreview(
        plan=plan,
        steps=steps,
        created=created,
        ended=ended,
        renamed=renamed,
        moved=moved,
        warnings=warnings + [w for s in steps for t in s.transfers for w in t.warnings],
    )


def ending_units(plan: Plan) -> set[str]:
    return {s for c in ending_changes(plan) for s in c.sources}
