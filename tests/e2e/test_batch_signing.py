"""The leader signs three approved drafts at once with his remote key (R11; NĐ 23/2025/NĐ-CP;
TT 15/2025/TT-BKHCN): on the batch page he ticks them, chooses the certificate of his remote
credential (the test PKI's CSC stand-in on loopback), gives the PIN once, and the result page
lists the three signed; the clerk then issues one of them and it verifies with both
signatures."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from tests import signing
from tests.support import shared
from tests.support.drafting import create_draft, issue, make_team, to_approved
from vanban.signatures import services, testcsc, verify
from vanban.signatures.models import KeyStorage, MarkKind


@pytest.fixture
def batch_world(transactional_db, document_types, settings):  # type: ignore[no-untyped-def]
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
    drafts = []
    for n in range(3):
        draft = create_draft(team, subject=f"Kế hoạch số {n + 1} về chuyển đổi số")
        to_approved(team, draft)
        drafts.append(draft)
    return team, drafts, certificate


def test_the_leader_signs_three_drafts_remotely_with_one_pin(batch_world, window_at, live_server):
    team, drafts, certificate = batch_world
    leader = window_at(team.signer)
    leader.goto(f"{live_server.url}/du-thao/ky-so-nhieu/")
    form = leader.locator("#sign-batch-form")
    for draft in drafts:
        form.locator(f"#batch-draft-{draft.pk}").check()
    form.locator("[name=certificate]").select_option(str(certificate.pk))
    form.locator("[name=pin]").fill(signing.PIN)
    form.get_by_role("button", name="Ký các dự thảo đã chọn").click()
    expect(leader.locator("#sign-batch-summary")).to_contain_text(
        "Đã ký 3 văn bản; 0 văn bản không ký được."
    )
    for draft in drafts:
        expect(leader.locator(f"#batch-result-{draft.pk}")).to_have_class("batch-signed")
        expect(leader.locator(f"#batch-result-{draft.pk}")).to_contain_text("Đã ký số")
        draft.refresh_from_db()
        assert draft.is_signed and draft.signed_via == KeyStorage.REMOTE
    assert signing.PIN not in leader.content()
    # The clerk issues one of them: personal and organisation signatures both valid.
    document = issue(team, drafts[0])
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        issued = handle.read()
    report = verify.verify_pdf(issued, services.trust_roots(), revocation="hard-fail")
    assert report.status == verify.VALID, report.reasons()
    assert [s.field for s in report.signatures] == [
        services.PERSONAL_FIELD,
        services.ORGANISATION_FIELD,
    ]
