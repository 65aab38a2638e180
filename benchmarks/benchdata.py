"""A province at scale for the performance suite: `benchmarks/bench_data.py --docs N`.

Loads N registered documents spread over working hours of the given years into the configured
database, with the people and units already there (or the demo province when there are none):

- incoming and outgoing documents of the units that have a clerk, weighted by level (the province
  office, sở and UBND huyện register more than a xã), the 29 types weighted as in real registers
  (mostly công văn), Vietnamese subjects built from the phrase lists below, signers (the leaders of
  the issuing unit, or named officials of external bodies), urgency, due dates;
- numbers taken from each unit's series per year exactly as the registering services would
  (gap-free, in registration order; outgoing symbols by `services.compose_notation`); the series
  counters are set at the end, so the application continues numbering after the last document;
- the processing of most incoming documents (presented, directed with a lead, co-handlers and
  people for information, deadlines from the unit's policy, completed or still open, some
  overdue), with the trail entries and the documents given to the people concerned;
- `search_text` built by `search.search_text_build` from `services._search_fields`, with the words
  of an imaginary main file for part of the documents, as registering adds the text of a file. No
  file is stored: the documents have no `DocumentFile` rows.

Rows are written with `bulk_create` in batches of `BATCH` documents inside one transaction (an
interrupted load leaves nothing behind). On PostgreSQL the search indexes of migration 0003 are
dropped during a large load and built again at the end, then the tables are vacuumed and
analysed. Each load is recorded as an audit event `bench.load`; a second load needs `append`.

The phrase lists and the index helpers are shared with benchmarks/search.py. The module imports
Django models: it is imported once Django is set up (benchmarks/bench_data.py, benchmarks/suite.py).
"""

import bisect
import datetime as dt
import importlib
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import color_style, no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from vanban.accounts.demo import demo_province_load, person_name
from vanban.accounts.models import AccountStatus, Role, RoleAssignment, Unit, User
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import services
from vanban.documents.models import (
    Direction,
    Document,
    DocumentShare,
    DocumentType,
    RegisterSeries,
    Urgency,
)
from vanban.documents.search import number_vi, search_text_build
from vanban.workflow import models as wf
from vanban.workflow.models import DeadlinePolicy
from vanban.workflow.services import Plan

BATCH = 5000
AUDIT_ACTION = "bench.load"
# Search indexes are rebuilt rather than kept up to date when a load at least this large
# relative to the table (a first load always is).
REBUILD_RATIO = 0.5
WORK_MINUTES = 480  # 07:30-11:30 and 13:30-17:30 on weekdays

# ---------------------------------------------------------------- words of real subjects

