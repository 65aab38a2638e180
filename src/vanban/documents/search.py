"""Search text: every searchable field folded (no diacritics, lower case) into whole words.

`search_text` holds the folded words padded with spaces, in four sections " A | B | C | D ":
number-symbol (and register number); document type and subject; issuing body, signer and
recipients; description and file text. A number or a number-symbol matches only whole
(" 613/qd-pvhtt "), never inside "1613/...". No word is dropped: Vietnamese syllables are short
and every one of them counts. A number-symbol broken across lines by a PDF's text layer
("1366/QĐ-" at a line's end, "UBND" at the next line's start) is joined again.

Matching rules of `document_search` (each one has a test in tests/documents/test_search.py):
- the query is folded like the stored text: "Quyết định" and "quyet dinh" are the same, "đ" is "d";
- every word of the query must be found (AND), and no word is ignored ("và", "của", "về" count);
- every word is matched whole, the last one too: "man" never finds "mạnh" nor "mang" (a search
  is submitted, not typed into a suggestion list: there is no prefix matching);
- words in double quotes ("kế hoạch chuyển đổi số") must follow one another (a phrase);
- a number or a number-symbol (a word of digits only, or with / - .) is always matched whole:
  "613/QD-PVHTT" finds 613/QĐ-PVHTT, never 1613/QĐ-PVHTT nor 613/QĐ-PVHTTX; "613" finds the
  number 613, never 1613; a one-digit number also finds its two-digit form (symbols use 01..09).

Order "Liên quan nhất" (the search page's default): on PostgreSQL, the document bearing a typed
number-symbol first, then those citing it; for a query typed with diacritics, the documents
whose subject has the words as typed ("sữa" before "sửa"); then ts_rank_cd with the weights
A 1.0, B 0.4, C 0.2, D 0.1 (a word of the number-symbol or subject before one only in the file
text); then the newest. On SQLite (the embedded database of a first run) it is the newest first.
The other orders ("Vào sổ mới nhất"...) are one choice away.

Mechanism. PostgreSQL: `search_vector`, a generated column over `search_text` (the `simple`
configuration's vector of the words made of letters and digits, weighted by section), with a
GIN index (migration 0010): the words of a query become a to_tsquery of quoted [a-z0-9] lexemes
only, so no typed text ("a & b | !c", ":*") reaches to_tsquery as an operator. A number-symbol
(or any word with other characters) is matched by `LIKE '% term %'` on the trigram GIN index of
`search_text` (migration 0003), and a phrase by `LIKE '% w1 w2 %'` (exact at any length).
SQLite: every word and phrase by `LIKE` on `search_text`.

Counting (no silent cap, and a common word stays fast): a page is read as `page size + 1` rows,
which tells whether a next page exists without counting. The total is counted only up to
`COUNT_CAP + 1` rows (`SELECT COUNT(*) FROM (SELECT id ... LIMIT COUNT_CAP + 1)`): up to the cap
it is exact, above it the page says "khoảng hơn 1.000 kết quả". When the page in hand is the last
one, its position gives the total and no count is run at all. Each sort order by date has a
b-tree index (migration 0003), so the first page of a common word in date order stops after one
page; the order by relevance ranks every hit first. The page and the count are read in the two
halves of the visibility rule (visibility.py): the person's register units' documents and the
documents given to them outside those units, each its own query, merged in the page's order; the
count is the sum of each half counted up to COUNT_CAP + 1.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import (
    Case,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower
from django.db.models.lookups import Contains

from vanban.accounts.models import Unit, User
from vanban.core.errors import NotFound
from vanban.core.text import fold, nfc
from vanban.reports.periods import local_midnight

from .models import Direction, Document, DocumentType, RegisterSeries, SavedSearch, Urgency
from .selectors import register_units
from .visibility import VisibleDocuments

MAX_FILE_TEXT = 200_000
_SEPARATORS = re.compile(r"[^\w/.-]+")
_PARTS = re.compile(r"[/.-]+")


_PARTS_KEPT = re.compile(r"([/.-]+)")
# A word with more parts (a path, a long code) gives its parts only, not every run of them.
MAX_PARTS_COMBINED = 6


def words(value: str) -> list[str]:
    """Folded words; a word with / - . also gives its parts: "613/qd-pvhtt", "613", "qd"...,
    and the runs of its parts: "613/qd", "qd-pvhtt" (so "15/QĐ" finds 15/QĐ-UBND, and "QĐ-UBND"
    finds 44/2017/QĐ-UBND)."""
    out: list[str] = []
    for token in _SEPARATORS.split(fold(value)):
        token = token.strip("-./")
        if not token:
            continue
        out.append(token)
        pieces = _PARTS_KEPT.split(token)  # part, separator, part, ..., part
        count = (len(pieces) + 1) // 2
        if count > 1:
            out.extend(pieces[0::2])
        if 2 < count <= MAX_PARTS_COMBINED:
            out.extend(
                "".join(pieces[2 * first : 2 * last + 1])
                for first in range(count)
                for last in range(first + 1, count)
                if (first, last) != (0, count - 1)
            )
    return out


@dataclass
class SearchFields:
    """The searchable fields of a document by where they are, which weighs a match (SPEC, "full-
    text search across metadata and file content": a word of the number-symbol or the subject
    counts more than one of the file text)."""

    number: list[str]  # A: number-symbol, number and notation, register number
    subject: list[str]  # B: document type and subject
    people: list[str]  # C: issuing body, signer, places and recipients
    other: list[str]  # D, with the file text: the description


# Between the sections of `search_text`: never part of a word (a separator of `words`).
SECTION = "|"
# A symbol broken across lines by a PDF's text layer: "1366/QĐ-" at a line's end, "UBND" at the
# next line's start. The token ends with "-" or "/" right after a letter or digit, and the next
# line starts with a code of two or more capitals, so "kinh tế -" and "Xã hội" are left alone.
_BROKEN_SYMBOL = re.compile(r"(?<=\w[-/])[ \t]*\r?\n[ \t\r\n]*(?=[A-ZĐ]{2})")


# PDFium writes a hyphen that ends a line as U+0002 and joins the two lines ("1366/QĐ\x02UBND").
# Vietnamese words are not hyphenated across lines, so it is the hyphen of a number-symbol.
_LINE_END_HYPHEN = "\x02"


def file_text_words(text: str) -> list[str]:
    """Words of a file's text, with a number-symbol broken across lines joined again."""
    text = text[:MAX_FILE_TEXT].replace(_LINE_END_HYPHEN, "-")
    return words(_BROKEN_SYMBOL.sub("", text))


