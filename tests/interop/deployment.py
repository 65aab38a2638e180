"""Deployments of vanban started as separate processes on this machine, for the tests of the
exchange between two systems (R15, R16).

Each `Instance` has its own data directory, database, secret key and port on 127.0.0.1, and
runs as a real deployment does: `vanban migrate`, a web server (`vanban runserver --noreload`)
and a worker (`vanban interop work`). It is driven only from outside: its commands, its HTTP
endpoints and `call()`, which runs a function in the instance's console, a Python process of
its own with the instance's environment, like `vanban shell` (for the steps that have no
command or endpoint: creating units, people and certificates through the services, reading
what the instance recorded).

Databases: when the test run's DATABASE_URL is PostgreSQL, each instance gets its own database
on that server (`test_vanban_interop_<xdist worker>_<name>`, dropped afterwards); otherwise a
SQLite file in the instance's data directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RESULT_MARK = "@@vanban-result@@"
CALL_LIMIT = 300  # seconds
# The console of an instance: a Python process with the instance's environment that reads one
# request a line ({"function": "module:name", "kwargs": {...}}), runs the function and writes
# the mark and {"result": ...} or {"error": traceback} on one line. What the function prints
# goes to standard error (the console's log).
CONSOLE = f"""
import json, sys, traceback
import django
django.setup()
from importlib import import_module
from django.db import connections
answers, sys.stdout = sys.stdout, sys.stderr
while line := sys.stdin.readline():
    request = json.loads(line)
    try:
        module, _, name = request["function"].partition(":")
        answer = {{"result": getattr(import_module(module), name)(**request["kwargs"])}}
    except BaseException:
        answer = {{"error": traceback.format_exc()}}
    finally:
        connections.close_all()
    answers.write("{RESULT_MARK}" + json.dumps(answer, default=str) + "\\n")
    answers.flush()
"""
# Requests between the test and the instances never go through a proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Runs the calls at the same time; their results in order (the first error is raised)."""
    if not calls:
        return []
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def _vanban() -> list[str]:
    script = Path(PYTHON).with_name("vanban")
    return [str(script)] if script.exists() else [PYTHON, "-m", "vanban"]


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])


# ---------------------------------------------------------------- databases


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path="/" + name).geturl()


def _pg_admin(url: str, *statements: str) -> None:
    import dj_database_url
    import psycopg

    # Parsed as the settings parse it: a Unix socket directory is written percent-encoded.
    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def database_url(name: str, directory: Path) -> str:
    """A new empty database for the instance `name`."""
    server = _postgres_url()
    if server is None:
        return f"sqlite:///{directory / 'vanban.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    database = f"test_vanban_interop_{worker}_{name}".lower()
    _pg_admin(
        server,
        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
        f'CREATE DATABASE "{database}"',
    )
    return _with_database(server, database)


def database_copy(source: str, target: str) -> None:
    """Makes the database `target` a copy of `source` (no connection open to either)."""
    server = _postgres_url()
    if server is None:
        import sqlite3

        src = sqlite3.connect(source.removeprefix("sqlite:///"))
        dst = sqlite3.connect(target.removeprefix("sqlite:///"))
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    old, new = (urllib.parse.urlsplit(u).path.lstrip("/") for u in (source, target))
    _pg_admin(
        server,
        f'DROP DATABASE IF EXISTS "{new}" WITH (FORCE)',
        f'CREATE DATABASE "{new}" TEMPLATE "{old}"',
    )


def database_drop(url: str) -> None:
    server = _postgres_url()
    if server is None or not url.startswith(("postgres", "pgsql")):
        return
    database = urllib.parse.urlsplit(url).path.lstrip("/")
    _pg_admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# ---------------------------------------------------------------- HTTP


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    token: str = "",
    data: bytes | None = None,
    content_type: str = "",
    timeout: float = 120,
) -> Answer:
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http only)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read())


