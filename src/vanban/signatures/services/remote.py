"""The competent signer's personal signature with a key held by a remote signing service (R11;
NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): the same PAdES signature in the same field as the other
paths (`personal_prepare` -> SHA-256 of the signed attributes -> CSC v2 `credentials/authorize`
and `signatures/signHash` -> `personal_complete`). Only the hash leaves the system.

With an asynchronous provider (the person confirms on their phone) signing takes two steps:
`remote_personal_sign_start` prepares the PDF and opens the transaction, returning a
`PendingRemoteSignature` that the caller keeps (it holds the prepared PDF; `to_dict` and the PDF
bytes may be stored apart); `remote_personal_sign_finish` polls once or waits, then completes.

The certificate of the remote credential must be one the signer registered as their own
personal certificate (page "Chữ ký số"), so that the checks of every other path apply. Who signs
which document, and storing the result, are the business of the callers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509
from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.core.errors import ServiceError

from .. import pdfsign
from ..models import Certificate, CertificateKind, KeyStorage
from ..remote import asynchronous
from ..remote.asynchronous import AsyncClient, AsyncCredential, AsyncProvider
from ..remote.csc import CredentialInfo, CscClient, CscProvider, provider_from_settings
from ._common import _now
from .personal import (
    personal_appearance,
    personal_certificate_check,
    personal_complete,
    personal_prepare,
)

MSG_NOT_REGISTERED = (
    "Chứng thư số của khóa ký số từ xa “{credential}” chưa được đăng ký là chứng thư số cá nhân "
    "của người ký: hãy thêm chứng thư số này ở trang “Chữ ký số” rồi ký lại."
)


def remote_provider(name: str = "csc") -> CscProvider:
    """The remote signing provider configured in `VANBAN_REMOTE_SIGNING` (docs/signatures.md)."""
    return provider_from_settings(name)


def remote_async_provider(name: str = "async") -> AsyncProvider:
    """The asynchronous provider configured in `VANBAN_REMOTE_SIGNING["async"]`."""
    return asynchronous.provider_from_settings(name)


def remote_certificate(*, signer: User, info: CredentialInfo | AsyncCredential) -> Certificate:
    """The signer's registered personal certificate that the remote credential holds."""
    fingerprint = hashlib.sha256(info.certificates[0]).hexdigest()
    found = Certificate.objects.filter(
        kind=CertificateKind.PERSONAL, user=signer, fingerprint=fingerprint
    ).first()
    if found is None:
        raise ServiceError(MSG_NOT_REGISTERED.format(credential=info.credential_id))
    return found


def remote_personal_sign(
    *,
    signer: User,
    pdf: bytes,
    title: str,
    provider_config: CscProvider,
    credential_id: str,
    pin: str,
    location: str | None = None,
    appearance: pdfsign.Appearance | None = None,
) -> bytes:
    """`pdf` signed in the competent signer's field by the key of `credential_id` at the remote
    provider, unlocked by the signer's `pin` (passed through, never kept): the handwritten
    signature image between the position `title` and the name, a time stamp when configured,
    validation data embedded (`appearance`, when given, replaces the one placed from `pdf`).
    Everything is checked before the PIN is sent; nothing is stored
    here. ServiceError (Vietnamese) on any refusal."""
    client = CscClient(provider_config)
    info = client.credential_info(credential_id)
    info.check_usable()
    certificate = remote_certificate(signer=signer, info=info)
    personal_certificate_check(signer=signer, certificate=certificate)
    if appearance is None:
        appearance = personal_appearance(signer=signer, title=title, pdf=pdf)
    prepared = personal_prepare(
        pdf=pdf,
        certificate=certificate,
        appearance=appearance,
        location=location if location is not None else signer.unit.name,
        signing_time=_now(),
    )
    digest = hashlib.sha256(pdfsign.to_be_signed(prepared)).digest()
    [value] = client.sign_hashes(info, [digest], pin)
    return personal_complete(prepared=prepared, signature_value=value)


