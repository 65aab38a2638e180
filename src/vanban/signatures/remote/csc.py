"""A client of the Cloud Signature Consortium API v2 (CSC v2): the remote signing services of
trust service providers (NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN: the signing software checks the
certificate before signing).

The province's system authenticates with OAuth2 client credentials (`oauth2/token`); then
`credentials/list` (a person's credentials), `credentials/info` (certificate chain, key and
status, how signing is authorised), `credentials/authorize` (the person's PIN -> Signature
Activation Data, bound to the hashes) and `signatures/signHash` (SAD + hashes -> signature
values). Only hashes leave the system, never the document.

The PIN is passed through to the provider and never kept, logged or put into a message; the SAD
lives only between the authorisation and the one signHash call that uses it (`sign_hashes`).
Every failure is a `ServiceError` with a Vietnamese message that says what to do.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings

from vanban.core.errors import ServiceError

TIMEOUT = 30  # seconds for one request to the provider
SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_SHA256_OID = "1.2.840.113549.1.1.11"
ECDSA_SHA256_OID = "1.2.840.10045.4.3.2"
RSA_OID = "1.2.840.113549.1.1.1"
EC_OID = "1.2.840.10045.2.1"
MAX_ANSWER = 1024 * 1024

MSG_NOT_CONFIGURED = (
    "Chưa cấu hình dịch vụ ký số từ xa (VANBAN_REMOTE_SIGNING); báo quản trị hệ thống."
)
MSG_UNREACHABLE = (
    "Không kết nối được dịch vụ ký số từ xa ({host}): dịch vụ không trả lời hoặc quá thời gian "
    "chờ. Văn bản chưa được ký; hãy thử lại sau."
)
MSG_CLIENT = (
    "Dịch vụ ký số từ xa không chấp nhận hệ thống: mã ứng dụng (client id) hoặc khóa bí mật "
    "(client secret) không đúng; báo quản trị hệ thống."
)
MSG_PIN = "Mã PIN ký số từ xa không đúng."
MSG_OTP = "Mã xác thực một lần (OTP) không đúng hoặc đã hết hạn."
MSG_SAD = (
    "Dịch vụ ký số từ xa từ chối lệnh ký: mã kích hoạt chữ ký (SAD) không hợp lệ, đã hết hạn "
    "hoặc không cấp cho dữ liệu này. Văn bản chưa được ký; hãy ký lại."
)
MSG_UNKNOWN_CREDENTIAL = "Nhà cung cấp không có khóa ký số từ xa “{credential}”."
MSG_DISABLED = (
    "Khóa ký số từ xa “{credential}” đã bị khóa hoặc chứng thư số đã bị thu hồi; liên hệ nhà "
    "cung cấp dịch vụ chứng thực chữ ký số."
)
MSG_EXPIRED = "Chứng thư số của khóa ký số từ xa “{credential}” đã hết hạn."
MSG_BAD_ANSWER = "Dịch vụ ký số từ xa trả lời không đúng chuẩn CSC ({detail})."
MSG_REFUSED = "Dịch vụ ký số từ xa từ chối: {detail}"


@dataclass(frozen=True)
class CscProvider:
    """A remote signing service: its CSC v2 base address (…/csc/v2) and the client credentials
    the province received from the provider."""

    endpoint: str
    client_id: str
    client_secret: str = field(repr=False)
    timeout: float = TIMEOUT

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.endpoint).netloc or self.endpoint


def provider_from_settings(name: str = "csc") -> CscProvider:
    """The provider configured in `settings.VANBAN_REMOTE_SIGNING[name]` (docs/signatures.md);
    ServiceError when it is missing or incomplete."""
    config = (getattr(settings, "VANBAN_REMOTE_SIGNING", None) or {}).get(name) or {}
    endpoint = str(config.get("endpoint") or "").rstrip("/")
    client_id = str(config.get("client_id") or "")
    if not endpoint or not client_id or not config.get("client_secret"):
        raise ServiceError(MSG_NOT_CONFIGURED)
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise ServiceError(MSG_NOT_CONFIGURED)
    try:
        timeout = float(config.get("timeout") or TIMEOUT)
    except ValueError as exc:
        raise ServiceError(MSG_NOT_CONFIGURED) from exc
    return CscProvider(
        endpoint=endpoint,
        client_id=client_id,
        client_secret=str(config["client_secret"]),
        timeout=timeout if timeout > 0 else TIMEOUT,
    )


@dataclass(frozen=True)
class CredentialInfo:
    """What `credentials/info` says of a credential."""

    credential_id: str
    certificates: list[bytes]  # DER: the signer's certificate first, then its issuers
    key_status: str  # enabled | disabled
    key_algorithms: list[str]  # OIDs
    key_length: int
    cert_status: str  # valid | expired | revoked | suspended
    auth_mode: str  # implicit | explicit | oauth2code
    pin_required: bool

    def check_usable(self) -> None:
        """Refuses a disabled key or a certificate that is not valid (TT 15/2025/TT-BKHCN: the
        certificate is checked before signing)."""
        if self.key_status != "enabled" or self.cert_status in ("revoked", "suspended"):
            raise ServiceError(MSG_DISABLED.format(credential=self.credential_id))
        if self.cert_status == "expired":
            raise ServiceError(MSG_EXPIRED.format(credential=self.credential_id))
        if self.cert_status != "valid":
            raise ServiceError(MSG_DISABLED.format(credential=self.credential_id))
        if not self.certificates:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu chứng thư số"))

    @property
    def sign_algorithm(self) -> str:
        """The signature algorithm to ask for: RSA PKCS#1 v1.5 or ECDSA, with SHA-256."""
        if any(a in (EC_OID, ECDSA_SHA256_OID) for a in self.key_algorithms):
            return ECDSA_SHA256_OID
        return RSA_SHA256_OID


