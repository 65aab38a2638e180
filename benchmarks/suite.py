"""The performance suite: a realistic province, its pages and actions timed against their ceilings.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vanban_bench \\
        .venv/bin/python benchmarks/suite.py [--size 10000] [--repeat 20] [--reuse]

Without DATABASE_URL the suite uses PostgreSQL at 127.0.0.1:5432 (user postgres, database
vanban_bench_<size>, created when missing) when it answers, else an SQLite file under
var/bench/. The database is filled by benchmarks/benchdata.py (as `bench_data.py --docs <size>`
would) unless it already holds that many generated documents; `--reuse` takes whatever generated
documents it holds.

Production settings (vanban.settings, DEBUG off); people are signed in with force_login, so no
password hash is timed. Each page is requested `--repeat` times after a warm-up and reported as
p50/p95, next to two ceilings measured in the same run:
  * bare Django: a view behind the same Client, middleware, session and login check that runs the
    page's main query (the slowest SQL statement the page issues, captured with
    CaptureQueriesContext) with cursor.execute and answers with the row count;
  * raw SQL: that statement alone, with cursor.execute and fetchall.
The ratio ours / bare Django is what the page adds to its main query: the other queries, the ORM's
model instances and the template.

Writes are timed through the services: an incoming document with a 1 MB PDF, and (PostgreSQL
only) 50 clerks submitting at the same moment to a fixed number of server processes, with the
proof that the numbers have no gaps. They happen in units the suite adds for each run, so the
generated documents stay as they were. Then: signing and verifying, edXML, the exchange between
two deployments (benchmarks/exchange_pair.py) and the HTTP load (gunicorn and wrk).

The table is printed and written to benchmarks/results/<size>.md (<size>-sqlite.md on SQLite)
together with a JSON file of every sample and the machine it ran on (benchmarks/README.md).
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("VANBAN_DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
os.environ.setdefault("VANBAN_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("VANBAN_LOG_LEVEL", "WARNING")
os.environ["VANBAN_PLAIN_STATIC"] = "1"
# The malware scan (R20) is clamd's work, whose cost depends on its signature database; the rows
# measure vanban's own, so scanning is off unless VANBAN_CLAMD=on is given (docs/files.md).
os.environ.setdefault("VANBAN_CLAMD", "off")

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
# The unit each run adds for its writes; its abbreviation ends with the run's time.
RUN_UNIT_NAME = "Tổ đo hiệu năng"
RUN_UNIT_PREFIX = "dohieunang"
CLERKS = 50
BARE_PATH = "__bench__/bare/<int:key>/"


# ---------------------------------------------------------------- measuring


@dataclass
class Timing:
    samples: list[float]  # milliseconds

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def as_json(self) -> dict[str, Any]:
        return {
            "p50_ms": round(self.p50, 2),
            "p95_ms": round(self.p95, 2),
            "samples_ms": [round(s, 2) for s in self.samples],
        }


def measure(fn: Callable[[], Any], repeat: int, *, warm: bool = True) -> Timing:
    if warm:
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(samples)


@dataclass
class Row:
    scenario: str
    user: str = ""
    url: str = ""
    queries: int | None = None
    ours: Timing | None = None
    bare: Timing | None = None
    raw: Timing | None = None
    ceiling: Timing | None = None  # search rows: the plain full-text query (suite_truth.py)
    main_query: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.bare is None or not self.bare.p50:
            return None
        return self.ours.p50 / self.bare.p50

    @property
    def ceiling_ratio(self) -> float | None:
        if self.ours is None or self.ceiling is None or not self.ceiling.p95:
            return None
        return self.ours.p95 / self.ceiling.p95

    @property
    def raw_ceiling_ratio(self) -> float | None:
        """The page's main query against the plain full-text query: the cost of the visibility
        rule and the page's order, without the page's fixed costs."""
        if self.raw is None or self.ceiling is None or not self.ceiling.p95:
            return None
        return self.raw.p95 / self.ceiling.p95

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "user": self.user,
            "url": self.url,
            "queries": self.queries,
            "ours": self.ours.as_json() if self.ours else None,
            "bare_django": self.bare.as_json() if self.bare else None,
            "raw_sql": self.raw.as_json() if self.raw else None,
            "ratio_ours_to_bare_p50": round(self.ratio, 2) if self.ratio else None,
            "fts_ceiling": self.ceiling.as_json() if self.ceiling else None,
            "ratio_ours_to_ceiling_p95": (
                round(self.ceiling_ratio, 2) if self.ceiling_ratio else None
            ),
            "ratio_raw_sql_to_ceiling_p95": (
                round(self.raw_ceiling_ratio, 2) if self.raw_ceiling_ratio else None
            ),
            "main_query": self.main_query,
            "note": self.note,
            **self.extra,
        }


# ---------------------------------------------------------------- database


def choose_database(size: int) -> str:
    """DATABASE_URL if set; else a local PostgreSQL if one answers; else an SQLite file."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    name = f"vanban_bench_{size}"
    try:
        import psycopg

        with psycopg.connect(
            f"{LOCAL_POSTGRES}/postgres", connect_timeout=2, autocommit=True
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{LOCAL_POSTGRES}/{name}"
    except Exception as exc:  # any failure means: no local PostgreSQL
        print(f"no local PostgreSQL ({type(exc).__name__}); using SQLite", flush=True)
        path = Path(os.environ["VANBAN_DATA_DIR"]) / f"bench-{size}.sqlite3"
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    return url


def generated_documents() -> int:
    """Documents loaded by benchdata.py (its audit events count them), without the suite's own."""
    from benchmarks.benchdata import bench_documents_count

    return bench_documents_count()


def prepare_data(size: int, reuse: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    existing = generated_documents()
    if existing and (reuse or existing == size):
        print(f"using the {existing} generated documents already in the database", flush=True)
        return
    if reuse:
        raise SystemExit("--reuse: the database holds no generated documents.")
    from vanban.documents.models import Document

    if existing:
        # Only a database benchdata.py filled is ever emptied.
        print(f"the database holds {existing} generated documents, not {size}: emptying it")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            connection.close()
            name = connection.settings_dict["NAME"]
            for suffix in ("", "-wal", "-shm"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    elif Document.objects.exists():
        raise SystemExit(
            "The database holds documents that benchdata.py did not generate; the suite does not "
            "touch it. Point DATABASE_URL at an empty database."
        )
    from benchmarks.benchdata import bench_data_print

    start = time.perf_counter()
    bench_data_print(docs=size, out=sys.stdout)
    print(f"bench_data.py --docs {size}: {time.perf_counter() - start:.0f} s", flush=True)


def machine(connection: Any) -> dict[str, Any]:
    import django

    info: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu_model": "",
        "ram_gb": None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "database_version": "",
        "commit": "",
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["database_version"] = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            info["database_size"] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            info["database_version"] = f"SQLite {cursor.fetchone()[0]}"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        info["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return info


# ---------------------------------------------------------------- pages and ceilings

# The main query of each page, by key; the bare view runs it.
BARE_QUERIES: dict[int, str] = {}


def install_bare_view() -> None:
    """A URLconf with every page of the project and one bare view in front."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.db import connection
    from django.http import HttpRequest, HttpResponse
    from django.urls import clear_url_caches, include, path

    @login_required
    def bare(request: HttpRequest, key: int) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute(BARE_QUERIES[key])
            rows = cursor.fetchall()
        return HttpResponse(str(len(rows)), content_type="text/plain")

    module = types.ModuleType("vanban_bench_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path(BARE_PATH, bare),
        path("", include("vanban.urls")),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def run_sql(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def main_query(client: Any, url: str) -> tuple[str, int, list[tuple[float, str]]]:
    """The page's slowest SELECT (each statement the page issues, run alone three times), the
    number of statements, and the five slowest with their median times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    timed: list[tuple[float, str]] = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "FOR UPDATE" in sql.upper():
            continue
        timed.append((measure(lambda sql=sql: run_sql(sql), 3).p50, sql))
    timed.sort(key=lambda item: -item[0])
    return timed[0][1], len(ctx.captured_queries), timed[:5]


def page_row(client: Any, scenario: str, who: str, url: str, repeat: int) -> Row:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{scenario} ({who}): {url} answered {response.status_code}")
    sql, count, slowest = main_query(client, url)
    key = len(BARE_QUERIES)
    BARE_QUERIES[key] = sql
    bare_url = BARE_PATH.replace("<int:key>", str(key))
    ours = measure(lambda: client.get(url), repeat)
    bare = measure(lambda: client.get(f"/{bare_url}"), repeat)
    raw = measure(lambda: run_sql(sql), repeat)
    row = Row(scenario, who, url, count, ours, bare, raw, main_query=sql)
    row.extra["slowest_queries"] = [{"ms": round(t, 2), "sql": q[:300]} for t, q in slowest]
    print(f"  {scenario} ({who}): {ours.p50:.1f} ms, bare {bare.p50:.1f} ms", flush=True)
    return row


@dataclass
class Cast:
    """The people and data the scenarios use, chosen in the generated province."""

    leader: Any
    staff: Any
    unit: Any
    quarter: tuple[int, int]
    leader_document: Any
    staff_document: Any
    number_symbol: str
    # A leader of the smallest unit holding documents, its busiest quarter, and a clerk of the
    # unit holding most (the cases the HTTP load found slow: docs/performance.md).
    small_leader: Any = None
    small_unit: Any = None
    small_quarter: tuple[int, int] | None = None
    clerk: Any = None
    citing: str = ""  # a number-symbol other documents' file text cites

    def people(self) -> dict[str, Any]:
        found = {"leader": self.leader, "staff": self.staff}
        if self.small_leader is not None:
            found["small-unit leader"] = self.small_leader
        if self.clerk is not None:
            found["clerk"] = self.clerk
        return found


def code_free(users: Any) -> Any:
    """People who sign in without a second factor: force_login does not pass one, and R6 sends
    the session of anyone who needs one (the administrators of AccountPolicy, anyone with an
    authenticator) to the code or enrolment page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vanban.accounts.models import AccountPolicy

    roles = AccountPolicy.current().second_factor_roles or []
    return users.exclude(role_assignments__role__in=roles).exclude(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    )


def busiest_quarter(incoming: Any) -> tuple[int, int] | None:
    from django.db.models import Count
    from django.db.models.functions import ExtractQuarter, ExtractYear

    found = (
        incoming.annotate(y=ExtractYear("registered_at"), q=ExtractQuarter("registered_at"))
        .values("y", "q")
        .annotate(n=Count("id"))
        .order_by("-n", "-y", "-q")
        .first()
    )
    return (found["y"], found["q"]) if found else None


def choose_small_and_clerk(cast: Cast, generated: Any) -> None:
    """The leader of the unit with fewest documents (at least one) that has a leader, and the
    clerk (no leader role) of the cast's unit, each signing in without a second factor."""
    from django.db.models import Count

    from vanban.accounts.models import AccountStatus, Role, User
    from vanban.documents.models import Direction

    active = code_free(User.objects.filter(status=AccountStatus.ACTIVE))
    leaders = active.filter(role_assignments__role=Role.LEADER)
    counts = (
        generated.filter(unit__role_assignments__role=Role.LEADER)
        .values("unit_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("n", "unit_id")
    )
    for found in counts:
        leader = (
            leaders.filter(
                role_assignments__unit_id=found["unit_id"], role_assignments__role=Role.LEADER
            )
            .order_by("pk")
            .first()
        )
        if leader is not None and leader.pk != cast.leader.pk:
            cast.small_leader = leader
            cast.small_unit = leader.unit.__class__.objects.get(pk=found["unit_id"])
            incoming = generated.filter(unit_id=found["unit_id"], direction=Direction.INCOMING)
            cast.small_quarter = busiest_quarter(incoming) or cast.quarter
            break
    cast.clerk = (
        active.filter(role_assignments__unit_id=cast.unit.pk, role_assignments__role=Role.CLERK)
        .exclude(role_assignments__role=Role.LEADER)
        .exclude(pk__in=[cast.leader.pk, cast.staff.pk])
        .order_by("pk")
        .first()
    )


def citing_symbol(generated: Any) -> str:
    """A number-symbol of the generator's file text (benchmarks/benchdata_words.py) found in the
    file text (section D) of a document that does not bear it: documents citing it."""
    import re

    from benchmarks.benchdata_words import FILE_SENTENCES

    from vanban.core.text import fold

    symbols = re.findall(r"\d+(?:/\d+)*/[A-ZĐ][\wĐ-]*", " ".join(FILE_SENTENCES))
    for symbol in dict.fromkeys(symbols):
        word = f" {fold(symbol)} "
        holding = generated.filter(search_text__contains=word).order_by()
        # The file text is the last section (" A | B | C | D "), the number-symbol the first.
        for text in holding.values_list("search_text", flat=True)[:50]:
            if word in text.rsplit(" | ", 1)[-1] and word not in text.split(" | ", 1)[0]:
                return symbol
    return ""


def choose_cast(leader_name: str | None, staff_name: str | None) -> Cast:
    """A leader of the unit with most documents, and the ordinary staff member (no clerk or
    leader role) given most of that unit's documents; `--leader` / `--staff` name them instead."""
    from django.db.models import Count
    from django.db.models.functions import ExtractQuarter, ExtractYear

    from vanban.accounts.models import AccountStatus, Role, RoleAssignment, User
    from vanban.documents.models import Direction, Document, DocumentShare

    generated = Document.objects.exclude(unit__abbreviation__startswith=RUN_UNIT_PREFIX)
    if leader_name:
        leader = User.objects.get(username=leader_name)
        unit_id = RoleAssignment.objects.filter(user=leader, role=Role.LEADER).values_list(
            "unit_id", flat=True
        )[0]
    else:
        busiest = (
            generated.filter(unit__role_assignments__role=Role.LEADER)
            .values("unit_id")
            .annotate(n=Count("id", distinct=True))
            .order_by("-n")
            .first()
        )
        if busiest is None:
            raise SystemExit("No unit with a leader holds documents.")
        unit_id = busiest["unit_id"]
        leaders = code_free(
            User.objects.filter(
                role_assignments__unit_id=unit_id,
                role_assignments__role=Role.LEADER,
                status=AccountStatus.ACTIVE,
            )
        ).order_by("pk")
        leader = leaders.first()
    # Administrators must pass a second factor (R6), which force_login does not: the staff
    # member of the table holds no administrator role either.
    register_roles = (Role.CLERK, Role.LEADER, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN)
    if staff_name:
        staff = User.objects.get(username=staff_name)
    else:
        ordinary = User.objects.filter(
            status=AccountStatus.ACTIVE, role_assignments__role=Role.STAFF
        ).exclude(role_assignments__role__in=register_roles)
        # Given most of the leader's unit's documents (so both find the same number-symbol),
        # else most documents anywhere.
        shares = DocumentShare.objects.filter(user__in=ordinary, document__in=generated)
        given = None
        for scope in (shares.filter(document__unit_id=unit_id), shares):
            given = scope.values("user_id").annotate(n=Count("id")).order_by("-n").first()
            if given:
                break
        staff = (
            User.objects.get(pk=given["user_id"])
            if given
            else ordinary.filter(unit_id=unit_id).order_by("pk").first()
        )
    unit = leader.unit.__class__.objects.get(pk=unit_id)
    incoming = generated.filter(unit_id=unit_id, direction=Direction.INCOMING)
    quarter = (
        incoming.annotate(y=ExtractYear("registered_at"), q=ExtractQuarter("registered_at"))
        .values("y", "q")
        .annotate(n=Count("id"))
        .order_by("-n", "-y", "-q")
        .first()
    )
    if quarter is None:
        raise SystemExit(f"{unit.name} holds no incoming documents.")
    # The most worked-on kind of document: one with a processing, else the newest.
    with_processing = incoming.filter(processing__isnull=False).order_by("-registered_at")
    leader_document = with_processing.first() or incoming.order_by("-registered_at").first()
    shares = DocumentShare.objects.filter(user=staff).order_by("-document__registered_at")
    share = shares.select_related("document").first()
    staff_document = share.document if share else None
    # A number-symbol both can find, if the staff member was given one of the unit's documents.
    sample = (
        shares.filter(document__unit_id=unit_id).exclude(document__code_notation="").first()
        or shares.exclude(document__code_notation="").first()
    )
    target = sample.document if sample else incoming.exclude(code_notation="").first()
    cast = Cast(
        leader=leader,
        staff=staff,
        unit=unit,
        quarter=(quarter["y"], quarter["q"]),
        leader_document=leader_document,
        staff_document=staff_document,
        number_symbol=f"{target.code_number}/{target.code_notation}",
    )
    choose_small_and_clerk(cast, generated)
    cast.citing = citing_symbol(generated)
    return cast


def search_url(query: str, view: str = "documents:search", sort: str = "") -> str:
    from django.urls import reverse

    params = {"q": query, **({"sort": sort} if sort else {})}
    return f"{reverse(view)}?{urlencode(params)}"


def count_url(query: str) -> str:
    """The count the search page asks for once it shows (when its page is not the last)."""
    return search_url(query, "documents:search_count")


def register_url(unit: Any, quarter: tuple[int, int]) -> str:
    from django.urls import reverse

    year, number = quarter
    return (
        reverse("documents:register_incoming")
        + "?"
        + urlencode({"unit": unit.pk, "period": "quarter", "year": year, "quarter": number})
    )


@dataclass
class Planned:
    scenario: str
    who: str  # a key of Cast.people()
    url: str
    query: str = ""  # search rows: the query typed
    sort: str = ""  # search rows: "" is the page's default order ("Liên quan nhất")


NEWEST = "newest"  # SearchSort.NEWEST, "Vào sổ mới nhất"


def search_terms(cast: Cast, args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    """(kind, term, with its form without diacritics) of the search rows."""
    terms = [
        ("common", args.common, True),
        ("medium", args.medium, True),
        ("moderate", args.moderate, True),
        ("phrase", args.phrase, False),
        ("rare", args.rare, True),
        ("number-symbol", cast.number_symbol, True),
    ]
    if cast.citing:
        terms.append(("citing", cast.citing, False))
    return [(kind, term, folded) for kind, term, folded in terms if term]


def plan_pages(cast: Cast, args: argparse.Namespace) -> list[Planned]:
    from django.urls import reverse

    from vanban.core.text import fold

    my_work = reverse("workflow:my_work")
    plan = [
        Planned("my work", "leader", my_work),
        Planned("my work", "staff", my_work),
        Planned(f"incoming register, Q{cast.quarter[1]}/{cast.quarter[0]}", "leader", ""),
        Planned(
            "document detail",
            "leader",
            reverse("documents:document_detail", args=[cast.leader_document.pk]),
        ),
    ]
    plan[2].url = register_url(cast.unit, cast.quarter)
    if cast.staff_document is not None:
        plan.append(
            Planned(
                "document detail",
                "staff",
                reverse("documents:document_detail", args=[cast.staff_document.pk]),
            )
        )
    # Date order where the page's default (relevance) ranks every hit first: a common word and
    # a number-symbol cited by many.
    dated = {"common", "citing"}
    for kind, term, folded in search_terms(cast, args):
        queries = [term] + ([fold(term)] if folded and fold(term) != term else [])
        for query in queries:
            for sort in ("", NEWEST) if kind in dated and query == term else ("",):
                order = ", newest first" if sort else ""
                for who in ("leader", "staff"):
                    plan.append(
                        Planned(
                            f"search {kind} “{query}”{order}",
                            who,
                            search_url(query, sort=sort),
                            query,
                            sort,
                        )
                    )
    count = f"search count “{args.common}” (asked after the page shows)"
    plan += [Planned(count, who, count_url(args.common)) for who in ("leader", "staff")]
    # A leader of a small unit and a clerk of the busiest: the pages they open most.
    others = []
    if cast.small_leader is not None and cast.small_unit is not None:
        quarter = cast.small_quarter or cast.quarter
        others.append(("small-unit leader", cast.small_unit, quarter))
    if cast.clerk is not None:
        others.append(("clerk", cast.unit, cast.quarter))
    for who, unit, quarter in others:
        plan += [
            Planned("my work", who, my_work),
            Planned(
                f"incoming register, Q{quarter[1]}/{quarter[0]}, own unit",
                who,
                register_url(unit, quarter),
            ),
            Planned(f"search common “{args.common}”", who, search_url(args.common), args.common),
            Planned(
                f"search common “{args.common}”, newest first",
                who,
                search_url(args.common, sort=NEWEST),
                args.common,
                NEWEST,
            ),
            Planned(count, who, count_url(args.common)),
        ]
    return plan


def page_rows(cast: Cast, args: argparse.Namespace) -> list[Row]:
    from benchmarks.suite_truth import ceiling_sql
    from django.db import connection
    from django.test import Client

    backend = "vanban.accounts.backends.AccountBackend"
    people = cast.people()
    clients = {}
    for who, user in people.items():
        client = Client()
        client.force_login(user, backend=backend)
        clients[who] = client
    rows = []
    for planned in plan_pages(cast, args):
        row = page_row(
            clients[planned.who], planned.scenario, planned.who, planned.url, args.repeat
        )
        user = people[planned.who]
        row.user = f"{planned.who} ({user.username})"
        if planned.query:
            hits = search_hits(user, planned.query)
            row.user += f", {hits}"
            row.extra["hits"] = hits
            row.extra["query"] = planned.query
            row.extra["sort"] = planned.sort or "relevance"
            if connection.vendor == "postgresql":
                sql, params = ceiling_sql(planned.query, relevance=planned.sort != NEWEST)
                row.ceiling = measure(
                    lambda sql=sql, params=params: run_sql(sql, params), args.repeat
                )
                row.extra["fts_ceiling_query"] = sql
                row.extra["fts_ceiling_params"] = params
        rows.append(row)
    return rows


def usage_rows(cast: Cast, args: argparse.Namespace) -> list[Row]:
    """The usage statistics (R24; docs/oversight.md): the per-day aggregates of the generated
    province built first (the days not built yet, so a second run only times the reads), then
    the province's figures for the cast's quarter, its drill-down one level under the province's
    committee (every unit, with its sub-units' totals) and its chart by day, each against the
    slowest statement it issues run alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanban.accounts.models import Unit
    from vanban.documents.models import Document
    from vanban.oversight import statistics as usage
    from vanban.oversight.statistics_build import aggregated_until, today_local, usage_rebuild
    from vanban.reports.periods import REPORT_TZ, Period

    rows = []
    oldest = Document.objects.order_by("registered_at").values_list("registered_at", flat=True)
    first_at = oldest.first()
    yesterday = today_local() - dt.timedelta(days=1)
    built = aggregated_until()
    first = (
        built + dt.timedelta(days=1)
        if built is not None
        else (first_at.astimezone(REPORT_TZ).date() if first_at else yesterday)
    )
    if first <= yesterday:
        start = time.perf_counter()
        run = usage_rebuild(first=first, last=yesterday)
        took = time.perf_counter() - start
        note = f"{run.days} days from {first:%d/%m/%Y}: {run.unit_days} unit-days, {took:.1f} s"
        rows.append(Row("usage statistics: build the per-day aggregates", note=note))
        print(f"  usage aggregates built: {note}", flush=True)
    # The nightly task: yesterday, counted again (the same scans as any one day).
    nightly = measure(lambda: usage_rebuild(first=yesterday, last=yesterday), 3, warm=False)
    rows.append(Row("usage statistics: the nightly build of one day", "task", ours=nightly))
    quarter = Period.quarter(*cast.quarter)
    root = Unit.objects.filter(parent__isnull=True).order_by("level", "pk").first()
    units = Unit.objects.count()
    calls = [
        (
            f"usage statistics: the province, Q{cast.quarter[1]}/{cast.quarter[0]}",
            lambda: usage.usage(scope=usage.Scope.province(), period=quarter),
        ),
        (
            f"usage statistics by unit: under the province ({units} units)",
            lambda: usage.usage_by_unit(parent=root, period=quarter),
        ),
        (
            "usage statistics by day: the province, the quarter",
            lambda: usage.usage_series(scope=usage.Scope.province(), period=quarter),
        ),
    ]
    for scenario, call in calls:
        with CaptureQueriesContext(connection) as ctx:
            call()
        timed = sorted(
            (
                (measure(lambda sql=q["sql"]: run_sql(sql), 3).p50, q["sql"])
                for q in ctx.captured_queries
                if q["sql"].lstrip().upper().startswith("SELECT")
            ),
            key=lambda item: -item[0],
        )
        sql = timed[0][1]
        ours = measure(call, args.repeat)
        raw = measure(lambda sql=sql: run_sql(sql), args.repeat)
        row = Row(scenario, "service", "", len(ctx.captured_queries), ours, raw=raw, main_query=sql)
        row.extra["slowest_queries"] = [{"ms": round(t, 2), "sql": q[:300]} for t, q in timed[:5]]
        rows.append(row)
        print(f"  {scenario}: {ours.p50:.1f} ms, slowest statement {raw.p50:.1f} ms", flush=True)
    rows += usage_page_rows(cast, args)
    return rows


def usage_page_rows(cast: Cast, args: argparse.Namespace) -> list[Row]:
    """The statistics pages as the Department's administrator opens them: the province's quarter
    and one unit's. An administrator passes a second factor at login (R6); the session here is
    marked as having passed it, as the code page does, since the login is not what is timed."""
    from django.test import Client
    from django.urls import reverse

    from vanban.accounts.models import AccountStatus, Role, User
    from vanban.accounts.views import SECOND_FACTOR_KEY

    admin = (
        User.objects.filter(status=AccountStatus.ACTIVE, role_assignments__role=Role.PROVINCE_ADMIN)
        .order_by("pk")
        .first()
    )
    if admin is None:
        print("  statistics pages: no province administrator in the province, not timed")
        return []
    client = Client()
    client.force_login(admin, backend="vanban.accounts.backends.AccountBackend")
    session = client.session
    session[SECOND_FACTOR_KEY] = "verified"
    session.save()
    year, quarter = cast.quarter
    query = f"?period=quarter&year={year}&quarter={quarter}"
    rows = []
    for scenario, url in (
        (f"statistics page: the province, Q{quarter}/{year}", reverse("oversight:statistics")),
        (
            f"statistics page: {cast.unit.abbreviation}, Q{quarter}/{year}",
            reverse("oversight:statistics_unit", args=[cast.unit.pk]),
        ),
    ):
        row = page_row(client, scenario, "province admin", url + query, args.repeat)
        row.user = f"province admin ({admin.username})"
        rows.append(row)
    return rows


def accuracy_rows(cast: Cast, rows: list[Row], *, whole_province: bool = True) -> dict[str, Any]:
    """Precision and recall of every search row: every hit the search returns to the person
    against the ground truth of benchmarks/suite_truth.py (a scan of the folded search text
    of the documents the person sees); with `whole_province`, also the search's match condition
    alone over every document (nobody may see them all). Returns the latter by query."""
    from benchmarks.suite_truth import (
        PROVINCE,
        accuracy,
        ground_truth,
        match_hits,
        person_read,
        province,
    )
    from benchmarks.suite_truth import search_hits as every_hit

    people = cast.people()
    wanted = {
        (row.extra["query"], row.user.split(" (", 1)[0]) for row in rows if row.extra.get("query")
    }
    if not wanted:
        return {}
    start = time.perf_counter()
    readers = [person_read(key, user) for key, user in people.items()]
    queries = {query for query, _who in wanted}
    if whole_province:
        readers.append(province())
        wanted |= {(query, PROVINCE) for query in queries}
    truth = ground_truth(queries, readers)
    results = {}
    for query, who in sorted(wanted):
        hits = match_hits(query) if who == PROVINCE else every_hit(people[who], query)
        results[(query, who)] = accuracy(hits, truth[(query, who)])
    for row in rows:
        key = (row.extra.get("query"), row.user.split(" (", 1)[0])
        if key in results:
            row.extra["accuracy"] = results[key].as_json()
            if (key[0], PROVINCE) in results:
                row.extra["accuracy_province"] = results[(key[0], PROVINCE)].as_json()
    found = sum(r.hits for r in results.values())
    print(
        f"  precision and recall of {len(results)} (query, person) pairs, {found} hits: "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    for (query, who), result in sorted(results.items()):
        print(f"    {who} “{query}”: {result.label()} ({result.hits} hits)", flush=True)
    return {query: results[(query, PROVINCE)] for query in sorted(queries) if whole_province}


def search_hits(user: Any, query: str) -> str:
    """What the search page says about the number of hits."""
    from vanban.documents import search

    page = search.search_page(search.result_rows(search.document_search(user=user, query=query)))
    count = search.number_vi(page.count)
    word = "hit" if page.count == 1 else "hits"
    return f"{count} {word}" if page.exact else f"over {count} {word}"


# ---------------------------------------------------------------- writes


def run_unit(stamp: str, clerks: int = CLERKS) -> tuple[Any, list[Any]]:
    """A unit of this run under the root unit, with its clerks."""
    from django.contrib.auth.hashers import make_password

    from vanban.accounts import services
    from vanban.accounts.models import Role, Unit

    root = Unit.objects.filter(parent__isnull=True).order_by("level", "pk").first()
    assert root is not None
    number = Unit.objects.filter(abbreviation__startswith=RUN_UNIT_PREFIX).count() + 1
    unit = services.unit_create(
        actor=None,
        name=f"{RUN_UNIT_NAME} {stamp}",
        symbol="DHN",
        abbreviation=f"{RUN_UNIT_PREFIX}{stamp}",
        agency_code=f"{900 + number % 100:03d}.{number // 100 % 100:02d}.99.H99",
        parent=root,
    )
    hashed = make_password("Bench-mark-1")
    clerks = [
        services.account_create(
            actor=None,
            unit=unit,
            full_name=f"Văn Thư Đo {i + 1}",
            roles=[Role.CLERK],
            password_hash=hashed,
            must_change_password=False,
        ).user
        for i in range(clerks)
    ]
    return unit, clerks


def local_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class Registrar:
    """Registers incoming documents with distinct numbers and symbols through the service."""

    def __init__(self) -> None:
        from vanban.documents.models import DocumentType

        self.document_type = DocumentType.objects.get(name="Công văn")
        self.counter = 0

    def __call__(self, clerk: Any, unit: Any, pdf: bytes, n: int | None = None) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from vanban.documents import services

        if n is None:
            self.counter += 1
            n = self.counter
        return services.incoming_register(
            actor=clerk,
            unit=unit,
            data=services.DocumentInput(
                document_type=self.document_type,
                code_number=str(n),
                code_notation="UBND-VP",
                issued_date=local_today(),
                issuer_name="Ủy ban nhân dân tỉnh",
                issuer_code="000.00.00.H07",
                subject=f"Về việc triển khai kế hoạch chuyển đổi số, đợt {n}",
                signer_name="Nguyễn Văn An",
                signer_position="Phó Chủ tịch",
            ),
            refusals=services.Refusals(sensitive_declared=True),
            main_file=SimpleUploadedFile("cong-van.pdf", pdf, content_type="application/pdf"),
        )


def register_row(
    clerk: Any, unit: Any, pdf: bytes, register: Registrar, repeat: int, note: str = ""
) -> Row:
    ours = measure(lambda: register(clerk, unit, pdf), repeat)
    size = f"{len(pdf) / 1024 / 1024:.1f} MB" if len(pdf) > 500_000 else f"{len(pdf) // 1024} KB"
    print(f"  register incoming, {size} PDF: {ours.p50:.1f} ms", flush=True)
    return Row(
        f"register incoming, {size} PDF (service, one clerk)",
        "clerk",
        ours=ours,
        note=note,
    )


def process_cpu(pid: int) -> float:
    """User and system CPU seconds of a process of this machine, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids() -> list[int]:
    """This server process, its PDF text helper and its PostgreSQL backend (the database runs
    on this machine)."""
    from django.db import connection

    from vanban.documents import pdftext

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    helper = pdftext._helper
    return [os.getpid(), helper.pid if helper is not None else os.getpid(), backend]


def concurrent_row(
    desks: list[tuple[Any, Any]],
    pdf: bytes,
    register: Registrar,
    rounds: int,
    each: int,
    workers: int,
) -> Row:
    """`rounds` times, every clerk of `desks` (unit, clerk) submits `each` registrations at the
    same moment, and `workers` server processes (each with its own database connection and PDF
    text helper, as gunicorn's sync workers) register them in the order they came; afterwards
    each unit's series must hold 1..n, no gap, no duplicate. Throughput: documents registered /
    time from the start to the last commit."""
    import multiprocessing
    from collections import Counter

    from django.db import connections

    from vanban.documents.files import extract_text
    from vanban.documents.models import Document

    context = multiprocessing.get_context("fork")
    cpu = context.Queue()  # (web process, PDF helper, PostgreSQL backend) CPU seconds per worker
    cpu_totals = [0.0, 0.0, 0.0]
    rates: list[float] = []
    broken_rounds = 0
    failures: list[str] = []
    per_unit = Counter(unit.pk for unit, _clerk in desks)
    this_year = local_today().year
    before = Document.objects.filter(unit_id__in=list(per_unit), year=this_year).count()
    base = register.counter + 1_000_000  # code numbers no other row of the run uses
    register.counter += 1_000_000 + len(desks) * each * rounds
    for round_number in range(rounds):
        barrier = context.Barrier(workers + 1)
        errors = context.Queue()
        submitted = context.Queue()
        for i in range(each):  # every clerk's first document, then every clerk's second...
            for index in range(len(desks)):
                submitted.put((index, base + (round_number * len(desks) + index) * each + i))
        for _ in range(workers):
            submitted.put(None)
        connections.close_all()  # each process opens its own connection

        def work(barrier: Any = barrier, errors: Any = errors, submitted: Any = submitted) -> None:
            try:
                # Connect, and start the PDF text helper, before the start: a server process
                # has both from its first request on.
                Document.objects.exists()
                extract_text(pdf, "pdf")
                pids = worker_pids()
                start = [process_cpu(pid) for pid in pids]
                barrier.wait()
                while (task := submitted.get()) is not None:
                    unit, clerk = desks[task[0]]
                    register(clerk, unit, pdf, task[1])
                cpu.put([process_cpu(pid) - s for pid, s in zip(pids, start, strict=True)])
            except Exception as exc:  # reported below
                errors.put(f"{type(exc).__name__}: {exc}")
                # A process that could not start (say the database refused one more
                # connection) must not leave the others waiting for it at the barrier.
                barrier.abort()
            finally:
                connections.close_all()

        processes = [context.Process(target=work) for _ in range(workers)]
        for process in processes:
            process.start()
        try:
            barrier.wait(timeout=600)
        except threading.BrokenBarrierError:
            # Nobody registered anything in this round: every process stops at the barrier.
            broken_rounds += 1
            for process in processes:
                process.join()
            while not errors.empty():
                failures.append(errors.get())
            continue
        start = time.perf_counter()
        for process in processes:
            process.join()
        rates.append(len(desks) * each / (time.perf_counter() - start))
        while not errors.empty():
            failures.append(errors.get())
        while not cpu.empty():
            for k, seconds in enumerate(cpu.get()):
                cpu_totals[k] += seconds
    # Every unit's series, with what earlier rows registered in it, holds exactly 1..n.
    gap_free = True
    total = 0
    for unit_id in per_unit:
        numbers = sorted(
            Document.objects.filter(unit_id=unit_id, year=this_year).values_list(
                "register_number", flat=True
            )
        )
        total += len(numbers)
        gap_free &= numbers == list(range(1, len(numbers) + 1))
    added = total - before
    gap_free &= added == len(desks) * each * (rounds - broken_rounds)
    units = len(per_unit)
    proof = (
        f"{added} registered, {total} numbers in {units} series (one per unit), each 1..n, "
        f"{'no gaps, no duplicates' if gap_free else 'GAPS OR DUPLICATES'}"
    )
    if broken_rounds:
        proof += f"; {broken_rounds} of {rounds} rounds could not start"
    if failures:
        proof += f"; {len(failures)} failed: {failures[0]}"
    rate = statistics.median(rates) if rates else 0.0
    done = max(1, len(desks) * each * len(rates))  # registrations of the rounds that ran
    web, helper, backend = (1000 * seconds / done for seconds in cpu_totals)
    cpu_note = (
        f"CPU per registration: web process {web:.1f} ms, PDF helper {helper:.1f} ms, "
        f"PostgreSQL {backend:.1f} ms"
    )
    where = "one unit" if units == 1 else f"{units} units"
    scenario = (
        f"{len(desks)} clerks of {where} submit {each} each at once, {workers} server "
        f"processes, {len(pdf) // 1024} KB PDF"
    )
    print(f"  {scenario}: {rate:.0f} registrations/s; {cpu_note}; {proof}", flush=True)
    return Row(
        scenario,
        f"{len(desks)} clerks",
        note=f"{rate:.0f} registrations/s (median of {len(rates)} rounds); {cpu_note}; {proof}",
        extra={
            "throughput_per_s": [round(r, 1) for r in rates],
            "cpu_ms_per_registration": {
                "web": round(web, 2),
                "pdf_helper": round(helper, 2),
                "postgresql": round(backend, 2),
            },
            "numbers_gap_free": gap_free,
            "failures": failures,
        },
    )


# ---------------------------------------------------------------- signatures


BATCH_SIZE = 20  # drafts signed at once by the approver (docs/signatures.md)


def load_signatures_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "vanban_bench_signatures", ROOT / "benchmarks" / "signatures.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def signature_rows(sig: Any, pdf: bytes, repeat: int) -> list[Row]:
    """Sign with a PKCS#12 key and verify with OCSP/CRL fetched from the loopback test PKI."""
    from asn1crypto import pem, x509

    from vanban.signatures import pdfsign, testpki, verify

    pki = testpki.build(Path(tempfile.mkdtemp(prefix="vanban-bench-pki-")), port=sig.free_port())
    server = testpki.serve(pki)
    try:
        root = x509.Certificate.load(pem.unarmor(pki.root_pem())[2])
        holder = pdfsign.load_pkcs12(pki.p12("nguoi-ky"), testpki.PIN)
        box = pdfsign.personal_box(pdf, sig.SIGNER, title=sig.TITLE)
        appearance = pdfsign.Appearance(box, image_png=sig._signature_png())
        pdfsign.font_path()

        def sign() -> bytes:
            return pdfsign.sign(
                pdf,
                holder,
                field_name="ChuKyNguoiCoThamQuyen",
                appearance=appearance,
                signing_time=dt.datetime.now(dt.UTC),
            )

        signed = sign()

        def check() -> None:
            report = verify.verify_pdf(signed, [root], revocation="hard-fail", allow_fetching=True)
            if report.status != verify.VALID:
                raise SystemExit(f"verification failed: {report.reasons()}")

        p12 = pki.p12("nguoi-ky")

        def personal() -> bytes:
            # One draft signed as drafting.signing.draft_sign does: the PKCS#12 key unlocked
            # with the PIN, then the signature (each draft of a batch does the same).
            key = pdfsign.load_pkcs12(p12, testpki.PIN)
            return pdfsign.sign(
                pdf,
                key,
                field_name="ChuKyNguoiCoThamQuyen",
                appearance=appearance,
                signing_time=dt.datetime.now(dt.UTC),
            )

        def batch() -> None:
            # drafting.batch_signing.drafts_sign_batch: the key opened once to check the PIN,
            # then 20 documents, each with its own signature and signing time.
            pdfsign.load_pkcs12(p12, testpki.PIN)
            for _ in range(BATCH_SIZE):
                personal()

        from vanban.signatures import testcsc
        from vanban.signatures.remote.csc import CscClient, CscProvider

        client = CscClient(CscProvider(pki.csc_url, testcsc.CLIENT_ID, testcsc.CLIENT_SECRET))
        info = client.credential_info(testcsc.credential_id("nguoi-ky"))
        remote_cert = x509.Certificate.load(info.certificates[0])
        remote_chain = [x509.Certificate.load(der) for der in info.certificates[1:]]

        def prepare() -> pdfsign.Prepared:
            return pdfsign.prepare(
                pdf,
                certificate=remote_cert,
                chain=remote_chain,
                field_name="ChuKyNguoiCoThamQuyen",
                appearance=appearance,
                signing_time=dt.datetime.now(dt.UTC),
            )

        def digest(prepared: pdfsign.Prepared) -> bytes:
            return hashlib.sha256(pdfsign.to_be_signed(prepared)).digest()

        def remote() -> bytes:
            # signatures.remote_personal_sign through the CSC stand-in on loopback: prepare,
            # credentials/authorize with the PIN, signatures/signHash, complete.
            prepared = prepare()
            [value] = client.sign_hashes(info, [digest(prepared)], testpki.PIN)
            return pdfsign.complete(prepared, value)

        def remote_batch() -> None:
            # drafting.remote_batch.drafts_sign_batch_remote: 20 documents prepared, their
            # hashes authorised with one SAD (numSignatures = 20) and signed in one signHash.
            prepared = [prepare() for _ in range(BATCH_SIZE)]
            values = client.sign_hashes(info, [digest(p) for p in prepared], testpki.PIN)
            for one, value in zip(prepared, values, strict=True):
                pdfsign.complete(one, value)

        size = f"{len(pdf) / 1024 / 1024:.1f} MB"
        rows = [
            Row(f"sign {size} (PKCS#12, PAdES)", "signer", ours=measure(sign, repeat)),
            Row(
                f"remote signature {size} (CSC v2 stand-in: prepare, authorize, signHash, "
                "complete)",
                "signer",
                ours=measure(remote, repeat),
            ),
            Row(
                f"remote batch of {BATCH_SIZE} signatures {size} (one PIN, one SAD, CSC v2)",
                "signer",
                ours=measure(remote_batch, 2, warm=False),
                note="signing only; each draft also writes its signed file and report",
            ),
            Row(
                f"personal signature {size} (PKCS#12 unlocked with the PIN, PAdES)",
                "signer",
                ours=measure(personal, repeat),
            ),
            Row(
                f"batch of {BATCH_SIZE} personal signatures {size} (one PIN, PKCS#12)",
                "signer",
                ours=measure(batch, 2, warm=False),
                note="signing only; each draft also writes its signed file and report",
            ),
            Row(
                f"verify {size} (OCSP/CRL fetched on loopback)",
                "clerk",
                ours=measure(check, repeat),
            ),
        ]
    finally:
        server.shutdown()
    for row in rows:
        print(f"  {row.scenario}: {row.ours.p50:.1f} ms", flush=True)  # type: ignore[union-attr]
    return rows


# ---------------------------------------------------------------- edXML


def edxml_rows(pdf: bytes, repeat: int) -> list[Row]:
    """Build (write and check against the schema, as every outbound package is) and parse an
    edXML package carrying the 1 MB PDF: the national sample "edoc_new" with its attachments
    replaced."""
    import dataclasses

    from vanban.exchange import edxml as edxml_io
    from vanban.exchange.edxml import Attachment

    # The national samples: $VANBAN_EDXML_SAMPLES, ../shared/interop/edxml, or the copy the
    # tests keep.
    folders = [os.environ.get("VANBAN_EDXML_SAMPLES", "")]
    folders += [str(ROOT.parent / "shared/interop/edxml"), str(ROOT / "tests/exchange/data")]
    sample = next(
        (
            Path(f) / "edoc_new.edxml"
            for f in folders
            if f and (Path(f) / "edoc_new.edxml").exists()
        ),
        Path("edoc_new.edxml"),
    )
    if not sample.exists():
        return [Row("edXML package with a 1 MB PDF", note=f"not measured: {sample} missing")]
    message = edxml_io.read_message(sample.read_bytes())
    package = dataclasses.replace(
        message,  # type: ignore[type-var]
        attachments=[  # the same files, as far as the manifest knows, each now the PDF
            Attachment.from_bytes(
                pdf,
                content_id=item.content_id or "1",
                name=item.attachment_name or "cong-van.pdf",
                content_type="application/pdf",
            )
            for item in message.attachments or []
        ][:1],
    )

    def build() -> bytes:
        data = edxml_io.write_message(package)
        problems = edxml_io.validate(data)
        if problems:
            raise SystemExit(f"edXML: {problems[0]}")
        return data

    data = build()
    size = f"{len(data) / 1024 / 1024:.1f} MB"
    rows = [
        Row(
            f"build edXML package ({size}, 1 MB PDF), schema check",
            "sender",
            ours=measure(build, repeat),
        ),
        Row(
            f"parse edXML package ({size})",
            "receiver",
            ours=measure(lambda: edxml_io.read_message(data), repeat),
        ),
    ]
    for row in rows:
        print(f"  {row.scenario}: {row.ours.p50:.1f} ms", flush=True)  # type: ignore[union-attr]
    return rows


# ---------------------------------------------------------------- exchange between two systems


def exchange_rows(args: argparse.Namespace) -> list[Row]:
    """Two deployments exchanging signed documents (benchmarks/exchange_pair.py, run by pytest
    in a process of its own: it starts the two deployments, each with its own database)."""
    scenario = f"exchange between two deployments, {args.exchange} signed documents A -> B"
    env = {**os.environ, "VANBAN_BENCH_EXCHANGE": str(args.exchange)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest's settings, as the tests have
    result = subprocess.run(  # noqa: S603 - our own arguments
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "benchmarks" / "exchange_pair.py"),
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = [line for line in result.stdout.splitlines() if line.startswith("EXCHANGE ")]
    if result.returncode != 0 or not found:
        print(result.stdout[-3000:], result.stderr[-3000:], flush=True)
        return [Row(scenario, note=f"failed (pytest exit {result.returncode}); see the output")]
    data = json.loads(found[-1][len("EXCHANGE ") :])
    note = (
        f"{data['acknowledged_per_s']:.1f} documents/s issued, delivered and acknowledged "
        f"({data['documents']} in {data['acknowledged_s']:.1f} s: issuing on A through its API "
        f"{data['issue_s']:.1f} s, all received by B {data['delivered_s']:.1f} s, every status "
        f"01 back on A {data['acknowledged_s']:.1f} s)"
    )
    print(f"  {scenario}: {note}", flush=True)
    return [Row(scenario, "A's clerk", note=note, extra=data)]


# ---------------------------------------------------------------- HTTP load


def http_plan(cast: Cast, people: int) -> list[tuple[str, str]]:
    """(session cookie, path) lines of the mixed workload: leaders, clerks and staff of the
    generated province, each opening their work, documents they may see, searches and (leaders
    and clerks) their unit's register; every line answers 200 before the run."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from vanban.accounts.models import AccountStatus, Role, User
    from vanban.core.text import fold
    from vanban.documents.models import Document

    backend = "vanban.accounts.backends.AccountBackend"
    year, quarter = cast.quarter
    # Only people who sign in without a second factor: force_login passes none, and R6 sends the
    # session of an administrator (say a staff member who is also the unit's administrator) to
    # the enrolment page, a 302 on every page. Each person once: a leader who is also a clerk
    # has one session, not two.
    active = code_free(
        User.objects.filter(status=AccountStatus.ACTIVE).exclude(
            username__startswith=RUN_UNIT_PREFIX
        )
    )
    chosen: list[tuple[Any, str]] = [(cast.leader, Role.LEADER), (cast.staff, Role.STAFF)]
    for role in (Role.LEADER, Role.CLERK, Role.STAFF):
        others = active.filter(role_assignments__role=role).exclude(
            pk__in=[u.pk for u, _role in chosen]
        )
        if role == Role.STAFF:
            others = others.exclude(role_assignments__role__in=(Role.LEADER, Role.CLERK))
        chosen += [(u, role) for u in others.distinct().order_by("pk")[: people // 3]]
    User.objects.filter(pk__in=[u.pk for u, _ in chosen]).update(must_change_password=False)
    searches = [
        "kế hoạch",
        "ke hoach",
        "nạo vét kênh",
        fold("nạo vét kênh"),
        "sầu riêng",
        cast.number_symbol,
    ]
    plan: list[tuple[str, str]] = []
    for index, (user, role) in enumerate(chosen[:people]):
        client = Client()
        client.force_login(user, backend=backend)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        paths = [reverse("workflow:my_work")] * 3
        newest = (
            Document.objects.visible_to(user)
            .order_by("-registered_at")
            .values_list("pk", flat=True)
        )[:3]
        paths += [reverse("documents:document_detail", args=[pk]) for pk in newest]
        for k in range(3):
            term = searches[(index + k) % len(searches)]
            # The browser asks for the count once a page that is not the last one shows.
            paths += [search_url(term), count_url(term)]
        unit_id = user.role_assignments.filter(role=role).values_list("unit_id", flat=True).first()
        if role in (Role.LEADER, Role.CLERK) and unit_id:
            paths.append(
                reverse("documents:register_incoming")
                + "?"
                + urlencode(
                    {"unit": unit_id, "period": "quarter", "year": year, "quarter": quarter}
                )
            )
        for path in paths:
            status = client.get(path).status_code
            if status != 200:
                raise SystemExit(f"HTTP plan: {path} answered {status} to {user.username}")
            plan.append((cookie, path))
    return plan


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wrk(url: str, script: Path, plan: Path, connections: int, seconds: int) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 - our own arguments
        [  # noqa: S607 - wrk from the system's packages
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
            "--",
            str(plan),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])  # type: ignore[no-any-return]
    raise SystemExit(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")


def http_rows(cast: Cast, args: argparse.Namespace) -> list[Row]:
    """The mixed workload through gunicorn, measured with wrk."""
    import shutil

    scenario = (
        f"HTTP mixed workload: {args.http_connections} users, gunicorn {args.http_workers} "
        f"workers, {args.http_seconds} s"
    )
    missing = [
        name
        for name, found in (
            ("wrk (apt-get install wrk)", shutil.which("wrk")),
            ("gunicorn", importlib.util.find_spec("gunicorn")),
        )
        if not found
    ]
    if missing:
        print(f"  HTTP load skipped: {', '.join(missing)} not installed", flush=True)
        return [Row(scenario, note=f"not measured: {', '.join(missing)} not installed")]
    plan = http_plan(cast, args.http_connections)
    workdir = Path(tempfile.mkdtemp(prefix="vanban-bench-http-"))
    plan_file = workdir / "plan.tsv"
    plan_file.write_text("".join(f"{cookie}\t{path}\n" for cookie, path in plan))
    port = free_port()
    env = {**os.environ, "VANBAN_ALLOWED_HOSTS": "127.0.0.1"}
    server = subprocess.Popen(  # noqa: S603 - our own arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "vanban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.http_workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    from django.urls import reverse

    login = url + reverse("accounts:login")
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(login, timeout=10)  # noqa: S310 - loopback
                break
            except OSError:  # URLError, refused, timed out: not up yet
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        script = ROOT / "benchmarks" / "mixed.lua"
        wrk(url, script, plan_file, args.http_connections, 5)  # warm-up
        result = wrk(url, script, plan_file, args.http_connections, args.http_seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rate = result["requests"] / (result["duration_us"] / 1e6)
    note = (
        f"{rate:.0f} requests/s; p50 {result['p50_us'] / 1000:.0f} ms, "
        f"p95 {result['p95_us'] / 1000:.0f} ms, p99 {result['p99_us'] / 1000:.0f} ms; "
        f"{result['requests']} requests, {result['non_2xx']} not 2xx, "
        f"{result['socket_errors'] + result['timeouts']} socket errors or time-outs; "
        f"{len(plan)} (person, page) pairs: work, document detail, searches, registers"
    )
    print(f"  {scenario}: {note}", flush=True)
    return [Row(scenario, f"{args.http_connections} people", note=note, extra=result)]


# ---------------------------------------------------------------- output


def ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown(
    rows: list[Row],
    info: dict[str, Any],
    args: argparse.Namespace,
    province_accuracy: dict[str, Any] | None = None,
) -> str:
    ram = f", {info['ram_gb']} GB RAM" if info["ram_gb"] else ""
    lines = [
        f"# Performance suite: {info['documents']:,} documents".replace(",", "."),
        "",
        f"{info['date']}; {info['cpus']} CPUs ({info['cpu_model'] or 'unknown model'}){ram}; "
        f"{info['database_version']}"
        + (f" ({info['database_size']})" if info.get("database_size") else "")
        + f"; Python {info['python']}; Django {info['django']}; commit {info['commit'] or '?'}. "
        f"{args.repeat} requests per row after one warm-up; times in ms; Django test Client "
        "(no HTTP server), DEBUG off.",
        "",
        "| scenario | as | queries | ours p50 | ours p95 | bare Django p50 | bare p95 "
        "| raw SQL p50 | raw p95 | ours / bare | FTS ceiling p95 | ours / ceiling p95 "
        "| raw / ceiling p95 | precision / recall |",
        "| --- | --- " + "| ---: " * 12 + "|",
    ]
    for row in rows:
        ours = row.ours
        cells = [
            row.scenario,
            row.user,
            "" if row.queries is None else str(row.queries),
            ms(ours.p50) if ours else "",
            ms(ours.p95) if ours else "",
            ms(row.bare.p50) if row.bare else "",
            ms(row.bare.p95) if row.bare else "",
            ms(row.raw.p50) if row.raw else "",
            ms(row.raw.p95) if row.raw else "",
            f"{row.ratio:.2f}" if row.ratio else "",
            ms(row.ceiling.p95) if row.ceiling else "",
            f"{row.ceiling_ratio:.2f}" if row.ceiling_ratio else "",
            f"{row.raw_ceiling_ratio:.2f}" if row.raw_ceiling_ratio else "",
            accuracy_label(row.extra.get("accuracy")),
        ]
        if ours is None:
            cells[3] = row.note
        lines.append("| " + " | ".join(cells) + " |")
    pairs = staff_vs_leader(rows)
    if pairs:
        lines += [
            "",
            "Staff against leader (same page, p95; the staff member sees only the documents given "
            "to them):",
            "",
            "| scenario | leader p95 | staff p95 | staff / leader |",
            "| --- | ---: | ---: | ---: |",
        ]
        for scenario, leader, staff in pairs:
            lines.append(f"| {scenario} | {ms(leader)} | {ms(staff)} | {staff / leader:.2f} |")
    if province_accuracy:
        lines += [
            "",
            "The search's match condition alone over every document (no visibility rule; nobody "
            "may see them all) against a scan of the folded search text:",
            "",
            "| query | hits | ground truth | precision / recall |",
            "| --- | ---: | ---: | ---: |",
        ]
        for query, found in province_accuracy.items():
            lines.append(f"| “{query}” | {found.hits} | {found.truth} | {found.label()} |")
    notes = [row for row in rows if row.ours is not None and row.note]
    if notes:
        lines += [""] + [f"- {row.scenario}: {row.note}" for row in notes]
    return "\n".join(lines) + "\n"


def accuracy_label(found: dict[str, Any] | None) -> str:
    if not found:
        return ""
    return f"{found['precision']:.3f} / {found['recall']:.3f}"


def staff_vs_leader(rows: list[Row]) -> list[tuple[str, float, float]]:
    by_key: dict[tuple[str, str], Row] = {}
    for row in rows:
        if row.ours is not None and row.user:
            by_key[(row.scenario, row.user.split(" ", 1)[0])] = row
    pairs = []
    for (scenario, who), row in by_key.items():
        other = by_key.get((scenario, "staff"))
        if who == "leader" and other is not None and row.ours and other.ours:
            pairs.append((scenario, row.ours.p95, other.ours.p95))
    return pairs


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=10_000, help="generated documents")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per row")
    parser.add_argument("--reuse", action="store_true", help="use the generated documents held")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 50 concurrent clerks")
    parser.add_argument("--each", type=int, default=8, help="documents per clerk and round")
    parser.add_argument(
        "--common", default="kế hoạch", help="a term found in many documents (about a third)"
    )
    # benchdata.py puts "nạo vét kênh thủy lợi nội đồng" in 1% of the subjects and "hỗ trợ trồng
    # sầu riêng" in one document out of 100,000.
    parser.add_argument("--medium", default="nạo vét kênh", help="a term found in about 1%%")
    parser.add_argument("--rare", default="sầu riêng", help="a term found in very few")
    # The commune of Phú Khương registers few documents of its own; its name is in the issuer
    # and file text of those it sends, about 0.8% of all. "phu" is in a third of the documents
    # and "khuong" is made of the most frequent letter groups.
    parser.add_argument(
        "--moderate", default="Phú Khương", help="a place name found in about 0.5-1%%"
    )
    parser.add_argument(
        "--phrase", default='"nạo vét kênh"', help='a phrase in double quotes ("": none)'
    )
    parser.add_argument(
        "--no-accuracy", action="store_true", help="skip precision and recall of the searches"
    )
    parser.add_argument(
        "--no-province-accuracy",
        action="store_true",
        help="precision and recall for the cast only, not over every document",
    )
    parser.add_argument("--leader", help="username of the leader (default: chosen)")
    parser.add_argument("--staff", help="username of the staff member (default: chosen)")
    parser.add_argument("--no-writes", action="store_true", help="skip the registrations")
    parser.add_argument("--no-signatures", action="store_true", help="skip sign and verify")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP load")
    parser.add_argument(
        "--exchange", type=int, default=30, help="documents sent between two deployments (0: none)"
    )
    parser.add_argument("--results", default=str(RESULTS), help="folder of the tables")
    parser.add_argument("--http-connections", type=int, default=50, help="concurrent users")
    parser.add_argument("--http-seconds", type=int, default=60, help="length of the HTTP load")
    parser.add_argument("--http-workers", type=int, default=5, help="gunicorn workers")
    args = parser.parse_args()

    url = choose_database(args.size)
    print(f"database: {url}", flush=True)
    # The signatures benchmark's module sets defaults only; ours are already in place.
    sig = load_signatures_module()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if settings.DEBUG:
        raise SystemExit("The suite measures production settings: unset VANBAN_DEBUG.")
    prepare_data(args.size, args.reuse)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it
    install_bare_view()
    info = machine(connection)
    info["documents"] = generated_documents()
    cast = choose_cast(args.leader, args.staff)
    # Generated people still hold the one-time password of a new account; the cast has signed
    # in before.
    type(cast.leader).objects.filter(pk__in=[u.pk for u in cast.people().values()]).update(
        must_change_password=False
    )
    print(
        f"leader {cast.leader.username}, staff {cast.staff.username}, unit {cast.unit.name}, "
        f"Q{cast.quarter[1]}/{cast.quarter[0]}, number-symbol {cast.number_symbol}, "
        f"clerk {getattr(cast.clerk, 'username', '-')}, small-unit leader "
        f"{getattr(cast.small_leader, 'username', '-')} "
        f"({getattr(cast.small_unit, 'name', '-')}), cited number-symbol {cast.citing or '-'}",
        flush=True,
    )

    rows = page_rows(cast, args)
    rows += usage_rows(cast, args)
    province_accuracy: dict[str, Any] = {}
    if not args.no_accuracy:
        province_accuracy = accuracy_rows(cast, rows, whole_province=not args.no_province_accuracy)
    megabyte_pdf: bytes | None = None
    if not (args.no_writes and args.no_signatures):
        megabyte_pdf = sig.document(1.0)
    if not args.no_writes:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        unit, clerks = run_unit(stamp)
        register = Registrar()
        page_pdf = one_page_pdf()
        note = "documents.services.incoming_register: PDF checks and text, storage, number, audit"
        rows.append(register_row(clerks[0], unit, megabyte_pdf, register, args.repeat, note))
        rows.append(register_row(clerks[1], unit, page_pdf, register, args.repeat))
        if connection.vendor == "postgresql":
            # All in one series (the worst case for its lock), then spread over ten units.
            one_unit, one_unit_clerks = run_unit(f"{stamp}c")
            desks = [(one_unit, clerk) for clerk in one_unit_clerks]
            spread = []
            for k in range(10):
                unit_k, clerks_k = run_unit(f"{stamp}d{k}", clerks=CLERKS // 10)
                spread += [(unit_k, clerk) for clerk in clerks_k]
            # As many server processes as cores, gunicorn's usual 2 x cores + 1, and one
            # process per clerk (the overloaded case).
            cores = os.cpu_count() or 2
            for workers in sorted({cores, 2 * cores + 1}):
                rows.append(
                    concurrent_row(desks, page_pdf, register, args.rounds, args.each, workers)
                )
            rows.append(
                concurrent_row(spread, page_pdf, register, args.rounds, args.each, 2 * cores + 1)
            )
            rows.append(concurrent_row(desks, page_pdf, register, args.rounds, args.each, CLERKS))
        else:
            print("  concurrent registrations: PostgreSQL only, skipped", flush=True)
    if not args.no_signatures:
        rows += signature_rows(sig, megabyte_pdf, max(5, args.repeat // 2))
    if megabyte_pdf is not None:
        rows += edxml_rows(megabyte_pdf, args.repeat)
    if args.exchange:
        rows += exchange_rows(args)
    if not args.no_http:
        rows += http_rows(cast, args)

    table = markdown(rows, info, args, province_accuracy)
    print()
    print(table)
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    size = info["documents"]
    name = str(size) if connection.vendor == "postgresql" else f"{size}-sqlite"
    if args.no_writes or args.no_signatures or args.no_http or not args.exchange:
        name += "-partial"  # never in place of a full run's table
    (results / f"{name}.md").write_text(table)
    (results / f"{name}.json").write_text(
        json.dumps(
            {
                "machine": info,
                "size": size,
                "repeat": args.repeat,
                "cast": {
                    "leader": cast.leader.username,
                    "staff": cast.staff.username,
                    "unit": cast.unit.name,
                    "quarter": list(cast.quarter),
                    "number_symbol": cast.number_symbol,
                    "citing": cast.citing,
                    "small_unit_leader": getattr(cast.small_leader, "username", None),
                    "small_unit": getattr(cast.small_unit, "name", None),
                    "small_unit_quarter": list(cast.small_quarter or ()),
                    "clerk": getattr(cast.clerk, "username", None),
                },
                "rows": [row.as_json() for row in rows],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"written to {results / name}.md and .json")


def one_page_pdf() -> bytes:
    import weasyprint

    body = "".join(
        f"<p>Điều {n}. Các cơ quan, đơn vị triển khai kế hoạch chuyển đổi số năm 2026.</p>"
        for n in range(1, 15)
    )
    return weasyprint.HTML(string=f"<html><body><h1>CÔNG VĂN</h1>{body}</body></html>").write_pdf()  # type: ignore[no-any-return]


if __name__ == "__main__":
    main()
