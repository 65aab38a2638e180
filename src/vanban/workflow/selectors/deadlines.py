"""Deadline lists: open work overdue or due soon, grouped by person, unit or leader (R18)."""

import datetime as dt
from dataclasses import dataclass, field

from vanban.accounts.models import User

from ..access import DUE_SOON_DAYS, local_today
from ..models import Assignment, AssignmentRole, AssignmentStatus, ProcessingStatus
from ._common import _ASSIGNMENT_RELATED, AssignmentRow, _visible_document_ids, deadline_state

DEADLINE_LIST_LIMIT = 500


@dataclass
class DeadlineGroup:
    label: str
    overdue: list[AssignmentRow] = field(default_factory=list)
    due_soon: list[AssignmentRow] = field(default_factory=list)


GROUPINGS = {
    "nguoi": "Theo người",
    "don-vi": "Theo đơn vị",
    "lanh-dao": "Theo lãnh đạo giao việc",
}


@dataclass
class DeadlineLists:
    today: dt.date
    rows: list[AssignmentRow]
    by: str
    groups: list[DeadlineGroup]

    @property
    def overdue_count(self) -> int:
        return len([row for row in self.rows if row.mark == "overdue"])

    @property
    def due_soon_count(self) -> int:
        return len([row for row in self.rows if row.mark == "due_soon"])


def _group_key(assignment: Assignment, by: str) -> tuple[str, str]:
    person = assignment.assignee_user
    unit = assignment.assignee_unit
    if by == "lanh-dao":
        leader = assignment.on_behalf_of or assignment.assigned_by
        return f"l{leader.pk}", leader.full_name
    if by == "don-vi":
        # A person's part counts for the unit the person belongs to.
        unit = unit or (person.unit if person is not None else None)
        if unit is not None:
            return f"u{unit.pk}", unit.name
    if person is not None:
        return f"p{person.pk}", f"{person.full_name} – {person.unit.name}"
    if unit is not None:
        return f"u{unit.pk}", f"{unit.name} (giao cho đơn vị)"
    raise ValueError(f"assignment {assignment.pk} has no assignee")


def deadline_lists(*, user: User, by: str = "nguoi") -> DeadlineLists:
    """Open parts of the work (lead and co) overdue or due within DUE_SOON_DAYS, of documents the
    person may see, grouped by person, unit or the leader who gave the work."""
    today = local_today()
    by = by if by in GROUPINGS else "nguoi"
    assignments = list(
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
    rows = [AssignmentRow(a, deadline_state(a, today)) for a in assignments]
    groups: dict[str, DeadlineGroup] = {}
    for row in rows:
        key, label = _group_key(row.assignment, by)
        group = groups.setdefault(key, DeadlineGroup(label=label))
        (group.overdue if row.mark == "overdue" else group.due_soon).append(row)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.overdue), -len(g.due_soon), g.label))
    return DeadlineLists(today=today, rows=rows, by=by, groups=ordered)
