"""Keys on a PKCS#11 token or HSM (R11), with SoftHSM2: the test PKI's
"nguoi-ky" key is imported into a fresh token; the competent signer signs with it through the
server, and every refusal (wrong PIN, missing key, another key, no module) changes nothing.

Without SoftHSM2 these tests are skipped and say why; with VANBAN_REQUIRE_SOFTHSM=1 (CI) they
fail instead."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import pem, x509

from tests import signing
from tests.support.drafting import Team, create_draft, to_approved
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import Draft
from vanban.signatures import pdfsign, services, verify
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    VerificationReport,
)
from vanban.signatures.pkcs11 import MSG_MISMATCH, MSG_NOT_CONFIGURED, MSG_PIN_WRONG, Pkcs11Key

pytestmark = pytest.mark.django_db

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "vanban-test"
TOKEN_PIN = "123456"
SO_PIN = "12345678"
KEY_LABEL = "nguoi-ky"
MISSING = (
    "SoftHSM2 chưa được cài đặt (cần softhsm2-util và /usr/lib/softhsm/libsofthsm2.so: "
    "apt-get install -y softhsm2)"
)


@dataclass(frozen=True)
class SoftHsm:
    """A SoftHSM2 token of this test process holding the test PKI's "nguoi-ky" key."""

    module: str
    conf: Path
    token_label: str
    pin: str
    key_label: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}


_HSM: SoftHsm | None = None


