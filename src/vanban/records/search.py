"""Searching and using dossiers (R19; Appendix VI "Search and use"; docs/records.md).

- `dossier_search_text(dossier)`: the folded words of a dossier's own fields (file code,
  notation, title, year, retention, access regime, creator, handler, status, ad hoc mark,
  description, the planned entry of the list), kept in `Dossier.search_text` as " w1 w2 ... "
  so that a word is matched whole, the same folding as documents (`documents.search.words`).
  The dossier services call it whenever a dossier's fields change.
- `dossier_search(...)`: the dossiers the person may read (`rules.readable_q`) that match the
  typed words and the filters. A dossier matches when its own fields hold every word, or when
  one of its documents does (the document's `search_text`, the full text of its files included).
  On PostgreSQL a document is matched as the documents search does it (the full-text vector
  and its GIN index, `documents.search.fts_condition`); on SQLite by LIKE on the whole words.
- Each row carries the number of its documents and of its accesses (the audit events
  `records.dossier_viewed` naming it), read in the same query as the page; the totals of the
  result (dossiers, documents, accesses) are three counts, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record
from vanban.core.errors import NotFound
from vanban.documents.models import Document
from vanban.documents.search import fts_condition, match_condition, number_vi, query_parse, words
from vanban.reports.periods import local_midnight

from .models import (
    Dossier,
    DossierItem,
    DossierList,
    DossierListEntry,
    DossierListHeading,
    DossierStatus,
    ItemKind,
    ListStatus,
)
from .rules import is_active, is_archivist, is_head, is_office, readable_q

# The audit actions of the access history (Appendix VI: "log access history").
ACTION_VIEWED = "records.dossier_viewed"
ACTION_EXPORTED = "records.dossier_exported"
ACCESS_ACTIONS = (ACTION_VIEWED, ACTION_EXPORTED)
TARGET_TYPE = Dossier._meta.label_lower  # "records.dossier", as audit_record writes it

PAGE_SIZE = 50
# Rows in one export of the results; the file says so when there are more.
EXPORT_LIMIT = 5_000
PDF_EXPORT_LIMIT = 1_000

SEARCH_PARAMS = (
    "q",
    "year",
    "status",
    "ad_hoc",
    "handler",
    "maintenance",
    "opened_from",
    "opened_to",
    "closed_from",
    "closed_to",
    "sort",
)


class DossierSort(models.TextChoices):
    NEWEST = "newest", "Mở mới nhất"
    OLDEST = "oldest", "Mở cũ nhất"
    YEAR = "year", "Năm hình thành, số ký hiệu"
    TITLE = "title", "Tiêu đề (A–Z)"
    ACCESSES = "accesses", "Khai thác nhiều nhất"


SORT_ORDER: dict[str, tuple[str, ...]] = {
    DossierSort.NEWEST: ("-opened_at", "-id"),
    DossierSort.OLDEST: ("opened_at", "id"),
    DossierSort.YEAR: ("-year", "notation", "id"),
    DossierSort.TITLE: ("title", "id"),
    DossierSort.ACCESSES: ("-access_count", "-opened_at", "-id"),
}


def dossier_search_text(dossier: Dossier) -> str:
    """The folded words of the dossier's own fields, padded with spaces: " w1 w2 ... ".

    The status is not among them: it changes without the dossier's services (the hand-over)
    and is a filter of its own."""
    entry = dossier.entry
    fields = [
        dossier.file_code,
        dossier.unit.agency_code,
        dossier.notation,
        str(dossier.year),
        dossier.title,
        dossier.maintenance,
        dossier.rights,
        dossier.creator,
        dossier.language,
        dossier.description,
        dossier.handler.full_name,
        "hồ sơ phát sinh" if dossier.ad_hoc else "",
        f"{entry.code} {entry.heading.title}" if entry is not None else "",
    ]
    return f" {' '.join(words(' '.join(f for f in fields if f)))} "


def _own_fields_match(query: str) -> Q:
    """Every word of the query among the dossier's own words (LIKE on whole words)."""
    return match_condition(query)


def _documents_match(query: str) -> Exists:
    """One document of the dossier holds every word of the query."""
    parsed = query_parse(query)
    if connection.vendor == "postgresql":
        documents = Document.objects.filter(fts_condition(parsed))
    else:
        documents = Document.objects.filter(match_condition(query))
    return Exists(
        DossierItem.objects.filter(
            dossier_id=OuterRef("pk"),
            kind=ItemKind.DOCUMENT,
            document_id__in=documents.values("pk"),
        )
    )


