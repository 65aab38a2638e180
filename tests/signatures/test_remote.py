"""The key stays on the signer's computer (R11): the server prepares the approved
PDF (`draft_sign_request`), the real `vanban-sign` command fetches what to sign over HTTP, signs
it with a PKCS#12 file or a PKCS#11 token (SoftHSM2) and sends the value back; the server
completes, checks and keeps the signed PDF. Every refusal (another key, wrong PIN, used,
expired or foreign code, a value that does not match) changes nothing."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tests import signing
from tests.signatures.test_pkcs11 import (
    SoftHsm,
    approved,
    register,
    softhsm,
    state,
)
from tests.support.api import ApiClient, token_for
from tests.support.drafting import NOW, Team
from vanban.core import clock
from vanban.drafting import signing as draft_signing
from vanban.drafting.models import Draft
from vanban.signatures import pdfsign, services, verify
from vanban.signatures.models import KeyStorage, RequestStatus, SigningRequest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.process]

VANBAN_SIGN = Path(sys.executable).parent / "vanban-sign"
MSG_USED = "Yêu cầu ký số này đã được dùng hoặc đã bị hủy."


@pytest.fixture
def hsm() -> SoftHsm:
    return softhsm()


def vanban_sign(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the installed command the way a signer does, without a terminal to ask a PIN on."""
    assert VANBAN_SIGN.exists(), f"{VANBAN_SIGN} chưa có: chạy .venv/bin/pip install -e . --no-deps"
    return subprocess.run(  # noqa: S603
        [str(VANBAN_SIGN), *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def request_for(team: Team) -> tuple[Draft, SigningRequest]:
    """An approved draft and the signer's request to sign it with the key on their computer."""
    certificate = register(team, key_storage=KeyStorage.LOCAL)
    draft = approved(team)
    request = draft_signing.draft_sign_request(
        actor=team.signer, draft=draft, certificate=certificate
    )
    return draft, request


def with_pkcs12(server: str, token: str, code: str, label: str = "nguoi-ky") -> list[str]:
    return [
        "--server",
        server,
        "--token",
        token,
        "--code",
        code,
        "--pkcs12",
        str(signing.pki().p12_path(label)),
        "--pin",
        signing.PIN,
    ]


def assert_signed(draft: Draft, request: SigningRequest, storage: Path) -> None:
    draft.refresh_from_db()
    assert draft.is_signed
    assert draft.signed_via == KeyStorage.LOCAL
    data = (storage / draft.signed_storage_name).read_bytes()
    report = verify.verify_pdf(
        data, services.trust_roots(), revocation="hard-fail", now=clock.now()
    )
    assert report.status == verify.VALID, report.reasons()
    assert [s.fingerprint for s in report.signatures] == [request.certificate.fingerprint]
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED


def test_vanban_sign_signs_with_a_pkcs12_file(team, document_types, live_server, tmp_path):
    draft, request = request_for(team)
    token = token_for(team.signer)

    done = vanban_sign(*with_pkcs12(live_server.url, token, request.code))

    assert done.returncode == 0, done.stderr
    assert f"Đã ký số văn bản “{draft.subject}”" in done.stdout
    assert "Nguyễn Văn Ký" in done.stdout  # the certificate the server asked for
    assert_signed(draft, request, tmp_path)

    # The code is used: a second run is refused and changes nothing.
    before = state(draft, tmp_path)
    again = vanban_sign(*with_pkcs12(live_server.url, token, request.code))
    assert again.returncode == 1
    assert again.stderr.strip() == f"Không ký được: Máy chủ từ chối: {MSG_USED}"
    assert state(draft, tmp_path) == before


def test_vanban_sign_signs_with_a_pkcs11_token(
    team, document_types, live_server, tmp_path, hsm: SoftHsm
):
    draft, request = request_for(team)
    token = token_for(team.signer)
    common = [
        "--server",
        live_server.url,
        "--code",
        request.code,
        "--pkcs11-module",
        hsm.module,
        "--token-label",
        hsm.token_label,
        "--key-label",
        hsm.key_label,
    ]
    env = {**hsm.env(), "VANBAN_TOKEN": token}
    before = state(draft, tmp_path)

    wrong = vanban_sign(*common, "--pin", "000000", env=env)
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "Không ký được: Mã PIN của thiết bị ký không đúng."
    missing = vanban_sign(*common[:-1], "khoa-khac", env={**env, "VANBAN_PIN": hsm.pin})
    assert missing.returncode == 1
    assert "Không tìm thấy khóa bí mật có nhãn “khoa-khac” trên thiết bị ký." in missing.stderr
    assert state(draft, tmp_path) == before
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING

    done = vanban_sign(*common, env={**env, "VANBAN_PIN": hsm.pin})
    assert done.returncode == 0, done.stderr
    assert_signed(draft, request, tmp_path)


def test_a_key_of_another_certificate_is_refused_before_anything_is_sent(
    team, document_types, live_server, tmp_path
):
    draft, request = request_for(team)
    token = token_for(team.signer)
    before = state(draft, tmp_path)

    other = vanban_sign(*with_pkcs12(live_server.url, token, request.code, label="het-han"))

    assert other.returncode == 1
    assert "Khóa trong tệp không thuộc chứng thư số mà máy chủ yêu cầu." in other.stderr
    assert "Máy chủ yêu cầu: Nguyễn Văn Ký" in other.stderr
    assert "Trần Văn Hết Hạn" in other.stderr
    assert state(draft, tmp_path) == before
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING

    wrong_pin = vanban_sign(*with_pkcs12(live_server.url, token, request.code)[:-1], "sai-pin")
    assert wrong_pin.returncode == 1
    assert "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng." in wrong_pin.stderr
    assert state(draft, tmp_path) == before


def test_expired_unknown_and_foreign_codes_are_refused(team, document_types, live_server, tmp_path):
    draft, request = request_for(team)
    own = token_for(team.signer)
    clerk = token_for(team.clerk)
    before = state(draft, tmp_path)
    url = live_server.url

    def refused(args: list[str], message: str) -> None:
        run = vanban_sign(*args)
        assert run.returncode == 1
        assert run.stderr.strip() == f"Không ký được: {message}"
        assert state(draft, tmp_path) == before

    refused(with_pkcs12(url, own, "0" * 32), "Máy chủ từ chối: Không tìm thấy yêu cầu ký số.")
    # Only the person who made the request may use its code.
    refused(
        with_pkcs12(url, clerk, request.code),
        "Máy chủ từ chối: Không tìm thấy yêu cầu ký số.",
    )
    refused(
        with_pkcs12(url, "vbt_khong-hop-le", request.code),
        "Máy chủ từ chối: Mã truy cập API không hợp lệ.",
    )
    with clock.frozen(NOW + draft_signing.REQUEST_LIFETIME + dt.timedelta(minutes=1)):
        refused(
            with_pkcs12(url, own, request.code),
            "Máy chủ từ chối: Yêu cầu ký số đã hết hạn; hãy tạo yêu cầu mới.",
        )
    # A new request cancels the pending one.
    fresh = draft_signing.draft_sign_request(
        actor=team.signer, draft=draft, certificate=request.certificate
    )
    before = state(draft, tmp_path)
    refused(with_pkcs12(url, own, request.code), f"Máy chủ từ chối: {MSG_USED}")
    done = vanban_sign(*with_pkcs12(url, own, fresh.code))
    assert done.returncode == 0, done.stderr
    assert_signed(draft, fresh, tmp_path)


def test_vanban_sign_says_what_is_missing(tmp_path):
    def refused(args: list[str], message: str, code: int = 1) -> None:
        run = vanban_sign(*args, env={"PATH": "/usr/bin:/bin"})
        assert run.returncode == code, run.stderr
        assert message in run.stderr

    p12 = str(signing.pki().p12_path("nguoi-ky"))
    refused(["--code", "abc", "--pkcs12", p12], "Cần địa chỉ hệ thống")
    refused(["--server", "http://127.0.0.1:9", "--code", "abc", "--pkcs12", p12], "Cần mã truy cập")
    refused(
        ["--server", "http://127.0.0.1:9", "--token", "vbt_x", "--pkcs12", p12],
        "Cần mã yêu cầu ký số (--code).",
    )
    refused(
        ["--server", "http://127.0.0.1:9", "--token", "vbt_x", "--code", "abc"],
        "Chọn đúng một nơi giữ khóa",
    )
    refused(
        [
            *["--server", "http://127.0.0.1:9", "--token", "vbt_x", "--code", "abc"],
            *["--pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so"],
        ],
        "Cần nhãn khóa trên thiết bị ký (--key-label).",
    )
    refused(
        ["--server", "http://127.0.0.1:9", "--token", "vbt_x", "--code", "abc", "--pkcs12", p12],
        "Không kết nối được tới máy chủ http://127.0.0.1:9",
    )
    refused(["--khong-co"], "Tham số không hợp lệ: không nhận ra tham số --khong-co", code=2)


# ---------------------------------------------------------------- the API itself


def test_the_api_gives_what_to_sign_and_refuses_a_value_of_another_key(
    team, document_types, tmp_path
):
    draft, request = request_for(team)
    api = ApiClient()
    token = token_for(team.signer)
    clerk = token_for(team.clerk)
    path = f"/signatures/requests/{request.code}"

    response = api.get(path, token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == request.code
    assert body["digest_algorithm"] == "sha256"
    assert base64.b64decode(body["certificate"]) == bytes(request.certificate.der)
    to_be_signed = base64.b64decode(body["to_be_signed"])
    before = state(draft, tmp_path)

    def refused(token: str | None, payload: dict, status: int, detail: str, field=None) -> None:
        response = api.post(path, token, payload)
        assert response.status_code == status, response.content
        assert response.json()["detail"] == detail
        assert response.json()["field"] == field
        assert state(draft, tmp_path) == before
        request.refresh_from_db()
        assert request.status == RequestStatus.PENDING

    other = pdfsign.load_pkcs12(signing.pki().p12("het-han"), signing.PIN)
    foreign = base64.b64encode(pdfsign.sign_raw(other, to_be_signed)).decode()
    refused(
        token,
        {"signature": foreign},
        400,
        "Chữ ký nhận được không khớp với chứng thư số đã chọn (sai khóa hoặc sai dữ liệu ký).",
    )
    refused(
        token,
        {"signature": "khong phai base64"},
        400,
        "Giá trị chữ ký không phải base64 hợp lệ.",
        "signature",
    )
    refused(
        None,
        {"signature": foreign},
        401,
        "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”.",
    )
    refused(clerk, {"signature": foreign}, 404, "Không tìm thấy yêu cầu ký số.")

    own = pdfsign.load_pkcs12(signing.pki().p12("nguoi-ky"), signing.PIN)
    value = base64.b64encode(pdfsign.sign_raw(own, to_be_signed)).decode()
    response = api.post(path, token, {"signature": value})
    assert response.status_code == 200, response.content
    assert response.json()["draft_id"] == draft.pk
    assert response.json()["subject"] == draft.subject
    assert_signed(draft, request, tmp_path)
    assert response.json()["signed_sha256"] == draft.signed_sha256

    used = api.get(path, token)
    assert used.status_code == 400
    assert used.json()["detail"] == MSG_USED


def test_the_signature_endpoints_are_documented_and_need_a_token(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, operations in paths.items()
        if path.startswith("/api/v1/signatures")
        for method, operation in operations.items()
    }
    assert set(documented) == {
        "GET /signatures/requests/{code}",
        "POST /signatures/requests/{code}",
        "POST /signatures/verify",
    }
    for name, operation in documented.items():
        assert operation["security"], name
        assert {"200", "400", "401", "403", "404", "422"} <= set(operation["responses"]), name
        assert operation["tags"] == ["Chữ ký số"]


def test_a_locked_account_cannot_use_its_request(team, document_types, tmp_path):
    from vanban.accounts import services as account_services
    from vanban.accounts.models import LockReason

    draft, request = request_for(team)
    token = token_for(team.signer)
    account_services.account_lock(
        actor=team.province.province_admin,
        user=team.signer,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo công văn số 12.",
    )
    before = state(draft, tmp_path)
    api = ApiClient()
    for response in (
        api.get(f"/signatures/requests/{request.code}", token),
        api.post(f"/signatures/requests/{request.code}", token, {"signature": "AAAA"}),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["detail"].startswith("Tài khoản đang bị tạm khóa")
    assert state(draft, tmp_path) == before
