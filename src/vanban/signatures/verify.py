"""Verification of the signatures in a PDF (R11).

For each signature: integrity (the signed bytes hash to what was signed and the signature
matches the certificate), the chain to the province's trust roots (never the operating
system's list), validity of the certificate at the signing time (the time-stamp's time when
there is one, else the time the signer states), revocation (OCSP, CRL, or what the document
embeds; whether missing revocation data fails is the setting SIGNATURE_REVOCATION), changes
made to the file after the signature, and who signed for which organisation and when.

The result is plain data (`Report.as_dict()`), stored with the document and shown as its
verification panel. Nothing here touches the database: the CA certificates fetched over the
network are handed to the caller (`keep_fetched`), which keeps them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
import certifi
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend
from pyhanko_certvalidator.policy_decl import AcceptAllAlgorithms

from vanban.core.text import nfc

from . import numberdate
from .pdfsign import VN_TZ, run

VALID = "valid"
INVALID = "invalid"
UNSIGNED = "unsigned"
DAMAGED = "damaged"

STATUS_LABELS = {
    VALID: "Hợp lệ",
    INVALID: "Không hợp lệ",
    UNSIGNED: "Không có chữ ký số",
    DAMAGED: "Tệp PDF bị hỏng",
}

REASON_TAMPERED = "Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp)."
REASON_CRYPTO = "Giá trị chữ ký không khớp với chứng thư số của người ký."
REASON_UNTRUSTED = (
    "Chứng thư số không được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy của tỉnh."
)
REASON_EXPIRED = "Chứng thư số đã hết hạn tại thời điểm ký (hết hạn {date})."
REASON_NOT_YET = "Chứng thư số chưa có hiệu lực tại thời điểm ký (hiệu lực từ {date})."
REASON_REVOKED = "Chứng thư số đã bị thu hồi từ {date}."
REASON_REVOCATION_UNKNOWN = (
    "Không kiểm tra được tình trạng thu hồi của chứng thư số (không truy cập được OCSP/CRL)."
)
REASON_MODIFIED = "Tệp đã bị sửa đổi sau khi ký ngoài các thay đổi được phép."
REASON_OTHER = "Không xác thực được chữ ký (chi tiết kỹ thuật bên dưới)."
REASON_WEAK = (
    "Chữ ký dùng {label}, không còn được chấp nhận cho chữ ký tạo từ ngày {until}; không có dấu "
    "thời gian hợp lệ chứng minh chữ ký được tạo trước ngày đó."
)
NOTE_WEAK = (
    "Chữ ký dùng {label}: hợp lệ tại thời điểm ký ({stamped}, theo dấu thời gian, trước ngày "
    "{until}), nhưng {label} nay không còn an toàn cho chữ ký mới."
)

# What pyHanko's other verdicts mean, in words a clerk reads (AdES indications, ETSI EN 319 102-1);
# the indication's own name goes to the technical details only.
INDICATION_REASONS = {
    "FORMAT_FAILURE": "Cấu trúc chữ ký không đúng định dạng.",
    "HASH_FAILURE": REASON_TAMPERED,
    "SIG_CRYPTO_FAILURE": REASON_CRYPTO,
    "SIG_CONSTRAINTS_FAILURE": "Chữ ký không đáp ứng ràng buộc của tệp (mục đích sử dụng khóa).",
    "CRYPTO_CONSTRAINTS_FAILURE": "Thuật toán hoặc độ dài khóa của chữ ký không được chấp nhận.",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "Thuật toán hoặc độ dài khóa của chữ ký không được "
    "chấp nhận và không có bằng chứng chữ ký được tạo khi còn được chấp nhận.",
    "POLICY_PROCESSING_ERROR": "Không áp dụng được chính sách chữ ký mà chữ ký khai báo.",
    "SIGNED_DATA_NOT_FOUND": "Không tìm thấy dữ liệu được ký.",
    "GENERIC": "Không xác thực được chữ ký.",
}


@dataclass(frozen=True)
class WeakAlgorithm:
    """An algorithm no longer accepted for new signatures: a signature made with it before
    `until`, proved by a valid time-stamp, is reported valid at its time with a warning; any
    other is refused. The rules are data (`WEAK_ALGORITHMS`), kept in docs/signatures.md."""

    label: str
    until: dt.date
    digest: str = ""  # asn1crypto's name of the digest algorithm
    rsa_below: int = 0  # RSA keys shorter than this many bits


WEAK_ALGORITHMS = (
    WeakAlgorithm(label="hàm băm MD5", until=dt.date(2010, 1, 1), digest="md5"),
    WeakAlgorithm(label="hàm băm SHA-1", until=dt.date(2020, 1, 1), digest="sha1"),
    # TT 15/2025/TT-BKHCN: keys of at least RSA 2048 bits.
    WeakAlgorithm(label="khóa RSA ngắn hơn 2048 bit", until=dt.date(2016, 1, 1), rsa_below=2048),
)

DIGEST_LABELS = {"sha1": "SHA-1", "sha224": "SHA-224", "sha256": "SHA-256", "sha384": "SHA-384"}
DIGEST_LABELS |= {"sha512": "SHA-512", "md5": "MD5", "sha3_256": "SHA3-256"}
MECHANISM_LABELS = {
    "rsassa_pkcs1v15": "RSA (PKCS#1 v1.5)",
    "rsassa_pss": "RSA-PSS",
    "ecdsa": "ECDSA",
    "ed25519": "Ed25519",
    "ed448": "Ed448",
    "dsa": "DSA",
}


@dataclass
class SignatureCheck:
    field: str
    signer: str  # common name of the certificate
    organisation: str
    organisation_unit: str
    serial: str
    issuer: str
    not_before: str
    not_after: str
    fingerprint: str  # SHA-256 of the certificate, hex
    signing_time: str | None  # ISO 8601, Vietnam time
    timestamp_time: str | None
    intact: bool
    trusted: bool
    valid: bool
    covers_whole_file: bool
    # dataclasses.field: `field` is the name of a column of this class
    reasons: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    # How it was signed (TT 15/2025/TT-BKHCN: what verification software shows).
    digest_algorithm: str = ""  # "SHA-256"
    signature_algorithm: str = ""  # "RSA (PKCS#1 v1.5)"
    key_size: int = 0  # bits
    timestamp_authority: str = ""  # common name of the time-stamp's signer
    # What was changed after the signature, as pyHanko's difference analysis grades it
    # (ISO 32000-2 12.8.2.2): "NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER";
    # blank when it could not be read. MODIFICATION_LABELS says it in words.
    modification_level: str = ""
    # Library codes behind a reason, for the IT staff; never the reason itself.
    technical: list[str] = dataclasses.field(default_factory=list)
    # The history of the organisation the certificate names when it is an ended unit or a past
    # name of one (CV 275/BCY-CTSBMTT); filled by the caller, who reads the units
    # (`organisations.with_organisation_history`). Never part of the verdict.
    organisation_history: str = ""


@dataclass
class Report:
    status: str
    signatures: list[SignatureCheck] = field(default_factory=list)
    detail: str = ""
    checked_at: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def reasons(self) -> list[str]:
        return [r for s in self.signatures for r in s.reasons]


def _vn(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(VN_TZ).isoformat() if moment else None


def subject_field(cert: x509.Certificate, key: str) -> str:
    """One field of the certificate's subject (several values joined by commas), in Unicode NFC:
    certificates in the field carry decomposed Vietnamese (R10)."""
    value = cert.subject.native.get(key, "")
    if isinstance(value, list):
        value = ", ".join(value)
    return nfc(str(value))


def _date(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y")


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


class _Session(LazySession):
    """pyHanko's network session for one validation (OCSP, CRL, certificates), opened when first
    needed and closed with the validation, with the TLS context made once per process: the
    stock session reads the whole CA bundle again for every validation."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None:
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_tls()))
            self._session = session
        return session


