"""Who may open each drafting page and send each form (R16).

Every page and POST is tried by six people: nobody signed in, a staff member of another unit
trying the direct address, a person of the unit not involved in the draft (the unit admin), the
drafter, the leader who signs, and the clerk. Each case puts a fresh draft in the state where its
action is possible; a refused request leaves the database and the storage exactly as they were.

A page, or the refusals of a form, are tried by everyone in turn on one draft (nothing they do
changes it); each person allowed to send a form sends it on a fresh draft.
"""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.drafting.test_services import state
from tests.signing import PIN
from tests.support.documents import doc_type
from tests.support.drafting import (
    SUBJECT,
    Team,
    create_draft,
    local_certificate,
    organisation_key,
    pdf,
    signed_elsewhere,
    signer_certificate,
    to_approved,
    to_approving,
    to_signed,
)
from tests.support.files import upload
from tests.support.matrix import (
    Case,
    Cells,
    allowed_posts,
    case_params,
    cell_params,
    unchanged_actors,
)
from vanban.drafting import services
from vanban.drafting.models import Draft

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_unit", "not_involved", "drafter", "leader", "clerk"]


def actor_user(team: Team, actor: str):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "other_unit": team.staff_snv,
        "not_involved": team.outsider,
        "drafter": team.drafter,
        "leader": team.signer,
        "clerk": team.clerk,
    }[actor]


def drafting(team: Team) -> Draft:
    return create_draft(team)


def reviewing_by_leader(team: Team) -> Draft:
    """The signer checks the content; the unit admin (not involved otherwise) the format."""
    draft = create_draft(team)
    services.draft_submit(
        actor=team.drafter, draft=draft, reviewer=team.signer, checker=team.outsider
    )
    return draft


def asked(team: Team) -> Draft:
    draft = create_draft(team)
    services.draft_comments_request(
        actor=team.drafter, draft=draft, people=[team.outsider], deadline=dt.date(2026, 12, 1)
    )
    return draft


def approving(team: Team) -> Draft:
    draft = create_draft(team)
    to_approving(team, draft)
    return draft


def approved(team: Team) -> Draft:
    draft = create_draft(team)
    to_approved(team, draft)
    return draft


def approved_with_certificate(team: Team) -> Draft:
    draft = approved(team)
    signer_certificate(team)
    return draft


def approved_with_local_key(team: Team) -> Draft:
    draft = approved(team)
    local_certificate(team)
    return draft


def signed(team: Team) -> Draft:
    """Signed by the leader; the Sở has its organisation certificate and seal."""
    draft = approved(team)
    to_signed(team, draft)
    organisation_key(team)
    return draft


def signed_upload_data(team: Team) -> dict[str, Any]:
    draft = Draft.objects.latest("pk")
    return {"signed_file": upload("Đã ký.pdf", signed_elsewhere(draft), "application/pdf")}


def create_data(team: Team) -> dict[str, Any]:
    return {
        "issuing_unit": team.province.stttt.pk,
        "document_type": doc_type("Kế hoạch").pk,
        "subject": "Kế hoạch thử quyền",
        "urgency": "0",
        "recipient_units": [team.province.snv.pk],
        "signer": team.signer.pk,
        "signer_position": "Giám đốc",
        "sensitive_declared": "on",
        "content_file": pdf(),
    }


def expect(other_unit: int, not_involved: int, drafter: int, leader: int, clerk: int) -> dict:
    return {
        "anonymous": 302,
        "other_unit": other_unit,
        "not_involved": not_involved,
        "drafter": drafter,
        "leader": leader,
        "clerk": clerk,
    }


