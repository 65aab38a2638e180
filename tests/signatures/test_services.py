"""Refusals of the signature services: registering certificates and trust roots, signature
images and seals (signing a draft with them: tests/drafting/test_signing.py). Every refusal
asserts the Vietnamese reason and that nothing changed: no row, no stored file, no audit event,
no number taken."""

import io
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests import signing
from tests.support import refusals
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.models import Document, DocumentFile, RegisterSeries
from vanban.drafting.models import Draft, DraftVersion
from vanban.signatures import services
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    SignatureMark,
    TrustRoot,
    VerificationReport,
)

pytestmark = pytest.mark.django_db
PIN = signing.PIN


def stored(prefix: str = "") -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        dirs, names = default_storage.listdir(path)
        found.extend(f"{path}/{n}".lstrip("/") for n in names)
        for d in dirs:
            walk(f"{path}/{d}".lstrip("/"))

    if prefix == "" or default_storage.exists(prefix):
        walk(prefix)
    return sorted(found)


def state() -> dict[str, Any]:
    return {
        "trust_roots": list(TrustRoot.objects.values_list("pk", "fingerprint", "active")),
        "certificates": list(Certificate.objects.values_list("pk", "fingerprint", "active")),
        "marks": list(SignatureMark.objects.values_list("pk", "sha256", "active")),
        "reports": VerificationReport.objects.count(),
        "drafts": list(
            Draft.objects.order_by("pk").values_list(
                "pk",
                "status",
                "current_version_id",
                "approved_version_id",
                "signed_version_id",
                "signed_storage_name",
                "signed_sha256",
                "document_id",
            )
        ),
        "versions": DraftVersion.objects.count(),
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "series": list(RegisterSeries.objects.values_list("pk", "next_number")),
        "audit": AuditEvent.objects.count(),
        "stored": stored(),
    }


refused = partial(refusals.refused, state=state)


def add_p12(actor, label: str = "nguoi-ky", *, user=None, unit=None, pin: str = PIN, **kw):  # type: ignore[no-untyped-def]
    kind = CertificateKind.ORGANISATION if unit is not None else CertificateKind.PERSONAL
    return services.certificate_add(
        actor=actor,
        kind=kind,
        user=user,
        unit=unit,
        key_storage=KeyStorage.PKCS12,
        pkcs12=signing.pki().p12(label),
        pin=pin,
        **kw,
    )


# ---------------------------------------------------------------- certificates


def test_a_person_registers_their_own_certificate(team):
    signing.trust()
    certificate = add_p12(team.signer, user=team.signer)
    assert (certificate.kind, certificate.user, certificate.subject_name) == (
        CertificateKind.PERSONAL,
        team.signer,
        "Nguyễn Văn Ký",
    )
    assert certificate.issuer == "CA phục vụ các cơ quan Nhà nước (thử nghiệm)"
    assert stored() == [certificate.pkcs12_storage_name]
    assert AuditEvent.objects.filter(action="signatures.certificate_add").count() == 1


