"""Usage statistics of the system (R24; Art. 8.5, 11.1.đ, 11.2.b of the provincial regulation).

The public interface that the oversight pages, the reform indicators, the scheduled reports and
the API read; docs/oversight.md ("Usage statistics") defines every figure.

- `UsageFigures`: every figure as a named field (frozen).
- `Scope`: the province (every unit), a unit with its sub-units, or every unit of one level.
- `usage(scope=..., period=...)`: the figures of a scope for a period.
- `usage_by_unit(parent=..., period=...)`: one row per child unit of `parent` (the root units
  when None), each with the totals of the child and its sub-units: the drill-down.
- `usage_series(scope=..., period=..., step=...)`: one row per day or month: the charts.
- `visible_units(user)`, `may_see(user, scope)`, `access_scope(user, scope)`: who sees what: a
  unit administrator their units and the units below them, the province administrator (at the
  Department) the whole province.

Counters of a period are read from the per-day aggregates (`DailyUsage`, `DailyLogin`), built
by the nightly task and `vanban stats rebuild`; the point-in-time figures (accounts, overdue now,
waiting) are counted live. Each function issues a fixed number of SQL queries, whatever the number
of units and documents.
"""

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Literal

from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.reports.periods import REPORT_TZ, Period

from . import statistics_counts as counts

Step = Literal["day", "month"]
STEPS: tuple[str, ...] = ("day", "month")
# A chart by day of more than a year is unreadable and slow to draw; by month, of ten years.
MAX_DAYS_BY_DAY = 366
MAX_DAYS_BY_MONTH = 3660
# The oldest day the statistics answer for: the system did not exist before.
FIRST_DAY = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class UsageFigures:
    """The usage figures of one scope and period (docs/oversight.md, "Usage statistics").

    Fields marked "now" are point-in-time: counted when asked, whatever the period; they are None
    in the rows of `usage_series`, where a past value is not known. Averages are None when
    nothing was counted. Everything else counts what happened within the period.
    """

    # Accounts (now; R3, R4, R6).
    accounts_active: int | None = 0
    accounts_locked: int | None = 0
    accounts_revoked: int | None = 0
    accounts_never_used: int | None = 0
    accounts_without_second_factor: int | None = 0
    # Logins (Art. 9.2.a: the system is used daily).
    logins: int = 0
    active_people: int = 0
    # Registered documents (R14, R16).
    incoming_registered: int = 0
    incoming_electronic: int = 0
    incoming_paper: int = 0
    outgoing_registered: int = 0
    outgoing_electronic: int = 0
    outgoing_paper: int = 0
    outgoing_issued_electronically: int = 0
    documents_signature_valid: int = 0
    # Processing of incoming documents (R18).
    processing_on_time: int = 0
    processing_late: int = 0
    processing_overdue_now: int | None = 0
    processing_seconds: int = 0
    processing_average_days: float | None = None
    # Drafting (R16).
    drafts_created: int = 0
    drafts_issued: int = 0
    draft_cycle_seconds: int = 0
    draft_average_cycle_days: float | None = None
    # Exchange inside the deployment (R15, Art. 8.5).
    exchange_local_sent: int = 0
    exchange_local_received: int = 0
    exchange_local_refused: int = 0
    exchange_local_refused_wrong_recipient: int = 0
    exchange_local_refused_invalid: int = 0
    exchange_local_waiting: int | None = 0
    exchange_local_status_back: int = 0
    # Exchange with partner systems (R15, Art. 8.5).
    exchange_partner_sent: int = 0
    exchange_partner_received: int = 0
    exchange_partner_refused: int = 0
    exchange_partner_waiting: int | None = 0
    exchange_partner_status_back: int = 0

    @property
    def processing_done(self) -> int:
        return self.processing_on_time + self.processing_late

    @property
    def signature_valid_share(self) -> float | None:
        """Documents with a valid digital signature among the electronic ones (R11)."""
        electronic = self.incoming_electronic + self.outgoing_electronic
        return self.documents_signature_valid / electronic if electronic else None

    def as_dict(self) -> dict[str, int | float | None]:
        """Every field, and the derived figures, by name (the API and the exports)."""
        values: dict[str, int | float | None] = {
            f.name: getattr(self, f.name) for f in fields(self)
        }
        values["processing_done"] = self.processing_done
        values["signature_valid_share"] = self.signature_valid_share
        return values


