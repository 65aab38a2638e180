"""Exchange throughput between two deployments: how fast signed documents issued on A reach B
and B's receipt (status 01) comes back.

Run by `benchmarks/suite.py` (or alone: `.venv/bin/pytest benchmarks/exchange_pair.py -s`), it
reuses the two deployments of tests/interop/test_two_deployments.py: A and B each a web server
(`vanban runserver`) and an interop worker (`vanban interop work`) with their own database
(PostgreSQL when DATABASE_URL names one), partners of each other. `VANBAN_BENCH_EXCHANGE`
documents (30) are drafted, approved and signed on A first; then A's clerk issues them one after
another through A's API (each issue signs the PDF with the Sở's organisation certificate, builds
the edXML package and queues it) while A's worker delivers them and B verifies, stores and
acknowledges each. The last line printed is `EXCHANGE {json}` with the times.
"""

import json
import os
import time

from tests.interop.test_two_deployments import (  # noqa: F401 - `pair` is the fixture
    HERE,
    WAIT,
    issue,
    issue_signed,
    pair,
    wait_status,
)


def test_exchange_throughput(pair):  # noqa: F811 - the fixture imported above
    count = int(os.environ.get("VANBAN_BENCH_EXCHANGE", "30"))
    drafts = [
        issue(pair, f"Kế hoạch số {n} về chuyển đổi số gửi Sở Nội vụ tỉnh B", steps="signed")
        for n in range(1, count + 1)
    ]
    start = time.perf_counter()
    issued = [issue_signed(pair, draft["draft"]) for draft in drafts]
    issued_at = time.perf_counter()
    ids = [row["edxml_id"] for row in issued]
    assert len(set(ids)) == count
    packages = pair.a.call(
        f"{HERE}:outbox", edxml_ids=ids, kind="package", state="sent", timeout=WAIT
    )
    assert len(packages) == count, packages
    delivered_at = time.perf_counter()
    wait_status(pair, ids, "01")
    acknowledged_at = time.perf_counter()
    arrived = pair.b.call(f"{HERE}:inbound", edxml_ids=ids)["rows"]
    assert sorted(r["edxml_id"] for r in arrived) == sorted(ids)
    result = {
        "documents": count,
        "issue_s": round(issued_at - start, 2),
        "delivered_s": round(delivered_at - start, 2),
        "acknowledged_s": round(acknowledged_at - start, 2),
        "issued_per_s": round(count / (issued_at - start), 2),
        "delivered_per_s": round(count / (delivered_at - start), 2),
        "acknowledged_per_s": round(count / (acknowledged_at - start), 2),
    }
    print("EXCHANGE " + json.dumps(result))