def _target_id() -> Cast:
    return Cast(OuterRef("pk"), output_field=CharField())


def _count_of(qs: QuerySet[Any], group: str) -> Coalesce:
    """A correlated count, 0 when there is none (one column of the page's query)."""
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Each dossier with its number of documents and of accesses, in the same query."""
    items = DossierItem.objects.filter(dossier_id=OuterRef("pk"))
    accesses = AuditEvent.objects.filter(
        action=ACTION_VIEWED, target_type=TARGET_TYPE, target_id=_target_id()
    )
    return qs.annotate(
        item_count=_count_of(items, "dossier_id"), access_count=_count_of(accesses, "target_id")
    )


@dataclass
class DossierFilters:
    """The search as typed: words and the filters of the form (all optional)."""

    query: str = ""
    year: int | None = None
    status: str = ""
    ad_hoc: bool | None = None
    handler: User | None = None
    maintenance: str = ""
    unit_id: int | None = None
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    sort: str = DossierSort.NEWEST

    def criteria(self) -> list[str]:
        """The conditions in words, for the heading of an export."""
        out = []
        if self.query:
            out.append(f"từ khóa “{self.query}”")
        if self.year:
            out.append(f"năm {self.year}")
        if self.status in DossierStatus.values:
            out.append(f"trạng thái {DossierStatus(self.status).label.lower()}")
        if self.ad_hoc is True:
            out.append("hồ sơ phát sinh")
        elif self.ad_hoc is False:
            out.append("hồ sơ theo danh mục")
        if self.handler is not None:
            out.append(f"người lập hồ sơ {self.handler.full_name}")
        if self.maintenance:
            out.append(f"thời hạn bảo quản {self.maintenance}")
        for label, value in (
            ("mở từ ngày", self.opened_from),
            ("mở đến ngày", self.opened_to),
            ("kết thúc từ ngày", self.closed_from),
            ("kết thúc đến ngày", self.closed_to),
        ):
            if value is not None:
                out.append(f"{label} {value:%d/%m/%Y}")
        return out


def _day_range(field_name: str, start: dt.date | None, end: dt.date | None) -> Q:
    """Whole local days (Asia/Ho_Chi_Minh), as the documents search reads dates."""
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field_name}__gte": local_midnight(start)})
    if end is not None:
        condition &= Q(**{f"{field_name}__lt": local_midnight(end + dt.timedelta(days=1))})
    return condition


def dossier_search(*, user: User, filters: DossierFilters) -> QuerySet[Dossier]:
    """The dossiers `user` may read that match `filters`, with their counts, in the chosen order."""
    qs = Dossier.objects.filter(readable_q(user))
    if query_parse(filters.query).terms:
        qs = qs.filter(_own_fields_match(filters.query) | Q(_documents_match(filters.query)))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.status in DossierStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.ad_hoc is not None:
        qs = qs.filter(ad_hoc=filters.ad_hoc)
    if filters.handler is not None:
        qs = qs.filter(handler=filters.handler)
    if filters.maintenance:
        qs = qs.filter(maintenance=filters.maintenance)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    qs = qs.filter(_day_range("opened_at", filters.opened_from, filters.opened_to))
    qs = qs.filter(_day_range("closed_at", filters.closed_from, filters.closed_to))
    order = SORT_ORDER.get(filters.sort, SORT_ORDER[DossierSort.NEWEST])
    return (
        with_counts(qs)
        .select_related("unit", "handler", "retention_item")
        .defer("search_text")
        .order_by(*order)
    )


@dataclass
class Totals:
    """Appendix VI "counts of dossiers, documents and accesses" for a search's result."""

    dossiers: int
    documents: int
    accesses: int

    @property
    def line(self) -> str:
        return (
            f"{number_vi(self.dossiers)} hồ sơ, {number_vi(self.documents)} văn bản, "
            f"{number_vi(self.accesses)} lượt khai thác"
        )


def search_totals(results: QuerySet[Dossier]) -> Totals:
    """Three counts: the dossiers, the documents in them, the accesses to them."""
    ids = results.order_by().values("pk")
    ids_text = results.order_by().annotate(_id_text=Cast("pk", CharField())).values("_id_text")
    return Totals(
        dossiers=results.order_by().count(),
        documents=DossierItem.objects.filter(dossier_id__in=ids).count(),
        accesses=AuditEvent.objects.filter(
            action=ACTION_VIEWED, target_type=TARGET_TYPE, target_id__in=ids_text
        ).count(),
    )


