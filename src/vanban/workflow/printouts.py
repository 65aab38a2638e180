"""The processing slip (phiếu giải quyết văn bản đến) of one document and the follow-up register
(sổ theo dõi giải quyết văn bản đến) of a unit for a period (STANDARDS.md "Registers and outputs").

Rows are built here once, as text, so the web table and the PDF show exactly the same thing.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.core.errors import NotFound, ServiceError
from vanban.core.text import format_date_vi
from vanban.documents import selectors as document_selectors
from vanban.documents.models import Direction, Document
from vanban.reports.periods import Period

from .access import deadline_mark, local_today
from .models import Assignment, AssignmentRole, ProcessingStatus, ProgressEntry
from .selectors.processing import ProcessingPage, lead_proposal

FOLLOWUP_MAX_ROWS = 600
FOLLOWUP_COLUMNS = (
    # (header, width in mm of the 257 mm of an A4 landscape page less its margins)
    ("Số đến", 14),
    ("Tên loại, số, ký hiệu, ngày tháng và cơ quan ban hành", 62),
    ("Đơn vị hoặc người nhận", 45),
    ("Thời hạn giải quyết", 22),
    ("Tiến độ giải quyết", 52),
    ("Số, ký hiệu văn bản trả lời", 30),
    ("Ghi chú", 32),
)


def _local_date(value: dt.datetime | None) -> str:
    return format_date_vi(timezone.localtime(value)) if value else ""


# ---------------------------------------------------------------- the slip


@dataclass
class SlipPart:
    """A unit leader's assignment inside the unit: who, deadline, date, note."""

    unit_name: str
    role: str
    people: str
    deadline: str
    date: str
    by: str
    note: str


def slip_context(page: ProcessingPage) -> dict[str, Any]:
    """The slip of NĐ 30/2020 as kept by the system: the document's header, the agency leader's
    direction, each unit leader's assignment and the handler's proposal."""
    processing = page.processing
    roots = [a for a in page.assignments if a.parent_id is None]
    lead = next((a for a in roots if a.role == AssignmentRole.LEAD), None)
    co = [a.assignee_label for a in roots if a.role == AssignmentRole.CO]
    info = [a.assignee_label for a in roots if a.role == AssignmentRole.INFO]
    parts: list[SlipPart] = []
    for parent in (a for a in roots if a.assignee_unit_id):
        children = [a for a in page.assignments if a.parent_id == parent.pk]
        if not children:
            continue
        by_role: dict[str, list[str]] = {}
        for child in children:
            by_role.setdefault(str(AssignmentRole(child.role).label), []).append(
                child.assignee_label
            )
        first = children[0]
        by = first.assigned_by.full_name
        if first.on_behalf_of:
            by += f" (thay mặt {first.on_behalf_of.full_name})"
        parts.append(
            SlipPart(
                unit_name=parent.assignee_label,
                role=str(AssignmentRole(parent.role).label).lower(),
                people="; ".join(f"{role}: {', '.join(names)}" for role, names in by_role.items()),
                deadline=format_date_vi(first.deadline),
                date=_local_date(first.assigned_at),
                by=by,
                note=first.note,
            )
        )
    directed_by = ""
    if processing and processing.directed_by:
        directed_by = processing.directed_by.full_name
        if processing.directed_for:
            directed_by += f" (thay mặt {processing.directed_for.full_name})"
    return {
        "page": page,
        "document": page.document,
        "unit": page.document.unit,
        "processing": processing,
        "lead": lead.assignee_label if lead else "",
        "co": ", ".join(co),
        "info": ", ".join(info),
        "deadline": format_date_vi(processing.deadline) if processing else "",
        "directed_date": _local_date(processing.directed_at) if processing else "",
        "directed_by": directed_by,
        "parts": parts,
        "proposal": lead_proposal(page),
        "arrival": _local_date(page.document.arrival_date),
    }


# ---------------------------------------------------------------- the follow-up register


@dataclass(frozen=True)
class FollowupRow:
    document_id: int
    mark: str
    cells: tuple[str, ...]


