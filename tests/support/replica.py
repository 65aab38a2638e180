"""A real PostgreSQL primary and its streaming standby, for the tests of the read replica
(vanban.core.replica; docs/deployment.md, "Read replica").

The machine's own cluster takes no replication connections, so the tests start a throwaway
pair of their own in a temporary directory: `initdb` a primary (wal_level=replica, the
replication line initdb writes for trust authentication on the Unix socket), `pg_basebackup -R`
a standby from it, both listening only on a Unix socket in that directory, started with `pg_ctl`
and stopped and removed at the end. Run as root, the PostgreSQL programs run as the `postgres`
account (the server refuses root).

Without the PostgreSQL 15 programs (Debian: `apt-get install postgresql-15`) the tests skip and
say so; with VANBAN_REQUIRE_REPLICA=1 (CI) they fail instead.

`pointed_at(pair)` points the test's database connections at the pair: "default" at the
primary's database, "replica" at the same database on the standby; the run's own test database
(PostgreSQL or SQLite) and its connection are put back afterwards. The schema is migrated once
per pair.
"""

from __future__ import annotations

import contextlib
import copy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("VANBAN_PG_BIN", "/usr/lib/postgresql/15/bin"))
PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
MISSING = (
    f"không có PostgreSQL 15 ({PG_BIN}; apt-get install postgresql-15) / "
    "the PostgreSQL 15 programs are missing"
)
DATABASE = "vanban_replica"
REPLAY_LIMIT = 20.0  # seconds a standby may take to replay a commit


def require_postgres() -> Path:
    """The directory of the PostgreSQL programs; skip (or fail with VANBAN_REQUIRE_REPLICA=1)."""
    missing = [name for name in PROGRAMS if not (PG_BIN / name).exists()]
    if missing:
        if os.environ.get("VANBAN_REQUIRE_REPLICA") == "1":
            pytest.fail(f"VANBAN_REQUIRE_REPLICA=1 nhưng {MISSING}.", pytrace=False)
        pytest.skip(f"Bỏ qua các bài kiểm tra bản sao đọc (read replica) vì {MISSING}.")
    return PG_BIN


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_account(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], *, timeout: float = 60) -> None:
    result = subprocess.run(  # noqa: S603 - our own command line
        _as_server_account(command),
        cwd=tempfile.gettempdir(),  # a directory the server's account may enter
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class Server:
    directory: Path  # data directory
    sockets: Path
    port: int

    def settings(self, base: dict[str, object]) -> dict[str, object]:
        """Django's settings of a connection to this server's test database."""
        values = copy.deepcopy(base)
        values.update(
            ENGINE="django.db.backends.postgresql",
            NAME=DATABASE,
            USER="postgres",
            PASSWORD="",
            HOST=str(self.sockets),
            PORT=str(self.port),
            CONN_MAX_AGE=0,
            OPTIONS={"connect_timeout": 3},
        )
        return values

    def connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=str(self.sockets),
            port=self.port,
            user="postgres",
            dbname=DATABASE,
            autocommit=True,
        )

    def start(self) -> None:
        log = self.directory.parent / f"{self.directory.name}.log"
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.directory), "-l", str(log), "-w", "start"])

    def stop(self, mode: str = "fast") -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.directory), "-m", mode, "-w", "stop"])

    def running(self) -> bool:
        return (self.directory / "postmaster.pid").exists()


@dataclass
class Pair:
    primary: Server
    standby: Server
    migrated: bool = field(default=False)

    def wait_for_replay(self) -> None:
        """Until the standby has replayed everything the primary committed so far."""
        with self.primary.connect() as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
            assert row is not None
            target = row[0]
        deadline = time.monotonic() + REPLAY_LIMIT
        with self.standby.connect() as standby:
            while True:
                row = standby.execute(
                    "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target]
                ).fetchone()
                if row is not None and row[0]:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"the standby did not replay {target} in time")
                time.sleep(0.05)


def _config(directory: Path, lines: list[str]) -> None:
    with (directory / "postgresql.auto.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n".join(lines) + "\n")


@contextlib.contextmanager
def primary_and_standby() -> Iterator[Pair]:
    """A running primary with a database for the tests and a standby streaming from it."""
    require_postgres()
    root = Path(tempfile.mkdtemp(prefix="vanban-replica-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
    primary = Server(root / "primary", root, _free_port())
    standby = Server(root / "standby", root, _free_port())
    common = [
        f"unix_socket_directories = '{root}'",
        "listen_addresses = ''",
        "fsync = off",
        "full_page_writes = off",
        "shared_buffers = '16MB'",
        "max_connections = 30",
    ]
    try:
        _run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(primary.directory),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        _config(
            primary.directory,
            [*common, f"port = {primary.port}", "wal_level = replica", "max_wal_senders = 4"],
        )
        primary.start()
        _run(
            [
                str(PG_BIN / "psql"),
                "-h",
                str(root),
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-qc",
                f"CREATE DATABASE {DATABASE}",
                "postgres",
            ]
        )
        _run(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                str(root),
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(standby.directory),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ]
        )
        _config(standby.directory, [f"port = {standby.port}", "hot_standby = on"])
        standby.start()
        yield Pair(primary, standby)
    finally:
        for server in (standby, primary):
            if server.running():
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    server.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def pointed_at(pair: Pair) -> Iterator[None]:
    """The test's connections on the pair: "default" on the primary, "replica" on the standby.

    The test database of the run stays where it is; its settings are put back afterwards."""
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.utils import load_backend

    from vanban.core import replica

    def forget_rows() -> None:
        # Content types and cached policies are rows of one database, not of the other.
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import cache

        ContentType.objects.clear_cache()
        cache.clear()

    saved_settings = connections.settings["default"]
    saved_connection = connections["default"]  # kept open: an in-memory SQLite database lives in it
    connections.settings["default"] = pair.primary.settings(saved_settings)
    connections["default"] = connections.create_connection("default")
    # The replica's connection is made here rather than listed in the connection settings:
    # Django's test cases refuse connections to an alias the test did not declare when it began.
    standby_settings = pair.standby.settings(saved_settings)
    django_settings.DATABASES[replica.REPLICA] = standby_settings
    connections[replica.REPLICA] = load_backend(str(standby_settings["ENGINE"])).DatabaseWrapper(
        standby_settings, replica.REPLICA
    )
    replica.forget_failures()
    forget_rows()
    try:
        if not pair.migrated:
            call_command("migrate", verbosity=0, interactive=False)
            pair.migrated = True
        yield
    finally:
        for alias in ("default", replica.REPLICA):
            with contextlib.suppress(Exception):
                connections[alias].close()
        with contextlib.suppress(AttributeError):
            del connections[replica.REPLICA]
        del django_settings.DATABASES[replica.REPLICA]
        connections.settings["default"] = saved_settings
        connections["default"] = saved_connection
        replica.forget_failures()
        forget_rows()
