"""`make bench` keeps working: the suite runs whole on a tiny province and writes its tables.

Only that it runs and what it reports on are checked, never a time.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.process


def test_the_suite_runs_on_a_small_province_and_writes_its_tables(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "VANBAN_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "vanban.settings",
    }
    env.pop("VANBAN_DEBUG", None)
    result = subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(ROOT / "benchmarks" / "suite.py"),
            "--size",
            "300",
            "--repeat",
            "2",
            "--http-seconds",
            "2",
            "--http-connections",
            "4",
            # Two deployments take a minute to start; their exchange has its own tests
            # (tests/interop/test_two_deployments.py), whose steps benchmarks/exchange_pair.py
            # reuses.
            "--exchange",
            "0",
            "--results",
            str(tmp_path / "results"),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = (tmp_path / "results" / "300-sqlite-partial.md").read_text()
    data = json.loads((tmp_path / "results" / "300-sqlite-partial.json").read_text())
    scenarios = [row["scenario"] for row in data["rows"]]
    for expected in (
        "my work",
        "document detail",
        "register incoming, 1.0 MB PDF (service, one clerk)",
        "sign 1.0 MB (PKCS#12, PAdES)",
        "personal signature 1.0 MB (PKCS#12 unlocked with the PIN, PAdES)",
        "batch of 20 personal signatures 1.0 MB (one PIN, PKCS#12)",
        "remote signature 1.0 MB (CSC v2 stand-in: prepare, authorize, signHash, complete)",
        "remote batch of 20 signatures 1.0 MB (one PIN, one SAD, CSC v2)",
        "parse edXML package (1.4 MB)",
    ):
        assert expected in scenarios, expected
    assert any(s.startswith("incoming register, Q") for s in scenarios)
    assert any(s.startswith("search count") for s in scenarios)
    for prefix in ("search moderate", "search phrase", "search citing"):
        assert any(s.startswith(prefix) for s in scenarios), prefix
    assert any(s.endswith(", newest first") for s in scenarios)
    people = {row["user"].split(" (", 1)[0] for row in data["rows"]}
    assert {"leader", "staff", "small-unit leader", "clerk"} <= people
    # Every hit of every search row is right and none is missing, for the person and over the
    # whole province (benchmarks/suite_truth.py).
    searches = [row for row in data["rows"] if row.get("query")]
    assert searches
    for row in searches:
        for scope in ("accuracy", "accuracy_province"):
            assert (row[scope]["precision"], row[scope]["recall"]) == (1.0, 1.0), row
    assert any(row["accuracy_province"]["truth"] > 0 for row in searches)
    assert "| precision / recall |" in table
    pages = [row for row in data["rows"] if row["bare_django"]]
    assert pages and all(row["queries"] and row["ratio_ours_to_bare_p50"] for row in pages)
    http = next(row for row in data["rows"] if row["scenario"].startswith("HTTP mixed workload"))
    if shutil.which("wrk"):
        assert http["requests"] > 0 and http["non_2xx"] == 0
    else:
        assert "not measured: wrk" in http["note"]
    assert "| ours / bare |" in table
