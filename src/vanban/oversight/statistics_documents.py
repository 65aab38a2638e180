"""The documents behind a figure of the usage statistics (R24; Art. 8.5: the Department inspects
how units use the system): the register rows that a count of a unit's page counts, listed so that
an administrator can see which documents were late, which are overdue, which were refused.

Only the register's fields are shown (number, date, type, subject, issuer, deadline): the
documents' files and processing stay with the people the documents were given to (R14).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate

from vanban.documents.models import Direction, Document
from vanban.exchange.models import DeliveryStatus
from vanban.reports.periods import REPORT_TZ, Period
from vanban.workflow.models import ProcessingStatus

Query = Callable[[list[int], Period, dt.date], QuerySet[Document]]


def _registered(direction: str, unit_ids: list[int], period: Period) -> QuerySet[Document]:
    return Document.objects.filter(
        unit_id__in=unit_ids,
        direction=direction,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )


def incoming_electronic(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    return _registered(Direction.INCOMING, unit_ids, period).filter(is_electronic=True)


def incoming_paper(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    return _registered(Direction.INCOMING, unit_ids, period).filter(is_electronic=False)


def outgoing(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    return _registered(Direction.OUTGOING, unit_ids, period)


def outgoing_paper(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    """Outgoing documents that still go with a paper copy (R12: kept permanently by the
    receiver)."""
    return _registered(Direction.OUTGOING, unit_ids, period).filter(needs_paper_copy=True)


def completed_late(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    """Incoming documents whose processing was completed in the period after its deadline (the
    day of completion, Vietnam time, later than the deadline)."""
    return (
        Document.objects.filter(
            unit_id__in=unit_ids,
            direction=Direction.INCOMING,
            processing__status=ProcessingStatus.DONE,
            processing__completed_at__gte=period.start,
            processing__completed_at__lt=period.end,
            processing__deadline__isnull=False,
        )
        .annotate(done_day=TruncDate("processing__completed_at", tzinfo=REPORT_TZ))
        .filter(done_day__gt=F("processing__deadline"))
    )


def overdue_now(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    """Incoming documents still being processed whose deadline has passed (today, whatever the
    period)."""
    return Document.objects.filter(
        unit_id__in=unit_ids,
        direction=Direction.INCOMING,
        processing__status__in=(ProcessingStatus.PRESENTED, ProcessingStatus.IN_PROGRESS),
        processing__deadline__lt=today,
        withdrawn_at__isnull=True,
    )


def refused(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Document]:
    """Outgoing documents a recipient refused (status 02) in the period."""
    return Document.objects.filter(
        Q(
            deliveries__status=DeliveryStatus.RETURNED,
            deliveries__status_at__gte=period.start,
            deliveries__status_at__lt=period.end,
        ),
        unit_id__in=unit_ids,
        direction=Direction.OUTGOING,
    ).distinct()


@dataclass(frozen=True)
class DocumentList:
    slug: str
    title: str
    explanation: str
    query: Query
    # What the list shows besides the register fields: the processing's deadline and end.
    shows_deadline: bool = False


LISTS = {
    item.slug: item
    for item in (
        DocumentList(
            "den-dien-tu",
            "Văn bản đến điện tử",
            "Văn bản đến vào sổ trong kỳ, nhận bản điện tử.",
            incoming_electronic,
        ),
        DocumentList(
            "den-giay",
            "Văn bản đến bản giấy",
            "Văn bản đến vào sổ trong kỳ từ bản giấy.",
            incoming_paper,
        ),
        DocumentList("di", "Văn bản đi", "Văn bản đi vào sổ trong kỳ.", outgoing),
        DocumentList(
            "di-kem-ban-giay",
            "Văn bản đi kèm bản giấy",
            "Văn bản đi trong kỳ phải gửi kèm bản giấy (Quy chế, Điều 3 khoản 5).",
            outgoing_paper,
        ),
        DocumentList(
            "tre-han",
            "Văn bản đến giải quyết trễ hạn",
            "Văn bản đến hoàn thành trong kỳ sau thời hạn giải quyết.",
            completed_late,
            shows_deadline=True,
        ),
        DocumentList(
            "qua-han",
            "Văn bản đến đang quá hạn",
            "Văn bản đến đang xử lý đã quá thời hạn giải quyết (tính đến hôm nay).",
            overdue_now,
            shows_deadline=True,
        ),
        DocumentList(
            "bi-tra-lai",
            "Văn bản đi bị trả lại",
            "Văn bản đi bị đơn vị nhận trả lại (từ chối) trong kỳ.",
            refused,
        ),
    )
}


def document_rows(
    *, kind: DocumentList, unit_ids: list[int], period: Period, today: dt.date
) -> QuerySet[Document]:
    """The documents of one list, newest first, with what a row shows in the same query."""
    return (
        kind.query(unit_ids, period, today)
        .select_related("document_type", "unit", "processing")
        .order_by("-registered_at", "-pk")
    )
