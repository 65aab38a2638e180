"""CPU of one registration of an incoming one-page PDF, per process, in one server process.

Usage (a database the suite has filled, PostgreSQL):
    DATABASE_URL=... PYTHONPATH=src .venv/bin/python benchmarks/registration_cpu.py \\
        [--count 300] [--profile 25]

Registers `--count` documents one after another in a unit of its own and reports, per
registration, the CPU time of this process (the web process), of its PDF text helper and of its
PostgreSQL backend (read from /proc, so the database must run on this machine), the SQL
statements sent, and how long the series row and the audit chain's head stay locked (from the
statement taking the lock to the end of the commit, wall time). `--profile N` prints the N most
expensive functions of cProfile, timed in CPU (`--sort`: cumulative, tottime...).
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import suite  # sets the environment first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, help="functions to print")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime...)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from vanban.audit.models import AuditChainHead
    from vanban.documents import pdftext
    from vanban.documents.models import RegisterSeries

    stamp = time.strftime("%Y%m%d%H%M%S") + "p"
    unit, clerks = suite.run_unit(stamp, clerks=1)
    register = suite.Registrar()
    pdf = suite.one_page_pdf()
    register(clerks[0], unit, pdf)  # warm: connection, helper, caches
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    helper = pdftext._helper.pid if pdftext._helper is not None else None
    statements = 0
    locked: dict[str, float] = {}  # lock -> when the statement taking it was sent
    held: dict[str, list[float]] = {"series": [], "audit head": []}
    series_table = RegisterSeries._meta.db_table
    head_table = AuditChainHead._meta.db_table

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        if sql.startswith(f"UPDATE {series_table} "):
            locked["series"] = time.perf_counter()
        elif head_table in sql and "FOR UPDATE" in sql:
            locked["audit head"] = time.perf_counter()
        return execute(sql, params, many, context)

    def committed() -> None:
        now = time.perf_counter()
        for name, since in locked.items():
            held[name].append((now - since) * 1000)
        locked.clear()

    commit = connection.commit

    def commit_and_note() -> None:
        commit()
        committed()

    connection.commit = commit_and_note  # type: ignore[method-assign]

    profile = cProfile.Profile(time.process_time) if args.profile else None
    own0, wall0 = time.process_time(), time.perf_counter()
    backend0 = suite.process_cpu(backend)
    helper0 = suite.process_cpu(helper) if helper else 0.0
    with connection.execute_wrapper(count):
        if profile:
            profile.enable()
        for _ in range(args.count):
            register(clerks[0], unit, pdf)
        if profile:
            profile.disable()
    n = args.count
    own = (time.process_time() - own0) / n * 1000
    wall = (time.perf_counter() - wall0) / n * 1000
    pg = (suite.process_cpu(backend) - backend0) / n * 1000
    helped = (suite.process_cpu(helper) - helper0) / n * 1000 if helper else 0.0
    print(
        f"{n} registrations: web process {own:.2f} ms CPU, PDF helper {helped:.2f} ms, "
        f"PostgreSQL backend {pg:.2f} ms, total {own + helped + pg:.2f} ms; "
        f"wall {wall:.2f} ms; {statements / n:.1f} statements"
    )
    for name, times in held.items():
        if times:
            print(
                f"{name} locked from the statement taking it to the end of the commit: "
                f"p50 {statistics.median(times):.2f} ms, "
                f"p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms"
            )
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
