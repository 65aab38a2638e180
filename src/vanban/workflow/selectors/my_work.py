""" "Việc của tôi": what waits for the person across processing, drafting and the exchange's
reception queue (R18).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from vanban.accounts.models import User
from vanban.documents.models import Direction, Document, DocumentShare
from vanban.exchange.delivery_selectors import reception_queue
from vanban.exchange.models import Delivery

from ..access import Authority, authority_of, deadline_mark, local_today
from ..models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
)
from ._common import _ASSIGNMENT_RELATED, AssignmentRow, DeadlineState, deadline_state

TO_PRESENT_LIMIT = 50
SHARED_LIMIT = 50


def _by_urgency_and_deadline(qs: QuerySet[Any], deadline: str, urgency: str) -> QuerySet[Any]:
    return qs.order_by(f"-{urgency}", F(deadline).asc(nulls_last=True), "pk")


def acting_label(authority: Authority, assignment: Assignment) -> str:
    """ "thay mặt X" when the person sees this work only as someone's deputy."""
    if assignment.assignee_user_id:
        allowed, on_behalf = authority.as_person(assignment.assignee_user_id)
    elif assignment.assignee_unit_id is not None:
        allowed, on_behalf = authority.as_leader_of(assignment.assignee_unit_id)
    else:
        return ""
    return f"thay mặt {on_behalf.full_name}" if allowed and on_behalf is not None else ""


@dataclass(frozen=True)
class PresentRow:
    """An incoming document waiting to be presented, marked against the deadline written on it."""

    document: Document
    mark: str


@dataclass(frozen=True)
class DirectRow:
    """A document presented to the person, or to the leader they act for (`acting`)."""

    processing: Processing
    mark: str
    acting: str


@dataclass(frozen=True)
class ExtensionRow:
    """A pending extension request, with the deadline state of the work it would extend."""

    request: ExtensionRequest
    state: DeadlineState

    @property
    def mark(self) -> str:
        return self.state.mark


@dataclass
class MyWork:
    today: dt.date
    authority: Authority
    to_present: list[PresentRow]
    to_present_total: int
    to_direct: list[DirectRow]
    assigned: list[AssignmentRow]
    for_information: list[AssignmentRow]
    extensions: list[ExtensionRow]
    # drafting.selectors.DraftTask rows, from the section drafting registers
    drafts: list[Any] = field(default_factory=list)
    # (unit id, unit name, documents waiting) of the clerk's reception queues
    reception: list[tuple[int, str, int]] = field(default_factory=list)
    # documents given to the person for reading ("chuyển để biết") not opened yet, and how many
    shared: list[DocumentShare] = field(default_factory=list)
    shared_total: int = 0

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
            + self.shared_total
        )


# Sections that apps above workflow add to the page, registered in their AppConfig.ready()
# (docs/architecture.md, "Layers"): drafting adds the drafts waiting for the person (R18).
WorkSection = Callable[[User, dt.date], list[Any]]
SECTIONS: dict[str, WorkSection] = {}


def work_section_register(name: str, reader: WorkSection) -> None:
    """`reader(user, today)` fills the field `name` of MyWork (for now: "drafts")."""
    if name not in {f.name for f in fields(MyWork)}:
        raise ValueError(f"MyWork has no section {name!r}")
    SECTIONS[name] = reader


def _section(name: str, user: User, today: dt.date) -> list[Any]:
    reader = SECTIONS.get(name)
    return reader(user, today) if reader is not None else []


def _reception(user: User) -> list[tuple[int, str, int]]:
    """Documents waiting in the reception queue of each unit whose register the person keeps,
    from units of the deployment and from partner systems alike (the one queue)."""
    rows = (
        Delivery.objects.filter(pk__in=reception_queue(user=user).values("pk"))
        .values("recipient_unit_id", "recipient_unit__name")
        .annotate(waiting=Count("pk", distinct=True))
        .order_by("recipient_unit__name", "recipient_unit_id")
    )
    return [(r["recipient_unit_id"], r["recipient_unit__name"], r["waiting"]) for r in rows]