def multipart(
    fields: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A multipart/form-data body; list values repeat the field."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += f"{item}\r\n".encode()
    for name, (filename, content, kind) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------- instances


@dataclass
class Instance:
    name: str
    directory: Path
    pki_directory: Path
    port: int = field(default_factory=free_port)
    database: str = ""
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    _console: subprocess.Popen[bytes] | None = None
    _console_lock: threading.Lock = field(default_factory=threading.Lock)
    _answers: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        (self.directory / "static").mkdir(parents=True, exist_ok=True)
        self.database = self.database or database_url(self.name, self.directory)
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("VANBAN_", "DJANGO_", "PYTEST_", "DATABASE_URL"))
        }
        self.env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "vanban.settings",
            "DATABASE_URL": self.database,
            "VANBAN_DATA_DIR": str(self.directory),
            "VANBAN_SECRET_KEY": secrets.token_urlsafe(48),
            "VANBAN_ALLOWED_HOSTS": "127.0.0.1",
            "VANBAN_PLAIN_STATIC": "1",
            "VANBAN_TESTPKI_DIR": str(self.pki_directory),
            "VANBAN_SIGNATURE_REVOCATION": "hard-fail",
            # Malware scanning (R20) has its own tests with a real clamd (tests/scanning/).
            "VANBAN_CLAMD": "off",
            # A message the partner did not take is sent again after 0.5 s, 1 s, 2 s, 2 s...
            "VANBAN_INTEROP_BACKOFF_FIRST": "0.5",
            "VANBAN_INTEROP_BACKOFF_MAX": "2",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    # -- addresses

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def receive_url(self) -> str:
        return f"{self.base_url}/lien-thong/he-thong-khac/nhan/"

    @property
    def web_log(self) -> Path:
        return self.directory / "web.log"

    @property
    def worker_log(self) -> Path:
        return self.directory / "worker.log"

    @property
    def console_log(self) -> Path:
        return self.directory / "console.log"

    def logs(self) -> str:
        return (
            f"--- {self.name}: web.log\n{_tail(self.web_log)}\n"
            f"--- {self.name}: worker.log\n{_tail(self.worker_log)}\n"
            f"--- {self.name}: console.log\n{_tail(self.console_log)}"
        )

    # -- commands and scripts

    def command(self, *args: str, timeout: float = 300) -> str:
        """`vanban <args>` with the instance's environment; its standard output."""
        done = subprocess.run(  # noqa: S603
            [*_vanban(), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{self.name}: vanban {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout.decode(errors='replace')}\n{done.stderr.decode(errors='replace')}"
            )
        return done.stdout.decode()

    def call(self, function: str, /, **kwargs: Any) -> Any:
        """Runs `function` ("module:name") with `kwargs` in the instance's console and returns
        its JSON result (within CALL_LIMIT seconds)."""
        with self._console_lock:
            if self._console is None or self._console.poll() is not None:
                self.console_start()
            assert self._console is not None and self._console.stdin is not None
            request = json.dumps({"function": function, "kwargs": kwargs}) + "\n"
            self._console.stdin.write(request.encode())
            self._console.stdin.flush()
            try:
                line = self._answers.get(timeout=CALL_LIMIT)
            except queue.Empty:
                raise AssertionError(
                    f"{self.name}: {function} did not answer in {CALL_LIMIT} s\n{self.logs()}"
                ) from None
        if line is None:
            raise AssertionError(f"{self.name}: the console stopped\n{self.logs()}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"{self.name}: {function} failed:\n{answer['error']}")
        return answer["result"]

    def console_start(self) -> None:
        """Starts the console (Python and Django take a few seconds to load: it may start
        while the database is being made)."""
        with self.console_log.open("ab") as log:
            self._console = subprocess.Popen(  # noqa: S603
                [PYTHON, "-c", CONSOLE],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        answers: queue.Queue[str | None] = queue.Queue()
        self._answers = answers
        stdout = self._console.stdout
        assert stdout is not None

        def read() -> None:
            for raw in stdout:
                text = raw.decode("utf-8", "replace")
                if text.startswith(RESULT_MARK):
                    answers.put(text[len(RESULT_MARK) :])
            answers.put(None)

        threading.Thread(target=read, daemon=True).start()

    def _console_stop(self) -> None:
        console, self._console = self._console, None
        if console is None:
            return
        assert console.stdin is not None
        console.stdin.close()
        try:
            console.wait(timeout=15)
        except subprocess.TimeoutExpired:
            console.kill()
            console.wait(timeout=15)

    def migrate(self, *, like: Instance | None = None) -> None:
        """`vanban migrate`; with `like`, a copy of that instance's freshly migrated database
        instead (the same migrations, run once)."""
        if like is None:
            self.command("migrate", "--no-input", "-v", "0")
        else:
            database_copy(like.database, self.database)

    # -- processes

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(  # noqa: S603
                [*_vanban(), *args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )

    def start(self, *, timeout: float = 60) -> None:
        """Starts the web server and the worker; returns once the web server answers."""
        assert self.web is None and self.worker is None, f"{self.name} is running"
        self.web = self._spawn(
            ["runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"], self.web_log
        )
        self.worker = self._spawn(["interop", "work", "--interval", "0.5"], self.worker_log)
        deadline = time.monotonic() + timeout
        while True:
            if self.web.poll() is not None:
                raise AssertionError(f"{self.name}: the web server stopped\n{self.logs()}")
            try:
                # GET is not allowed there (405): any HTTP answer means the server is up.
                http("GET", self.receive_url, timeout=2)
                return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"{self.name}: no answer on {self.base_url}\n{self.logs()}"
                    ) from None
                time.sleep(0.2)

    def _signal(self, sig: int) -> list[subprocess.Popen[bytes]]:
        stopped = []
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
            if process is not None:
                stopped.append(process)
        return stopped

    def kill(self) -> None:
        """kill -9 of the web server and the worker, as a crash of the machine would."""
        for process in self._signal(signal.SIGKILL):
            process.wait(timeout=30)
        self.web = self.worker = None

    def stop(self) -> None:
        for process in self._signal(signal.SIGTERM):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
        self.web = self.worker = None

    def close(self) -> None:
        self.stop()
        self._console_stop()
        database_drop(self.database)
