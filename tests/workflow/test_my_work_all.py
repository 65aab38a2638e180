"""'Việc của tôi' also lists the drafts waiting for the person (what to do, with a link) and, for
clerks, the documents waiting in their units' reception queues; in a fixed number of queries."""

import datetime as dt
import re

import pytest

from tests.support.drafting import (
    Team,
    create_draft,
    issue,
    to_approved,
    to_approving,
    to_reviewing,
    to_signed,
)
from tests.support.province import make_user
from tests.support.workflow import NOW, TODAY, Work
from vanban.accounts.models import Role
from vanban.documents.models import Urgency
from vanban.drafting import services as drafting_services
from vanban.workflow import services

pytestmark = pytest.mark.django_db

URL = "/xu-ly/viec-cua-toi/"


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def team_of(work: Work) -> Team:
    """The people of a draft's path, taken from the workflow's Sở."""
    return Team(
        province=work.province,
        drafter=work.reader,
        head=make_user(work.so, "Lâm Quốc Hùng", (Role.LEADER,)),
        checker=work.plan_staff2,
        signer=work.director,
        clerk=work.clerk,
        colleague=work.plan_staff,
        outsider=work.outsider,
        clerk_snv=work.other_clerk,
        staff_snv=work.other_staff,
    )


def page(client_for, user) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_each_person_sees_what_to_do_on_drafts(work, client_for):
    team = team_of(work)
    commented = create_draft(team, subject="Dự thảo xin ý kiến góp ý")
    drafting_services.draft_comments_request(
        actor=team.drafter,
        draft=commented,
        people=[team.colleague],
        deadline=TODAY + dt.timedelta(days=2),
    )
    reviewing = to_reviewing(team, create_draft(team, subject="Dự thảo chờ kiểm tra"))
    approving = to_approving(team, create_draft(team, subject="Dự thảo chờ phê duyệt"))
    approved = to_approved(team, create_draft(team, subject="Dự thảo chờ ký số"))
    signed = to_signed(team, to_approved(team, create_draft(team, subject="Dự thảo chờ ban hành")))

    rows = section(page(client_for, team.colleague), "drafts-waiting")
    assert "Góp ý" in rows and f"/du-thao/{commented.pk}/" in rows
    assert "Dự thảo xin ý kiến góp ý" in rows and "27/11/2026" in rows
    rows = section(page(client_for, team.head), "drafts-waiting")
    assert "Kiểm tra nội dung" in rows and f"/du-thao/{reviewing.pk}/" in rows
    assert "Kiểm tra thể thức" not in rows
    rows = section(page(client_for, team.checker), "drafts-waiting")
    assert "Kiểm tra thể thức" in rows and f"/du-thao/{reviewing.pk}/" in rows
    rows = section(page(client_for, team.signer), "drafts-waiting")
    assert "Phê duyệt" in rows and f"/du-thao/{approving.pk}/" in rows
    assert "thay mặt" not in rows
    # Approved, not signed yet: it waits for the approver's signature, not for the clerk.
    assert "Ký số" in rows and f"/du-thao/{approved.pk}/" in rows
    assert f"/du-thao/{signed.pk}/" not in rows
    rows = section(page(client_for, team.clerk), "drafts-waiting")
    assert "Ban hành" in rows and f"/du-thao/{signed.pk}/" in rows
    assert f"/du-thao/{approved.pk}/" not in rows
    # Nothing for a person no draft waits for.
    assert 'id="drafts-waiting"' not in page(client_for, work.tech_staff)


def test_drafts_are_sorted_by_urgency_then_deadline(work, client_for):
    team = team_of(work)
    late = to_approving(
        team, create_draft(team, subject="Thường hạn xa", due_date=TODAY + dt.timedelta(days=9))
    )
    soon = to_approving(
        team, create_draft(team, subject="Thường hạn gần", due_date=TODAY + dt.timedelta(days=1))
    )
    undated = to_approving(team, create_draft(team, subject="Thường không hạn"))
    urgent = to_approving(
        team,
        create_draft(
            team,
            subject="Hỏa tốc",
            urgency=Urgency.FLASH,
            due_date=TODAY + dt.timedelta(days=30),
        ),
    )
    rows = section(page(client_for, team.signer), "drafts-waiting")
    found = [rows.index(f"/du-thao/{d.pk}/") for d in (urgent, soon, late, undated)]
    assert found == sorted(found)


def test_clerk_sees_the_reception_queue_of_their_unit(work, client_for):
    team = team_of(work)
    for number in range(2):
        draft = to_approved(team, create_draft(team, subject=f"Gửi Sở Nội vụ {number}"))
        issue(team, to_signed(team, draft))
    queue = section(page(client_for, team.clerk_snv), "reception-queue")
    assert "Văn bản chờ tiếp nhận liên thông (2)" in queue
    assert work.province.snv.name in queue and "<strong>2</strong>" in queue
    assert 'href="/lien-thong/hang-cho/"' in queue
    # Not for the sending clerk, nor for staff of the receiving unit.
    assert 'id="reception-queue"' not in page(client_for, team.clerk)
    assert 'id="reception-queue"' not in page(client_for, team.staff_snv)


def test_deputy_sees_drafts_to_approve_for_the_leader(work, client_for):
    team = team_of(work)
    draft = to_approving(team, create_draft(team))
    services.delegation_create(
        actor=work.director,
        unit=work.so,
        deputy=work.deputy,
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(days=3),
    )
    rows = section(page(client_for, work.deputy), "drafts-waiting")
    assert f"/du-thao/{draft.pk}/" in rows
    assert f"thay mặt {work.director.full_name}" in rows


# Every page: session, user, roles, the menu's counts in one row (no delegation in force here);
# then only the kinds of list with something in them (see test_queries.MY_WORK): the drafts of
# every step in one query (signer, colleague), the reception queue counts (clerk_snv).
QUERIES = {"signer": 5, "clerk_snv": 5, "colleague": 5}


def grow(team: Team, first: int, last: int) -> None:
    for number in range(first, last):
        asked = create_draft(team, subject=f"Góp ý {number}", urgency=number % 3)
        drafting_services.draft_comments_request(
            actor=team.drafter,
            draft=asked,
            people=[team.colleague],
            deadline=TODAY + dt.timedelta(days=number),
        )
        to_approving(team, create_draft(team, subject=f"Chờ duyệt {number}"))
        sent = to_approved(team, create_draft(team, subject=f"Đã gửi {number}"))
        issue(team, to_signed(team, sent))


def test_new_sections_keep_a_fixed_number_of_queries(work, client_for, django_assert_num_queries):
    """Each person's page, on the same growing data: the count does not follow the rows."""
    team = team_of(work)
    clients = {who: client_for(getattr(team, who)) for who in sorted(QUERIES)}
    grow(team, 1, 2)
    small = {}
    for who, client in clients.items():
        with django_assert_num_queries(QUERIES[who]):
            small[who] = client.get(URL)
    grow(team, 2, 6)
    for who, client in clients.items():
        with django_assert_num_queries(QUERIES[who]):
            big = client.get(URL)
        assert small[who].status_code == big.status_code == 200, who
        assert big.content.count(b"/du-thao/") + big.content.count(b"<strong>5</strong>") > (
            small[who].content.count(b"/du-thao/") + small[who].content.count(b"<strong>5</strong>")
        ), who
