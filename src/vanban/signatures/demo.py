"""Signatures of the demo province: the test PKI (keys kept under VANBAN_TESTPKI_DIR), the test
root in the trust list, a personal certificate and a handwritten-signature image for the
Director of the Sở Thông tin và Truyền thông (ducpm.stttt), a remote credential for him at the
test PKI's CSC stand-in, and the Sở's organisation
certificate and seal for its clerk. All of it is test material: never use it for real
documents."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.reports.pdf import font_paths

from . import services, testcsc, testpki
from .models import Certificate, CertificateKind, KeyStorage, MarkKind, TrustRoot

DIRECTOR = "ducpm.stttt"
UNIT_ADMIN = "honglt.stttt"
UNIT_NAME = "Sở Thông tin và Truyền thông"
PROVINCE = "UBND tỉnh (thử nghiệm)"
REMOTE_LABEL = "ducpm-stttt-tu-xa"


@dataclass
class DemoSignatures:
    directory: Path
    tsa_url: str
    loaded: bool


def identities() -> list[testpki.Identity]:
    return [
        testpki.Identity("ducpm-stttt", "Phạm Minh Đức", PROVINCE, UNIT_NAME),
        # The key the CSC stand-in holds for the Director (remote signing, CSC v2).
        testpki.Identity(REMOTE_LABEL, "Phạm Minh Đức", PROVINCE, UNIT_NAME),
        testpki.Identity("stttt", UNIT_NAME, PROVINCE, kind="organisation"),
    ]


def signature_image() -> bytes:
    """A blue handwritten-looking stroke on a transparent background."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (40 + t * 5.2, 170 - 70 * math.sin(t / 9) * math.exp(-t / 160) - 25 * math.sin(t / 2.3))
        for t in range(100)
    ]
    draw.line(points, fill=(16, 45, 170, 255), width=7, joint="curve")
    draw.line([(90, 230), (520, 190)], fill=(16, 45, 170, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seal_image() -> bytes:
    """A red round seal with the unit's name, transparent background."""
    from PIL import Image, ImageDraw, ImageFont

    size = 600
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (210, 20, 30, 255)
    draw.ellipse([8, 8, size - 8, size - 8], outline=red, width=16)
    draw.ellipse([150, 150, size - 150, size - 150], outline=red, width=8)
    font = ImageFont.truetype(str(font_paths()[("bold", "normal")]), 34)
    text = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG • TỈNH THỬ NGHIỆM •"
    radius = size / 2 - 62
    for index, char in enumerate(text):
        angle = -math.pi / 2 + 2 * math.pi * index / len(text)
        x = size / 2 + radius * math.cos(angle)
        y = size / 2 + radius * math.sin(angle)
        glyph = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((30, 30), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - 30), int(y - 30)))
    star = []
    for point in range(10):
        length = 95 if point % 2 == 0 else 38
        angle = -math.pi / 2 + math.pi * point / 5
        star.append((size / 2 + length * math.cos(angle), size / 2 + length * math.sin(angle)))
    draw.polygon(star, fill=red)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def demo_pki(directory: Path | None = None, port: int = testpki.DEFAULT_PORT) -> testpki.TestPki:
    directory = Path(directory or settings.VANBAN_TESTPKI_DIR)
    if (directory / testpki.MANIFEST).exists():
        pki = testpki.load(directory)
        if {i.label for i in identities()} <= {i.label for i in pki.identities}:
            return pki
    return testpki.build(directory, port=port, identities=identities())


def _remote_certificate(pki: testpki.TestPki, director: User) -> None:
    """The Director's remote credential at the CSC stand-in (`csc-ducpm-stttt-tu-xa`, PIN
    123456), registered as `remote_credential_link` would after asking the stand-in."""
    certificates = [
        pem.unarmor(pki.cert_pem(REMOTE_LABEL))[2],
        pem.unarmor(pki.sub_ca_pem())[2],
    ]
    services.remote_certificate_register(
        actor=director,
        provider_name="csc",
        credential_id=testcsc.credential_id(REMOTE_LABEL),
        certificates=certificates,
    )


def demo_signatures_load(directory: Path | None = None) -> DemoSignatures:
    """Gives the demo province its signing material (once; a second call changes nothing)."""
    pki = demo_pki(directory)
    director = User.objects.filter(username=DIRECTOR).first()
    admin = User.objects.filter(username=UNIT_ADMIN).first()
    province_admin = User.objects.filter(role_assignments__role="province_admin").first()
    unit = Unit.objects.filter(name=UNIT_NAME).first()
    if director is None or admin is None or unit is None:
        return DemoSignatures(pki.directory, pki.tsa_url, loaded=False)
    root = x509.Certificate.load(pem.unarmor(pki.root_pem())[2])
    with transaction.atomic():
        if not TrustRoot.objects.filter(fingerprint=root.sha256.hex()).exists():
            if province_admin is not None:
                services.trust_root_add(actor=province_admin, data=pki.root_pem())
            else:
                TrustRoot.objects.create(
                    name=testpki.ROOT_NAME,
                    subject=root.subject.human_friendly,
                    der=root.dump(),
                    fingerprint=root.sha256.hex(),
                    not_before=root.not_valid_before,
                    not_after=root.not_valid_after,
                    added_at=clock.now(),
                )
        if not Certificate.objects.filter(user=director).exists():
            services.certificate_add(
                actor=director,
                kind=CertificateKind.PERSONAL,
                user=director,
                key_storage=KeyStorage.PKCS12,
                pkcs12=pki.p12("ducpm-stttt"),
                pin=testpki.PIN,
            )
            services.mark_upload(
                actor=director, kind=MarkKind.SIGNATURE, user=director, data=signature_image()
            )
        if not Certificate.objects.filter(user=director, key_storage=KeyStorage.REMOTE).exists():
            _remote_certificate(pki, director)
        if not Certificate.objects.filter(unit=unit).exists():
            services.certificate_add(
                actor=admin,
                kind=CertificateKind.ORGANISATION,
                unit=unit,
                key_storage=KeyStorage.PKCS12,
                pkcs12=pki.p12("stttt"),
                pin=testpki.PIN,
            )
            services.mark_upload(
                actor=admin, kind=MarkKind.SEAL, unit=unit, data=seal_image(), width_mm=36
            )
    return DemoSignatures(pki.directory, pki.tsa_url, loaded=True)
