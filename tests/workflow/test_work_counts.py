"""The home page of each role is its work (R18): how many documents wait to be presented, to be
directed, to be handled, for information, overdue, drafts to approve and sign, to issue, to
receive; each count leads to the list of exactly those items; the menu carries the counts of
"Việc của tôi", "Dự thảo" and "Tiếp nhận"; all of it in a fixed number of queries."""

import datetime as dt
import re

import pytest

from tests.documents.test_pages import table_rows
from tests.support.drafting import (
    Team,
    create_draft,
    issue,
    to_approved,
    to_approving,
    to_reviewing,
    to_signed,
)
from tests.support.workflow import NOW, TODAY, Work, directed, present, register
from tests.workflow.test_my_work_all import team_of
from vanban.core import clock
from vanban.documents.services import document_share
from vanban.workflow import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

LATER = NOW + dt.timedelta(days=3)  # the second directed document is overdue by then


def build(work: Work, *, extra: int = 0, team: Team | None = None) -> Team:
    """Two documents waiting to be presented (and `extra` more), one presented to the director,
    two directed to the planning staff (one due tomorrow, overdue at LATER; the IT department
    co-operating on the first) with the reader informed of both, one given to the deputy for
    reading; a draft in checking, one to approve, one to sign, one signed to issue and one
    issued to Sở Nội vụ."""
    team = team or team_of(work)
    base = 100 * (1 + extra)
    for number in range(2 + extra):
        register(work, code_number=str(base + number))
    present(work, register(work, code_number=str(base + 90)))
    first = directed(work, code_number=str(base + 91))
    directed(work, code_number=str(base + 92), deadline=TODAY + dt.timedelta(days=1), co_units=[])
    document_share(actor=work.clerk, document=first, user=work.deputy)
    to_reviewing(team, create_draft(team, subject="Đang kiểm tra"))
    to_approving(team, create_draft(team, subject="Chờ phê duyệt"))
    to_approved(team, create_draft(team, subject="Chờ ký số"))
    to_signed(team, to_approved(team, create_draft(team, subject="Chờ phát hành")))
    issue(team, to_signed(team, to_approved(team, create_draft(team, subject="Đã gửi"))))
    return team


def expected(work: Work, team: Team) -> dict[object, dict[str, int]]:
    return {
        work.clerk: {"cho-trinh": 2, "phat-hanh": 1, "tiep-nhan": 0},
        work.director: {"chi-dao": 1, "cho-ky": 2},
        work.plan_staff: {"xu-ly": 2, "qua-han": 1},
        work.tech_head: {"xu-ly": 1, "qua-han": 0},
        work.reader: {"de-biet": 2},
        work.deputy: {"de-biet": 1},
        team.head: {"du-thao": 1},
        team.checker: {"du-thao": 1},
        work.other_clerk: {"tiep-nhan": 1, "cho-trinh": 0},
    }


