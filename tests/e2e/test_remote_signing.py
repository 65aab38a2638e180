"""The leader signs an approved draft remotely on his phone (R11; NĐ 23/2025/NĐ-CP; TT
15/2025/TT-BKHCN): the draft page at 390 px shows the signer, the organisation and the
certificate's expiry, he types the PIN of his remote key (the test PKI's CSC stand-in on
loopback) and the page shows the draft signed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import signing
from tests.e2e.phone_world import PHONE, page_width
from tests.support import shared
from tests.support.drafting import create_draft, make_team, to_approved
from vanban.signatures import services, testcsc
from vanban.signatures.models import KeyStorage, MarkKind
from vanban.signatures.pdfsign import VN_TZ


@pytest.fixture
def remote_world(transactional_db, document_types, settings):  # type: ignore[no-untyped-def]
    settings.VANBAN_TSA_URL = signing.pki().tsa_url
    settings.VANBAN_REMOTE_SIGNING = {
        "csc": {
            "endpoint": signing.pki().csc_url,
            "client_id": testcsc.CLIENT_ID,
            "client_secret": testcsc.CLIENT_SECRET,
        }
    }
    signing.trust()
    team = make_team(shared.province())
    certificate = services.remote_credential_link(
        actor=team.signer, credential_id=testcsc.credential_id("nguoi-ky")
    )
    services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    draft = create_draft(team)
    to_approved(team, draft)
    return team, draft, certificate


def test_the_leader_signs_an_approved_draft_remotely_on_his_phone(
    remote_world, window_at, live_server
):
    team, draft, certificate = remote_world
    director = window_at(team.signer)
    director.goto(f"{live_server.url}/du-thao/{draft.pk}/")
    sign = director.locator("#sign-form")
    sign.scroll_into_view_if_needed()
    expect(director.locator("#sign-certificates")).to_contain_text("Nguyễn Văn Ký")
    expect(director.locator("#sign-certificates")).to_contain_text(
        f"{certificate.not_after.astimezone(VN_TZ):%d/%m/%Y}"
    )
    expect(director.locator("#sign-certificates")).to_contain_text(
        "khóa do dịch vụ ký số từ xa giữ"
    )
    assert page_width(director) <= PHONE["width"]
    sign.locator("[name=pin]").fill("000000")
    sign.get_by_role("button", name="Ký số").tap()
    expect(director.locator("#sign-form")).to_contain_text("Mã PIN ký số từ xa không đúng.")
    director.locator("#sign-form [name=pin]").fill(signing.PIN)
    director.locator("#sign-form").get_by_role("button", name="Ký số").tap()
    expect(director.locator("ul.messages")).to_contain_text("Đã ký số văn bản")
    expect(director.locator("#signed-status")).to_contain_text("Đã ký số")
    assert page_width(director) <= PHONE["width"]
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_via == KeyStorage.REMOTE
