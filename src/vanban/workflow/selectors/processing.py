"""One document: access to an incoming document, an assignment or an extension request, and the
processing page (status, parts, trail, extensions) with what the printouts read from it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from vanban.accounts.models import User
from vanban.core.errors import NotFound
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.documents.selectors import access_document

from ..access import (
    Authority,
    DocumentActions,
    authority_of,
    document_actions,
    handling_unit_id,
    local_today,
)
from ..models import (
    Assignment,
    AssignmentRole,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
    ProgressFile,
    TrailAction,
    TrailEntry,
)
from ._common import _ASSIGNMENT_RELATED, AssignmentRow, _visible_document_ids, deadline_state

ROLE_ORDER: dict[str, int] = {
    AssignmentRole.LEAD: 0,
    AssignmentRole.CO: 1,
    AssignmentRole.INFO: 2,
}


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


def _tree(assignments: list[Assignment], today: dt.date) -> list[AssignmentRow]:
    """Roots (lead, co, info), each followed by the parts its unit gave out."""
    children: dict[int | None, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        children[assignment.parent_id].append(assignment)
    ordered: list[AssignmentRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in sorted(children[parent_id], key=lambda a: (ROLE_ORDER[a.role], a.pk)):
            ordered.append(AssignmentRow(item, deadline_state(item, today), depth=depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclass(frozen=True)
class TrailItem:
    """A step of the timeline with the files its progress report brought."""

    entry: TrailEntry
    files: list[ProgressFile]


@dataclass
class ProcessingPage:
    """`assignments` in the tree's order; `rows` the same with their depth and deadline state,
    `timeline` the trail with each step's files."""

    document: Document
    processing: Processing | None
    rows: list[AssignmentRow]
    timeline: list[TrailItem]
    extensions: list[ExtensionRequest]
    authority: Authority
    actions: DocumentActions
    today: dt.date
    decidable: list[ExtensionRequest] = field(default_factory=list)
    files: list[DocumentFile] = field(default_factory=list)  # the document's own, main first

    @property
    def assignments(self) -> list[Assignment]:
        return [row.assignment for row in self.rows]

    @property
    def trail(self) -> list[TrailEntry]:
        return [item.entry for item in self.timeline]

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
            "unit",
            "presented_to",
            "presented_by",
            "directed_by",
            "directed_for",
            "completed_by",
        )
        .first()
    )
    rows: list[AssignmentRow] = []
    timeline: list[TrailItem] = []
    extensions: list[ExtensionRequest] = []
    if processing is not None:
        rows = _tree(
            list(
                Assignment.objects.filter(processing=processing).select_related(
                    "assignee_unit", "assignee_user__unit", "assigned_by", "on_behalf_of"
                )
            ),
            today,
        )
        trail = list(TrailEntry.objects.filter(processing=processing).order_by("at", "pk"))
        # One query for the files, even when there are none (a prefetch would skip it).
        files: dict[int, list[ProgressFile]] = defaultdict(list)
        for file in ProgressFile.objects.filter(entry__processing=processing).order_by("pk"):
            files[file.entry_id].append(file)
        timeline = [
            TrailItem(entry, files.get(entry.progress_id, []) if entry.progress_id else [])
            for entry in trail
        ]
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
        authority,
        document_unit_id=handling_unit_id(document, processing),
        processing=processing,
        assignments=[row.assignment for row in rows],
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
        rows=rows,
        timeline=timeline,
        extensions=extensions,
        authority=authority,
        actions=actions,
        today=today,
        decidable=decidable,
        # One query: read in the viewer without leaving the page (docs/files.md "Viewer").
        files=sorted(document.files.all(), key=lambda f: (f.role != DocumentFile.Role.MAIN, f.pk)),
    )


def lead_proposal(page: ProcessingPage) -> TrailEntry | None:
    """The latest progress or completion of the document's lead (person or unit part)."""
    leads = {a.pk for a in page.assignments if a.role == AssignmentRole.LEAD}
    entries = [
        e
        for e in page.trail
        if e.action in (TrailAction.PROGRESS, TrailAction.COMPLETED) and e.assignment_id in leads
    ]
    return entries[-1] if entries else None
