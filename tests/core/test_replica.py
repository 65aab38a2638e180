"""Reads of the list, search, register and report pages on a streaming replica (core/replica.py;
docs/deployment.md, "Read replica").

The tests marked `process` run against a real primary and a real standby made by
`pg_basebackup` (tests/support/replica.py): what a page read comes from the connection that ran
its queries. The others check what changes without a replica: nothing.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support import replica as pair_support
from tests.support import shared
from tests.support.documents import DECLARED, incoming_input, scan
from tests.support.province import make_user
from vanban.accounts.models import Role, User
from vanban.core import replica
from vanban.documents import services
from vanban.documents.models import Document, SavedSearch

INCOMING = "/van-ban/den/"
SEARCH = "/van-ban/tim-kiem/"
SAVE_SEARCH = "/van-ban/tim-kiem/luu/"
CLERK = "Võ Thị Thu Trang"


def _documents_read(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and '"documents_document"' in query["sql"]
    ]


# ---------------------------------------------------------------- without a replica

_SHOW_DATABASES = (
    "import json; from vanban import settings; "
    "print(json.dumps([settings.DATABASES, settings.DATABASE_ROUTERS], default=str))"
)


def _databases(**environment: str) -> tuple[dict, list[str]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VANBAN_REPLICA", "VANBAN_DB_", "DATABASE_URL"))
    }
    env.update(VANBAN_SECRET_KEY="s" * 50, **environment)
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _SHOW_DATABASES],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    databases, routers = json.loads(result.stdout.strip().splitlines()[-1])
    return databases, routers


def test_settings_without_the_variable_have_one_database():
    databases, routers = _databases(DATABASE_URL="postgres://vanban@db:5432/vanban")
    assert list(databases) == ["default"]
    assert routers == ["vanban.core.replica.ReplicaRouter"]
    assert not databases["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    assert "prepare_threshold" not in databases["default"].get("OPTIONS", {})


def test_settings_with_a_replica_and_transaction_pooling():
    databases, _ = _databases(
        DATABASE_URL="postgres://vanban@db:5432/vanban",
        VANBAN_REPLICA_DATABASE_URL="postgres://vanban@db-standby:6432/vanban",
        VANBAN_DB_TRANSACTION_POOLING="1",
    )
    replica_settings = databases["replica"]
    assert (replica_settings["HOST"], replica_settings["PORT"]) == ("db-standby", 6432)
    assert replica_settings["OPTIONS"]["connect_timeout"] == 3
    assert replica_settings["TEST"] == {"MIRROR": "default"}
    for alias in ("default", "replica"):
        assert databases[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert databases[alias]["OPTIONS"]["prepare_threshold"] is None


def test_without_a_replica_everything_reads_and_writes_the_one_database(client, province):
    assert not replica.configured()
    with replica.reads_from_replica():
        assert router.db_for_read(Document) == "default"
    assert router.db_for_write(Document) == "default"
    assert router.allow_migrate("default", "documents")
    assert not router.allow_migrate("replica", "documents")


def test_without_a_replica_a_write_sets_no_cookie(client, province):
    client.force_login(province.staff_stttt)
    response = client.post(SAVE_SEARCH, {"name": "Quyết định", "query_string": "q=quyết+định"})
    assert response.status_code == 302
    assert SavedSearch.objects.filter(name="Quyết định").exists()
    assert replica.COOKIE not in response.cookies
    assert client.get(INCOMING).status_code == 200


# ---------------------------------------------------------------- a real standby


@pytest.fixture(scope="module")
def pair():
    with pair_support.primary_and_standby() as started:
        yield started


@pytest.fixture
def on_pair(pair, django_db_blocker, settings):
    """The test's connections on the pair. The run's own test database is not touched, so the
    test needs none of Django's test cases (which refuse an alias they did not start with)."""
    settings.VANBAN_REPLICA_READ_YOUR_WRITES = 10
    with django_db_blocker.unblock(), pair_support.pointed_at(pair):
        yield pair


@pytest.fixture
def clerk(on_pair) -> User:
    province = shared.province()
    found = User.objects.filter(unit=province.stttt, full_name=CLERK).first()
    return found or make_user(province.stttt, CLERK, (Role.CLERK,))


def _register(clerk: User, subject: str) -> Document:
    return services.incoming_register(
        actor=clerk,
        unit=clerk.unit,
        data=incoming_input(subject=subject, code_number=str(Document.objects.count() + 100)),
        refusals=DECLARED,
        main_file=scan(),
    )


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.process
def test_a_list_reads_the_replica_once_the_standby_has_replayed(on_pair, clerk):
    subject = "Công văn về việc đọc danh sách từ bản sao"
    _register(clerk, subject)
    on_pair.wait_for_replay()
    client = _signed_in(clerk)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(INCOMING)
    assert response.status_code == 200
    assert subject in response.content.decode()
    assert _documents_read(on_replica), "the list was not read from the standby"
    assert not _documents_read(on_primary)
    # The account and the session were read from the primary, before the view.
    assert any('"django_session"' in query["sql"] for query in on_primary.captured_queries)
    assert not any('"django_session"' in query["sql"] for query in on_replica.captured_queries)


