"""Keeping and applying a reorganisation plan (docs/reorganisation.md, "Preparing and applying a
plan"; NQ 202/2025/QH15, QĐ 09/2025/QĐ-TTg, CV 414/BNV-VTLTNN).

`plan_create` keeps an uploaded plan once it passes every check. `plan_apply` applies it on or
after its effective date, one transaction per step (preview.plan_schedule): a unit the plan
creates starts on the effective date; an ending unit ends the day before, becomes inactive and
gets its successor links; a renamed or moved unit keeps its identity of the day before as a
`UnitRecord`, then changes (the levels of its subtree follow a move); then every step module
hands over what it keeps for each transfer. Each step done is marked; running the apply again
skips the done steps and changes nothing. Every change is an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.accounts.models import MAX_UNIT_LEVEL, Unit, UnitChangeKind, UnitLink, User
from vanban.accounts.services import unit_create
from vanban.accounts.unit_history import Transfer, unit_record_write
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.text import fold

from .models import PlanState, ReorganisationPlan, ReorganisationStep
from .plan import PlanError, plan_parse
from .preview import (
    PlanPreview,
    Ref,
    plan_items,
    plan_preview,
    plan_schedule,
    require_province_admin,
)
from .steps import StepModule, step_modules


def today_local() -> dt.date:
    return timezone.localdate(clock.now())


def require_effective(effective_date: dt.date, today: dt.date | None = None) -> None:
    """A plan is applied on or after its effective date, never before (the units still exist
    until the day before)."""
    today = today or today_local()
    if today < effective_date:
        raise PlanError(
            f"Kế hoạch có hiệu lực từ ngày {effective_date:%d/%m/%Y}; chưa áp dụng được "
            f"trước ngày đó (hôm nay là {today:%d/%m/%Y})."
        )


def plan_create(*, actor: User | None, data: str | bytes | dict[str, Any]) -> ReorganisationPlan:
    """Keep an uploaded plan (not applied). Refused with the plan's first problem; nothing is
    written then."""
    require_province_admin(actor)
    plan = plan_parse(data)
    with transaction.atomic():
        record = ReorganisationPlan.objects.create(
            title=plan.title,
            decision_number=plan.decision_number,
            decision_date=plan.decision_date,
            effective_date=plan.effective_date,
            plan=plan.data,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="reorganisation.plan_create",
            target=record,
            data={
                "title": record.title,
                "decision": record.decision_number,
                "effective_date": record.effective_date.isoformat(),
            },
        )
    return record


def plan_record_preview(
    record: ReorganisationPlan, *, actor: User | None, modules: list[StepModule] | None = None
) -> PlanPreview:
    """The preview of a kept plan, checked against the tree as it is now."""
    require_province_admin(actor)
    return plan_preview(plan_parse(record.plan), actor=actor, plan_ref=record.ref, modules=modules)


@dataclass
class ApplyResult:
    plan: ReorganisationPlan
    done: list[ReorganisationStep] = field(default_factory=list)  # the steps this run did
    skipped: int = 0  # the steps done by an earlier run

    @property
    def changed(self) -> bool:
        return bool(self.done)


def plan_apply(
    record: ReorganisationPlan,
    *,
    actor: User | None,
    modules: list[StepModule] | None = None,
    today: dt.date | None = None,
) -> ApplyResult:
    """Apply `record` (see the module's doc). Refused before the effective date, when the plan no
    longer passes its checks, or when the preview shows a conflict; re-runnable."""
    require_province_admin(actor)
    require_effective(record.effective_date, today)
    modules = step_modules() if modules is None else modules
    if not record.schedule:
        plan = plan_parse(record.plan)
        preview = plan_preview(plan, actor=actor, plan_ref=record.ref, modules=modules)
        conflicts = preview.conflicts
        if conflicts:
            raise PlanError(
                f"Kế hoạch còn {len(conflicts)} vướng mắc cần xử lý trước khi áp dụng: "
                f"{conflicts[0]}"
            )
        record.schedule = {"steps": plan_schedule(plan), "items": plan_items(plan)}
        record.save(update_fields=["schedule"])
    result = ApplyResult(plan=record)
    done = set(record.steps.values_list("key", flat=True))
    runner = _Runner(record, actor=actor, modules=modules)
    for step in record.schedule["steps"]:
        if step["key"] in done:
            result.skipped += 1
            continue
        marked = runner.run(step)
        if marked is not None:
            result.done.append(marked)
        else:
            result.skipped += 1
    if record.state != PlanState.APPLIED:
        with transaction.atomic():
            record.state = PlanState.APPLIED
            record.applied_by = actor
            record.applied_at = clock.now()
            record.save(update_fields=["state", "applied_by", "applied_at"])
            audit_record(
                actor=actor,
                action="reorganisation.plan_apply",
                target=record,
                data={"title": record.title, "steps": len(record.schedule["steps"])},
            )
    return result


class _Runner:
    """Runs the steps of one plan, each in its own transaction."""

    def __init__(
        self, record: ReorganisationPlan, *, actor: User | None, modules: list[StepModule]
    ) -> None:
        self.record = record
        self.actor = actor
        self.modules = modules
        self.effective = record.effective_date
        self.end_date = record.effective_date - dt.timedelta(days=1)
        self.decision = record.decision_number

    # -- units by reference

    def unit(self, ref: Ref) -> Unit:
        if "unit" in ref:
            return Unit.objects.get(pk=ref["unit"])
        step = ReorganisationStep.objects.filter(plan=self.record, key=f"new:{ref['new']}").first()
        if step is None:  # the create steps come first; never reached on a kept schedule
            raise ServiceError(f"Đơn vị mới “{ref['new']}” chưa được tạo.")
        return Unit.objects.get(pk=step.result["unit_id"])

    def _audit(self, action: str, unit: Unit, data: dict[str, Any]) -> None:
        audit_record(
            actor=self.actor,
            action=action,
            unit=unit,
            target=unit,
            data={"plan": self.record.ref, "decision": self.decision, **data},
        )

    # -- one step

    def run(self, step: dict[str, Any]) -> ReorganisationStep | None:
        with transaction.atomic():
            ReorganisationPlan.objects.select_for_update().filter(pk=self.record.pk).first()
            if ReorganisationStep.objects.filter(plan=self.record, key=step["key"]).exists():
                return None  # done meanwhile by another run
            create = step["kind"] == "create"
            result = self._create(step["new"]) if create else self._target(step)
            return ReorganisationStep.objects.create(
                plan=self.record, key=step["key"], result=result
            )

    def _create(self, new: dict[str, Any]) -> dict[str, Any]:
        parent = self.unit(new["parent"])
        unit = unit_create(
            actor=self.actor,
            name=new["name"],
            symbol=new["symbol"],
            abbreviation=new["abbreviation"],
            agency_code=new["agency_code"],
            parent=parent,
            **new["extra"],
        )
        unit.start_date = self.effective
        unit.save(update_fields=["start_date"])
        self._audit(
            "reorganisation.unit_create",
            unit,
            {"start_date": self.effective.isoformat(), "agency_code": unit.agency_code},
        )
        return {
            "unit_id": unit.pk,
            "target": {"name": unit.name, "agency_code": unit.agency_code},
            "created": [
                {"name": unit.name, "agency_code": unit.agency_code, "parent_name": parent.name}
            ],
        }

    def _target(self, step: dict[str, Any]) -> dict[str, Any]:
        target = self.unit(step["target"]) if step["target"] else None
        result: dict[str, Any] = {
            "target": (
                {"name": target.name, "agency_code": target.agency_code} if target else None
            ),
            "ended": [],
            "renamed": [],
            "moved": [],
            "counts": {},
        }
        for end in step["ends"]:
            result["ended"].append(self._end(end))
        if target is not None and (step["rename"] or step["move"]):
            kind = UnitChangeKind.RENAMED if step["rename"] else UnitChangeKind.MOVED
            unit_record_write(target, valid_until=self.end_date, kind=kind, decision=self.decision)
            if step["rename"]:
                result["renamed"].append(self._rename(target, step["rename"]))
            if step["move"]:
                result["moved"].append(self._move(target, self.unit(step["move"]["parent"])))
            result["target"] = {"name": target.name, "agency_code": target.agency_code}
        items = self.record.schedule.get("items", {})
        for transfer in step["transfers"]:
            source = Unit.objects.get(pk=transfer["source"])
            handed = Transfer(
                source=source,
                target=self.unit(transfer["target"]),
                effective_date=self.effective,
                decision=self.decision,
                plan_ref=self.record.ref,
                actor=self.actor,
                overrides=tuple((item, self.unit(ref).pk) for item, ref in sorted(items.items())),
            )
            for module in self.modules:
                counts = module.module.transfer_apply(handed)
                section = result["counts"].setdefault(module.label, {})
                for name, count in counts.items():
                    section[name] = section.get(name, 0) + int(count)
        return result

    def _end(self, end: dict[str, Any]) -> dict[str, Any]:
        unit = Unit.objects.select_for_update().get(pk=end["unit"])
        unit.end_date = self.end_date
        unit.is_active = False
        unit.save(update_fields=["end_date", "is_active"])
        successors = []
        for link in end["links"]:
            successor = self.unit(link["successor"])
            UnitLink.objects.get_or_create(
                predecessor=unit,
                successor=successor,
                defaults={
                    "kind": end["kind"],
                    "effective_date": self.effective,
                    "decision": self.decision,
                    "decision_date": self.record.decision_date,
                    "is_default": link["is_default"],
                },
            )
            successors.append(successor.name)
        self._audit(
            "reorganisation.unit_end",
            unit,
            {
                "end_date": self.end_date.isoformat(),
                "kind": end["kind"],
                "by_rule": end["by_rule"],
                "successors": [link["successor"] for link in end["links"]],
            },
        )
        return {
            "name": unit.name,
            "agency_code": unit.agency_code,
            "kind": UnitChangeKind(end["kind"]).label,
            "by_rule": end["by_rule"],
            "parent_name": end["parent_name"],
            "successors": successors,
        }

    def _rename(self, unit: Unit, fields: dict[str, str]) -> dict[str, Any]:
        before = {name: getattr(unit, name) for name in fields}
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.search_text = fold(f"{unit.name} {unit.symbol} {unit.abbreviation} {unit.agency_code}")
        unit.save(update_fields=[*fields, "search_text"])
        self._audit("reorganisation.unit_rename", unit, {"before": before, "after": fields})
        return {"before": before, "after": dict(fields)}

    def _move(self, unit: Unit, parent: Unit) -> dict[str, Any]:
        before = unit.parent.name if unit.parent_id and unit.parent else ""
        before_level = unit.level
        unit.parent = parent
        unit.level = parent.level + 1
        if unit.level > MAX_UNIT_LEVEL:  # refused by the plan's checks; a changed tree since
            raise PlanError(
                f"Chuyển đơn vị “{unit.name}” làm đơn vị ở cấp {unit.level}; cây đơn vị chỉ có "
                f"tối đa {MAX_UNIT_LEVEL} cấp."
            )
        unit.save(update_fields=["parent", "level"])
        _levels_follow([unit])
        self._audit(
            "reorganisation.unit_move",
            unit,
            {
                "parent_before": before,
                "parent_after": parent.name,
                "level": unit.level,
                "level_before": before_level,
            },
        )
        return {"name": unit.name, "before": before, "after": parent.name, "level": unit.level}


def _levels_follow(units: Iterable[Unit]) -> None:
    """The sub-units of `units`, at every depth, one level below their parent (R1). One query
    per level of the tree."""
    current = list(units)
    while current:
        levels = {u.pk: u.level for u in current}
        children = list(Unit.objects.filter(parent__in=levels))
        for child in children:
            child.level = levels[child.parent_id] + 1  # type: ignore[index]
        Unit.objects.bulk_update(children, ["level"])
        current = children