def softhsm() -> SoftHsm:
    """The token, made once per test process in a temporary token directory. SoftHSM2 reads
    SOFTHSM2_CONF when the module is first loaded, so it is set before anything loads it."""
    global _HSM
    util = shutil.which("softhsm2-util")
    if util is None or not Path(MODULE).exists():
        if os.environ.get("VANBAN_REQUIRE_SOFTHSM") == "1":
            pytest.fail(f"VANBAN_REQUIRE_SOFTHSM=1 nhưng {MISSING}.", pytrace=False)
        pytest.skip(f"{MISSING}: bỏ qua kiểm thử khóa trên thiết bị PKCS#11.")
    if _HSM is None:
        directory = Path(tempfile.mkdtemp(prefix="vanban-softhsm-"))
        tokens = directory / "tokens"
        tokens.mkdir()
        conf = directory / "softhsm2.conf"
        conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
        )
        env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
        key = directory / "nguoi-ky.key.pem"
        key.write_bytes(signing.pki().key_pem("nguoi-ky"))
        subprocess.run(  # noqa: S603
            [
                *[util, "--init-token", "--free", "--label", TOKEN_LABEL],
                *["--pin", TOKEN_PIN, "--so-pin", SO_PIN],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [
                *[util, "--import", str(key), "--token", TOKEN_LABEL, "--label", KEY_LABEL],
                *["--id", "01", "--pin", TOKEN_PIN],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        key.unlink()
        os.environ["SOFTHSM2_CONF"] = str(conf)
        _HSM = SoftHsm(MODULE, conf, TOKEN_LABEL, TOKEN_PIN, KEY_LABEL)
    return _HSM


@pytest.fixture
def hsm(settings) -> SoftHsm:
    token = softhsm()
    settings.VANBAN_PKCS11_MODULE = token.module
    settings.VANBAN_PKCS11_TOKEN = token.token_label
    return token


def certificate_with_chain(label: str = "nguoi-ky") -> bytes:
    """The public certificate file a signer hands in: their certificate and the issuing CA."""
    return signing.pki().cert_pem(label) + signing.pki().sub_ca_pem()


def register(team: Team, *, key_storage: str, key_label: str = "") -> Certificate:
    """The signer registers their certificate (public part only) and signature image."""
    signing.trust()
    certificate = services.certificate_add(
        actor=team.signer,
        kind=CertificateKind.PERSONAL,
        user=team.signer,
        key_storage=key_storage,
        certificate=certificate_with_chain(),
        pkcs11_key_label=key_label,
    )
    services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    return certificate


def approved(team: Team) -> Draft:
    draft = create_draft(team)
    return to_approved(team, draft)


def state(draft: Draft, storage: Path) -> dict:
    """Everything a refused signing could have changed."""
    draft.refresh_from_db()
    return {
        "signed": (draft.signed_version_id, draft.signed_storage_name, draft.signed_sha256),
        "files": sorted(str(p) for p in storage.rglob("*") if p.is_file()),
        "reports": VerificationReport.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def nothing_left_logged_in(token: SoftHsm) -> None:
    """A PKCS#11 login belongs to the whole process: if a session had been left open and
    logged in, logging in again would fail with "user already logged in"."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    session = open_pkcs11_session(
        token.module, token_criteria=TokenCriteria(label=token.token_label), user_pin=token.pin
    )
    session.close()


def test_the_signer_signs_with_the_key_on_the_token(team, hsm, tmp_path):
    certificate = register(team, key_storage=KeyStorage.PKCS11, key_label=hsm.key_label)
    assert certificate.pkcs11_key_label == "nguoi-ky"
    draft = approved(team)

    signed = draft_signing.draft_sign(
        actor=team.signer, draft=draft, certificate=certificate, pin=hsm.pin
    )

    assert signed.is_signed
    assert signed.signed_via == KeyStorage.PKCS11
    data = (tmp_path / signed.signed_storage_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == signed.signed_sha256
    report = verify.verify_pdf(
        data, services.trust_roots(), revocation="hard-fail", now=clock.now()
    )
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [certificate.fingerprint]
    assert VerificationReport.objects.filter(draft=draft, status=verify.VALID).count() == 1
    nothing_left_logged_in(hsm)


def test_a_wrong_pin_is_refused_and_nothing_is_stored(team, hsm, tmp_path):
    certificate = register(team, key_storage=KeyStorage.PKCS11, key_label=hsm.key_label)
    draft = approved(team)
    before = state(draft, tmp_path)

    for wrong in ("654321", "1"):
        with pytest.raises(ServiceError) as caught:
            draft_signing.draft_sign(
                actor=team.signer, draft=draft, certificate=certificate, pin=wrong
            )
        assert caught.value.message == MSG_PIN_WRONG
        assert state(draft, tmp_path) == before
    nothing_left_logged_in(hsm)

    # The token is not locked or left half open: the right PIN signs.
    signed = draft_signing.draft_sign(
        actor=team.signer, draft=draft, certificate=certificate, pin=hsm.pin
    )
    assert signed.is_signed


def test_missing_key_token_or_module_are_refused_and_nothing_is_stored(
    team, hsm, settings, tmp_path
):
    certificate = register(team, key_storage=KeyStorage.PKCS11, key_label="khoa-khong-co")
    draft = approved(team)
    before = state(draft, tmp_path)

    def refused(message: str) -> None:
        with pytest.raises(ServiceError) as caught:
            draft_signing.draft_sign(
                actor=team.signer, draft=draft, certificate=certificate, pin=hsm.pin
            )
        assert caught.value.message == message
        assert state(draft, tmp_path) == before

    refused("Không tìm thấy khóa bí mật có nhãn “khoa-khong-co” trên thiết bị ký.")
    settings.VANBAN_PKCS11_TOKEN = "thiet-bi-khac"
    refused(
        "Không tìm thấy thiết bị ký có nhãn “thiet-bi-khac” (thiết bị chưa được cắm hoặc sai nhãn)."
    )
    settings.VANBAN_PKCS11_TOKEN = ""  # SoftHSM2 always shows a second, empty slot
    refused(
        "Thư viện PKCS#11 không có thiết bị ký nào hoặc có nhiều thiết bị; hãy chỉ rõ nhãn thiết "
        "bị ký."
    )
    settings.VANBAN_PKCS11_MODULE = ""
    refused(MSG_NOT_CONFIGURED)
    settings.VANBAN_PKCS11_MODULE = "/khong/co/libpkcs11.so"
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=hsm.pin
        )
    assert caught.value.message.startswith(
        "Không nạp được thư viện PKCS#11 “/khong/co/libpkcs11.so” của thiết bị ký"
    )
    assert state(draft, tmp_path) == before
    nothing_left_logged_in(hsm)


def test_a_key_of_another_certificate_is_refused(hsm):
    """The key labelled "nguoi-ky" does not sign for the certificate of "thu-hoi"."""
    other = x509.Certificate.load(pem.unarmor(signing.pki().cert_pem("thu-hoi"))[2])
    holder = Pkcs11Key(
        module=hsm.module,
        token_label=hsm.token_label,
        key_label=hsm.key_label,
        pin=hsm.pin,
        certificate=other,
    )
    with pytest.raises(pdfsign.SigningFailed) as caught:
        holder.check()
    assert str(caught.value) == MSG_MISMATCH
    with pytest.raises(pdfsign.SigningFailed):
        pdfsign.sign_raw(holder, b"du lieu")
    nothing_left_logged_in(hsm)


def test_the_holder_signs_raw_data_that_the_certificate_verifies(hsm):
    own = x509.Certificate.load(pem.unarmor(signing.pki().cert_pem("nguoi-ky"))[2])
    holder = Pkcs11Key(
        module=hsm.module,
        token_label=hsm.token_label,
        key_label=hsm.key_label,
        pin=hsm.pin,
        certificate=own,
    )
    holder.check()
    value = pdfsign.sign_raw(holder, b"thuoc tinh duoc ky")
    assert pdfsign.signature_matches(own, b"thuoc tinh duoc ky", value)
    assert not pdfsign.signature_matches(own, b"du lieu khac", value)
    assert [c.sha256 for c in holder.cert_registry] == [own.sha256]
    nothing_left_logged_in(hsm)


def test_a_pkcs11_certificate_needs_a_key_label(team):
    signing.trust()
    with pytest.raises(ServiceError) as caught:
        services.certificate_add(
            actor=team.signer,
            kind=CertificateKind.PERSONAL,
            user=team.signer,
            key_storage=KeyStorage.PKCS11,
            certificate=certificate_with_chain(),
            pkcs11_key_label="  ",
        )
    assert caught.value.message == "Cần nhãn khóa trên thiết bị PKCS#11."
    assert not Certificate.objects.exists()
