"""The documents behind a figure of the usage statistics (R24; Art. 8.5: the Department inspects
how units use the system): the register rows that a figure of a unit's page counts, listed so that
an administrator sees which documents were late, which are overdue, which were refused.

Each list counts exactly what its figure counts (docs/oversight.md, "Usage statistics"), over the
unit and its sub-units, except that it reads the registers live where the figures of a period read
the nightly aggregates (a period that includes today may list more than its figure shows).

Only the register's fields are shown (number, date, type, subject, issuer, deadline): the
documents' files and processing stay with the people the documents were given to (R14).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate

from vanban.documents.models import Direction, Document
from vanban.exchange.models import Delivery, DeliveryStatus
from vanban.reports.periods import REPORT_TZ, Period
from vanban.workflow.models import ProcessingStatus

from .statistics_counts import OPEN_PROCESSING

Query = Callable[[list[int], Period, dt.date], QuerySet[Any]]
DOCUMENT_RELATED = ("document_type", "unit", "processing")


def _registered(direction: str, unit_ids: list[int], period: Period) -> QuerySet[Document]:
    return Document.objects.filter(
        unit_id__in=unit_ids,
        direction=direction,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )


def _documents(qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.select_related(*DOCUMENT_RELATED).order_by("-registered_at", "-pk")


def incoming_electronic(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`incoming_electronic`: incoming documents registered in the period as electronic."""
    return _documents(_registered(Direction.INCOMING, unit_ids, period).filter(is_electronic=True))


def incoming_paper(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`incoming_paper`: incoming documents registered in the period from paper."""
    return _documents(_registered(Direction.INCOMING, unit_ids, period).filter(is_electronic=False))


def outgoing(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`outgoing_registered`: outgoing documents registered in the period."""
    return _documents(_registered(Direction.OUTGOING, unit_ids, period))


def outgoing_paper(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`outgoing_paper`: outgoing documents registered in the period that are not electronic."""
    return _documents(_registered(Direction.OUTGOING, unit_ids, period).filter(is_electronic=False))


def processing_late(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`processing_late`: incoming documents whose processing (in the unit) was completed in the
    period on a local day after its deadline."""
    return _documents(
        Document.objects.filter(
            processing__unit_id__in=unit_ids,
            processing__status=ProcessingStatus.DONE,
            processing__completed_at__gte=period.start,
            processing__completed_at__lt=period.end,
            processing__deadline__isnull=False,
        )
        .annotate(done_day=TruncDate("processing__completed_at", tzinfo=REPORT_TZ))
        .filter(done_day__gt=F("processing__deadline"))
    )


def processing_overdue_now(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`processing_overdue_now`: incoming documents whose processing is not done nor withdrawn
    and whose deadline is before today (whatever the period)."""
    return _documents(
        Document.objects.filter(
            processing__unit_id__in=unit_ids,
            processing__status__in=OPEN_PROCESSING,
            processing__deadline__lt=today,
        )
    )


def exchange_refused(unit_ids: list[int], period: Period, today: dt.date) -> QuerySet[Any]:
    """`exchange_local_refused` + `exchange_partner_refused`: documents sent to the unit that
    the unit refused (status 02) in the period, one row a delivery."""
    return (
        Delivery.objects.filter(
            recipient_unit_id__in=unit_ids,
            status=DeliveryStatus.RETURNED,
            status_at__gte=period.start,
            status_at__lt=period.end,
        )
        .select_related("document", "document__document_type", "sender_unit", "recipient_unit")
        .order_by("-status_at", "-pk")
    )


@dataclass(frozen=True)
class DocumentList:
    """One list behind a figure: its address part, its title, what it counts, the figures it
    lists (their sum is its length) and the rows it shows ("documents" or "deliveries")."""

    slug: str
    title: str
    explanation: str
    query: Query
    figures: tuple[str, ...]
    rows: str = "documents"
    shows_deadline: bool = False


LISTS = {
    item.slug: item
    for item in (
        DocumentList(
            "den-dien-tu",
            "Văn bản đến điện tử",
            "Văn bản đến vào sổ trong kỳ, là văn bản điện tử.",
            incoming_electronic,
            ("incoming_electronic",),
        ),
        DocumentList(
            "den-giay",
            "Văn bản đến bản giấy",
            "Văn bản đến vào sổ trong kỳ, không phải văn bản điện tử.",
            incoming_paper,
            ("incoming_paper",),
        ),
        DocumentList(
            "di",
            "Văn bản đi đã vào sổ",
            "Văn bản đi vào sổ trong kỳ.",
            outgoing,
            ("outgoing_registered",),
        ),
        DocumentList(
            "di-giay",
            "Văn bản đi bản giấy",
            "Văn bản đi vào sổ trong kỳ, không phải văn bản điện tử.",
            outgoing_paper,
            ("outgoing_paper",),
        ),
        DocumentList(
            "tre-han",
            "Văn bản đến xử lý xong quá hạn",
            "Văn bản đến hoàn thành trong kỳ sau thời hạn giải quyết.",
            processing_late,
            ("processing_late",),
            shows_deadline=True,
        ),
        DocumentList(
            "qua-han",
            "Văn bản đến đang quá hạn xử lý",
            "Văn bản đến chưa giải quyết xong, đã quá thời hạn giải quyết (tính đến hôm nay, "
            "không phụ thuộc kỳ thống kê).",
            processing_overdue_now,
            ("processing_overdue_now",),
            shows_deadline=True,
        ),
        DocumentList(
            "tu-choi",
            "Văn bản nhận đã trả lại",
            "Văn bản gửi đến đơn vị mà đơn vị đã từ chối (trả lại) trong kỳ.",
            exchange_refused,
            ("exchange_local_refused", "exchange_partner_refused"),
            rows="deliveries",
        ),
    )
}
# The list behind each figure, for the links of the pages.
LIST_OF_FIGURE = {figure: item.slug for item in LISTS.values() for figure in item.figures}


def list_rows(*, kind: DocumentList, unit_ids: list[int], period: Period, today: dt.date) -> Any:
    """The rows of one list, newest first, with what a row shows read in the same query."""
    return kind.query(unit_ids, period, today)
