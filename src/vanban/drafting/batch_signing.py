"""Signing several approved drafts at once with a key held by the server (R11; NĐ 68/2024/NĐ-CP,
TT 15/2025/TT-BKHCN on signing software: the certificate is checked before each signature, each
document gets its own signature and time stamp).

`drafts_sign_batch` signs each draft with `drafting.signing.draft_sign`, one draft after the
other, each in its own transaction: the PIN is given once for the batch, kept only for the
call and never stored; one draft that cannot be signed (not approved, a new version uploaded
since, not the reader's to sign, a signing error) does not stop or undo the others. The
certificate and the PIN are checked once before the first draft (the key is unlocked, as the
signing software does before signing): a certificate that is not the signer's, expired, or a
wrong PIN stops the batch before anything is signed.

`drafts_issue_batch` does the same for the issuing unit's clerk (R16; NĐ 30/2020 Art. 15-16):
several drafts signed by their competent signer are numbered, signed with the unit's
organisation certificate and issued one after the other with `services.draft_issue`, the PIN
of the organisation key given once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vanban.accounts.models import User
from vanban.core.errors import ServiceError
from vanban.signatures import pdfsign
from vanban.signatures import services as signatures
from vanban.signatures.models import Certificate, KeyStorage
from vanban.signatures.services import OrganisationKey

from .models import Draft
from .services import draft_issue
from .signing import draft_sign


@dataclass
class BatchItem:
    """One draft of the batch: signed, or refused with its Vietnamese reason."""

    draft: Draft
    signed: bool
    reason: str = ""


@dataclass
class BatchResult:
    items: list[BatchItem] = field(default_factory=list)
    # Why the whole batch stopped before signing anything (a wrong PIN), or "".
    stopped: str = ""

    @property
    def signed(self) -> list[BatchItem]:
        return [i for i in self.items if i.signed]

    @property
    def refused(self) -> list[BatchItem]:
        return [i for i in self.items if not i.signed]


def _unlocks(*, actor: User, certificate: Certificate, pin: str, personal: bool = True) -> str:
    """Why the batch cannot start with this certificate and PIN, or "": for a personal
    signature the signer's own active certificate valid now; its key opened with the PIN
    (PKCS#12 or PKCS#11)."""
    try:
        if personal:
            signatures.personal_certificate_check(signer=actor, certificate=certificate)
        signatures.key_holder(certificate, pin)
    except ServiceError as error:
        return error.message
    except pdfsign.SigningFailed as error:
        return str(error)
    return ""


def drafts_sign_batch(
    *,
    actor: User,
    drafts: Iterable[Draft],
    certificate: Certificate,
    pin: str,
    ip: str | None = None,
) -> BatchResult:
    """Sign each draft with `certificate`; every draft is checked and signed on its own
    (`draft_sign`: the rule of who may sign, the approved version, the certificate, then the
    signature verified before it is kept, in its own transaction). A certificate or PIN that
    cannot sign stops the batch before any signature; the PIN is never stored."""
    pending = list(drafts)
    if certificate.key_storage == KeyStorage.REMOTE:
        # NĐ 23/2025/NĐ-CP: the key stays with the remote service; one SAD for the batch.
        from .remote_batch import drafts_sign_batch_remote

        return drafts_sign_batch_remote(
            actor=actor, drafts=pending, certificate=certificate, pin=pin, ip=ip
        )
    stopped = _unlocks(actor=actor, certificate=certificate, pin=pin)
    if stopped:
        return BatchResult(
            items=[BatchItem(draft=d, signed=False, reason=stopped) for d in pending],
            stopped=stopped,
        )
    result = BatchResult()
    for draft in pending:
        try:
            draft_sign(actor=actor, draft=draft, certificate=certificate, pin=pin, ip=ip)
        except ServiceError as error:
            result.items.append(BatchItem(draft=draft, signed=False, reason=error.message))
        else:
            result.items.append(BatchItem(draft=draft, signed=True))
    return result


def drafts_issue_batch(
    *,
    actor: User,
    drafts: Iterable[Draft],
    certificate: Certificate,
    pin: str,
    ip: str | None = None,
) -> BatchResult:
    """The clerk issues each signed draft with the unit's organisation certificate: every draft
    is checked, numbered, signed and issued on its own (`draft_issue`: the clerk of the issuing
    unit, the competent signer's valid signature, the certificate of that unit), in its own
    transaction. A key that cannot be opened with the PIN stops the batch before any draft is
    issued; the PIN is never stored. A draft whose signed first page has no reserved number
    and date lines is refused here: it is issued on its own page, where the clerk places them."""
    pending = list(drafts)
    stopped = _unlocks(actor=actor, certificate=certificate, pin=pin, personal=False)
    if stopped:
        return BatchResult(
            items=[BatchItem(draft=d, signed=False, reason=stopped) for d in pending],
            stopped=stopped,
        )
    key = OrganisationKey(certificate=certificate, pin=pin)
    result = BatchResult()
    for draft in pending:
        try:
            draft_issue(actor=actor, draft=draft, organisation_key=key, ip=ip)
        except ServiceError as error:
            result.items.append(BatchItem(draft=draft, signed=False, reason=error.message))
        else:
            result.items.append(BatchItem(draft=draft, signed=True))
    return result
