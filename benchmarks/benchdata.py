"""A province at scale for the performance suite: `benchmarks/bench_data.py --docs N`.

Loads N registered documents spread over working hours of the given years into the configured
database, with the people and units already there (or the demo province when there are none):

- incoming and outgoing documents of the units that have a clerk, weighted by level (the province
  office, sở and UBND huyện register more than a xã), the 29 types weighted as in real registers
  (mostly công văn), Vietnamese subjects built from the phrase lists of benchdata_words.py,
  signers (the leaders of the issuing unit, or named officials of external bodies), urgency, due
  dates (benchdata_documents.py);
- numbers taken from each unit's series per year exactly as the registering services would
  (gap-free, in registration order; outgoing symbols by `services.compose_notation`); the series
  counters are set at the end, so the application continues numbering after the last document;
- the processing of most incoming documents (presented, directed with a lead, co-handlers and
  people for information, deadlines from the unit's policy, completed or still open, some
  overdue), with the trail entries and the documents given to the people concerned
  (benchdata_processing.py);
- `search_text` built by `search.search_text_build` from `services._search_fields`, with the words
  of an imaginary main file for part of the documents, as registering adds the text of a file. No
  file is stored: the documents have no `DocumentFile` rows.

Rows are written in batches of `BATCH` documents inside one transaction (an interrupted load
leaves nothing behind), with COPY on PostgreSQL and `bulk_create` elsewhere (benchdata_rows.py).
On PostgreSQL the search indexes of migration 0003 are dropped during a large load and built again
at the end, then the tables are vacuumed and analysed. Each load is recorded as an audit event
`bench.load`; a second load needs `append`.

These modules are test data for the suite, not part of the application: they import `vanban`,
never the reverse. They import Django's models, so they are imported once Django is set up
(benchmarks/bench_data.py, benchmarks/suite.py, benchmarks/search.py).
"""

import time
from collections.abc import Callable
from typing import TextIO

from benchmarks.benchdata_documents import Generator, LoadResult, Progress, duration_vi
from benchmarks.benchdata_rows import search_indexes_build, search_indexes_drop, tables_vacuum
from django.core.management.color import color_style, no_style
from django.db import connection, transaction
from django.utils import timezone

from vanban.accounts.demo import demo_province_load
from vanban.accounts.models import Unit
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents.models import Document
from vanban.documents.search import number_vi

AUDIT_ACTION = "bench.load"
# Search indexes are rebuilt rather than kept up to date when a load at least this large
# relative to the table (a first load always is).
REBUILD_RATIO = 0.5


def years_parse(value: str) -> tuple[int, int]:
    """ "2020-2026" or "2026"; the last year may not be after the current one."""
    parts = value.replace("–", "-").split("-")
    try:
        first, last = int(parts[0]), int(parts[-1])
    except ValueError:
        raise ServiceError(
            f"Khoảng năm “{value}” không hợp lệ; hãy viết dạng 2020-2026.", field="years"
        ) from None
    current = timezone.localdate(clock.now()).year
    if len(parts) > 2 or first > last or first < 2000:
        raise ServiceError(
            f"Khoảng năm “{value}” không hợp lệ; hãy viết dạng 2020-2026.", field="years"
        )
    if last > current:
        raise ServiceError(f"Năm cuối không được sau năm hiện tại ({current}).", field="years")
    return first, last


def bench_documents_count() -> int:
    """Documents loaded by earlier runs, as their audit events record them."""
    events = AuditEvent.objects.filter(action=AUDIT_ACTION)
    return sum(int(e.data.get("documents", 0)) for e in events.only("data"))


