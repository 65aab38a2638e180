"""Reads of the processing of incoming documents: the processing page, "Việc của tôi", deadline
lists and the leader's dashboard (R18).

Every read of a document goes through `Document.objects.visible_to(user)`; the processing data of a
document is shown to whoever may see the document. Each page costs a fixed number of queries,
whatever the amount of work (pinned in tests/workflow/test_queries.py).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.core.errors import NotFound
from vanban.documents.models import Direction, Document
from vanban.documents.selectors import access_document
from vanban.drafting.models import Draft
from vanban.drafting.selectors import waiting_for
from vanban.exchange.delivery_selectors import reception_queue
from vanban.exchange.models import Delivery

from .access import (
    DUE_SOON_DAYS,
    Authority,
    DocumentActions,
    authority_of,
    deadline_mark,
    document_actions,
    local_today,
)
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Delegation,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
    ProgressFile,
    TrailAction,
    TrailEntry,
)

ROLE_ORDER: dict[str, int] = {
    AssignmentRole.LEAD: 0,
    AssignmentRole.CO: 1,
    AssignmentRole.INFO: 2,
}
TO_PRESENT_LIMIT = 50
DEADLINE_LIST_LIMIT = 500

_ASSIGNMENT_RELATED = (
    "document__document_type",
    "assignee_unit",
    "assignee_user__unit",
    "assigned_by",
    "on_behalf_of",
)


def _visible_document_ids(user: User) -> Any:
    return Document.objects.visible_to(user).values("pk")


def _by_urgency_and_deadline(qs: QuerySet[Any], deadline: str, urgency: str) -> QuerySet[Any]:
    return qs.order_by(f"-{urgency}", F(deadline).asc(nulls_last=True), "pk")


def _mark(items: list[Any], today: dt.date) -> list[Any]:
    for item in items:
        assignment = getattr(item, "assignment", item)
        item.mark = deadline_mark(assignment.deadline, today, is_open=assignment.is_open)
        item.days_left = assignment.days_left(today)
        item.days_late = -item.days_left if item.days_left is not None and item.days_left < 0 else 0
    return items


def acting_label(authority: Authority, assignment: Assignment) -> str:
    """ "thay mặt X" when the person sees this work only as someone's deputy."""
    if assignment.assignee_user_id:
        allowed, on_behalf = authority.as_person(assignment.assignee_user_id)
    else:
        allowed, on_behalf = authority.as_leader_of(assignment.assignee_unit_id)  # type: ignore[arg-type]
    return f"thay mặt {on_behalf.full_name}" if allowed and on_behalf is not None else ""


# ---------------------------------------------------------------- one document


def access_incoming(*, user: User, pk: int) -> Document:
    document = access_document(user=user, pk=pk)
    if document.direction != Direction.INCOMING:
        raise NotFound("Không tìm thấy văn bản đến.")
    return document


def access_assignment(*, user: User, pk: int) -> Assignment:
    """The assignment if its document is visible to the person; else NotFound."""
    assignment = (
        Assignment.objects.filter(pk=pk, document_id__in=_visible_document_ids(user))
        .select_related("document__unit", "document__document_type", *_ASSIGNMENT_RELATED[1:])
        .first()
    )
    if assignment is None:
        raise NotFound("Không tìm thấy việc được giao.")
    return assignment


def access_extension(*, user: User, pk: int) -> ExtensionRequest:
    request = (
        ExtensionRequest.objects.filter(
            pk=pk, assignment__document_id__in=_visible_document_ids(user)
        )
        .select_related(
            "assignment__document__unit",
            "assignment__document__document_type",
            "assignment__assignee_unit",
            "assignment__assignee_user",
        )
        .first()
    )
    if request is None:
        raise NotFound("Không tìm thấy đề nghị gia hạn.")
    return request