@dataclass
class ResultPage:
    rows: list[Dossier]
    number: int
    page_size: int
    has_next: bool
    totals: Totals
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.totals.dossiers // self.page_size))


def result_page(
    results: QuerySet[Dossier], *, page: int = 1, page_size: int = PAGE_SIZE
) -> ResultPage:
    """One page read as `page_size + 1` rows (whether a next page exists), and the totals."""
    page = max(1, page)
    offset = (page - 1) * page_size
    rows = list(results[offset : offset + page_size + 1])
    return ResultPage(
        rows=rows[:page_size],
        number=page,
        page_size=page_size,
        has_next=len(rows) > page_size,
        totals=search_totals(results),
    )


def export_rows(results: QuerySet[Dossier], *, limit: int) -> tuple[list[Dossier], bool]:
    """At most `limit` rows, and whether more were left out."""
    rows = list(results[: limit + 1])
    return rows[:limit], len(rows) > limit


def maintenance_choices(*, user: User) -> list[str]:
    """The retention periods written on the dossiers the person reads, for the filter."""
    values = (
        Dossier.objects.filter(readable_q(user))
        .order_by("maintenance")
        .values_list("maintenance", flat=True)
        .distinct()
    )
    return [v for v in values if v]


# ---------------------------------------------------------------- access history

MSG_HISTORY_DENIED = "Chỉ thủ trưởng cơ quan và người lập hồ sơ được xem lịch sử khai thác hồ sơ."
ACTION_LABELS = {ACTION_VIEWED: "Xem hồ sơ", ACTION_EXPORTED: "Xuất hồ sơ"}


def can_read_history(user: User, dossier: Dossier) -> bool:
    """The access history is read by the head of the dossier's agency and by its handler."""
    return is_active(user) and (dossier.handler_id == user.pk or is_head(user, dossier.unit_id))


def access_history(dossier: Dossier) -> QuerySet[AuditEvent]:
    """The views and exports of the dossier, the newest first."""
    return (
        AuditEvent.objects.filter(
            target_type=TARGET_TYPE, target_id=str(dossier.pk), action__in=ACCESS_ACTIONS
        )
        .select_related("actor")
        .order_by("-seq")
    )


def access_totals(dossier: Dossier) -> dict[str, int]:
    """How many views and exports, and by how many people."""
    events = access_history(dossier).order_by()
    return {
        "views": events.filter(action=ACTION_VIEWED).count(),
        "exports": events.filter(action=ACTION_EXPORTED).count(),
        "people": events.values("actor_id").distinct().count(),
    }


# ---------------------------------------------------------------- the dossier list of a year

MSG_LIST_NOT_FOUND = (
    "Không tìm thấy danh mục hồ sơ của cơ quan trong năm này (hoặc bạn không được xem)."
)


def can_read_list(user: User, dossier_list: DossierList) -> bool:
    """An approved list is read by everyone of its agency; one still being drafted or approved
    by its office, its head and its archive only (NĐ 30/2020 Art. 28)."""
    if not is_active(user):
        return False
    unit_id = dossier_list.unit_id
    if is_head(user, unit_id) or is_office(user, unit_id) or is_archivist(user, unit_id):
        return True
    member = user.unit_id == unit_id or any(u == unit_id for u, _r in user.role_pairs())
    return member and dossier_list.status == ListStatus.APPROVED


def dossier_list_for(*, user: User, unit_id: int, year: int) -> DossierList:
    """The agency's dossier list of `year` with its headings and entries (three queries)."""
    dossier_list = (
        DossierList.objects.select_related("unit")
        .prefetch_related(
            Prefetch(
                "headings",
                queryset=DossierListHeading.objects.prefetch_related(
                    Prefetch(
                        "entries",
                        queryset=DossierListEntry.objects.select_related(
                            "retention_item", "person_in_charge"
                        ),
                    )
                ),
            )
        )
        .filter(unit_id=unit_id, year=year)
        .first()
    )
    if dossier_list is None or not can_read_list(user, dossier_list):
        raise NotFound(MSG_LIST_NOT_FOUND)
    return dossier_list


def record_view(*, actor: User, dossier: Dossier, via: str, ip: str | None = None) -> None:
    """A reading of the dossier outside its page (the API): one more access of its history."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=ACTION_VIEWED,
            unit=dossier.unit,
            target=dossier,
            data={"via": via},
            ip=ip,
        )
