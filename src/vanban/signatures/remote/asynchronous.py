"""A client of the asynchronous remote signing services (the shape of VNPT SmartCA and similar
services of licensed trust service providers, NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN: the signing
software checks the certificate before signing).

The province's system authenticates with OAuth2 client credentials (`oauth2/token`), reads a
credential's certificate (`GET credentials/{id}`), opens a signing transaction for one or more
SHA-256 hashes (`POST transactions`), which the person confirms in the provider's mobile app, then
polls it (`GET transactions/{id}`: pending, approved with the signature values, refused, expired,
cancelled) or waits for the provider's callback, and may cancel it (`POST
transactions/{id}/cancel`). Only hashes leave the system; no PIN or password of the person passes
through it. Every failure is a `ServiceError` with a Vietnamese message that says what to do.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from vanban.core.errors import ServiceError

from .csc import json_exchange

TIMEOUT = 30  # seconds for one request to the provider
MAX_WAIT = 300  # seconds `wait` polls before giving up (the person's time to confirm)
FIRST_POLL = 2.0  # seconds before the first poll; doubles up to LAST_POLL
LAST_POLL = 15.0

PENDING, APPROVED, REFUSED, EXPIRED, CANCELLED = (
    "pending",
    "approved",
    "refused",
    "expired",
    "cancelled",
)

MSG_NOT_CONFIGURED = (
    "Chưa cấu hình dịch vụ ký số từ xa xác nhận trên điện thoại (VANBAN_ASYNC_SIGNING_ENDPOINT, "
    "VANBAN_ASYNC_SIGNING_CLIENT_ID, VANBAN_ASYNC_SIGNING_CLIENT_SECRET): hãy báo quản trị hệ "
    "thống."
)
MSG_UNREACHABLE = (
    "Không kết nối được dịch vụ ký số từ xa ({host}) hoặc dịch vụ không trả lời. Văn bản chưa "
    "được ký; hãy thử lại sau."
)
MSG_CLIENT = (
    "Dịch vụ ký số từ xa không chấp nhận tài khoản kết nối của hệ thống: hãy báo quản trị hệ "
    "thống kiểm tra mã và mật khẩu kết nối."
)
MSG_UNKNOWN_CREDENTIAL = (
    "Dịch vụ ký số từ xa không có khóa ký “{credential}”: hãy kiểm tra lại mã khóa ký."
)
MSG_DISABLED = (
    "Khóa ký số từ xa “{credential}” đã bị khóa hoặc chứng thư số đã bị thu hồi: không thể ký. "
    "Hãy liên hệ nhà cung cấp dịch vụ chứng thực."
)
MSG_EXPIRED_CERT = (
    "Chứng thư số của khóa ký số từ xa “{credential}” đã hết hạn: hãy gia hạn với nhà cung cấp."
)
MSG_REFUSED_BY_SIGNER = "Người ký đã từ chối giao dịch ký số trên điện thoại. Văn bản chưa được ký."
MSG_EXPIRED = (
    "Giao dịch ký số đã hết hạn vì người ký chưa xác nhận trên điện thoại kịp thời. Văn bản chưa "
    "được ký; hãy ký lại."
)
MSG_CANCELLED = "Giao dịch ký số đã bị hủy. Văn bản chưa được ký."
MSG_TIMEOUT = (
    "Đã chờ {seconds} giây mà người ký chưa xác nhận trên điện thoại: giao dịch ký số đã được "
    "hủy, văn bản chưa được ký; hãy ký lại."
)
MSG_UNKNOWN_TRANSACTION = "Dịch vụ ký số từ xa không có giao dịch ký số này: hãy ký lại."
MSG_BAD_ANSWER = "Dịch vụ ký số từ xa trả lời không đúng định dạng ({detail})."
MSG_REFUSED = "Dịch vụ ký số từ xa từ chối: {detail}"


@dataclass(frozen=True)
class AsyncProvider:
    """An asynchronous remote signing service: its base address and the client credentials the
    province received; `max_wait` bounds the time `wait` polls."""

    endpoint: str
    client_id: str
    client_secret: str = field(repr=False)
    timeout: float = TIMEOUT
    max_wait: float = MAX_WAIT

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.endpoint).netloc or self.endpoint


def _positive(value: Any, default: float) -> float:
    try:
        number = float(value or default)
    except (TypeError, ValueError) as exc:
        raise ServiceError(MSG_NOT_CONFIGURED) from exc
    return number if number > 0 else default


def provider_from_settings(name: str = "async") -> AsyncProvider:
    """The provider configured in `settings.VANBAN_REMOTE_SIGNING[name]` (docs/signatures.md);
    ServiceError when it is missing or incomplete."""
    config = (getattr(settings, "VANBAN_REMOTE_SIGNING", None) or {}).get(name) or {}
    endpoint = str(config.get("endpoint") or "").rstrip("/")
    client_id = str(config.get("client_id") or "")
    if not endpoint or not client_id or not config.get("client_secret"):
        raise ServiceError(MSG_NOT_CONFIGURED)
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise ServiceError(MSG_NOT_CONFIGURED)
    return AsyncProvider(
        endpoint=endpoint,
        client_id=client_id,
        client_secret=str(config["client_secret"]),
        timeout=_positive(config.get("timeout"), TIMEOUT),
        max_wait=_positive(config.get("max_wait"), MAX_WAIT),
    )


@dataclass(frozen=True)
class AsyncCredential:
    """What `GET credentials/{id}` says of a credential."""

    credential_id: str
    certificates: list[bytes]  # DER: the signer's certificate first, then its issuers
    status: str  # enabled | disabled
    cert_status: str  # valid | expired | revoked

    def check_usable(self) -> None:
        """Refuses a disabled key or a certificate that is not valid (TT 15/2025/TT-BKHCN)."""
        if self.status != "enabled" or self.cert_status in ("revoked", "suspended"):
            raise ServiceError(MSG_DISABLED.format(credential=self.credential_id))
        if self.cert_status == "expired":
            raise ServiceError(MSG_EXPIRED_CERT.format(credential=self.credential_id))
        if not self.certificates:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu chứng thư số"))


@dataclass(frozen=True)
class TransactionState:
    transaction_id: str
    status: str
    signatures: list[bytes] = field(default_factory=list)


class _TokenRefused(Exception):
    """The provider no longer accepts the access token."""


class AsyncClient:
    """One conversation with a provider: the access token is fetched once and reused. `sleep`
    and `clock` may be replaced (tests)."""

    def __init__(
        self,
        provider: AsyncProvider,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.sleep = sleep
        self.clock = clock
        self._token: str | None = None

    # ------------------------------------------------------------ transport

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, credential: str = ""
    ) -> dict[str, Any]:
        try:
            return self._call_once(method, path, body, credential=credential, auth=True)
        except _TokenRefused:
            self._token = None
            try:
                return self._call_once(method, path, body, credential=credential, auth=True)
            except _TokenRefused as exc:
                raise ServiceError(MSG_CLIENT) from exc

    def _call_once(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        credential: str,
        auth: bool,
    ) -> dict[str, Any]:
        url = f"{self.provider.endpoint}/{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
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
            raise self._refusal(status, answer, credential)
        return answer

    def _refusal(self, status: int, answer: dict[str, Any], credential: str) -> ServiceError:
        error = str(answer.get("error") or "")
        text = str(answer.get("error_description") or "").lower()
        if error in ("invalid_client", "unauthorized_client", "invalid_token") or status == 401:
            return ServiceError(MSG_CLIENT)
        if error == "credential_disabled" or "disabled" in text or "revoked" in text:
            return ServiceError(MSG_DISABLED.format(credential=credential))
        if "unknown credential" in text:
            return ServiceError(MSG_UNKNOWN_CREDENTIAL.format(credential=credential))
        if "unknown transaction" in text:
            return ServiceError(MSG_UNKNOWN_TRANSACTION)
        detail = str(answer.get("error_description") or error or f"HTTP {status}")
        return ServiceError(MSG_REFUSED.format(detail=detail[:300]))

    def _access_token(self) -> str:
        if self._token is None:
            answer = self._call_once(
                "POST",
                "oauth2/token",
                {
                    "grant_type": "client_credentials",
                    "client_id": self.provider.client_id,
                    "client_secret": self.provider.client_secret,
                },
                credential="",
                auth=False,
            )
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu access_token"))
            self._token = token
        return self._token

    # ------------------------------------------------------------ methods

    def credential(self, credential_id: str) -> AsyncCredential:
        answer = self._call(
            "GET",
            f"credentials/{urllib.parse.quote(credential_id, safe='')}",
            credential=credential_id,
        )
        try:
            return AsyncCredential(
                credential_id=credential_id,
                certificates=[base64.b64decode(c) for c in answer.get("certificates") or []],
                status=str(answer.get("status") or ""),
                cert_status=str(answer.get("certStatus") or "valid"),
            )
        except (TypeError, ValueError) as exc:
            raise ServiceError(MSG_BAD_ANSWER.format(detail="credentials")) from exc

    def create(
        self,
        credential_id: str,
        hashes: list[bytes],
        *,
        description: str = "",
        callback_url: str = "",
    ) -> TransactionState:
        """Opens a signing transaction for these SHA-256 hashes; the person is asked on their
        phone. Pending until they answer."""
        body: dict[str, Any] = {
            "credentialId": credential_id,
            "hashes": [base64.b64encode(h).decode() for h in hashes],
            "hashAlgorithm": "SHA-256",
            "description": description,
        }
        if callback_url:
            body["callbackUrl"] = callback_url
        answer = self._call("POST", "transactions", body, credential=credential_id)
        return self._state(answer, expected=len(hashes))

    def status(self, transaction_id: str, *, expected: int | None = None) -> TransactionState:
        """The transaction as the provider sees it now (one poll)."""
        answer = self._call("GET", f"transactions/{urllib.parse.quote(transaction_id, safe='')}")
        return self._state(answer, expected=expected)

    def cancel(self, transaction_id: str) -> TransactionState:
        answer = self._call(
            "POST", f"transactions/{urllib.parse.quote(transaction_id, safe='')}/cancel", {}
        )
        return self._state(answer)

    def signatures(self, state: TransactionState) -> list[bytes]:
        """The signature values of an approved transaction; ServiceError for any other end."""
        if state.status == APPROVED:
            return state.signatures
        if state.status == REFUSED:
            raise ServiceError(MSG_REFUSED_BY_SIGNER)
        if state.status == EXPIRED:
            raise ServiceError(MSG_EXPIRED)
        if state.status == CANCELLED:
            raise ServiceError(MSG_CANCELLED)
        raise ServiceError(MSG_BAD_ANSWER.format(detail=f"trạng thái {state.status}"))

    def wait(
        self, transaction_id: str, *, expected: int | None = None, max_wait: float | None = None
    ) -> list[bytes]:
        """Polls until the person answers, with a growing interval (FIRST_POLL doubling up to
        LAST_POLL), for at most `max_wait` seconds (the provider's setting by default); past it
        the transaction is cancelled and ServiceError says so."""
        limit = self.provider.max_wait if max_wait is None else max_wait
        deadline = self.clock() + limit
        interval = FIRST_POLL
        while True:
            state = self.status(transaction_id, expected=expected)
            if state.status != PENDING:
                return self.signatures(state)
            left = deadline - self.clock()
            if left <= 0:
                try:
                    state = self.cancel(transaction_id)
                except ServiceError:
                    state = TransactionState(transaction_id, PENDING)
                if state.status in (APPROVED, REFUSED):  # answered just now
                    return self.signatures(state)
                raise ServiceError(MSG_TIMEOUT.format(seconds=round(limit)))
            self.sleep(min(interval, left))
            interval = min(interval * 2, LAST_POLL)

    @staticmethod
    def _state(answer: dict[str, Any], *, expected: int | None = None) -> TransactionState:
        tx_id, status = answer.get("transactionId"), answer.get("status")
        if not isinstance(tx_id, str) or not tx_id or not isinstance(status, str):
            raise ServiceError(MSG_BAD_ANSWER.format(detail="thiếu mã hoặc trạng thái giao dịch"))
        values: list[bytes] = []
        if status == APPROVED:
            raw = answer.get("signatures")
            if not isinstance(raw, list) or (expected is not None and len(raw) != expected):
                raise ServiceError(MSG_BAD_ANSWER.format(detail="số chữ ký trả về không khớp"))
            try:
                values = [base64.b64decode(str(v), validate=True) for v in raw]
            except ValueError as exc:
                raise ServiceError(
                    MSG_BAD_ANSWER.format(detail="chữ ký không phải Base64")
                ) from exc
        return TransactionState(tx_id, status, values)
