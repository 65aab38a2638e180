"""The documents of a generated province (benchmarks/benchdata.py): when each is registered, in
which unit and series, its type, subject, issuer, signer and numbers, and the `search_text`
registering would build; written in batches with the processing of the incoming ones
(benchmarks/benchdata_processing.py)."""

import bisect
import datetime as dt
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.benchdata_processing import ProcessingBuilder
from benchmarks.benchdata_province import UnitInfo, province_read
from benchmarks.benchdata_rows import BATCH, Ids, rows_write
from benchmarks.benchdata_words import (
    ACTIONS,
    EXTERNAL,
    EXTERNAL_SHARE,
    EXTERNAL_SIGNERS,
    FILE_SENTENCES,
    FILE_TEXT_SHARE,
    INCOMING_SHARE,
    LEGAL_NORMATIVE_SHARE,
    MEDIUM_PHRASE,
    MEDIUM_SHARE,
    OBJECTS,
    PERIODS,
    PLACES,
    RARE_EVERY,
    RARE_PHRASE,
    TYPE_WEIGHTS,
    URGENCY_WEIGHTS,
    weights_cumulative,
)
from django.conf import settings
from django.utils import timezone

from vanban.accounts.demo import person_name
from vanban.accounts.models import Unit
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import services
from vanban.documents.models import (
    Direction,
    Document,
    DocumentShare,
    DocumentType,
    RegisterSeries,
)
from vanban.documents.search import number_vi, search_text_build
from vanban.workflow import models as wf

WORK_MINUTES = 480  # 07:30-11:30 and 13:30-17:30 on weekdays

# ---------------------------------------------------------------- progress and result


@dataclass
class Progress:
    done: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        percent = 100 * self.done / self.total if self.total else 100
        line = (
            f"{number_vi(self.done)}/{number_vi(self.total)} văn bản ({percent:.0f}%) · "
            f"{number_vi(round(self.rate))} văn bản/giây"
        )
        if self.done < self.total and self.rate:
            line += f" · còn khoảng {duration_vi((self.total - self.done) / self.rate)}"
        return line


def duration_vi(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} giây"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} phút {seconds:02d} giây"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes:02d} phút"


@dataclass
class LoadResult:
    documents: int = 0
    incoming: int = 0
    outgoing: int = 0
    processings: int = 0
    assignments: int = 0
    shares: int = 0
    trail: int = 0
    demo_units: int = 0
    demo_accounts: int = 0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    vacuum_seconds: float = 0.0
    indexes_rebuilt: bool = False

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.index_seconds + self.vacuum_seconds


# ---------------------------------------------------------------- the load


