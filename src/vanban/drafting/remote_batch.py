"""Signing several approved drafts at once with the signer's key held by a remote signing
service (R11; NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN; CSC API v2 `credentials/authorize` with
`numSignatures` = n): the PIN is given once and passed through, never kept; every draft is
checked and prepared on its own (the rule of who may sign, the approved PDF with room for the
number and date, the signer's appearance), the hashes of all prepared drafts are authorised with
ONE Signature Activation Data and signed in one `signatures/signHash` call; then each signature
is completed, verified and stored on its own, in its own transaction, through the same storing
path as `drafting.signing.draft_sign`. A draft that cannot be prepared or stored does not stop
or undo the others; a wrong PIN or a provider that refuses signs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.signatures import pdfsign
from vanban.signatures import services as signatures
from vanban.signatures.models import Certificate, KeyStorage, Trigger
from vanban.signatures.remote.csc import CscClient

from .batch_signing import BatchItem, BatchResult
from .models import Draft
from .signing import (
    _appearance,
    _approved_pdf,
    _check_signed,
    _signable,
    _store_signed,
    _with_room_for_number_date,
)

MSG_NOT_REMOTE = "Chứng thư số được chọn không phải khóa ký số từ xa."
MSG_OTHER_CREDENTIAL = (
    "Khóa ký số từ xa hiện giữ chứng thư số khác với chứng thư số đã chọn; hãy liên kết lại "
    "khóa ở trang “Chữ ký số”."
)


def _stopped(pending: list[Draft], reason: str) -> BatchResult:
    return BatchResult(
        items=[BatchItem(draft=d, signed=False, reason=reason) for d in pending], stopped=reason
    )


def drafts_sign_batch_remote(
    *,
    actor: User,
    drafts: Iterable[Draft],
    certificate: Certificate,
    pin: str,
    ip: str | None = None,
) -> BatchResult:
    """Signs each draft with the remote credential of `certificate` under one SAD; returns a
    `batch_signing.BatchResult` in the order of `drafts`."""
    pending = list(drafts)
    if certificate.key_storage != KeyStorage.REMOTE:
        return _stopped(pending, MSG_NOT_REMOTE)
    try:
        signatures.personal_certificate_check(signer=actor, certificate=certificate)
        client = CscClient(signatures.remote_provider(certificate.remote_provider or "csc"))
        info = client.credential_info(certificate.remote_credential_id)
        info.check_usable()
        if signatures.remote_certificate(signer=actor, info=info).pk != certificate.pk:
            raise ServiceError(MSG_OTHER_CREDENTIAL)
    except ServiceError as error:
        return _stopped(pending, error.message)

    reasons: dict[int, str] = {}
    prepared: dict[int, tuple[pdfsign.Prepared, bytes]] = {}
    for index, draft in enumerate(pending):
        try:
            _signable(actor, draft)
            approved = _approved_pdf(draft)
            ready = signatures.personal_prepare(
                pdf=_with_room_for_number_date(approved),
                certificate=certificate,
                appearance=_appearance(actor, draft, approved),
                location=draft.issuing_unit.name,
                signing_time=clock.now(),
            )
        except ServiceError as error:
            reasons[index] = error.message
        except pdfsign.SigningFailed as error:
            reasons[index] = str(error)
        else:
            prepared[index] = (ready, approved)

    if prepared:
        order = sorted(prepared)
        digests = [hashlib.sha256(pdfsign.to_be_signed(prepared[i][0])).digest() for i in order]
        try:
            values = client.sign_hashes(info, digests, pin)
        except ServiceError as error:
            return _stopped(pending, error.message)
        for index, value in zip(order, values, strict=True):
            ready, approved = prepared[index]
            draft = pending[index]
            try:
                signed = signatures.personal_complete(prepared=ready, signature_value=value)
                report = _check_signed(actor=actor, data=signed, approved=approved)
                _store_signed(
                    actor=actor,
                    draft=draft,
                    data=signed,
                    report=report,
                    via=KeyStorage.REMOTE,
                    trigger=Trigger.SIGNING,
                    ip=ip,
                )
            except ServiceError as error:
                reasons[index] = error.message
            except pdfsign.SigningFailed as error:
                reasons[index] = str(error)

    return BatchResult(
        items=[
            BatchItem(draft=d, signed=i not in reasons, reason=reasons.get(i, ""))
            for i, d in enumerate(pending)
        ]
    )
