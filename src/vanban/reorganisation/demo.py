"""The demo's reorganisation of 1 July 2025 (docs/reorganisation.md, "The demo"): the plans of
`accounts.demo_plan` kept as plans of the deployment when the demo is loaded, so that the province
administrator finds them under Quản trị › Sắp xếp đơn vị, and applied in their order by `vanban
demo reorganise` (the same engine as the page and `vanban units reorganise`)."""

from __future__ import annotations

from vanban.accounts.demo_plan import demo_plans_2025

from .apply import ApplyResult, plan_apply, plan_create
from .models import ReorganisationPlan


def demo_plans_store() -> list[ReorganisationPlan]:
    """Keep the demo's plans (the communes' first, then the province's); a plan already kept
    (same title and decision) is not kept twice. Returns the plans in the order they apply."""
    plans = []
    for _name, data in demo_plans_2025():
        kept = ReorganisationPlan.objects.filter(
            title=data["title"], decision_number=data["decision"]["number"]
        ).first()
        plans.append(kept or plan_create(actor=None, data=data))
    return plans


def demo_plans_apply() -> list[ApplyResult]:
    """Apply the demo's plans in their order, as the installer; re-running applies nothing."""
    return [plan_apply(record, actor=None) for record in demo_plans_store()]