# "V/v triển khai kế hoạch chuyển đổi số trên địa bàn tỉnh"
ACTIONS = [
    "triển khai",
    "tăng cường",
    "hướng dẫn thực hiện",
    "tổ chức",
    "báo cáo kết quả",
    "đề nghị phối hợp",
    "góp ý dự thảo",
    "kiểm tra",
    "tổng kết",
    "phê duyệt",
    "ban hành",
    "đôn đốc",
    "rà soát",
    "điều chỉnh",
    "bổ sung",
    "giao chỉ tiêu",
    "cử cán bộ tham dự",
    "sơ kết",
    "thẩm định",
    "phân bổ kinh phí",
    "chấn chỉnh",
    "đẩy mạnh",
    "cung cấp thông tin",
    "xin ý kiến",
    "thành lập tổ công tác",
    "kiện toàn",
]
OBJECTS = [
    "kế hoạch chuyển đổi số",
    "công tác phòng chống thiên tai",
    "quy chế quản lý văn bản điện tử",
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "công tác cải cách hành chính",
    "dự toán ngân sách nhà nước",
    "công tác thi đua khen thưởng",
    "an toàn thông tin mạng",
    "đề án phát triển du lịch",
    "công tác tuyển dụng viên chức",
    "hội nghị giao ban",
    "phòng chống dịch bệnh",
    "đầu tư công trung hạn",
    "bồi thường giải phóng mặt bằng",
    "công tác dân vận chính quyền",
    "vệ sinh an toàn thực phẩm",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "chính sách hỗ trợ hộ nghèo",
    "quản lý trật tự xây dựng",
    "nước sạch nông thôn",
    "phòng chống hạn mặn",
    "bảo hiểm y tế học sinh",
    "kỳ thi tốt nghiệp trung học phổ thông",
    "công tác văn thư, lưu trữ",
    "dịch vụ công trực tuyến",
    "chương trình mỗi xã một sản phẩm",
    "bảo vệ môi trường làng nghề",
    "an toàn giao thông dịp Tết",
    "chi trả trợ cấp người có công",
    "chỉnh trang đô thị",
    "phòng cháy, chữa cháy",
    "quản lý tài sản công",
    "thu ngân sách nhà nước",
    "kê khai tài sản, thu nhập",
    "tiếp công dân định kỳ",
    "cơ sở dữ liệu quốc gia về dân cư",
    "giống cây trồng vật nuôi",
    "xây dựng trường chuẩn quốc gia",
]
PLACES = [
    "trên địa bàn tỉnh",
    "tại các huyện, thành phố",
    "của Sở",
    "trong toàn ngành",
    "tại xã Phú Thuận",
    "của Ủy ban nhân dân tỉnh",
    "giai đoạn 2021-2025",
    "và các năm tiếp theo",
    "trên địa bàn huyện",
    "tại các cơ quan, đơn vị",
]
PERIODS = ["quý I", "quý II", "quý III", "quý IV", "6 tháng đầu năm", "9 tháng", "năm"]
# Terms for search at known frequencies: a medium one in about 1% of documents and a rare one in
# one document out of 100,000 (and at least one of any load).
MEDIUM_PHRASE = "nạo vét kênh thủy lợi nội đồng"
MEDIUM_SHARE = 0.01
RARE_PHRASE = "hỗ trợ trồng sầu riêng"
RARE_EVERY = 100_000

# Share of each of the 29 types (NĐ 30/2020 Appendix III) in a register: mostly công văn.
TYPE_WEIGHTS = {
    "Công văn": 45.0,
    "Quyết định": 10.0,
    "Báo cáo": 7.0,
    "Giấy mời": 6.0,
    "Kế hoạch": 5.0,
    "Thông báo": 5.0,
    "Tờ trình": 4.0,
    "Hướng dẫn": 2.0,
    "Biên bản": 1.5,
    "Giấy giới thiệu": 1.0,
    "Chương trình": 1.0,
    "Phiếu chuyển": 1.0,
    "Giấy nghỉ phép": 0.8,
    "Nghị quyết": 0.7,
    "Công điện": 0.5,
    "Chỉ thị": 0.5,
    "Phương án": 0.5,
    "Hợp đồng": 0.5,
    "Phiếu gửi": 0.5,
    "Đề án": 0.4,
    "Quy chế": 0.4,
    "Dự án": 0.3,
    "Quy định": 0.3,
    "Giấy ủy quyền": 0.3,
    "Phiếu báo": 0.3,
    "Thư công": 0.2,
    "Thông cáo": 0.1,
    "Bản ghi nhớ": 0.1,
    "Bản thỏa thuận": 0.1,
}
OTHER_TYPE_WEIGHT = 0.2
INCOMING_SHARE = 0.62
URGENCY_WEIGHTS = [85, 8, 4, 2, 1]  # Urgency 0..4
LEGAL_NORMATIVE_SHARE = 0.04  # of the decisions of a people's committee

