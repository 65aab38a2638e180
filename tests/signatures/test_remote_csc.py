"""Remote signing through the Cloud Signature Consortium API v2 (R11; NĐ 23/2025/NĐ-CP; TT
15/2025/TT-BKHCN): the test PKI's CSC stand-in runs on loopback and holds the keys; the client
speaks to it over HTTP, and `remote_personal_sign` makes the competent signer's PAdES signature
with it. The signed PDF is checked by our verification and by poppler's `pdfsig`; every refusal
(wrong PIN, a SAD for other hashes, expired or used, a revoked credential, a wrong client secret,
the provider down) gives its Vietnamese message and writes nothing."""

from __future__ import annotations

import hashlib
import logging
import socket
from pathlib import Path

import pytest

from tests import signing
from tests.signatures.test_independent import nss_db, pdfsig_report, tool
from tests.signatures.test_pkcs11 import register
from tests.support.drafting import Team, official_pdf
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.signatures import services, testcsc, verify
from vanban.signatures.models import KeyStorage
from vanban.signatures.remote import csc
from vanban.signatures.services.remote import MSG_NOT_REGISTERED

pytestmark = pytest.mark.django_db

TITLE = "Phó Giám đốc"
CREDENTIAL = testcsc.credential_id("nguoi-ky")


def provider(**overrides: str) -> csc.CscProvider:
    values = {
        "endpoint": signing.pki().csc_url,
        "client_id": testcsc.CLIENT_ID,
        "client_secret": testcsc.CLIENT_SECRET,
    }
    values.update(overrides)
    return csc.CscProvider(**values)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def written(storage: Path) -> dict:
    """Everything a refused signing could have written."""
    return {
        "files": sorted(str(p) for p in storage.rglob("*") if p.is_file()),
        "audit": AuditEvent.objects.count(),
    }


def sign(team: Team, *, pin: str = signing.PIN, credential: str = CREDENTIAL, **kw) -> bytes:
    return services.remote_personal_sign(
        signer=team.signer,
        pdf=official_pdf(),
        title=TITLE,
        provider_config=kw.pop("provider_config", None) or provider(),
        credential_id=credential,
        pin=pin,
    )


def refused(call, message: str) -> ServiceError:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as caught:
        call()
    assert caught.value.message == message
    return caught.value


def test_the_stand_in_lists_and_describes_credentials():
    client = csc.CscClient(provider())

    assert client.info()["specs"].startswith("2.")
    assert client.credentials("nguoi-ky") == [CREDENTIAL]
    assert client.credentials("khong-co") == []
    info = client.credential_info(CREDENTIAL)
    assert info.key_status == "enabled" and info.cert_status == "valid"
    assert info.key_length == 2048
    assert info.auth_mode == "explicit" and info.pin_required
    assert info.sign_algorithm == csc.RSA_SHA256_OID
    # The chain: the signer's certificate, then the subordinate CA that issued it.
    pem = signing.pki().cert_pem("nguoi-ky")
    from asn1crypto import pem as asn1_pem

    assert info.certificates[0] == asn1_pem.unarmor(pem)[2]
    assert info.certificates[1] == asn1_pem.unarmor(signing.pki().sub_ca_pem())[2]
    info.check_usable()
    revoked = client.credential_info(testcsc.credential_id("thu-hoi"))
    assert (revoked.key_status, revoked.cert_status) == ("disabled", "revoked")


