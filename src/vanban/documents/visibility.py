"""R14 for lists, searches and counts: the visibility rule in two halves.

`Document.objects.visible_to(user)` is one condition, `unit IN (the person's register units) OR
pk IN (the documents given to the person)`. It is right for one document, but PostgreSQL cannot
plan the OR of a list well: for a leader of a small unit, the first page of a common word in
registration order walked the whole registration index, checking each row against both sides of
the OR, and the capped count did the same (docs/performance.md, "Visibility in two halves").

`VisibleDocuments` reads the same rule as two disjoint queries, each with its own plan:
- half 1, the documents of the person's register units (clerk or leader there): `unit IN units`,
  read through the index (unit, registered_at, id) in registration order (migration 0011);
- half 2, the documents given to the person outside those units: `pk IN (shares of the person
  whose document is not of those units)` and `unit NOT IN units`; the shares carry their
  document's unit and are read from the index (user, document_unit, document) alone, first, as
  a list of ids when there are few (GIVEN_INLINE), so that the planner knows half 2's size.
A person without a register unit has half 2 only. A page at `offset` of `limit` rows reads at most
`offset + limit` rows of each half in the page's order, merges the two sorted lists by the same
order keys and slices the page; a count is the sum of the two halves' capped counts. No document
outside both halves is ever read, and none is read twice (the halves are disjoint).

The order is the queryset's `order_by` (else the model's ordering). Field names are compared as
read from the rows (they are loaded even where the rows are narrowed with `only`); an expression
(the relevance rank, "bearing the number first") is selected as an annotation so the merge can
compare it. Every order ends with the primary key, so the order is total and the merged list is
the one a single query would give.
"""

import functools
import heapq
import itertools
from collections.abc import Callable, Iterator
from typing import Any, Self, overload

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.sql.where import WhereNode

from vanban.accounts.models import User

from .models import Document, DocumentShare, register_unit_ids, visibility_condition

_ORDER_ALIAS = "_order_key_{}"
# Half 2 as a list of ids up to this many documents given outside the person's units.
GIVEN_INLINE = 1000