# Bodies outside the province's tree: name, symbol, agency code, positions of their signers.
EXTERNAL = [
    ("Văn phòng Chính phủ", "VPCP", "000.00.00.G01", ("Bộ trưởng, Chủ nhiệm", "Phó Chủ nhiệm")),
    ("Bộ Nội vụ", "BNV", "000.00.00.G12", ("Bộ trưởng", "Thứ trưởng", "Vụ trưởng")),
    ("Bộ Tài chính", "BTC", "000.00.00.G09", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Kế hoạch và Đầu tư", "BKHĐT", "000.00.00.G07", ("Thứ trưởng", "Vụ trưởng")),
    ("Bộ Thông tin và Truyền thông", "BTTTT", "000.00.00.G22", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "BNN", "000.00.00.G11", ("Thứ trưởng",)),
    ("Bộ Y tế", "BYT", "000.00.00.G20", ("Thứ trưởng", "Cục trưởng")),
    ("Bộ Giáo dục và Đào tạo", "BGDĐT", "000.00.00.G05", ("Thứ trưởng", "Vụ trưởng")),
    ("Bộ Tài nguyên và Môi trường", "BTNMT", "000.00.00.G17", ("Thứ trưởng",)),
    ("Bộ Xây dựng", "BXD", "000.00.00.G24", ("Thứ trưởng", "Cục trưởng")),
    ("Hội đồng nhân dân tỉnh Bến Tre", "HĐND", "000.00.00.K07", ("Chủ tịch", "Phó Chủ tịch")),
    ("Công an tỉnh Bến Tre", "CAT", "000.00.40.H07", ("Giám đốc", "Phó Giám đốc")),
    ("Bảo hiểm xã hội tỉnh Bến Tre", "BHXH", "000.00.41.H07", ("Giám đốc", "Phó Giám đốc")),
    ("Kho bạc Nhà nước Bến Tre", "KBNN", "000.00.42.H07", ("Giám đốc",)),
    ("Ủy ban nhân dân tỉnh Tiền Giang", "UBND", "000.00.00.H58", ("Chủ tịch", "Phó Chủ tịch")),
    ("Ủy ban nhân dân tỉnh Vĩnh Long", "UBND", "000.00.00.H62", ("Chủ tịch", "Phó Chủ tịch")),
]
EXTERNAL_SHARE = 0.55  # of incoming documents; the rest come from units of the province
EXTERNAL_SIGNERS = 6  # names per external body

# Sentences of an imaginary main file ({object}, {year}, {unit} filled in).
FILE_SENTENCES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư",
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về {object} năm {year}",
    "Xét đề nghị của Chánh Văn phòng và Trưởng phòng chuyên môn",
    "{unit} đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện các nội dung sau",
    "Rà soát, tổng hợp số liệu về {object} và gửi về trước ngày 25 hằng tháng",
    "Bố trí kinh phí từ nguồn ngân sách được giao năm {year} để thực hiện",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, công chức, viên chức và Nhân dân",
    "Trong quá trình thực hiện nếu có khó khăn, vướng mắc đề nghị phản ánh kịp thời để tổng hợp",
    "Giao Thủ trưởng các cơ quan, đơn vị chịu trách nhiệm thi hành văn bản này",
    "Kết quả thực hiện {object} đạt và vượt chỉ tiêu kế hoạch đề ra",
    "Một số đơn vị còn chậm triển khai, chất lượng báo cáo chưa cao",
    "Văn bản này có hiệu lực kể từ ngày ký",
    "Đề nghị các đơn vị nghiêm túc triển khai thực hiện và báo cáo kết quả đúng thời hạn",
    "Nơi nhận: Như trên; Lưu: VT",
]
FILE_TEXT_SHARE = 0.55
DIRECTIONS = [
    "Giao {lead} chủ trì, tham mưu thực hiện; báo cáo kết quả trước hạn.",
    "Chuyển {lead} nghiên cứu, đề xuất.",
    "Giao {lead} chủ trì, phối hợp các đơn vị liên quan triển khai thực hiện.",
    "Đề nghị {lead} xử lý theo quy định, tham mưu văn bản trả lời.",
    "Giao {lead} theo dõi, tổng hợp và báo cáo lãnh đạo.",
]
RESULTS = [
    "Đã tham mưu văn bản trả lời.",
    "Đã triển khai thực hiện theo chỉ đạo.",
    "Đã tổng hợp, báo cáo lãnh đạo.",
    "Đã phối hợp thực hiện xong.",
    "Đã lưu hồ sơ theo dõi.",
]


def _weighted(weights: dict[str, float], names: list[str]) -> list[float]:
    return list(itertools.accumulate(weights.get(n, OTHER_TYPE_WEIGHT) for n in names))


# ---------------------------------------------------------------- shared with benchmarks


def _index_migration() -> Any:
    return importlib.import_module("vanban.documents.migrations.0003_search_index")


def search_indexes_drop(cursor: Any) -> None:
    """Drop the search indexes of migration 0003 before a bulk load (PostgreSQL)."""
    index = _index_migration()
    for name in index.INDEXES:
        cursor.execute(index.drop_sql(name))


