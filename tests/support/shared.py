"""The province the whole test session shares.

Building the test province takes about a hundred queries through the product's own services;
nearly every test needs one and only reads it or adds to it. It is built once per test process,
when the test database is made, and committed; every rolled-back test finds it afresh (two
queries) and whatever the test adds is rolled back with it. Transactional tests commit their
writes and empty every table when they end (that is how Django isolates them), so the first of
them empties the database first, and each builds its own province as before.
"""

from django.core.management import call_command

from tests.support.province import (
    Province,
    add_document_types,
    build_province,
    find_province,
)

_emptied = False


def seed() -> None:
    if find_province() is None:
        build_province()


def empty() -> None:
    """Once per test process, before its first transactional test: an empty database, as the
    transactional tests leave each other (the data migrations' rows go too)."""
    global _emptied
    if not _emptied:
        call_command("flush", interactive=False, verbosity=0)
        _emptied = True


def province() -> Province:
    return find_province() or build_province()


def empty_in_test() -> None:
    """Every table emptied inside the running test's transaction (rolled back with it), the
    document types of the data migrations put back. The sequences go on from where they are:
    the rows the test makes get new keys, and the province's come back with theirs."""
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    add_document_types()
