"""A person links the credential an asynchronous remote signing provider holds for them (the
signature is confirmed on their phone; NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN), like a CSC one:
the certificates and the key state come from the provider, no PIN is asked or kept. Runs against
the test PKI's asynchronous stand-in on loopback."""

from __future__ import annotations

import pytest

from tests import signing
from vanban.core.errors import ServiceError
from vanban.signatures import services, testasync
from vanban.signatures.models import Certificate, KeyStorage
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


def link(user, credential: str) -> Certificate:  # type: ignore[no-untyped-def]
    return services.remote_credential_link(
        actor=user, credential_id=credential, provider_name="async"
    )


def test_a_person_links_a_credential_confirmed_on_the_phone(team, provider):
    certificate = link(team.signer, CREDENTIAL)
    assert certificate.user == team.signer
    assert certificate.key_storage == KeyStorage.REMOTE
    assert (certificate.remote_provider, certificate.remote_credential_id) == (
        "async",
        CREDENTIAL,
    )
    assert certificate.subject_name == "Nguyễn Văn Ký"
    assert certificate.pkcs12_storage_name == ""


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("thu-hoi", asynchronous.MSG_DISABLED),
        ("het-han", asynchronous.MSG_EXPIRED_CERT),
    ],
)
def test_a_credential_that_cannot_sign_is_refused(team, provider, label, message):
    credential = testasync.credential_id(label)
    with pytest.raises(ServiceError) as caught:
        link(team.signer, credential)
    assert caught.value.message == message.format(credential=credential)
    assert not Certificate.objects.exists()


def test_an_unknown_credential_is_refused(team, provider):
    with pytest.raises(ServiceError) as caught:
        link(team.signer, "async-khong-co")
    assert caught.value.message == asynchronous.MSG_UNKNOWN_CREDENTIAL.format(
        credential="async-khong-co"
    )
    assert not Certificate.objects.exists()


def test_an_unconfigured_provider_is_refused(team, settings):
    settings.VANBAN_REMOTE_SIGNING = {}
    with pytest.raises(ServiceError) as caught:
        link(team.signer, CREDENTIAL)
    assert caught.value.message == asynchronous.MSG_NOT_CONFIGURED
    assert not Certificate.objects.exists()


def test_the_page_links_a_phone_credential_and_refuses_a_bad_choice(team, provider, client_for):
    client = client_for(team.signer)
    page = client.get("/chu-ky-so/").content.decode()
    assert "Xác nhận trên điện thoại" in page
    response = client.post(
        "/chu-ky-so/ky-so-tu-xa/",
        {"remote-credential_id": CREDENTIAL, "remote-provider": "khac"},
    )
    assert response.status_code == 200
    assert "Cách xác nhận khi ký không hợp lệ." in response.content.decode()
    assert not Certificate.objects.exists()
    response = client.post(
        "/chu-ky-so/ky-so-tu-xa/",
        {"remote-credential_id": CREDENTIAL, "remote-provider": "async"},
    )
    assert response.status_code == 302
    assert Certificate.objects.get().remote_provider == "async"