@pytest.mark.process
def test_a_remote_signature_verifies_with_our_check_and_pdfsig(team, tmp_path):
    certificate = register(team, key_storage=KeyStorage.LOCAL)

    data = sign(team)

    report = verify.verify_pdf(
        data, services.trust_roots(), revocation="hard-fail", now=clock.now()
    )
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [certificate.fingerprint]
    assert [s.field for s in report.signatures] == [services.PERSONAL_FIELD]

    pdfsig = tool("pdfsig", "poppler-utils")
    path = tmp_path / "ky-tu-xa.pdf"
    path.write_bytes(data)
    certutil = tool("certutil", "libnss3-tools")
    db = nss_db(certutil, tmp_path / "nss", with_root=True)
    [found] = pdfsig_report(pdfsig, db, path)
    assert found["Signature Field Name"] == services.PERSONAL_FIELD
    assert found["Signer Certificate Common Name"] == "Nguyễn Văn Ký"
    assert found["Signature Validation"] == "Signature is Valid."
    assert found["Signature Type"] == "ETSI.CAdES.detached"
    assert found["Certificate Validation"] in (
        "Certificate is Trusted.",
        "Unknown issue with Certificate or corrupted data.",  # old poppler, see test_independent
    )
    tampered = tmp_path / "bi-sua.pdf"
    where = data.index(b"WeasyPrint")
    tampered.write_bytes(data[:where] + b"X" + data[where + 1 :])
    [bad] = pdfsig_report(pdfsig, db, tampered)
    assert bad["Signature Validation"] in ("Digest Mismatch.", "Signature is Invalid.")


def test_a_wrong_pin_is_refused_never_shown_and_nothing_is_written(team, tmp_path, caplog):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    stand_in = signing.pki().csc()
    sads = len(stand_in._sads)
    caplog.set_level(logging.DEBUG)

    error = refused(lambda: sign(team, pin="987654"), csc.MSG_PIN)

    assert "987654" not in str(error) and "987654" not in caplog.text
    assert written(tmp_path) == before
    assert len(stand_in._sads) == sads  # no SAD was issued


def test_a_sad_only_signs_the_hashes_it_was_given_once_and_in_time(monkeypatch):
    client = csc.CscClient(provider())
    mine, other = hashlib.sha256(b"thuoc tinh ky").digest(), hashlib.sha256(b"khac").digest()
    sad = client.authorize(CREDENTIAL, [mine], signing.PIN)

    refused(lambda: client.sign_hash(CREDENTIAL, sad, [other]), csc.MSG_SAD)
    refused(lambda: client.sign_hash(CREDENTIAL, sad, [mine, other]), csc.MSG_SAD)
    refused(lambda: client.sign_hash(CREDENTIAL, "sad-gia", [mine]), csc.MSG_SAD)
    # Another credential may not use it either.
    refused(lambda: client.sign_hash(testcsc.credential_id("ducpm"), sad, [mine]), csc.MSG_SAD)

    [value] = client.sign_hash(CREDENTIAL, sad, [mine])
    from asn1crypto import pem, x509

    from vanban.signatures import pdfsign

    cert = x509.Certificate.load(pem.unarmor(signing.pki().cert_pem("nguoi-ky"))[2])
    assert pdfsign.signature_matches(cert, b"thuoc tinh ky", value)
    # Used: a second signature with the same SAD is refused.
    refused(lambda: client.sign_hash(CREDENTIAL, sad, [mine]), csc.MSG_SAD)

    # Short-lived: past its lifetime a SAD is refused.
    stand_in = signing.pki().csc()
    late = client.authorize(CREDENTIAL, [mine], signing.PIN)
    start = stand_in.now()
    monkeypatch.setattr(stand_in, "now", lambda: start + testcsc.SAD_LIFETIME + 1)
    refused(lambda: client.sign_hash(CREDENTIAL, late, [mine]), csc.MSG_SAD)