def _fetchers() -> OwnedFetcherBackend:
    """The fetchers of one validation context, released when its operation ends (`run`)."""
    backend = AIOHttpFetcherBackend()
    backend.session = _Session()
    return OwnedFetcherBackend(backend)


def context(
    trust_roots: list[x509.Certificate],
    *,
    revocation: str = "soft-fail",
    allow_fetching: bool = True,
    moment: dt.datetime | None = None,
    other_certs: list[x509.Certificate] | None = None,
) -> ValidationContext:
    """A validation context that trusts exactly `trust_roots` (an empty list trusts nothing)."""
    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=other_certs or [],
        allow_fetching=allow_fetching,
        fetcher_backend=_fetchers() if allow_fetching else None,
        revocation_mode=revocation,
        moment=moment,
        time_tolerance=dt.timedelta(minutes=5),
    )


def plainly_unsigned(pdf: bytes) -> bool:
    """A PDF whose bytes hold no /ByteRange has no signature, known without reading its
    structure: a signature's value is left out of the signed bytes as the file is written, so its
    dictionary (which holds /ByteRange) can never be inside a compressed object stream."""
    return pdf.startswith(b"%PDF-") and b"/ByteRange" not in pdf


def verify_pdf(
    pdf: bytes,
    trust_roots: list[x509.Certificate],
    *,
    revocation: str = "soft-fail",
    allow_fetching: bool = True,
    now: dt.datetime | None = None,
    intermediates: list[x509.Certificate] | None = None,
    keep_fetched: Callable[[list[x509.Certificate]], None] | None = None,
) -> Report:
    """Checks every signature of `pdf`. `revocation` is "hard-fail" (missing revocation data
    makes the signature invalid) or "soft-fail". `intermediates` (CA certificates the province
    installed, or fetched and kept before) complete a chain the file does not carry, without
    fetching it. `keep_fetched` receives the intermediate CA certificates fetched over the
    network during the check (AIA caIssuers), for the caller to keep."""
    checked_at = _vn(now or dt.datetime.now(dt.UTC)) or ""
    if plainly_unsigned(pdf):
        return Report(UNSIGNED, checked_at=checked_at)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:
        return Report(DAMAGED, detail=f"Không đọc được tệp PDF: {exc}", checked_at=checked_at)
    if not embedded:
        return Report(UNSIGNED, checked_at=checked_at)
    checks = []
    for sig in embedded:
        fetched: list[x509.Certificate] = []
        checks.append(
            _check(
                sig,
                trust_roots,
                revocation,
                allow_fetching,
                reader,
                intermediates or [],
                fetched,
            )
        )
        if fetched and keep_fetched is not None:
            keep_fetched(fetched)
    status = VALID if all(c.valid for c in checks) else INVALID
    return Report(status, checks, checked_at=checked_at)


