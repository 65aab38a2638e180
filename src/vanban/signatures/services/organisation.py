"""The clerk's organisation signature when issuing (R11; NĐ 30/2020 Appendix I): with the
issuing unit's certificate, a key held by the server, and the unit's seal."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from vanban.accounts.models import Role, Unit, User
from vanban.core.errors import AccessDenied, ServiceError

from .. import pdfsign
from ..models import Certificate, CertificateKind, KeyStorage, MarkKind
from ._common import _now
from .certificates import key_holder
from .marks import active_mark, mark_bytes
from .personal import PERSONAL_FIELD
from .verification import validation_context

ORGANISATION_FIELD = "ChuKyCoQuan"

MSG_NO_SEAL = (
    "Chưa có hình con dấu của đơn vị (PNG nền trong suốt, màu đỏ): quản trị đơn vị tải "
    "lên ở trang “Chữ ký số”."
)


@dataclass
class OrganisationKey:
    """The issuing unit's certificate and its PIN, given by the clerk when issuing."""

    certificate: Certificate
    pin: str


def organisation_check(*, actor: User, unit: Unit, key: OrganisationKey | None) -> None:
    if key is None:
        raise ServiceError(
            "Cần chứng thư số tổ chức của đơn vị để ký số khi phát hành (R11).", field="certificate"
        )
    cert = key.certificate
    if cert.kind != CertificateKind.ORGANISATION or cert.unit_id != unit.pk or not cert.active:
        raise AccessDenied("Chỉ ký bằng chứng thư số tổ chức của đơn vị phát hành.")
    if not actor.has_role(Role.CLERK, unit):
        raise AccessDenied("Chỉ văn thư của đơn vị phát hành ký số tổ chức.")
    if not cert.valid_at(_now()):
        raise ServiceError("Chứng thư số tổ chức không còn hiệu lực.")
    if cert.key_storage == KeyStorage.LOCAL:
        raise ServiceError(
            "Khóa của chứng thư số tổ chức này nằm trên máy văn thư; phát hành điện tử cần khóa "
            "do máy chủ giữ (tệp PKCS#12 hoặc thiết bị PKCS#11/HSM).",
            field="certificate",
        )
    if active_mark(kind=MarkKind.SEAL, unit=unit) is None:
        raise ServiceError(MSG_NO_SEAL)


def organisation_sign(
    pdf: bytes,
    *,
    unit: Unit,
    key: OrganisationKey,
    number_symbol: str = "",
    attachment: bool = False,
) -> bytes:
    """The clerk's organisation signature: on the main document the seal at real size over the
    left third of the signer's image; on an attachment, text only at the top right of page 1:
    number and symbol, then the signing time (Appendix I)."""
    try:
        holder = key_holder(key.certificate, key.pin)
        if attachment:
            appearance = pdfsign.Appearance(pdfsign.attachment_box(pdf), text="%(number)s\n%(ts)s")
        else:
            mark = active_mark(kind=MarkKind.SEAL, unit=unit)
            if mark is None:  # organisation_check refuses this before
                raise ServiceError(MSG_NO_SEAL)
            boxes = pdfsign.signature_boxes(pdf)
            personal = next(
                (box for name, box in boxes if name == PERSONAL_FIELD),
                boxes[0][1] if boxes else pdfsign.personal_box(pdf, ""),
            )
            appearance = pdfsign.Appearance(
                pdfsign.inside_page(
                    pdf,
                    pdfsign.seal_box(personal, diameter_mm=float(mark.width_mm)),
                ),
                image_png=mark_bytes(mark),
            )
        return pdfsign.sign(
            pdf,
            holder,
            field_name=ORGANISATION_FIELD,
            appearance=appearance,
            signing_time=_now(),
            reason=f"Văn thư ký số phát hành văn bản {number_symbol}".strip(),
            location=unit.name,
            text_params={"number": number_symbol},
            tsa_url=settings.VANBAN_TSA_URL or None,
            validation_context=validation_context(),
        )
    except pdfsign.SigningFailed as exc:
        raise ServiceError(str(exc)) from exc
