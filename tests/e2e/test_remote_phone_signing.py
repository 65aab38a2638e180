"""The leader signs an approved draft with a remote key he confirms on his phone (R11; NĐ
23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): at 390 px he chooses the certificate (no PIN), the waiting
page asks him to confirm on the phone and re-checks by itself; the test answers through the
test PKI's asynchronous stand-in and the page shows the draft signed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import signing
from tests.e2e.phone_world import PHONE, page_width
from tests.signatures.test_remote_async import approve
from tests.support import shared
from tests.support.drafting import create_draft, make_team, to_approved
from vanban.signatures import services, testasync
from vanban.signatures.models import KeyStorage, MarkKind, SigningRequest


@pytest.fixture
def phone_world(transactional_db, document_types, settings):  # type: ignore[no-untyped-def]
    settings.VANBAN_REMOTE_SIGNING = {
        "async": {
            "endpoint": signing.pki().async_url,
            "client_id": testasync.CLIENT_ID,
            "client_secret": testasync.CLIENT_SECRET,
        }
    }
    signing.trust()
    team = make_team(shared.province())
    services.remote_credential_link(
        actor=team.signer,
        credential_id=testasync.credential_id("nguoi-ky"),
        provider_name="async",
    )
    services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    draft = create_draft(team)
    to_approved(team, draft)
    return team, draft


def test_the_leader_confirms_the_signature_on_his_phone(phone_world, window_at, live_server):
    team, draft = phone_world
    director = window_at(team.signer)
    director.goto(f"{live_server.url}/du-thao/{draft.pk}/")
    form = director.locator("#phone-sign-form")
    form.scroll_into_view_if_needed()
    expect(form.locator("[name=pin]")).to_have_count(0)
    assert page_width(director) <= PHONE["width"]
    form.get_by_role("button", name="Ký số, xác nhận trên điện thoại").tap()

    expect(director.locator("#phone-wait-message")).to_contain_text(
        "Hãy xác nhận giao dịch ký số trên điện thoại"
    )
    expect(director.locator("#phone-wait-progress")).to_be_visible()
    assert page_width(director) <= PHONE["width"]
    request = SigningRequest.objects.get()
    approve(str(request.prepared["transaction_id"]))

    # The page re-checks by itself and lands on the draft, signed.
    expect(director.locator("#signed-status")).to_contain_text("Đã ký số", timeout=15000)
    expect(director.locator("ul.messages")).to_contain_text("Đã ký số văn bản")
    assert page_width(director) <= PHONE["width"]
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_via == KeyStorage.REMOTE
