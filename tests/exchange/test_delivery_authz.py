"""Who may open each exchange page and send each form (R15, R16).

Seven people: nobody signed in, a staff member of the recipient unit (not its clerk), the sending
unit's admin (not involved), the drafter, the sending unit's leader, the sending unit's clerk
and the recipient unit's clerk. Each case issues a fresh document to the Sở Nội vụ; a refused
request leaves the database exactly as it was.

A page, or the refusals of a form, are tried by everyone in turn on one issued document (nothing
they do changes it); each person allowed to send a form sends it on a freshly issued one.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.exchange.test_delivery import state
from tests.support.documents import DECLARED
from tests.support.drafting import SUBJECT, Team, issued, make_team
from tests.support.matrix import (
    Case,
    Cells,
    allowed_posts,
    case_params,
    cell_params,
    unchanged_actors,
)
from vanban.documents.models import Document
from vanban.exchange import delivery
from vanban.exchange.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage", "drafting_clock")]


@pytest.fixture
def team(province) -> Team:
    return make_team(province)


ACTORS = [
    "anonymous",
    "recipient_staff",
    "not_involved",
    "drafter",
    "leader",
    "clerk",
    "recipient_clerk",
]


def actor_user(team: Team, actor: str):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "recipient_staff": team.staff_snv,
        "not_involved": team.outsider,
        "drafter": team.drafter,
        "leader": team.signer,
        "clerk": team.clerk,
        "recipient_clerk": team.clerk_snv,
    }[actor]


@dataclass
class Sent:
    document: Document
    delivery: Delivery


def sent(team: Team) -> Sent:
    _draft, document = issued(team)
    return Sent(document, Delivery.objects.get(document=document))


def recalled(team: Team) -> Sent:
    """A registered copy the sender asks back (a copy still in the queue is given back at once
    and asks nothing of its clerk)."""
    item = sent(team)
    delivery.delivery_register(actor=team.clerk_snv, delivery=item.delivery, refusals=DECLARED)
    delivery.document_recall(actor=team.signer, document=item.document, reason="Sai số liệu")
    return item


def expect(**values: int) -> dict[str, int]:
    base = dict.fromkeys(ACTORS, 404)
    base["anonymous"] = 302
    base.update(values)
    return base


QUEUE = expect(recipient_staff=403, not_involved=403, drafter=403, leader=403, clerk=200)
# `allowed`: on a page, who sees the document (its `marker`); on a form, whose POST changes it.
CASES = [
    Case(
        "queue",
        "get",
        lambda s: "/lien-thong/hang-cho/",
        setup=sent,
        expect={**QUEUE, "recipient_clerk": 200},
        marker=SUBJECT,
        allowed={"recipient_clerk"},
    ),
    Case(
        "received document",
        "get",
        lambda s: f"/lien-thong/hang-cho/{s.delivery.pk}/",
        setup=sent,
        expect=expect(recipient_clerk=200),
        marker=SUBJECT,
        allowed={"recipient_clerk"},
    ),
    Case(
        "received file",
        "get",
        lambda s: f"/lien-thong/hang-cho/{s.delivery.pk}/tep/{s.document.files.get().pk}/",
        setup=sent,
        expect=expect(recipient_clerk=200),
    ),
    Case(
        "register",
        "post",
        lambda s: f"/lien-thong/hang-cho/{s.delivery.pk}/vao-so/",
        setup=sent,
        expect=expect(recipient_clerk=302),
        allowed={"recipient_clerk"},
        data=lambda t: {"sensitive_declared": "on"},
    ),
    Case(
        "return",
        "post",
        lambda s: f"/lien-thong/hang-cho/{s.delivery.pk}/tra-lai/",
        setup=sent,
        expect=expect(recipient_clerk=302),
        allowed={"recipient_clerk"},
        data=lambda t: {"reason": "invalid", "note": "Thiếu phụ lục"},
    ),
    Case(
        "answer a recall",
        "post",
        lambda s: f"/lien-thong/hang-cho/{s.delivery.pk}/thu-hoi/",
        setup=recalled,
        expect=expect(recipient_clerk=302),
        allowed={"recipient_clerk"},
        data=lambda t: {"answer": "accept"},
    ),
    Case(
        "sender's statuses",
        "get",
        lambda s: f"/lien-thong/van-ban/{s.document.pk}/",
        setup=sent,
        # The drafter reads the document issued from her draft (R14) and its deliveries.
        expect=expect(leader=200, clerk=200, drafter=200),
        marker="Sở Nội vụ",
        allowed={"leader", "clerk", "drafter"},
    ),
    Case(
        "send to more units",
        "post",
        lambda s: f"/lien-thong/van-ban/{s.document.pk}/gui/",
        setup=sent,
        expect=expect(leader=403, clerk=302, drafter=403),
        allowed={"clerk"},
        data=lambda t: {"units": [t.province.root.pk]},
    ),
    Case(
        "recall",
        "post",
        lambda s: f"/lien-thong/van-ban/{s.document.pk}/thu-hoi/",
        setup=sent,
        expect=expect(leader=302, clerk=302, drafter=403),
        allowed={"leader", "clerk"},
        data=lambda t: {"reason": "Sai số liệu"},
    ),
]


def shared(case: Case) -> list[str]:
    return unchanged_actors(case, ACTORS)


ALLOWED_POSTS = allowed_posts(CASES, ACTORS)


def client_of(team: Team, client_for, actor: str) -> Client:  # type: ignore[no-untyped-def]
    user = actor_user(team, actor)
    return client_for(user) if user is not None else Client()


def read_only_state() -> dict[str, Any]:
    """What no page changes: all but the audit log, which records who downloaded a file."""
    return {key: value for key, value in state().items() if key != "audit"}


def check_cell(team: Team, item: Sent, client: Client, case: Case, actor: str) -> None:
    before = state()
    url = case.url(item)
    response = client.get(url) if case.method == "get" else client.post(url, case.body(team))
    html = "" if hasattr(response, "streaming_content") else response.content.decode()
    assert response.status_code == case.expect[actor], (response.status_code, html[:2000])
    if actor == "anonymous":
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    if case.method == "get":
        if case.marker:
            assert (case.marker in html) == (actor in case.allowed)
        assert state()["deliveries"] == before["deliveries"]
        return
    if actor in case.allowed:
        assert state() != before
    else:
        assert state() == before


@pytest.mark.parametrize("case", case_params(CASES))
def test_page_authorization(team, client_for, case: Case):
    """Every page, and every refused form, tried by each person in turn on one issued
    document: none of their requests changes a delivery, so each finds it as sent."""
    item = case.setup(team)
    clients = {actor: client_of(team, client_for, actor) for actor in shared(case)}
    before = read_only_state()
    cells = Cells(case.name)
    for actor, client in clients.items():
        with cells.cell(actor):
            check_cell(team, item, client, case, actor)
    cells.check()
    assert read_only_state() == before


@pytest.mark.parametrize(("case", "actor"), cell_params(ALLOWED_POSTS))
def test_page_authorization_allowed_posts(team, client_for, case: Case, actor: str):
    """An allowed form changes the document's deliveries: each person sends it on a fresh one."""
    item = case.setup(team)
    check_cell(team, item, client_of(team, client_for, actor), case, actor)


def test_the_matrix_has_every_cell():
    tried = [(c.name, a) for c in CASES for a in shared(c)]
    tried += [(c.name, a) for c, a in ALLOWED_POSTS]
    assert sorted(tried) == sorted((c.name, a) for c in CASES for a in ACTORS)


def test_another_units_clerk_cannot_register_by_the_service_either(team):
    item = sent(team)
    before = state()
    for person in (team.clerk, team.signer, team.staff_snv):
        with pytest.raises(delivery.NotFound):
            delivery.delivery_register(actor=person, delivery=item.delivery, refusals=DECLARED)
        with pytest.raises(delivery.NotFound):
            delivery.delivery_return(
                actor=person, delivery=item.delivery, reason="invalid", note=""
            )
    assert state() == before