def search_text_build(*, fields: SearchFields, file_texts: list[str]) -> str:
    """Folded words in four sections, " A | B | C | D ": number-symbol, subject, issuing body and
    signer, file text. LIKE matching ignores the sections; on PostgreSQL they give the weights of
    the full-text vector (migration 0010)."""
    sections = [
        words(" ".join(f for f in fields.number if f)),
        words(" ".join(f for f in fields.subject if f)),
        words(" ".join(f for f in fields.people if f)),
    ]
    text_words = words(" ".join(f for f in fields.other if f))
    for text in file_texts:
        text_words.extend(file_text_words(text))
    sections.append(text_words)
    return f" {f' {SECTION} '.join(' '.join(section) for section in sections)} "


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(folded term, whole) pairs: whole terms (numbers, number-symbols) must match entirely."""
    terms = []
    for token in _SEPARATORS.split(fold(query)):
        token = token.strip("-./")
        if token:
            whole = token.isdigit() or bool(_PARTS.search(token))
            terms.append((token, whole))
    return terms


_QUOTED = re.compile(r'["“”„]([^"“”„]*)["“”„]?')


@dataclass
class ParsedQuery:
    """A typed query: its terms (every one must match) and its phrases in double quotes (their
    words must follow one another)."""

    terms: list[tuple[str, bool]]
    phrases: list[list[str]]
    typed_words: list[str]  # the words as typed, lower case NFC, for the diacritic ranking


def query_parse(query: str) -> ParsedQuery:
    terms: list[tuple[str, bool]] = []
    phrases: list[list[str]] = []
    for quoted in _QUOTED.findall(query):
        phrase = query_terms(quoted)
        terms.extend(phrase)
        if len(phrase) > 1:
            # As stored: a number-symbol is followed by its parts ("15/qd-ubnd 15 qd ubnd ...").
            phrases.append(words(quoted))
    terms.extend(query_terms(_QUOTED.sub(" ", query)))
    typed = [w.strip("-./") for w in _SEPARATORS.split(nfc(query).lower()) if w.strip("-./")]
    return ParsedQuery(list(dict.fromkeys(terms)), phrases, typed)


# ---------------------------------------------------------------- the search itself

PAGE_SIZE = 50
# Hits counted exactly; above this the page says "khoảng hơn 1.000 kết quả". Counting up to 10,000
# visible hits of a word found in a third of the documents took a leader 1.4 s at 1,000,000
# documents, and a server process with it; up to 1,000, a tenth of that (docs/performance.md).
COUNT_CAP = 1_000
# "Liên quan nhất" ranks the newest RANK_WINDOW hits of each half of the visibility rule; older
# hits follow in registration order (visibility.py, `VisibleDocuments._windowed`).
RANK_WINDOW = 1_000
# Rows in one export; the file and the page say so when there are more. A PDF is set by WeasyPrint
# at about 7 ms a row on a 2-core server (benchmarks/search.py), so it is kept to what a request
# can wait for; the spreadsheet takes 10,000 rows in about 2 s.
EXPORT_LIMIT = 10_000
PDF_EXPORT_LIMIT = 1_000


# Query-string parameters that make up a search; a saved search keeps these and nothing else.
SEARCH_PARAMS = (
    "q",
    "direction",
    "type",
    "urgency",
    "unit",
    "series",
    "issued_from",
    "issued_to",
    "registered_from",
    "registered_to",
    "sort",
)


class SearchSort(models.TextChoices):
    RELEVANCE = "relevance", "Liên quan nhất"
    NEWEST = "newest", "Vào sổ mới nhất"
    OLDEST = "oldest", "Vào sổ cũ nhất"
    ISSUED = "issued", "Ngày văn bản mới nhất"
    NUMBER = "number", "Số trong sổ (lớn đến nhỏ)"
    URGENCY = "urgency", "Độ khẩn cao nhất"


SORT_ORDER: dict[str, tuple[str, ...]] = {
    # Without a query, or on SQLite, the most relevant come in date order (see document_search).
    SearchSort.RELEVANCE: ("-registered_at", "-id"),
    SearchSort.NEWEST: ("-registered_at", "-id"),
    SearchSort.OLDEST: ("registered_at", "id"),
    SearchSort.ISSUED: ("-issued_date", "-registered_at", "-id"),
    SearchSort.NUMBER: ("-year", "-register_number", "-id"),
    SearchSort.URGENCY: ("-urgency", "-registered_at", "-id"),
}


def _number_variants(term: str) -> list[str]:
    """Numbers below 10 are written 01..09 in symbols: "5/qd-ubnd" also looks for "05/qd-ubnd"."""
    digits = len(term) - len(term.lstrip("0123456789"))
    return [term, f"0{term}"] if digits == 1 else [term]


def _like_word(term: str) -> Q:
    """`term` as a whole word of `search_text`; a number also as its two-digit form."""
    condition = Q()
    for variant in _number_variants(term):
        condition |= Q(search_text__contains=f" {variant} ")
    return condition


def match_condition(query: str) -> Q:
    """The LIKE condition on `search_text` for a typed query (rules in the module docstring):
    every term a whole word, every phrase its words one after another. Used as such on SQLite;
    on PostgreSQL for the terms the full-text vector does not hold (see `fts_condition`)."""
    parsed = query_parse(query)
    condition = Q()
    for term, _whole in parsed.terms:
        condition &= _like_word(term)
    for phrase in parsed.phrases:
        condition &= Q(search_text__contains=f" {' '.join(phrase)} ")
    return condition


# ---------------------------------------------------------------- PostgreSQL full-text search

_LEXEME = re.compile(r"[a-z0-9]+")
# Weights of the sections D, C, B, A for ts_rank_cd: file text, issuing body and signer,
# subject, number-symbol.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]


class SearchVectorColumn(Expression):
    """`documents_document.search_vector`: a generated column of PostgreSQL only (migration
    0010), so not a field of the model. It follows the alias of the documents table of the query
    it is used in, so that a search of documents may also be a subquery (the dossiers that hold
    a matching document, records.search), where Django renames the tables "U0", "V0"..."""

    output_field = SearchVectorField()

    def __init__(self, alias: str | None = None) -> None:
        super().__init__()
        self.alias = alias

    def resolve_expression(
        self, query: Any = None, *args: Any, **kwargs: Any
    ) -> "SearchVectorColumn":
        clone = self.copy()
        if query is not None and clone.alias is None:
            clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map: Mapping[str, str]) -> "SearchVectorColumn":
        clone = self.copy()
        if clone.alias is not None:
            clone.alias = change_map.get(clone.alias, clone.alias)
        return clone

    # Django adds the parameters of expressions as lists (the stubs say tuples).
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        table = compiler.quote_name_unless_alias(self.alias or Document._meta.db_table)
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


def tsquery_text(parsed: ParsedQuery) -> str:
    """The to_tsquery text of the terms the vector holds: quoted lexemes of [a-z0-9] only,
    joined by "&" (a one-digit number also as its two-digit form, by "|"). Nothing typed
    reaches to_tsquery as an operator: "a & b | !c" or ":*" are separators of `words`."""
    parts = []
    for term, _whole in parsed.terms:
        if _LEXEME.fullmatch(term):
            variants = [f"'{variant}'" for variant in _number_variants(term)]
            parts.append(variants[0] if len(variants) == 1 else f"({' | '.join(variants)})")
    return " & ".join(parts)


def _tsquery(parsed: ParsedQuery) -> SearchQuery | None:
    text = tsquery_text(parsed)
    return SearchQuery(text, config="simple", search_type="raw") if text else None


def fts_condition(parsed: ParsedQuery) -> Q:
    """PostgreSQL: the words through the GIN index of the full-text vector; number-symbols (and
    any word that is not plain letters and digits) through LIKE on the trigram index; phrases
    checked on `search_text` (exact at any length, where the vector's positions stop at 16,383)."""
    condition = Q()
    tsquery = _tsquery(parsed)
    if tsquery is not None:
        condition &= Q(SearchVectorExact(SearchVectorColumn(), tsquery))
    for term, _whole in parsed.terms:
        if not _LEXEME.fullmatch(term):
            condition &= _like_word(term)
    for phrase in parsed.phrases:
        condition &= Q(search_text__contains=f" {' '.join(phrase)} ")
    return condition


def _first_when(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def relevance_order(parsed: ParsedQuery) -> list[Any]:
    """PostgreSQL, sort "Liên quan nhất": the document bearing a typed number-symbol first (its
    own number, section A, before those citing it); then, for a query typed with diacritics,
    the documents whose subject has every such word as typed ("sữa" before "sửa"); then
    ts_rank_cd with the weights of the sections; then the newest."""
    order: list[Any] = []
    symbols = [term for term, whole in parsed.terms if whole]
    if symbols:
        section_a = Concat(
            Func(
                F("search_text"),
                Value(f" {SECTION} "),
                Value(1),
                function="split_part",
                output_field=TextField(),
            ),
            Value(" "),
            output_field=TextField(),
        )
        bearing = Q()
        for term in symbols:
            variants = Q()
            for variant in _number_variants(term):
                variants |= Q(Contains(section_a, f" {variant} "))
            bearing &= variants
        order.append(_first_when(bearing).desc())
    marked = [word for word in parsed.typed_words if fold(word) != word]
    if marked:
        as_typed = Q()
        for word in marked:
            as_typed &= Q(Contains(Lower("subject"), word))
        order.append(_first_when(as_typed).desc())
    tsquery = _tsquery(parsed)
    if tsquery is not None:
        rank = SearchRank(SearchVectorColumn(), tsquery, weights=RANK_WEIGHTS, cover_density=True)
        order.append(rank.desc())
    return [*order, "-registered_at", "-id"]


def document_search(
    *,
    user: User,
    query: str = "",
    direction: str = "",
    document_types: Iterable[DocumentType] = (),
    urgencies: Iterable[int] = (),
    unit: Unit | None = None,
    series: RegisterSeries | None = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    sort: str = SearchSort.NEWEST,
) -> VisibleDocuments:
    """Documents the person may see that match the query and the filters, in the chosen order,
    read in the two halves of the visibility rule (visibility.py).

    Registration dates are whole local days (Asia/Ho_Chi_Minh): "đến ngày 31/12" includes the
    documents registered at 23:30 that day.
    """
    qs = Document.objects.all()
    postgresql = connection.vendor == "postgresql"
    parsed = query_parse(query)
    if parsed.terms:
        qs = qs.filter(fts_condition(parsed) if postgresql else match_condition(query))
    if direction in Direction.values:
        qs = qs.filter(direction=direction)
    type_ids = [t.pk for t in document_types]
    if type_ids:
        qs = qs.filter(document_type_id__in=type_ids)
    urgency_values = [u for u in urgencies if u in Urgency.values]
    if urgency_values:
        qs = qs.filter(urgency__in=urgency_values)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if series is not None:
        qs = qs.filter(series=series)
    if issued_from is not None:
        qs = qs.filter(issued_date__gte=issued_from)
    if issued_to is not None:
        qs = qs.filter(issued_date__lte=issued_to)
    if registered_from is not None:
        qs = qs.filter(registered_at__gte=local_midnight(registered_from))
    if registered_to is not None:
        qs = qs.filter(registered_at__lt=local_midnight(registered_to + dt.timedelta(days=1)))
    order: list[Any] = list(SORT_ORDER.get(sort, SORT_ORDER[SearchSort.NEWEST]))
    ranked = sort == SearchSort.RELEVANCE and bool(parsed.terms) and postgresql
    if ranked:
        order = relevance_order(parsed)
    # The long search text is never shown: leaving it out keeps the rows (and any DISTINCT over
    # them) small.
    return VisibleDocuments(
        qs.select_related("document_type", "unit").defer("search_text").order_by(*order),
        user,
        rank_window=RANK_WINDOW if ranked else None,
    )


# What the results table and the exports show: a narrow row.
RESULT_FIELDS = (
    "id",
    "direction",
    "year",
    "register_number",
    "code_number",
    "code_notation",
    "issued_date",
    "arrival_date",
    "registered_at",
    "subject",
    "issuer_name",
    "urgency",
    "document_type__name",
)


def result_rows(results: VisibleDocuments) -> VisibleDocuments:
    """The results with only the columns of the result list."""
    return results.apply(
        lambda qs: qs.select_related(None).select_related("document_type").only(*RESULT_FIELDS)
    )


def search_units(*, user: User) -> QuerySet[Unit]:
    """Units to filter by: those whose registers the person reads, and their own unit (documents
    given to a person belong to it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Unit.objects.none()
    readable = register_units(user=user).values("pk")
    return Unit.objects.filter(Q(pk__in=readable) | Q(pk=user.unit_id)).order_by("name")


@dataclass
class SearchPage:
    """One page of results and the total: exact, or "more than `count`" when `exact` is False."""

    rows: list[Document]
    number: int
    page_size: int
    has_next: bool
    count: int | None  # None: not counted yet (the page asks for the count after it shows)
    exact: bool
    # More hits than the relevance order ranks: the older ones follow by registration time.
    rank_window_exceeded: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        """Known only when the count is exact."""
        if self.count is None or not self.exact:
            return None
        return max(1, -(-self.count // self.page_size))

    @property
    def count_label(self) -> str:
        if self.count is None:
            return ""
        if not self.exact:
            return f"khoảng hơn {number_vi(self.count)} kết quả"
        return f"{number_vi(self.count)} kết quả"


def number_vi(value: int) -> str:
    """10000 -> "10.000", as Vietnamese readers group digits."""
    return f"{value:,}".replace(",", ".")


def search_page(
    results: VisibleDocuments,
    *,
    page: int = 1,
    page_size: int | None = None,
    count: bool = True,
) -> SearchPage:
    """Read one page as `page_size + 1` rows and count the hits up to COUNT_CAP + 1 only.

    With `count=False` a page that is not the last one is not counted (`count` None): the
    search page shows its rows at once and asks for the count afterwards, since counting a word
    found in most documents takes far longer than reading one page of them.
    """
    size = page_size or PAGE_SIZE
    page = max(1, page)
    offset = (page - 1) * size
    rows = results.page(offset, size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    total: int | None
    if not has_next and (rows or page == 1):
        # The last page is in hand: the total is known without a count.
        total, exact = offset + len(rows), True
    elif count or not rows:  # a page past the end says how many there are
        total, exact = capped_count(results)
    else:
        total, exact = None, False
    return SearchPage(rows, page, size, has_next, total, exact, results.window_exceeded)


def capped_count(results: VisibleDocuments) -> tuple[int, bool]:
    """The number of hits up to COUNT_CAP, and whether it is exact: each half of the visibility
    rule counted up to COUNT_CAP + 1 rows."""
    return results.capped_count(COUNT_CAP)


def search_export_rows(results: VisibleDocuments, *, limit: int) -> tuple[list[Document], bool]:
    """At most `limit` rows of the results, and whether more were left out."""
    rows = results.page(0, limit + 1)
    return rows[:limit], len(rows) > limit


# ---------------------------------------------------------------- saved searches


def saved_search_list(*, user: User) -> QuerySet[SavedSearch]:
    """The person's own saved searches, by name."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


def access_saved_search(*, user: User, pk: int) -> SavedSearch:
    """One of the person's saved searches; another person's looks missing."""
    saved = saved_search_list(user=user).filter(pk=pk).first()
    if saved is None:
        raise NotFound("Không tìm thấy tìm kiếm đã lưu.")
    return saved