@pytest.mark.process
def test_after_their_own_write_a_person_reads_the_primary_for_the_window(on_pair, clerk, settings):
    settings.VANBAN_REPLICA_READ_YOUR_WRITES = 2
    client = _signed_in(clerk)
    name = "Văn bản đến tháng 11"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        # The write goes to the primary (the standby would refuse it) and succeeds.
        response = client.post(SAVE_SEARCH, {"name": name, "query_string": "q=th%C3%A1ng+11"})
        assert response.status_code == 302
        assert replica.COOKIE in response.cookies
        page = client.get(SEARCH)
    assert page.status_code == 200
    assert name in page.content.decode()
    assert on_replica.captured_queries == []
    assert SavedSearch.objects.using("default").filter(name=name).exists()

    # A browser that wrote nothing reads the standby at the same moment.
    on_pair.wait_for_replay()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _signed_in(clerk).get(SEARCH).status_code == 200
    assert on_replica.captured_queries

    # The window over, the person's pages read the standby again, their write replayed there.
    time.sleep(3.1)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        page = client.get(SEARCH)
    assert name in page.content.decode()
    assert any('"documents_savedsearch"' in q["sql"] for q in on_replica.captured_queries)


@pytest.mark.process
def test_a_forged_cookie_does_not_matter_and_pages_not_marked_read_the_primary(on_pair, clerk):
    on_pair.wait_for_replay()
    client = _signed_in(clerk)
    client.cookies[replica.COOKIE] = "1"  # not signed: ignored
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(INCOMING).status_code == 200
    assert on_replica.captured_queries
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/").status_code == 200  # the home page is not marked
        assert client.get(SAVE_SEARCH).status_code == 405
    assert on_replica.captured_queries == []


@pytest.mark.process
def test_reads_inside_a_transaction_and_after_a_write_read_the_primary(on_pair, clerk):
    document = _register(clerk, "Quyết định đọc trong giao dịch")
    on_pair.wait_for_replay()
    with replica.reads_from_replica():
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert Document.objects.filter(pk=document.pk).exists()
        assert len(on_replica.captured_queries) == 1
        with CaptureQueriesContext(connections["replica"]) as on_replica, transaction.atomic():
            assert Document.objects.filter(pk=document.pk).exists()
        assert on_replica.captured_queries == []
    with replica.reads_from_replica():
        _register(clerk, "Quyết định ghi rồi đọc")
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert Document.objects.filter(subject="Quyết định ghi rồi đọc").exists()
        assert on_replica.captured_queries == []


@pytest.mark.process
def test_with_the_standby_down_pages_read_the_primary_and_say_so_in_the_log(on_pair, clerk, caplog):
    subject = "Công văn đọc khi bản sao ngừng"
    _register(clerk, subject)
    on_pair.wait_for_replay()
    client = _signed_in(clerk)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(INCOMING).status_code == 200  # the replica connection is open
    assert _documents_read(on_replica)
    on_pair.standby.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="vanban.core.replica"):
            for _ in range(2):  # the second does not try the replica again
                with CaptureQueriesContext(connections["default"]) as on_primary:
                    response = client.get(INCOMING)
                assert response.status_code == 200
                assert subject in response.content.decode()
                assert _documents_read(on_primary)
        warnings = [r for r in caplog.records if r.name == "vanban.core.replica"]
        assert len(warnings) == 1
        assert "Read replica unavailable" in warnings[0].getMessage()
    finally:
        on_pair.standby.start()
        replica.forget_failures()
    # Back up: the standby is read again.
    on_pair.wait_for_replay()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(INCOMING).status_code == 200
    assert _documents_read(on_replica)


@pytest.mark.process
def test_a_replica_lost_in_the_middle_of_a_page_costs_a_second_run_on_the_primary(
    on_pair, clerk, caplog
):
    subject = "Công văn đọc khi bản sao mất kết nối giữa chừng"
    _register(clerk, subject)
    on_pair.wait_for_replay()
    client = _signed_in(clerk)
    killed = []

    def terminate_first_query(execute, sql, params, many, context):
        # The standby ends the page's connection, as it does when it restarts or cancels a
        # query that conflicts with recovery; the query then fails on the real server.
        if not killed:
            pid = context["connection"].connection.info.backend_pid
            with on_pair.standby.connect() as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pid)
        return execute(sql, params, many, context)

    with (
        caplog.at_level(logging.WARNING, logger="vanban.core.replica"),
        connections["replica"].execute_wrapper(terminate_first_query),
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(INCOMING)
    assert killed
    assert response.status_code == 200
    assert subject in response.content.decode()
    assert _documents_read(on_primary)
    assert "Read replica failed during /van-ban/den/" in caplog.text
