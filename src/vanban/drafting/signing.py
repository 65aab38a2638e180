"""The competent signer's digital signature on an approved draft (R11; NĐ 30/2020 Art. 13,
Appendix I).

Drafting owns the signing of a draft: who may sign it and when (`draft_sign_refusal`, the one
rule used by the pages to offer signing and by the services to refuse), the three ways to sign
it (`draft_sign` with a key held by the server; `draft_sign_request` then
`signing_request_complete` with a key on the signer's own computer, through `vanban-sign`;
`draft_signed_upload` for a PDF signed by another tool), and keeping the signed version. The
cryptography (certificates, keys, PDF signatures, verification reports) is vanban.signatures'.

Every write checks permission first, runs in a transaction, writes one audit event (named
`signatures.*`, as recorded since signing began) and changes nothing when refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from vanban.accounts.models import Role, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.documents.files import file_discard, file_prepare, file_read_verified
from vanban.signatures import numberdate, pdfsign, verify
from vanban.signatures import services as signatures
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    RequestStatus,
    SigningPurpose,
    SigningRequest,
    Trigger,
)

from .models import Draft, DraftAction, DraftEvent, DraftStatus
from .services._common import _active_in, _notify, draft_label

SIGNED_PREFIX = "signatures/signed"
REQUESTS_PREFIX = "signatures/requests"
REQUEST_LIFETIME = dt.timedelta(hours=2)
MSG_PHONE_ONLY = (
    "Chứng thư số này được xác nhận trên điện thoại: hãy chọn “Ký số, xác nhận trên điện thoại”."
)


def _audit(actor: User, action: str, target: Any, ip: str | None, unit: Any, **data: Any) -> None:
    audit_record(
        actor=actor, action=f"signatures.{action}", unit=unit, target=target, data=data, ip=ip
    )


# ---------------------------------------------------------------- who may sign


def draft_sign_refusal(*, user: User, draft: Draft) -> ServiceError | None:
    """Why `user` may not sign `draft` now, or None (R11): only the person who approved its
    latest version signs it, once, while it stays approved. The draft's page offers signing
    exactly when this is None, and every way of signing refuses with this reason."""
    if not user.is_authenticated or not user.is_active:
        return AccessDenied()
    if draft.status != DraftStatus.APPROVED or not draft.is_approved:
        return ServiceError("Chỉ ký số được dự thảo đã được phê duyệt ở phiên bản mới nhất.")
    if draft.approved_by_id != user.pk:
        return AccessDenied("Chỉ người đã phê duyệt dự thảo mới ký số văn bản.")
    if draft.is_signed:
        return ServiceError("Phiên bản này đã được ký số.")
    return None


def draft_may_sign(*, user: User, draft: Draft) -> bool:
    return draft_sign_refusal(user=user, draft=draft) is None


def _signable(actor: User, draft: Draft) -> None:
    """The rule of who may sign, then the file: only a PDF version is signed."""
    refusal = draft_sign_refusal(user=actor, draft=draft)
    if refusal is not None:
        raise refusal
    version = draft.current_version
    if version is None or not version.has_pdf:
        # A DOCX, DOC or ODT version is signed as the PDF/A converted from it on upload; a
        # version without one (LibreOffice missing at the time) never reaches approval now,
        # this guards the versions approved before.
        raise ServiceError(
            "Chỉ ký số được tệp PDF: phiên bản đã phê duyệt chưa có bản PDF; hãy tải lên bản PDF "
            "của dự thảo (phiên bản mới cần kiểm tra và phê duyệt lại)."
        )


# ---------------------------------------------------------------- the signed version


def _approved_pdf(draft: Draft) -> bytes:
    """The PDF of the approved version that is signed: the version itself, or the PDF/A
    converted from it (`DraftVersion.pdf_to_show`), read and checked against its SHA-256."""
    shown = draft.current_version.pdf_to_show()  # type: ignore[union-attr]
    if shown is None:
        raise ServiceError("Phiên bản đã phê duyệt chưa có bản PDF để ký số.")
    return file_read_verified(shown.storage_name, shown.sha256)


def _with_room_for_number_date(approved: bytes) -> bytes:
    """The approved PDF with empty fields over the gaps of its "Số:" and date lines, which the
    personal signature covers, so that the clerk can fill them in at issue without breaking it
    (NĐ 30/2020 Art. 15; vanban.signatures.numberdate)."""
    return numberdate.reserve(approved)


def _appearance(actor: User, draft: Draft, pdf: bytes) -> pdfsign.Appearance:
    return signatures.personal_appearance(
        signer=actor, title=draft.signer_position or draft.authority_title, pdf=pdf
    )


def _check_signed(*, actor: User, data: bytes, approved: bytes) -> verify.Report:
    """A signed PDF is accepted for the draft when it is the approved version with signatures
    appended (incremental update), and its last signature is valid and made with a personal
    certificate registered for the approver."""
    if not data.startswith(approved):
        raise ServiceError(
            "Tệp đã ký không phải là phiên bản đã được phê duyệt (nội dung khác hoặc đã bị sửa)."
        )
    report = signatures.verify_bytes(data)
    if report.status != verify.VALID:
        reasons = " ".join(report.reasons()) or report.label
        raise ServiceError(f"Chữ ký số không hợp lệ: {reasons}")
    fingerprints = set(
        Certificate.objects.filter(
            kind=CertificateKind.PERSONAL, user=actor, active=True
        ).values_list("fingerprint", flat=True)
    )
    if not report.signatures or report.signatures[-1].fingerprint not in fingerprints:
        raise ServiceError(
            "Tệp được ký bằng chứng thư số không đăng ký cho người phê duyệt văn bản."
        )
    return report


def _store_signed(
    *,
    actor: User,
    draft: Draft,
    data: bytes,
    report: verify.Report,
    via: str,
    trigger: str,
    ip: str | None,
) -> Draft:
    now = clock.now()
    stored = ""
    try:
        with transaction.atomic():
            locked = Draft.objects.select_for_update().get(pk=draft.pk)
            _signable(actor, locked)
            stored = default_storage.save(
                f"{SIGNED_PREFIX}/{now:%Y/%m}/{uuid.uuid4().hex}.pdf", ContentFile(data)
            )
            locked.signed_version = locked.current_version
            locked.signed_storage_name = stored
            locked.signed_sha256 = hashlib.sha256(data).hexdigest()
            locked.signed_by = actor
            locked.signed_at = now
            locked.signed_via = via
            locked.updated_at = now
            locked.save(
                update_fields=[
                    "signed_version",
                    "signed_storage_name",
                    "signed_sha256",
                    "signed_by",
                    "signed_at",
                    "signed_via",
                    "updated_at",
                ]
            )
            last = report.signatures[-1]
            DraftEvent.objects.create(
                draft=locked,
                action=DraftAction.SIGNED,
                actor=actor,
                actor_name=actor.full_name,
                actor_position=actor.position,
                version=locked.current_version,
                text=(
                    f"Ký số bằng chứng thư số của {last.signer} (số hiệu {last.serial}, "
                    f"{last.issuer})."
                ),
                at=now,
            )
            signatures.report_store(
                report=report,
                trigger=trigger,
                file_name=locked.current_version.pdf_to_show().file_name,  # type: ignore[union-attr]
                data=data,
                draft=locked,
                actor=actor,
            )
            _audit(
                actor,
                "draft_sign",
                locked,
                ip,
                unit=locked.issuing_unit,
                via=via,
                sha256=locked.signed_sha256,
                certificate=last.fingerprint,
            )
            # R16: the clerks of the issuing unit number, sign with the unit's certificate and
            # issue what the competent person signed; they learn it is waiting for them.
            _notify(
                [u for u in _active_in([locked.issuing_unit_id], Role.CLERK) if u.pk != actor.pk],
                locked,
                f"Văn bản đã được ký, chờ phát hành: {draft_label(locked)}",
                f"{actor.full_name} đã ký số văn bản; văn thư cấp số, ký số của cơ quan và phát "
                "hành.",
            )
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    draft.refresh_from_db()
    return draft


def signed_for_issue(*, draft: Draft) -> bytes:
    """The personally signed PDF of the draft, read back by SHA-256. Its signature is checked
    again with the organisation signature added (`draft_issue` refuses unless both are valid):
    the clerk signs only what the competent person has validly signed (R11)."""
    if not draft.is_signed:
        raise ServiceError(
            "Văn bản chưa được người có thẩm quyền ký số ở phiên bản đã phê duyệt; không thể phát "
            "hành điện tử."
        )
    return file_read_verified(draft.signed_storage_name, draft.signed_sha256)


# ---------------------------------------------------------------- a key held by the server


def draft_sign(
    *, actor: User, draft: Draft, certificate: Certificate, pin: str, ip: str | None = None
) -> Draft:
    """The competent signer signs the approved PDF with a key held by the server (PKCS#12 file
    or PKCS#11 token/HSM) or by a remote signing service (CSC v2), with the PIN typed for this
    signature only: the handwritten-signature image between the position title and the
    name, a time stamp when configured, validation data embedded."""
    _signable(actor, draft)
    signatures.personal_certificate_check(signer=actor, certificate=certificate)
    if certificate.key_storage == KeyStorage.REMOTE and certificate.remote_provider == "async":
        raise ServiceError(MSG_PHONE_ONLY, field="certificate")
    approved = _approved_pdf(draft)
    if certificate.key_storage == KeyStorage.REMOTE:
        # NĐ 23/2025/NĐ-CP; TT 15/2025/TT-BKHCN: the key stays with the remote signing
        # service; only the hash leaves, unlocked by the PIN typed for this signature.
        signed = signatures.remote_personal_sign(
            signer=actor,
            pdf=_with_room_for_number_date(approved),
            title=draft.signer_position or draft.authority_title,
            provider_config=signatures.remote_provider(certificate.remote_provider or "csc"),
            credential_id=certificate.remote_credential_id,
            pin=pin,
            location=draft.issuing_unit.name,
            appearance=_appearance(actor, draft, approved),
        )
    else:
        signed = signatures.personal_sign(
            pdf=_with_room_for_number_date(approved),
            certificate=certificate,
            pin=pin,
            appearance=_appearance(actor, draft, approved),
            location=draft.issuing_unit.name,
        )
    report = _check_signed(actor=actor, data=signed, approved=approved)
    return _store_signed(
        actor=actor,
        draft=draft,
        data=signed,
        report=report,
        via=certificate.key_storage,
        trigger=Trigger.SIGNING,
        ip=ip,
    )


# ---------------------------------------------------------------- a PDF signed by another tool


def draft_signed_upload(*, actor: User, draft: Draft, data: bytes, ip: str | None = None) -> Draft:
    """The competent signer uploads the approved PDF signed with another tool; it is verified on
    upload and refused unless it is the approved version carrying a valid signature of theirs."""
    _signable(actor, draft)
    # R20: the signed file goes through the gate of every upload: the appended signature
    # revision is new content (it could add JavaScript or an embedded file).
    file_prepare(
        SimpleUploadedFile("van-ban-da-ky.pdf", data),
        actor=actor,
        unit=draft.issuing_unit,
        source="Văn bản đã ký số tải lên",
    )
    report = _check_signed(actor=actor, data=data, approved=_approved_pdf(draft))
    return _store_signed(
        actor=actor,
        draft=draft,
        data=data,
        report=report,
        via="upload",
        trigger=Trigger.UPLOAD,
        ip=ip,
    )


# ---------------------------------------------------------------- a key on the signer's computer


@dataclass
class RequestData:
    """What `vanban-sign` receives: the bytes to sign and the certificate expected."""

    code: str
    to_be_signed: bytes
    certificate: bytes
    digest_algorithm: str = pdfsign.DIGEST


def draft_sign_request(
    *, actor: User, draft: Draft, certificate: Certificate, ip: str | None = None
) -> SigningRequest:
    """Prepares the approved PDF for a signature made next to the signer's token: the server
    keeps the prepared file and hands out a one-time code; `vanban-sign` fetches the bytes to
    sign, signs them with the token and returns the value (`signing_request_complete`)."""
    _signable(actor, draft)
    signatures.personal_certificate_check(signer=actor, certificate=certificate)
    approved = _approved_pdf(draft)
    appearance = _appearance(actor, draft, approved)
    now = clock.now()
    prepared = signatures.personal_prepare(
        pdf=_with_room_for_number_date(approved),
        certificate=certificate,
        appearance=appearance,
        location=draft.issuing_unit.name,
        signing_time=now,
    )
    stored = ""
    try:
        with transaction.atomic():
            SigningRequest.objects.filter(
                draft=draft, status=RequestStatus.PENDING, requested_by=actor
            ).update(status=RequestStatus.CANCELLED)
            stored = default_storage.save(
                f"{REQUESTS_PREFIX}/{uuid.uuid4().hex}.pdf", ContentFile(prepared.pdf)
            )
            request = SigningRequest.objects.create(
                code=secrets.token_hex(16),
                purpose=SigningPurpose.PERSONAL,
                draft=draft,
                certificate=certificate,
                requested_by=actor,
                prepared_storage_name=stored,
                prepared_sha256=hashlib.sha256(prepared.pdf).hexdigest(),
                prepared=prepared.to_dict(),
                created_at=now,
                expires_at=now + REQUEST_LIFETIME,
            )
            _audit(actor, "sign_request", draft, ip, unit=draft.issuing_unit, request=request.pk)
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    return request


def _pending_request(*, actor: User, code: str) -> SigningRequest:
    request = (
        SigningRequest.objects.select_related("draft", "certificate")
        .filter(code=code, requested_by=actor)
        .first()
    )
    if request is None:
        raise NotFound("Không tìm thấy yêu cầu ký số.")
    if request.status != RequestStatus.PENDING:
        raise ServiceError("Yêu cầu ký số này đã được dùng hoặc đã bị hủy.")
    if request.expires_at < clock.now():
        raise ServiceError("Yêu cầu ký số đã hết hạn; hãy tạo yêu cầu mới.")
    return request


def _local_request(*, actor: User, code: str) -> SigningRequest:
    """A pending request for `vanban-sign`; one confirmed on the phone is not one."""
    request = _pending_request(actor=actor, code=code)
    if "transaction_id" in request.prepared:
        raise NotFound("Không tìm thấy yêu cầu ký số.")
    return request


def signing_request_data(*, actor: User, code: str) -> RequestData:
    request = _local_request(actor=actor, code=code)
    prepared = pdfsign.Prepared.from_dict(b"", request.prepared)
    return RequestData(
        code=request.code,
        to_be_signed=pdfsign.to_be_signed(prepared),
        certificate=bytes(request.certificate.der),
    )


def signing_request_complete(
    *, actor: User, code: str, signature_value: bytes, ip: str | None = None
) -> Draft:
    """Completes the PDF with the signature value made by `vanban-sign`, checks it and keeps it
    as the signed version. A wrong value (another key, other data) changes nothing."""
    if not actor.is_active:
        raise AccessDenied()
    request = _local_request(actor=actor, code=code)
    draft: Draft = request.draft
    _signable(actor, draft)
    pdf = file_read_verified(request.prepared_storage_name, request.prepared_sha256)
    signed = signatures.personal_complete(
        prepared=pdfsign.Prepared.from_dict(pdf, request.prepared),
        signature_value=signature_value,
    )
    report = _check_signed(actor=actor, data=signed, approved=_approved_pdf(draft))
    result = _store_signed(
        actor=actor,
        draft=draft,
        data=signed,
        report=report,
        via=KeyStorage.LOCAL,
        trigger=Trigger.SIGNING,
        ip=ip,
    )
    with transaction.atomic():
        SigningRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.COMPLETED, completed_at=clock.now()
        )
    file_discard(request.prepared_storage_name)
    return result


# ---------------------------------------------------------------- confirmed on the signer's phone

MSG_PHONE_NOT_ASYNC = "Chứng thư số này không dùng cách xác nhận ký trên điện thoại."


def _phone_provider(certificate: Certificate) -> Any:
    if certificate.key_storage != KeyStorage.REMOTE or certificate.remote_provider != "async":
        raise ServiceError(MSG_PHONE_NOT_ASYNC, field="certificate")
    return signatures.remote_async_provider(certificate.remote_provider)


def draft_phone_sign_start(
    *, actor: User, draft: Draft, certificate: Certificate, ip: str | None = None
) -> SigningRequest:
    """First step of a signature by a remote key confirmed on the signer's phone (NĐ
    23/2025/NĐ-CP; TT 15/2025/TT-BKHCN): the approved PDF is prepared, the provider opens a
    transaction and asks the person on their phone. The prepared PDF is kept in storage and the
    pending transaction (`PendingRemoteSignature.to_dict()`) on a `SigningRequest`, read back by
    `draft_phone_sign_check` at each poll of the waiting page. A refusal stores nothing."""
    _signable(actor, draft)
    signatures.personal_certificate_check(signer=actor, certificate=certificate)
    config = _phone_provider(certificate)
    approved = _approved_pdf(draft)
    pending = signatures.remote_personal_sign_start(
        signer=actor,
        pdf=_with_room_for_number_date(approved),
        title=draft.signer_position or draft.authority_title,
        provider_config=config,
        credential_id=certificate.remote_credential_id,
        location=draft.issuing_unit.name,
        description=f"Ký số: {draft_label(draft)}"[:200],
    )
    now = clock.now()
    stored = ""
    try:
        with transaction.atomic():
            SigningRequest.objects.filter(
                draft=draft, status=RequestStatus.PENDING, requested_by=actor
            ).update(status=RequestStatus.CANCELLED)
            stored = default_storage.save(
                f"{REQUESTS_PREFIX}/{uuid.uuid4().hex}.pdf", ContentFile(pending.prepared.pdf)
            )
            request = SigningRequest.objects.create(
                code=secrets.token_hex(16),
                purpose=SigningPurpose.PERSONAL,
                draft=draft,
                certificate=certificate,
                requested_by=actor,
                prepared_storage_name=stored,
                prepared_sha256=hashlib.sha256(pending.prepared.pdf).hexdigest(),
                prepared=pending.to_dict(),
                created_at=now,
                expires_at=now + REQUEST_LIFETIME,
            )
            _audit(
                actor, "sign_phone_start", draft, ip, unit=draft.issuing_unit, request=request.pk
            )
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    return request


def _phone_request(*, actor: User, code: str) -> tuple[SigningRequest, Any]:
    request = _pending_request(actor=actor, code=code)
    if "transaction_id" not in request.prepared:
        raise NotFound("Không tìm thấy yêu cầu ký số.")
    return request, _phone_provider(request.certificate)


def _phone_close(request: SigningRequest, status: str) -> None:
    with transaction.atomic():
        SigningRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
            status=status, completed_at=clock.now()
        )
    file_discard(request.prepared_storage_name)


def draft_phone_sign_check(*, actor: User, code: str, ip: str | None = None) -> Draft | None:
    """Asks the provider once: None while the person has not answered; approved: the prepared
    PDF is completed, checked and kept through `_store_signed` like every other way, and the
    signer is notified. Refused on the phone, expired or cancelled: the request is closed, the
    prepared file discarded, nothing is stored and ServiceError says why (Vietnamese)."""
    if not actor.is_active:
        raise AccessDenied()
    request, config = _phone_request(actor=actor, code=code)
    draft: Draft = request.draft
    _signable(actor, draft)
    pdf = file_read_verified(request.prepared_storage_name, request.prepared_sha256)
    pending = signatures.PendingRemoteSignature.from_dict(pdf, request.prepared)
    try:
        signed = signatures.remote_personal_sign_finish(
            pending=pending, provider_config=config, wait=False
        )
    except ServiceError:
        _phone_close(request, RequestStatus.CANCELLED)
        raise
    if signed is None:
        return None
    report = _check_signed(actor=actor, data=signed, approved=_approved_pdf(draft))
    result = _store_signed(
        actor=actor,
        draft=draft,
        data=signed,
        report=report,
        via=KeyStorage.REMOTE,
        trigger=Trigger.SIGNING,
        ip=ip,
    )
    _phone_close(request, RequestStatus.COMPLETED)
    _notify(
        [actor],
        result,
        f"Đã ký số văn bản (xác nhận trên điện thoại): {draft_label(result)}",
    )
    return result


def draft_phone_sign_cancel(*, actor: User, code: str, ip: str | None = None) -> None:
    """The signer cancels before confirming on the phone: the provider's transaction is
    cancelled, the request closed and the prepared file discarded."""
    if not actor.is_active:
        raise AccessDenied()
    request, config = _phone_request(actor=actor, code=code)
    pdf = file_read_verified(request.prepared_storage_name, request.prepared_sha256)
    pending = signatures.PendingRemoteSignature.from_dict(pdf, request.prepared)
    try:
        signatures.remote_personal_sign_cancel(pending=pending, provider_config=config)
    finally:
        _phone_close(request, RequestStatus.CANCELLED)
    _audit(
        actor,
        "sign_phone_cancel",
        request.draft,
        ip,
        unit=request.draft.issuing_unit,
        request=request.pk,
    )