def _blank_check(sig: Any, cert: x509.Certificate) -> SignatureCheck:
    """Who signed, with which certificate; every verdict still false."""
    digest, mechanism = _algorithms(sig)
    return SignatureCheck(
        field=str(sig.field_name),
        signer=subject_field(cert, "common_name"),
        organisation=subject_field(cert, "organization_name"),
        organisation_unit=subject_field(cert, "organizational_unit_name"),
        serial=format(cert.serial_number, "x"),
        issuer=str(cert.issuer.native.get("common_name", "")),
        not_before=_vn(cert.not_valid_before) or "",
        not_after=_vn(cert.not_valid_after) or "",
        fingerprint=cert.sha256.hex(),
        signing_time=None,
        timestamp_time=None,
        intact=False,
        trusted=False,
        valid=False,
        covers_whole_file=False,
        key_size=_key_size(cert),
        digest_algorithm=digest,
        signature_algorithm=mechanism,
    )


def _key_size(cert: x509.Certificate) -> int:
    try:
        return int(cert.public_key.bit_size)
    except Exception:  # a key of a kind asn1crypto cannot measure
        return 0


def _algorithms(sig: Any) -> tuple[str, str]:
    """The digest and signature algorithms the signer declares (blank when unreadable)."""
    try:
        digest = sig.signer_info["digest_algorithm"]["algorithm"].native
        mechanism = sig.signer_info["signature_algorithm"].signature_algo
    except Exception:  # a malformed signer info: the check says so
        return "", ""
    return (
        DIGEST_LABELS.get(digest, str(digest).upper()),
        MECHANISM_LABELS.get(mechanism, str(mechanism)),
    )


