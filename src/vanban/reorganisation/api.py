"""`/api/v1/reorganisation`: the units in time and the reorganisation plans (docs/reorganisation.md,
"Preparing and applying a plan"; docs/api.md). Province administrator only, as the pages (R7).

- `GET /units?on=YYYY-MM-DD`: the tree of a date, every unit as it was that day;
- `GET /units/{id}`: a unit's past identities, predecessors, successors and the open unit that
  carries it on today;
- `GET /plans`, `POST /plans` (the PLAN.json object as the body), `GET /plans/{id}`,
  `GET /plans/{id}/preview`, `POST /plans/{id}/apply`.
Each endpoint only parses the request and calls the same functions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema, Status

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.accounts.unit_history import (
    predecessors_of,
    successor_of,
    successors_of,
    unit_facts_on,
    units_on,
)
from vanban.core.api import ERRORS, Day, Id
from vanban.core.errors import AccessDenied, NotFound

from .apply import plan_apply, plan_create, plan_record_preview, today_local
from .models import ReorganisationPlan
from .preview import NOT_PROVINCE_ADMIN, PlanPreview
from .report import plan_report

router = Router(tags=["Sắp xếp đơn vị"])


def _province_admin(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_province_admin:
        raise AccessDenied(NOT_PROVINCE_ADMIN)
    return user


# ---------------------------------------------------------------- schemas


class TreeQuery(Schema):
    on: Day | None = Field(None, description="Ngày cần xem (YYYY-MM-DD); mặc định: hôm nay")


class UnitFactsOut(Schema):
    id: int
    name: str
    symbol: str
    abbreviation: str
    agency_code: str
    parent_id: int | None
    level: int
    start_date: dt.date | None
    end_date: dt.date | None


class TreeOut(Schema):
    on: dt.date
    units: list[UnitFactsOut]


class UnitRecordOut(Schema):
    valid_from: dt.date | None
    valid_until: dt.date
    name: str
    symbol: str
    abbreviation: str
    agency_code: str
    parent_id: int | None
    level: int
    kind: str
    decision: str


class UnitLinkOut(Schema):
    unit_id: int
    name: str
    agency_code: str
    kind: str
    effective_date: dt.date
    decision: str
    is_default: bool


class UnitHistoryOut(Schema):
    unit: UnitFactsOut
    history: list[UnitRecordOut] = Field(description="Tên, mã, cấp trên trước các lần thay đổi")
    predecessors: list[UnitLinkOut]
    successors: list[UnitLinkOut]
    carried_on_by: int | None = Field(
        description="Đơn vị đang hoạt động kế thừa đơn vị này hôm nay (chính nó khi còn hoạt động)"
    )


class PlanOut(Schema):
    id: int
    title: str
    decision_number: str
    decision_date: dt.date | None
    effective_date: dt.date
    state: str
    created_at: dt.datetime
    applied_at: dt.datetime | None
    plan: dict[str, Any]


class PreviewLineOut(Schema):
    label: str
    count: int
    examples: list[str]
    conflicts: list[str]
    warnings: list[str]


class SectionOut(Schema):
    label: str
    lines: list[PreviewLineOut]


class TransferOut(Schema):
    source: str
    target: str
    sections: list[SectionOut]


class PreviewOut(Schema):
    created: list[dict[str, Any]]
    ended: list[dict[str, Any]]
    renamed: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    transfers: list[TransferOut]
    conflicts: list[str]
    warnings: list[str]
    can_apply: bool


class GroupOut(Schema):
    key: str
    target_name: str
    target_code: str
    done: bool
    created: list[dict[str, Any]]
    ended: list[dict[str, Any]]
    renamed: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]


class ApplyOut(Schema):
    plan: PlanOut
    steps_done: int
    steps_skipped: int
    groups: list[GroupOut]


# ---------------------------------------------------------------- units in time


def _facts_out(facts: Any) -> dict[str, Any]:
    return {
        "id": facts.unit_id,
        "name": facts.name,
        "symbol": facts.symbol,
        "abbreviation": facts.abbreviation,
        "agency_code": facts.agency_code,
        "parent_id": facts.parent_id,
        "level": facts.level,
        "start_date": facts.start_date,
        "end_date": facts.end_date,
    }


@router.get("/units", response={200: TreeOut, **ERRORS}, summary="Cây đơn vị của một ngày")
def unit_tree(request: HttpRequest, params: Query[TreeQuery]) -> dict[str, Any]:
    """Mọi đơn vị tồn tại vào ngày `on`, với tên, mã và cấp trên của ngày đó."""
    _province_admin(request)
    day = params.on or today_local()
    return {"on": day, "units": [_facts_out(f) for f in units_on(day)]}


def _link_out(unit: Unit, link: Any) -> dict[str, Any]:
    return {
        "unit_id": unit.pk,
        "name": unit.name,
        "agency_code": unit.agency_code,
        "kind": link.kind,
        "effective_date": link.effective_date,
        "decision": link.decision,
        "is_default": link.is_default,
    }


@router.get(
    "/units/{unit_id}",
    response={200: UnitHistoryOut, **ERRORS},
    summary="Lịch sử, đơn vị tiền thân và đơn vị kế thừa của một đơn vị",
)
def unit_history(request: HttpRequest, unit_id: Id) -> dict[str, Any]:
    _province_admin(request)
    unit = Unit.objects.prefetch_related("history").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    carried = successor_of(unit)
    return {
        "unit": _facts_out(unit_facts_on(unit, None)),
        "history": [
            {
                "valid_from": r.valid_from,
                "valid_until": r.valid_until,
                "name": r.name,
                "symbol": r.symbol,
                "abbreviation": r.abbreviation,
                "agency_code": r.agency_code,
                "parent_id": r.parent_id,
                "level": r.level,
                "kind": r.kind,
                "decision": r.decision,
            }
            for r in unit.history.all()
        ],
        "predecessors": [_link_out(link.predecessor, link) for link in predecessors_of(unit)],
        "successors": [_link_out(link.successor, link) for link in successors_of(unit)],
        "carried_on_by": carried.pk if carried is not None else None,
    }


# ---------------------------------------------------------------- plans


def _plan_out(record: ReorganisationPlan) -> dict[str, Any]:
    return {
        "id": record.pk,
        "title": record.title,
        "decision_number": record.decision_number,
        "decision_date": record.decision_date,
        "effective_date": record.effective_date,
        "state": record.state,
        "created_at": record.created_at,
        "applied_at": record.applied_at,
        "plan": record.plan,
    }


def _plan(plan_id: int) -> ReorganisationPlan:
    record = ReorganisationPlan.objects.filter(pk=plan_id).first()
    if record is None:
        raise NotFound("Không tìm thấy kế hoạch sắp xếp đơn vị.")
    return record


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Preview rows with their units as names and codes (JSON)."""
    result = []
    for row in rows:
        item = dict(row)
        if isinstance(item.get("unit"), Unit):
            unit = item["unit"]
            item["unit"] = {"id": unit.pk, "name": unit.name, "agency_code": unit.agency_code}
        result.append(item)
    return result