class VisibleDocuments:
    """The documents of `queryset` (filtered and ordered, NOT restricted by visibility) that
    `user` may see (R14), read in two halves. Offers what a list needs: `page`, `capped_count`,
    `count`, slicing and iteration (so Django's Paginator takes it), and `filter`-like chaining."""

    def __init__(
        self,
        queryset: QuerySet[Document],
        user: User | AnonymousUser,
        _given: dict[str, list[int] | None] | None = None,
        *,
        rank_window: int | None = None,
    ) -> None:
        self._queryset = queryset
        self.user = user
        # "Liên quan nhất" over many hits: only the newest `rank_window` hits of each half are
        # ranked, the older ones follow in registration order (see `page`).
        self.rank_window = rank_window
        self.window_exceeded = False
        # The documents given to the person outside their units, read once per request and
        # shared by the querysets derived from this one (`apply`): see `_given_outside`.
        self._given = {} if _given is None else _given

    # ------------------------------------------------------------ chaining

    def apply(self, change: Callable[[QuerySet[Document]], QuerySet[Document]]) -> Self:
        """The same rule over `change(queryset)` (a narrower filter, other columns, an order)."""
        return type(self)(
            change(self._queryset), self.user, self._given, rank_window=self.rank_window
        )

    def filter(self, *args: Any, **kwargs: Any) -> Self:
        return self.apply(lambda qs: qs.filter(*args, **kwargs))

    def exclude(self, *args: Any, **kwargs: Any) -> Self:
        return self.apply(lambda qs: qs.exclude(*args, **kwargs))

    def order_by(self, *fields: Any) -> Self:
        return self.apply(lambda qs: qs.order_by(*fields))

    def defer(self, *fields: str) -> Self:
        return self.apply(lambda qs: qs.defer(*fields))

    ordered = True  # Paginator's check: the order is always total (see ordered_halves)

    # ------------------------------------------------------------ the halves

    def halves(self) -> list[QuerySet[Document]]:
        """The queries of the halves, disjoint: the register units' documents, then the documents
        given to the person outside them. None for an inactive or anonymous person."""
        user = self.user
        if not isinstance(user, User) or not user.is_active:
            return []
        units = register_unit_ids(user)
        # Few documents given outside the units come as their ids, so that PostgreSQL knows how
        # few rows half 2 has; none at all, no half 2.
        given = self._given_outside(user, units)
        halves = [self._queryset.filter(unit_id__in=units)] if units else []
        if given != []:
            outside = self._queryset.filter(pk__in=given)
            halves.append(outside.exclude(unit_id__in=units) if units else outside)
        return halves

    def _given_outside(self, user: User, units: list[int]) -> Any:
        """Half 2's documents: the ids (a list) when there are at most GIVEN_INLINE of them, else
        the subquery of the shares index.

        A leader is given most of the unit's incoming documents, all of them inside half 1. As a
        subquery, PostgreSQL estimated thousands of rows for half 2 where there were none, and
        for a common word walked the whole registration index looking for them (2.7 s at
        1,000,000 documents). Read first from the index (user, document_unit, document), the ids
        tell it exactly. A person given more than GIVEN_INLINE documents outside their units
        keeps the subquery, whose estimate is then of the right size."""
        if "outside" not in self._given:
            ids = list(
                self._outside_subquery(user, units).values_list("document_id", flat=True)[
                    : GIVEN_INLINE + 1
                ]
            )
            self._given["outside"] = ids if len(ids) <= GIVEN_INLINE else None
        ids = self._given["outside"]
        return ids if ids is not None else self._outside_subquery(user, units)

    @staticmethod
    def _outside_subquery(user: User, units: list[int]) -> QuerySet[DocumentShare]:
        # The shares carry their document's unit: those of the units' own documents are dropped
        # inside the index (user, document_unit, document), without reading the documents.
        shares = DocumentShare.objects.filter(user=user)
        if units:
            shares = shares.exclude(document_unit_id__in=units)
        return shares.values("document_id")

    def ordered_halves(self) -> tuple[list[QuerySet[Document]], Callable[[Document], Any]]:
        """The halves in the page's order, and the merge key of a row."""
        qs = self._queryset
        order = list(qs.query.order_by) or (
            list(Document._meta.ordering) if qs.query.default_ordering else []
        )
        keys: list[tuple[str, bool]] = []  # (attribute of the row, descending)
        annotations: dict[str, Any] = {}
        new_order: list[Any] = []
        for index, item in enumerate(order):
            if isinstance(item, str):
                descending = item.startswith("-")
                name = item.lstrip("-+")
                name = "id" if name == "pk" else name
                if "__" in name or name == "?":
                    raise ValueError(f"cannot merge halves ordered by {item!r}")
                keys.append((Document._meta.get_field(name).attname, descending))
                new_order.append(item)
            else:
                expression, descending = (
                    (item.expression, item.descending)
                    if isinstance(item, OrderBy)
                    else (item, False)
                )
                alias = _ORDER_ALIAS.format(index)
                annotations[alias] = expression
                keys.append((alias, descending))
                new_order.append(F(alias).desc() if descending else F(alias).asc())
        if not any(name == "id" for name, _descending in keys):
            keys.append(("id", False))
            new_order.append("id")
        if annotations:
            qs = qs.annotate(**annotations)
        qs = _loading(qs.order_by(*new_order), [n for n, _d in keys if n not in annotations])
        nulls_large = connection.vendor == "postgresql"

        def compare(a: Document, b: Document) -> int:
            for name, descending in keys:
                x, y = getattr(a, name), getattr(b, name)
                if x == y:
                    continue
                if x is None or y is None:
                    result = (1 if x is None else -1) * (1 if nulls_large else -1)
                else:
                    result = -1 if x < y else 1
                return -result if descending else result
            return 0

        return (
            type(self)(qs, self.user, self._given, rank_window=self.rank_window).halves(),
            functools.cmp_to_key(compare),
        )

    def as_one_query(self) -> QuerySet[Document]:
        """The same documents as one query with the rule as one condition (`visible_to`): what
        lists read before the halves, kept to compare plans and results against."""
        condition = visibility_condition(self.user)
        return self._queryset.none() if condition is None else self._queryset.filter(condition)

    # ------------------------------------------------------------ reads

    def page(self, offset: int, limit: int) -> list[Document]:
        """Rows `offset` to `offset + limit` of the merged order: each half reads at most
        `offset + limit` rows, in that order, with its own plan."""
        if limit <= 0:
            return []
        halves, key = self.ordered_halves()
        stop = offset + limit
        if self.rank_window is None:
            lists = [list(half[:stop]) for half in halves]
        else:
            lists = [self._windowed(half, stop) for half in halves]
            key = _window_key(key)
        return list(itertools.islice(heapq.merge(*lists, key=key), offset, stop))

    def _windowed(self, half: QuerySet[Document], stop: int) -> list[Document]:
        """The first `stop` rows of a half in the relevance order bounded to its newest
        `rank_window` hits. Ranking reads every hit before the first row can show: for a word in
        a third of the documents, the 22,000 hits of a large unit took 0.5-1.3 s at 1,000,000
        documents, where the newest 1,000 are found by walking the index (unit, registered_at,
        id) and ranked in a few milliseconds. With fewer hits than the window, all are ranked."""
        window = self.rank_window or 0
        newest = ("-registered_at", "-id")
        hits = list(half.order_by(*newest).values_list("registered_at", "id")[: window + 1])
        if len(hits) <= window:
            rows = list(half[:stop])
            for row in rows:
                row._in_window = True  # type: ignore[attr-defined]
            return rows
        self.window_exceeded = True
        hits = hits[:window]
        # The window's hits are known by id: ranked without the search condition, which
        # PostgreSQL would otherwise answer again from the full-text index (every hit in the
        # province) to intersect with them.
        ranked = half.all()
        ranked.query.where = WhereNode()
        rows = list(ranked.filter(pk__in=[pk for _at, pk in hits])[:stop])
        for row in rows:
            row._in_window = True  # type: ignore[attr-defined]
        if len(rows) < stop:
            at, pk = hits[-1]
            older_q = Q(registered_at__lt=at) | Q(registered_at=at, id__lt=pk)
            older = list(half.filter(older_q).order_by(*newest)[: stop - len(rows)])
            for row in older:
                row._in_window = False  # type: ignore[attr-defined]
            rows += older
        return rows

    def capped_count(self, cap: int) -> tuple[int, bool]:
        """The number of documents up to `cap`, and whether it is exact: each half counted up to
        `cap + 1` rows (`SELECT COUNT(*) FROM (SELECT id ... LIMIT cap + 1)`)."""
        # In registration order: the first `cap + 1` hits of a common word are found by walking
        # the index (unit, registered_at, id) and stop there, where a bitmap of the full-text
        # index would read every hit in the province first; for a rare word the planner still
        # takes the bitmap.
        total = sum(
            half.order_by("-registered_at", "-id").values("pk")[: cap + 1].count()
            for half in self.halves()
        )
        return min(total, cap), total <= cap

    def count(self) -> int:
        """The exact number of documents: one count per half."""
        return sum(half.order_by().count() for half in self.halves())

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, item: int) -> Document: ...

    @overload
    def __getitem__(self, item: slice) -> list[Document]: ...

    def __getitem__(self, item: int | slice) -> Document | list[Document]:
        if isinstance(item, int):
            rows = self.page(item, 1) if item >= 0 else []
            if not rows:
                raise IndexError(item)
            return rows[0]
        if item.step is not None:
            raise TypeError("only a contiguous slice of the documents can be read")
        start = item.start or 0
        if item.stop is None:
            return list(itertools.islice(iter(self), start, None))
        return self.page(start, item.stop - start)

    def __iter__(self) -> Iterator[Document]:
        """Every document, merged in order (reads both halves whole: for small lists)."""
        halves, key = self.ordered_halves()
        return heapq.merge(*(list(half) for half in halves), key=key)


def _window_key(key: Callable[[Document], Any]) -> Callable[[Document], Any]:
    """The merge key of a windowed page: the ranked rows of both halves by relevance, then the
    older rows by registration time, newest first."""

    def compare(a: Document, b: Document) -> int:
        a_in, b_in = a._in_window, b._in_window  # type: ignore[attr-defined]
        if a_in != b_in:
            return -1 if a_in else 1
        if a_in:
            x, y = key(a), key(b)
            return -1 if x < y else (1 if y < x else 0)
        x_date, y_date = (a.registered_at, a.pk), (b.registered_at, b.pk)
        return -1 if x_date > y_date else (1 if x_date < y_date else 0)

    return functools.cmp_to_key(compare)


def _loading(qs: QuerySet[Document], names: list[str]) -> QuerySet[Document]:
    """`qs` with the order's columns loaded, however it was narrowed by `only` or `defer`."""
    fields, deferring = qs.query.deferred_loading
    if deferring:
        kept = set(fields) - set(names)
        return qs.defer(None).defer(*kept) if kept != set(fields) else qs
    if fields and not set(names) <= set(fields):
        return qs.only(*fields, *names)
    return qs
