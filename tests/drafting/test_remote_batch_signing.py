"""Signing several approved drafts at once with the signer's remote credential (R11; NĐ
23/2025/NĐ-CP; TT 15/2025/TT-BKHCN; CSC API v2): the PIN given once, the hashes of all drafts
authorised with one SAD (`numSignatures` = n) and signed in one `signHash` call, each draft
then completed, verified and stored on its own; one draft that cannot be signed does not stop
the others; a wrong PIN signs nothing. Against the test PKI's CSC stand-in on loopback."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage

from tests import signing
from tests.drafting.test_batch_signing import MSG_NOT_APPROVED, URL, approved_drafts, new_version
from tests.drafting.test_signing_pages import check
from tests.signatures.test_remote_credentials import link, provider  # noqa: F401 - fixture
from tests.support.drafting import issue
from vanban.audit.models import AuditEvent
from vanban.drafting.batch_signing import drafts_sign_batch
from vanban.drafting.models import Draft, DraftAction
from vanban.signatures import services, verify
from vanban.signatures.models import KeyStorage, VerificationReport
from vanban.signatures.remote import csc

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """The CSC calls made, counted on the way to the stand-in (they still go through)."""
    seen: dict[str, list[int]] = {"authorize": [], "sign_hash": []}
    authorize, sign_hash = csc.CscClient.authorize, csc.CscClient.sign_hash

    def counted_authorize(self, credential_id, hashes, pin):  # type: ignore[no-untyped-def]
        seen["authorize"].append(len(hashes))
        return authorize(self, credential_id, hashes, pin)

    def counted_sign_hash(self, credential_id, sad, hashes, **kw):  # type: ignore[no-untyped-def]
        seen["sign_hash"].append(len(hashes))
        return sign_hash(self, credential_id, sad, hashes, **kw)

    monkeypatch.setattr(csc.CscClient, "authorize", counted_authorize)
    monkeypatch.setattr(csc.CscClient, "sign_hash", counted_sign_hash)
    return seen


def signed_data(draft: Draft) -> bytes:
    draft.refresh_from_db()
    return default_storage.open(draft.signed_storage_name).read()


def test_three_drafts_signed_remotely_with_one_pin_and_one_sad(team, provider, calls):  # noqa: F811
    certificate = link(team.signer)
    drafts = approved_drafts(team, 3)
    result = drafts_sign_batch(
        actor=team.signer, drafts=drafts, certificate=certificate, pin=signing.PIN
    )
    assert [i.signed for i in result.items] == [True, True, True]
    assert result.stopped == ""
    assert calls == {"authorize": [3], "sign_hash": [3]}
    sha = set()
    for draft in drafts:
        data = signed_data(draft)
        assert draft.is_signed and draft.signed_via == KeyStorage.REMOTE
        report = check(data)
        assert report.status == "valid" and len(report.signatures) == 1
        assert report.signatures[0].fingerprint == certificate.fingerprint
        assert draft.events.filter(action=DraftAction.SIGNED).count() == 1
        sha.add(draft.signed_sha256)
    assert len(sha) == 3
    assert VerificationReport.objects.filter(draft__in=drafts).count() == 3
    assert not AuditEvent.objects.filter(data__icontains=signing.PIN).exists()
    # One of them issued by the clerk verifies with both signatures.
    document = issue(team, drafts[1])
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        issued = handle.read()
    report = verify.verify_pdf(issued, services.trust_roots(), revocation="hard-fail")
    assert report.status == verify.VALID, report.reasons()
    assert [s.field for s in report.signatures] == [
        services.PERSONAL_FIELD,
        services.ORGANISATION_FIELD,
    ]


def test_one_failing_draft_among_three_does_not_lose_the_others(team, provider, calls):  # noqa: F811
    certificate = link(team.signer)
    first, changed, last = approved_drafts(team, 3)
    new_version(team, changed)
    result = drafts_sign_batch(
        actor=team.signer, drafts=[first, changed, last], certificate=certificate, pin=signing.PIN
    )
    assert [(i.draft.pk, i.signed, i.reason) for i in result.items] == [
        (first.pk, True, ""),
        (changed.pk, False, MSG_NOT_APPROVED),
        (last.pk, True, ""),
    ]
    assert calls == {"authorize": [2], "sign_hash": [2]}
    changed.refresh_from_db()
    assert not changed.is_signed and changed.signed_storage_name == ""
    for draft in (first, last):
        assert check(signed_data(draft)).status == "valid"


def test_a_wrong_pin_signs_nothing(team, provider, tmp_path, calls):  # noqa: F811
    certificate = link(team.signer)
    drafts = approved_drafts(team, 3)
    before = sorted(str(p) for p in tmp_path.rglob("*") if p.is_file())
    result = drafts_sign_batch(actor=team.signer, drafts=drafts, certificate=certificate, pin="0")
    assert result.stopped == csc.MSG_PIN
    assert [(i.signed, i.reason) for i in result.items] == [(False, csc.MSG_PIN)] * 3
    assert calls == {"authorize": [3], "sign_hash": []}
    assert (
        not Draft.objects.filter(pk__in=[d.pk for d in drafts])
        .exclude(signed_storage_name="")
        .exists()
    )
    assert not AuditEvent.objects.filter(action="signatures.draft_sign").exists()
    assert sorted(str(p) for p in tmp_path.rglob("*") if p.is_file()) == before


def test_the_page_offers_the_remote_certificate_and_signs_with_one_pin(
    team,
    provider,  # noqa: F811
    client_for,
    calls,
):
    certificate = link(team.signer)
    first, changed, last, left = approved_drafts(team, 4)
    client = client_for(team.signer)
    page = client.get(URL).content.decode()
    assert f'value="{certificate.pk}"' in page
    new_version(team, changed)
    response = client.post(
        URL,
        {
            "drafts": [first.pk, changed.pk, last.pk],
            "certificate": certificate.pk,
            "pin": signing.PIN,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã ký 2 văn bản; 1 văn bản không ký được." in html
    for draft in (first, last):
        row = re.search(rf'id="batch-result-{draft.pk}" class="(\w+-\w+)"', html).group(1)
        assert row == "batch-signed"
    refused = re.search(rf'id="batch-result-{changed.pk}".*?</tr>', html, re.S).group(0)
    assert f"Không ký: {MSG_NOT_APPROVED}" in refused
    assert signing.PIN not in html
    assert calls == {"authorize": [2], "sign_hash": [2]}
    # A wrong PIN on the page signs nothing and says why.
    response = client.post(URL, {"drafts": [left.pk], "certificate": certificate.pk, "pin": "0"})
    assert csc.MSG_PIN in response.content.decode()
    left.refresh_from_db()
    assert not left.is_signed