def search_indexes_build(cursor: Any) -> None:
    """Build the search indexes of migration 0003 again after a bulk load (PostgreSQL)."""
    index = _index_migration()
    if connection.in_atomic_block:
        # Django's foreign keys are checked at commit; CREATE INDEX refuses a table with checks
        # pending, so they run now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for name in index.INDEXES:
        cursor.execute(index.create_sql(name))


TABLES = [
    "documents_document",
    "documents_documentshare",
    "documents_registerseries",
    "workflow_processing",
    "workflow_assignment",
    "workflow_trailentry",
]


def tables_vacuum() -> None:
    """VACUUM ANALYZE the loaded tables (PostgreSQL, outside a transaction): statistics for the
    planner and a visibility map, as autovacuum would leave them in a running province."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


# ---------------------------------------------------------------- options and result


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


# ---------------------------------------------------------------- the province as it is


@dataclass
class Person:
    pk: int
    full_name: str
    position: str
    unit_id: int


@dataclass
class UnitInfo:
    unit: Unit
    weight: float
    clerks: list[Person]
    leaders: list[Person]
    handlers: list[Person]  # people of the unit and below who may be given work
    lead_units: list[Unit]  # units below with leaders
    drafting_symbols: list[str]
    policy_days: dict[int, int]  # urgency -> days


def _unit_weight(unit: Unit) -> float:
    """The province office, sở and UBND huyện register far more than a xã or a phòng."""
    if unit.level <= 1 or (unit.level == 2 and unit.name.startswith("Văn phòng")):
        return 10.0
    return {2: 5.0, 3: 1.0}.get(unit.level, 0.5)


def _province() -> tuple[list[UnitInfo], dict[int, list[Person]], dict[int, list[Person]]]:
    """Units that have an active clerk (they keep registers), with their people."""

    units = {u.pk: u for u in Unit.objects.filter(is_active=True)}
    people = {
        p.pk: Person(p.pk, p.full_name, p.position, p.unit_id)
        for p in User.objects.filter(status=AccountStatus.ACTIVE, unit_id__in=units).only(
            "pk", "full_name", "position", "unit_id"
        )
    }
    roles: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for unit_id, role, user_id in (
        RoleAssignment.objects.filter(user_id__in=people, unit_id__in=units)
        .values_list("unit_id", "role", "user_id")
        .order_by("unit_id", "user_id")
    ):
        roles[(unit_id, role)].append(people[user_id])
    children: dict[int, list[int]] = defaultdict(list)
    for unit in units.values():
        if unit.parent_id in units:
            children[unit.parent_id].append(unit.pk)
    members: dict[int, list[Person]] = defaultdict(list)
    for person in people.values():
        members[person.unit_id].append(person)

    def below(unit_id: int) -> list[int]:
        found = []
        for child in sorted(children[unit_id]):
            found.append(child)
            found.extend(below(child))
        return found

    infos = []
    leaders_by_unit = {u: roles[(u, Role.LEADER)] for u in units}
    for unit in sorted(units.values(), key=lambda u: u.pk):
        clerks = roles[(unit.pk, Role.CLERK)]
        if not clerks:
            continue
        subtree = [unit.pk, *below(unit.pk)]
        clerk_ids = {p.pk for p in clerks}
        handlers = [p for u in subtree for p in members[u] if p.pk not in clerk_ids]
        policy = DeadlinePolicy.for_unit(unit.pk)
        infos.append(
            UnitInfo(
                unit=unit,
                weight=_unit_weight(unit),
                clerks=clerks,
                leaders=leaders_by_unit[unit.pk],
                handlers=handlers,
                lead_units=[units[u] for u in subtree[1:] if leaders_by_unit[u]],
                drafting_symbols=sorted({units[c].symbol for c in children[unit.pk]}),
                policy_days={u: policy.days_for(u) for u in Urgency.values},
            )
        )
    clerks_by_unit = {u: roles[(u, Role.CLERK)] for u in units}
    return infos, leaders_by_unit, clerks_by_unit


# ---------------------------------------------------------------- writing rows


class _Ids:
    """Primary keys handed out before the rows are written, so that related rows can be built
    in the same pass: on PostgreSQL taken from the table's sequence in blocks, on SQLite counted
    on from the largest key (the load holds the database to itself)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.free: list[int] = []
        self.next = 0
        if connection.vendor != "postgresql":
            self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        if connection.vendor != "postgresql":
            self.next += 1
            return self.next - 1
        if not self.free:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.model._meta.db_table, BATCH],
                )
                self.free = [row[0] for row in reversed(cursor.fetchall())]
        return self.free.pop()