def _check_algorithms(
    sig: Any, check: SignatureCheck, cert: x509.Certificate, stamped: dt.datetime | None
) -> None:
    """The weak algorithms of `WEAK_ALGORITHMS`: a warning when a valid time-stamp proves the
    signature was made before the algorithm's day, else a reason."""
    try:
        digest = sig.signer_info["digest_algorithm"]["algorithm"].native
    except Exception:
        digest = ""
    is_rsa = cert.public_key.algorithm == "rsa"
    for rule in WEAK_ALGORITHMS:
        weak = (rule.digest and digest == rule.digest) or (
            rule.rsa_below and is_rsa and 0 < check.key_size < rule.rsa_below
        )
        if not weak:
            continue
        until = rule.until.strftime("%d/%m/%Y")
        limit = dt.datetime.combine(rule.until, dt.time(), tzinfo=VN_TZ)
        if stamped is not None and stamped < limit:
            note = NOTE_WEAK.format(label=rule.label, stamped=_date(stamped), until=until)
            check.notes.append(note)
        else:
            check.reasons.append(REASON_WEAK.format(label=rule.label, until=until))


def _signing_time(status: Any, check: SignatureCheck) -> dt.datetime | None:
    """The time-stamp's time when there is a valid one, else the time the signer states."""
    claimed: dt.datetime | None = status.signer_reported_dt
    stamped: dt.datetime | None = (
        status.timestamp_validity.timestamp if status.timestamp_validity else None
    )
    if stamped is not None and not (
        status.timestamp_validity.intact and status.timestamp_validity.valid
    ):
        check.notes.append("Dấu thời gian không hợp lệ, không được dùng làm thời điểm ký.")
        stamped = None
    check.signing_time = _vn(claimed)
    check.timestamp_time = _vn(stamped)
    if stamped is not None:
        check.timestamp_authority = subject_field(
            status.timestamp_validity.signing_cert, "common_name"
        )
    return stamped or claimed


def _check_integrity(status: Any, check: SignatureCheck) -> None:
    """The signed bytes hash to what was signed and the signature matches the certificate."""
    check.intact = bool(status.intact)
    check.trusted = bool(status.trusted)
    check.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        check.reasons.append(REASON_TAMPERED)
    elif not status.valid:
        check.reasons.append(REASON_CRYPTO)


def _check_period(
    check: SignatureCheck, cert: x509.Certificate, signed_at: dt.datetime | None
) -> None:
    """The certificate was in force at the signing time."""
    if signed_at is not None and signed_at > cert.not_valid_after:
        check.reasons.append(REASON_EXPIRED.format(date=_date(cert.not_valid_after)))
    elif signed_at is not None and signed_at < cert.not_valid_before:
        check.reasons.append(REASON_NOT_YET.format(date=_date(cert.not_valid_before)))


