"""Signature test data: the test PKI of vanban.signatures.testpki, built once per test process
and served on a free loopback port, and helpers that give people and units their certificates,
handwritten-signature images and seals through the services."""

from __future__ import annotations

import io
import socket
import tempfile
from pathlib import Path

from vanban.accounts.models import Unit, User
from vanban.signatures import services, testpki
from vanban.signatures.models import (
    Certificate,
    CertificateKind,
    KeyStorage,
    MarkKind,
    TrustRoot,
)
from vanban.signatures.services import OrganisationKey

PIN = testpki.PIN
# People of the browser tests, whose certificates carry their own names.
EXTRA_IDENTITIES = [
    testpki.Identity(
        "ducpm", "Phạm Minh Đức", "UBND tỉnh (thử nghiệm)", "Sở Thông tin và Truyền thông"
    ),
    # The organisation certificate of a department merged on 1/7/2025, whose information is
    # changed rather than reissued (CV 275/BCY-CTSBMTT): documents keep its old name.
    testpki.Identity(
        "stttt-ben-tre",
        "Sở Thông tin và Truyền thông tỉnh Bến Tre",
        "Sở Thông tin và Truyền thông tỉnh Bến Tre",
        kind="organisation",
    ),
]
_PKI: testpki.TestPki | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pki() -> testpki.TestPki:
    """The test PKI of this process, serving CRLs, OCSP and time stamps on loopback."""
    global _PKI
    if _PKI is None:
        directory = Path(tempfile.mkdtemp(prefix="vanban-testpki-"))
        built = testpki.build(directory, port=_free_port(), identities=EXTRA_IDENTITIES)
        testpki.serve(built)
        _PKI = built
    return _PKI


def trust() -> TrustRoot:
    """The test root in the province's trust list (the province admin's job, done directly)."""
    from asn1crypto import pem, x509

    from vanban.core import clock

    cert = x509.Certificate.load(pem.unarmor(pki().root_pem())[2])
    root, _ = TrustRoot.objects.get_or_create(
        fingerprint=cert.sha256.hex(),
        defaults={
            "name": testpki.ROOT_NAME,
            "subject": cert.subject.human_friendly,
            "der": cert.dump(),
            "not_before": cert.not_valid_before,
            "not_after": cert.not_valid_after,
            "added_at": clock.now(),
        },
    )
    return root


def signature_png(colour=(20, 40, 200, 255), alpha: bool = True) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA" if alpha else "RGB", (400, 200), (0, 0, 0, 0) if alpha else "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 150), (120, 40), (200, 160), (380, 30)], fill=colour, width=9)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seal_png(colour=(220, 20, 20, 255)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([6, 6, 294, 294], outline=colour, width=14)
    draw.ellipse([60, 60, 240, 240], outline=colour, width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def personal(user: User, label: str = "nguoi-ky", *, with_image: bool = True) -> Certificate:
    """`user` registers a PKCS#12 key of the test PKI as their personal certificate, and their
    handwritten-signature image."""
    trust()
    certificate = services.certificate_add(
        actor=user,
        kind=CertificateKind.PERSONAL,
        user=user,
        key_storage=KeyStorage.PKCS12,
        pkcs12=pki().p12(label),
        pin=PIN,
    )
    if with_image:
        services.mark_upload(actor=user, kind=MarkKind.SIGNATURE, user=user, data=signature_png())
    return certificate


def organisation(
    unit: Unit, admin: User, label: str = "to-chuc", *, with_seal: bool = True
) -> OrganisationKey:
    """The unit admin registers the unit's organisation key and seal; returns what the clerk
    gives when issuing."""
    trust()
    certificate = services.certificate_add(
        actor=admin,
        kind=CertificateKind.ORGANISATION,
        unit=unit,
        key_storage=KeyStorage.PKCS12,
        pkcs12=pki().p12(label),
        pin=PIN,
    )
    if with_seal:
        services.mark_upload(actor=admin, kind=MarkKind.SEAL, unit=unit, data=seal_png())
    return OrganisationKey(certificate=certificate, pin=PIN)