@dataclass(frozen=True)
class PendingRemoteSignature:
    """A signing transaction waiting for the person's confirmation on their phone, and the
    prepared PDF it will complete. The caller keeps it between the two steps: in memory, or
    `to_dict()` (JSON, no secret: the transaction id is useless without the province's client
    credentials) next to `prepared.pdf` in its own temporary storage."""

    transaction_id: str
    credential_id: str
    prepared: pdfsign.Prepared

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "credential_id": self.credential_id,
            "prepared": self.prepared.to_dict(),
        }

    @classmethod
    def from_dict(cls, pdf: bytes, data: dict[str, Any]) -> PendingRemoteSignature:
        return cls(
            transaction_id=str(data["transaction_id"]),
            credential_id=str(data["credential_id"]),
            prepared=pdfsign.Prepared.from_dict(pdf, data["prepared"]),
        )


def remote_personal_sign_start(
    *,
    signer: User,
    pdf: bytes,
    title: str,
    provider_config: AsyncProvider,
    credential_id: str,
    location: str | None = None,
    description: str = "",
    callback_url: str = "",
) -> PendingRemoteSignature:
    """First step with an asynchronous provider: the credential's certificate is checked (usable,
    registered as the signer's own, `personal_certificate_check`), `pdf` is prepared in the
    competent signer's field and a transaction for the hash of its signed attributes is opened;
    the person is asked on their phone. Nothing is stored here. ServiceError (Vietnamese) on any
    refusal."""
    client = AsyncClient(provider_config)
    info = client.credential(credential_id)
    info.check_usable()
    certificate = remote_certificate(signer=signer, info=info)
    personal_certificate_check(signer=signer, certificate=certificate)
    appearance = personal_appearance(signer=signer, title=title, pdf=pdf)
    prepared = personal_prepare(
        pdf=pdf,
        certificate=certificate,
        appearance=appearance,
        location=location if location is not None else signer.unit.name,
        signing_time=_now(),
    )
    digest = hashlib.sha256(pdfsign.to_be_signed(prepared)).digest()
    state = client.create(
        credential_id, [digest], description=description, callback_url=callback_url
    )
    return PendingRemoteSignature(
        transaction_id=state.transaction_id, credential_id=credential_id, prepared=prepared
    )


def remote_personal_sign_finish(
    *,
    pending: PendingRemoteSignature,
    provider_config: AsyncProvider,
    wait: bool = True,
    max_wait: float | None = None,
    client: AsyncClient | None = None,
) -> bytes | None:
    """Second step: with `wait`, polls until the person answers (at most `max_wait` seconds, the
    provider's setting by default; past it the transaction is cancelled); without, asks once and
    returns None while it is still pending. Approved: the prepared PDF completed with the
    signature value (time stamp when configured, validation data embedded), the same PAdES
    signature as `remote_personal_sign`. Refused, expired, cancelled: ServiceError."""
    client = client or AsyncClient(provider_config)
    if wait:
        [value] = client.wait(pending.transaction_id, expected=1, max_wait=max_wait)
    else:
        state = client.status(pending.transaction_id, expected=1)
        if state.status == asynchronous.PENDING:
            return None
        [value] = client.signatures(state)
    return personal_complete(prepared=pending.prepared, signature_value=value)


def remote_personal_sign_cancel(
    *, pending: PendingRemoteSignature, provider_config: AsyncProvider
) -> None:
    """Cancels the transaction (the signer changed their mind before confirming)."""
    AsyncClient(provider_config).cancel(pending.transaction_id)


# ---------------------------------------------------------------- a person's remote credential

MSG_KEY_TOO_SHORT = (
    "Khóa của chứng thư số quá ngắn ({algorithm} {bits} bit): cần RSA từ 2048 bit hoặc EC từ "
    "256 bit."
)
MSG_NO_CREDENTIAL = "Cần mã khóa ký số từ xa do nhà cung cấp cấp cho bạn."
MIN_KEY_BITS = {"rsa": 2048, "ec": 256}


