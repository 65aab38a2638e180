"""What the workflow selectors share."""

import datetime as dt
from typing import Any

from vanban.accounts.models import User
from vanban.documents.models import Document

from ..access import deadline_mark

_ASSIGNMENT_RELATED = (
    "document__document_type",
    "assignee_unit",
    "assignee_user__unit",
    "assigned_by",
    "on_behalf_of",
)


def _visible_document_ids(user: User) -> Any:
    return Document.objects.visible_to(user).values("pk")


def _mark(items: list[Any], today: dt.date) -> list[Any]:
    for item in items:
        assignment = getattr(item, "assignment", item)
        item.mark = deadline_mark(assignment.deadline, today, is_open=assignment.is_open)
        item.days_left = assignment.days_left(today)
        item.days_late = -item.days_left if item.days_left is not None and item.days_left < 0 else 0
    return items
