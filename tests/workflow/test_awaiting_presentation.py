"""The marker of the documents waiting to be presented (`Document.awaiting_presentation`, R18):
set by registering an incoming document, cleared by the processing's first step, and what the
clerk's list, its count and the data step of workflow migration 0005 read."""

import importlib

import pytest
from django.apps import apps

from tests.support.workflow import Work, direct, present, register
from vanban.core import clock
from vanban.documents.models import Direction, Document
from vanban.workflow import selectors
from vanban.workflow.services.withdrawals import PROCESSING_WITHDRAWAL

pytestmark = pytest.mark.django_db


def waiting(work: Work) -> set[int]:
    return {row.document.pk for row in selectors.my_work(user=work.clerk).to_present}


def test_registering_marks_and_presenting_clears(work):
    first = register(work, code_number="1")
    second = register(work, code_number="2")
    assert Document.objects.get(pk=first.pk).awaiting_presentation
    assert waiting(work) == {first.pk, second.pk}
    assert selectors.work_counts(user=work.clerk).to_present == 2
    present(work, first)
    assert not Document.objects.get(pk=first.pk).awaiting_presentation
    assert waiting(work) == {second.pk}
    assert selectors.work_counts(user=work.clerk).to_present == 1
    # Directing keeps it off the list; presenting again is refused after a direction.
    direct(work, first)
    assert not Document.objects.get(pk=first.pk).awaiting_presentation


def test_taken_back_before_presenting_no_longer_waits(work):
    document = register(work, code_number="3")
    PROCESSING_WITHDRAWAL.withdraw(document, actor=work.clerk, reason="Nhầm", at=clock.now())
    assert not Document.objects.get(pk=document.pk).awaiting_presentation
    assert waiting(work) == set()
    assert selectors.work_counts(user=work.clerk).to_present == 0


def test_the_data_step_marks_exactly_the_documents_never_presented(work):
    kept = register(work, code_number="4")
    presented = register(work, code_number="5")
    present(work, presented)
    # As before the marker existed: every document unmarked.
    Document.objects.update(awaiting_presentation=False)
    migration = importlib.import_module(
        "vanban.workflow.migrations.0005_documents_awaiting_presentation"
    )
    migration.mark(apps, None)
    marked = set(Document.objects.filter(awaiting_presentation=True).values_list("pk", flat=True))
    assert marked == {kept.pk}
    assert not Document.objects.filter(
        awaiting_presentation=True, direction=Direction.OUTGOING
    ).exists()


def test_the_counts_sql_built_once_gives_each_person_their_own_counts(work):
    """The counts' SQL is built once per shape of the roles, with stand-in values: run for each
    person it gives what the ORM query built for that person gives."""
    from tests.workflow.test_queries import grow
    from vanban.workflow.selectors.my_work import _counts_query, _counts_row

    grow(work, 1, 3)
    at = clock.now()
    people = [work.clerk, work.director, work.deputy, work.plan_head, work.plan_staff, work.reader]
    nonzero = 0
    for person in people:
        built = _counts_query(person, at).get()
        shared = _counts_row(person, at)
        assert {k: v or 0 for k, v in shared.items()} == {k: v or 0 for k, v in built.items()}
        nonzero += any(shared.values())
    assert nonzero >= 4