def _check_trust(
    *,
    sig: Any,
    status: Any,
    check: SignatureCheck,
    cert: x509.Certificate,
    trust_roots: list[x509.Certificate],
    revocation: str,
    vc: ValidationContext,
    signed_at: dt.datetime | None,
    dss: tuple[list[Any], list[Any], list[Any]],
) -> None:
    """Revocation and the chain to the province's trust roots, from pyHanko's trust verdict."""
    indic = status.trust_problem_indic
    if indic is not None:
        check.technical.append(f"pyHanko: {getattr(indic, 'name', indic)}")
    revoked = status.revocation_details
    if revoked is not None or indic in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        when = _date(revoked.revocation_date) if revoked is not None else "không rõ ngày"
        check.reasons.append(REASON_REVOKED.format(date=when))
    elif indic in (
        AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,
        AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    ):
        if revocation == "hard-fail" and _trusted_without_revocation(sig, trust_roots, dss[0]):
            check.reasons.append(REASON_REVOCATION_UNKNOWN)
        else:
            check.reasons.append(REASON_UNTRUSTED)
    elif indic == AdESIndeterminate.TRY_LATER:
        check.reasons.append(REASON_REVOCATION_UNKNOWN)
    elif indic in (AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.NO_POE):
        # Expired today: valid if it was valid when signed (checked above) and the embedded
        # validation data prove it (PAdES B-LT).
        if signed_at is not None and not any("hết hạn" in r for r in check.reasons):
            if _valid_at(sig, trust_roots, signed_at, *dss):
                check.trusted = True
                check.notes.append(
                    "Chứng thư số nay đã hết hạn; chữ ký được xác thực tại thời điểm ký "
                    "bằng dữ liệu xác thực kèm trong tệp."
                )
            else:
                check.reasons.append(REASON_EXPIRED.format(date=_date(cert.not_valid_after)))
    elif indic is not None:
        name = str(getattr(indic, "name", indic))
        reason = INDICATION_REASONS.get(name, REASON_OTHER)
        if reason not in check.reasons:
            check.reasons.append(reason)


MODIFICATION_LABELS = {
    "NONE": "Không có thay đổi sau khi ký",
    "LTA_UPDATES": "Chỉ thêm dữ liệu xác thực, dấu thời gian lưu trữ",
    "FORM_FILLING": "Điền biểu mẫu, thêm chữ ký (được phép)",
    "ANNOTATIONS": "Thêm chú thích",
    "OTHER": "Thay đổi khác, không được phép",
}


NOTE_NUMBER_DATE = (
    "Sau chữ ký có thêm số, ngày văn bản (điền trường biểu mẫu dành sẵn, được phép; "
    "mức thay đổi: điền biểu mẫu)."
)


def _check_modifications(status: Any, check: SignatureCheck, sig: Any = None) -> None:
    """Changes made to the file after the signature, beyond those a later signature may make."""
    modification = getattr(status, "modification_level", None)
    check.modification_level = str(getattr(modification, "name", "") or "")
    if modification is not None and getattr(modification, "name", "") == "OTHER":
        check.reasons.append(REASON_MODIFIED)
    if status.docmdp_ok is False:
        check.reasons.append(REASON_MODIFIED)
    if not check.covers_whole_file and not check.reasons:
        if sig is not None and numberdate.filled_after(sig.reader, sig.signed_revision):
            # Writing the number and date at issue is form filling (NĐ 30/2020 Art. 15).
            check.notes.append(NOTE_NUMBER_DATE)
        check.notes.append(
            "Sau chữ ký này tệp có thêm chữ ký hoặc dữ liệu xác thực (được phép, đã kiểm tra)."
        )


