"""A person links the credential a remote signing service holds for them (NĐ 23/2025/NĐ-CP; TT
15/2025/TT-BKHCN), signs an approved draft with it from the draft page, with the PIN typed for
that signature only, and is told 30 days before a personal certificate expires (R11). Everything
runs against the test PKI's CSC stand-in on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.files.storage import default_storage

from tests import signing
from tests.signatures.test_pkcs11 import approved, state
from tests.signatures.test_remote_csc import closed_port
from tests.support.drafting import issue
from tests.support.province import make_user
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification
from vanban.core.schedule import DAILY_JOBS
from vanban.drafting import signing as draft_signing
from vanban.signatures import services, testcsc, verify
from vanban.signatures.models import Certificate, KeyStorage, MarkKind
from vanban.signatures.remote import csc
from vanban.signatures.services.certificates import MSG_NOT_TRUSTED
from vanban.signatures.services.remote import MSG_KEY_TOO_SHORT, _check_key_size

pytestmark = pytest.mark.django_db

CREDENTIAL = testcsc.credential_id("nguoi-ky")


@pytest.fixture
def provider(settings):
    settings.VANBAN_REMOTE_SIGNING = {
        "csc": {
            "endpoint": signing.pki().csc_url,
            "client_id": testcsc.CLIENT_ID,
            "client_secret": testcsc.CLIENT_SECRET,
        }
    }
    signing.trust()
    return settings


def link(user, credential: str = CREDENTIAL) -> Certificate:  # type: ignore[no-untyped-def]
    certificate = services.remote_credential_link(actor=user, credential_id=credential)
    services.mark_upload(
        actor=user, kind=MarkKind.SIGNATURE, user=user, data=signing.signature_png()
    )
    return certificate


def refused(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as caught:
        call()
    assert caught.value.message == message


# ---------------------------------------------------------------- linking


def test_a_person_links_a_remote_credential_without_a_pin(team, provider):
    assert services.remote_credentials_offered(user_id="nguoi-ky") == [CREDENTIAL]
    certificate = services.remote_credential_link(actor=team.signer, credential_id=CREDENTIAL)
    assert certificate.user == team.signer
    assert certificate.key_storage == KeyStorage.REMOTE
    assert (certificate.remote_provider, certificate.remote_credential_id) == ("csc", CREDENTIAL)
    assert certificate.subject_name == "Nguyễn Văn Ký"
    assert certificate.pkcs12_storage_name == ""
    assert certificate.get_key_storage_display() == "Khóa do dịch vụ ký số từ xa giữ"


@pytest.mark.parametrize(
    ("credential", "message"),
    [
        ("csc-thu-hoi", csc.MSG_DISABLED.format(credential="csc-thu-hoi")),
        ("csc-khong-co", csc.MSG_UNKNOWN_CREDENTIAL.format(credential="csc-khong-co")),
        ("csc-la", MSG_NOT_TRUSTED),
        ("  ", "Cần mã khóa ký số từ xa do nhà cung cấp cấp cho bạn."),
    ],
)
def test_a_credential_that_cannot_sign_is_refused(team, provider, credential, message):
    refused(
        lambda: services.remote_credential_link(actor=team.signer, credential_id=credential),
        message,
    )
    assert not Certificate.objects.exists()


def test_an_expired_credential_is_refused(team, provider):
    with pytest.raises(ServiceError) as caught:
        services.remote_credential_link(actor=team.signer, credential_id="csc-het-han")
    assert "hết hạn" in caught.value.message
    assert not Certificate.objects.exists()


def test_another_persons_credential_is_refused(team, provider):
    services.remote_credential_link(actor=team.signer, credential_id=CREDENTIAL)
    refused(
        lambda: services.remote_credential_link(actor=team.clerk, credential_id=CREDENTIAL),
        "Chứng thư số này đã được đăng ký.",
    )
    assert Certificate.objects.filter(user=team.clerk).count() == 0


def test_the_provider_down_is_refused(team, provider):
    provider.VANBAN_REMOTE_SIGNING["csc"]["endpoint"] = f"http://127.0.0.1:{closed_port()}/csc/v2"
    with pytest.raises(ServiceError) as caught:
        services.remote_credential_link(actor=team.signer, credential_id=CREDENTIAL)
    assert caught.value.message.startswith("Không kết nối được dịch vụ ký số từ xa")
    assert not Certificate.objects.exists()


def test_a_short_key_is_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weak key refused
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Khóa ngắn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    loaded = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    with pytest.raises(ServiceError) as caught:
        _check_key_size(loaded)
    assert caught.value.message == MSG_KEY_TOO_SHORT.format(algorithm="RSA", bits=1024)


def test_a_remote_key_is_not_registered_as_an_upload(team, provider):
    refused(
        lambda: services.certificate_add(
            actor=team.signer,
            kind="personal",
            user=team.signer,
            key_storage=KeyStorage.REMOTE,
            certificate=signing.pki().cert_pem("nguoi-ky"),
        ),
        "Nơi giữ khóa không hợp lệ.",
    )


def test_the_page_links_and_refuses(team, provider, client_for):
    client = client_for(team.signer)
    page = client.get("/chu-ky-so/").content.decode()
    assert 'id="remote-form"' in page
    response = client.post("/chu-ky-so/ky-so-tu-xa/", {"remote-credential_id": "csc-thu-hoi"})
    assert response.status_code == 200
    assert "đã bị thu hồi" in response.content.decode() or "csc-thu-hoi" in (
        response.content.decode()
    )
    assert not Certificate.objects.exists()
    response = client.post("/chu-ky-so/ky-so-tu-xa/", {"remote-credential_id": CREDENTIAL})
    assert response.status_code == 302
    assert Certificate.objects.get().key_storage == KeyStorage.REMOTE


# ---------------------------------------------------------------- signing a draft


def test_the_signer_signs_remotely_and_the_issued_document_verifies(team, provider, tmp_path):
    certificate = link(team.signer)
    draft = approved(team)

    signed = draft_signing.draft_sign(
        actor=team.signer, draft=draft, certificate=certificate, pin=signing.PIN
    )

    assert signed.is_signed and signed.signed_via == KeyStorage.REMOTE
    data = (tmp_path / signed.signed_storage_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == signed.signed_sha256
    report = verify.verify_pdf(
        data, services.trust_roots(), revocation="hard-fail", now=clock.now()
    )
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [certificate.fingerprint]
    document = issue(team, draft)
    main = document.files.get(role="main")
    with default_storage.open(main.storage_name) as handle:
        issued = handle.read()
    report = verify.verify_pdf(issued, services.trust_roots(), revocation="hard-fail")
    assert report.status == verify.VALID, report.reasons()
    assert [s.field for s in report.signatures] == [
        services.PERSONAL_FIELD,
        services.ORGANISATION_FIELD,
    ]


def test_a_wrong_pin_or_the_provider_down_changes_nothing(team, provider, tmp_path):
    certificate = link(team.signer)
    draft = approved(team)
    before = state(draft, tmp_path)
    refused(
        lambda: draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin="654321"
        ),
        csc.MSG_PIN,
    )
    assert state(draft, tmp_path) == before
    provider.VANBAN_REMOTE_SIGNING["csc"]["endpoint"] = f"http://127.0.0.1:{closed_port()}/csc/v2"
    with pytest.raises(ServiceError) as caught:
        draft_signing.draft_sign(
            actor=team.signer, draft=draft, certificate=certificate, pin=signing.PIN
        )
    assert "Văn bản chưa được ký" in caught.value.message
    assert state(draft, tmp_path) == before


def test_another_persons_remote_certificate_does_not_sign(team, provider, tmp_path):
    certificate = link(team.signer)
    draft = approved(team)
    before = state(draft, tmp_path)
    with pytest.raises(AccessDenied):
        draft_signing.draft_sign(
            actor=team.clerk, draft=draft, certificate=certificate, pin=signing.PIN
        )
    assert state(draft, tmp_path) == before


def test_the_draft_page_shows_the_certificate_and_signs_remotely(team, provider, client_for):
    certificate = link(team.signer)
    draft = approved(team)
    client = client_for(team.signer)
    page = client.get(f"/du-thao/{draft.pk}/").content.decode()
    assert 'id="sign-certificates"' in page
    assert "Nguyễn Văn Ký" in page
    assert (
        certificate.not_after.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
        in page
    )
    assert "Khóa do dịch vụ ký số từ xa giữ".lower() in page
    response = client.post(
        f"/du-thao/{draft.pk}/ky-so/", {"certificate": str(certificate.pk), "pin": "000000"}
    )
    assert response.status_code == 200
    assert csc.MSG_PIN in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed
    response = client.post(
        f"/du-thao/{draft.pk}/ky-so/", {"certificate": str(certificate.pk), "pin": signing.PIN}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.signed_via == KeyStorage.REMOTE


def test_the_page_warns_of_a_certificate_expiring_within_30_days(team, provider, client_for):
    certificate = link(team.signer)
    draft = approved(team)
    client = client_for(team.signer)
    assert 'id="sign-expiry-warning"' not in client.get(f"/du-thao/{draft.pk}/").content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(
        not_after=clock.now() + dt.timedelta(days=20)
    )
    page = client.get(f"/du-thao/{draft.pk}/").content.decode()
    assert 'id="sign-expiry-warning"' in page
    assert "còn dưới 30 ngày" in page


# ---------------------------------------------------------------- expiry notice


def test_the_holder_is_told_once_30_days_before_expiry(team, provider):
    certificate = link(team.signer)
    other = make_user(team.province.stttt, "Người Khác")
    notified_before = Notification.objects.filter(recipient=team.signer).count()
    early = certificate.not_after - dt.timedelta(days=31)
    assert services.certificates_expiry_notify(now=early) == 0
    due = certificate.not_after - dt.timedelta(days=29)
    assert services.certificates_expiry_notify(now=due) == 1
    assert services.certificates_expiry_notify(now=due + dt.timedelta(days=1)) == 0
    notes = Notification.objects.filter(recipient=team.signer)
    assert notes.count() == notified_before + 1
    note = notes.first()
    assert note is not None and note.title.startswith("Chứng thư số sắp hết hạn ngày")
    assert note.link == "/chu-ky-so/"
    assert not Notification.objects.filter(recipient=other).exists()
    Certificate.objects.filter(pk=certificate.pk).update(active=False, expiry_notified_at=None)
    assert services.certificates_expiry_notify(now=due) == 0


def test_the_expiry_notice_is_a_daily_job():
    from django.utils.module_loading import import_string

    [job] = [j for j in DAILY_JOBS if j.name == "certificate_expiry_notice"]
    assert import_string(job.task_path).call() == {"notified": 0}


def test_the_page_lists_the_credentials_of_a_user_id(team, provider, client_for):
    client = client_for(team.signer)
    page = client.get("/chu-ky-so/", {"tu-xa": "nguoi-ky"}).content.decode()
    assert 'id="remote-offered"' in page and f'value="{CREDENTIAL}"' in page
    page = client.get("/chu-ky-so/", {"tu-xa": "khong-ai"}).content.decode()
    assert "Nhà cung cấp không có khóa nào cho tên người dùng “khong-ai”." in page
    provider.VANBAN_REMOTE_SIGNING["csc"]["endpoint"] = f"http://127.0.0.1:{closed_port()}/csc/v2"
    response = client.get("/chu-ky-so/", {"tu-xa": "nguoi-ky"})
    assert response.status_code == 200
    assert "Không kết nối được dịch vụ ký số từ xa" in response.content.decode()
    provider.VANBAN_REMOTE_SIGNING = {}
    response = client.get("/chu-ky-so/", {"tu-xa": "nguoi-ky"})
    assert response.status_code == 200
    assert 'id="remote-list-error"' in response.content.decode()
