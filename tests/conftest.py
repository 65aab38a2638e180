"""The fixtures every test directory shares, each a thin wrapper over tests/support."""

import pytest
from django.test import Client

from tests.second_factor import finish_login
from tests.support import clamd as test_clamd
from tests.support import drafting, fast_flush, ordering, shared
from tests.support.api import ApiClient
from tests.support.browser import CHROMIUM
from tests.support.browser import SKIP_MESSAGE as NO_BROWSER
from tests.support.documents import Office, build_office
from tests.support.drafting import Team, make_team
from tests.support.province import PASSWORD, Province, add_document_types
from vanban.accounts.models import User

# Transactional tests empty the database after themselves: by DELETE, not TRUNCATE, on PostgreSQL.
fast_flush.install()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the province built once and committed: the tests that are rolled
    back find it there; the transactional ones start from an empty database (see below)."""
    with django_db_blocker.unblock():
        shared.seed()


@pytest.fixture(autouse=True)
def _transactional_tests_start_empty(request, django_db_blocker):
    """A transactional test commits what it writes and leaves every table empty; the first one
    of a test process empties the shared province away first, so that each starts alike."""
    if ordering.django_group(request.node) == 1:
        with django_db_blocker.unblock():
            shared.empty()


@pytest.fixture
def empty_database(db) -> None:
    """For the tests of what happens in a database without units (the demo, the first run): the
    shared province is emptied away inside the test's transaction, and comes back after it."""
    shared.empty_in_test()


@pytest.fixture
def province(db) -> Province:
    """The session's province in a rolled-back test; a fresh one in a transactional test."""
    return shared.province()


@pytest.fixture
def office(province) -> Office:
    return build_office(province)


@pytest.fixture
def team(province) -> Team:
    return make_team(province)


@pytest.fixture
def own_storage(settings, tmp_path) -> None:
    """The test gets its own empty storage, so that it can count the files it stored."""
    drafting.own_storage(settings, tmp_path)


@pytest.fixture
def drafting_clock():
    """Everything happens on 25/11/2026, Vietnam time, as in the drafting tests."""
    with drafting.fixed_clock():
        yield


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


@pytest.fixture
def document_types(transactional_db):
    """The document types of data migration 0002, again: transactional tests flush every table."""
    add_document_types()


@pytest.fixture
def client_for(db):
    """A test client signed in as `user` through the real login page.

    Administrators answer the second step with a code from their authenticator, enrolling
    through the enrolment page at their first login, as the account policy requires (R6).
    """

    def make(user: User) -> Client:
        client = Client()
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD}
        )
        finish_login(client, response, user)
        return client

    return make


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory) -> str:
    """The socket of a clamd running for this test process."""
    # Unix socket paths are limited to about 100 bytes: a short directory of our own.
    with test_clamd.running_clamd(tmp_path_factory.mktemp("clamd")) as socket:
        yield socket


@pytest.fixture
def scanning(settings, clamd_socket) -> str:
    """Scanning switched on, as in production, against the test clamd."""
    settings.VANBAN_CLAMD_ENABLED = True
    settings.VANBAN_CLAMD_SOCKET = clamd_socket
    settings.VANBAN_CLAMD_TIMEOUT = 30.0
    return clamd_socket


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The long tests first, as far as the database allows (tests/support/ordering.py)."""
    ordering.longest_first(items)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly when the browser tests or the malware-scanning tests did not run."""
    if not CHROMIUM:
        terminalreporter.write_sep("!", NO_BROWSER, yellow=True)
    if test_clamd.CLAMD is None:
        terminalreporter.write_sep("!", test_clamd.SKIP_MESSAGE, yellow=True)
