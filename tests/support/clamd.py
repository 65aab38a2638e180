"""A real clamd for the scanning tests (R20), with the project's own small signature database.

The official ClamAV database is large and downloaded by `freshclam`; the tests need only two
signatures, kept in `vanban-test.ndb`: the EICAR test file and a marker string of our own. clamd
is started once per test process (session fixture) as the current user, in the foreground, with
its own configuration, database directory and Unix socket in a temporary directory, and stopped
at the end.

Without clamd (Debian: `apt-get install clamav-daemon clamav`) the tests are skipped and say so;
with VANBAN_REQUIRE_CLAMAV=1 (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from vanban.scanning import clamd

DATABASE = Path(__file__).parent.parent / "scanning" / "vanban-test.ndb"
CLAMD = shutil.which("clamd") or next(
    (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(p, os.X_OK)), None
)
MISSING = "clamd (ClamAV) chưa được cài: apt-get install clamav-daemon clamav"
SKIP_MESSAGE = f"Bỏ qua các bài kiểm tra quét mã độc vì {MISSING}."
START_SECONDS = 60

# The EICAR test file (eicar.org): harmless, detected by every scanner as a test virus.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# Our own signature (vanban-test.ndb) matches this string anywhere in a scanned file.
MARKER = b"VANBANTESTMALWAREMARKER2026"


def require_clamd() -> str:
    if CLAMD is None:
        if os.environ.get("VANBAN_REQUIRE_CLAMAV") == "1":
            pytest.fail(f"VANBAN_REQUIRE_CLAMAV=1 nhưng {MISSING}.", pytrace=False)
        pytest.skip(SKIP_MESSAGE)
    return CLAMD


@contextmanager
def running_clamd(directory: Path) -> Iterator[str]:
    """A clamd running with its files in `directory`; yields its socket."""
    binary = require_clamd()
    database = directory / "db"
    database.mkdir()
    shutil.copy(DATABASE, database / "vanban-test.ndb")
    (directory / "tmp").mkdir()
    socket_path = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\n"
        f"DatabaseDirectory {database}\n"
        f"TemporaryDirectory {directory / 'tmp'}\n"
        f"PidFile {directory / 'clamd.pid'}\n"
        f"LogFile {directory / 'clamd.log'}\n"
        "Foreground yes\n"
        "StreamMaxLength 50M\n"
    )
    if len(str(socket_path)) > 100:
        pytest.fail(f"Đường dẫn socket quá dài cho clamd: {socket_path}", pytrace=False)
    process = subprocess.Popen(  # noqa: S603 - the clamd found above, our own arguments
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not clamd.ping(str(socket_path), timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (directory / "clamd.log").read_text(errors="replace")[-2000:]
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"clamd không khởi động được:\n{error}\n{log}", pytrace=False)
            time.sleep(0.2)
        yield str(socket_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
