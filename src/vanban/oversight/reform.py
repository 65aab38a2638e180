"""The administrative-reform criteria about IT use in document work, and each unit's points
(R24; Art. 12.2 of the provincial regulation; docs/oversight.md "Administrative-reform
indicators").

Every year the province administrator sets the criteria (`ReformScheme` and its
`ReformCriterion` rows): each reads one figure of the usage statistics (`MEASURES`, a share in
per cent), earns all its points (`max_points`) at or above `target`, none below `threshold`, and
in between points in proportion to how far the share is from the threshold. The points of a
year's criteria add up to the scheme's `total_points`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.text import nfc
from vanban.reports.periods import MAX_YEAR, MIN_YEAR, REPORT_TZ, Period

from . import exchange_kinds, statistics
from .models import ReformCriterion, ReformScheme
from .statistics import UsageFigures

MSG_PROVINCE_ONLY = "Chỉ quản trị tỉnh được thiết lập tiêu chí chấm điểm cải cách hành chính."
MSG_BAD_YEAR = f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}."
MSG_TOTAL = "Tổng điểm của bộ tiêu chí phải lớn hơn 0 và không quá 100."
MSG_NO_CRITERIA = "Bộ tiêu chí phải có ít nhất một tiêu chí."
MSG_CODE = (
    "Mã tiêu chí “{code}” chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch ngang (tối đa 20 ký tự)."
)
MSG_CODE_TWICE = "Mã tiêu chí “{code}” bị trùng: mỗi tiêu chí một mã."
MSG_NAME = "Tiêu chí {code} phải có tên."
MSG_MEASURE = "Tiêu chí {code}: số liệu “{measure}” không có trong danh sách số liệu thống kê."
MSG_NEGATIVE = "Điểm tối đa của tiêu chí {code} không được âm."
MSG_SHARE = "Tiêu chí {code}: tỷ lệ phải từ 0 đến 100%."
MSG_ORDER = (
    "Tiêu chí {code}: tỷ lệ tối thiểu ({threshold}%) không được lớn hơn tỷ lệ đạt điểm tối đa "
    "({target}%)."
)
MSG_SUM = (
    "Tổng điểm tối đa của các tiêu chí ({points}) phải bằng tổng điểm của bộ tiêu chí ({total})."
)
MSG_YEAR_HAS_SCHEME = "Năm {year} đã có bộ tiêu chí: hãy sửa bộ tiêu chí đó."
MSG_NOTHING_TO_COPY = "Năm {year} chưa có bộ tiêu chí để sao chép."
MSG_NO_SCHEME = "Năm {year} chưa có bộ tiêu chí chấm điểm."
MSG_FUTURE = "Năm {year} chưa bắt đầu: chưa có số liệu để chấm điểm."
MSG_REPORT_ADMINS_ONLY = (
    "Chỉ quản trị đơn vị và quản trị tỉnh được xem kết quả chấm điểm cải cách hành chính."
)
MSG_RANKING_PROVINCE_ONLY = "Chỉ quản trị tỉnh được xem xếp hạng các đơn vị."
MSG_UNIT_NOT_FOUND = "Không tìm thấy đơn vị."

_CODE = re.compile(r"^[A-Za-z0-9.\-]{1,20}$")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    """A figure a criterion may read: a share in per cent, `part` of `whole` of one unit (with
    the units below it) in a year, read from the usage statistics (`statistics.UsageFigures`)
    or, for the list of kinds exchanged electronically, from its compliance counts."""

    code: str
    label: str
    part: str  # what is counted, in words
    whole: str
    basis: str  # the article of the regulation it measures


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "sent_electronic",
            "Tỷ lệ văn bản đi được gửi điện tử qua hệ thống",
            "văn bản đi đã gửi qua hệ thống",
            "văn bản đi vào sổ",
            "Điều 5 khoản 2, Điều 8 khoản 5",
        ),
        Measure(
            "received_electronic",
            "Tỷ lệ văn bản đến là văn bản điện tử",
            "văn bản đến điện tử",
            "văn bản đến vào sổ",
            "Điều 5 khoản 2, Điều 8 khoản 5",
        ),
        Measure(
            "signed",
            "Tỷ lệ văn bản đến và đi có chữ ký số hợp lệ",
            "văn bản có chữ ký số hợp lệ",
            "văn bản vào sổ (đến và đi)",
            "Điều 3 khoản 4, Điều 9 khoản 1 điểm a, Điều 10 khoản 2",
        ),
        Measure(
            "processed_on_system",
            "Tỷ lệ văn bản đến được xử lý xong trên hệ thống",
            "văn bản đến xử lý xong trên hệ thống",
            "văn bản đến vào sổ",
            "Điều 2 khoản 1, Điều 9 khoản 2 điểm a",
        ),
        Measure(
            "on_time",
            "Tỷ lệ văn bản đến được xử lý đúng hạn",
            "văn bản xử lý xong đúng hạn",
            "văn bản xử lý xong",
            "Điều 2 khoản 1",
        ),
        Measure(
            "accounts_used",
            "Tỷ lệ tài khoản có đăng nhập sử dụng",
            "người có đăng nhập trong kỳ",
            "tài khoản đang hoạt động",
            "Điều 9 khoản 2 điểm a",
        ),
        Measure(
            "mandatory_electronic",
            "Tỷ lệ văn bản thuộc danh mục bắt buộc được gửi điện tử và ký số",
            "văn bản thuộc danh mục đã gửi điện tử và ký số",
            "văn bản đi thuộc danh mục",
            "Điều 8 khoản 2",
        ),
    )
}
MEASURE_CHOICES = [(m.code, m.label) for m in MEASURES.values()]


def this_year() -> int:
    return clock.now().astimezone(REPORT_TZ).year


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(MSG_BAD_YEAR, field="year")


def _require_province_admin(actor: User) -> None:
    if not actor.is_province_admin:
        raise AccessDenied(MSG_PROVINCE_ONLY)


def number_vi(value: Decimal) -> str:
    """2.50 -> "2,5"; 10.00 -> "10" (Vietnamese decimal comma)."""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.rstrip(".").replace(".", ",")


# ----------------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class CriterionInput:
    code: str
    name: str
    measure: str
    target: Decimal
    threshold: Decimal
    max_points: Decimal


def scheme_of_year(year: int) -> ReformScheme | None:
    return ReformScheme.objects.filter(year=year).prefetch_related("criteria").first()


def scheme_years() -> list[int]:
    return list(ReformScheme.objects.order_by("-year").values_list("year", flat=True))


def _check_criteria(total: Decimal, criteria: Sequence[CriterionInput]) -> list[CriterionInput]:
    """The criteria as they will be kept, or the first reason they cannot be."""
    if not Decimal(0) < total <= HUNDRED:
        raise ServiceError(MSG_TOTAL, field="total_points")
    if not criteria:
        raise ServiceError(MSG_NO_CRITERIA)
    cleaned: list[CriterionInput] = []
    seen: set[str] = set()
    for item in criteria:
        code = nfc(item.code).upper()
        if not _CODE.match(code):
            raise ServiceError(MSG_CODE.format(code=code))
        if code in seen:
            raise ServiceError(MSG_CODE_TWICE.format(code=code))
        seen.add(code)
        name = " ".join(nfc(item.name).split())
        if not name:
            raise ServiceError(MSG_NAME.format(code=code))
        if item.measure not in MEASURES:
            raise ServiceError(MSG_MEASURE.format(code=code, measure=item.measure))
        if item.max_points < 0:
            raise ServiceError(MSG_NEGATIVE.format(code=code))
        for share in (item.target, item.threshold):
            if not Decimal(0) <= share <= HUNDRED:
                raise ServiceError(MSG_SHARE.format(code=code))
        if item.threshold > item.target:
            raise ServiceError(
                MSG_ORDER.format(
                    code=code,
                    threshold=number_vi(item.threshold),
                    target=number_vi(item.target),
                )
            )
        cleaned.append(
            CriterionInput(
                code=code,
                name=name,
                measure=item.measure,
                target=item.target.quantize(CENT),
                threshold=item.threshold.quantize(CENT),
                max_points=item.max_points.quantize(CENT),
            )
        )
    points = sum((item.max_points for item in cleaned), Decimal(0))
    if points != total.quantize(CENT):
        raise ServiceError(MSG_SUM.format(points=number_vi(points), total=number_vi(total)))
    return cleaned


def reform_scheme_save(
    *,
    actor: User,
    year: int,
    total_points: Decimal,
    criteria: Sequence[CriterionInput],
    note: str = "",
    ip: str | None = None,
) -> ReformScheme:
    """The province administrator sets a year's criteria as a whole (R24, Art. 12.2): the
    year's previous criteria are replaced, in one transaction; refused with the first reason
    when a criterion is wrong or the points do not add up to the total."""
    _require_province_admin(actor)
    _check_year(year)
    cleaned = _check_criteria(total_points, criteria)
    now = clock.now()
    with transaction.atomic():
        scheme, created = ReformScheme.objects.select_for_update().get_or_create(
            year=year,
            defaults={"total_points": total_points, "updated_by": actor, "updated_at": now},
        )
        scheme.total_points = total_points.quantize(CENT)
        scheme.note = nfc(note)
        scheme.updated_by = actor
        scheme.updated_at = now
        scheme.save()
        scheme.criteria.all().delete()
        ReformCriterion.objects.bulk_create(
            ReformCriterion(
                scheme=scheme,
                code=item.code,
                name=item.name,
                measure=item.measure,
                target=item.target,
                threshold=item.threshold,
                max_points=item.max_points,
                order=position,
            )
            for position, item in enumerate(cleaned, start=1)
        )
        audit_record(
            actor=actor,
            action="oversight.reform.save",
            target=scheme,
            ip=ip,
            data={
                "year": year,
                "created": created,
                "total_points": str(scheme.total_points),
                "criteria": [
                    [c.code, c.measure, str(c.threshold), str(c.target), str(c.max_points)]
                    for c in cleaned
                ],
            },
        )
    return scheme


def criteria_with_labels(scheme: ReformScheme) -> list[ReformCriterion]:
    """The scheme's criteria, each with `measure_label`, the name of the figure it reads."""
    rows = list(scheme.criteria.all())
    for row in rows:
        measure = MEASURES.get(row.measure)
        row.measure_label = measure.label if measure else row.measure  # type: ignore[attr-defined]
    return rows


