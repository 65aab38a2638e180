"""The yearly list of document kinds that must be exchanged electronically and the compliance of
units with it (R22; Art. 8.2 of the provincial regulation; docs/oversight.md "Kinds exchanged
electronically").

The province administrator keeps one list per year: lines naming a document type, perhaps
narrowed to subjects containing some words, and exception lines. A unit's outgoing document of
a listed kind complies when it was sent electronically (delivered through the system to a unit
of the deployment or to a partner system: a `Delivery`) and carries a valid digital signature
(the latest stored `VerificationReport` of one of its files found valid, R11). One sent only on
paper, or unsigned, counts against its unit in the compliance report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.text import fold, nfc
from vanban.documents.models import Direction, Document, DocumentType
from vanban.exchange.models import Delivery
from vanban.reports.periods import MAX_YEAR, MIN_YEAR, REPORT_TZ, Period
from vanban.signatures.models import VerificationReport

from . import statistics
from .models import ElectronicKind

MSG_PROVINCE_ONLY = "Chỉ quản trị tỉnh được lập danh mục văn bản bắt buộc gửi điện tử."
MSG_REPORT_ADMINS_ONLY = (
    "Chỉ quản trị đơn vị và quản trị tỉnh được xem báo cáo thực hiện danh mục văn bản bắt buộc "
    "gửi điện tử."
)
MSG_BAD_YEAR = f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}."
MSG_TYPE_INACTIVE = "Loại văn bản “{name}” đã ngừng sử dụng, không đưa vào danh mục được."
MSG_KEYWORD_EMPTY = "Cụm từ trong trích yếu phải có ít nhất một chữ hoặc số."
MSG_DUPLICATE = "Danh mục năm {year} đã có dòng này ({what})."
MSG_YEAR_HAS_LIST = (
    "Danh mục năm {year} đã có {count} dòng: chỉ sao chép vào một năm chưa có danh mục."
)
MSG_NOTHING_TO_COPY = "Năm {year} chưa có danh mục để sao chép."
MSG_UNIT_NOT_FOUND = "Không tìm thấy đơn vị."

Problem = Literal["all", "paper", "unsigned"]
PROBLEMS: dict[str, str] = {
    "all": "Chưa thực hiện đúng (gửi giấy hoặc chưa ký số)",
    "paper": "Không gửi điện tử (chỉ gửi bản giấy)",
    "unsigned": "Không có chữ ký số hợp lệ",
}


def this_year() -> int:
    return clock.now().astimezone(REPORT_TZ).year


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(MSG_BAD_YEAR, field="year")


def _require_province_admin(actor: User) -> None:
    if not actor.is_province_admin:
        raise AccessDenied(MSG_PROVINCE_ONLY)


def keyword_words(keyword: str) -> list[str]:
    """The folded words of a subject keyword: "Kế hoạch" -> ["ke", "hoach"]."""
    return re.findall(r"[a-z0-9]+", fold(keyword))


# ------------------------------------------------------------------------------------ the list


def kinds_of_year(year: int) -> list[ElectronicKind]:
    """The lines of the year's list, the required kinds first, then the exceptions."""
    return list(ElectronicKind.objects.filter(year=year).select_related("document_type"))


def years_with_lists() -> list[int]:
    return sorted(set(ElectronicKind.objects.values_list("year", flat=True)), reverse=True)


def _describe(kind: ElectronicKind) -> str:
    words = f", trích yếu có “{kind.subject_keyword}”" if kind.subject_keyword else ""
    exception = "ngoại lệ: " if kind.is_exception else ""
    return f"{exception}{kind.document_type.name}{words}"


def _audit(actor: User, action: str, year: int, ip: str | None, **data: object) -> None:
    audit_record(
        actor=actor,
        action=f"oversight.electronic_kinds.{action}",
        unit=None,
        data={"year": year, **data},
        ip=ip,
    )


def kind_add(
    *,
    actor: User,
    year: int,
    document_type: DocumentType,
    subject_keyword: str = "",
    is_exception: bool = False,
    note: str = "",
    ip: str | None = None,
) -> ElectronicKind:
    """The province administrator adds a line to the year's list (R22, Art. 8.2)."""
    _require_province_admin(actor)
    _check_year(year)
    if not document_type.is_active:
        raise ServiceError(MSG_TYPE_INACTIVE.format(name=document_type.name), field="document_type")
    keyword = " ".join(nfc(subject_keyword).split())
    if keyword and not keyword_words(keyword):
        raise ServiceError(MSG_KEYWORD_EMPTY, field="subject_keyword")
    kind = ElectronicKind(
        year=year,
        document_type=document_type,
        subject_keyword=keyword,
        is_exception=is_exception,
        note=nfc(note),
        created_by=actor,
        created_at=clock.now(),
    )
    duplicate = ServiceError(MSG_DUPLICATE.format(year=year, what=_describe(kind)))
    # The same words with other case or diacritics make the same line ("khen thưởng").
    same = ElectronicKind.objects.filter(
        year=year, document_type=document_type, is_exception=is_exception
    ).values_list("subject_keyword", flat=True)
    if any(keyword_words(other) == keyword_words(keyword) for other in same):
        raise duplicate
    try:
        with transaction.atomic():
            kind.save()
            _audit(actor, "add", year, ip, line=_describe(kind), kind=kind.pk)
    except IntegrityError as exc:  # the same line added at the same moment by another request
        raise duplicate from exc
    return kind


