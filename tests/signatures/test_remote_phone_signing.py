"""The competent signer signs an approved draft from its page with a remote key confirmed on
their phone (R11; NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): choosing the certificate opens the
transaction (no PIN), the prepared PDF and the pending state are kept on a `SigningRequest`, the
waiting page asks the provider at each load; approved, the signature is stored like every other
way and the signer is notified; refused, expired and cancelled say so and store nothing. Runs
against the test PKI's asynchronous stand-in on loopback; the person answers through
`vanban testpki approve`."""

from __future__ import annotations

import pytest

from tests import signing
from tests.signatures.test_pkcs11 import approved, state
from tests.signatures.test_remote_async import approve, stand_in
from vanban.core.errors import ServiceError
from vanban.core.models import Notification
from vanban.drafting import signing as draft_signing
from vanban.signatures import services, testasync, verify
from vanban.signatures.models import (
    Certificate,
    KeyStorage,
    MarkKind,
    RequestStatus,
    SigningRequest,
)
from vanban.signatures.remote import asynchronous

pytestmark = pytest.mark.django_db

CREDENTIAL = testasync.credential_id("nguoi-ky")


@pytest.fixture
def provider(settings):
    settings.VANBAN_REMOTE_SIGNING = {
        "async": {
            "endpoint": signing.pki().async_url,
            "client_id": testasync.CLIENT_ID,
            "client_secret": testasync.CLIENT_SECRET,
        }
    }
    signing.trust()
    return settings


def link(team):  # type: ignore[no-untyped-def]
    certificate = services.remote_credential_link(
        actor=team.signer, credential_id=CREDENTIAL, provider_name="async"
    )
    services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    return certificate


def transaction_of(request: SigningRequest) -> str:
    return str(request.prepared["transaction_id"])


def test_approved_on_the_phone_the_draft_is_signed_and_the_signer_notified(
    team, provider, tmp_path
):
    certificate = link(team)
    draft = approved(team)
    request = draft_signing.draft_phone_sign_start(
        actor=team.signer, draft=draft, certificate=certificate
    )
    assert stand_in().transactions[transaction_of(request)].status == testasync.PENDING
    assert (tmp_path / request.prepared_storage_name).is_file()
    # Not answered yet: nothing is signed.
    assert draft_signing.draft_phone_sign_check(actor=team.signer, code=request.code) is None
    draft.refresh_from_db()
    assert not draft.is_signed
    notified = Notification.objects.filter(recipient=team.signer).count()

    approve(transaction_of(request))
    signed = draft_signing.draft_phone_sign_check(actor=team.signer, code=request.code)

    assert signed is not None and signed.is_signed and signed.signed_via == KeyStorage.REMOTE
    data = (tmp_path / signed.signed_storage_name).read_bytes()
    report = verify.verify_pdf(data, services.trust_roots(), revocation="hard-fail")
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [certificate.fingerprint]
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert not (tmp_path / request.prepared_storage_name).exists()
    notes = Notification.objects.filter(recipient=team.signer).order_by("-pk")
    assert notes.count() == notified + 1
    assert notes[0].title.startswith("Đã ký số văn bản (xác nhận trên điện thoại)")
    # The request is used: a second check is refused.
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_phone_sign_check(actor=team.signer, code=request.code)
    assert caught.value.message == "Yêu cầu ký số này đã được dùng hoặc đã bị hủy."


def _closed_without_signature(team, tmp_path, answer, message):  # type: ignore[no-untyped-def]
    certificate = link(team)
    draft = approved(team)
    request = draft_signing.draft_phone_sign_start(
        actor=team.signer, draft=draft, certificate=certificate
    )
    answer(request)
    before = state(draft, tmp_path)
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_phone_sign_check(actor=team.signer, code=request.code)
    assert caught.value.message == message
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    after = state(draft, tmp_path)
    assert after["signed"] == before["signed"] == (None, "", "")
    assert after["reports"] == before["reports"]
    assert request.prepared_storage_name not in " ".join(after["files"])


def test_refused_on_the_phone_stores_nothing(team, provider, tmp_path):
    _closed_without_signature(
        team,
        tmp_path,
        lambda r: approve(transaction_of(r), refuse=True),
        asynchronous.MSG_REFUSED_BY_SIGNER,
    )


def test_an_expired_transaction_stores_nothing(team, provider, tmp_path, monkeypatch):
    def expire(request):  # type: ignore[no-untyped-def]
        later = stand_in().now() + stand_in().transaction_lifetime + 1
        monkeypatch.setattr(stand_in(), "now", lambda: later)

    _closed_without_signature(team, tmp_path, expire, asynchronous.MSG_EXPIRED)


def test_a_transaction_cancelled_at_the_provider_stores_nothing(team, provider, tmp_path):
    def cancel(request):  # type: ignore[no-untyped-def]
        asynchronous.AsyncClient(services.remote_async_provider()).cancel(transaction_of(request))

    _closed_without_signature(team, tmp_path, cancel, asynchronous.MSG_CANCELLED)