def bench_data_load(
    *,
    docs: int,
    seed: int = 1,
    years: str | None = None,
    append: bool = False,
    report: Callable[[Progress], None] | None = None,
    say: Callable[[str], None] | None = None,
) -> LoadResult:
    """Load `docs` documents (see the module's description). Refused, with nothing changed, when
    the database already holds documents and `append` is not given."""
    say = say or (lambda _text: None)
    if docs < 1:
        raise ServiceError("Số văn bản cần tạo phải lớn hơn 0.", field="docs")
    current = timezone.localdate(clock.now()).year
    first_year, last_year = years_parse(years or f"{current - 6}-{current}")
    if not append:
        earlier = bench_documents_count()
        if earlier:
            raise ServiceError(
                f"Cơ sở dữ liệu đã có {number_vi(earlier)} văn bản do "
                "benchmarks/bench_data.py tạo. Dùng --append để tạo thêm. Không có gì thay đổi."
            )
        existing = Document.objects.count()
        if existing:
            raise ServiceError(
                f"Cơ sở dữ liệu đã có {number_vi(existing)} văn bản. Dữ liệu đo hiệu năng chỉ "
                "tạo trong cơ sở dữ liệu không có văn bản; dùng --append nếu vẫn muốn thêm vào. "
                "Không có gì thay đổi."
            )
    result = LoadResult()
    if not Unit.objects.exists():
        demo = demo_province_load()
        result.demo_units, result.demo_accounts = demo.units, demo.accounts
        say(f"Đã nạp tỉnh mẫu: {demo.units} đơn vị, {demo.accounts} tài khoản.")
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        rebuild = postgres and docs >= REBUILD_RATIO * Document.objects.count()
        if rebuild:
            with connection.cursor() as cursor:
                search_indexes_drop(cursor)
        generator = Generator(seed=seed, first_year=first_year, last_year=last_year, total=docs)
        generator.result = result
        generator.run(report or (lambda _progress: None))
        if rebuild:
            say("Đang tạo lại chỉ mục tìm kiếm...")
            started = time.perf_counter()
            with connection.cursor() as cursor:
                search_indexes_build(cursor)
            result.index_seconds = time.perf_counter() - started
            result.indexes_rebuilt = True
        audit_record(
            actor=None,
            action=AUDIT_ACTION,
            data={
                "documents": result.documents,
                "seed": seed,
                "years": f"{first_year}-{last_year}",
                "append": append,
                "processings": result.processings,
            },
        )
    if postgres and not connection.in_atomic_block:
        say("Đang cập nhật thống kê (VACUUM ANALYZE)...")
        started = time.perf_counter()
        tables_vacuum()
        result.vacuum_seconds = time.perf_counter() - started
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result


def bench_data_print(
    *, docs: int, seed: int = 1, years: str | None = None, append: bool = False, out: TextIO
) -> LoadResult:
    """`bench_data_load` with a progress line after each batch and a summary at the end, as
    benchmarks/bench_data.py and benchmarks/suite.py show them."""
    style = color_style() if out.isatty() else no_style()

    def write(text: str) -> None:
        out.write(f"{text}\n")
        out.flush()

    def report(progress: Progress) -> None:
        write(f"  {progress.line()}")

    result = bench_data_load(
        docs=docs, seed=seed, years=years, append=append, report=report, say=write
    )
    rate = result.documents / result.load_seconds if result.load_seconds else 0
    write(
        style.SUCCESS(
            f"Đã tạo {number_vi(result.documents)} văn bản ({number_vi(result.incoming)} đến, "
            f"{number_vi(result.outgoing)} đi) trên {connection.vendor} trong "
            f"{duration_vi(result.seconds)}."
        )
    )
    write(
        f"Xử lý văn bản đến: {number_vi(result.processings)} hồ sơ xử lý, "
        f"{number_vi(result.assignments)} phân công, {number_vi(result.trail)} bước, "
        f"{number_vi(result.shares)} lượt chuyển văn bản."
    )
    line = f"Nạp dữ liệu {duration_vi(result.load_seconds)} ({number_vi(round(rate))} văn bản/giây)"
    if result.indexes_rebuilt:
        line += f", tạo chỉ mục tìm kiếm {duration_vi(result.index_seconds)}"
    if result.vacuum_seconds:
        line += f", VACUUM ANALYZE {duration_vi(result.vacuum_seconds)}"
    write(line + ".")
    return result