def _tree(assignments: list[Assignment]) -> list[Assignment]:
    """Roots (lead, co, info), each followed by the parts its unit gave out."""
    children: dict[int | None, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        children[assignment.parent_id].append(assignment)
    ordered: list[Assignment] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in sorted(children[parent_id], key=lambda a: (ROLE_ORDER[a.role], a.pk)):
            item.depth = depth  # type: ignore[attr-defined]
            ordered.append(item)
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass
class ProcessingPage:
    document: Document
    processing: Processing | None
    assignments: list[Assignment]
    trail: list[TrailEntry]
    extensions: list[ExtensionRequest]
    authority: Authority
    actions: DocumentActions
    today: dt.date
    decidable: list[ExtensionRequest] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        status = self.processing.status if self.processing else ProcessingStatus.WAITING
        return str(ProcessingStatus(status).label)


def processing_page(*, user: User, document: Document) -> ProcessingPage:
    """Everything the processing page shows, in a fixed number of queries."""
    authority = authority_of(user)
    today = local_today(authority.at)
    processing = (
        Processing.objects.filter(document=document)
        .select_related(
            "presented_to", "presented_by", "directed_by", "directed_for", "completed_by"
        )
        .first()
    )
    assignments: list[Assignment] = []
    trail: list[TrailEntry] = []
    extensions: list[ExtensionRequest] = []
    if processing is not None:
        assignments = _tree(
            list(
                Assignment.objects.filter(processing=processing).select_related(
                    "assignee_unit", "assignee_user__unit", "assigned_by", "on_behalf_of"
                )
            )
        )
        _mark(assignments, today)
        trail = list(TrailEntry.objects.filter(processing=processing).order_by("at", "pk"))
        # One query for the files, even when there are none (a prefetch would skip it).
        files: dict[int, list[ProgressFile]] = defaultdict(list)
        for file in ProgressFile.objects.filter(entry__processing=processing).order_by("pk"):
            files[file.entry_id].append(file)
        for entry in trail:
            entry.files = files.get(entry.progress_id, []) if entry.progress_id else []  # type: ignore[attr-defined]
        extensions = list(
            ExtensionRequest.objects.filter(assignment__processing=processing)
            .select_related(
                "assignment__assignee_unit",
                "assignment__assignee_user",
                "requested_by",
                "requested_for",
                "decided_by",
                "decided_for",
            )
            .order_by("requested_at", "pk")
        )
    actions = document_actions(
        authority, document_unit_id=document.unit_id, processing=processing, assignments=assignments
    )
    decidable = [
        r
        for r in extensions
        if r.status == ExtensionStatus.PENDING
        and r.assignment.assigner_unit_id in actions.decidable_unit_ids
        and user.pk not in {r.requested_by_id, r.requested_for_id}
    ]
    return ProcessingPage(
        document=document,
        processing=processing,
        assignments=assignments,
        trail=trail,
        extensions=extensions,
        authority=authority,
        actions=actions,
        today=today,
        decidable=decidable,
    )


# ---------------------------------------------------------------- choices for the forms


def unit_leaders(*, unit_id: int) -> list[User]:
    return list(
        User.objects.filter(
            status=AccountStatus.ACTIVE,
            role_assignments__unit_id=unit_id,
            role_assignments__role=Role.LEADER,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def direct_choices(*, unit: Unit) -> tuple[list[Unit], list[User]]:
    """Units below the document's unit, and active people of the unit and below."""
    below = (
        Q(parent_id=unit.pk) | Q(parent__parent_id=unit.pk) | Q(parent__parent__parent_id=unit.pk)
    )
    units = list(Unit.objects.filter(below, is_active=True).order_by("level", "name", "pk"))
    people = list(
        User.objects.filter(
            Q(unit_id=unit.pk)
            | Q(unit__parent_id=unit.pk)
            | Q(unit__parent__parent_id=unit.pk)
            | Q(unit__parent__parent__parent_id=unit.pk),
            status=AccountStatus.ACTIVE,
        )
        .select_related("unit")
        .order_by("unit__level", "unit__name", "full_name", "pk")
    )
    return units, people


def reassign_choices(*, unit_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Active people of each unit and of the units below it: unit id -> (id, label)."""
    if not unit_ids:
        return {}
    rows = (
        User.objects.filter(
            Q(unit_id__in=unit_ids)
            | Q(unit__parent_id__in=unit_ids)
            | Q(unit__parent__parent_id__in=unit_ids),
            status=AccountStatus.ACTIVE,
        )
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "unit_id", "unit__parent_id", "unit__parent__parent_id")
    )
    found: dict[int, list[tuple[int, str]]] = {unit_id: [] for unit_id in unit_ids}
    for pk, name, *chain in rows:
        for unit_id in unit_ids:
            if unit_id in chain:
                found[unit_id].append((pk, name))
    return found


# ---------------------------------------------------------------- "Việc của tôi"


@dataclass
class DraftTask:
    """One draft waiting for the person, and what to do with it."""

    task: str
    draft: Draft
    deadline: dt.date | None
    mark: str = ""
    acting: str = ""


DRAFT_TASKS = {
    "to_comment": "Góp ý",
    "to_review": "Kiểm tra nội dung",
    "to_check": "Kiểm tra thể thức",
    "to_approve": "Phê duyệt",
    "to_issue": "Ban hành",
}


@dataclass
class MyWork:
    today: dt.date
    authority: Authority
    to_present: list[Document]
    to_present_total: int
    to_direct: list[Processing]
    assigned: list[Assignment]
    for_information: list[Assignment]
    extensions: list[ExtensionRequest]
    drafts: list[DraftTask] = field(default_factory=list)
    # (unit id, unit name, documents waiting) of the clerk's reception queues
    reception: list[tuple[int, str, int]] = field(default_factory=list)

    @property
    def reception_total(self) -> int:
        return sum(count for _unit, _name, count in self.reception)

    @property
    def total(self) -> int:
        return (
            self.to_present_total
            + len(self.to_direct)
            + len(self.assigned)
            + len(self.for_information)
            + len(self.extensions)
            + len(self.drafts)
            + self.reception_total
        )


def _draft_tasks(user: User, today: dt.date) -> list[DraftTask]:
    """The drafts waiting for the person (drafting.selectors.waiting_for), urgent first, then by
    deadline (the comment deadline, or the draft's reply deadline)."""
    waiting = waiting_for(user=user)
    tasks = [
        DraftTask(
            task=DRAFT_TASKS["to_comment"],
            draft=comment.draft,
            deadline=comment.deadline,
            mark=deadline_mark(comment.deadline, today),
        )
        for comment in waiting.to_comment
    ]
    for key in ("to_review", "to_check", "to_approve", "to_issue"):
        for draft in getattr(waiting, key):
            acting = ""
            if key == "to_approve" and draft.signer_id != user.pk:
                acting = f"thay mặt {draft.signer.full_name}"
            tasks.append(
                DraftTask(
                    task=DRAFT_TASKS[key],
                    draft=draft,
                    deadline=draft.due_date,
                    mark=deadline_mark(draft.due_date, today),
                    acting=acting,
                )
            )
    tasks.sort(
        key=lambda t: (-t.draft.urgency, t.deadline is None, t.deadline or today, t.draft.pk)
    )
    return tasks


def _reception(user: User) -> list[tuple[int, str, int]]:
    """Documents waiting in the reception queue of each unit whose register the person keeps."""
    rows = (
        Delivery.objects.filter(pk__in=reception_queue(user=user).values("pk"))
        .values("recipient_unit_id", "recipient_unit__name")
        .annotate(waiting=Count("pk", distinct=True))
        .order_by("recipient_unit__name", "recipient_unit_id")
    )
    return [(r["recipient_unit_id"], r["recipient_unit__name"], r["waiting"]) for r in rows]


def my_work(*, user: User) -> MyWork:
    """What waits for the person (and for the leaders they act for), urgent first, then by
    deadline: documents to present, to direct, work given (lead, co), documents for information
    and extension requests to decide."""
    authority = authority_of(user)
    today = local_today(authority.at)
    identities = authority.identities
    leader_units = sorted(authority.all_leader_units)
    to_present: list[Document] = []
    to_present_total = 0
    if authority.clerk_units:
        waiting = Document.objects.filter(
            unit_id__in=authority.clerk_units, direction=Direction.INCOMING
        ).filter(Q(processing__isnull=True) | Q(processing__status=ProcessingStatus.WAITING))
        to_present = list(
            _by_urgency_and_deadline(
                waiting.select_related("document_type", "unit").defer("search_text"),
                "due_date",
                "urgency",
            )[:TO_PRESENT_LIMIT]
        )
        to_present_total = waiting.count()
        for document in to_present:
            document.mark = deadline_mark(document.due_date, today)  # type: ignore[attr-defined]
    to_direct = list(
        _by_urgency_and_deadline(
            Processing.objects.filter(
                status=ProcessingStatus.PRESENTED, presented_to_id__in=identities
            ).select_related("document__document_type", "presented_by", "presented_to"),
            "document__due_date",
            "document__urgency",
        )
    )
    for processing in to_direct:
        processing.mark = deadline_mark(processing.document.due_date, today)  # type: ignore[attr-defined]
        processing.acting = (  # type: ignore[attr-defined]
            f"thay mặt {processing.presented_to.full_name}"
            if processing.presented_to_id != user.pk and processing.presented_to
            else ""
        )
    mine = Q(assignee_user_id__in=identities) | Q(assignee_unit_id__in=leader_units)
    open_work = Assignment.objects.filter(
        status=AssignmentStatus.OPEN, processing__status=ProcessingStatus.IN_PROGRESS
    ).select_related(*_ASSIGNMENT_RELATED)
    assigned = list(
        _by_urgency_and_deadline(
            open_work.filter(mine, role__in=(AssignmentRole.LEAD, AssignmentRole.CO)).annotate(
                divided=Exists(Assignment.objects.filter(parent=OuterRef("pk")))
            ),
            "deadline",
            "document__urgency",
        )
    )
    for_information = list(
        _by_urgency_and_deadline(
            open_work.filter(role=AssignmentRole.INFO, assignee_user_id__in=identities),
            "deadline",
            "document__urgency",
        )
    )
    for assignment in [*assigned, *for_information]:
        assignment.acting = acting_label(authority, assignment)  # type: ignore[attr-defined]
    extensions = list(
        _by_urgency_and_deadline(
            ExtensionRequest.objects.filter(
                status=ExtensionStatus.PENDING, assignment__assigner_unit_id__in=leader_units
            )
            .exclude(requested_by=user)
            .exclude(requested_for=user)
            .select_related(
                "assignment__document__document_type",
                "assignment__assignee_unit",
                "assignment__assignee_user",
                "requested_by",
            ),
            "assignment__deadline",
            "assignment__document__urgency",
        )
    )
    return MyWork(
        today=today,
        authority=authority,
        to_present=to_present,
        to_present_total=to_present_total,
        to_direct=to_direct,
        assigned=_mark(assigned, today),
        for_information=for_information,
        extensions=_mark(extensions, today),
        drafts=_draft_tasks(user, today),
        reception=_reception(user) if authority.clerk_units else [],
    )


# ---------------------------------------------------------------- deadlines


@dataclass
class DeadlineGroup:
    label: str
    overdue: list[Assignment] = field(default_factory=list)
    due_soon: list[Assignment] = field(default_factory=list)


GROUPINGS = {
    "nguoi": "Theo người",
    "don-vi": "Theo đơn vị",
    "lanh-dao": "Theo lãnh đạo giao việc",
}


@dataclass
class DeadlineLists:
    today: dt.date
    rows: list[Assignment]
    by: str
    groups: list[DeadlineGroup]

    @property
    def overdue_count(self) -> int:
        return len([row for row in self.rows if getattr(row, "mark", "") == "overdue"])

    @property
    def due_soon_count(self) -> int:
        return len([row for row in self.rows if getattr(row, "mark", "") == "due_soon"])


def _group_key(row: Assignment, by: str) -> tuple[str, str]:
    if by == "don-vi":
        unit = row.assignee_unit or row.assignee_user.unit  # type: ignore[union-attr]
        return f"u{unit.pk}", unit.name
    if by == "lanh-dao":
        leader = row.on_behalf_of or row.assigned_by
        return f"l{leader.pk}", leader.full_name
    if row.assignee_user_id:
        person = row.assignee_user
        return f"p{person.pk}", f"{person.full_name} – {person.unit.name}"  # type: ignore[union-attr]
    return f"u{row.assignee_unit_id}", f"{row.assignee_unit.name} (giao cho đơn vị)"  # type: ignore[union-attr]


def deadline_lists(*, user: User, by: str = "nguoi") -> DeadlineLists:
    """Open parts of the work (lead and co) overdue or due within DUE_SOON_DAYS, of documents the
    person may see, grouped by person, unit or the leader who gave the work."""
    today = local_today()
    by = by if by in GROUPINGS else "nguoi"
    rows = list(
        Assignment.objects.filter(
            document_id__in=_visible_document_ids(user),
            status=AssignmentStatus.OPEN,
            role__in=(AssignmentRole.LEAD, AssignmentRole.CO),
            processing__status=ProcessingStatus.IN_PROGRESS,
            deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related(*_ASSIGNMENT_RELATED)
        .order_by("deadline", "-document__urgency", "pk")[:DEADLINE_LIST_LIMIT]
    )
    _mark(rows, today)
    groups: dict[str, DeadlineGroup] = {}
    for row in rows:
        key, label = _group_key(row, by)
        group = groups.setdefault(key, DeadlineGroup(label=label))
        (group.overdue if row.mark == "overdue" else group.due_soon).append(row)  # type: ignore[attr-defined]
    ordered = sorted(groups.values(), key=lambda g: (-len(g.overdue), -len(g.due_soon), g.label))
    return DeadlineLists(today=today, rows=rows, by=by, groups=ordered)


# ---------------------------------------------------------------- the leader's dashboard


BUCKETS = (
    ("overdue", "Quá hạn"),
    ("due_soon", f"Đến hạn trong {DUE_SOON_DAYS} ngày"),
    ("on_time", "Trong hạn"),
    ("done", "Đã hoàn thành"),
)


def _bucket_counts(today: dt.date) -> dict[str, Count]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    is_open = Q(status=AssignmentStatus.OPEN)
    return {
        "overdue": Count("pk", filter=is_open & Q(deadline__lt=today)),
        "due_soon": Count("pk", filter=is_open & Q(deadline__gte=today, deadline__lte=soon)),
        "on_time": Count("pk", filter=is_open & (Q(deadline__gt=soon) | Q(deadline__isnull=True))),
        "done": Count("pk", filter=~is_open),
    }


@dataclass
class DashboardRow:
    label: str
    counts: dict[str, int]
    detail: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        """The counts in the order of BUCKETS."""
        return [self.counts[key] for key, _label in BUCKETS]

    def bars(self, scale: int) -> list[tuple[str, str, int, float, float]]:
        """(key, label, count, start, width) in per cent of the longest row, for the chart.

        The chart is drawn in SVG from these numbers: the page's Content-Security-Policy allows
        no style attribute to size the bars.
        """
        bars = []
        start = 0.0
        for key, label in BUCKETS:
            width = round(100 * self.counts[key] / scale, 1) if scale else 0.0
            bars.append((key, label, self.counts[key], round(start, 1), width))
            start += width
        return bars


@dataclass
class Dashboard:
    today: dt.date
    statuses: list[tuple[str, str, int]]
    overdue_documents: int
    totals: DashboardRow
    by_unit: list[DashboardRow]
    by_person: list[DashboardRow]

    @property
    def chart(self) -> list[tuple[DashboardRow, list[tuple[str, str, int, float, float]]]]:
        scale = max((row.total for row in self.by_unit), default=0)
        return [(row, row.bars(scale)) for row in self.by_unit]

    @property
    def buckets(self) -> tuple[tuple[str, str], ...]:
        return BUCKETS


def _counts(row: Any) -> dict[str, int]:
    return {key: row[key] for key, _label in BUCKETS}


def dashboard_allowed(authority: Authority) -> bool:
    return bool(authority.all_leader_units or authority.clerk_units)


def dashboard(*, user: User) -> Dashboard:
    """Counts of the documents the person may see by status, and of the work given (lead and co)
    by unit, person and deadline: four queries whatever the amount of work."""
    today = local_today()
    visible = _visible_document_ids(user)
    documents = Document.objects.filter(pk__in=visible, direction=Direction.INCOMING)
    status_counts = documents.aggregate(
        waiting=Count(
            "pk", filter=Q(processing__isnull=True) | Q(processing__status=ProcessingStatus.WAITING)
        ),
        presented=Count("pk", filter=Q(processing__status=ProcessingStatus.PRESENTED)),
        in_progress=Count("pk", filter=Q(processing__status=ProcessingStatus.IN_PROGRESS)),
        done=Count("pk", filter=Q(processing__status=ProcessingStatus.DONE)),
        overdue=Count(
            "pk",
            filter=Q(
                processing__status=ProcessingStatus.IN_PROGRESS, processing__deadline__lt=today
            ),
        ),
    )
    statuses = [
        (status.value, str(status.label), status_counts[status.value])
        for status in ProcessingStatus
    ]
    work = Assignment.objects.filter(
        document_id__in=visible, role__in=(AssignmentRole.LEAD, AssignmentRole.CO)
    )
    buckets = _bucket_counts(today)
    totals = DashboardRow("Tổng cộng", work.aggregate(**buckets))
    by_unit = [
        DashboardRow(row["unit_name"], _counts(row))
        for row in work.filter(parent__isnull=True)
        .annotate(
            unit_key=Coalesce("assignee_unit_id", "assignee_user__unit_id"),
            unit_name=Coalesce("assignee_unit__name", "assignee_user__unit__name"),
        )
        .values("unit_key", "unit_name")
        .annotate(**buckets)
        .order_by("unit_name", "unit_key")
    ]
    by_person = [
        DashboardRow(
            row["assignee_user__full_name"],
            _counts(row),
            detail=row["assignee_user__unit__name"],
        )
        for row in work.filter(assignee_user__isnull=False)
        .values("assignee_user_id", "assignee_user__full_name", "assignee_user__unit__name")
        .annotate(**buckets)
        .order_by("assignee_user__full_name", "assignee_user_id")
    ]
    return Dashboard(
        today=today,
        statuses=statuses,
        overdue_documents=status_counts["overdue"],
        totals=totals,
        by_unit=by_unit,
        by_person=by_person,
    )


# ---------------------------------------------------------------- delegation and policy


def delegations_of(*, user: User) -> list[Delegation]:
    return list(
        Delegation.objects.filter(Q(delegator=user) | Q(deputy=user))
        .select_related("unit", "delegator", "deputy", "ended_by")
        .order_by("-starts_at", "-pk")[:100]
    )


def delegation_choices(*, user: User) -> tuple[list[Unit], list[User]]:
    """Units the person leads, and the active people of those units (possible deputies)."""
    unit_ids = sorted(u for u, r in user.role_pairs() if r == Role.LEADER)
    if not unit_ids:
        return [], []
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    people = list(
        User.objects.filter(unit_id__in=unit_ids, status=AccountStatus.ACTIVE)
        .exclude(pk=user.pk)
        .select_related("unit")
        .order_by("full_name", "pk")
    )
    return units, people


def policy_units(*, user: User) -> QuerySet[Unit]:
    """Units whose deadline policy the person may edit: those they lead or administer."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    managed = user.managed_unit_ids()
    if managed is None:
        return Unit.objects.all().order_by("level", "name")
    ids = managed | {u for u, r in user.role_pairs() if r == Role.LEADER}
    return Unit.objects.filter(pk__in=ids).order_by("level", "name")


# ---------------------------------------------------------------- trail helpers for printouts


def lead_proposal(page: ProcessingPage) -> TrailEntry | None:
    """The latest progress or completion of the document's lead (person or unit part)."""
    leads = {a.pk for a in page.assignments if a.role == AssignmentRole.LEAD}
    entries = [
        e
        for e in page.trail
        if e.action in (TrailAction.PROGRESS, TrailAction.COMPLETED) and e.assignment_id in leads
    ]
    return entries[-1] if entries else None
