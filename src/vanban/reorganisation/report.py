"""The report of what a plan moved (docs/reorganisation.md, "Preparing and applying a plan"):
per target unit, the units created, ended, renamed and moved and each step module's counts, read
from the steps done (ReorganisationStep.result), so it shows the names as they were when the
plan was applied. The PDF has the layout of an administrative report (NĐ 30/2020, Appendix I),
with the closing block every report shares (reports/_signature.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vanban.accounts.models import Unit
from vanban.reports.pdf import document_date_line, render_pdf
from vanban.reports.selectors import province_name

from .models import ReorganisationPlan
from .steps import count_label


@dataclass
class ReportGroup:
    key: str
    target_name: str
    target_code: str
    done: bool
    created: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    counts: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)


@dataclass
class PlanReport:
    plan: ReorganisationPlan
    groups: list[ReportGroup]

    @property
    def pending(self) -> int:
        return sum(1 for g in self.groups if not g.done)

    def total(self, what: str) -> int:
        return sum(len(getattr(g, what)) for g in self.groups)

    @property
    def totals(self) -> dict[str, int]:
        return {w: self.total(w) for w in ("created", "ended", "renamed", "moved")}


def plan_report(record: ReorganisationPlan) -> PlanReport:
    """The groups of the report, in the order of the steps. One query."""
    results = {s.key: s.result for s in record.steps.all()}
    groups = []
    for step in record.schedule.get("steps", []):
        result = results.get(step["key"])
        target = (result or {}).get("target") or {}
        name = (
            target.get("name") or step.get("target_name") or (step.get("new") or {}).get("name", "")
        )
        group = ReportGroup(
            key=step["key"],
            target_name=name or "(không có đơn vị kế thừa)",
            target_code=target.get("agency_code", ""),
            done=result is not None,
        )
        if result is not None:
            group.created = result.get("created", [])
            group.ended = result.get("ended", [])
            group.renamed = result.get("renamed", [])
            group.moved = result.get("moved", [])
            group.counts = [
                (label, [(count_label(key), n) for key, n in sorted(counts.items())])
                for label, counts in result.get("counts", {}).items()
            ]
        groups.append(group)
    return PlanReport(plan=record, groups=groups)


def plan_report_pdf_bytes(record: ReorganisationPlan) -> bytes:
    root = Unit.objects.filter(parent__isnull=True, end_date__isnull=True).order_by("pk").first()
    return render_pdf(
        "reorganisation/report_pdf.html",
        {
            "report": plan_report(record),
            "record": record,
            "unit": root,
            "document_symbol": "BC",
            "date_line": document_date_line(place=province_name()),
        },
    )