def _to_present(authority: Authority, today: dt.date) -> tuple[list[PresentRow], int]:
    """Incoming documents of the clerk's units not presented yet: the first ones, and how many."""
    if not authority.clerk_units:
        return [], 0
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
    rows = [PresentRow(d, deadline_mark(d.due_date, today)) for d in to_present]
    return rows, waiting.count()


def _shared(user: User) -> tuple[list[DocumentShare], int]:
    """Documents given to the person for reading and not opened yet, newest first (R18)."""
    waiting = DocumentShare.objects.filter(user=user, for_reading=True, opened_at__isnull=True)
    rows = list(
        waiting.select_related("document__document_type", "granted_by")
        .defer("document__search_text")
        .order_by("-granted_at", "-pk")[:SHARED_LIMIT]
    )
    total = len(rows) if len(rows) < SHARED_LIMIT else waiting.count()
    return rows, total


def _to_direct(user: User, identities: list[int], today: dt.date) -> list[DirectRow]:
    """Documents presented to the person, or to a leader they act for."""
    to_direct = list(
        _by_urgency_and_deadline(
            Processing.objects.filter(
                status=ProcessingStatus.PRESENTED, presented_to_id__in=identities
            ).select_related("document__document_type", "presented_by", "presented_to"),
            "document__due_date",
            "document__urgency",
        )
    )
    return [
        DirectRow(
            processing,
            mark=deadline_mark(processing.document.due_date, today),
            acting=(
                f"thay mặt {processing.presented_to.full_name}"
                if processing.presented_to_id != user.pk and processing.presented_to
                else ""
            ),
        )
        for processing in to_direct
    ]


def _open_work() -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        status=AssignmentStatus.OPEN, processing__status=ProcessingStatus.IN_PROGRESS
    ).select_related(*_ASSIGNMENT_RELATED)


def _assigned(identities: list[int], leader_units: list[int]) -> list[Assignment]:
    """Work given to the person or to a unit they lead, to lead or to co-operate on."""
    mine = Q(assignee_user_id__in=identities) | Q(assignee_unit_id__in=leader_units)
    return list(
        _by_urgency_and_deadline(
            _open_work()
            .filter(mine, role__in=(AssignmentRole.LEAD, AssignmentRole.CO))
            .annotate(divided=Exists(Assignment.objects.filter(parent=OuterRef("pk")))),
            "deadline",
            "document__urgency",
        )
    )


def _for_information(identities: list[int]) -> list[Assignment]:
    return list(
        _by_urgency_and_deadline(
            _open_work().filter(role=AssignmentRole.INFO, assignee_user_id__in=identities),
            "deadline",
            "document__urgency",
        )
    )


def _extensions(user: User, leader_units: list[int]) -> list[ExtensionRequest]:
    """Pending extension requests on work given by a unit the person leads, not their own."""
    return list(
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


def my_work(*, user: User) -> MyWork:
    """What waits for the person (and for the leaders they act for), urgent first, then by
    deadline: documents to present, to direct, work given (lead, co), documents for information
    and extension requests to decide; then the documents given to them for reading and not
    opened yet ("Được chuyển để biết")."""
    authority = authority_of(user)
    today = local_today(authority.at)
    identities = authority.identities
    leader_units = sorted(authority.all_leader_units)
    to_present, to_present_total = _to_present(authority, today)
    to_direct = _to_direct(user, identities, today)
    assigned = _assigned(identities, leader_units)
    for_information = _for_information(identities)

    def row(assignment: Assignment) -> AssignmentRow:
        return AssignmentRow(
            assignment,
            deadline_state(assignment, today),
            acting=acting_label(authority, assignment),
        )

    extensions = [
        ExtensionRow(request, deadline_state(request.assignment, today))
        for request in _extensions(user, leader_units)
    ]
    shared, shared_total = _shared(user)
    return MyWork(
        today=today,
        authority=authority,
        to_present=to_present,
        to_present_total=to_present_total,
        to_direct=to_direct,
        assigned=[row(a) for a in assigned],
        for_information=[row(a) for a in for_information],
        extensions=extensions,
        drafts=_section("drafts", user, today),
        reception=_reception(user) if authority.clerk_units else [],
        shared=shared,
        shared_total=shared_total,
    )