def rows_write(model: Any, objects: list[Any]) -> None:
    """Insert model instances whose keys are set: COPY on PostgreSQL (several times faster than
    INSERT statements), `bulk_create` elsewhere. Values go to COPY as they are on the instance,
    so only plain values (text, numbers, dates, aware times, None) may be used."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([getattr(obj, name) for name in names])


# ---------------------------------------------------------------- the load


class _Generator:
    def __init__(self, *, seed: int, first_year: int, last_year: int, total: int) -> None:

        self.rng = random.Random(seed)
        self.total = total
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = clock.now()
        self.today = timezone.localdate(self.now)
        self.infos, self.leaders_by_unit, self.clerks_by_unit = _province()
        if not self.infos:
            raise ServiceError(
                "Không có đơn vị nào có văn thư đang hoạt động để vào sổ văn bản. "
                "Không có gì thay đổi."
            )
        self.unit_cum = list(itertools.accumulate(i.weight for i in self.infos))
        self.types = list(DocumentType.objects.filter(is_active=True))
        self.type_cum = _weighted(TYPE_WEIGHTS, [t.name for t in self.types])
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
        self.users: dict[int, User] = {}
        self.names = {p.pk: p.full_name for i in self.infos for p in (*i.clerks, *i.handlers)}
        self.names.update((p.pk, p.full_name) for ps in self.leaders_by_unit.values() for p in ps)
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
            model: _Ids(model)
            for model in (Document, wf.Processing, wf.Assignment, wf.TrailEntry, DocumentShare)
        }

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

    # -------------------------------------------------------- processing of an incoming document
    # Every step draws from `self.rng` and takes keys in the same order as one pass would, so a
    # seed gives the same province whatever the steps are called.

    def processing(self, document: Document, info: UnitInfo, rows: dict[str, list[Any]]) -> None:

        rng = self.rng
        if not info.leaders:
            return
        age = (self.today - document.registered_at.date()).days
        if rng.random() < (0.6 if age <= 1 else 0.3 if age <= 7 else 0.25):
            return  # for information or filing only: never presented
        processing, leader, presented_at = self.processing_present(document, info, rows)
        shares = {leader.pk: (document.registered_by_id, presented_at)}
        directed_at = presented_at + dt.timedelta(minutes=rng.randint(60, 2 * 24 * 60))
        waiting = 0.5 if age <= 3 else 0.1 if age <= 14 else 0.0
        if rng.random() < waiting or directed_at > self.now:
            self.share_rows(document, shares, rows)
            return
        directed_day = timezone.localtime(directed_at, self.tz).date()
        deadline = document.due_date
        if deadline is None or deadline < directed_day:
            deadline = directed_day + dt.timedelta(days=info.policy_days[document.urgency])
        plan = self.processing_plan(info, leader)
        processing.status = wf.ProcessingStatus.IN_PROGRESS
        processing.direction = rng.choice(DIRECTIONS).format(lead=plan.lead_label)
        processing.directed_by_id = leader.pk
        processing.directed_at = directed_at
        processing.deadline = deadline
        completed_at = self.processing_completion(age, deadline, directed_day, directed_at)
        done = completed_at is not None
        assignments = self.processing_assignments(
            processing, info, leader, plan, deadline, directed_at
        )
        lead_row = assignments[0]
        finisher = self.processing_assignments_close(
            assignments, plan, leader, directed_at, completed_at, shares
        )
        rows["assignment"].extend(assignments)
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=document.pk,
                assignment_id=lead_row.pk,
                action=wf.TrailAction.DIRECTED,
                actor_id=leader.pk,
                actor_name=leader.full_name,
                summary=plan.summary(deadline)[:1000],
                text=processing.direction,
                at=directed_at,
            )
        )
        if done and completed_at is not None:
            self.processing_complete(processing, lead_row, plan, finisher, completed_at, rows)
        self.share_rows(document, shares, rows)

    def processing_present(
        self, document: Document, info: UnitInfo, rows: dict[str, list[Any]]
    ) -> tuple[wf.Processing, Person, dt.datetime]:
        """The clerk presents the document to one of the unit's leaders."""
        rng = self.rng
        leader = rng.choice(info.leaders)
        clerk_id = document.registered_by_id
        presented_at = min(
            document.registered_at + dt.timedelta(minutes=rng.randint(10, 240)), self.now
        )
        processing = wf.Processing(
            pk=self.ids[wf.Processing].take(),
            document_id=document.pk,
            unit_id=info.unit.pk,
            status=wf.ProcessingStatus.PRESENTED,
            presented_to_id=leader.pk,
            presented_by_id=clerk_id,
            presented_at=presented_at,
            created_at=presented_at,
        )
        rows["processing"].append(processing)
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=document.pk,
                action=wf.TrailAction.PRESENTED,
                actor_id=clerk_id,
                actor_name=self.name_of(clerk_id),
                summary=f"Trình lãnh đạo {leader.full_name}.",
                at=presented_at,
            )
        )
        return processing, leader, presented_at

    def processing_plan(self, info: UnitInfo, leader: Person) -> Plan:
        """Who the leader gives the work to: a lead (a unit or a person), maybe a co-handler
        and a person for information."""
        rng = self.rng
        # A commune has no staff: its clerk, or the chairman himself, handles the document.
        candidates = [p for p in info.handlers if p.pk != leader.pk] or info.clerks or [leader]
        plan = Plan()
        if info.lead_units and rng.random() < 0.25:
            plan.lead_unit = rng.choice(info.lead_units)
        else:
            lead = rng.choice(candidates)
            plan.lead_user = self.user(lead)
        others = [p for p in candidates if plan.lead_user is None or p.pk != plan.lead_user.pk]
        rng.shuffle(others)
        if others and rng.random() < 0.3:
            person = others.pop()
            plan.co_users.append(self.user(person))
        if others and rng.random() < 0.2:
            person = others.pop()
            plan.info_users.append(self.user(person))
        return plan

    def processing_completion(
        self, age: int, deadline: dt.date, directed_day: dt.date, directed_at: dt.datetime
    ) -> dt.datetime | None:
        """When the work was completed, or None while it is still open."""
        rng = self.rng
        # Most work ends by its deadline; what is still open is mostly not yet due, with a tail
        # of overdue work (older the rarer).
        late = (self.today - deadline).days
        done_share = 0.3 if late <= 0 else 0.85 if late < 7 else 0.95 if late < 60 else 0.999
        done = age >= 2 and rng.random() < done_share
        completed_at = None
        if done:
            span = (deadline - directed_day).days + 1
            completed_at = directed_at + dt.timedelta(days=rng.uniform(0.1, 1.3) * span)
            completed_at = min(completed_at, self.now)
        return completed_at

    def processing_assignments(
        self,
        processing: wf.Processing,
        info: UnitInfo,
        leader: Person,
        plan: Plan,
        deadline: dt.date,
        directed_at: dt.datetime,
    ) -> list[wf.Assignment]:
        """The lead's assignment first, then the co-handlers' and those for information."""
        common = {
            "processing_id": processing.pk,
            "document_id": processing.document_id,
            "assigner_unit_id": info.unit.pk,
            "assigned_by_id": leader.pk,
            "assigned_at": directed_at,
        }
        lead_row = wf.Assignment(
            pk=self.ids[wf.Assignment].take(),
            role=wf.AssignmentRole.LEAD,
            assignee_unit=plan.lead_unit,
            assignee_user_id=plan.lead_user.pk if plan.lead_user else None,
            deadline=deadline,
            **common,
        )
        assignments = [lead_row]
        assignments += [
            wf.Assignment(
                pk=self.ids[wf.Assignment].take(),
                role=wf.AssignmentRole.CO,
                assignee_user_id=u.pk,
                deadline=deadline,
                **common,
            )
            for u in plan.co_users
        ]
        assignments += [
            wf.Assignment(
                pk=self.ids[wf.Assignment].take(),
                role=wf.AssignmentRole.INFO,
                assignee_user_id=u.pk,
                **common,
            )
            for u in plan.info_users
        ]
        return assignments

    def processing_assignments_close(
        self,
        assignments: list[wf.Assignment],
        plan: Plan,
        leader: Person,
        directed_at: dt.datetime,
        completed_at: dt.datetime | None,
        shares: dict[int, tuple[int, dt.datetime]],
    ) -> int | None:
        """Give the document to everyone assigned, close the other assignments as the work
        went, and return who completes the lead's part."""
        rng = self.rng
        done = completed_at is not None
        lead_row = assignments[0]
        if plan.lead_unit is not None:
            unit_leaders = self.leaders_by_unit[plan.lead_unit.pk]
            finisher = rng.choice(unit_leaders).pk
            for person in (*unit_leaders, *self.clerks_by_unit[plan.lead_unit.pk]):
                shares.setdefault(person.pk, (leader.pk, directed_at))
        else:
            finisher = lead_row.assignee_user_id
        for row in assignments:
            if row.assignee_user_id:
                shares.setdefault(row.assignee_user_id, (leader.pk, directed_at))
            if row is not lead_row and rng.random() < (0.8 if done else 0.4):
                row.status = wf.AssignmentStatus.DONE
                row.completed_by_id = row.assignee_user_id
                row.completed_at = min(
                    directed_at + dt.timedelta(hours=rng.randint(1, 72)), self.now
                )
            elif done:
                row.status = wf.AssignmentStatus.CLOSED
                row.completed_at = completed_at
        return finisher

    def processing_complete(
        self,
        processing: wf.Processing,
        lead_row: wf.Assignment,
        plan: Plan,
        finisher: int | None,
        completed_at: dt.datetime,
        rows: dict[str, list[Any]],
    ) -> None:
        """The lead completes its part, and with it the processing of the document."""
        result = self.rng.choice(RESULTS)
        lead_row.status = wf.AssignmentStatus.DONE
        lead_row.completed_at = completed_at
        lead_row.completed_by_id = finisher
        lead_row.result = result
        processing.status = wf.ProcessingStatus.DONE
        processing.completed_at = completed_at
        processing.completed_by_id = finisher
        processing.result = result
        rows["trail"].append(
            wf.TrailEntry(
                pk=self.ids[wf.TrailEntry].take(),
                processing_id=processing.pk,
                document_id=processing.document_id,
                assignment_id=lead_row.pk,
                action=wf.TrailAction.COMPLETED,
                actor_id=finisher,
                actor_name=self.name_of(finisher),
                summary=f"Hoàn thành phần chủ trì ({plan.lead_label}); văn bản hoàn thành xử lý.",
                text=result,
                at=completed_at,
            )
        )

    def user(self, person: Person) -> User:
        """An unsaved stand-in with the fields `Plan.summary` reads."""
        if person.pk not in self.users:
            self.users[person.pk] = User(pk=person.pk, full_name=person.full_name)
        return self.users[person.pk]

    def name_of(self, user_id: int | None) -> str:
        return self.names.get(user_id or 0, "")

    def share_rows(
        self,
        document: Document,
        shares: dict[int, tuple[int, dt.datetime]],
        rows: dict[str, list[Any]],
    ) -> None:
        rows["share"].extend(
            DocumentShare(
                pk=self.ids[DocumentShare].take(),
                document_id=document.pk,
                user_id=user_id,
                granted_by_id=by,
                granted_at=at,
            )
            for user_id, (by, at) in shares.items()
        )

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
                    self.processing(document, infos[document.unit.pk], rows)
            self.write(documents, rows)
            report(Progress(self.result.documents, self.total, time.perf_counter() - started))
        self.result.outgoing = self.result.documents - self.result.incoming
        series = [s for s in self.series.values() if self.counters[s.pk] + 1 != s.next_number]
        for s in series:
            s.next_number = self.counters[s.pk] + 1
        RegisterSeries.objects.bulk_update(series, ["next_number"], batch_size=BATCH)
        self.result.load_seconds = time.perf_counter() - started


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
        generator = _Generator(seed=seed, first_year=first_year, last_year=last_year, total=docs)
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
