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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import nfc
from vanban.reports.periods import MAX_YEAR, MIN_YEAR, REPORT_TZ

from .models import ReformCriterion, ReformScheme

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

_CODE = re.compile(r"^[A-Za-z0-9.\-]{1,20}$")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    """A figure a criterion may read: a share in per cent of one unit's documents in a year."""

    code: str
    label: str
    basis: str  # the article of the regulation it measures


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "sent_electronic",
            "Tỷ lệ văn bản đi được gửi điện tử qua hệ thống",
            "Điều 5 khoản 2, Điều 8 khoản 5",
        ),
        Measure(
            "received_electronic",
            "Tỷ lệ văn bản đến được nhận điện tử qua hệ thống",
            "Điều 5 khoản 2, Điều 8 khoản 5",
        ),
        Measure(
            "signed",
            "Tỷ lệ văn bản đi được ký số",
            "Điều 3 khoản 4, Điều 9 khoản 1 điểm a, Điều 10 khoản 2",
        ),
        Measure(
            "processed_on_system",
            "Tỷ lệ văn bản đến được xử lý trên hệ thống (giao xử lý, theo dõi)",
            "Điều 2 khoản 1, Điều 9 khoản 2 điểm a",
        ),
        Measure(
            "mandatory_electronic",
            "Tỷ lệ văn bản thuộc danh mục bắt buộc được gửi điện tử và ký số",
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