def access_kind(*, pk: int) -> ElectronicKind:
    kind = ElectronicKind.objects.select_related("document_type").filter(pk=pk).first()
    if kind is None:
        raise NotFound("Không tìm thấy dòng danh mục.")
    return kind


def kind_delete(*, actor: User, kind: ElectronicKind, ip: str | None = None) -> None:
    """The province administrator removes a line from a year's list."""
    _require_province_admin(actor)
    with transaction.atomic():
        _audit(actor, "delete", kind.year, ip, line=_describe(kind), kind=kind.pk)
        kind.delete()


def kinds_copy(*, actor: User, year: int, ip: str | None = None) -> list[ElectronicKind]:
    """The province administrator starts the year's list from the previous year's (Art. 8.2:
    the list is issued every year). Refused when the year already has a list."""
    _require_province_admin(actor)
    _check_year(year)
    _check_year(year - 1)
    with transaction.atomic():
        existing = ElectronicKind.objects.filter(year=year).count()
        if existing:
            raise ServiceError(MSG_YEAR_HAS_LIST.format(year=year, count=existing))
        source = kinds_of_year(year - 1)
        if not source:
            raise ServiceError(MSG_NOTHING_TO_COPY.format(year=year - 1))
        now = clock.now()
        created = ElectronicKind.objects.bulk_create(
            ElectronicKind(
                year=year,
                document_type_id=line.document_type_id,
                subject_keyword=line.subject_keyword,
                is_exception=line.is_exception,
                note=line.note,
                created_by=actor,
                created_at=now,
            )
            for line in source
            if line.document_type.is_active
        )
        _audit(actor, "copy", year, ip, source_year=year - 1, lines=len(created))
    return created


# ---------------------------------------------------------------------------------- compliance


def _line_condition(kind: ElectronicKind) -> Q:
    """Documents of the line's type whose subject has the line's words, whole and in order.

    Read from the folded search text (documents.search): its second section holds the type and
    the subject, so the pattern stays inside it (no "|" between the section's start and the words).
    """
    condition = Q(document_type_id=kind.document_type_id)
    words = keyword_words(kind.subject_keyword)
    if words:
        phrase = re.escape(" ".join(words))
        condition &= Q(search_text__regex=rf"^[^|]*\|[^|]* {phrase} ")
    return condition


def required_condition(year: int) -> Q | None:
    """The outgoing documents the year's list requires to travel electronically; None when the
    year has no list (nothing is required)."""
    lines = kinds_of_year(year)
    required = [line for line in lines if not line.is_exception]
    if not required:
        return None
    condition = Q()
    for line in required:
        condition |= _line_condition(line)
    for line in lines:
        if line.is_exception:
            condition &= ~_line_condition(line)
    return condition


def _sent_electronically() -> Exists:
    return Exists(Delivery.objects.filter(document_id=OuterRef("pk")))


def _signed() -> Exists:
    """A file of the document whose latest signature check says valid: the rule of the usage
    statistics' `documents_signature_valid` (docs/oversight.md, "Usage statistics")."""
    later_check = VerificationReport.objects.filter(
        document=OuterRef("document"),
        file_sha256=OuterRef("file_sha256"),
        checked_at__gt=OuterRef("checked_at"),
    )
    return Exists(
        VerificationReport.objects.filter(document_id=OuterRef("pk"), status="valid").exclude(
            Exists(later_check)
        )
    )


def report_unit_ids(user: User) -> list[int] | None:
    """The units whose compliance the person may read: every unit for the province
    administrator (None), their units and the units below them for a unit administrator.
    Anyone else is refused (R24; Art. 11.1.đ, 11.2.b)."""
    roots = statistics.visible_units(user)  # the one rule of who sees which units
    if roots is None:
        return None
    if not roots:
        raise AccessDenied(MSG_REPORT_ADMINS_ONLY)
    return sorted(units_below([unit.pk for unit in roots]))


