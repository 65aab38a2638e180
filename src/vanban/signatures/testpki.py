"""A test PKI that mimics the Government Cipher Committee's hierarchy (R11, R12).

Root "Ban Cơ yếu Chính phủ - CA gốc (thử nghiệm)" -> subordinate "CA phục vụ các cơ quan Nhà nước
(thử nghiệm)" -> personal certificates for leaders and organisation certificates for units, with a
CRL, an OCSP responder and a time-stamping service. A second, unrelated hierarchy ("CA khác") gives
certificates that no trust root of the province covers.

The architecture is built with certomancer from a Python dictionary and keys generated here; the
services are certomancer's WSGI application, served on loopback by `serve()` (used by the
`vanban testpki` command, the demo and the tests), together with a remote signing stand-in (CSC
v2, `testcsc`) under `/csc/v2/` and an asynchronous one (confirmation on the phone,
`testasync`) under `/async/v1/`. Everything this module writes is for testing and demonstration
only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from asn1crypto import algos, keys
from certomancer import crypto_utils
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ARCH = "vanban"  # the Committee-like hierarchy
OTHER_ARCH = "khac"  # an unrelated CA that the province does not trust
ROOT_NAME = "Ban Cơ yếu Chính phủ - CA gốc (thử nghiệm)"
SUB_CA_NAME = "CA phục vụ các cơ quan Nhà nước (thử nghiệm)"
TSA_NAME = "Dịch vụ cấp dấu thời gian (thử nghiệm)"
OCSP_NAME = "Dịch vụ OCSP (thử nghiệm)"
COMMITTEE = "Ban Cơ yếu Chính phủ"
DEFAULT_PORT = 8771
MANIFEST = "manifest.json"

# Validity of end-entity certificates: current ones, an expired one and a revoked one.
VALID_FROM = "2025-01-01T00:00:00+0700"
VALID_TO = "2029-12-31T23:59:59+0700"
EXPIRED_FROM = "2022-01-01T00:00:00+0700"
EXPIRED_TO = "2025-06-30T23:59:59+0700"
REVOKED_SINCE = "2026-06-01T00:00:00+0700"


@dataclass
class Identity:
    """One end-entity certificate of the test PKI."""

    label: str  # ASCII, unique: file names and certomancer labels
    common_name: str
    organisation: str = ""
    unit: str = ""  # organisational unit (personal certificates)
    kind: str = "personal"  # personal | organisation
    state: str = "valid"  # valid | expired | revoked | untrusted


@dataclass
class TestPki:
    """What `build()` wrote: a directory with keys, the certomancer configuration and one PKCS#12
    file per identity, and the loopback address its services answer on."""

    directory: Path
    port: int
    identities: list[Identity] = field(default_factory=list)
    # The loaded certomancer configuration (loading its keys takes seconds): kept once built.
    loaded: Any = field(default=None, repr=False, compare=False)
    # The remote signing stand-in (CSC v2) served next to the other services.
    remote: Any = field(default=None, repr=False, compare=False)
    # The asynchronous remote signing stand-in (confirmation on the phone, `testasync`).
    remote_async: Any = field(default=None, repr=False, compare=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def csc_url(self) -> str:
        """Base address of the remote signing stand-in (CSC v2, `testcsc`)."""
        return f"{self.base_url}/csc/v2"

    @property
    def async_url(self) -> str:
        """Base address of the asynchronous remote signing stand-in (`testasync`)."""
        return f"{self.base_url}/async/v1"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def root_pem(self) -> bytes:
        return (self.directory / "root.crt.pem").read_bytes()

    def other_root_pem(self) -> bytes:
        return (self.directory / "other-root.crt.pem").read_bytes()

    def sub_ca_pem(self) -> bytes:
        return (self.directory / "sub-ca.crt.pem").read_bytes()

    def p12_path(self, label: str) -> Path:
        return self.directory / "p12" / f"{label}.p12"

    def p12(self, label: str) -> bytes:
        return self.p12_path(label).read_bytes()

    def cert_pem(self, label: str) -> bytes:
        return (self.directory / "certs" / f"{label}.crt.pem").read_bytes()

    def key_pem(self, label: str) -> bytes:
        return (self.directory / "keys" / f"{label}.key.pem").read_bytes()

    def identity(self, label: str) -> Identity:
        return next(i for i in self.identities if i.label == label)

    def config(self) -> Any:
        from certomancer.registry import CertomancerConfig

        if self.loaded is None:
            raw = json.loads((self.directory / "certomancer.json").read_text("utf-8"))
            self.loaded = CertomancerConfig(raw, key_search_dir=str(self.directory / "keys"))
        return self.loaded

    def csc(self) -> Any:
        """The remote signing stand-in (`testcsc.CscStandIn`) of this PKI, made once."""
        from .testcsc import CscStandIn

        if self.remote is None:
            self.remote = CscStandIn(self)
        return self.remote

    def async_signing(self) -> Any:
        """The asynchronous remote signing stand-in (`testasync.AsyncStandIn`), made once."""
        from .testasync import AsyncStandIn

        if self.remote_async is None:
            self.remote_async = AsyncStandIn(self)
        return self.remote_async

    def wsgi_app(self) -> Any:
        """certomancer's services, the remote signing stand-in under `/csc/v2/` and the
        asynchronous one under `/async/v1/`."""
        from certomancer.integrations.animator import Animator, AnimatorArchStore

        from .testasync import PREFIX as ASYNC_PREFIX
        from .testcsc import PREFIX

        config = self.config()
        animator = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        remote = self.csc()
        remote_async = self.async_signing()

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO", "").startswith(PREFIX):
                return remote(environ, start_response)
            if environ.get("PATH_INFO", "").startswith(ASYNC_PREFIX):
                return remote_async(environ, start_response)
            return animator(environ, start_response)

        return app


class _LoadedKeys(crypto_utils.PycaCryptographyBackend):
    """certomancer's signing backend, keeping each private key once loaded: the stock one loads
    and checks the issuer's RSA key again for every certificate, CRL, OCSP response and time
    stamp it signs, which costs more than the signature itself; the test PKI signs with a
    handful of keys."""

    def __init__(self) -> None:
        self._loaded: dict[bytes, Any] = {}

    def generic_sign(
        self,
        private_key: keys.PrivateKeyInfo,
        tbs_bytes: bytes,
        sd_algo: algos.SignedDigestAlgorithm,
    ) -> bytes:
        if sd_algo.signature_algo != "rsassa_pkcs1v15":
            return super().generic_sign(private_key, tbs_bytes, sd_algo)
        der = private_key.dump()
        key = self._loaded.get(der)
        if key is None:
            key = self._loaded[der] = serialization.load_der_private_key(der, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            return super().generic_sign(private_key, tbs_bytes, sd_algo)
        digest = getattr(hashes, sd_algo.hash_algo.upper())()
        return key.sign(tbs_bytes, padding.PKCS1v15(), digest)


crypto_utils.CRYPTO_BACKEND = _LoadedKeys()


PIN = "123456"  # PIN of every PKCS#12 file of the test PKI (printed by the demo)


def _key(path: Path) -> None:
    if path.exists():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocation_pointers(issuer: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [issuer]}},
        },
    ]


def _ca_entities(*, root_name: str, sub_name: str) -> dict[str, Any]:
    return {
        "root": {"common-name": root_name, "organization-name": COMMITTEE},
        "sub": {"common-name": sub_name, "organization-name": COMMITTEE},
        "ocsp": {"common-name": OCSP_NAME, "organization-name": COMMITTEE},
        "tsa": {"common-name": TSA_NAME, "organization-name": COMMITTEE},
    }


def _ca_certs() -> dict[str, Any]:
    """The root, the subordinate CA that issues end-entity certificates, the OCSP responder and
    the time-stamping authority."""
    ca_validity = {"valid-from": "2020-01-01T00:00:00+0700", "valid-to": "2045-12-31T23:59:59+0700"}
    return {
        "root": {
            "subject": "root",
            "subject-key": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": ca_validity,
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
            ],
        },
        "sub": {
            "subject": "sub",
            "subject-key": "sub",
            "issuer": "root",
            "validity": ca_validity,
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "ocsp": {
            "subject": "ocsp",
            "subject-key": "ocsp",
            "issuer": "sub",
            "validity": ca_validity,
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "subject": "tsa",
            "subject-key": "tsa",
            "issuer": "root",
            "validity": ca_validity,
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
    }


def _identity_entity(ident: Identity) -> dict[str, Any]:
    entity: dict[str, Any] = {"common-name": ident.common_name, "country-name": "VN"}
    if ident.organisation:
        entity["organization-name"] = ident.organisation
    if ident.unit:
        entity["organizational-unit-name"] = ident.unit
    return entity


def _identity_cert(ident: Identity) -> dict[str, Any]:
    """An end-entity certificate issued by the subordinate CA: current, expired or revoked."""
    usages = ("digital_signature", "non_repudiation")
    spec: dict[str, Any] = {
        "subject": ident.label,
        "subject-key": ident.label,
        "issuer": "sub",
        "validity": {"valid-from": VALID_FROM, "valid-to": VALID_TO},
        "extensions": [_key_usage(*usages), *_revocation_pointers("sub")],
    }
    if ident.state == "expired":
        spec["validity"] = {"valid-from": EXPIRED_FROM, "valid-to": EXPIRED_TO}
    if ident.state == "revoked":
        spec["revocation"] = {"revoked-since": REVOKED_SINCE, "reason": "key_compromise"}
    return spec


def _services() -> dict[str, Any]:
    """OCSP for the subordinate CA, CRLs and certificate repositories for both CAs, and the TSA."""
    return {
        "ocsp": {"sub": {"for-issuer": "sub", "responder-cert": "ocsp", "signing-key": "ocsp"}},
        "crl-repo": {
            "root": {
                "for-issuer": "root",
                "signing-key": "root",
                "simulated-update-schedule": "P30D",
            },
            "sub": {
                "for-issuer": "sub",
                "signing-key": "sub",
                "simulated-update-schedule": "P1D",
            },
        },
        "cert-repo": {
            "root": {"for-issuer": "root", "publish-issued-certs": True},
            "sub": {"for-issuer": "sub", "publish-issued-certs": True},
        },
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }


def _architecture(
    *, keyset: str, root_name: str, sub_name: str, identities: Iterable[Identity], services: bool
) -> dict[str, Any]:
    entities = _ca_entities(root_name=root_name, sub_name=sub_name)
    certs = _ca_certs()
    for ident in identities:
        entities[ident.label] = _identity_entity(ident)
        certs[ident.label] = _identity_cert(ident)
    arch: dict[str, Any] = {
        "keyset": keyset,
        "entity-defaults": {"country-name": "VN"},
        "entities": entities,
        "certs": certs,
    }
    if services:
        arch["services"] = _services()
    return arch


def default_identities() -> list[Identity]:
    """The identities every test PKI has, whatever else it serves: a current, an expired and a
    revoked personal certificate, and one from the untrusted hierarchy."""
    return [
        Identity(
            "nguoi-ky", "Nguyễn Văn Ký", "UBND tỉnh (thử nghiệm)", "Sở Thông tin và Truyền thông"
        ),
        Identity("het-han", "Trần Văn Hết Hạn", "UBND tỉnh (thử nghiệm)", state="expired"),
        Identity("thu-hoi", "Lê Thị Thu Hồi", "UBND tỉnh (thử nghiệm)", state="revoked"),
        Identity(
            "to-chuc", "Sở Thông tin và Truyền thông", "UBND tỉnh (thử nghiệm)", kind="organisation"
        ),
        Identity("la", "Phạm Văn Lạ", "Tổ chức không được tin cậy", state="untrusted"),
    ]


def build(
    directory: Path, *, port: int = DEFAULT_PORT, identities: Iterable[Identity] = ()
) -> TestPki:
    """Writes (or completes) the test PKI in `directory`: keys (kept across calls, so certificates
    stay the same), the certomancer configuration, PEM certificates and PKCS#12 files with PIN
    `PIN`. Identities given here come in addition to `default_identities()`."""
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig

    directory = Path(directory)
    labels: dict[str, Identity] = {}
    for ident in [*default_identities(), *identities]:
        labels[ident.label] = ident
    wanted = list(labels.values())
    for sub in ("keys", "certs", "p12"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    base_keys = ["root", "sub", "ocsp", "tsa", "other-root", "other-sub"]
    for label in [*base_keys, *labels]:
        _key(directory / "keys" / f"{label}.key.pem")

    def keyset(names: dict[str, str]) -> dict[str, Any]:
        return {"keys": {alias: {"path": f"{file}.key.pem"} for alias, file in names.items()}}

    trusted = [i for i in wanted if i.state != "untrusted"]
    untrusted = [i for i in wanted if i.state == "untrusted"]
    main_keys = {k: k for k in ("root", "sub", "ocsp", "tsa")} | {i.label: i.label for i in trusted}
    other_keys = {"root": "other-root", "sub": "other-sub", "ocsp": "ocsp", "tsa": "tsa"} | {
        i.label: i.label for i in untrusted
    }
    raw = {
        "external-url-prefix": f"http://127.0.0.1:{port}",
        "keysets": {ARCH: keyset(main_keys), OTHER_ARCH: keyset(other_keys)},
        "pki-architectures": {
            ARCH: _architecture(
                keyset=ARCH,
                root_name=ROOT_NAME,
                sub_name=SUB_CA_NAME,
                identities=trusted,
                services=True,
            ),
            OTHER_ARCH: _architecture(
                keyset=OTHER_ARCH,
                root_name="CA gốc khác (không được tin cậy)",
                sub_name="CA khác (không được tin cậy)",
                identities=untrusted,
                services=True,
            ),
        },
    }
    (directory / "certomancer.json").write_text(
        json.dumps(raw, ensure_ascii=False, indent=1), "utf-8"
    )
    config = CertomancerConfig(raw, key_search_dir=str(directory / "keys"))
    arch = config.get_pki_arch(ArchLabel(ARCH))
    other = config.get_pki_arch(ArchLabel(OTHER_ARCH))

    def pem(cert: Any) -> bytes:
        from asn1crypto import pem as asn1_pem

        armored: bytes = asn1_pem.armor("CERTIFICATE", cert.dump())
        return armored

    (directory / "root.crt.pem").write_bytes(pem(arch.get_cert(CertLabel("root"))))
    (directory / "sub-ca.crt.pem").write_bytes(pem(arch.get_cert(CertLabel("sub"))))
    (directory / "tsa.crt.pem").write_bytes(pem(arch.get_cert(CertLabel("tsa"))))
    (directory / "other-root.crt.pem").write_bytes(pem(other.get_cert(CertLabel("root"))))
    for ident in wanted:
        source = other if ident.state == "untrusted" else arch
        (directory / "certs" / f"{ident.label}.crt.pem").write_bytes(
            pem(source.get_cert(CertLabel(ident.label)))
        )
        (directory / "p12" / f"{ident.label}.p12").write_bytes(
            source.package_pkcs12(CertLabel(ident.label), password=PIN.encode())
        )
    pki = TestPki(directory=directory, port=port, identities=wanted, loaded=config)
    (directory / MANIFEST).write_text(
        json.dumps(
            {"port": port, "identities": [asdict(i) for i in wanted]}, ensure_ascii=False, indent=1
        ),
        "utf-8",
    )
    return pki


def load(directory: Path) -> TestPki:
    """A test PKI written earlier by `build()`."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    return TestPki(
        directory=directory,
        port=int(manifest["port"]),
        identities=[Identity(**i) for i in manifest["identities"]],
    )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def serve(pki: TestPki, *, host: str = "127.0.0.1", background: bool = True) -> WSGIServer:
    """Serves the CRLs, OCSP responses, certificates, time stamps and the remote signing
    stand-in (CSC v2, `testcsc`) of `pki` on loopback.
    With `background`, in a daemon thread (returns the running server; `shutdown()` stops it)."""
    server = make_server(
        host,
        pki.port,
        pki.wsgi_app(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    if background:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:
        server.serve_forever()
    return server