@cache
def _tls() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _refusal(status: int, answer: dict[str, Any], credential: str) -> ServiceError:
    """The Vietnamese message for a CSC error answer {"error", "error_description"}."""
    error = str(answer.get("error") or "")
    description = str(answer.get("error_description") or "")
    text = description.lower()
    if error in ("invalid_client", "unauthorized_client", "invalid_token") or status == 401:
        return ServiceError(MSG_CLIENT)
    if error == "invalid_pin" or (" pin " in f" {text} " and "invalid" in text):
        return ServiceError(MSG_PIN)
    if error == "invalid_otp" or " otp " in f" {text} ":
        return ServiceError(MSG_OTP)
    if "sad" in text.replace(".", " ").split() or "sad" in error.lower():
        return ServiceError(MSG_SAD)
    if "disabled" in text or "revoked" in text or "suspended" in text:
        return ServiceError(MSG_DISABLED.format(credential=credential))
    if "credentialid" in text:
        return ServiceError(MSG_UNKNOWN_CREDENTIAL.format(credential=credential))
    detail = description or error or f"HTTP {status}"
    return ServiceError(MSG_REFUSED.format(detail=detail[:300]))


class _TokenRefused(Exception):
    """The provider no longer accepts the access token."""


class CscClient:
    """One conversation with a provider: the access token is fetched once and reused."""

    def __init__(self, provider: CscProvider) -> None:
        self.provider = provider
        self._token: str | None = None

    # ------------------------------------------------------------ transport

    def _post(
        self, method: str, body: dict[str, Any], *, credential: str = "", auth: bool = True
    ) -> dict[str, Any]:
        """The JSON answer of `method`; an access token that the provider no longer accepts
        (expired) is fetched again once."""
        try:
            return self._post_once(method, body, credential=credential, auth=auth)
        except _TokenRefused:
            self._token = None
            try:
                return self._post_once(method, body, credential=credential, auth=auth)
            except _TokenRefused as exc:
                raise ServiceError(MSG_CLIENT) from exc

    def _post_once(
        self, method: str, body: dict[str, Any], *, credential: str, auth: bool
    ) -> dict[str, Any]:
        url = f"{self.provider.endpoint}/{method}"
        request = urllib.request.Request(  # noqa: S310  (scheme checked in provider_from_settings)
            url, data=json.dumps(body).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self._access_token()}")
        status, answer = json_exchange(
            request,
            url=url,
            timeout=self.provider.timeout,
            unreachable=MSG_UNREACHABLE.format(host=self.provider.host),
            bad_answer=MSG_BAD_ANSWER,
        )
        if status >= 400 or "error" in answer:
            if auth and answer.get("error") == "invalid_token":
                raise _TokenRefused
            raise _refusal(status, answer, credential)
        return answer

    def _access_token(self) -> str:
        if self._token is None:
            answer = self._post(
                "oauth2/token",
                {
                    "grant_type": "client_credentials",
                    "client_id": self.provider.client_id,
                    "client_secret": self.provider.client_secret,
                },
                auth=False,
            )
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu access_token"))
            self._token = token
        return self._token

    # ------------------------------------------------------------ methods

    def info(self) -> dict[str, Any]:
        """The service's `info` (name, specification version, methods)."""
        return self._post("info", {"lang": "vi-VN"}, auth=False)

    def credentials(self, user_id: str) -> list[str]:
        """The credential ids the provider holds for `user_id`."""
        answer = self._post("credentials/list", {"userID": user_id})
        ids = answer.get("credentialIDs")
        if not isinstance(ids, list):
            raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu credentialIDs"))
        return [str(i) for i in ids]

    def credential_info(self, credential_id: str) -> CredentialInfo:
        answer = self._post(
            "credentials/info",
            {"credentialID": credential_id, "certificates": "chain", "certInfo": True},
            credential=credential_id,
        )
        try:
            key, cert = answer["key"], answer["cert"]
            pin = answer.get("PIN") or {}
            return CredentialInfo(
                credential_id=credential_id,
                certificates=[base64.b64decode(c) for c in cert.get("certificates") or []],
                key_status=str(key.get("status", "")),
                key_algorithms=[str(a) for a in key.get("algo") or []],
                key_length=int(key.get("len") or 0),
                cert_status=str(cert.get("status") or "valid"),
                auth_mode=str(answer.get("authMode") or "explicit"),
                pin_required=str(pin.get("presence", "true")) != "false",
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="credentials/info")) from exc

    def authorize(self, credential_id: str, hashes: list[bytes], pin: str) -> str:
        """The Signature Activation Data for exactly these SHA-256 hashes, unlocked with the
        signer's PIN (explicit authorisation)."""
        answer = self._post(
            "credentials/authorize",
            {
                "credentialID": credential_id,
                "numSignatures": len(hashes),
                "hashes": [_b64(h) for h in hashes],
                "hashAlgorithmOID": SHA256_OID,
                "PIN": pin,
            },
            credential=credential_id,
        )
        sad = answer.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu SAD"))
        return sad

    def sign_hash(
        self, credential_id: str, sad: str, hashes: list[bytes], *, sign_algo: str = RSA_SHA256_OID
    ) -> list[bytes]:
        """Raw signature values of `hashes`, in the same order."""
        answer = self._post(
            "signatures/signHash",
            {
                "credentialID": credential_id,
                "SAD": sad,
                "hashes": [_b64(h) for h in hashes],
                "hashAlgo": SHA256_OID,
                "signAlgo": sign_algo,
            },
            credential=credential_id,
        )
        values = answer.get("signatures")
        if not isinstance(values, list) or len(values) != len(hashes):
            raise ServiceError(MSG_BAD_ANSWER.format(detail="số chữ ký trả về không khớp"))
        try:
            return [base64.b64decode(str(v), validate=True) for v in values]
        except ValueError as exc:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="chữ ký không phải Base64")) from exc

    def sign_hashes(self, info: CredentialInfo, hashes: list[bytes], pin: str) -> list[bytes]:
        """Authorises and signs `hashes` in one go: the SAD is used for this one call only."""
        sad = self.authorize(info.credential_id, hashes, pin)
        return self.sign_hash(info.credential_id, sad, hashes, sign_algo=info.sign_algorithm)


def json_exchange(
    request: urllib.request.Request, *, url: str, timeout: float, unreachable: str, bad_answer: str
) -> tuple[int, dict[str, Any]]:
    """Send `request` to a remote signing provider and read its JSON answer: (HTTP status, the
    object). A provider that cannot be reached, or answers 5xx without an error object, is refused
    with `unreachable`; an answer that is not a JSON object with `bad_answer` (a template of
    `{detail}`). Errors in the object are left to the caller (each provider names them its own
    way)."""
    context = _tls() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(  # noqa: S310  (scheme checked in provider_from_settings)
            request, timeout=timeout, context=context
        ) as response:
            raw, status = response.read(MAX_ANSWER), response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(MAX_ANSWER), exc.code
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
        raise ServiceError(unreachable) from exc
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ServiceError(bad_answer.format(detail=f"HTTP {status}"))
    if status >= 500 and "error" not in answer:
        raise ServiceError(unreachable)
    return status, answer
