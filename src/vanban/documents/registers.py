"""The incoming and outgoing registers of a unit for a period, as rows of Appendix IV (R17).

NĐ 30/2020 Appendix IV fixes the columns of the printed registers; a register kept in the system is
still printed with all of them each quarter and bound each year. The rows are built here once, as
text, so the web table and the PDF show exactly the same thing.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Prefetch, QuerySet
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.core.errors import NotFound
from vanban.core.text import fold, format_date_vi
from vanban.reports.periods import REPORT_TZ, Period

from . import selectors
from .models import Direction, Document, DocumentShare, RegisterSeries
from .services import format_number


@dataclass(frozen=True)
class Column:
    header: str
    # In the printed register: A4 landscape less the margins leaves 257 mm for the columns.
    width_mm: int
    centered: bool = False


INCOMING_COLUMNS = (
    Column("Ngày đến", 22, centered=True),
    Column("Số đến", 12, centered=True),
    Column("Tác giả", 30),
    Column("Số, ký hiệu văn bản", 28, centered=True),
    Column("Ngày tháng văn bản", 22, centered=True),
    Column("Tên loại và trích yếu nội dung văn bản", 56),
    Column("Đơn vị hoặc người nhận", 30),
    Column("Ngày chuyển", 22, centered=True),
    Column("Ký nhận", 16),
    Column("Ghi chú", 19),
)
OUTGOING_COLUMNS = (
    Column("Số, ký hiệu văn bản", 28, centered=True),
    Column("Ngày tháng văn bản", 22, centered=True),
    Column("Tên loại và trích yếu nội dung văn bản", 56),
    Column("Người ký", 24),
    Column("Nơi nhận văn bản", 34),
    Column("Đơn vị, người nhận bản lưu", 24),
    Column("Số lượng bản", 13, centered=True),
    Column("Ngày chuyển", 22, centered=True),
    Column("Ký nhận", 16),
    Column("Ghi chú", 18),
)
COLUMNS = {Direction.INCOMING: INCOMING_COLUMNS, Direction.OUTGOING: OUTGOING_COLUMNS}
TITLES = {
    Direction.INCOMING: "Sổ đăng ký văn bản đến",
    Direction.OUTGOING: "Sổ đăng ký văn bản đi",
}
# Only the fields the columns need: `search_text` holds the text of every file and is large.
_ROW_FIELDS = (
    "series",
    "register_number",
    "document_type",
    "document_type__name",
    "code_number",
    "code_notation",
    "issued_date",
    "issuer_name",
    "subject",
    "description",
    "signer_name",
    "arrival_date",
    "to_places",
    "recipients",
    "archive_holder",
    "issued_amount",
)


@dataclass(frozen=True)
class RegisterRow:
    series_id: int
    series_name: str
    cells: tuple[str, ...]  # in the order of the register's columns


@dataclass(frozen=True)
class SeriesSpan:
    """The part of one numbering series that falls in the period."""

    series_id: int
    name: str
    count: int
    first_number: str
    last_number: str


@dataclass
class Register:
    """A unit's register of one direction for a period, optionally limited to one series."""

    unit: Unit
    direction: str
    period: Period
    series: RegisterSeries | None
    spans: list[SeriesSpan]
    documents: QuerySet[Document] = field(repr=False)

    @property
    def title(self) -> str:
        return TITLES[Direction(self.direction)]

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS[Direction(self.direction)]

    @property
    def total(self) -> int:
        return sum(span.count for span in self.spans)

    @property
    def year(self) -> int:
        return self.period.first.year

    @property
    def number_lines(self) -> list[str]:
        """The cover's "Từ số ... đến số ...": one line, or one per series when several."""
        if not self.spans:
            return ["Từ số .......... đến số .........."]
        if len(self.spans) == 1:
            span = self.spans[0]
            return [f"Từ số {span.first_number} đến số {span.last_number}"]
        return [
            f"{span.name}: từ số {span.first_number} đến số {span.last_number}"
            for span in self.spans
        ]

    @property
    def series_names(self) -> dict[int, str]:
        return {span.series_id: span.name for span in self.spans}

    def rows(self, documents: Iterable[Document] | None = None) -> list[RegisterRow]:
        """The rows of `documents` (a page of `self.documents`), or of the whole register."""
        build = _incoming_cells if self.direction == Direction.INCOMING else _outgoing_cells
        names = self.series_names
        return [
            RegisterRow(
                series_id=document.series_id,
                series_name=names.get(document.series_id, ""),
                cells=build(document),
            )
            for document in (self.documents if documents is None else documents)
        ]


