"""Registering personal and organisation certificates with where their keys are (R11, R16), and
the key of a certificate held by the server, unlocked with the signer's PIN.

A person registers their own personal certificate; a unit admin those of the people of the unit
and the unit's organisation certificate; the province admin anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

from asn1crypto import x509
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_discard, file_read_verified
from vanban.scanning.services import upload_scan

from .. import pdfsign
from ..models import Certificate, CertificateKind, KeyStorage
from ._common import (
    _audit,
    _may_manage_person,
    _name,
    _now,
    intermediates,
    parse_certificates,
    trust_roots,
)

KEYS_PREFIX = "signatures/keys"
MAX_P12_BYTES = 64 * 1024

MSG_NOT_TRUSTED = (
    "Chứng thư số không được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy của tỉnh."
)


def _chain_trusted(cert: x509.Certificate, chain: list[x509.Certificate]) -> bool:
    """Whether `cert` chains to an active trust root (revocation is checked when signing)."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    roots = trust_roots()
    if not roots:
        return False
    # A certificate is often downloaded without its issuing CA: the intermediates already known
    # from registered certificates complete the chain.
    known: dict[str, x509.Certificate] = {c.sha256.hex(): c for c in [*chain, *intermediates()]}
    for stored in Certificate.objects.exclude(chain=[]).values_list("chain", flat=True)[:500]:
        for item in stored:
            cert_ = x509.Certificate.load(base64.b64decode(item))
            known.setdefault(cert_.sha256.hex(), cert_)
    chain = list(known.values())
    vc = ValidationContext(
        trust_roots=roots,
        other_certs=chain,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=vc)
    try:
        pdfsign.run(validator.async_validate_path(), vc)
    except Exception:
        return False
    return True


def _certificate_owner_unit(
    *, actor: User, kind: str, user: User | None, unit: Unit | None
) -> Unit:
    """A personal certificate belongs to a person the actor may manage (or the actor), an
    organisation certificate to a unit the actor administers. Returns the owner's unit.
    """
    if kind == CertificateKind.PERSONAL:
        if user is None or unit is not None:
            raise ServiceError("Chứng thư số cá nhân phải gắn với một người.")
        if not _may_manage_person(actor, user):
            raise AccessDenied()
        return user.unit
    if kind == CertificateKind.ORGANISATION:
        if unit is None or user is not None:
            raise ServiceError("Chứng thư số tổ chức phải gắn với một đơn vị.")
        if not actor.can_manage_unit(unit):
            raise AccessDenied()
        return unit
    raise ServiceError("Loại chứng thư số không hợp lệ.", field="kind")


def _certificate_from_pkcs12(
    *, actor: User, owner_unit: Unit, pkcs12: bytes | None, pin: str
) -> tuple[x509.Certificate, list[x509.Certificate], bytes]:
    """The certificate and chain of a PKCS#12 file, opened with the PIN (which is not kept).

    Returns them with the file's bytes, to be stored.
    """
    if not pkcs12 or len(pkcs12) > MAX_P12_BYTES:
        raise ServiceError("Cần tệp khóa PKCS#12 (.p12, .pfx).", field="pkcs12")
    try:
        holder = pdfsign.load_pkcs12(pkcs12, pin) if pin else None
    except pdfsign.SigningFailed as exc:
        raise ServiceError(str(exc), field="pin") from exc
    if holder is None:
        raise ServiceError("Cần mã PIN để mở tệp khóa PKCS#12.", field="pin")
    cert = holder.signing_cert
    chain = pdfsign.holder_chain(holder)
    # R20: a key file is stored, so it is scanned like any upload (not a document format).
    upload_scan(
        data=pkcs12, name="khoa.p12", actor=actor, unit=owner_unit, source="Tệp khóa PKCS#12"
    )
    return cert, chain, pkcs12


def _certificate_check_usable(
    *, cert: x509.Certificate, chain: list[x509.Certificate], now: dt.datetime
) -> str:
    """Not expired, not a CA, allowed to sign, chained to a trust root, not registered yet.

    Returns the certificate's SHA-256 fingerprint.
    """
    if cert.not_valid_after < now:
        raise ServiceError(
            "Chứng thư số đã hết hạn từ "
            f"{cert.not_valid_after.astimezone(pdfsign.VN_TZ):%d/%m/%Y}.",
            field="certificate",
        )
    if cert.ca:
        raise ServiceError("Đây là chứng thư của tổ chức chứng thực, không dùng để ký.")
    usage = cert.key_usage_value.native if cert.key_usage_value else set()
    if usage and not ({"digital_signature", "non_repudiation"} & set(usage)):
        raise ServiceError("Chứng thư số không được phép dùng để ký số.", field="certificate")
    if not _chain_trusted(cert, chain):
        raise ServiceError(MSG_NOT_TRUSTED, field="certificate")
    fingerprint: str = cert.sha256.hex()
    if Certificate.objects.filter(fingerprint=fingerprint).exists():
        raise ServiceError("Chứng thư số này đã được đăng ký.", field="certificate")
    return fingerprint


