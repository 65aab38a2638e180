"""What the workflow selectors share."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vanban.accounts.models import User
from vanban.documents.models import Document

from ..access import deadline_mark
from ..models import Assignment

_ASSIGNMENT_RELATED = (
    "document__document_type",
    "assignee_unit",
    "assignee_user__unit",
    "assigned_by",
    "on_behalf_of",
)


def _visible_document_ids(user: User) -> Any:
    return Document.objects.visible_to(user).values("pk")


@dataclass(frozen=True)
class DeadlineState:
    """Where a piece of work stands against its deadline on a day (R18): `mark` is "overdue",
    "due_soon" or ""; `days_late` is 0 unless the deadline has passed."""

    mark: str
    days_left: int | None
    days_late: int


def deadline_state(assignment: Assignment, today: dt.date) -> DeadlineState:
    days_left = assignment.days_left(today)
    return DeadlineState(
        mark=deadline_mark(assignment.deadline, today, is_open=assignment.is_open),
        days_left=days_left,
        days_late=-days_left if days_left is not None and days_left < 0 else 0,
    )


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment as a list shows it: its deadline state, in the processing page's tree how
    deep it sits below the parts the director gave (0 for those), and in "Việc của tôi" whom the
    person acts for ("thay mặt …", empty for their own work)."""

    assignment: Assignment
    state: DeadlineState
    depth: int = 0
    acting: str = ""

    @property
    def mark(self) -> str:
        return self.state.mark

    @property
    def days_left(self) -> int | None:
        return self.state.days_left

    @property
    def days_late(self) -> int:
        return self.state.days_late