def test_a_revoked_or_unknown_credential_is_refused(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    revoked = testcsc.credential_id("thu-hoi")

    refused(lambda: sign(team, credential=revoked), csc.MSG_DISABLED.format(credential=revoked))
    # The provider refuses it too, even when asked directly.
    client = csc.CscClient(provider())
    digest = hashlib.sha256(b"x").digest()
    refused(
        lambda: client.authorize(revoked, [digest], signing.PIN),
        csc.MSG_DISABLED.format(credential=revoked),
    )
    refused(
        lambda: sign(team, credential="csc-khong-co"),
        csc.MSG_UNKNOWN_CREDENTIAL.format(credential="csc-khong-co"),
    )
    expired = testcsc.credential_id("het-han")
    refused(lambda: sign(team, credential=expired), csc.MSG_EXPIRED.format(credential=expired))
    assert written(tmp_path) == before


def test_a_credential_whose_certificate_is_not_the_signers_is_refused(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    stand_in = signing.pki().csc()
    sads = len(stand_in._sads)
    someone_else = testcsc.credential_id("ducpm")

    refused(
        lambda: sign(team, credential=someone_else),
        MSG_NOT_REGISTERED.format(credential=someone_else),
    )
    assert len(stand_in._sads) == sads  # the PIN was not even sent
    assert written(tmp_path) == before


def test_a_wrong_client_secret_is_refused(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)

    refused(lambda: sign(team, provider_config=provider(client_secret="sai")), csc.MSG_CLIENT)
    refused(lambda: sign(team, provider_config=provider(client_id="khac")), csc.MSG_CLIENT)
    assert written(tmp_path) == before


def test_an_expired_access_token_is_fetched_again(monkeypatch):
    client = csc.CscClient(provider())
    assert client.credentials("nguoi-ky") == [CREDENTIAL]
    first = client._token
    stand_in = signing.pki().csc()
    start = stand_in.now()
    monkeypatch.setattr(stand_in, "now", lambda: start + testcsc.TOKEN_LIFETIME + 1)

    assert client.credentials("nguoi-ky") == [CREDENTIAL]
    assert client._token not in (None, first)


def test_a_provider_that_is_down_is_said_in_vietnamese(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    port = closed_port()
    down = provider(endpoint=f"http://127.0.0.1:{port}/csc/v2")

    refused(
        lambda: sign(team, provider_config=down),
        csc.MSG_UNREACHABLE.format(host=f"127.0.0.1:{port}"),
    )
    assert written(tmp_path) == before


def test_the_provider_is_read_from_the_settings(settings):
    settings.VANBAN_REMOTE_SIGNING = {}
    refused(services.remote_provider, csc.MSG_NOT_CONFIGURED)
    settings.VANBAN_REMOTE_SIGNING = {"csc": {"endpoint": "ftp://x", "client_id": "a"}}
    refused(services.remote_provider, csc.MSG_NOT_CONFIGURED)
    settings.VANBAN_REMOTE_SIGNING = {
        "csc": {"endpoint": "https://x", "client_id": "a", "client_secret": "b", "timeout": "x"}
    }
    refused(services.remote_provider, csc.MSG_NOT_CONFIGURED)
    settings.VANBAN_REMOTE_SIGNING = {
        "csc": {
            "endpoint": "https://ky.example.vn/csc/v2/",
            "client_id": "ubnd-tinh",
            "client_secret": "bi-mat",
        }
    }
    found = services.remote_provider()
    assert (found.endpoint, found.client_id, found.host) == (
        "https://ky.example.vn/csc/v2",
        "ubnd-tinh",
        "ky.example.vn",
    )
    assert "bi-mat" not in repr(found)


def test_answers_that_are_not_csc_are_refused():
    client = csc.CscClient(provider(endpoint=f"{signing.pki().base_url}/khong-phai-csc"))
    with pytest.raises(ServiceError) as caught:
        client.credentials("nguoi-ky")
    assert caught.value.message == csc.MSG_BAD_ANSWER.format(detail="HTTP 404")


def test_the_stand_in_answers_refusals_in_the_csc_shape():
    import json
    import urllib.error
    import urllib.request

    client = csc.CscClient(provider())
    client.credentials("nguoi-ky")  # fetches the access token

    def post(method: str, data: bytes, token: str | None = client._token) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310
            f"{signing.pki().csc_url}/{method}", data=data, method="POST"
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    assert post("credentials/list", b'{"userID": "nguoi-ky"}', token=None) == (
        401,
        {"error": "invalid_token", "error_description": "The access token is not valid"},
    )
    status, answer = post("credentials/authorize", b'{"credentialID": "csc-nguoi-ky", "hashes"')
    assert status == 400 and answer["error"] == "invalid_request"
    status, answer = post(
        "credentials/authorize",
        json.dumps({"credentialID": CREDENTIAL, "hashes": ["khong-phai-base64"]}).encode(),
    )
    assert (status, answer["error_description"]) == (400, "Invalid Base64 hash string")
