"""The leader's dashboard: documents by status and work by unit, person and deadline (R18)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from vanban.accounts.models import User
from vanban.documents.models import Direction, Document

from ..access import DUE_SOON_DAYS, Authority, local_today
from ..models import Assignment, AssignmentRole, AssignmentStatus, ProcessingStatus
from ._common import _visible_document_ids

BUCKETS = (
    ("overdue", "Quá hạn"),
    ("due_soon", f"Đến hạn trong {DUE_SOON_DAYS} ngày"),
    ("on_time", "Trong hạn"),
    ("done", "Đã hoàn thành"),
    ("closed", "Đã kết thúc"),
)


def _bucket_counts(today: dt.date) -> dict[str, Count]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    is_open = Q(status=AssignmentStatus.OPEN)
    return {
        "overdue": Count("pk", filter=is_open & Q(deadline__lt=today)),
        "due_soon": Count("pk", filter=is_open & Q(deadline__gte=today, deadline__lte=soon)),
        "on_time": Count("pk", filter=is_open & (Q(deadline__gt=soon) | Q(deadline__isnull=True))),
        # Completed by its handler, or ended by the system with the document (R18): not the same.
        "done": Count("pk", filter=Q(status=AssignmentStatus.DONE)),
        "closed": Count("pk", filter=Q(status=AssignmentStatus.CLOSED)),
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

    @property
    def keyed_cells(self) -> list[tuple[str, int]]:
        """(key, count) in the order of BUCKETS."""
        return [(key, self.counts[key]) for key, _label in BUCKETS]

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
        withdrawn=Count("pk", filter=Q(processing__status=ProcessingStatus.WITHDRAWN)),
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
