"""Statuses say only what happened (R18): "Đã xem" only once the person given the document for
information opened it or marked it read, and a part the system ended when the document was
completed is "Đã kết thúc", never counted as completed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.workflow import NOW, assignment, directed
from tests.workflow.test_pages import section
from vanban.core import clock
from vanban.workflow.models import Processing

pytestmark = pytest.mark.django_db


def complete_lead(work, client_for, document):  # type: ignore[no-untyped-def]
    lead = assignment(document, role="lead", parent=None)
    response = client_for(work.plan_staff).post(
        f"/xu-ly/viec/{lead.pk}/hoan-thanh/", {"result": "Đã trình UBND tỉnh báo cáo."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Processing.objects.get(document=document).status == "done"


def row(client, document, part) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    return section(page, f"assignment-{part.pk}")


def test_not_read_until_the_person_opens_it_even_when_the_document_is_completed(work, client_for):
    document = directed(work)
    info = assignment(document, role="info")
    director = client_for(work.director)
    assert row(director, document, info).endswith("Chưa xem 0 Phạm Minh Đức")
    # The lead completes the document a minute later: the part ends, nobody has read it.
    with clock.frozen(NOW + dt.timedelta(minutes=1)):
        complete_lead(work, client_for, document)
        assert "Đã kết thúc (chưa xem)" in row(director, document, info)
    info.refresh_from_db()
    assert (info.status, info.read_at) == ("closed", None)
    # She logs in the next minute and opens it: read then, and only then.
    opened = NOW + dt.timedelta(minutes=2)
    with clock.frozen(opened):
        reader = client_for(work.reader)
        assert "Đã xem" in row(reader, document, info)
    with clock.frozen(opened + dt.timedelta(hours=3)):
        text = row(director, document, info)
        row(reader, document, info)  # a second opening keeps the first time
    assert "Đã xem (09:32 25/11/2026)" in text, text
    info.refresh_from_db()
    assert info.read_at == opened


def test_only_her_own_opening_marks_it_read(work, client_for):
    document = directed(work)
    info = assignment(document, role="info")
    for person in (work.director, work.clerk, work.plan_staff):
        assert "Chưa xem" in row(client_for(person), document, info)
    info.refresh_from_db()
    assert info.read_at is None


def test_marking_read_keeps_the_first_opening(work, client_for):
    document = directed(work)
    info = assignment(document, role="info")
    reader = client_for(work.reader)
    reader.get(f"/xu-ly/van-ban/{document.pk}/")
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        assert reader.post(f"/xu-ly/viec/{info.pk}/hoan-thanh/", {}).status_code == 302
    info.refresh_from_db()
    assert (info.status, info.read_at) == ("done", NOW)


def test_the_read_mark_is_written_once(work, client_for):
    document = directed(work)
    reader = client_for(work.reader)
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(f"/xu-ly/van-ban/{document.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] + 1 == counts[2] + 1
    assert sum(q["sql"].startswith("UPDATE") for q in queries.captured_queries) == 0


def test_a_co_part_the_system_ended_is_not_counted_as_completed(work, client_for):
    document = directed(work)
    co = assignment(document, role="co")
    director = client_for(work.director)
    complete_lead(work, client_for, document)
    co.refresh_from_db()
    assert co.status == "closed"
    assert "Đã kết thúc" in row(director, document, co)
    assert "Đã hoàn thành" not in row(director, document, co)
    board = director.get("/xu-ly/tong-hop/").content.decode()
    # Lead and co (people for information are not counted): one completed, one ended.
    assert (section(board, "total-done"), section(board, "total-closed")) == ("1", "1")
    assert section(board, "total-all") == "2"
    assert '<rect class="bar-closed"' in board


def test_opening_the_document_page_reads_it_too(work, client_for):
    """The document's own page is where a notice leads as often as the processing page: her
    opening it reads her part; anybody else's opening does not."""
    document = directed(work)
    info = assignment(document, role="info")
    for person in (work.director, work.plan_staff):
        assert client_for(person).get(f"/van-ban/{document.pk}/").status_code == 200
    info.refresh_from_db()
    assert info.read_at is None
    opened = NOW + dt.timedelta(minutes=5)
    with clock.frozen(opened):
        assert client_for(work.reader).get(f"/van-ban/{document.pk}/").status_code == 200
    with clock.frozen(opened + dt.timedelta(hours=1)):
        client_for(work.reader).get(f"/van-ban/{document.pk}/")
    info.refresh_from_db()
    assert info.read_at == opened
    assert "Đã xem (09:35 25/11/2026)" in row(client_for(work.director), document, info)
