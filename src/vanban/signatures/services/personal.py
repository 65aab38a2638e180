"""A personal signature in the competent signer's field (R11; NĐ 30/2020 Appendix I): with the
signer's own certificate, by a key held by the server (`personal_sign`) or next to the signer's
own key (`personal_prepare`, then `personal_complete`). Who signs which document, and when, is
the business of the callers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from vanban.accounts.models import User
from vanban.core.errors import AccessDenied, ServiceError

from .. import pdfsign
from ..models import Certificate, CertificateKind, MarkKind
from ._common import _now
from .certificates import certificate_chain, certificate_x509, key_holder
from .marks import active_mark, mark_bytes
from .verification import validation_context

PERSONAL_FIELD = "ChuKyNguoiCoThamQuyen"
PERSONAL_REASON = "Người có thẩm quyền ký ban hành"


def personal_certificate_check(*, signer: User, certificate: Certificate) -> None:
    """A person signs only with their own active personal certificate, valid now (R11)."""
    if (
        certificate.kind != CertificateKind.PERSONAL
        or certificate.user_id != signer.pk
        or not certificate.active
    ):
        raise AccessDenied("Chỉ ký bằng chứng thư số cá nhân của chính mình.")
    if not certificate.valid_at(_now()):
        raise ServiceError("Chứng thư số không còn hiệu lực tại thời điểm ký.")


def personal_appearance(*, signer: User, title: str, pdf: bytes) -> pdfsign.Appearance:
    """The competent signer's handwritten-signature image between the position title and the
    name (NĐ 30/2020 Appendix I); refused while the signer has no image."""
    mark = active_mark(kind=MarkKind.SIGNATURE, user=signer)
    if mark is None:
        raise ServiceError(
            "Chưa có hình chữ ký của người ký (PNG nền trong suốt, màu xanh): hãy tải lên ở "
            "trang “Chữ ký số”."
        )
    box = pdfsign.personal_box(pdf, signer.full_name, title=title, width_mm=float(mark.width_mm))
    return pdfsign.Appearance(box, image_png=mark_bytes(mark))


def personal_sign(
    *,
    pdf: bytes,
    certificate: Certificate,
    pin: str,
    appearance: pdfsign.Appearance,
    location: str,
) -> bytes:
    """Signs `pdf` in the competent signer's field with a key held by the server (PKCS#12 file
    or PKCS#11 token/HSM), a time stamp when configured, validation data embedded. The caller
    checks who signs what (`personal_certificate_check` and its own rules)."""
    try:
        holder = key_holder(certificate, pin)
        return pdfsign.sign(
            pdf,
            holder,
            field_name=PERSONAL_FIELD,
            appearance=appearance,
            signing_time=_now(),
            reason=PERSONAL_REASON,
            location=location,
            tsa_url=settings.VANBAN_TSA_URL or None,
            validation_context=validation_context(),
        )
    except pdfsign.SigningFailed as exc:
        raise ServiceError(str(exc)) from exc


def personal_prepare(
    *,
    pdf: bytes,
    certificate: Certificate,
    appearance: pdfsign.Appearance,
    location: str,
    signing_time: dt.datetime,
) -> pdfsign.Prepared:
    """Prepares `pdf` for a signature in the competent signer's field whose value is made next
    to the signer's own key (`vanban-sign`); `personal_complete` finishes it."""
    try:
        return pdfsign.prepare(
            pdf,
            certificate=certificate_x509(certificate),
            chain=certificate_chain(certificate),
            field_name=PERSONAL_FIELD,
            appearance=appearance,
            signing_time=signing_time,
            reason=PERSONAL_REASON,
            location=location,
        )
    except pdfsign.SigningFailed as exc:
        raise ServiceError(str(exc)) from exc


def personal_complete(*, prepared: pdfsign.Prepared, signature_value: bytes) -> bytes:
    """The prepared PDF completed with the signature value made next to the key, with a time
    stamp when configured and validation data embedded."""
    try:
        return pdfsign.complete(
            prepared,
            signature_value,
            tsa_url=settings.VANBAN_TSA_URL or None,
            validation_context=validation_context(),
        )
    except pdfsign.SigningFailed as exc:
        raise ServiceError(str(exc)) from exc