# The name of each figure as the pages, exports and the API documentation show it.
FIGURE_LABELS: dict[str, str] = {
    "accounts_active": "Tài khoản đang hoạt động",
    "accounts_locked": "Tài khoản đang tạm khóa",
    "accounts_revoked": "Tài khoản đã thu hồi",
    "accounts_never_used": "Tài khoản chưa đăng nhập lần nào",
    "accounts_without_second_factor": "Tài khoản bắt buộc xác thực hai bước nhưng chưa đăng ký",
    "logins": "Lượt đăng nhập",
    "active_people": "Số người đăng nhập",
    "incoming_registered": "Văn bản đến đã vào sổ",
    "incoming_electronic": "Văn bản đến điện tử",
    "incoming_paper": "Văn bản đến bản giấy",
    "outgoing_registered": "Văn bản đi đã vào sổ",
    "outgoing_electronic": "Văn bản đi điện tử",
    "outgoing_paper": "Văn bản đi bản giấy",
    "outgoing_issued_electronically": "Văn bản đi đã gửi qua hệ thống",
    "documents_signature_valid": "Văn bản có chữ ký số hợp lệ",
    "processing_on_time": "Văn bản đến xử lý xong đúng hạn",
    "processing_late": "Văn bản đến xử lý xong quá hạn",
    "processing_overdue_now": "Văn bản đến đang quá hạn xử lý",
    "processing_seconds": "Tổng thời gian xử lý (giây)",
    "processing_average_days": "Thời gian xử lý trung bình (ngày)",
    "drafts_created": "Dự thảo được tạo",
    "drafts_issued": "Dự thảo đã ban hành",
    "draft_cycle_seconds": "Tổng thời gian từ dự thảo đến ban hành (giây)",
    "draft_average_cycle_days": "Thời gian trung bình từ dự thảo đến ban hành (ngày)",
    "exchange_local_sent": "Văn bản gửi trong hệ thống",
    "exchange_local_received": "Văn bản nhận trong hệ thống",
    "exchange_local_refused": "Văn bản nhận trong hệ thống đã trả lại",
    "exchange_local_refused_wrong_recipient": "Trả lại vì gửi sai đơn vị nhận",
    "exchange_local_refused_invalid": "Trả lại vì văn bản không hợp lệ",
    "exchange_local_waiting": "Văn bản trong hệ thống đang chờ tiếp nhận",
    "exchange_local_status_back": "Trạng thái phản hồi về văn bản đã gửi trong hệ thống",
    "exchange_partner_sent": "Văn bản gửi hệ thống khác",
    "exchange_partner_received": "Văn bản nhận từ hệ thống khác",
    "exchange_partner_refused": "Văn bản nhận từ hệ thống khác đã từ chối",
    "exchange_partner_waiting": "Văn bản từ hệ thống khác đang chờ tiếp nhận",
    "exchange_partner_status_back": "Trạng thái phản hồi từ hệ thống khác",
    "processing_done": "Văn bản đến đã xử lý xong",
    "signature_valid_share": "Tỷ lệ văn bản điện tử có chữ ký số hợp lệ",
}


# The fields that count events of a period and add up across days and units (the columns of
# DailyUsage). `active_people` counts distinct people and the averages are derived: neither adds.
ADDITIVE_FIELDS: tuple[str, ...] = counts.ADDITIVE_FIELDS
POINT_IN_TIME_FIELDS: tuple[str, ...] = (
    "accounts_active",
    "accounts_locked",
    "accounts_revoked",
    "accounts_never_used",
    "accounts_without_second_factor",
    "processing_overdue_now",
    "exchange_local_waiting",
    "exchange_partner_waiting",
)


@dataclass(frozen=True)
class Scope:
    """Which units: the province (`kind="province"`), a unit with its sub-units
    (`kind="unit"`, `unit`), or every unit of one level (`kind="level"`, `level` 1-4)."""

    kind: Literal["province", "unit", "level"]
    unit: Unit | None = None
    level: int | None = None

    @classmethod
    def province(cls) -> "Scope":
        return cls("province")

    @classmethod
    def of_unit(cls, unit: Unit) -> "Scope":
        return cls("unit", unit=unit)

    @classmethod
    def of_level(cls, level: int) -> "Scope":
        if level not in (1, 2, 3, 4):
            raise ServiceError("Cấp đơn vị phải từ 1 đến 4.", field="level")
        return cls("level", level=level)

    @property
    def label(self) -> str:
        if self.kind == "unit" and self.unit is not None:
            return f"{self.unit.name} và các đơn vị trực thuộc"
        if self.kind == "level":
            return f"Các đơn vị cấp {self.level}"
        return "Toàn tỉnh"


# ---------------------------------------------------------------- authorization


def visible_units(user: User) -> list[Unit] | None:
    """The units whose statistics the person may see, with the units below them (R7, R24).

    None means the whole province (the province administrator, at the Department); otherwise
    the units the person administers (possibly none: a plain specialist sees nothing)."""
    if not user.is_authenticated or not user.is_active:
        return []
    managed = user.managed_unit_ids()
    if managed is None:
        return None
    return list(Unit.objects.filter(pk__in=managed).order_by("level", "name", "pk"))


