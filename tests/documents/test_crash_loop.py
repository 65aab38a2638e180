"""A registering server killed again and again (kill -9, as a power cut would) leaves a register
without gaps and no record without its file (R14, R16; docs/files.md "Checking files").

A separate deployment (its own database and storage) is loaded with the demo province; a process
registers incoming documents through the service as the Sở's clerk, in a loop, and is killed at a
random moment, ten times. Afterwards the series holds exactly 1..n, `vanban files check` finds no
missing or changed file, and the files stored by a transaction that died before committing are
only orphans: reported, never referred to.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.interop.deployment import PYTHON, ROOT, Instance

pytestmark = pytest.mark.process

KILLS = 10
CLERK = "trangvtt.stttt"

# Registers until killed; prints each number it got, so the test waits for a first success.
REGISTER_LOOP = f"""
import django
django.setup()
import sys
sys.path.insert(0, {str(ROOT)!r})
from benchmarks.suite import Registrar, one_page_pdf
from vanban.accounts.models import User
clerk = User.objects.get(username={CLERK!r})
unit = clerk.unit
register, pdf = Registrar(), one_page_pdf()
register.counter = int(sys.argv[1])
while True:
    document = register(clerk, unit, pdf)
    print(document.register_number, flush=True)
"""

SERIES = """
import django, json
django.setup()
from vanban.documents.models import Document, RegisterSeries
numbers = {}
for series, number in Document.objects.values_list("series_id", "register_number"):
    numbers.setdefault(series, []).append(number)
following = dict(RegisterSeries.objects.values_list("pk", "next_number"))
print(json.dumps({str(k): [sorted(v), following[k]] for k, v in numbers.items()}))
"""


def _python(instance: Instance, script: str, *args: str, **kwargs):  # type: ignore[no-untyped-def]
    return subprocess.Popen(  # noqa: S603
        [PYTHON, "-c", script, *args],
        cwd=ROOT,
        env=instance.env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,
    )


@pytest.fixture
def deployment(tmp_path):
    instance = Instance("crash", tmp_path / "crash", tmp_path / "pki")
    instance.migrate()
    instance.command("demo", "load")
    yield instance
    instance.close()


def test_kill_9_during_registration_leaves_no_gap_and_no_record_without_file(deployment):
    rng = random.Random(20261206)
    registered = 0
    for kill in range(KILLS):
        log = deployment.directory / f"register-{kill}.log"
        errors = deployment.directory / f"register-{kill}.err"
        with log.open("wb") as out, errors.open("wb") as err:
            process = _python(
                deployment, REGISTER_LOOP, str(1000 * (kill + 1)), stdout=out, stderr=err
            )
        # Wait for the first number (the process has started registering), then kill at a
        # random point of a later registration.
        deadline = time.monotonic() + 120
        while not log.read_text("utf-8", "replace").strip():
            assert process.poll() is None, errors.read_text("utf-8", "replace")
            assert time.monotonic() < deadline, "no registration within 120 s"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.05, 0.6))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        registered += sum(1 for line in log.read_text().splitlines() if line.strip().isdigit())

    series_numbers = json.loads(
        subprocess.run(  # noqa: S603
            [PYTHON, "-c", SERIES],
            cwd=ROOT,
            env=deployment.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    )
    assert registered >= KILLS
    assert any(len(numbers) >= registered for numbers, _ in series_numbers.values())
    for numbers, following in series_numbers.values():
        # Every number taken belongs to a registered document: 1..n, and the counter at n + 1.
        assert numbers == list(range(1, len(numbers) + 1)), numbers
        assert following == len(numbers) + 1, (following, len(numbers))

    check = subprocess.run(  # noqa: S603
        [Path(PYTHON).with_name("vanban"), "files", "check", "--json"],
        cwd=ROOT,
        env=deployment.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(check.stdout)
    assert report["missing"] == [], report
    assert report["changed"] == [], report
    assert report["records"] >= registered
    # A kill between storing the file and committing its row leaves an orphan; the check
    # reports it (exit status 1) and nothing refers to it.
    assert check.returncode == (1 if report["orphans"] else 0), check.stderr