# `allowed`: on a page, who sees the draft (its `marker`); on a form, whose POST changes it.
CASES = [
    Case(
        "my drafts",
        "get",
        lambda d: "/du-thao/",
        allowed={"drafter"},
        expect=expect(200, 200, 200, 200, 200),
        setup=drafting,
        marker=SUBJECT,
    ),
    # Approved, not signed yet: it waits for the approver's signature; once signed, for the
    # clerk who issues it.
    Case(
        "waiting for me",
        "get",
        lambda d: "/du-thao/cho-toi/",
        allowed={"leader"},
        expect=expect(200, 200, 200, 200, 200),
        setup=approved,
        marker=SUBJECT,
    ),
    Case(
        "waiting for me, signed",
        "get",
        lambda d: "/du-thao/cho-toi/",
        allowed={"clerk"},
        expect=expect(200, 200, 200, 200, 200),
        setup=signed,
        marker=SUBJECT,
    ),
    Case(
        "create form",
        "get",
        lambda d: "/du-thao/moi/",
        expect=expect(200, 200, 200, 200, 200),
        setup=drafting,
    ),
    Case(
        "detail",
        "get",
        lambda d: f"/du-thao/{d.pk}/",
        allowed={"drafter", "leader"},
        expect=expect(404, 404, 200, 200, 404),
        setup=drafting,
        marker=SUBJECT,
    ),
    Case(
        "detail once approved",
        "get",
        lambda d: f"/du-thao/{d.pk}/",
        allowed={"drafter", "leader", "clerk"},
        expect=expect(404, 404, 200, 200, 200),
        setup=approved,
        marker=SUBJECT,
    ),
    Case(
        "version download",
        "get",
        lambda d: f"/du-thao/{d.pk}/phien-ban/1/tai-xuong/",
        allowed={"drafter", "leader"},
        expect=expect(404, 404, 200, 200, 404),
        setup=drafting,
    ),
    Case(
        "create",
        "post",
        lambda d: "/du-thao/moi/",
        allowed={"not_involved", "drafter", "leader", "clerk"},
        expect=expect(200, 302, 302, 302, 302),
        setup=drafting,
        data=create_data,
    ),
    Case(
        "new version",
        "post",
        lambda d: f"/du-thao/{d.pk}/phien-ban/",
        allowed={"drafter"},
        expect=expect(404, 404, 302, 403, 404),
        setup=drafting,
        data=lambda t: {"version-content_file": pdf("Bản 2.pdf")},
    ),
    Case(
        "ask for comments",
        "post",
        lambda d: f"/du-thao/{d.pk}/xin-y-kien/",
        allowed={"drafter"},
        expect=expect(404, 404, 302, 403, 404),
        setup=drafting,
        data=lambda t: {
            "comment-request-people": [t.checker.pk],
            "comment-request-deadline": "2026-12-01",
        },
    ),
    Case(
        "comment",
        "post",
        lambda d: f"/du-thao/{d.pk}/gop-y/",
        allowed={"not_involved"},
        expect=expect(404, 302, 403, 403, 404),
        setup=asked,
        data=lambda t: {"text": "Đồng ý với dự thảo."},
    ),
    Case(
        "submit",
        "post",
        lambda d: f"/du-thao/{d.pk}/trinh/",
        allowed={"drafter"},
        expect=expect(404, 404, 302, 403, 404),
        setup=drafting,
        data=lambda t: {"submit-reviewer": t.head.pk, "submit-checker": t.checker.pk},
    ),
    Case(
        "check content",
        "post",
        lambda d: f"/du-thao/{d.pk}/kiem-tra-noi-dung/",
        allowed={"leader"},
        expect=expect(404, 403, 403, 302, 404),
        setup=reviewing_by_leader,
        data=lambda t: {"content-decision": "accept"},
    ),
    Case(
        "check format",
        "post",
        lambda d: f"/du-thao/{d.pk}/kiem-tra-the-thuc/",
        allowed={"not_involved"},
        expect=expect(404, 302, 403, 403, 404),
        setup=reviewing_by_leader,
        data=lambda t: {"format-decision": "accept"},
    ),
    Case(
        "approve",
        "post",
        lambda d: f"/du-thao/{d.pk}/phe-duyet/",
        allowed={"leader"},
        expect=expect(404, 404, 403, 302, 404),
        setup=approving,
        data=lambda t: {"approve-decision": "accept"},
    ),
    Case(
        "sign",
        "post",
        lambda d: f"/du-thao/{d.pk}/ky-so/",
        allowed={"leader"},
        expect=expect(404, 404, 403, 302, 403),
        setup=approved_with_certificate,
        data=lambda t: {"certificate": signer_certificate(t).pk, "pin": PIN},
    ),
    Case(
        "sign request",
        "post",
        lambda d: f"/du-thao/{d.pk}/ky-so/yeu-cau/",
        allowed={"leader"},
        expect=expect(404, 404, 403, 302, 403),
        setup=approved_with_local_key,
        data=lambda t: {"local_certificate": signer_certificate(t).pk},
    ),
    Case(
        "signed upload",
        "post",
        lambda d: f"/du-thao/{d.pk}/ky-so/tai-len/",
        allowed={"leader"},
        expect=expect(404, 404, 403, 302, 403),
        setup=approved_with_certificate,
        data=signed_upload_data,
    ),
    Case(
        "signed download",
        "get",
        lambda d: f"/du-thao/{d.pk}/ky-so/tai-xuong/",
        allowed={"drafter", "leader", "clerk"},
        expect=expect(404, 404, 200, 200, 200),
        setup=signed,
    ),
    Case(
        "issue",
        "post",
        lambda d: f"/du-thao/{d.pk}/ban-hanh/",
        allowed={"clerk"},
        expect=expect(404, 404, 403, 403, 302),
        setup=signed,
        data=lambda t: {"certificate": organisation_key(t).certificate.pk, "pin": PIN},
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


def check_cell(team: Team, draft: Draft, client: Client, case: Case, actor: str) -> None:
    url = case.url(draft)
    before = state()
    response = client.get(url) if case.method == "get" else client.post(url, case.body(team))
    html = response.content.decode() if not hasattr(response, "streaming_content") else ""
    assert response.status_code == case.expect[actor], (response.status_code, html[:2000])
    if response.status_code == 302 and actor == "anonymous":
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    if case.method == "get":
        if case.marker:
            assert (case.marker in html) == (actor in case.allowed), html[:2000]
        assert state()["drafts"] == before["drafts"]
        return
    if actor in case.allowed:
        assert state() != before
    else:
        assert state() == before
        if response.status_code == 403:
            assert 'id="action-error"' in html


@pytest.mark.parametrize("case", case_params(CASES))
def test_page_authorization(team, client_for, case: Case):
    """Every page, and every refused form, tried by each person in turn on one draft: none of
    their requests changes a draft, so each finds it in the state the case put it in."""
    draft = case.setup(team)
    clients = {actor: client_of(team, client_for, actor) for actor in shared(case)}
    before = read_only_state()
    cells = Cells(case.name)
    for actor, client in clients.items():
        with cells.cell(actor):
            check_cell(team, draft, client, case, actor)
    cells.check()
    assert read_only_state() == before


@pytest.mark.parametrize(("case", "actor"), cell_params(ALLOWED_POSTS))
def test_page_authorization_allowed_posts(team, client_for, case: Case, actor: str):
    """An allowed form changes the draft: each person sends it on a fresh one."""
    draft = case.setup(team)
    check_cell(team, draft, client_of(team, client_for, actor), case, actor)


def test_the_matrix_has_every_cell():
    tried = [(c.name, a) for c in CASES for a in shared(c)]
    tried += [(c.name, a) for c, a in ALLOWED_POSTS]
    assert sorted(tried) == sorted((c.name, a) for c in CASES for a in ACTORS)
