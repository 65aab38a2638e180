"""Every work page costs the same number of SQL queries whatever the amount of work (no N+1)."""

import datetime as dt

import pytest

from tests.support.files import pdf_upload
from tests.support.workflow import NOW, TODAY, Work, assignment, directed, present, register
from vanban.documents import services as document_services
from vanban.workflow import services

pytestmark = pytest.mark.django_db


def busy_document(work: Work, number: int):  # type: ignore[no-untyped-def]
    """A document with every kind of step: a unit part divided, progress with files, an
    extension decided and one pending, reminders, a part completed."""
    document = directed(
        work,
        code_number=str(number),
        urgency=number % 3,
        lead_user=None,
        lead_unit=work.plan,
        co_units=[work.tech],
        co_users=[work.deputy],
        deadline=TODAY + dt.timedelta(days=number % 5),
    )
    unit_part = assignment(document, role="lead")
    services.assignment_reassign(
        actor=work.plan_head,
        assignment=unit_part,
        lead_user=work.plan_staff,
        co_users=[work.plan_staff2],
    )
    child = assignment(document, parent=unit_part, role="lead")
    for step in range(2):
        services.assignment_progress(
            actor=work.plan_staff,
            assignment=child,
            text=f"Bước {step}",
            result_files=[pdf_upload(f"ket-qua-{step}.pdf")],
        )
    co = assignment(document, role="co", assignee_unit=work.tech)
    services.assignment_remind(actor=work.director, assignment=co, text="Khẩn trương.")
    request = services.extension_request(
        actor=work.tech_head,
        assignment=co,
        requested_deadline=TODAY + dt.timedelta(days=20),
        reason="Chờ ý kiến.",
    )
    services.extension_decide(actor=work.director, request=request, grant=False, reason="Không.")
    services.extension_request(
        actor=work.plan_head,
        assignment=unit_part,
        requested_deadline=TODAY + dt.timedelta(days=20),
        reason="Chờ số liệu.",
    )
    services.assignment_complete(
        actor=work.deputy, assignment=assignment(document, role="co", assignee_user=work.deputy)
    )
    return document


def grow(work: Work, first: int, last: int) -> None:
    for number in range(first, last):
        busy_document(work, number)
        waiting = register(work, code_number=str(100 + number))  # waiting to be presented
        # given for reading ("Được chuyển để biết" in the reader's "Việc của tôi")
        document_services.document_share(actor=work.clerk, document=waiting, user=work.reader)


# Every page: session, user, the user's roles, the menu's counts with the unread notifications
# in one row.
# "Việc của tôi" reads those counts first and then only what they say is there: the delegations
# in force to the person (when there are any), and one query per kind of list with something in
# it: documents to present (their total is the menu's count) and the leaders offered by the bulk
# "Trình lãnh đạo" (clerk), documents to direct, work given (lead, co and for information
# together), extensions to decide (director), documents given for reading (reader), drafts of
# every step, the reception queue. At most 13 for a person with every kind of work and a
# delegation; here each person's kinds stay the same as the data grows.
MY_WORK = {"clerk": 6, "director": 5, "plan_head": 5, "plan_staff": 5, "reader": 6}
# The rows, with the visible documents as a subquery.
DEADLINES = 5
# Delegations, then document statuses, deadline totals, by unit, by person.
DASHBOARD = 9
# Document, delegations, processing, assignments, trail, files, extensions, the document's files
# (for the viewer).
PROCESSING = {"director": 12, "plan_staff": 12, "plan_head": 12, "clerk": 12}
# Register units (the check; the select's options, read once), count, rows, assignments.
FOLLOWUP = 11


@pytest.mark.parametrize("who", sorted(MY_WORK))
def test_my_work(work, client_for, django_assert_num_queries, who):
    grow(work, 1, 2)
    client = client_for(getattr(work, who))
    with django_assert_num_queries(MY_WORK[who]):
        small = client.get("/xu-ly/viec-cua-toi/")
    grow(work, 2, 8)
    with django_assert_num_queries(MY_WORK[who]):
        big = client.get("/xu-ly/viec-cua-toi/")
    assert small.status_code == big.status_code == 200
    assert len(big.content) > len(small.content)
    # Every row of a section one may act on from the list carries its checkbox, at no cost.
    ticks = b'name="documents"'
    if who in ("clerk", "reader"):
        assert big.content.count(ticks) > small.content.count(ticks) > 0