class Generator:
    """The documents of one load, in registration order, with their numbers and processing."""

    def __init__(self, *, seed: int, first_year: int, last_year: int, total: int) -> None:
        self.rng = random.Random(seed)
        self.total = total
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = clock.now()
        self.today = timezone.localdate(self.now)
        self.infos, self.leaders_by_unit, clerks_by_unit = province_read()
        if not self.infos:
            raise ServiceError(
                "Không có đơn vị nào có văn thư đang hoạt động để vào sổ văn bản. "
                "Không có gì thay đổi."
            )
        self.unit_cum = list(itertools.accumulate(i.weight for i in self.infos))
        self.types = list(DocumentType.objects.filter(is_active=True))
        self.type_cum = weights_cumulative(TYPE_WEIGHTS, [t.name for t in self.types])
        self.decision = next((t for t in self.types if t.name == "Quyết định"), None)
        self.urgency_cum = list(itertools.accumulate(URGENCY_WEIGHTS))
        self.external = []
        for name, symbol, code, positions in EXTERNAL:
            signers = [(person_name(self.rng), p) for p in positions]
            signers += [
                (person_name(self.rng), self.rng.choice(positions))
                for _ in range(EXTERNAL_SIGNERS - len(positions))
            ]
            self.external.append((name, symbol, code, signers))
        self.days = self._working_days(first_year, last_year)
        self.series: dict[tuple[int, int, str, int | None, bool], RegisterSeries] = {}
        for series in RegisterSeries.objects.filter(
            is_active=True, year__gte=first_year, year__lte=last_year
        ):
            key = (
                series.unit_id,
                series.year,
                series.direction,
                series.document_type_id,
                series.legal_normative,
            )
            self.series[key] = series
        self.counters: dict[int, int] = {s.pk: s.next_number - 1 for s in self.series.values()}
        self.result = LoadResult()

        self.ids = {
            model: Ids(model)
            for model in (Document, wf.Processing, wf.Assignment, wf.TrailEntry, DocumentShare)
        }
        self.processing_builder = ProcessingBuilder(
            rng=self.rng,
            now=self.now,
            tz=self.tz,
            ids=self.ids,
            infos=self.infos,
            leaders_by_unit=self.leaders_by_unit,
            clerks_by_unit=clerks_by_unit,
        )

    def _working_days(self, first_year: int, last_year: int) -> list[dt.date]:
        day, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
        end = min(end, self.today - dt.timedelta(days=1))
        days = []
        while day <= end:
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
        if not days:
            raise ServiceError("Khoảng năm không có ngày làm việc nào trước hôm nay.")
        return days

    def moment(self, index: int) -> dt.datetime:
        """The registration time of the index-th document: spread evenly over working hours,
        increasing with the index, so numbers follow time in every series."""
        minutes = (index + self.rng.random()) * len(self.days) * WORK_MINUTES / self.total
        day = self.days[min(int(minutes // WORK_MINUTES), len(self.days) - 1)]
        minute = minutes % WORK_MINUTES
        start = 7 * 60 + 30 if minute < 240 else 13 * 60 + 30 - 240
        at = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        return at + dt.timedelta(minutes=start + minute)

    # -------------------------------------------------------- pieces of a record

    def series_for(
        self, unit: Unit, year: int, direction: str, doc_type: DocumentType, legal: bool
    ) -> RegisterSeries:
        """As services._series_scope: outgoing documents in the type's series if the unit has one,
        legal normative ones in theirs, everything else in the unit's series of the year."""
        key: tuple[int, int, str, int | None, bool]
        if direction == Direction.OUTGOING and legal:
            key = (unit.pk, year, direction, doc_type.pk, True)
        elif (
            direction == Direction.OUTGOING
            and (unit.pk, year, direction, doc_type.pk, False) in self.series
        ):
            key = (unit.pk, year, direction, doc_type.pk, False)
        else:
            key = (unit.pk, year, direction, None, False)
        series = self.series.get(key)
        if series is None:
            scope_type = doc_type if key[3] is not None else None
            series = RegisterSeries.objects.create(
                unit=unit,
                year=year,
                direction=direction,
                document_type=scope_type,
                legal_normative=legal,
                name=services._series_default_name(direction, scope_type, legal),
            )
            self.series[key] = series
            self.counters[series.pk] = 0
        return series

    def subject(self, doc_type: DocumentType, year: int, index: int) -> str:
        rng = self.rng
        if index % RARE_EVERY == min(self.total, RARE_EVERY) // 2:
            thing = RARE_PHRASE
        elif rng.random() < MEDIUM_SHARE:
            thing = MEDIUM_PHRASE
        else:
            thing = rng.choice(OBJECTS)
        action, place = rng.choice(ACTIONS), rng.choice(PLACES)
        name = doc_type.name
        if doc_type.is_official_letter:
            return f"V/v {action} {thing} {place}"
        if name == "Giấy mời":
            meeting = rng.choice(["dự hội nghị", "họp", "dự buổi làm việc", "dự tập huấn"])
            return f"Giấy mời {meeting} về {thing}"
        if name == "Báo cáo":
            return f"Báo cáo kết quả thực hiện {thing} {rng.choice(PERIODS)} {year}"
        if name in ("Kế hoạch", "Chương trình", "Phương án"):
            return f"{name} {action} {thing} năm {year}"
        if name == "Tờ trình":
            return f"Tờ trình đề nghị {action} {thing} {place}"
        if name in ("Giấy giới thiệu", "Giấy nghỉ phép", "Giấy ủy quyền"):
            return f"{name} liên hệ công tác về {thing}"
        return f"{name} về việc {action} {thing} {place}"

    def file_text(self, document: Document, year: int) -> str:
        rng = self.rng
        lines = [
            document.issuer_name.upper(),
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
            f"Số: {document.number_symbol}",
            f"Bến Tre, ngày {document.issued_date:%d} tháng {document.issued_date:%m} năm {year}",
            document.subject,
        ]
        thing = rng.choice(OBJECTS)
        for sentence in rng.sample(FILE_SENTENCES, k=rng.randrange(4, 11)):
            lines.append(sentence.format(object=thing, year=year, unit=document.issuer_name))
        lines += [document.signer_position.upper(), document.signer_name]
        return ". ".join(lines)

    def signer(self, unit_id: int) -> tuple[str, str]:
        leaders = self.leaders_by_unit.get(unit_id) or []
        if not leaders:
            return "", ""
        leader = self.rng.choice(leaders)
        return leader.full_name[:50], leader.position[:100]

    # -------------------------------------------------------- one document

    def document(self, index: int) -> Document:
        rng = self.rng
        at = self.moment(index)
        day = at.date()
        year = day.year
        info = self.infos[bisect.bisect(self.unit_cum, rng.random() * self.unit_cum[-1])]
        unit = info.unit
        doc_type = self.types[bisect.bisect(self.type_cum, rng.random() * self.type_cum[-1])]
        urgency = bisect.bisect(self.urgency_cum, rng.random() * self.urgency_cum[-1])
        incoming = rng.random() < INCOMING_SHARE
        document = Document(
            pk=self.ids[Document].take(),
            unit=unit,
            year=year,
            document_type=doc_type,
            subject=self.subject(doc_type, year, index),
            urgency=urgency,
            page_amount=rng.randint(1, 12),
            registered_by_id=rng.choice(info.clerks).pk,
            registered_at=at,
            sensitive_declared=True,
        )
        if incoming:
            document.direction = Direction.INCOMING
            series = self.series_for(unit, year, Direction.INCOMING, doc_type, False)
            self.incoming_fields(document, info, day)
        else:
            document.direction = Direction.OUTGOING
            legal = (
                doc_type == self.decision
                and unit.name.startswith("Ủy ban nhân dân")
                and rng.random() < LEGAL_NORMATIVE_SHARE
            )
            series = self.series_for(unit, year, Direction.OUTGOING, doc_type, legal)
            document.legal_normative = legal
        number = self.counters[series.pk] + 1
        self.counters[series.pk] = number
        document.series = series
        document.register_number = number
        if not incoming:
            self.outgoing_fields(document, info, day, number)
        file_texts = []
        if rng.random() < FILE_TEXT_SHARE:
            file_texts.append(self.file_text(document, year))
        document.search_text = search_text_build(
            fields=services._search_fields(document), file_texts=file_texts
        )
        return document

    def incoming_fields(self, document: Document, info: UnitInfo, day: dt.date) -> None:
        rng = self.rng
        doc_type = document.document_type
        document.arrival_date = document.registered_at
        document.issued_date = day - dt.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5]))
        document.is_electronic = rng.random() < 0.5 + 0.07 * (day.year - 2020)
        top = 20 + day.timetuple().tm_yday * 4
        document.code_number = services.format_number(rng.randint(1, top))
        others = [i for i in self.infos if i.unit.pk != info.unit.pk]
        if rng.random() < EXTERNAL_SHARE or not others:
            name, symbol, code, signers = rng.choice(self.external)
            document.issuer_name, document.issuer_code = name, code
            document.signer_name, document.signer_position = rng.choice(signers)
            if doc_type.is_official_letter:
                document.code_notation = f"{symbol}-{rng.choice(['VP', 'TH', 'KT', 'KGVX'])}"
            else:
                document.code_notation = f"{doc_type.abbreviation}-{symbol}"
        else:
            issuer = rng.choice(others).unit
            document.issuer_unit = issuer
            document.issuer_name, document.issuer_code = issuer.name, issuer.agency_code
            document.signer_name, document.signer_position = self.signer(issuer.pk)
            document.code_notation = services.compose_notation(
                unit=issuer,
                document_type=doc_type,
                legal_normative=False,
                year=day.year,
                drafting_symbol="VP" if doc_type.is_official_letter else "",
            )
        document.code_notation = document.code_notation[:30]
        if rng.random() < 0.15:
            document.due_date = document.issued_date + dt.timedelta(days=rng.randint(7, 30))

    def outgoing_fields(
        self, document: Document, info: UnitInfo, day: dt.date, number: int
    ) -> None:
        rng = self.rng
        unit = info.unit
        drafting = ""
        if document.document_type.is_official_letter and info.drafting_symbols:
            drafting = rng.choice(info.drafting_symbols)
        document.code_number = services.format_number(number)
        document.code_notation = services.compose_notation(
            unit=unit,
            document_type=document.document_type,
            legal_normative=document.legal_normative,
            year=day.year,
            drafting_symbol=drafting,
        )[:30]
        document.issued_date = day
        document.issuer_unit = unit
        document.issuer_name, document.issuer_code = unit.name, unit.agency_code
        document.signer_name, document.signer_position = self.signer(unit.pk)
        keeper = drafting or "VP"
        document.recipients = rng.choice(
            [
                f"Như trên;\nLưu: VT, {keeper}.",
                f"Như trên;\nỦy ban nhân dân tỉnh (b/c);\nLưu: VT, {keeper}.",
                "Các sở, ban, ngành tỉnh;\nỦy ban nhân dân các huyện, thành phố;\n"
                f"Lưu: VT, {keeper}.",
            ]
        )
        document.archive_holder = f"Văn thư; {keeper}"
        document.issued_amount = rng.randint(2, 40)
        document.needs_paper_copy = document.document_type.kept_permanently

    # -------------------------------------------------------- batches

    def write(self, documents: list[Document], rows: dict[str, list[Any]]) -> None:
        rows_write(Document, documents)
        rows_write(wf.Processing, rows["processing"])
        rows_write(wf.Assignment, rows["assignment"])
        rows_write(wf.TrailEntry, rows["trail"])
        rows_write(DocumentShare, rows["share"])
        result = self.result
        result.documents += len(documents)
        result.incoming += sum(d.direction == Direction.INCOMING for d in documents)
        result.processings += len(rows["processing"])
        result.assignments += len(rows["assignment"])
        result.trail += len(rows["trail"])
        result.shares += len(rows["share"])

    def run(self, report: Callable[[Progress], None]) -> None:
        started = time.perf_counter()
        infos = {i.unit.pk: i for i in self.infos}
        for first in range(0, self.total, BATCH):
            documents: list[Document] = []
            rows: dict[str, list[Any]] = defaultdict(list)
            for index in range(first, min(first + BATCH, self.total)):
                document = self.document(index)
                documents.append(document)
                if document.direction == Direction.INCOMING:
                    # Waiting to be presented until the builder presents it, as registering
                    # and presenting do (Document.awaiting_presentation).
                    document.awaiting_presentation = True
                    self.processing_builder.processing(document, infos[document.unit.pk], rows)
            self.write(documents, rows)
            report(Progress(self.result.documents, self.total, time.perf_counter() - started))
        self.result.outgoing = self.result.documents - self.result.incoming
        series = [s for s in self.series.values() if self.counters[s.pk] + 1 != s.next_number]
        for s in series:
            s.next_number = self.counters[s.pk] + 1
        RegisterSeries.objects.bulk_update(series, ["next_number"], batch_size=BATCH)
        self.result.load_seconds = time.perf_counter() - started
