"""Certificates, trust roots, signature images, signing and verification (R11, R12, R16;
R11, R12).

Who does what:
- the province admin manages the trust roots (`trust_root_add`, `trust_root_set_active`);
- a person registers their own personal certificate; a unit admin registers those of the people
  of the unit and the unit's organisation certificate; the province admin anywhere
  (`certificate_add`, `certificate_set_active`); the same for the handwritten-signature images
  and seals (`mark_upload`);
- a personal signature is made with the signer's own certificate (`personal_certificate_check`,
  `personal_appearance`) by a key held by the server (`personal_sign`) or next to the signer's
  own key (`personal_prepare`, then `personal_complete`); the organisation signature with the
  unit's key and seal (`organisation_check`, `organisation_sign`). Who signs which document, and
  when, is the business of the callers (the drafting process signs and issues drafts);
- every signature made or received is checked (`verify_bytes`) and the report kept
  (`report_store`).

Every write checks permission first, runs in a transaction, writes one audit event and changes
nothing when refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asn1crypto import pem, x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_discard, file_prepare, file_read_verified
from vanban.scanning.services import upload_scan

from . import pdfsign, verify
from .models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    SignatureMark,
    Trigger,
    TrustRoot,
    VerificationReport,
)

MARKS_PREFIX = "signatures/marks"
KEYS_PREFIX = "signatures/keys"
PERSONAL_FIELD = "ChuKyNguoiCoThamQuyen"
PERSONAL_REASON = "Người có thẩm quyền ký ban hành"
ORGANISATION_FIELD = "ChuKyCoQuan"
MAX_CERT_BYTES = 64 * 1024
MAX_MARK_BYTES = 2 * 1024 * 1024
MAX_P12_BYTES = 64 * 1024

MSG_NOT_TRUSTED = (
    "Chứng thư số không được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy của tỉnh."
)


MSG_NO_SEAL = (
    "Chưa có hình con dấu của đơn vị (PNG nền trong suốt, màu đỏ): quản trị đơn vị tải "
    "lên ở trang “Chữ ký số”."
)


def _now() -> dt.datetime:
    return clock.now()


def _audit(
    actor: Any, action: str, target: Any, ip: str | None, unit: Any = None, **data: Any
) -> AuditEvent:
    return audit_record(
        actor=actor, action=f"signatures.{action}", unit=unit, target=target, data=data, ip=ip
    )


# ---------------------------------------------------------------- parsing certificates


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from DER or PEM (a PEM file may hold the chain too); ServiceError if none."""
    if not data or len(data) > MAX_CERT_BYTES:
        raise ServiceError("Tệp chứng thư số rỗng hoặc quá lớn.", field="certificate")
    try:
        if pem.detect(data):
            certs = [
                x509.Certificate.load(der)
                for kind, _headers, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        else:
            certs = [x509.Certificate.load(data)]
        for cert in certs:
            cert.native  # noqa: B018  (parses every field: a damaged file fails here)
    except Exception as exc:
        raise ServiceError(
            "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM).", field="certificate"
        ) from exc
    if not certs:
        raise ServiceError("Tệp không chứa chứng thư số nào.", field="certificate")
    return certs


def _name(cert: x509.Certificate, key: str) -> str:
    return verify.subject_field(cert, key)[:255]


def trust_roots() -> list[x509.Certificate]:
    return [x509.Certificate.load(bytes(r.der)) for r in TrustRoot.objects.filter(active=True)]


def _chain_trusted(cert: x509.Certificate, chain: list[x509.Certificate]) -> bool:
    """Whether `cert` chains to an active trust root (revocation is checked when signing)."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    roots = trust_roots()
    if not roots:
        return False
    # A certificate is often downloaded without its issuing CA: the intermediates already known
    # from registered certificates complete the chain.
    known: dict[str, x509.Certificate] = {c.sha256.hex(): c for c in chain}
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


# ---------------------------------------------------------------- trust roots


def trust_root_add(*, actor: User, data: bytes, ip: str | None = None) -> TrustRoot:
    """The province admin adds a root certificate (self-signed CA) to the trust list."""
    _require_active(actor)
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý danh sách chứng thư gốc tin cậy.")
    certs = parse_certificates(data)
    if len(certs) != 1:
        raise ServiceError("Mỗi lần chỉ thêm một chứng thư gốc.", field="certificate")
    cert = certs[0]
    if cert.self_signed == "no" or not cert.ca:
        raise ServiceError(
            "Đây không phải chứng thư gốc (CA tự ký); chỉ chứng thư gốc được đưa vào danh sách "
            "tin cậy.",
            field="certificate",
        )
    fingerprint = cert.sha256.hex()
    if TrustRoot.objects.filter(fingerprint=fingerprint).exists():
        raise ServiceError("Chứng thư gốc này đã có trong danh sách.", field="certificate")
    with transaction.atomic():
        root = TrustRoot.objects.create(
            name=_name(cert, "common_name") or cert.subject.human_friendly[:255],
            subject=cert.subject.human_friendly[:1000],
            der=cert.dump(),
            fingerprint=fingerprint,
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            added_by=actor,
            added_at=_now(),
        )
        _audit(actor, "trust_root_add", root, ip, fingerprint=fingerprint, name=root.name)
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


# ---------------------------------------------------------------- certificates


def _may_manage_person(actor: User, person: User) -> bool:
    return actor.pk == person.pk or actor.can_manage_unit(person.unit)


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
    if key_storage not in KeyStorage.values:
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
        from .pkcs11 import pkcs11_holder

        return pkcs11_holder(certificate, pin)
    raise pdfsign.SigningFailed(
        "Khóa của chứng thư số này nằm trên máy người ký: dùng lệnh vanban-sign để ký."
    )


# ---------------------------------------------------------------- images and seals


def _check_png(data: bytes, kind: str) -> tuple[int, int]:
    from PIL import Image

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ServiceError("Hình phải là tệp PNG.", field="image")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise ServiceError("Tệp PNG bị hỏng.", field="image") from exc
    if image.width * image.height > 4000 * 4000:
        raise ServiceError("Hình quá lớn (tối đa 4000 × 4000 điểm ảnh).", field="image")
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    extrema: Any = alpha.getextrema()
    low, high = extrema
    if low > 0 or ("A" not in image.getbands() and "transparency" not in image.info):
        raise ServiceError("Hình phải có nền trong suốt (PNG có kênh alpha).", field="image")
    if high == 0:
        raise ServiceError("Hình trong suốt hoàn toàn, không có nét nào.", field="image")
    small = rgba.resize((min(rgba.width, 200), min(rgba.height, 200)))
    red = green = blue = 0.0
    count = 0
    pixels: Any = getattr(small, "get_flattened_data", small.getdata)()
    for r, g, b, a in pixels:
        if a >= 128:
            red, green, blue, count = red + r, green + g, blue + b, count + 1
    if count:
        red, green, blue = red / count, green / count, blue / count
    if kind == MarkKind.SIGNATURE and not (blue > red + 20 and blue > green + 20):
        raise ServiceError("Hình chữ ký phải có màu xanh (Phụ lục I, Nghị định 30/2020).")
    if kind == MarkKind.SEAL and not (red > green + 40 and red > blue + 40):
        raise ServiceError("Hình con dấu phải có màu đỏ (Phụ lục I, Nghị định 30/2020).")
    return image.width, image.height


def mark_upload(
    *,
    actor: User,
    kind: str,
    data: bytes,
    original_name: str = "",
    width_mm: Decimal | float | None = None,
    user: User | None = None,
    unit: Unit | None = None,
    ip: str | None = None,
) -> SignatureMark:
    """A person's handwritten-signature image or a unit's seal (PNG, transparent background,
    blue or red); it replaces the one in use. `width_mm` is the real width (the seal's
    diameter)."""
    _require_active(actor)
    if kind == MarkKind.SIGNATURE:
        if user is None:
            raise ServiceError("Hình chữ ký phải gắn với một người.")
        if not _may_manage_person(actor, user):
            raise AccessDenied()
        owner_unit = user.unit
        default_width = Decimal("40")
    elif kind == MarkKind.SEAL:
        if unit is None:
            raise ServiceError("Hình con dấu phải gắn với một đơn vị.")
        if not actor.can_manage_unit(unit):
            raise AccessDenied()
        owner_unit = unit
        default_width = Decimal("36")
    else:
        raise ServiceError("Loại hình không hợp lệ.", field="kind")
    if not data or len(data) > MAX_MARK_BYTES:
        raise ServiceError("Tệp hình rỗng hoặc lớn hơn 2 MB.", field="image")
    width = Decimal(str(width_mm)) if width_mm not in (None, "") else default_width
    if not Decimal("10") <= width <= Decimal("80"):
        raise ServiceError("Kích thước thật phải từ 10 đến 80 mm.", field="width_mm")
    pixel_w, pixel_h = _check_png(data, kind)
    # R20: the image goes through the gate of every upload (malware scan, format from content).
    file_prepare(
        SimpleUploadedFile(original_name or "hinh.png", data),
        actor=actor,
        unit=owner_unit,
        source="Hình chữ ký, con dấu",
    )
    stored = ""
    try:
        with transaction.atomic():
            stored = default_storage.save(
                f"{MARKS_PREFIX}/{uuid.uuid4().hex}.png", ContentFile(data)
            )
            owner = {"user": user} if kind == MarkKind.SIGNATURE else {"unit": unit}
            SignatureMark.objects.filter(kind=kind, active=True, **owner).update(active=False)
            mark = SignatureMark.objects.create(
                kind=kind,
                storage_name=stored,
                sha256=hashlib.sha256(data).hexdigest(),
                original_name=(original_name or f"{kind}.png")[:255],
                width_mm=width,
                pixel_width=pixel_w,
                pixel_height=pixel_h,
                uploaded_by=actor,
                uploaded_at=_now(),
                **owner,
            )
            _audit(actor, "mark_upload", mark, ip, unit=owner_unit, kind=kind, sha256=mark.sha256)
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    return mark


def active_mark(
    *, kind: str, user: User | None = None, unit: Unit | None = None
) -> SignatureMark | None:
    owner = {"user": user} if kind == MarkKind.SIGNATURE else {"unit": unit}
    return SignatureMark.objects.filter(kind=kind, active=True, **owner).first()


def mark_bytes(mark: SignatureMark) -> bytes:
    return file_read_verified(mark.storage_name, mark.sha256)


# ---------------------------------------------------------------- verification


def validation_context() -> Any:
    """The context used to embed validation data when signing: the province's trust roots."""
    return verify.context(
        trust_roots(),
        revocation="soft-fail",
        allow_fetching=settings.VANBAN_SIGNATURE_FETCH,
    )


def verify_bytes(data: bytes) -> verify.Report:
    return verify.verify_pdf(
        data,
        [] if verify.plainly_unsigned(data) else trust_roots(),  # no query for most files
        revocation=settings.VANBAN_SIGNATURE_REVOCATION,
        allow_fetching=settings.VANBAN_SIGNATURE_FETCH,
        now=_now(),
    )


def report_store(
    *,
    report: verify.Report,
    trigger: str,
    file_name: str,
    data: bytes,
    document: Any = None,
    draft: Any = None,
    actor: User | None = None,
) -> VerificationReport:
    return VerificationReport.objects.create(
        document=document,
        draft=draft,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        trigger=trigger,
        status=report.status,
        content=report.as_dict(),
        checked_by=actor,
        checked_at=_now(),
    )


def document_verify(
    *, actor: User | None, document: Any, trigger: str = Trigger.DEMAND, ip: str | None = None
) -> list[VerificationReport]:
    """Checks the signatures of every PDF of a document and keeps the reports (on receipt, on
    upload, on demand). Access is the caller's business (views check `visible_to`)."""
    reports = []
    for file in document.files.all():
        if file.file_format != "pdf":
            continue
        data = file_read_verified(file.storage_name, file.sha256)
        report = verify_bytes(data)
        reports.append(
            report_store(
                report=report,
                trigger=trigger,
                file_name=file.original_name,
                data=data,
                document=document,
                actor=actor,
            )
        )
    if actor is not None and reports:
        audit_record(
            actor=actor,
            action="signatures.verify",
            unit=document.unit,
            target=document,
            data={"trigger": trigger, "results": [r.status for r in reports]},
            ip=ip,
        )
    return reports


# ---------------------------------------------------------------- a personal signature


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


# ------------------------------------------------------ the clerk's organisation signature


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