def test_the_signer_cancels_and_the_phone_can_no_longer_approve(team, provider, tmp_path):
    certificate = link(team)
    draft = approved(team)
    request = draft_signing.draft_phone_sign_start(
        actor=team.signer, draft=draft, certificate=certificate
    )
    draft_signing.draft_phone_sign_cancel(actor=team.signer, code=request.code)
    assert stand_in().transactions[transaction_of(request)].status == testasync.CANCELLED
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert not (tmp_path / request.prepared_storage_name).exists()
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_certificate_not_confirmed_on_the_phone_and_another_persons_request_are_refused(
    team, provider, tmp_path
):
    certificate = link(team)
    draft = approved(team)
    certificate.remote_provider = "csc"
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_phone_sign_start(
            actor=team.signer, draft=draft, certificate=certificate
        )
    assert caught.value.message == draft_signing.MSG_PHONE_NOT_ASYNC
    assert not SigningRequest.objects.exists()
    certificate.refresh_from_db()
    request = draft_signing.draft_phone_sign_start(
        actor=team.signer, draft=draft, certificate=certificate
    )
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_phone_sign_check(actor=team.clerk, code=request.code)
    assert caught.value.message == "Không tìm thấy yêu cầu ký số."


# ---------------------------------------------------------------- the pages


def test_the_pages_start_wait_cancel_and_sign(team, provider, client_for, tmp_path):
    link(team)
    draft = approved(team)
    client = client_for(team.signer)
    page = client.get(f"/du-thao/{draft.pk}/").content.decode()
    assert 'id="phone-sign-form"' in page
    assert 'name="phone_certificate"' in page

    # Nothing chosen: refused on the form, nothing asked on a phone.
    count = len(stand_in().transactions)
    response = client.post(f"/du-thao/{draft.pk}/ky-so/dien-thoai/", {})
    assert response.status_code == 200
    assert len(stand_in().transactions) == count

    response = client.post(
        f"/du-thao/{draft.pk}/ky-so/dien-thoai/", {"phone_certificate": _cert_pk(team)}
    )
    assert response.status_code == 302
    request = SigningRequest.objects.get()
    assert response["Location"] == f"/du-thao/{draft.pk}/ky-so/dien-thoai/{request.code}/"
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200
    assert "Hãy xác nhận giao dịch ký số trên điện thoại." in waiting.content.decode()
    assert waiting["Refresh"] == "3"

    # "Hủy": the transaction is cancelled and the draft stays unsigned.
    response = client.post(f"/du-thao/{draft.pk}/ky-so/dien-thoai/{request.code}/huy/")
    assert response.status_code == 302
    assert stand_in().transactions[transaction_of(request)].status == testasync.CANCELLED
    page = client.get(response["Location"]).content.decode()
    assert "Đã hủy giao dịch ký số; văn bản chưa được ký." in page

    # Start again, refuse on the phone: the message is shown, nothing stored.
    client.post(f"/du-thao/{draft.pk}/ky-so/dien-thoai/", {"phone_certificate": _cert_pk(team)})
    request = SigningRequest.objects.get(status=RequestStatus.PENDING)
    approve(transaction_of(request), refuse=True)
    response = client.get(f"/du-thao/{draft.pk}/ky-so/dien-thoai/{request.code}/", follow=True)
    assert asynchronous.MSG_REFUSED_BY_SIGNER in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed

    # Start again, approve: the draft's page says it is signed.
    client.post(f"/du-thao/{draft.pk}/ky-so/dien-thoai/", {"phone_certificate": _cert_pk(team)})
    request = SigningRequest.objects.get(status=RequestStatus.PENDING)
    approve(transaction_of(request))
    response = client.get(f"/du-thao/{draft.pk}/ky-so/dien-thoai/{request.code}/", follow=True)
    page = response.content.decode()
    assert "Đã ký số văn bản; chữ ký đã được kiểm tra và hợp lệ." in page
    assert 'id="signed-status"><strong class="status-active">Đã ký số</strong>' in page

    # A code that is not the person's own: 404.
    assert client.get(f"/du-thao/{draft.pk}/ky-so/dien-thoai/khong-co/").status_code == 404


def _cert_pk(team) -> str:  # type: ignore[no-untyped-def]
    return str(Certificate.objects.get(user=team.signer).pk)


def test_signing_with_a_pin_refuses_a_key_confirmed_on_the_phone(team, provider, tmp_path):
    certificate = link(team)
    draft = approved(team)
    before = state(draft, tmp_path)
    count = len(stand_in().transactions)
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=signing.PIN
        )
    assert caught.value.message == draft_signing.MSG_PHONE_ONLY
    assert state(draft, tmp_path) == before
    assert len(stand_in().transactions) == count


def test_a_phone_request_is_not_a_request_for_vanban_sign(team, provider):
    certificate = link(team)
    draft = approved(team)
    request = draft_signing.draft_phone_sign_start(
        actor=team.signer, draft=draft, certificate=certificate
    )
    for call in (
        lambda: draft_signing.signing_request_data(actor=team.signer, code=request.code),
        lambda: draft_signing.signing_request_complete(
            actor=team.signer, code=request.code, signature_value=b"x"
        ),
    ):
        with pytest.raises(ServiceError) as caught:
            call()
        assert caught.value.message == "Không tìm thấy yêu cầu ký số."
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
