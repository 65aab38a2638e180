"""The competent signer's personal signature with a key held by a remote signing service (R11;
NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): the same PAdES signature in the same field as the other
paths (`personal_prepare` -> SHA-256 of the signed attributes -> CSC v2 `credentials/authorize`
and `signatures/signHash` -> `personal_complete`). Only the hash leaves the system.

The certificate of the remote credential must be one the signer registered as their own
personal certificate (page "Chữ ký số"), so that the checks of every other path apply. Who signs
which document, and storing the result, are the business of the callers.
"""

from __future__ import annotations

import hashlib

from vanban.accounts.models import User
from vanban.core.errors import ServiceError

from .. import pdfsign
from ..models import Certificate, CertificateKind
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


def remote_certificate(*, signer: User, info: CredentialInfo) -> Certificate:
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
) -> bytes:
    """`pdf` signed in the competent signer's field by the key of `credential_id` at the remote
    provider, unlocked by the signer's `pin` (passed through, never kept): the handwritten
    signature image between the position `title` and the name, a time stamp when configured,
    validation data embedded. Everything is checked before the PIN is sent; nothing is stored
    here. ServiceError (Vietnamese) on any refusal."""
    client = CscClient(provider_config)
    info = client.credential_info(credential_id)
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
    [value] = client.sign_hashes(info, [digest], pin)
    return personal_complete(prepared=prepared, signature_value=value)