@pytest.mark.parametrize("theo", ["nguoi", "don-vi", "lanh-dao"])
def test_deadline_lists(work, client_for, django_assert_num_queries, theo):
    grow(work, 1, 2)
    client = client_for(work.director)
    with django_assert_num_queries(DEADLINES):
        small = client.get(f"/xu-ly/han-xu-ly/?theo={theo}")
    grow(work, 2, 8)
    with django_assert_num_queries(DEADLINES):
        big = client.get(f"/xu-ly/han-xu-ly/?theo={theo}")
    assert big.content.count(b'<tr class="row-') > small.content.count(b'<tr class="row-') > 0


def test_dashboard(work, client_for, django_assert_num_queries):
    grow(work, 1, 2)
    client = client_for(work.director)
    with django_assert_num_queries(DASHBOARD):
        small = client.get("/xu-ly/tong-hop/")
    grow(work, 2, 8)
    with django_assert_num_queries(DASHBOARD):
        big = client.get("/xu-ly/tong-hop/")
    assert small.status_code == big.status_code == 200
    assert big.content.count(b'class="bar-') > small.content.count(b'class="bar-')


@pytest.mark.parametrize("who", sorted(PROCESSING))
def test_processing_page(work, client_for, django_assert_num_queries, who):
    small = busy_document(work, 1)
    big = busy_document(work, 2)
    child = assignment(big, role="lead", parent__isnull=False)
    for number in range(3, 6):
        services.assignment_progress(
            actor=work.plan_staff,
            assignment=child,
            text=f"Thêm {number}",
            result_files=[pdf_upload(f"them-{number}.pdf")],
        )
        services.assignment_remind(actor=work.director, assignment=child, text=f"Lần {number}")
    client = client_for(getattr(work, who))
    with django_assert_num_queries(PROCESSING[who]):
        first = client.get(f"/xu-ly/van-ban/{small.pk}/")
    with django_assert_num_queries(PROCESSING[who]):
        second = client.get(f"/xu-ly/van-ban/{big.pk}/")
    assert first.status_code == second.status_code == 200
    assert first.content.count(b'<a href="/xu-ly/tep/') == 2  # the timeline
    assert second.content.count(b'<a href="/xu-ly/tep/') == 5
    # The viewer offers the document's own file and the same files, with no query per file.
    assert first.content.count(b'data-download="/xu-ly/tep/') == 2
    assert second.content.count(b'data-download="/xu-ly/tep/') == 5
    assert first.content.count(b'data-download="/van-ban/tep/') == 1


def test_follow_up_register(work, client_for, django_assert_num_queries):
    grow(work, 1, 2)
    client = client_for(work.clerk)
    url = f"/xu-ly/so-theo-doi/?unit={work.so.pk}&period=year&year=2026"
    with django_assert_num_queries(FOLLOWUP):
        small = client.get(url)
    grow(work, 2, 8)
    with django_assert_num_queries(FOLLOWUP):
        big = client.get(url)
    assert big.content.count(b"<tr") > small.content.count(b"<tr")


# A deputy acting for the director under a delegation: the delegations in force are read (one
# more query), and the director's lists come with the deputy's: documents to direct and the
# extension requests of the Sở.
DEPUTY = 7


def test_my_work_of_a_deputy(work, client_for, django_assert_num_queries):
    services.delegation_create(
        actor=work.director,
        unit=work.so,
        deputy=work.deputy,
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(days=3),
    )

    def more(first: int, last: int) -> None:
        grow(work, first, last)
        for number in range(first, last):
            present(work, register(work, code_number=str(300 + number)))

    more(1, 2)
    client = client_for(work.deputy)
    with django_assert_num_queries(DEPUTY):
        small = client.get("/xu-ly/viec-cua-toi/").content.decode()
    more(2, 6)
    with django_assert_num_queries(DEPUTY):
        big = client.get("/xu-ly/viec-cua-toi/").content.decode()
    assert 'id="acting-for"' in big
    assert 'id="to-direct"' in small and 'id="extensions-to-decide"' in small
    assert big.count(f"thay mặt {work.director.full_name}") > small.count(
        f"thay mặt {work.director.full_name}"
    )
