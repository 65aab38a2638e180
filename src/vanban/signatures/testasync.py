"""A stand-in for an asynchronous remote signing service (the shape of VNPT SmartCA and similar
services of licensed trust service providers, NĐ 23/2025/NĐ-CP), held by the test PKI
(`testpki.serve` answers it under `/async/v1/`).

The system that calls it authenticates with OAuth2 client credentials (`POST oauth2/token`);
`GET credentials/{id}` gives a credential's certificate chain and status; `POST transactions`
with a credential id and SHA-256 hashes (and an optional callback URL) opens a signing
transaction, pending until the person confirms it in the provider's mobile app; `GET
transactions/{id}` says pending, approved (with the RSA PKCS#1 v1.5 SHA-256 signature values, in
the order of the hashes), refused, expired or cancelled; `POST transactions/{id}/cancel` cancels
a pending one. The person's confirmation (the phone) is out of band: `POST
transactions/{id}/approve` with `decision=approve|refuse`, or the small page `GET
transactions/{id}/confirm`, answered to loopback clients only (`vanban testpki approve`).

Every identity of the test PKI is a user with one credential `async-<label>`; the credential of a
revoked certificate is disabled. Refusals come as `{"error": ..., "error_description": ...}`.
Test material only.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from .testcsc import CLIENT_ID, CLIENT_SECRET, Refused

if TYPE_CHECKING:
    from .testpki import TestPki

PREFIX = "/async/v1/"
TOKEN_LIFETIME = 3600  # seconds
TRANSACTION_LIFETIME = 300  # seconds the person has to confirm, by default
MAX_BODY = 64 * 1024
MAX_HASHES = 50
LOOPBACK = ("127.0.0.1", "::1")

PENDING, APPROVED, REFUSED, EXPIRED, CANCELLED = (
    "pending",
    "approved",
    "refused",
    "expired",
    "cancelled",
)

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "AsyncStandIn", "credential_id"]


def credential_id(label: str) -> str:
    return f"async-{label}"


@dataclass
class Transaction:
    transaction_id: str
    credential_id: str
    label: str
    hashes: list[str]
    expires: float
    description: str = ""
    callback_url: str = ""
    status: str = PENDING
    signatures: list[str] = field(default_factory=list)


@dataclass
class AsyncStandIn:
    """The service: its WSGI application is `__call__`. `now` may be replaced to age tokens and
    transactions; `transaction_lifetime` is the time the person has to confirm."""

    pki: TestPki
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    transaction_lifetime: float = TRANSACTION_LIFETIME
    now: Callable[[], float] = time.time
    transactions: dict[str, Transaction] = field(default_factory=dict)
    callbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------ WSGI

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")[len(PREFIX) :].strip("/")
        method = environ.get("REQUEST_METHOD", "")
        parts = path.split("/")
        try:
            if (
                parts[0] == "transactions"
                and len(parts) == 3
                and parts[2] in ("confirm", "approve")
            ):
                return self._phone(environ, start_response, parts[1], parts[2], method)
            body = self._body(environ) if method == "POST" else {}
            if path == "oauth2/token" and method == "POST":
                answer = self._token(body)
            else:
                self._bearer(environ)
                if parts[0] == "credentials" and len(parts) == 2 and method == "GET":
                    answer = self._credential_info(parts[1])
                elif path == "transactions" and method == "POST":
                    answer = self._create(body)
                elif parts[0] == "transactions" and len(parts) == 2 and method == "GET":
                    answer = self._public(self._transaction(parts[1]))
                elif parts[0] == "transactions" and parts[2:] == ["cancel"] and method == "POST":
                    answer = self._cancel(parts[1])
                else:
                    raise Refused(404, "invalid_request", f"Unknown method {method} {path}")
            status = "200 OK"
        except Refused as exc:
            answer = {"error": exc.error, "error_description": exc.description}
            status = f"{exc.status} {'Unauthorized' if exc.status == 401 else 'Bad Request'}"
        except (ValueError, TypeError, KeyError):
            answer = {"error": "invalid_request", "error_description": "Malformed request"}
            status = "400 Bad Request"
        data = json.dumps(answer).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    def _body(self, environ: dict[str, Any]) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            raise Refused(400, "invalid_request", "Request too large")
        raw = environ["wsgi.input"].read(length) if length else b""
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            body = dict(parse_qsl(raw.decode("utf-8", "replace")))
        if not isinstance(body, dict):
            raise Refused(400, "invalid_request", "Malformed request")
        return body

    def _bearer(self, environ: dict[str, Any]) -> None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            expires = self._tokens.get(token)
        if not token or expires is None or expires < self.now():
            raise Refused(401, "invalid_token", "The access token is not valid")

    # ------------------------------------------------------------ the calling system

    def _token(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("grant_type") != "client_credentials":
            raise Refused(400, "unsupported_grant_type", "Only client_credentials is supported")
        given_id, given_secret = str(body.get("client_id", "")), str(body.get("client_secret", ""))
        if not (
            secrets.compare_digest(given_id, self.client_id)
            and secrets.compare_digest(given_secret, self.client_secret)
        ):
            raise Refused(401, "invalid_client", "Client authentication failed")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.now() + TOKEN_LIFETIME
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}

    def _label(self, credential: str) -> str:
        label = credential.removeprefix("async-")
        if credential == label or not any(i.label == label for i in self.pki.identities):
            raise Refused(400, "invalid_request", "Unknown credential")
        return label

    def _disabled(self, label: str) -> bool:
        return self.pki.identity(label).state == "revoked"

    def _credential_info(self, credential: str) -> dict[str, Any]:
        label = self._label(credential)
        cert = x509.load_pem_x509_certificate(self.pki.cert_pem(label))
        chain = [cert.public_bytes(serialization.Encoding.DER)]
        sub = x509.load_pem_x509_certificate(self.pki.sub_ca_pem())
        if sub.subject == cert.issuer:
            chain.append(sub.public_bytes(serialization.Encoding.DER))
        state = self.pki.identity(label).state
        return {
            "credentialId": credential,
            "status": "disabled" if self._disabled(label) else "enabled",
            "certStatus": {"expired": "expired", "revoked": "revoked"}.get(state, "valid"),
            "certificates": [base64.b64encode(c).decode() for c in chain],
        }

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        credential = str(body.get("credentialId", ""))
        label = self._label(credential)
        if self._disabled(label):
            raise Refused(400, "credential_disabled", "The credential is disabled (revoked)")
        values = body.get("hashes")
        if not isinstance(values, list) or not values or len(values) > MAX_HASHES:
            raise Refused(400, "invalid_request", "Missing (or invalid) array parameter hashes")
        for value in values:
            try:
                if len(base64.b64decode(str(value), validate=True)) != 32:
                    raise ValueError
            except ValueError as exc:
                raise Refused(400, "invalid_request", "Invalid Base64 hash string") from exc
        callback = str(body.get("callbackUrl") or "")
        if callback and not callback.startswith(("http://", "https://")):
            raise Refused(400, "invalid_request", "Invalid callbackUrl")
        tx = Transaction(
            # Hex: an id never starts with "-", which `vanban testpki approve <id>` would read as
            # an option.
            transaction_id=secrets.token_hex(16),
            credential_id=credential,
            label=label,
            hashes=[str(v) for v in values],
            expires=self.now() + self.transaction_lifetime,
            description=str(body.get("description") or "")[:500],
            callback_url=callback,
        )
        with self._lock:
            self.transactions[tx.transaction_id] = tx
        return {**self._public(tx), "expiresIn": int(self.transaction_lifetime)}

    def _transaction(self, transaction_id: str) -> Transaction:
        with self._lock:
            tx = self.transactions.get(transaction_id)
            if tx is None:
                raise Refused(404, "invalid_request", "Unknown transaction")
            if tx.status == PENDING and tx.expires < self.now():
                tx.status = EXPIRED
            return tx

    @staticmethod
    def _public(tx: Transaction) -> dict[str, Any]:
        answer: dict[str, Any] = {"transactionId": tx.transaction_id, "status": tx.status}
        if tx.status == APPROVED:
            answer["signatures"] = list(tx.signatures)
        return answer

    def _cancel(self, transaction_id: str) -> dict[str, Any]:
        tx = self._transaction(transaction_id)
        with self._lock:
            if tx.status == PENDING:
                tx.status = CANCELLED
        return self._public(tx)

    # ------------------------------------------------------------ the person's phone

    def decide(self, transaction_id: str, *, approve: bool) -> Transaction:
        """The person's answer in the mobile app: signs the hashes with their key, or refuses.
        Only a pending transaction can be answered."""
        tx = self._transaction(transaction_id)
        if tx.status != PENDING:
            raise Refused(400, "invalid_request", f"The transaction is {tx.status}")
        signatures: list[str] = []
        if approve:
            key = serialization.load_pem_private_key(self.pki.key_pem(tx.label), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise Refused(400, "invalid_request", "Unsupported key")
            signatures = [
                base64.b64encode(
                    key.sign(base64.b64decode(h), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
                ).decode()
                for h in tx.hashes
            ]
        with self._lock:
            if tx.status != PENDING:
                raise Refused(400, "invalid_request", f"The transaction is {tx.status}")
            tx.status, tx.signatures = (APPROVED, signatures) if approve else (REFUSED, [])
        if tx.callback_url:
            self._notify(tx)
        return tx

    def _notify(self, tx: Transaction) -> None:
        """Tells the caller's callback URL the outcome (best effort, in the background); the
        caller still reads the signatures with `GET transactions/{id}`."""
        payload = {"transactionId": tx.transaction_id, "status": tx.status}
        self.callbacks.append((tx.callback_url, payload))

        def post() -> None:
            request = urllib.request.Request(  # noqa: S310  (scheme checked in _create)
                tx.callback_url, data=json.dumps(payload).encode(), method="POST"
            )
            request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=5):  # noqa: S310
                    pass
            except OSError:
                pass

        threading.Thread(target=post, daemon=True).start()

    def _phone(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        transaction_id: str,
        action: str,
        method: str,
    ) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") not in LOOPBACK:
            raise Refused(403, "access_denied", "Confirmation is answered on loopback only")
        if action == "approve" and method == "POST":
            decision = str(self._body(environ).get("decision", "approve"))
            if decision not in ("approve", "refuse"):
                raise Refused(400, "invalid_request", "Invalid parameter decision")
            tx = self.decide(transaction_id, approve=decision == "approve")
            if "text/html" in environ.get("HTTP_ACCEPT", ""):
                return self._page(start_response, tx)
            data = json.dumps(self._public(tx)).encode()
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
            )
            return [data]
        if action == "confirm" and method == "GET":
            return self._page(start_response, self._transaction(transaction_id))
        raise Refused(405, "invalid_request", "Method not allowed")

    def _page(self, start_response: Callable[..., Any], tx: Transaction) -> Iterable[bytes]:
        labels = {
            PENDING: "Đang chờ xác nhận",
            APPROVED: "Đã đồng ý ký",
            REFUSED: "Đã từ chối ký",
            EXPIRED: "Đã hết hạn",
            CANCELLED: "Đã hủy",
        }
        esc = html.escape
        form = ""
        if tx.status == PENDING:
            form = (
                f'<form method="post" action="{PREFIX}transactions/{esc(tx.transaction_id)}/'
                'approve">'
                '<button name="decision" value="approve">Đồng ý ký</button> '
                '<button name="decision" value="refuse">Từ chối</button></form>'
            )
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8">'
            "<title>Xác nhận ký số (thử nghiệm)</title>"
            "<h1>Xác nhận giao dịch ký số (thử nghiệm)</h1>"
            f"<p>Khóa: {esc(tx.credential_id)}</p>"
            f"<p>Nội dung: {esc(tx.description) or '—'}</p>"
            f"<p>Số văn bản cần ký: {len(tx.hashes)}</p>"
            f"<p>Trạng thái: {labels.get(tx.status, tx.status)}</p>{form}</html>"
        ).encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))],
        )
        return [page]
