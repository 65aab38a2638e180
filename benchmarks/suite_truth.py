"""What the performance suite checks a search against (benchmarks/suite.py, benchmarks/README.md).

- Ground truth: the documents a person may see that hold every word of the query whole and every
  phrase in double quotes word after word, found by a plain scan of the folded `search_text` with
  Python regular expressions, `(^| )word( |$)`. Neither the full-text vector nor the trigram
  index nor `document_search` is used, and the visibility rule (R14: the documents of the units
  where the person is a clerk or leader, and the documents given to them) is read from the role
  and share tables directly; precision and recall compare it with every hit the search returns.
- The plain full-text ceiling: the same words through the `search_vector` GIN index (number-
  symbols and phrases by LIKE on `search_text`, as the search does), without any visibility
  rule, in the same order, one page of 51 ids: what the search could cost at best.

The module sets nothing up: importing it has no side effect (the tests use it directly).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vanban.core.text import fold

_QUOTED = re.compile(r'["“”„]([^"“”„]*)["“”„]?')
_SEPARATORS = re.compile(r"[^\w/.-]+")
_LEXEME = re.compile(r"[a-z0-9]+")
PAGE_ROWS = 51  # the search page reads one page of 50 and one more row
RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"  # sections D, C, B, A, as the search page ranks


def _tokens(text: str) -> list[str]:
    return [t.strip("-./") for t in _SEPARATORS.split(text) if t.strip("-./")]


@dataclass
class QueryParts:
    """A typed query, folded: its words (each must be found whole) and its phrases."""

    words: list[str]
    phrases: list[str] = field(default_factory=list)


def query_parts(query: str) -> QueryParts:
    folded = fold(query)
    phrases = []
    words: list[str] = []
    for quoted in _QUOTED.findall(folded):
        tokens = _tokens(quoted)
        words += tokens
        if len(tokens) > 1:
            phrases.append(" ".join(tokens))
    words += _tokens(_QUOTED.sub(" ", folded))
    return QueryParts(list(dict.fromkeys(words)), phrases)


def _whole(text: str) -> "re.Pattern[str]":
    return re.compile(r"(?:^| )" + re.escape(text) + r"(?: |$)")


class Matcher:
    """Does a folded `search_text` hold the query? Each word and phrase whole."""

    def __init__(self, query: str) -> None:
        parts = query_parts(query)
        self.needles = [*parts.words, *parts.phrases]
        self.patterns = [_whole(n) for n in self.needles]

    def __call__(self, search_text: str) -> bool:
        # The substring test is a quick refusal only; the pattern decides.
        return all(
            needle in search_text and pattern.search(search_text)
            for needle, pattern in zip(self.needles, self.patterns, strict=True)
        )


@dataclass
class Person:
    """Who sees what, read from the tables (R14), independently of `visible_to`."""

    key: str
    user_id: int
    units: set[int]
    shared: set[int]
    everything: bool = False  # the whole province, no visibility rule

    def sees(self, document_id: int, unit_id: int) -> bool:
        return self.everything or unit_id in self.units or document_id in self.shared


PROVINCE = "province"


def province() -> Person:
    """Nobody sees every document (R14 has no such role): the match condition alone is checked
    over the whole province with this pseudo-person."""
    return Person(PROVINCE, 0, set(), set(), everything=True)


def person_read(key: str, user: Any) -> Person:
    from vanban.accounts.models import Role, RoleAssignment
    from vanban.documents.models import DocumentShare

    units = set(
        RoleAssignment.objects.filter(
            user_id=user.pk, role__in=(Role.CLERK, Role.LEADER)
        ).values_list("unit_id", flat=True)
    )
    shared = set(
        DocumentShare.objects.filter(user_id=user.pk).values_list("document_id", flat=True)
    )
    return Person(key, user.pk, units, shared)


def ground_truth(
    queries: Iterable[str], people: list[Person], *, chunk: int = 2000
) -> dict[tuple[str, str], set[int]]:
    """(query, person key) -> ids of the documents the person sees that hold the query: one pass
    over the documents any of them sees (a server-side cursor on PostgreSQL)."""
    from django.db.models import Q

    from vanban.documents.models import Document

    matchers = {query: Matcher(query) for query in queries}
    truth: dict[tuple[str, str], set[int]] = {
        (query, person.key): set() for query in matchers for person in people
    }
    units = set().union(*(p.units for p in people)) if people else set()
    shared = set().union(*(p.shared for p in people)) if people else set()
    scope = Document.objects.order_by()
    if not any(p.everything for p in people):
        scope = scope.filter(Q(unit_id__in=units) | Q(pk__in=shared))
    rows = scope.values_list("pk", "unit_id", "search_text").iterator(chunk_size=chunk)
    for pk, unit_id, text in rows:
        seers = [p for p in people if p.sees(pk, unit_id)]
        if not seers:
            continue
        for query, matcher in matchers.items():
            if matcher(text):
                for person in seers:
                    truth[(query, person.key)].add(pk)
    return truth


def search_hits(user: Any, query: str) -> set[int]:
    """Every hit the search returns to the person (no page, no cap)."""
    from vanban.documents import search

    results: Any = search.document_search(user=user, query=query)
    # Where the visibility rule is read as two queries (one per half of the rule, each with its
    # own plan), the hits are the union of both.
    halves = getattr(results, "halves", None)
    queries = (halves() or []) if callable(halves) else [results]
    found: set[int] = set()
    for part in queries:
        found |= set(part.order_by().values_list("pk", flat=True))
    return found


def match_hits(query: str) -> set[int]:
    """Every document the search's match condition finds, without the visibility rule: the
    full-text and LIKE conditions on PostgreSQL, LIKE on SQLite."""
    from django.db import connection

    from vanban.documents import search
    from vanban.documents.models import Document

    if connection.vendor == "postgresql":
        condition = search.fts_condition(search.query_parse(query))
    else:
        condition = search.match_condition(query)
    return set(Document.objects.filter(condition).order_by().values_list("pk", flat=True))


@dataclass
class Accuracy:
    hits: int
    truth: int
    found: int  # hits that are in the truth

    @property
    def precision(self) -> float:
        return self.found / self.hits if self.hits else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    def label(self) -> str:
        return f"{self.precision:.3f} / {self.recall:.3f}"

    def as_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "hits": self.hits,
            "truth": self.truth,
            "hits_in_truth": self.found,
        }


def accuracy(hits: set[int], truth: set[int]) -> Accuracy:
    return Accuracy(len(hits), len(truth), len(hits & truth))


# ---------------------------------------------------------------- the plain full-text ceiling


def ceiling_sql(query: str, *, relevance: bool) -> tuple[str, list[Any]]:
    """One page of ids of every document holding the query (no visibility rule): the words made
    of [a-z0-9] through `search_vector @@ to_tsquery` (its GIN index), any other word (a number-
    symbol) and every phrase by LIKE on `search_text` (its trigram index); ordered by ts_rank_cd
    with the search page's weights when `relevance`, else newest first. PostgreSQL only."""
    parts = query_parts(query)
    lexemes = [w for w in parts.words if _LEXEME.fullmatch(w)]
    where: list[str] = []
    params: list[Any] = []
    tsquery = " & ".join(f"'{w}'" for w in lexemes)
    if lexemes:
        where.append("search_vector @@ to_tsquery('simple', %s)")
        params.append(tsquery)
    for needle in [w for w in parts.words if w not in lexemes] + parts.phrases:
        where.append("search_text LIKE %s")
        params.append(f"% {needle} %")
    order = "registered_at DESC, id DESC"
    if relevance and lexemes:
        rank = f"ts_rank_cd('{RANK_WEIGHTS}'::float4[], search_vector, to_tsquery('simple', %s))"
        order = f"{rank} DESC, {order}"
        params.append(tsquery)
    sql = (
        "SELECT id FROM documents_document WHERE "  # noqa: S608 - no value is formatted in
        + (" AND ".join(where) or "TRUE")
        + f" ORDER BY {order} LIMIT {PAGE_ROWS}"
    )
    return sql, params