def _check(
    sig: Any,
    trust_roots: list[x509.Certificate],
    revocation: str,
    allow_fetching: bool,
    reader: PdfFileReader,
    intermediates: list[x509.Certificate],
    fetched: list[x509.Certificate] | None = None,
) -> SignatureCheck:
    cert: x509.Certificate = sig.signer_cert
    dss_certs, dss_crls, dss_ocsps = _dss(reader)
    dss_certs = [*dss_certs, *intermediates]
    dss = (dss_certs, dss_crls, dss_ocsps)
    vc = ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=dss_certs,
        crls=dss_crls,
        ocsps=dss_ocsps,
        allow_fetching=allow_fetching,
        fetcher_backend=_fetchers() if allow_fetching else None,
        # The dated rules of WEAK_ALGORITHMS decide about algorithms (`_check_algorithms`).
        algorithm_usage_policy=AcceptAllAlgorithms(),
        revocation_mode=revocation,
        time_tolerance=dt.timedelta(minutes=5),
    )
    check = _blank_check(sig, cert)
    try:
        status = run(
            async_validate_pdf_signature(
                sig, signer_validation_context=vc, ts_validation_context=vc
            ),
            vc,
        )
    except Exception as exc:  # a malformed signature container
        check.reasons.append(REASON_OTHER)
        check.technical.append(f"{type(exc).__name__}: {exc}")
        return check
    if fetched is not None:
        fetched.extend(fetched_intermediates(vc))
    signed_at = _signing_time(status, check)
    _check_integrity(status, check)
    proof = status.timestamp_validity
    stamped = proof.timestamp if proof is not None and check.timestamp_time else None
    _check_algorithms(sig, check, cert, stamped)
    _check_period(check, cert, signed_at)
    _check_trust(
        sig=sig,
        status=status,
        check=check,
        cert=cert,
        trust_roots=trust_roots,
        revocation=revocation,
        vc=vc,
        signed_at=signed_at,
        dss=dss,
    )
    _check_modifications(status, check, sig)
    check.valid = check.intact and check.trusted and not check.reasons
    return check


def fetched_intermediates(vc: ValidationContext) -> list[x509.Certificate]:
    """The CA certificates a validation fetched over the network (AIA caIssuers) that may
    complete a chain later: CA certificates that are not self-signed (a root is never taken
    from the network; only the province's installed roots are anchors)."""
    fetcher = getattr(vc.certificate_registry, "fetcher", None)
    if fetcher is None:
        return []
    found: dict[bytes, x509.Certificate] = {}
    try:
        # The fetcher's public `fetched_certs()` puts each URL's list of certificates in a set
        # and fails (pyhanko-certvalidator 0.33); its results by URL are read instead.
        results = [value for _url, value in fetcher._iter_results()]
    except Exception:  # a fetcher of another kind: nothing to keep
        return []
    for item in results:
        for cert in item if isinstance(item, list | tuple | set | frozenset) else [item]:
            if not isinstance(cert, x509.Certificate):
                continue
            if not cert.ca or cert.self_signed != "no":
                continue
            found[cert.sha256] = cert
    return list(found.values())


def _dss(reader: PdfFileReader) -> tuple[list[Any], list[Any], list[Any]]:
    try:
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        return [], [], []
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    certs = list(dss.load_certs())
    crls = [ref.get_object().read_data(DecodePurpose.CRL) for ref in dss.crls]
    ocsps = [ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE) for ref in dss.ocsps]
    return certs, crls, ocsps


def _trusted_without_revocation(
    sig: Any, trust_roots: list[x509.Certificate], known: list[Any]
) -> bool:
    """Whether the chain reaches a trust root when revocation data may be missing: tells a
    hard-fail for want of OCSP/CRL apart from an untrusted issuer."""
    vc = ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=[*(c.chosen for c in sig.signed_data["certificates"]), *known],
        allow_fetching=False,
        algorithm_usage_policy=AcceptAllAlgorithms(),
        revocation_mode="soft-fail",
        time_tolerance=dt.timedelta(minutes=5),
    )
    try:
        status = run(
            async_validate_pdf_signature(sig, signer_validation_context=vc, skip_diff=True), vc
        )
    except Exception:
        return False
    return bool(status.trusted)


def _valid_at(
    sig: Any,
    trust_roots: list[x509.Certificate],
    moment: dt.datetime,
    certs: list[Any],
    crls: list[Any],
    ocsps: list[Any],
) -> bool:
    vc = ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=certs,
        crls=crls,
        ocsps=ocsps,
        allow_fetching=False,
        moment=moment,
        retroactive_revinfo=True,
        algorithm_usage_policy=AcceptAllAlgorithms(),
        revocation_mode="soft-fail",
        time_tolerance=dt.timedelta(minutes=5),
    )
    try:
        status = run(
            async_validate_pdf_signature(
                sig, signer_validation_context=vc, ts_validation_context=vc
            ),
            vc,
        )
    except Exception:
        return False
    return bool(status.intact and status.valid and status.trusted)
