"""The province's list of trusted root certificates (R11), kept by the province admin."""

from __future__ import annotations

from asn1crypto import x509
from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.core.errors import AccessDenied, ServiceError

from ..models import TrustKind, TrustRoot, TrustSource
from ._common import _audit, _name, _now, parse_certificates

MSG_NOT_A_CA = (
    "Đây không phải chứng thư của tổ chức chứng thực (CA gốc tự ký hoặc CA trung gian); chỉ "
    "chứng thư CA được đưa vào danh sách tin cậy."
)


def trust_root_add(*, actor: User, data: bytes, ip: str | None = None) -> TrustRoot:
    """The province admin adds a CA certificate to the trust list: a self-signed root becomes a
    trust anchor; an intermediate CA completes signers' chains offline and is trusted only
    through a root of the list (R11; TT 15/2025/TT-BKHCN: the trust path to the national root)."""
    _require_active(actor)
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý danh sách chứng thư gốc tin cậy.")
    certs = parse_certificates(data)
    if len(certs) != 1:
        raise ServiceError("Mỗi lần chỉ thêm một chứng thư gốc.", field="certificate")
    cert = certs[0]
    if not cert.ca:
        raise ServiceError(MSG_NOT_A_CA, field="certificate")
    kind = TrustKind.INTERMEDIATE if cert.self_signed == "no" else TrustKind.ROOT
    fingerprint = cert.sha256.hex()
    if TrustRoot.objects.filter(fingerprint=fingerprint).exists():
        raise ServiceError("Chứng thư gốc này đã có trong danh sách.", field="certificate")
    with transaction.atomic():
        root = TrustRoot.objects.create(
            kind=kind,
            name=_name(cert, "common_name") or cert.subject.human_friendly[:255],
            subject=cert.subject.human_friendly[:1000],
            der=cert.dump(),
            fingerprint=fingerprint,
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            added_by=actor,
            added_at=_now(),
        )
        _audit(
            actor, "trust_root_add", root, ip, fingerprint=fingerprint, name=root.name, kind=kind
        )
    return root


def trust_root_set_active(
    *, actor: User, root: TrustRoot, active: bool, ip: str | None = None
) -> TrustRoot:
    _require_active(actor)
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý danh sách chứng thư gốc tin cậy.")
    with transaction.atomic():
        root.active = active
        root.save(update_fields=["active"])
        _audit(actor, "trust_root_on" if active else "trust_root_off", root, ip)
    return root


def fetched_keep(certs: list[x509.Certificate]) -> None:
    """Keeps the intermediate CA certificates a verification fetched over the network (AIA
    caIssuers) in the trust list, marked as fetched, so that later verifications find them
    without network (TT 15/2025/TT-BKHCN; NĐ 68/2024). An intermediate is never a trust anchor:
    it only completes a chain to an installed root. A certificate already listed (installed,
    fetched before, or switched off by the province admin) is left as it is."""
    rows = [
        TrustRoot(
            kind=TrustKind.INTERMEDIATE,
            source=TrustSource.FETCHED,
            name=_name(cert, "common_name") or cert.subject.human_friendly[:255],
            subject=cert.subject.human_friendly[:1000],
            der=cert.dump(),
            fingerprint=cert.sha256.hex(),
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            added_by=None,
            added_at=_now(),
        )
        for cert in certs
        if cert.ca and cert.self_signed == "no"
    ]
    if rows:
        TrustRoot.objects.bulk_create(rows, ignore_conflicts=True)
