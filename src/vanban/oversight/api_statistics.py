"""`/api/v1/oversight/usage`: the usage statistics (R24; Art. 8.5, 11.1.đ, 11.2.b) as JSON, the same
figures as `vanban.oversight.statistics` for a scope and a period, by unit and by day or month.

As the pages: a unit administrator reads their units and the units below them, the province
administrator (at the Department) the whole province; anyone else is refused (403). A unit outside
the caller's units answers 404, as one that does not exist. Bad periods answer 400 with the
Vietnamese reason. Each endpoint only parses the request and calls the statistics service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.api import ERRORS, Id
from vanban.core.errors import NotFound
from vanban.reports.periods import MAX_YEAR, MIN_YEAR, Period

from . import statistics
from .statistics import FIGURE_LABELS, Scope, UsageFigures
from .statistics_build import aggregated_until

router = Router(tags=["Thống kê sử dụng"])


# ---------------------------------------------------------------- schemas


class UsageQuery(Schema):
    period: Literal["month", "quarter", "year", "custom"] = Field(
        "quarter",
        description="Kỳ: month (tháng), quarter (quý), year (năm), custom (từ ngày đến ngày)",
    )
    year: int | None = Field(
        None, ge=MIN_YEAR, le=MAX_YEAR, description="Năm của kỳ (month, quarter, year)"
    )
    quarter: int | None = Field(None, ge=1, le=4, description="Quý, từ 1 đến 4 (period=quarter)")
    month: int | None = Field(None, ge=1, le=12, description="Tháng, từ 1 đến 12 (period=month)")
    start: dt.date | None = Field(None, description="Từ ngày, YYYY-MM-DD (period=custom)")
    end: dt.date | None = Field(None, description="Đến ngày, YYYY-MM-DD (period=custom)")
    unit: Id | None = Field(
        None,
        description="Mã số đơn vị: số liệu của đơn vị và các đơn vị trực thuộc. Để trống: toàn "
        "tỉnh (quản trị tỉnh) hoặc đơn vị mình quản trị",
    )
    level: int | None = Field(
        None,
        ge=1,
        le=4,
        description="Cấp đơn vị (1-4): mọi đơn vị cấp này và đơn vị trực thuộc (quản trị tỉnh)",
    )


class UnitsQuery(UsageQuery):
    parent: Id | None = Field(
        None,
        description="Mã số đơn vị cấp trên: mỗi dòng là một đơn vị trực thuộc. Để trống: đơn vị "
        "cấp cao nhất (quản trị tỉnh) hoặc các đơn vị mình quản trị",
    )


class SeriesQuery(UsageQuery):
    step: Literal["day", "month"] = Field(
        "day", description="day (theo ngày) hoặc month (theo tháng)"
    )


FiguresOut: Any = create_model(
    "UsageFiguresOut",
    __base__=Schema,
    **{  # type: ignore[call-overload]
        name: (
            float | None if name.endswith(("_days", "_share")) else int | None,
            Field(description=label),
        )
        for name, label in FIGURE_LABELS.items()
    },
)


class PeriodOut(Schema):
    first: dt.date = Field(description="Ngày đầu kỳ")
    last: dt.date = Field(description="Ngày cuối kỳ")
    name: str


class ScopeOut(Schema):
    kind: str = Field(description="province (toàn tỉnh), unit (đơn vị và trực thuộc), level (cấp)")
    unit_id: int | None
    level: int | None
    label: str


class UnitRef(Schema):
    id: int
    name: str
    level: int
    parent_id: int | None


class UsageOut(Schema):
    scope: ScopeOut
    period: PeriodOut
    aggregated_until: dt.date | None = Field(
        description="Số liệu trong kỳ tính đến hết ngày này; số liệu tại thời điểm hiện tại "
        "(tài khoản, đang quá hạn, đang chờ) luôn là số hiện tại"
    )
    figures: FiguresOut  # type: ignore[valid-type]


class UnitRowOut(Schema):
    unit: UnitRef
    figures: FiguresOut  # type: ignore[valid-type]


class UnitsOut(Schema):
    period: PeriodOut
    parent_id: int | None
    aggregated_until: dt.date | None
    rows: list[UnitRowOut]


class SeriesRowOut(Schema):
    day: dt.date = Field(description="Ngày, hoặc ngày đầu tháng khi thống kê theo tháng")
    figures: FiguresOut  # type: ignore[valid-type]


class SeriesOut(Schema):
    scope: ScopeOut
    period: PeriodOut
    step: str
    aggregated_until: dt.date | None
    rows: list[SeriesRowOut]


# ---------------------------------------------------------------- parsing


def _period(params: UsageQuery) -> Period:
    return statistics.period_from(
        params.period,
        year=params.year,
        quarter=params.quarter,
        month=params.month,
        start=params.start,
        end=params.end,
    )


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def _scope(user: User, params: UsageQuery) -> Scope:
    if params.unit is not None:
        scope = Scope.of_unit(_unit(params.unit))
    elif params.level is not None:
        scope = Scope.of_level(params.level)
    else:
        return statistics.default_scope(user)
    return statistics.access_scope(user, scope)


def _figures(figures: UsageFigures) -> dict[str, Any]:
    return figures.as_dict()


def _scope_out(scope: Scope) -> dict[str, Any]:
    return {
        "kind": scope.kind,
        "unit_id": scope.unit.pk if scope.unit is not None else None,
        "level": scope.level,
        "label": scope.label,
    }


def _period_out(period: Period) -> dict[str, Any]:
    return {"first": period.first, "last": period.last, "name": period.name}


def _unit_out(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "level": unit.level, "parent_id": unit.parent_id}


# ---------------------------------------------------------------- endpoints


@router.get("/usage", response={200: UsageOut, **ERRORS}, summary="Số liệu sử dụng của một phạm vi")
def usage(request: HttpRequest, params: Query[UsageQuery]) -> dict[str, Any]:
    """Every figure of the province, a unit with its sub-units, or a level, for a period
    (docs/oversight.md, "Usage statistics")."""
    user = request_user(request)
    scope = _scope(user, params)
    period = _period(params)
    figures = statistics.usage(scope=scope, period=period)
    return {
        "scope": _scope_out(scope),
        "period": _period_out(period),
        "aggregated_until": aggregated_until(),
        "figures": _figures(figures),
    }


@router.get(
    "/usage/units", response={200: UnitsOut, **ERRORS}, summary="Số liệu sử dụng theo đơn vị"
)
def usage_units(request: HttpRequest, params: Query[UnitsQuery]) -> dict[str, Any]:
    """One row per unit directly under `parent`, each with its sub-units' totals (drill-down)."""
    user = request_user(request)
    if params.parent is not None:
        parent = _unit(params.parent)
        statistics.access_scope(user, Scope.of_unit(parent))
        period = _period(params)
        rows = statistics.usage_by_unit(parent=parent, period=period)
    else:
        roots = statistics.visible_units(user)
        if roots == []:
            statistics.access_scope(user, Scope.province())  # refused: not an administrator
        period = _period(params)
        rows = (
            statistics.usage_by_unit(parent=None, period=period)
            if roots is None
            else statistics.usage_of_units(units=roots, period=period)
        )
    return {
        "period": _period_out(period),
        "parent_id": params.parent,
        "aggregated_until": aggregated_until(),
        "rows": [{"unit": _unit_out(unit), "figures": _figures(f)} for unit, f in rows],
    }


@router.get(
    "/usage/series",
    response={200: SeriesOut, **ERRORS},
    summary="Số liệu sử dụng theo ngày hoặc theo tháng",
)
def usage_series(request: HttpRequest, params: Query[SeriesQuery]) -> dict[str, Any]:
    """One row per day or month of the period; point-in-time figures are null there."""
    user = request_user(request)
    scope = _scope(user, params)
    period = _period(params)
    rows = statistics.usage_series(scope=scope, period=period, step=params.step)
    return {
        "scope": _scope_out(scope),
        "period": _period_out(period),
        "step": params.step,
        "aggregated_until": aggregated_until(),
        "rows": [{"day": day, "figures": _figures(f)} for day, f in rows],
    }
