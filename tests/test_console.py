"""The console scripts show their users the project's messages only: a library's own warnings
(today cryptography's DSA deprecation, raised when pyHanko is imported) never reach the terminal,
even when the person turns every warning on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.process


@pytest.mark.parametrize("setting", ["default", "always", "error"])
@pytest.mark.parametrize(
    "command",
    [
        ["vanban-sign", "--help"],
        ["vanban-sign", "--server", "http://127.0.0.1:9", "--token", "x", "--code", "y"],
        ["vanban", "check"],
        ["vanban", "help", "testpki"],
    ],
    ids=["sign-help", "sign-refused", "check", "help"],
)
def test_commands_print_no_library_warning(command, setting, tmp_path):
    env = {
        **os.environ,
        "PYTHONWARNINGS": setting,
        "VANBAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(  # noqa: S603 (our own console scripts)
        [BIN / command[0], *command[1:]],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Warning" not in done.stderr, done.stderr
    assert "Warning" not in done.stdout, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    if command[-1] == "y":
        assert done.returncode == 1
        assert done.stderr.startswith("Không ký được:"), done.stderr
    else:
        assert done.returncode == 0, done.stderr
