"""Remote signing with an asynchronous provider (the person confirms on their phone; R11; NĐ
23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): the test PKI's stand-in runs on loopback and holds the
keys; the person's answer comes from `vanban testpki approve` or the stand-in's confirmation
page. The signed PDF is checked by our verification and by poppler's `pdfsig`; refusal on the
phone, expiry, time-out, cancel, a revoked credential and the provider down give their Vietnamese
messages and write nothing."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from tests import signing
from tests.signatures.test_independent import nss_db, pdfsig_report, tool
from tests.signatures.test_pkcs11 import register
from tests.signatures.test_remote_csc import closed_port, refused, written
from tests.support.drafting import Team, official_pdf
from vanban.core import clock
from vanban.signatures import pdfsign, services, testasync, verify
from vanban.signatures.models import KeyStorage
from vanban.signatures.remote import asynchronous
from vanban.signatures.services.remote import MSG_NOT_REGISTERED

pytestmark = pytest.mark.django_db

TITLE = "Phó Giám đốc"
CREDENTIAL = testasync.credential_id("nguoi-ky")


def provider(**overrides: object) -> asynchronous.AsyncProvider:
    values: dict = {
        "endpoint": signing.pki().async_url,
        "client_id": testasync.CLIENT_ID,
        "client_secret": testasync.CLIENT_SECRET,
    }
    values.update(overrides)
    return asynchronous.AsyncProvider(**values)


def stand_in() -> testasync.AsyncStandIn:
    return signing.pki().async_signing()


def approve(transaction_id: str, *, refuse: bool = False) -> str:
    """The person answers on their phone: `vanban testpki approve` against the running stand-in."""
    out = io.StringIO()
    args = ["approve", transaction_id, "--dir", str(signing.pki().directory)]
    call_command("testpki", *args, *(["--refuse"] if refuse else []), stdout=out)
    return out.getvalue()


class Phone:
    """A client whose waiting is the passing of time: each pause moves its clock on, and the
    person may answer during the first one."""

    def __init__(self, answer: str | None = None) -> None:
        self.answer = answer
        self.time = 0.0
        self.pauses: list[float] = []
        self.transaction_id = ""

    def client(self, config: asynchronous.AsyncProvider) -> asynchronous.AsyncClient:
        return asynchronous.AsyncClient(config, sleep=self.sleep, clock=lambda: self.time)

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.time += seconds
        if self.answer and len(self.pauses) == 1:
            approve(self.transaction_id, refuse=self.answer == "refuse")


def start(team: Team, *, credential: str = CREDENTIAL, **kw) -> services.PendingRemoteSignature:
    return services.remote_personal_sign_start(
        signer=team.signer,
        pdf=official_pdf(),
        title=TITLE,
        provider_config=kw.pop("provider_config", None) or provider(),
        credential_id=credential,
        description="Ký Quyết định số 12/QĐ-UBND",
        **kw,
    )


def finish(pending, phone: Phone | None = None, **kw) -> bytes | None:  # type: ignore[no-untyped-def]
    config = provider()
    if phone is not None:
        phone.transaction_id = pending.transaction_id
        kw["client"] = phone.client(config)
    return services.remote_personal_sign_finish(pending=pending, provider_config=config, **kw)


@pytest.mark.process
def test_a_signature_confirmed_on_the_phone_verifies_with_our_check_and_pdfsig(team, tmp_path):
    certificate = register(team, key_storage=KeyStorage.LOCAL)
    pending = start(team)
    assert stand_in().transactions[pending.transaction_id].status == testasync.PENDING
    # Still pending: one poll says so and nothing is made.
    assert finish(pending, wait=False) is None

    # The caller may keep the state apart from the prepared PDF between the two steps.
    kept = json.loads(json.dumps(pending.to_dict()))
    pending = services.PendingRemoteSignature.from_dict(pending.prepared.pdf, kept)
    phone = Phone(answer="approve")
    data = finish(pending, phone)

    assert data is not None and phone.pauses == [asynchronous.FIRST_POLL]
    report = verify.verify_pdf(
        data, services.trust_roots(), revocation="hard-fail", now=clock.now()
    )
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [certificate.fingerprint]
    assert [s.field for s in report.signatures] == [services.PERSONAL_FIELD]

    pdfsig = tool("pdfsig", "poppler-utils")
    path = tmp_path / "ky-xac-nhan-tren-dien-thoai.pdf"
    path.write_bytes(data)
    db = nss_db(tool("certutil", "libnss3-tools"), tmp_path / "nss", with_root=True)
    [found] = pdfsig_report(pdfsig, db, path)
    assert found["Signature Field Name"] == services.PERSONAL_FIELD
    assert found["Signer Certificate Common Name"] == "Nguyễn Văn Ký"
    assert found["Signature Validation"] == "Signature is Valid."
    assert found["Signature Type"] == "ETSI.CAdES.detached"


def test_refused_on_the_phone(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    pending = start(team)
    before = written(tmp_path)

    refused(lambda: finish(pending, Phone(answer="refuse")), asynchronous.MSG_REFUSED_BY_SIGNER)
    assert stand_in().transactions[pending.transaction_id].status == testasync.REFUSED
    assert written(tmp_path) == before
    # An answered transaction cannot be answered again.
    with pytest.raises(CommandError, match="không còn chờ xác nhận \\(đã từ chối\\)"):
        approve(pending.transaction_id)


def test_waiting_is_bounded_then_the_transaction_is_cancelled(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    pending = start(team)
    before = written(tmp_path)
    phone = Phone()  # nobody answers

    refused(
        lambda: finish(pending, phone, max_wait=60), asynchronous.MSG_TIMEOUT.format(seconds=60)
    )
    # Backoff: 2, 4, 8, 15, 15, ... never past the bound.
    assert phone.pauses[:4] == [2.0, 4.0, 8.0, 15.0]
    assert sum(phone.pauses) == 60
    assert stand_in().transactions[pending.transaction_id].status == testasync.CANCELLED
    assert written(tmp_path) == before


def test_a_transaction_expires_at_the_provider(team, tmp_path, monkeypatch):
    register(team, key_storage=KeyStorage.LOCAL)
    pending = start(team)
    before = written(tmp_path)
    start_time = stand_in().now()
    monkeypatch.setattr(stand_in(), "now", lambda: start_time + stand_in().transaction_lifetime + 1)

    refused(lambda: finish(pending, wait=False), asynchronous.MSG_EXPIRED)
    with pytest.raises(CommandError, match="đã hết hạn"):
        approve(pending.transaction_id)
    assert written(tmp_path) == before


def test_a_cancelled_transaction_cannot_be_approved(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    pending = start(team)
    before = written(tmp_path)

    services.remote_personal_sign_cancel(pending=pending, provider_config=provider())

    with pytest.raises(CommandError, match="đã hủy"):
        approve(pending.transaction_id)
    refused(lambda: finish(pending, wait=False), asynchronous.MSG_CANCELLED)
    with pytest.raises(CommandError, match="Không có giao dịch ký số"):
        approve("khong-co")
    assert written(tmp_path) == before


def test_a_provider_that_is_down_is_said_in_vietnamese(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    port = closed_port()
    down = provider(endpoint=f"http://127.0.0.1:{port}/async/v1")

    refused(
        lambda: start(team, provider_config=down),
        asynchronous.MSG_UNREACHABLE.format(host=f"127.0.0.1:{port}"),
    )
    assert written(tmp_path) == before


def test_a_revoked_unknown_or_foreign_credential_is_refused(team, tmp_path):
    register(team, key_storage=KeyStorage.LOCAL)
    before = written(tmp_path)
    count = len(stand_in().transactions)
    revoked = testasync.credential_id("thu-hoi")

    refused(
        lambda: start(team, credential=revoked),
        asynchronous.MSG_DISABLED.format(credential=revoked),
    )
    # The provider refuses a transaction for it too, even when asked directly.
    client = asynchronous.AsyncClient(provider())
    digest = hashlib.sha256(b"x").digest()
    refused(
        lambda: client.create(revoked, [digest]),
        asynchronous.MSG_DISABLED.format(credential=revoked),
    )
    refused(
        lambda: start(team, credential="async-khong-co"),
        asynchronous.MSG_UNKNOWN_CREDENTIAL.format(credential="async-khong-co"),
    )
    expired = testasync.credential_id("het-han")
    refused(
        lambda: start(team, credential=expired),
        asynchronous.MSG_EXPIRED_CERT.format(credential=expired),
    )
    other = testasync.credential_id("ducpm")
    refused(lambda: start(team, credential=other), MSG_NOT_REGISTERED.format(credential=other))
    assert len(stand_in().transactions) == count  # nobody was asked on their phone
    assert written(tmp_path) == before


def test_a_wrong_client_secret_is_refused(team):
    register(team, key_storage=KeyStorage.LOCAL)
    refused(
        lambda: start(team, provider_config=provider(client_secret="sai")),
        asynchronous.MSG_CLIENT,
    )


def test_several_hashes_are_signed_in_one_transaction():
    client = asynchronous.AsyncClient(provider())
    documents = [b"thuoc tinh ky 1", b"thuoc tinh ky 2", b"thuoc tinh ky 3"]
    state = client.create(
        CREDENTIAL,
        [hashlib.sha256(d).digest() for d in documents],
        callback_url="http://127.0.0.1:9/ket-qua",
    )
    assert state.status == asynchronous.PENDING

    assert "Đã đồng ý ký" in approve(state.transaction_id)
    values = client.wait(state.transaction_id, expected=3)

    from asn1crypto import pem, x509

    cert = x509.Certificate.load(pem.unarmor(signing.pki().cert_pem("nguoi-ky"))[2])
    assert [
        pdfsign.signature_matches(cert, d, v) for d, v in zip(documents, values, strict=True)
    ] == [
        True,
        True,
        True,
    ]
    assert not pdfsign.signature_matches(cert, documents[0], values[1])
    # The caller's callback URL is told the outcome.
    assert (
        "http://127.0.0.1:9/ket-qua",
        {"transactionId": state.transaction_id, "status": "approved"},
    ) in stand_in().callbacks


def test_the_confirmation_page_answers_loopback_only():
    client = asynchronous.AsyncClient(provider())
    state = client.create(CREDENTIAL, [hashlib.sha256(b"trang").digest()], description="Ký thử")
    url = f"{signing.pki().async_url}/transactions/{state.transaction_id}"

    with urllib.request.urlopen(f"{url}/confirm", timeout=10) as response:  # noqa: S310
        page = response.read().decode()
    assert "Ký thử" in page and "Đang chờ xác nhận" in page and "Đồng ý ký" in page

    # From another address the phone's answer is refused.
    environ = {
        "PATH_INFO": f"/async/v1/transactions/{state.transaction_id}/approve",
        "REQUEST_METHOD": "POST",
        "REMOTE_ADDR": "10.0.0.5",
        "CONTENT_LENGTH": "16",
        "wsgi.input": io.BytesIO(b"decision=approve"),
    }
    statuses: list[str] = []
    body = b"".join(stand_in()(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["403 Bad Request"] and b"access_denied" in body
    assert client.status(state.transaction_id).status == asynchronous.PENDING

    request = urllib.request.Request(  # noqa: S310
        f"{url}/approve", data=b"decision=refuse", method="POST"
    )
    request.add_header("Accept", "text/html")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert "Đã từ chối ký" in response.read().decode()
    assert client.status(state.transaction_id).status == asynchronous.REFUSED


def test_the_provider_is_read_from_the_settings(settings):
    settings.VANBAN_REMOTE_SIGNING = {"csc": {"endpoint": "https://x", "client_id": "a"}}
    refused(services.remote_async_provider, asynchronous.MSG_NOT_CONFIGURED)
    settings.VANBAN_REMOTE_SIGNING = {
        "async": {"endpoint": "https://x", "client_id": "a", "client_secret": "b", "max_wait": "x"}
    }
    refused(services.remote_async_provider, asynchronous.MSG_NOT_CONFIGURED)
    settings.VANBAN_REMOTE_SIGNING = {
        "async": {
            "endpoint": "https://ky.example.vn/async/v1/",
            "client_id": "ubnd-tinh",
            "client_secret": "bi-mat",
            "max_wait": "120",
        }
    }
    found = services.remote_async_provider()
    assert (found.endpoint, found.host, found.max_wait) == (
        "https://ky.example.vn/async/v1",
        "ky.example.vn",
        120,
    )
    assert "bi-mat" not in repr(found)


def test_the_approve_command_and_the_client_refuse_what_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="hãy chạy `vanban testpki create` trước"):
        call_command("testpki", "approve", "abc", "--dir", str(tmp_path / "khong-co"))
    # A test PKI whose services are not running.
    manifest = json.loads((signing.pki().directory / "manifest.json").read_text("utf-8"))
    manifest["port"] = closed_port()
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CommandError, match="hãy chạy `vanban testpki serve` trước"):
        call_command("testpki", "approve", "abc", "--dir", str(tmp_path))

    client = asynchronous.AsyncClient(provider())
    refused(lambda: client.status("khong-co"), asynchronous.MSG_UNKNOWN_TRANSACTION)
    refused(
        lambda: client.create(CREDENTIAL, [b"ngan"]),
        asynchronous.MSG_REFUSED.format(detail="Invalid Base64 hash string"),
    )