def _certificate_record(
    *,
    actor: User,
    kind: str,
    user: User | None,
    unit: Unit | None,
    owner_unit: Unit,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    fingerprint: str,
    key_storage: str,
    stored: str,
    p12_data: bytes,
    pkcs11_key_label: str,
    now: dt.datetime,
    ip: str | None,
) -> Certificate:
    """Save the certificate row and its audit event."""
    record = Certificate.objects.create(
        kind=kind,
        user=user,
        unit=unit,
        der=cert.dump(),
        chain=[base64.b64encode(c.dump()).decode() for c in chain],
        fingerprint=fingerprint,
        subject_name=_name(cert, "common_name"),
        organisation=_name(cert, "organization_name"),
        subject=cert.subject.human_friendly[:1000],
        issuer=str(cert.issuer.native.get("common_name", ""))[:255],
        serial=format(cert.serial_number, "x")[:80],
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        key_storage=key_storage,
        pkcs12_storage_name=stored,
        pkcs12_sha256=hashlib.sha256(p12_data).hexdigest() if p12_data else "",
        pkcs11_key_label=pkcs11_key_label if key_storage == KeyStorage.PKCS11 else "",
        added_by=actor,
        added_at=now,
    )
    _audit(
        actor,
        "certificate_add",
        record,
        ip,
        unit=owner_unit,
        kind=kind,
        owner=user.username if user else unit.name if unit else "",
        fingerprint=fingerprint,
        key_storage=key_storage,
    )
    return record


def certificate_add(
    *,
    actor: User,
    kind: str,
    user: User | None = None,
    unit: Unit | None = None,
    key_storage: str,
    certificate: bytes | None = None,
    pkcs12: bytes | None = None,
    pin: str = "",
    pkcs11_key_label: str = "",
    ip: str | None = None,
) -> Certificate:
    """Registers a certificate for a person (personal) or a unit (organisation), with where its
    key is: a PKCS#12 file kept by the server (opened with the PIN to check it; the PIN is not
    kept), a key on the server's PKCS#11 token/HSM (its label), or a key on the signer's own
    computer (only the public certificate is uploaded)."""
    _require_active(actor)
    owner_unit = _certificate_owner_unit(actor=actor, kind=kind, user=user, unit=unit)
    if key_storage not in KeyStorage.values or key_storage == KeyStorage.REMOTE:
        # A remote key is linked through its credential (`remote_credential_link`).
        raise ServiceError("Nơi giữ khóa không hợp lệ.", field="key_storage")
    p12_data = b""
    if key_storage == KeyStorage.PKCS12:
        cert, chain, p12_data = _certificate_from_pkcs12(
            actor=actor, owner_unit=owner_unit, pkcs12=pkcs12, pin=pin
        )
    else:
        if certificate is None:
            raise ServiceError("Cần tệp chứng thư số (.cer, .crt, .pem).", field="certificate")
        certs = parse_certificates(certificate)
        cert, chain = certs[0], certs[1:]
    if key_storage == KeyStorage.PKCS11:
        pkcs11_key_label = pkcs11_key_label.strip()
        if not pkcs11_key_label:
            raise ServiceError("Cần nhãn khóa trên thiết bị PKCS#11.", field="pkcs11_key_label")
    now = _now()
    fingerprint = _certificate_check_usable(cert=cert, chain=chain, now=now)
    stored = ""
    try:
        with transaction.atomic():
            if p12_data:
                stored = default_storage.save(
                    f"{KEYS_PREFIX}/{uuid.uuid4().hex}.p12", ContentFile(p12_data)
                )
            record = _certificate_record(
                actor=actor,
                kind=kind,
                user=user,
                unit=unit,
                owner_unit=owner_unit,
                cert=cert,
                chain=chain,
                fingerprint=fingerprint,
                key_storage=key_storage,
                stored=stored,
                p12_data=p12_data,
                pkcs11_key_label=pkcs11_key_label,
                now=now,
                ip=ip,
            )
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    return record


def certificate_set_active(
    *, actor: User, certificate: Certificate, active: bool, ip: str | None = None
) -> Certificate:
    _require_active(actor)
    # A personal certificate has its person, an organisation's its unit (certificate_owner).
    if certificate.user is not None:
        allowed = _may_manage_person(actor, certificate.user)
    else:
        allowed = certificate.unit is not None and actor.can_manage_unit(certificate.unit)
    if not allowed:
        raise AccessDenied()
    with transaction.atomic():
        certificate.active = active
        certificate.save(update_fields=["active"])
        _audit(actor, "certificate_on" if active else "certificate_off", certificate, ip)
    return certificate


def certificate_chain(certificate: Certificate) -> list[x509.Certificate]:
    return [x509.Certificate.load(base64.b64decode(c)) for c in certificate.chain]


def certificate_x509(certificate: Certificate) -> x509.Certificate:
    return x509.Certificate.load(bytes(certificate.der))


def key_holder(certificate: Certificate, pin: str) -> pdfsign.KeyHolder:
    """The key of a certificate held by the server, unlocked with the signer's PIN."""
    if certificate.key_storage == KeyStorage.PKCS12:
        data = file_read_verified(certificate.pkcs12_storage_name, certificate.pkcs12_sha256)
        holder = pdfsign.load_pkcs12(data, pin)
        if holder.signing_cert.sha256.hex() != certificate.fingerprint:
            raise pdfsign.SigningFailed("Tệp khóa không khớp với chứng thư số đã đăng ký.")
        return holder
    if certificate.key_storage == KeyStorage.PKCS11:
        from ..pkcs11 import pkcs11_holder

        return pkcs11_holder(certificate, pin)
    raise pdfsign.SigningFailed(
        "Khóa của chứng thư số này nằm trên máy người ký: dùng lệnh vanban-sign để ký."
    )
