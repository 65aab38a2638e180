"""An issuing CA fetched over the network during a verification (the signer's certificate names
it in its AIA caIssuers) is kept in the trust list as a fetched intermediate, so the next
verification completes the chain without network (TT 15/2025/TT-BKHCN; NĐ 68/2024). Served by a
real local HTTP server that counts its requests."""

from __future__ import annotations

import datetime as dt
import html
import http.server
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.support.files import pdf_bytes
from vanban.signatures import services, verify
from vanban.signatures.models import TrustKind, TrustRoot, TrustSource

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@dataclass
class Chain:
    root: asn1_x509.Certificate
    issuer: asn1_x509.Certificate
    signed: bytes  # a PDF signed by a certificate whose CMS does not carry its issuer


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CA thử nghiệm AIA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _cert(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    aia: str = "",
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2029, 12, 31, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if aia:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(aia),
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _Counter:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.body = b""


@pytest.fixture
def ca_server() -> Iterator[tuple[str, _Counter]]:
    """A local HTTP server giving the issuing CA's certificate (DER) at /ca.crt."""
    counter = _Counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            counter.paths.append(self.path)
            if self.path != "/ca.crt" or not counter.body:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-cert")
            self.send_header("Content-Length", str(len(counter.body)))
            self.end_headers()
            self.wfile.write(counter.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counter
    finally:
        server.shutdown()
        server.server_close()


def _chain(base_url: str, counter: _Counter) -> Chain:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _cert("Gốc AIA", root_key, "Gốc AIA", root_key, ca=True)
    issuer = _cert("CA cấp AIA", ca_key, "Gốc AIA", root_key, ca=True)
    signer_cert = _cert(
        "Người ký AIA", signer_key, "CA cấp AIA", ca_key, ca=False, aia=f"{base_url}/ca.crt"
    )
    counter.body = issuer.public_bytes(serialization.Encoding.DER)
    key_der = signer_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1(signer_cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # Only the signer's own certificate in the signature: the issuer must be found.
        cert_registry=SimpleCertificateStore.from_certs([_asn1(signer_cert)]),
    )
    output = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf_bytes("Công văn AIA"))),
        signers.PdfSignatureMetadata(field_name="ChuKy"),
        signer=signer,
        output=output,
    )
    return Chain(root=_asn1(root), issuer=_asn1(issuer), signed=output.getvalue())


def _install_root(cert: asn1_x509.Certificate) -> None:
    """The province admin's root (done directly, as tests.signing.trust does)."""
    TrustRoot.objects.create(
        kind=TrustKind.ROOT,
        name="Gốc AIA",
        subject=cert.subject.human_friendly,
        der=cert.dump(),
        fingerprint=cert.sha256.hex(),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        added_at=NOW,
    )


def test_a_fetched_issuer_is_kept_and_the_next_check_needs_no_network(
    ca_server, settings, province, client_for
):
    base_url, counter = ca_server
    settings.VANBAN_SIGNATURE_FETCH = True
    settings.VANBAN_SIGNATURE_REVOCATION = "soft-fail"  # the test chain has no OCSP nor CRL
    chain = _chain(base_url, counter)
    _install_root(chain.root)

    first = services.verify_bytes(chain.signed)
    assert first.status == verify.VALID, first.reasons()
    assert counter.paths == ["/ca.crt"]  # fetched once, from the certificate's AIA
    kept = TrustRoot.objects.get(fingerprint=chain.issuer.sha256.hex())
    assert kept.kind == TrustKind.INTERMEDIATE and kept.source == TrustSource.FETCHED
    assert kept.active and kept.added_by is None and bytes(kept.der) == chain.issuer.dump()
    assert kept.name == "CA cấp AIA"
    assert [c.dump() for c in services.trust_roots()] == [chain.root.dump()]  # never an anchor
    # The province admin sees it on the trust list, marked as fetched, and may switch it off.
    page = html.unescape(
        client_for(province.province_admin).get("/chu-ky-so/chung-thu-goc/").content.decode()
    )
    row = page[page.index("CA cấp AIA") :][:600]
    assert "CA trung gian" in row and "Tự động tải theo AIA" in row

    second = services.verify_bytes(chain.signed)
    assert second.status == verify.VALID, second.reasons()
    assert counter.paths == ["/ca.crt"]  # no second request
    assert TrustRoot.objects.filter(kind=TrustKind.INTERMEDIATE).count() == 1

    # Offline (no fetching at all) the kept certificate completes the chain.
    settings.VANBAN_SIGNATURE_FETCH = False
    counter.body = b""
    offline = services.verify_bytes(chain.signed)
    assert offline.status == verify.VALID, offline.reasons()
    assert counter.paths == ["/ca.crt"]


def test_offline_without_the_issuer_the_chain_is_not_found(ca_server, settings):
    """The check that the cache is what makes the difference: offline and nothing kept, the
    signature is refused as untrusted and nothing is requested."""
    base_url, counter = ca_server
    settings.VANBAN_SIGNATURE_FETCH = False
    settings.VANBAN_SIGNATURE_REVOCATION = "soft-fail"
    chain = _chain(base_url, counter)
    _install_root(chain.root)
    report = services.verify_bytes(chain.signed)
    assert report.status == verify.INVALID
    assert verify.REASON_UNTRUSTED in report.reasons()
    assert counter.paths == []
    assert not TrustRoot.objects.filter(kind=TrustKind.INTERMEDIATE).exists()


def test_an_issuer_switched_off_by_the_admin_stays_off(ca_server, settings):
    base_url, counter = ca_server
    settings.VANBAN_SIGNATURE_FETCH = True
    settings.VANBAN_SIGNATURE_REVOCATION = "soft-fail"
    chain = _chain(base_url, counter)
    _install_root(chain.root)
    services.verify_bytes(chain.signed)
    TrustRoot.objects.filter(fingerprint=chain.issuer.sha256.hex()).update(active=False)
    services.verify_bytes(chain.signed)  # fetched again: the kept one is switched off
    assert counter.paths == ["/ca.crt", "/ca.crt"]
    kept = TrustRoot.objects.get(fingerprint=chain.issuer.sha256.hex())
    assert not kept.active and kept.source == TrustSource.FETCHED