def access_register_unit(*, user: User, unit_id: int) -> Unit:
    """A unit whose registers the person may read (its clerks and leaders); else "not found"."""
    unit = selectors.register_units(user=user).select_related("parent").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def register_build(
    *,
    user: User,
    unit: Unit,
    direction: str,
    period: Period,
    series: RegisterSeries | None = None,
) -> Register:
    """R17: the documents a unit entered in its incoming or outgoing register during a period.

    Without `series`: every document of that direction in the period, by series then number.
    Raises NotFound when the person is not a clerk or leader of the unit, or the series is not the
    unit's series of that direction.
    """
    unit = access_register_unit(user=user, unit_id=unit.pk)
    if direction not in Direction.values:
        raise NotFound("Không tìm thấy sổ văn bản.")
    if series is not None and (series.unit_id != unit.pk or series.direction != direction):
        raise NotFound("Không tìm thấy sổ văn bản.")
    # The person reads every document of the unit (clerk or leader: Document.visible_to), so the
    # register is taken from the unit directly; joining the shares would only repeat rows.
    base = Document.objects.filter(
        unit=unit,
        direction=direction,
        year=period.first.year,
        registered_at__gte=period.start,
        registered_at__lt=period.end,
    )
    if series is not None:
        base = base.filter(series=series)
    spans = [
        SeriesSpan(
            series_id=item["series_id"],
            name=item["series__name"],
            count=item["count"],
            first_number=_number(direction, item["first"]),
            last_number=_number(direction, item["last"]),
        )
        for item in base.values("series_id", "series__name")
        .annotate(count=Count("id"), first=Min("register_number"), last=Max("register_number"))
        .order_by("series__name", "series_id")
    ]
    shares = DocumentShare.objects.select_related("user").order_by("granted_at", "id")
    documents = (
        base.select_related("document_type")
        .only(*_ROW_FIELDS)
        .prefetch_related(
            Prefetch("shares", queryset=shares.only("document", "granted_at", "user__full_name"))
        )
        .order_by("series__name", "series_id", "register_number")
    )
    return Register(
        unit=unit,
        direction=direction,
        period=period,
        series=series,
        spans=spans,
        documents=documents,
    )


# ---------------------------------------------------------------- cells


def _number(direction: str, number: int) -> str:
    return str(number) if direction == Direction.INCOMING else format_number(number)


def _local_date(moment: dt.datetime | None) -> str:
    return format_date_vi(timezone.localtime(moment, REPORT_TZ)) if moment else ""


def type_and_subject(document: Document) -> str:
    """The column "Tên loại và trích yếu": "Quyết định về việc ..."; a subject that already
    starts with the type's name is not prefixed with it twice."""
    type_name = document.document_type.name
    if fold(document.subject).startswith(fold(type_name)):
        return document.subject
    return f"{type_name} {document.subject}"


def _shares(document: Document) -> list[DocumentShare]:
    return list(document.shares.all())  # prefetched, in order of handing over


def _incoming_cells(document: Document) -> tuple[str, ...]:
    shares = _shares(document)
    receivers = document.to_places or ", ".join(share.user.full_name for share in shares)
    return (
        _local_date(document.arrival_date),
        str(document.register_number),
        document.issuer_name,
        document.number_symbol,
        format_date_vi(document.issued_date),
        type_and_subject(document),
        receivers,
        _local_date(shares[0].granted_at) if shares else "",
        "",  # Ký nhận: signed by hand on the printed register
        document.description,
    )


def _outgoing_cells(document: Document) -> tuple[str, ...]:
    shares = _shares(document)
    return (
        document.number_symbol,
        format_date_vi(document.issued_date),
        type_and_subject(document),
        document.signer_name,
        document.recipients,
        document.archive_holder,
        str(document.issued_amount) if document.issued_amount else "",
        _local_date(shares[0].granted_at) if shares else "",
        "",  # Ký nhận: signed by hand on the printed register
        document.description,
    )