def may_see(user: User, scope: Scope) -> bool:
    """Whether the person may see the statistics of `scope`."""
    roots = visible_units(user)
    if roots is None:
        return True
    if scope.kind != "unit" or scope.unit is None:
        return False
    tree = counts.UnitTree.load()
    wanted = scope.unit.pk
    return any(wanted in tree.subtree(root.pk) for root in roots)


def access_scope(user: User, scope: Scope) -> Scope:
    """The scope if the person may see it; refused otherwise with a Vietnamese message.

    A specialist without an administrator's role is refused (AccessDenied: 403); a unit
    administrator asking for a unit outside their units gets "not found" (NotFound: 404), as for
    a unit that does not exist, so the answer tells nothing about other units."""
    roots = visible_units(user)
    if roots == []:
        raise AccessDenied("Chỉ quản trị đơn vị và quản trị tỉnh được xem thống kê sử dụng.")
    if not may_see(user, scope):
        if scope.kind == "unit":
            raise NotFound("Không tìm thấy đơn vị.")
        raise AccessDenied("Chỉ quản trị tỉnh được xem thống kê toàn tỉnh hoặc theo cấp.")
    return scope


def default_scope(user: User) -> Scope:
    """The scope a page opens with: the province, or the first unit the person administers."""
    roots = visible_units(user)
    if roots is None:
        return Scope.province()
    if not roots:
        raise AccessDenied("Chỉ quản trị đơn vị và quản trị tỉnh được xem thống kê sử dụng.")
    return Scope.of_unit(roots[0])


# ---------------------------------------------------------------- periods


def period_check(period: Period, *, step: str | None = None) -> Period:
    """Refuses, with a Vietnamese message, a period the statistics cannot answer for: one that
    begins in the future, before the system existed, or too long for a chart by `step`."""
    today = clock.now().astimezone(REPORT_TZ).date()
    if period.first > today:
        raise ServiceError("Kỳ thống kê chưa bắt đầu: hãy chọn kỳ đến hết hôm nay.", field="start")
    if period.first < FIRST_DAY:
        raise ServiceError("Kỳ thống kê phải bắt đầu từ năm 2000 trở đi.", field="start")
    if step is not None:
        if step not in STEPS:
            raise ServiceError("Bước thống kê phải là theo ngày hoặc theo tháng.", field="step")
        days = (period.last - period.first).days + 1
        limit = MAX_DAYS_BY_DAY if step == "day" else MAX_DAYS_BY_MONTH
        if days > limit:
            raise ServiceError(
                "Kỳ quá dài để thống kê theo ngày: hãy chọn theo tháng."
                if step == "day"
                else "Kỳ quá dài để thống kê theo tháng: tối đa 10 năm.",
                field="step",
            )
    return period