def test_certificate_refusals(team):
    province = team.province
    signing.trust()
    refused(
        lambda: add_p12(team.signer, "la", user=team.signer),
        ServiceError,
        services.MSG_NOT_TRUSTED,
        "certificate",
    )
    refused(
        lambda: add_p12(team.signer, "het-han", user=team.signer),
        ServiceError,
        "Chứng thư số đã hết hạn từ 30/06/2025.",
        "certificate",
    )
    refused(
        lambda: services.certificate_add(
            actor=team.signer,
            kind=CertificateKind.PERSONAL,
            user=team.signer,
            key_storage=KeyStorage.LOCAL,
            certificate=signing.pki().sub_ca_pem(),
        ),
        ServiceError,
        "Đây là chứng thư của tổ chức chứng thực, không dùng để ký.",
    )
    refused(
        lambda: services.certificate_add(
            actor=team.signer,
            kind=CertificateKind.PERSONAL,
            user=team.signer,
            key_storage=KeyStorage.LOCAL,
            certificate=b"%PDF-1.7 this is not a certificate",
        ),
        ServiceError,
        "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM).",
        "certificate",
    )
    refused(
        lambda: add_p12(team.signer, user=team.signer, pin="654321"),
        ServiceError,
        "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng.",
    )
    refused(
        lambda: services.certificate_add(
            actor=team.signer,
            kind=CertificateKind.PERSONAL,
            user=team.signer,
            key_storage=KeyStorage.PKCS12,
            pkcs12=b"not a PKCS#12 file",
            pin=PIN,
        ),
        ServiceError,
        "Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng.",
    )
    # A person registers for someone else; a unit admin for a person or unit of another unit.
    refused(
        lambda: add_p12(team.drafter, user=team.signer),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    refused(
        lambda: add_p12(province.admin_snv, user=team.signer),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    refused(
        lambda: add_p12(province.admin_snv, "to-chuc", unit=province.stttt),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    refused(
        lambda: add_p12(team.signer, "to-chuc", unit=province.stttt),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    # The same certificate twice, for the same person or for another one.
    add_p12(province.admin_stttt, user=team.signer)
    refused(
        lambda: add_p12(team.signer, user=team.signer),
        ServiceError,
        "Chứng thư số này đã được đăng ký.",
        "certificate",
    )
    refused(
        lambda: add_p12(province.admin_stttt, user=team.head),
        ServiceError,
        "Chứng thư số này đã được đăng ký.",
        "certificate",
    )


def test_without_trust_roots_no_certificate_is_accepted(team):
    refused(
        lambda: add_p12(team.signer, user=team.signer),
        ServiceError,
        services.MSG_NOT_TRUSTED,
        "certificate",
    )


# ---------------------------------------------------------------- trust roots


def test_the_province_admin_adds_a_trust_root(team):
    province = team.province
    root = services.trust_root_add(actor=province.province_admin, data=signing.pki().root_pem())
    assert root.name == "Ban Cơ yếu Chính phủ - CA gốc (thử nghiệm)"
    assert root.active and root.added_by == province.province_admin
    assert AuditEvent.objects.filter(action="signatures.trust_root_add").count() == 1


def test_trust_root_refusals(team):
    province = team.province
    pki = signing.pki()
    for actor in (province.admin_stttt, team.signer):
        refused(
            lambda actor=actor: services.trust_root_add(actor=actor, data=pki.root_pem()),
            AccessDenied,
            "Chỉ quản trị tỉnh quản lý danh sách chứng thư gốc tin cậy.",
        )
    # A signer's own certificate is no CA: neither a root nor an intermediate.
    refused(
        lambda: services.trust_root_add(
            actor=province.province_admin, data=pki.cert_pem("nguoi-ky")
        ),
        ServiceError,
        "Đây không phải chứng thư của tổ chức chứng thực (CA gốc tự ký hoặc CA trung gian); chỉ "
        "chứng thư CA được đưa vào danh sách tin cậy.",
        "certificate",
    )
    refused(
        lambda: services.trust_root_add(actor=province.province_admin, data=b"garbage"),
        ServiceError,
        "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM).",
        "certificate",
    )
    signing.trust()
    refused(
        lambda: services.trust_root_add(actor=province.province_admin, data=pki.root_pem()),
        ServiceError,
        "Chứng thư gốc này đã có trong danh sách.",
        "certificate",
    )


def test_an_intermediate_ca_joins_the_list_without_becoming_an_anchor(team):
    province = team.province
    pki = signing.pki()
    sub = services.trust_root_add(actor=province.province_admin, data=pki.sub_ca_pem())
    assert (sub.kind, sub.get_kind_display()) == ("intermediate", "CA trung gian")
    assert services.trust_roots() == []
    assert [c.sha256 for c in services.intermediates()] == [sub_ca(pki).sha256]
    root = services.trust_root_add(actor=province.province_admin, data=pki.root_pem())
    assert root.kind == "root"
    assert [c.sha256.hex() for c in services.trust_roots()] == [root.fingerprint]


def sub_ca(pki):  # type: ignore[no-untyped-def]
    from asn1crypto import pem, x509

    return x509.Certificate.load(pem.unarmor(pki.sub_ca_pem())[2])


# ---------------------------------------------------------------- signature images and seals


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 100), (20, 40, 200)).save(out, "JPEG")
    return out.getvalue()


def test_marks_are_stored_and_replace_the_previous_one(team):
    first = services.mark_upload(
        actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=signing.signature_png()
    )
    second = services.mark_upload(
        actor=team.signer,
        kind=MarkKind.SIGNATURE,
        user=team.signer,
        data=signing.signature_png(colour=(10, 10, 160, 255)),
        width_mm=35,
    )
    first.refresh_from_db()
    assert (first.active, second.active, second.width_mm) == (False, True, Decimal("35"))
    seal = services.mark_upload(
        actor=team.province.admin_stttt,
        kind=MarkKind.SEAL,
        unit=team.province.stttt,
        data=signing.seal_png(),
    )
    assert (seal.kind, seal.width_mm, seal.pixel_width) == (MarkKind.SEAL, Decimal("36"), 300)
    assert len(stored("signatures/marks")) == 3


def test_mark_refusals(team):
    admin = team.province.admin_stttt
    unit = team.province.stttt

    def signature(data: bytes, **kw):  # type: ignore[no-untyped-def]
        return lambda: services.mark_upload(
            actor=team.signer, kind=MarkKind.SIGNATURE, user=team.signer, data=data, **kw
        )

    def seal(data: bytes, **kw):  # type: ignore[no-untyped-def]
        return lambda: services.mark_upload(
            actor=admin, kind=MarkKind.SEAL, unit=unit, data=data, **kw
        )

    refused(signature(jpeg()), ServiceError, "Hình phải là tệp PNG.", "image")
    refused(
        signature(signing.signature_png(alpha=False)),
        ServiceError,
        "Hình phải có nền trong suốt (PNG có kênh alpha).",
        "image",
    )
    refused(
        signature(signing.signature_png(colour=(220, 20, 20, 255))),
        ServiceError,
        "Hình chữ ký phải có màu xanh (Phụ lục I, Nghị định 30/2020).",
    )
    refused(
        seal(signing.seal_png(colour=(20, 40, 200, 255))),
        ServiceError,
        "Hình con dấu phải có màu đỏ (Phụ lục I, Nghị định 30/2020).",
    )
    for width in (120, 5):
        refused(
            seal(signing.seal_png(), width_mm=width),
            ServiceError,
            "Kích thước thật phải từ 10 đến 80 mm.",
            "width_mm",
        )
    refused(signature(b""), ServiceError, "Tệp hình rỗng hoặc lớn hơn 2 MB.", "image")
    # Someone else's signature image; another unit's seal.
    refused(
        lambda: services.mark_upload(
            actor=team.drafter,
            kind=MarkKind.SIGNATURE,
            user=team.signer,
            data=signing.signature_png(),
        ),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    refused(
        lambda: services.mark_upload(
            actor=team.province.admin_snv, kind=MarkKind.SEAL, unit=unit, data=signing.seal_png()
        ),
        AccessDenied,
        "Bạn không có quyền thực hiện thao tác này.",
    )