def _check_key_size(cert: x509.Certificate) -> None:
    """TT 15/2025/TT-BKHCN: RSA of at least 2048 bits, EC of at least 256 bits."""
    algorithm = cert.public_key.algorithm
    bits = cert.public_key.bit_size
    if algorithm not in MIN_KEY_BITS or bits < MIN_KEY_BITS[algorithm]:
        raise ServiceError(
            MSG_KEY_TOO_SHORT.format(algorithm=algorithm.upper(), bits=bits),
            field="credential_id",
        )


def remote_credentials_offered(*, user_id: str, provider_name: str = "csc") -> list[str]:
    """The credential ids the configured provider holds for `user_id` (`credentials/list`)."""
    return CscClient(remote_provider(provider_name)).credentials(user_id)


def remote_credential_link(
    *,
    actor: User,
    credential_id: str,
    provider_name: str = "csc",
    ip: str | None = None,
) -> Certificate:
    """Registers the certificate of the actor's remote credential as their personal certificate
    (key storage `remote`): read from `credentials/info`, checked (key enabled, not revoked,
    valid now, chained to a trust root, key size) and kept with the provider and credential id.
    No PIN is asked or kept (NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN). `provider_name` "async"
    links a credential of the asynchronous provider, whose signatures are confirmed on the
    person's phone."""
    _require_active(actor)
    credential_id = credential_id.strip()
    if not credential_id or len(credential_id) > 255:
        raise ServiceError(MSG_NO_CREDENTIAL, field="credential_id")
    info: CredentialInfo | AsyncCredential
    if provider_name == "async":
        # The asynchronous provider (the person confirms on their phone) answers
        # `GET credentials/{id}` with the same certificates and key state.
        info = AsyncClient(remote_async_provider(provider_name)).credential(credential_id)
    else:
        info = CscClient(remote_provider(provider_name)).credential_info(credential_id)
    info.check_usable()
    return remote_certificate_register(
        actor=actor,
        provider_name=provider_name,
        credential_id=credential_id,
        certificates=info.certificates,
        ip=ip,
    )


def remote_certificate_register(
    *,
    actor: User,
    provider_name: str,
    credential_id: str,
    certificates: list[bytes],
    ip: str | None = None,
) -> Certificate:
    """Registers `certificates` (DER, the signer's first, then its issuers), those of the
    actor's credential at the provider, as their personal certificate of key storage `remote`,
    after the checks of every registration (valid now, chained to a trust root, allowed to sign,
    not registered yet) and the key size. `remote_credential_link` reads them from the provider;
    the demo gives those of the stand-in."""
    from .certificates import _certificate_check_usable, _certificate_record

    _require_active(actor)
    try:
        certs = [x509.Certificate.load(der) for der in certificates]
        cert, chain = certs[0], certs[1:]
        cert.public_key  # noqa: B018 - parsed now, so that a bad answer is refused here
    except (ValueError, IndexError) as exc:
        raise ServiceError("Dịch vụ ký số từ xa trả về chứng thư số không đọc được.") from exc
    _check_key_size(cert)
    now = _now()
    fingerprint = _certificate_check_usable(cert=cert, chain=chain, now=now)
    if cert.not_valid_before > now:
        raise ServiceError("Chứng thư số chưa đến thời điểm có hiệu lực.", field="credential_id")
    with transaction.atomic():
        record = _certificate_record(
            actor=actor,
            kind=CertificateKind.PERSONAL,
            user=actor,
            unit=None,
            owner_unit=actor.unit,
            cert=cert,
            chain=chain,
            fingerprint=fingerprint,
            key_storage=KeyStorage.REMOTE,
            stored="",
            p12_data=b"",
            pkcs11_key_label="",
            now=now,
            ip=ip,
        )
        record.remote_provider = provider_name
        record.remote_credential_id = credential_id
        record.save(update_fields=["remote_provider", "remote_credential_id"])
    return record
