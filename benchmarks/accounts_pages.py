"""Measure the account pages, the lifecycle sweep and audit verification at province scale.

Usage: .venv/bin/python benchmarks/accounts_pages.py [--accounts 20000] [--repeat 20]
Uses DATABASE_URL when set, else a new SQLite file in a temporary directory.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("VANBAN_DATA_DIR", tempfile.mkdtemp(prefix="vanban-bench-"))
# Production settings: the real Argon2 hasher is part of what is measured.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
os.environ.setdefault("VANBAN_ALLOWED_HOSTS", "testserver")
os.environ["VANBAN_PLAIN_STATIC"] = "1"


def timed(label: str, fn, repeat: int) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{label:<45} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if "DATABASE_URL" in os.environ:
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)

    from django.contrib.auth.hashers import make_password

    from vanban.accounts import services
    from vanban.accounts.models import RoleAssignment, User
    from vanban.core import clock
    from vanban.core.text import fold

    root = services.unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    units = [
        services.unit_create(
            actor=None,
            name=f"Đơn vị số {i}",
            symbol=f"DV{i}",
            abbreviation=f"dv{i}",
            agency_code=f"000.00.{i:02d}.H07",
            parent=root,
        )
        for i in range(1, 51)
    ]
    admin = services.account_create(
        actor=None,
        unit=units[0],
        full_name="Quản Trị Tỉnh",
        roles=["province_admin"],
        password="Bench-mark-1",
        must_change_password=False,
    ).user
    unit_admin = services.account_create(
        actor=None,
        unit=units[1],
        full_name="Quản Trị Đơn Vị",
        roles=["unit_admin"],
        password="Bench-mark-1",
        must_change_password=False,
    ).user
    hashed = make_password("Bench-mark-1")
    now = clock.now()
    start = time.perf_counter()
    batch = []
    for i in range(args.accounts):
        unit = units[i % len(units)]
        name = f"Nguyễn Văn Thử {i}"
        batch.append(
            User(
                username=f"thu{i}.{unit.abbreviation}",
                full_name=name,
                unit=unit,
                password=hashed,
                must_change_password=False,
                password_changed_at=now,
                created_at=now,
                search_text=fold(f"{name} thu{i}.{unit.abbreviation}"),
            )
        )
    users = User.objects.bulk_create(batch, batch_size=2000)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, unit_id=u.unit_id, role="staff") for u in users], batch_size=2000
    )
    print(
        f"database: {connection.vendor}; {args.accounts} accounts in {len(units)} units "
        f"created in {time.perf_counter() - start:.1f} s"
    )

    province = Client()
    province.force_login(admin, backend="vanban.accounts.backends.AccountBackend")
    unit_client = Client()
    unit_client.force_login(unit_admin, backend="vanban.accounts.backends.AccountBackend")

    # A new client each time: a signed-in client would only be redirected.
    timed(
        "login (Argon2 check + audit event)",
        lambda: Client().post(
            "/tai-khoan/dang-nhap/", {"username": unit_admin.username, "password": "Bench-mark-1"}
        ),
        args.repeat,
    )
    timed("home page, province admin", lambda: province.get("/"), args.repeat)
    timed(
        "account list, province admin, page 1",
        lambda: province.get("/tai-khoan/quan-tri/tai-khoan/"),
        args.repeat,
    )
    timed(
        "account list, search 'thu 1999'",
        lambda: province.get("/tai-khoan/quan-tri/tai-khoan/?q=thu+1999"),
        args.repeat,
    )
    timed(
        "account list, unit admin",
        lambda: unit_client.get("/tai-khoan/quan-tri/tai-khoan/"),
        args.repeat,
    )
    timed("lifecycle sweep (nothing to change)", lambda: services.accounts_sweep(), 3)
    from vanban.audit.services import audit_verify

    timed("audit verify", lambda: audit_verify(), 3)


if __name__ == "__main__":
    main()
