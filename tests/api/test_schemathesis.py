"""Every operation of the OpenAPI document, fuzzed by schemathesis against a live server.

The clerk and the leader of the demo province send generated requests, valid and invalid, to
every operation of `/api/v1/openapi.json`, over HTTP to a live server on the test database. No
answer may be a server error, and every answer must be one that the document declares: its status,
its content type, its headers and its body schema. This holds the API to its design rule "bad input
gets a clear Vietnamese error, never a 500" (DESIGN.md) for inputs nobody thought of, and keeps the
document honest about what the server accepts.

The run is the same every time (fixed seed, derandomized generation) and bounded: the coverage
phase (boundary and invalid values derived from each schema) runs once, with the clerk's token;
examples and random generation run for both callers, `MAX_EXAMPLES` per operation.

Checks left out, and why: `positive_data_acceptance` expects a 2xx for every schema-valid request,
but business rules refuse many of them on purpose (an unknown unit id, a note of blanks, a
document the caller may not process: 400); `negative_data_rejection`, `ignored_auth` and the
method checks are covered by the hand-written tests (test_bounds.py, test_matrix.py,
test_input.py).
"""

import threading
import time

import pytest
import schemathesis
from django.core.signals import request_started
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from tests.support.api import token_for
from vanban.accounts.demo import demo_province_load
from vanban.accounts.models import User
from vanban.api.api import api
from vanban.documents.demo import demo_documents_load

# Live server: the data must be committed to be seen by the server's thread.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

SEED = 2017
MAX_EXAMPLES = 4  # generated requests per operation and caller in the fuzzing phase
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
CLERK = "trangvtt.stttt"
LEADER = "ducpm.stttt"


def _schema(base_url: str, token: str, *, coverage: bool):  # type: ignore[no-untyped-def]
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "workers": 1,
            "request-timeout": 30,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                # Unexpected methods (405) are tried in test_input.py, not six times an operation.
                "coverage": {"enabled": coverage, "unexpected-methods": []},
                "stateful": {"enabled": False},
            },
        }
    )
    return schemathesis.openapi.from_dict(api.get_openapi_schema(), config=config)


def _failures(base_url: str, token: str, *, coverage: bool) -> tuple[list[str], set[str]]:
    """Run every phase for one caller; the failures, described, and the operations tested."""
    failures: list[str] = []
    operations: set[str] = set()
    for event in from_schema(_schema(base_url, token, coverage=coverage)).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.status != Status.SKIP:
                operations.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(
                            f"{event.recorder.label} [{check.name}] {failure.title}: "
                            f"{failure.message[:500]}\n{check.failure_info.code_sample[:800]}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: {event.info.title}: {event.info.message[:500]}")
        elif isinstance(event, events.FatalError):
            failures.append(f"schemathesis stopped: {event.exception!r}")
    return failures, operations


def test_no_operation_answers_a_server_error_or_outside_its_schema(document_types, live_server):
    demo_province_load()
    demo_documents_load()
    requests: list[str] = []
    lock = threading.Lock()

    def count(sender, environ, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            requests.append(environ["PATH_INFO"])

    request_started.connect(count)
    started = time.monotonic()
    try:
        failures, operations = _failures(
            live_server.url, token_for(User.objects.get(username=CLERK)), coverage=True
        )
        more, _ = _failures(
            live_server.url, token_for(User.objects.get(username=LEADER)), coverage=False
        )
        failures += more
    finally:
        request_started.disconnect(count)
    declared = {
        f"{method.upper()} {path}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    summary = (
        f"schemathesis: {len(requests)} requests to {len(operations)} operations "
        f"in {time.monotonic() - started:.0f} s, {len(failures)} failures"
    )
    print(summary)
    assert operations == declared, summary
    assert len(requests) > 20 * len(declared), summary
    assert not failures, summary + "\n\n" + "\n\n".join(failures)