def _preview_out(preview: PlanPreview) -> dict[str, Any]:
    transfers = [
        {
            "source": t.source.name,
            "target": t.target.name,
            "sections": [
                {
                    "label": label,
                    "lines": [
                        {
                            "label": line.label,
                            "count": line.count,
                            "examples": list(line.examples),
                            "conflicts": list(line.conflicts),
                            "warnings": list(line.warnings),
                        }
                        for line in lines
                    ],
                }
                for label, lines in t.sections
            ],
        }
        for step in preview.steps
        for t in step.transfers
    ]
    return {
        "created": _plain(preview.created),
        "ended": _plain(preview.ended),
        "renamed": _plain(preview.renamed),
        "moved": _plain(preview.moved),
        "transfers": transfers,
        "conflicts": preview.conflicts,
        "warnings": preview.warnings,
        "can_apply": preview.can_apply,
    }


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="Các kế hoạch")
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    _province_admin(request)
    return [_plan_out(r) for r in ReorganisationPlan.objects.all()[:200]]


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="Tải lên một kế hoạch")
def plan_upload(request: HttpRequest, payload: Body[dict[str, Any]]) -> Status[dict[str, Any]]:
    """Thân yêu cầu là nội dung PLAN.json. Kế hoạch được kiểm tra như trên trang; bị từ chối
    (400) với lý do bằng tiếng Việt."""
    actor = _province_admin(request)
    return Status(201, _plan_out(plan_create(actor=actor, data=payload)))


@router.get("/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="Một kế hoạch")
def plan_detail(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    _province_admin(request)
    return _plan_out(_plan(plan_id))


@router.get("/plans/{plan_id}/preview", response={200: PreviewOut, **ERRORS}, summary="Xem trước")
def plan_preview_view(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    actor = _province_admin(request)
    return _preview_out(plan_record_preview(_plan(plan_id), actor=actor))


@router.post("/plans/{plan_id}/apply", response={200: ApplyOut, **ERRORS}, summary="Áp dụng")
def plan_apply_view(request: HttpRequest, plan_id: Id) -> dict[str, Any]:
    """Áp dụng từ ngày có hiệu lực; gọi lại không thay đổi gì (steps_done = 0)."""
    actor = _province_admin(request)
    record = _plan(plan_id)
    result = plan_apply(record, actor=actor)
    report = plan_report(record)
    return {
        "plan": _plan_out(record),
        "steps_done": len(result.done),
        "steps_skipped": result.skipped,
        "groups": [
            {
                "key": g.key,
                "target_name": g.target_name,
                "target_code": g.target_code,
                "done": g.done,
                "created": g.created,
                "ended": g.ended,
                "renamed": g.renamed,
                "moved": g.moved,
                "counts": {label: dict(counts) for label, counts in g.counts},
            }
            for g in report.groups
        ],
    }
