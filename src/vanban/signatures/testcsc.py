"""A stand-in for a remote signing service of the Cloud Signature Consortium API v2 (CSC v2), held
by the test PKI (`testpki.serve` answers it under `/csc/v2/`).

A trust service that keeps the signer's key (remote signing, NĐ 23/2025/NĐ-CP; signing
software requirements of TT 15/2025/TT-BKHCN) answers the same requests: an OAuth2 client
credentials token (`oauth2/token`) for the system that calls it; `info`; `credentials/list` for
a user; `credentials/info` (certificate chain, key, status, "explicit" authorisation with a
PIN); `credentials/authorize` (PIN -> a short-lived Signature Activation Data bound to the
hashes); `signatures/signHash` (SAD and hashes -> RSA PKCS#1 v1.5 SHA-256 signature values).
Refusals come in the CSC JSON shape `{"error": ..., "error_description": ...}`.

Every identity of the test PKI is a user (its label) with one credential `csc-<label>` and PIN
`testpki.PIN`; the credential of a revoked certificate is disabled. Test material only.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

if TYPE_CHECKING:
    from .testpki import TestPki

CLIENT_ID = "vanban-thu-nghiem"
CLIENT_SECRET = "bi-mat-thu-nghiem"  # noqa: S105  (test material)
PREFIX = "/csc/v2/"
TOKEN_LIFETIME = 3600  # seconds
SAD_LIFETIME = 300  # seconds: a SAD is good for one signing, minutes at most
SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_SHA256_OID = "1.2.840.113549.1.1.11"
RSA_OID = "1.2.840.113549.1.1.1"
MAX_BODY = 64 * 1024


def credential_id(label: str) -> str:
    return f"csc-{label}"


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass
class Credential:
    credential_id: str
    user_id: str
    label: str
    pin: str
    key_enabled: bool = True
    cert_status: str = "valid"  # valid | expired | revoked


@dataclass
class _Sad:
    credential_id: str
    hashes: frozenset[str]
    expires: float
    remaining: int


@dataclass
class CscStandIn:
    """The service: its WSGI application is `__call__`. `now` may be replaced to age tokens."""

    pki: TestPki
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    now: Callable[[], float] = time.time
    credentials: dict[str, Credential] = field(default_factory=dict)
    _tokens: dict[str, float] = field(default_factory=dict, repr=False)
    _sads: dict[str, _Sad] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        from .testpki import PIN

        for ident in self.pki.identities:
            self.credentials[credential_id(ident.label)] = Credential(
                credential_id=credential_id(ident.label),
                user_id=ident.label,
                label=ident.label,
                pin=PIN,
                key_enabled=ident.state != "revoked",
                cert_status={"expired": "expired", "revoked": "revoked"}.get(ident.state, "valid"),
            )

    # ------------------------------------------------------------ WSGI

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")[len(PREFIX) :]
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise Refused(405, "invalid_request", "Only POST is supported")
            body = self._body(environ)
            if path == "oauth2/token":
                answer = self._token(body)
            elif path == "info":
                answer = self._info()
            else:
                self._bearer(environ)
                handler = {
                    "credentials/list": self._list,
                    "credentials/info": self._credential_info,
                    "credentials/authorize": self._authorize,
                    "signatures/signHash": self._sign_hash,
                }.get(path)
                if handler is None:
                    raise Refused(404, "invalid_request", f"Unknown method {path}")
                answer = handler(body)
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
            from urllib.parse import parse_qsl

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

    # ------------------------------------------------------------ methods

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

    def _info(self) -> dict[str, Any]:
        return {
            "specs": "2.0.0.2",
            "name": "Dịch vụ ký số từ xa (thử nghiệm)",
            "logo": "",
            "region": "VN",
            "lang": "vi-VN",
            "description": "Dịch vụ ký số từ xa thử nghiệm của hạ tầng khóa công khai thử nghiệm",
            "authType": ["oauth2client"],
            "oauth2": "",
            "methods": [
                "oauth2/token",
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
        }

    def _credential(self, body: dict[str, Any]) -> Credential:
        found = self.credentials.get(str(body.get("credentialID", "")))
        if found is None:
            raise Refused(400, "invalid_request", "Invalid parameter credentialID")
        return found

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        user = str(body.get("userID", ""))
        if not user:
            raise Refused(
                400, "invalid_request", "Missing (or invalid type) string parameter userID"
            )
        ids = [c.credential_id for c in self.credentials.values() if c.user_id == user]
        return {"credentialIDs": ids}

    def _credential_info(self, body: dict[str, Any]) -> dict[str, Any]:
        cred = self._credential(body)
        cert = x509.load_pem_x509_certificate(self.pki.cert_pem(cred.label))
        chain = [cert.public_bytes(serialization.Encoding.DER)]
        if body.get("certificates", "single") == "chain":
            sub = x509.load_pem_x509_certificate(self.pki.sub_ca_pem())
            if sub.subject == cert.issuer:
                chain.append(sub.public_bytes(serialization.Encoding.DER))
        key = cert.public_key()
        return {
            "description": f"Khóa ký số từ xa của {cred.label}",
            "key": {
                "status": "enabled" if cred.key_enabled else "disabled",
                "algo": [RSA_OID, RSA_SHA256_OID],
                "len": key.key_size if isinstance(key, rsa.RSAPublicKey) else 0,
            },
            "cert": {
                "status": cred.cert_status,
                "certificates": [base64.b64encode(c).decode() for c in chain],
                "issuerDN": cert.issuer.rfc4514_string(),
                "serialNumber": format(cert.serial_number, "x"),
                "subjectDN": cert.subject.rfc4514_string(),
                "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            },
            "authMode": "explicit",
            "PIN": {"presence": "true", "format": "N", "label": "PIN"},
            "OTP": {"presence": "false"},
            "multisign": 10,
            "scal": "2",
            "lang": "vi-VN",
        }

    def _enabled(self, cred: Credential) -> None:
        if not cred.key_enabled or cred.cert_status == "revoked":
            raise Refused(400, "invalid_request", "The credential is disabled (revoked)")

    @staticmethod
    def _hashes(body: dict[str, Any]) -> list[str]:
        values = body.get("hashes") or body.get("hash")
        if not isinstance(values, list) or not values:
            raise Refused(
                400, "invalid_request", "Missing (or invalid type) array parameter hashes"
            )
        for value in values:
            try:
                if len(base64.b64decode(str(value), validate=True)) != 32:
                    raise ValueError
            except ValueError as exc:
                raise Refused(400, "invalid_request", "Invalid Base64 hash string") from exc
        return [str(v) for v in values]

    def _authorize(self, body: dict[str, Any]) -> dict[str, Any]:
        cred = self._credential(body)
        self._enabled(cred)
        hashes_ = self._hashes(body)
        if str(body.get("hashAlgorithmOID", SHA256_OID)) != SHA256_OID:
            raise Refused(400, "invalid_request", "Invalid parameter hashAlgorithmOID")
        if not secrets.compare_digest(str(body.get("PIN", "")), cred.pin):
            raise Refused(400, "invalid_pin", "The PIN is invalid")
        sad = secrets.token_urlsafe(32)
        with self._lock:
            self._sads[sad] = _Sad(
                credential_id=cred.credential_id,
                hashes=frozenset(hashes_),
                expires=self.now() + SAD_LIFETIME,
                remaining=int(body.get("numSignatures") or len(hashes_)),
            )
        return {"SAD": sad, "expiresIn": SAD_LIFETIME}

    def _sign_hash(self, body: dict[str, Any]) -> dict[str, Any]:
        cred = self._credential(body)
        self._enabled(cred)
        hashes_ = self._hashes(body)
        if str(body.get("signAlgo", "")) not in (RSA_OID, RSA_SHA256_OID):
            raise Refused(400, "invalid_request", "Invalid parameter signAlgo")
        if str(body.get("hashAlgo", SHA256_OID)) != SHA256_OID:
            raise Refused(400, "invalid_request", "Invalid parameter hashAlgo")
        with self._lock:
            sad = self._sads.get(str(body.get("SAD", "")))
            if sad is None or sad.credential_id != cred.credential_id:
                raise Refused(400, "invalid_request", "Invalid SAD")
            if sad.expires < self.now():
                del self._sads[str(body["SAD"])]
                raise Refused(400, "invalid_request", "SAD expired")
            if not set(hashes_) <= sad.hashes or len(hashes_) > sad.remaining:
                raise Refused(400, "invalid_request", "Hash is not authorized by the SAD")
            sad.remaining -= len(hashes_)
            if sad.remaining <= 0:
                del self._sads[str(body["SAD"])]
        key = serialization.load_pem_private_key(self.pki.key_pem(cred.label), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise Refused(400, "invalid_request", "Unsupported key")
        signatures = [
            key.sign(base64.b64decode(h), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
            for h in hashes_
        ]
        return {"signatures": [base64.b64encode(s).decode() for s in signatures]}