def criteria_inputs(scheme: ReformScheme) -> list[CriterionInput]:
    return [
        CriterionInput(
            code=c.code,
            name=c.name,
            measure=c.measure,
            target=c.target,
            threshold=c.threshold,
            max_points=c.max_points,
        )
        for c in scheme.criteria.all()
    ]


def reform_scheme_copy(*, actor: User, year: int, ip: str | None = None) -> ReformScheme:
    """The province administrator starts a year's criteria from the previous year's."""
    _require_province_admin(actor)
    _check_year(year)
    if ReformScheme.objects.filter(year=year).exists():
        raise ServiceError(MSG_YEAR_HAS_SCHEME.format(year=year))
    source = scheme_of_year(year - 1)
    if source is None:
        raise ServiceError(MSG_NOTHING_TO_COPY.format(year=year - 1))
    return reform_scheme_save(
        actor=actor,
        year=year,
        total_points=source.total_points,
        criteria=criteria_inputs(source),
        note=source.note,
        ip=ip,
    )


# --------------------------------------------------------------------------------- the points


def criterion_points(criterion: ReformCriterion, share: Decimal | None) -> Decimal:
    """All the points at or above the target, none below the threshold (or without figures:
    no document of the kind measured in the year), in between in proportion; two decimals,
    rounded half up."""
    if share is None or share < criterion.threshold:
        return Decimal(0).quantize(CENT)
    if share >= criterion.target:
        return criterion.max_points
    span = criterion.target - criterion.threshold
    points = criterion.max_points * (share - criterion.threshold) / span
    return points.quantize(CENT, rounding=ROUND_HALF_UP)