def period_from(
    kind: str,
    *,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """A Period from the parts an API call or a page's query string gives, refused with a clear
    Vietnamese message when a part is missing or wrong."""
    if kind == "custom":
        if start is None or end is None:
            raise ServiceError("Hãy nhập ngày bắt đầu và ngày kết thúc.", field="start")
        return period_check(Period.custom(start, end))
    if kind not in ("month", "quarter", "year"):
        raise ServiceError(
            "Kỳ thống kê phải là tháng, quý, năm hoặc khoảng thời gian.", field="period"
        )
    if year is None:
        raise ServiceError("Hãy nhập năm.", field="year")
    if kind == "year":
        return period_check(Period.year(year))
    if kind == "quarter":
        if quarter is None:
            raise ServiceError("Hãy chọn quý.", field="quarter")
        return period_check(Period.quarter(year, quarter))
    if month is None:
        raise ServiceError("Hãy chọn tháng.", field="month")
    return period_check(Period.month(year, month))


# ---------------------------------------------------------------- figures


def usage(*, scope: Scope, period: Period) -> UsageFigures:
    """The figures of `scope` for `period` (R24). Unit-tree reads, aggregates and the live
    point-in-time figures: a fixed number of queries."""
    period_check(period)
    tree = counts.UnitTree.load()
    unit_ids = tree.scope_ids(scope)
    summed = counts.aggregate_totals(unit_ids=unit_ids, period=period)
    people = counts.aggregate_people(unit_ids=unit_ids, period=period)
    point = counts.point_in_time(unit_ids=unit_ids)
    return build_figures(summed, people=people, point=point)


def usage_by_unit(*, parent: Unit | None, period: Period) -> list[tuple[Unit, UsageFigures]]:
    """One row per child unit of `parent` (per root unit when None), in the tree's order, each
    with the totals of the child and every unit below it: the drill-down (R24)."""
    period_check(period)
    tree = counts.UnitTree.load()
    return _rows(tree, tree.children_of(parent.pk if parent is not None else None), period)


def usage_of_units(*, units: list[Unit], period: Period) -> list[tuple[Unit, UsageFigures]]:
    """One row per unit of `units`, each with the totals of the unit and every unit below it:
    the first level of a unit administrator's drill-down (the units they administer)."""
    period_check(period)
    tree = counts.UnitTree.load()
    return _rows(tree, [tree.units[unit.pk] for unit in units if unit.pk in tree.units], period)


def _rows(
    tree: counts.UnitTree, children: list[Unit], period: Period
) -> list[tuple[Unit, UsageFigures]]:
    group_of = tree.group_of([child.pk for child in children])
    summed = counts.aggregate_totals_by(group_of=group_of, period=period)
    people = counts.aggregate_people_by(group_of=group_of, period=period)
    point = counts.point_in_time_by(group_of=group_of)
    return [
        (
            child,
            build_figures(
                summed.get(child.pk, {}), people=people.get(child.pk, 0), point=point[child.pk]
            ),
        )
        for child in children
    ]


def usage_series(
    *, scope: Scope, period: Period, step: Step = "day"
) -> list[tuple[dt.date, UsageFigures]]:
    """One row per day (or per month, dated its first day) of `period`, every day present, for
    the charts. Point-in-time fields are None in these rows."""
    period_check(period, step=step)
    tree = counts.UnitTree.load()
    unit_ids = tree.scope_ids(scope)
    by_day = counts.aggregate_totals_by_day(unit_ids=unit_ids, period=period)
    people = counts.aggregate_people_by_bucket(unit_ids=unit_ids, period=period, step=step)
    buckets = _buckets(period, step)
    summed: dict[dt.date, dict[str, int]] = {bucket: {} for bucket in buckets}
    for day, values in by_day.items():
        bucket = day.replace(day=1) if step == "month" else day
        target = summed[bucket]
        for name, value in values.items():
            target[name] = target.get(name, 0) + value
    return [
        (bucket, build_figures(summed[bucket], people=people.get(bucket, 0), point=None))
        for bucket in buckets
    ]


def _buckets(period: Period, step: str) -> list[dt.date]:
    days = [
        period.first + dt.timedelta(days=n) for n in range((period.last - period.first).days + 1)
    ]
    if step == "day":
        return days
    return sorted({day.replace(day=1) for day in days})


def build_figures(
    summed: dict[str, int], *, people: int, point: dict[str, int] | None
) -> UsageFigures:
    """UsageFigures from the additive counters, the distinct people and the point-in-time
    counts (None: not known, in a series)."""
    values: dict[str, Any] = {name: int(summed.get(name, 0)) for name in ADDITIVE_FIELDS}
    values["active_people"] = people
    for name in POINT_IN_TIME_FIELDS:
        values[name] = None if point is None else int(point.get(name, 0))
    done = int(values["processing_on_time"] or 0) + int(values["processing_late"] or 0)
    values["processing_average_days"] = (
        round(int(values["processing_seconds"] or 0) / done / 86400, 2) if done else None
    )
    issued = int(values["drafts_issued"] or 0)
    values["draft_average_cycle_days"] = (
        round(int(values["draft_cycle_seconds"] or 0) / issued / 86400, 2) if issued else None
    )
    return UsageFigures(**values)


def usage_live(*, scope: Scope, period: Period) -> UsageFigures:
    """The same figures counted straight from the registers, without the aggregates: what the
    aggregates are checked against (tests, `vanban stats check`). Slow on a large province."""
    tree = counts.UnitTree.load()
    unit_ids = tree.scope_ids(scope)
    per_day = counts.day_counts(first=period.first, last=period.last, unit_ids=unit_ids)
    summed: dict[str, int] = {}
    for values in per_day.values():
        for name, value in values.items():
            summed[name] = summed.get(name, 0) + value
    people = counts.live_people(unit_ids=unit_ids, period=period)
    point = counts.point_in_time(unit_ids=unit_ids)
    return build_figures(summed, people=people, point=point)


__all__ = [
    "ADDITIVE_FIELDS",
    "FIGURE_LABELS",
    "POINT_IN_TIME_FIELDS",
    "STEPS",
    "Period",
    "Scope",
    "Step",
    "UsageFigures",
    "access_scope",
    "build_figures",
    "default_scope",
    "may_see",
    "period_check",
    "period_from",
    "usage",
    "usage_by_unit",
    "usage_live",
    "usage_of_units",
    "usage_series",
    "visible_units",
]