def card(html: str, kind: str) -> tuple[int, str]:
    """The count and the link of one kind on the home page."""
    match = re.search(
        rf'<li id="work-{kind}"[^>]*><a href="([^"]+)"><span class="stat">(\d+)</span>', html
    )
    assert match, f"no count {kind}"
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def listed(client, url: str) -> int:  # type: ignore[no-untyped-def]
    """How many items the list behind a count shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    if url.startswith("/lien-thong/"):
        return len([r for r in table_rows(html, "queue-table") if len(r) > 1])
    main = html[html.index('<main class="page"') :]
    return main.count("<tr") - main.count("<thead><tr>")


def test_each_role_sees_its_counts_and_each_leads_to_as_many_items(work, client_for):
    team = build(work)
    with clock.frozen(LATER):
        for user, kinds in expected(work, team).items():
            client = client_for(user)
            home = client.get("/").content.decode()
            assert (
                home.index('id="work-counts"') < home.index('id="unit-people"')
                if ('id="unit-people"' in home)
                else True
            )
            for kind, count in kinds.items():
                shown, url = card(home, kind)
                assert shown == count, (user.full_name, kind)
                assert listed(client, url) == count, (user.full_name, kind, url)


def test_the_counts_are_what_my_work_lists(work):
    team = build(work)
    with clock.frozen(LATER):
        for user in expected(work, team):
            counts = selectors.work_counts(user=user)
            work_page = selectors.my_work(user=user)
            assert counts.total == work_page.total, user.full_name
            assert counts.overdue == len(work_page.only("qua-han").assigned), user.full_name


def test_a_deputy_counts_the_work_of_the_leader_they_act_for(work):
    team = build(work)
    before = selectors.work_counts(user=work.deputy)
    assert (before.to_direct, before.to_sign) == (0, 0)
    services.delegation_create(
        actor=work.director,
        unit=work.so,
        deputy=work.deputy,
        starts_at=NOW - dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(days=3),
    )
    acting = selectors.work_counts(user=work.deputy)
    # The document presented to the director; the draft waiting for the director's approval
    # (the one to sign waits for the person who approved it, not for a deputy).
    assert (acting.to_direct, acting.to_sign) == (1, 1)
    assert acting.total == selectors.my_work(user=work.deputy).total
    assert team.signer == work.director


def test_the_menu_shows_the_counts(work, client_for):
    build(work)
    nav = menu(client_for(work.clerk).get("/van-ban/den/").content.decode())
    counts = selectors.work_counts(user=work.clerk)
    assert counts.total == 3 and counts.drafts == 1
    assert re.search(r'Việc của tôi <span class="badge"[^>]*>3</span>', nav)
    assert re.search(r'Dự thảo <span class="badge"[^>]*>1</span>', nav)
    assert re.search(r"Tiếp nhận</a>", nav)  # nothing to receive: no badge
    nav = menu(client_for(work.other_clerk).get("/van-ban/den/").content.decode())
    assert re.search(r'Tiếp nhận <span class="badge"[^>]*>1</span>', nav)
    # Nothing waits for the outsider: no badge at all but the notifications'.
    nav = menu(client_for(work.outsider).get("/van-ban/den/").content.decode())
    assert "Việc của tôi</a>" in nav and "Dự thảo</a>" in nav


def menu(html: str) -> str:
    return re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', html, re.S).group(1)  # type: ignore[union-attr]


def test_an_unknown_kind_shows_everything_and_says_so(work, client_for):
    build(work)
    client = client_for(work.plan_staff)
    everything = client.get("/xu-ly/viec-cua-toi/").content.decode()
    response = client.get("/xu-ly/viec-cua-toi/?loai=khong-co")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không có loại việc này; trang hiển thị mọi việc đang chờ." in html
    assert html.count("<tr") == everything.count("<tr")
    # A kind with nothing in it says so.
    html = client.get("/xu-ly/viec-cua-toi/?loai=cho-trinh").content.decode()
    assert "Không có việc nào thuộc loại này." in html


# The home page: session, user, roles, the unit's people (leaders and clerks), the unit of the
# clerk, the recent notifications, this week's work calendars (one query), and one row of counts
# shared with the menu; the list of incoming documents: its own queries, the delegations that
# decide which actions its ticked rows offer (and, for a clerk, the leaders to present to), and the
# same one row of counts for the menu. The list reads the ids of the documents given to the person
# outside their units first (documents/visibility.py), then its count and page per half.
QUERIES = {
    ("clerk", "/"): 11,
    ("director", "/"): 10,
    ("plan_staff", "/"): 8,
    ("clerk", "/van-ban/den/"): 10,
    ("director", "/van-ban/den/"): 9,
    ("plan_staff", "/van-ban/den/"): 8,
}


@pytest.mark.parametrize(("who", "path"), sorted(QUERIES))
def test_home_and_menu_keep_a_fixed_number_of_queries(
    work, client_for, django_assert_num_queries, who, path
):
    client = client_for(getattr(work, who))
    team = build(work)
    client.get(path)
    with django_assert_num_queries(QUERIES[who, path]):
        small = client.get(path)
    build(work, extra=5, team=team)
    with django_assert_num_queries(QUERIES[who, path]):
        large = client.get(path)
    assert small.status_code == large.status_code == 200