def _fractions(figures: UsageFigures, compliance: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """(part, whole) of every measure, from the unit's figures and its compliance counts
    (required, not compliant) with the list of kinds exchanged electronically."""
    required, noncompliant = compliance
    return {
        "sent_electronic": (figures.outgoing_issued_electronically, figures.outgoing_registered),
        "received_electronic": (figures.incoming_electronic, figures.incoming_registered),
        # Over every registered document, not the electronic ones only: an outgoing document
        # registered by hand is never marked electronic, and a share over 100% says nothing.
        "signed": (
            figures.documents_signature_valid,
            figures.incoming_registered + figures.outgoing_registered,
        ),
        "processed_on_system": (figures.processing_done, figures.incoming_registered),
        "on_time": (figures.processing_on_time, figures.processing_done),
        "accounts_used": (figures.active_people, figures.accounts_active or 0),
        "mandatory_electronic": (required - noncompliant, required),
    }


def share_of(part: int, whole: int) -> Decimal | None:
    """The share in per cent, two decimals, at most 100 (documents processed in a year may
    have been registered the year before); None when nothing was counted."""
    if whole <= 0:
        return None
    share = (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(share, HUNDRED.quantize(CENT))


@dataclass(frozen=True)
class CriterionResult:
    criterion: ReformCriterion
    measure: Measure | None
    part: int
    whole: int
    share: Decimal | None
    points: Decimal


@dataclass(frozen=True)
class UnitScore:
    """A unit's points for a year: one result per criterion, and their sum."""

    unit: Unit
    year: int
    scheme: ReformScheme
    results: list[CriterionResult]
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return sum((r.points for r in self.results), Decimal(0)).quantize(CENT)


def score_of(
    *, unit: Unit, scheme: ReformScheme, figures: UsageFigures, compliance: tuple[int, int]
) -> UnitScore:
    """The unit's points under the scheme's criteria, from its figures."""
    fractions = _fractions(figures, compliance)
    results = []
    for criterion in scheme.criteria.all():
        part, whole = fractions.get(criterion.measure, (0, 0))
        share = share_of(part, whole)
        results.append(
            CriterionResult(
                criterion=criterion,
                measure=MEASURES.get(criterion.measure),
                part=part,
                whole=whole,
                share=share,
                points=criterion_points(criterion, share),
            )
        )
    return UnitScore(unit=unit, year=scheme.year, scheme=scheme, results=results)


def scoring_period(year: int) -> Period:
    """The year, up to today for the current year (the statistics answer for no day after it)."""
    period = Period.year(year)
    today = clock.now().astimezone(REPORT_TZ).date()
    if period.first > today:
        raise ServiceError(MSG_FUTURE.format(year=year), field="year")
    return period


def _scheme_or_refuse(year: int) -> ReformScheme:
    scheme = scheme_of_year(year)
    if scheme is None:
        raise ServiceError(MSG_NO_SCHEME.format(year=year), field="year")
    return scheme


def _compliance_of_groups(
    period: Period, groups: dict[int, set[int]]
) -> dict[int, tuple[int, int]]:
    """(required, not compliant) of each group of units (a unit with the units below it)."""
    wanted = sorted(set().union(*groups.values())) if groups else []
    counts = exchange_kinds.compliance_counts(period=period, unit_ids=wanted)
    result = {}
    for key, members in groups.items():
        required = sum(counts[pk][0] for pk in members if pk in counts)
        noncompliant = sum(counts[pk][3] for pk in members if pk in counts)
        result[key] = (required, noncompliant)
    return result


def access_score_unit(*, user: User, pk: int) -> Unit:
    """A unit whose report the person may read (a unit administrator: their units and the
    units below them; the province administrator: every unit); others look missing."""
    if statistics.visible_units(user) == []:
        raise AccessDenied(MSG_REPORT_ADMINS_ONLY)
    unit = Unit.objects.select_related("parent").filter(pk=pk).first()
    if unit is None or not statistics.may_see(user, statistics.Scope.of_unit(unit)):
        raise NotFound(MSG_UNIT_NOT_FOUND)
    return unit


def unit_score(*, user: User, unit: Unit, year: int) -> UnitScore:
    """R24, Art. 12.2: the unit's (with the units below it) points for the year under the
    year's criteria, from the usage statistics of the year (up to yesterday for the current
    year) and the compliance with the year's list of kinds exchanged electronically."""
    unit = access_score_unit(user=user, pk=unit.pk)
    scheme = _scheme_or_refuse(year)
    period = scoring_period(year)
    figures = statistics.usage(scope=statistics.Scope.of_unit(unit), period=period)
    members = exchange_kinds.units_below([unit.pk])
    compliance = _compliance_of_groups(period, {unit.pk: members})[unit.pk]
    return score_of(unit=unit, scheme=scheme, figures=figures, compliance=compliance)


def default_ranking_parent() -> Unit | None:
    """The units ranked by default are those right below the province's root unit (the
    departments and the local committees); None when the tree has several open roots (provinces
    being merged, NQ 202/2025/QH15). The roots of provinces merged into it have ended."""
    roots = list(Unit.objects.filter(parent__isnull=True, end_date__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def ranking(*, user: User, year: int, parent: Unit | None) -> list[UnitScore]:
    """R24, Art. 12.2: the units right below `parent` (the root units when None), each with
    the units below it, by their points for the year, highest first; equal points share a
    rank. Only the province administrator ranks units."""
    if not user.is_province_admin:
        raise AccessDenied(MSG_RANKING_PROVINCE_ONLY)
    scheme = _scheme_or_refuse(year)
    period = scoring_period(year)
    rows = statistics.usage_by_unit(parent=parent, period=period)
    children: dict[int | None, list[int]] = {}
    for pk, up in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(up, []).append(pk)

    def below(pk: int) -> set[int]:
        found, todo = {pk}, [pk]
        while todo:
            for child in children.get(todo.pop(), []):
                found.add(child)
                todo.append(child)
        return found

    groups = {unit.pk: below(unit.pk) for unit, _figures in rows}
    compliance = _compliance_of_groups(period, groups)
    scores = [
        score_of(unit=unit, scheme=scheme, figures=figures, compliance=compliance[unit.pk])
        for unit, figures in rows
    ]
    scores.sort(key=lambda s: (-s.total, s.unit.name, s.unit.pk))
    ranked: list[UnitScore] = []
    for position, score in enumerate(scores, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].total == score.total else position
        ranked.append(dataclasses.replace(score, rank=rank))
    return ranked