@dataclass
class FollowupRegister:
    unit: Unit
    period: Period
    rows: list[FollowupRow]

    @property
    def columns(self) -> tuple[tuple[str, int], ...]:
        return FOLLOWUP_COLUMNS

    @property
    def title(self) -> str:
        return "Sổ theo dõi giải quyết văn bản đến"


def _handlers(assignments: list[Assignment]) -> str:
    lead = [a.assignee_label for a in assignments if a.role == AssignmentRole.LEAD]
    co = [a.assignee_label for a in assignments if a.role == AssignmentRole.CO]
    parts = [f"Chủ trì: {', '.join(lead)}"] if lead else []
    if co:
        parts.append(f"Phối hợp: {', '.join(co)}")
    return "; ".join(parts)


def _progress(document: Document, today: dt.date) -> tuple[str, str]:
    processing = getattr(document, "processing", None)
    if processing is None or processing.status == ProcessingStatus.WAITING:
        return "Chờ trình", ""
    if processing.status == ProcessingStatus.PRESENTED:
        return f"Đã trình ngày {_local_date(processing.presented_at)}, chờ ý kiến chỉ đạo", ""
    if processing.status == ProcessingStatus.WITHDRAWN:
        # The sender took it back (15): the processing ended there, nothing is late.
        return f"Đã thu hồi ngày {_local_date(document.withdrawn_at)}", ""
    if processing.status == ProcessingStatus.DONE:
        done = _local_date(processing.completed_at)
        late = ""
        if processing.deadline and processing.completed_at:
            days = (timezone.localdate(processing.completed_at) - processing.deadline).days
            late = f" (chậm {days} ngày)" if days > 0 else " (đúng hạn)"
        return f"Hoàn thành ngày {done}{late}", ""
    mark = deadline_mark(processing.deadline, today)
    text = "Đang xử lý"
    if mark == "overdue":
        text += f", quá hạn {(today - processing.deadline).days} ngày"
    last = getattr(document, "last_progress", None)
    if last:
        text += f". {last[:200]}"
    return text, mark


def followup_register(*, user: User, unit: Unit, period: Period) -> FollowupRegister:
    """The unit's incoming documents registered in the period with their handling (R17, R18);
    for the unit's clerks and leaders. Refused above FOLLOWUP_MAX_ROWS documents."""
    if not document_selectors.register_units(user=user).filter(pk=unit.pk).exists():
        raise NotFound("Không tìm thấy đơn vị.")
    documents = Document.objects.filter(
        unit=unit,
        direction=Direction.INCOMING,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )
    total = documents.count()
    if total > FOLLOWUP_MAX_ROWS:
        raise ServiceError(
            f"Kỳ đã chọn có {total} văn bản, quá {FOLLOWUP_MAX_ROWS} văn bản của một lần in; "
            "hãy chọn kỳ ngắn hơn (tháng hoặc quý).",
            field="period",
        )
    last_progress = (
        ProgressEntry.objects.filter(processing__document=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("text")[:1]
    )
    roots = Assignment.objects.filter(
        parent__isnull=True, role__in=(AssignmentRole.LEAD, AssignmentRole.CO)
    ).select_related("assignee_unit", "assignee_user")
    rows_qs = (
        documents.select_related("document_type", "processing")
        .defer("search_text")
        .annotate(last_progress=Subquery(last_progress))
        .prefetch_related(Prefetch("workflow_assignments", queryset=roots, to_attr="roots"))
        .order_by("year", "register_number", "pk")
    )
    today = local_today()
    rows = []
    for document in rows_qs:
        processing = getattr(document, "processing", None)
        name = document.document_type.name
        if document.number_symbol:
            name += f" số {document.number_symbol}"
        name += f" ngày {format_date_vi(document.issued_date)} của {document.issuer_name}"
        progress, mark = _progress(document, today)
        rows.append(
            FollowupRow(
                document_id=document.pk,
                mark=mark,
                cells=(
                    str(document.register_number),
                    f"{name}. {document.subject}",
                    _handlers(document.roots) or document.to_places,  # type: ignore[attr-defined]
                    format_date_vi(processing.deadline) if processing else "",
                    progress,
                    processing.reply_reference if processing else "",
                    document.description,
                ),
            )
        )
    return FollowupRegister(unit=unit, period=period, rows=rows)