def units_below(unit_ids: set[int] | list[int]) -> set[int]:
    """The units given and every unit below them (one query over the unit tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(unit_ids), list(unit_ids)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def access_report_unit(*, user: User, pk: int) -> Unit:
    """A unit whose report the person may read; one they may not looks like one that does not
    exist."""
    allowed = report_unit_ids(user)
    if allowed is not None and pk not in allowed:
        raise NotFound(MSG_UNIT_NOT_FOUND)
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound(MSG_UNIT_NOT_FOUND)
    return unit


def _in_scope(
    period: Period, unit_ids: list[int] | None, condition: Q | None = None
) -> QuerySet[Document] | None:
    if condition is None:
        condition = required_condition(period.first.year)
    if condition is None:
        return None
    documents = Document.objects.filter(
        condition,
        direction=Direction.OUTGOING,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )
    if unit_ids is not None:
        documents = documents.filter(unit_id__in=unit_ids)
    return documents


@dataclass
class ComplianceRow:
    unit: Unit
    required: int
    paper: int
    unsigned: int
    noncompliant: int

    @property
    def compliant(self) -> int:
        return self.required - self.noncompliant

    @property
    def share(self) -> float | None:
        """Per cent of the required documents sent electronically and signed."""
        return 100 * self.compliant / self.required if self.required else None


@dataclass
class ComplianceReport:
    period: Period
    has_list: bool
    rows: list[ComplianceRow] = field(default_factory=list)

    @property
    def total(self) -> ComplianceRow:
        return ComplianceRow(
            unit=Unit(name="Tổng cộng"),
            required=sum(r.required for r in self.rows),
            paper=sum(r.paper for r in self.rows),
            unsigned=sum(r.unsigned for r in self.rows),
            noncompliant=sum(r.noncompliant for r in self.rows),
        )


def compliance_counts(
    *, period: Period, unit_ids: list[int] | None, condition: Q | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """Per unit: (required, sent on paper only, unsigned, either), for the units given (None:
    all). No authorization: callers check who reads (the report, the reform indicators).
    `condition`: the year's `required_condition`, when the caller has it already."""
    documents = _in_scope(period, unit_ids, condition)
    if documents is None:
        return {}
    electronic, signed = _sent_electronically(), _signed()
    rows = (
        documents.order_by()
        .values("unit_id")
        .annotate(
            required=Count("pk"),
            paper=Count("pk", filter=~electronic),
            unsigned=Count("pk", filter=~signed),
            noncompliant=Count("pk", filter=~electronic | ~signed),
        )
    )
    return {
        row["unit_id"]: (row["required"], row["paper"], row["unsigned"], row["noncompliant"])
        for row in rows
    }


def compliance_report(*, user: User, period: Period) -> ComplianceReport:
    """R22: per unit the person may read, the outgoing documents of the listed kinds registered
    in the period, those sent only on paper, those without a valid signature; the units with
    the most documents not sent as required first."""
    unit_ids = report_unit_ids(user)
    condition = required_condition(period.first.year)
    if condition is None:
        return ComplianceReport(period=period, has_list=False)
    counts = compliance_counts(period=period, unit_ids=unit_ids, condition=condition)
    units = Unit.objects.in_bulk(list(counts))
    rows = [ComplianceRow(units[pk], *values) for pk, values in counts.items() if pk in units]
    rows.sort(key=lambda r: (-r.noncompliant, -r.required, r.unit.name, r.unit.pk))
    return ComplianceReport(period=period, has_list=True, rows=rows)


def _noncompliant(period: Period, unit_ids: list[int] | None, problem: str) -> QuerySet[Document]:
    if problem not in PROBLEMS:
        raise ServiceError("Loại vi phạm không hợp lệ.", field="problem")
    documents = _in_scope(period, unit_ids)
    if documents is None:
        return Document.objects.none()
    documents = documents.annotate(
        sent_electronically=_sent_electronically(), signed=_signed()
    ).select_related("document_type", "unit")
    if problem == "paper":
        documents = documents.filter(sent_electronically=False)
    elif problem == "unsigned":
        documents = documents.filter(signed=False)
    else:
        documents = documents.filter(Q(sent_electronically=False) | Q(signed=False))
    return documents.order_by("-registered_at", "-pk")


def noncompliant_documents(
    *, user: User, unit: Unit, period: Period, problem: str = "all"
) -> QuerySet[Document]:
    """The documents counted in one cell of the report: the unit's required documents of the
    period sent only on paper ("paper"), without a valid signature ("unsigned"), or either
    ("all"); newest first, with `sent_electronically` and `signed` read for each."""
    access_report_unit(user=user, pk=unit.pk)
    return _noncompliant(period, [unit.pk], problem)


def noncompliant_documents_all(*, user: User, period: Period) -> QuerySet[Document]:
    """Every document counted against the units the person may read (the export)."""
    return _noncompliant(period, report_unit_ids(user), "all")
