"""The draft page in each state, as each person sees it with the forms they are offered: every
id is unique and every control has a label (tests/support/labels.py)."""

import datetime as dt

import pytest

from tests.support.drafting import (
    create_draft,
    local_certificate,
    signer_certificate,
    to_approved,
    to_approving,
    to_reviewing,
    to_signed,
)
from tests.support.labels import label_problems
from vanban.drafting import services

pytestmark = pytest.mark.django_db


def problems(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return label_problems(response.content.decode())


def test_the_draft_page_in_each_state(team, client_for):
    draft = create_draft(team)
    url = f"/du-thao/{draft.pk}/"
    services.draft_comments_request(
        actor=team.drafter,
        draft=draft,
        people=[team.colleague],
        deadline=dt.date(2026, 12, 1),
    )
    seen = {
        "drafter, draft": problems(client_for(team.drafter), url),
        "colleague, asked for comments": problems(client_for(team.colleague), url),
    }
    to_reviewing(team, draft)
    seen["head, reviewing"] = problems(client_for(team.head), url)
    seen["checker, reviewing"] = problems(client_for(team.checker), url)
    second = create_draft(team)
    to_approving(team, second)
    seen["signer, approving"] = problems(client_for(team.signer), f"/du-thao/{second.pk}/")
    third = create_draft(team)
    to_approved(team, third)
    signer_certificate(team)
    seen["signer, approved"] = problems(client_for(team.signer), f"/du-thao/{third.pk}/")
    to_signed(team, third)
    seen["clerk, signed"] = problems(client_for(team.clerk), f"/du-thao/{third.pk}/")
    assert {who: found for who, found in seen.items() if found} == {}


def test_the_signing_forms_with_a_key_on_the_signers_computer(team, client_for):
    draft = create_draft(team)
    to_approved(team, draft)
    local_certificate(team)
    html = client_for(team.signer).get(f"/du-thao/{draft.pk}/").content.decode()
    assert 'id="sign-request-form"' in html
    assert label_problems(html) == []


def test_the_new_draft_page(team, client_for):
    assert problems(client_for(team.drafter), "/du-thao/moi/") == []


def test_the_scan_finds_what_it_looks_for():
    page = (
        '<label for="id_note">Ghi chú</label><input id="id_note" name="note">'
        '<textarea id="id_note" name="other"></textarea>'
        '<select name="who"></select><input type="hidden" name="x">'
        '<input type="text" aria-label="Tìm" name="q"><button type="submit">Gửi</button>'
    )
    assert label_problems(page) == [
        "duplicate id “id_note”",
        "<select name='who' id=''> has no label",
    ]
