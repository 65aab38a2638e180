"""PAdES signing of PDF files, in two halves so that the private key can be anywhere (R11;
DESIGN "Signatures: where the keys are").

`prepare()` adds the signature field with its appearance (Appendix I of NĐ 30/2020), reserves
room for the signature, hashes the document and returns the CMS signed attributes to be signed;
`complete()` embeds the signature value made by whoever holds the key (a PKCS#12 file or a
PKCS#11 token on the server, or `vanban-sign` next to the signer's token), adds a time stamp
when a time-stamping service is configured, and appends the validation data (certificates,
OCSP responses, CRLs) in a DSS so that the signature can be checked years later (PAdES B-LT).
`sign()` does both for a key held by the server.

Nothing here touches the database: the services decide who signs what; this module only turns
bytes into signed bytes.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

from asn1crypto import cms, x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

DIGEST = "sha256"
BYTES_RESERVED = 32 * 1024  # signature container: signature, chain and a time-stamp token
VN_TZ = dt.timezone(dt.timedelta(hours=7), "+07:00")
TIME_FORMAT = "%d/%m/%Y %H:%M:%S +07:00"  # Appendix I: Vietnam time, ISO 8601 offset
PT_PER_MM = 72 / 25.4


class SigningFailed(Exception):
    """The document could not be signed (damaged PDF, key refused, service unreachable)."""


class KeyHolder(Protocol):
    """Whatever holds a private key: it knows its certificate and chain and signs raw bytes."""

    signing_cert: x509.Certificate
    cert_registry: Any

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes: ...


@cache
def font_path() -> Path:
    """The shipped DejaVu Serif, rescaled to 1,000 units per em: pyHanko writes the glyph widths
    of an embedded TrueType font in font units, which PDF readers take as thousandths of an em,
    so a font with another grid would be set with wrong spacing. The rescaled copy is made once
    per machine in the temporary directory (0.9 s) and reused."""
    import hashlib
    import os
    import tempfile

    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    from vanban.reports.pdf import font_paths

    source = font_paths()[("normal", "normal")]
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "vanban-fonts" / f"serif-1000-{digest}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(str(source))
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        partial = target.with_suffix(f".{os.getpid()}.part")
        font.save(str(partial))
        os.replace(partial, target)
    return target


# ---------------------------------------------------------------- appearance


@dataclass(frozen=True)
class Box:
    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class Appearance:
    """What the signature shows: an image (handwritten signature, seal) or text (attachments)."""

    box: Box
    image_png: bytes | None = None
    text: str = ""  # may contain %(ts)s, the signing time

    def style(self) -> Any:
        if self.image_png is None and not self.text.strip():
            raise SigningFailed("Chữ ký hiển thị phải có hình hoặc chữ.")
        if self.image_png is not None:
            from PIL import Image

            image: Image.Image = Image.open(io.BytesIO(self.image_png))
            image.load()
            if image.mode not in ("RGBA", "LA"):
                image = image.convert("RGBA")
            return StaticStampStyle(
                background=PdfImage(image),
                border_width=0,
                background_opacity=1.0,
                background_layout=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MID,
                    y_align=layout.AxisAlignment.ALIGN_MID,
                    margins=layout.Margins(),
                    inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
                ),
            )
        return TextStampStyle(
            stamp_text=self.text,
            timestamp_format=TIME_FORMAT,
            border_width=0,
            background=None,
            # 10 pt as Appendix I of NĐ 30/2020 asks, never shrunk to fit the box: the box
            # (`attachment_box`) holds the two lines without margins.
            text_box_style=TextBoxStyle(
                font=GlyphAccumulatorFactory(str(font_path())),
                font_size=10,
                leading=12,
                box_layout_rule=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MAX,
                    y_align=layout.AxisAlignment.ALIGN_MAX,
                    margins=layout.Margins(),
                    inner_content_scaling=layout.InnerScaling.NO_SCALING,
                ),
            ),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins(),
                inner_content_scaling=layout.InnerScaling.NO_SCALING,
            ),
        )


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    try:
        pages = PdfReader(io.BytesIO(pdf)).pages
        return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pages]
    except Exception as exc:
        raise SigningFailed("Tệp PDF bị hỏng, không đọc được các trang.") from exc


def find_line(pdf: bytes, needle: str, page: int) -> tuple[float, float, float] | None:
    """Where `needle` (case and diacritics ignored) is written on `page`: (x, y, font size) of
    the start of the text run that contains it, or None."""
    from pypdf import PdfReader

    from vanban.core.text import fold

    wanted = fold(needle).strip()
    if not wanted:
        return None
    try:
        reader = PdfReader(io.BytesIO(pdf))
        target = reader.pages[page]
    except Exception:
        return None
    found: list[tuple[float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if found or wanted not in fold(text):
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        found.append((x, y, size * scale))

    try:
        target.extract_text(visitor_text=visit)
    except Exception:
        return None
    return found[0] if found else None


def personal_box(pdf: bytes, signer_name: str, *, title: str = "", width_mm: float = 40) -> Box:
    """The handwritten-signature box: centred on the signer's full name on the last page, in the
    space between the position title and the name (Appendix I). Without the name in the text
    layer (a scanned page), the usual place of the signer block: lower right of the last page."""
    sizes = page_sizes(pdf)
    last = len(sizes) - 1
    page_w, _page_h = sizes[last]
    width = width_mm * PT_PER_MM
    height = width / 2
    hit = find_line(pdf, signer_name, last) if signer_name else None
    if hit is not None:
        x, y, size = hit
        name_width = max(len(signer_name) * size * 0.5, size)
        centre = min(max(x + name_width / 2, width / 2 + 10), page_w - width / 2 - 10)
        bottom = y + size + 2
        above = find_line(pdf, title, last) if title else None
        if above is not None and above[1] > bottom:
            gap = above[1] - 2 - bottom
            height = min(height, max(gap, 24))
            width = min(width, height * 2)
            bottom = bottom + max(gap - height, 0) / 2
        return Box(last, centre - width / 2, bottom, centre + width / 2, bottom + height)
    right = page_w - 20 * PT_PER_MM
    return Box(last, right - width, 90, right, 90 + height)


def signature_boxes(pdf: bytes) -> list[tuple[str, Box]]:
    """The visible signature fields of a PDF, in page order: (field name, box)."""
    from pypdf import PdfReader

    found: list[tuple[str, Box]] = []
    try:
        reader = PdfReader(io.BytesIO(pdf))
        for index, page in enumerate(reader.pages):
            for ref in page.get("/Annots") or []:
                annot = ref.get_object()
                field = annot if "/FT" in annot else annot.get("/Parent", {})
                field = field.get_object() if hasattr(field, "get_object") else field
                if field.get("/FT") != "/Sig" or "/Rect" not in annot:
                    continue
                x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
                if abs(x2 - x1) < 1 or abs(y2 - y1) < 1:
                    continue
                box = Box(index, min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                found.append((str(field.get("/T", "")), box))
    except Exception:
        return []
    return found


def seal_box(personal: Box, *, diameter_mm: float) -> Box:
    """The seal at its real size over the left third of the signer's image (Appendix I)."""
    size = diameter_mm * PT_PER_MM
    right = personal.x1 + personal.width / 3
    centre_y = (personal.y1 + personal.y2) / 2
    return Box(personal.page, right - size, centre_y - size / 2, right, centre_y + size / 2)


def inside_page(pdf: bytes, box: Box) -> Box:
    """`box` moved (not resized) so that it lies on its page."""
    page_w, page_h = page_sizes(pdf)[box.page]
    dx = max(0.0, -box.x1) - max(0.0, box.x2 - page_w)
    dy = max(0.0, -box.y1) - max(0.0, box.y2 - page_h)
    return Box(box.page, box.x1 + dx, box.y1 + dy, box.x2 + dx, box.y2 + dy)


def attachment_box(pdf: bytes) -> Box:
    """Top right of the first page, for the organisation signature on attachments (no image)."""
    page_w, page_h = page_sizes(pdf)[0]
    right = page_w - 15 * PT_PER_MM
    top = page_h - 10 * PT_PER_MM
    return Box(0, right - 62 * PT_PER_MM, top - 12 * PT_PER_MM, right, top)


# ---------------------------------------------------------------- signing in two halves


@dataclass
class Prepared:
    """A document ready for its signature value: the PDF with a placeholder, the byte range
    digest and the DER signed attributes that the key holder signs. Serialisable (`to_dict`)."""

    pdf: bytes
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attrs: bytes
    signing_time: dt.datetime
    certificate: bytes  # DER
    chain: list[bytes]  # DER, signer's issuers

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_digest": base64.b64encode(self.document_digest).decode(),
            "reserved_region_start": self.reserved_region_start,
            "reserved_region_end": self.reserved_region_end,
            "signed_attrs": base64.b64encode(self.signed_attrs).decode(),
            "signing_time": self.signing_time.isoformat(),
            "certificate": base64.b64encode(self.certificate).decode(),
            "chain": [base64.b64encode(c).decode() for c in self.chain],
        }

    @classmethod
    def from_dict(cls, pdf: bytes, data: dict[str, Any]) -> Prepared:
        return cls(
            pdf=pdf,
            document_digest=base64.b64decode(data["document_digest"]),
            reserved_region_start=int(data["reserved_region_start"]),
            reserved_region_end=int(data["reserved_region_end"]),
            signed_attrs=base64.b64decode(data["signed_attrs"]),
            signing_time=dt.datetime.fromisoformat(data["signing_time"]),
            certificate=base64.b64decode(data["certificate"]),
            chain=[base64.b64decode(c) for c in data["chain"]],
        )


def certificate_store(certificates: Iterable[x509.Certificate]) -> SimpleCertificateStore:
    """The certificates as pyHanko looks up a signer's chain (its constructor is untyped)."""
    store_class: Any = SimpleCertificateStore
    store: SimpleCertificateStore = store_class.from_certs(certificates)
    return store


T = TypeVar("T")


def run(coro: Awaitable[T], *contexts: ValidationContext | None) -> T:
    """Runs one top-level asynchronous operation of pyHanko to its end, then releases the
    network sessions that the validation contexts opened for it."""
    from pyhanko.sign._session_scope import run_and_release

    wrapped = run_and_release(coro, *contexts)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wrapped)
    # Called from inside an event loop (an async server): run in a private loop.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, wrapped).result()


def prepare(
    pdf: bytes,
    *,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str,
    appearance: Appearance,
    signing_time: dt.datetime,
    reason: str = "",
    location: str = "",
    text_params: dict[str, str] | None = None,
) -> Prepared:
    try:
        return run(
            _prepare(
                pdf,
                certificate=certificate,
                chain=chain,
                field_name=field_name,
                appearance=appearance,
                signing_time=signing_time.astimezone(VN_TZ),
                reason=reason,
                location=location,
                text_params=text_params or {},
            )
        )
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"Không chuẩn bị được tệp PDF để ký: {exc}") from exc


async def _prepare(
    pdf: bytes,
    *,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str,
    appearance: Appearance,
    signing_time: dt.datetime,
    reason: str,
    location: str,
    text_params: dict[str, str],
) -> Prepared:
    registry = certificate_store([certificate, *chain])
    placeholder = signers.ExternalSigner(certificate, registry, signature_value=512)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=placeholder,
        stamp_style=appearance.style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=appearance.box.page,
            box=appearance.box.as_tuple(),
        ),
    )
    session = pdf_signer.init_signing_session(writer)
    session.system_time = signing_time
    tbs = session.prepare_tbs_document(
        validation_info=None,
        bytes_reserved=BYTES_RESERVED,
        appearance_text_params=text_params,
    )
    prepared_digest, output = tbs.digest_tbs_document(output=io.BytesIO())
    attrs = await placeholder.signed_attrs(
        prepared_digest.document_digest,
        DIGEST,
        attr_settings=PdfCMSSignedAttributes(signing_time=signing_time),
        use_pades=True,
    )
    output.seek(0)
    return Prepared(
        pdf=output.read(),
        document_digest=prepared_digest.document_digest,
        reserved_region_start=prepared_digest.reserved_region_start,
        reserved_region_end=prepared_digest.reserved_region_end,
        signed_attrs=attrs.dump(),
        signing_time=signing_time,
        certificate=certificate.dump(),
        chain=[c.dump() for c in chain],
    )


def to_be_signed(prepared: Prepared) -> bytes:
    """The bytes the key holder signs (SHA-256 with its key): the DER signed attributes."""
    return prepared.signed_attrs


def complete(
    prepared: Prepared,
    signature_value: bytes,
    *,
    tsa_url: str | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Embeds the signature value, with a time-stamp token when `tsa_url` is given, then the
    validation data of the signer (and of the time stamp) when `validation_context` is given."""
    try:
        return run(
            _complete(
                prepared,
                signature_value,
                tsa_url=tsa_url,
                validation_context=validation_context,
            ),
            validation_context,
        )
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"Không hoàn tất được chữ ký: {exc}") from exc


async def _complete(
    prepared: Prepared,
    signature_value: bytes,
    *,
    tsa_url: str | None,
    validation_context: ValidationContext | None,
) -> bytes:
    from pyhanko.sign.validation import EmbeddedPdfSignature  # noqa: F401
    from pyhanko.sign.validation.dss import async_add_validation_info

    certificate = x509.Certificate.load(prepared.certificate)
    chain = [x509.Certificate.load(c) for c in prepared.chain]
    if not signature_matches(certificate, prepared.signed_attrs, signature_value):
        raise SigningFailed(
            "Chữ ký nhận được không khớp với chứng thư số đã chọn (sai khóa hoặc sai dữ liệu ký)."
        )
    registry = certificate_store([certificate, *chain])
    signer = signers.ExternalSigner(certificate, registry, signature_value=signature_value)
    signed_attrs = cms.CMSAttributes.load(prepared.signed_attrs)
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    signature_cms = await signer.async_sign_prescribed_attributes(
        DIGEST, signed_attrs, timestamper=timestamper
    )
    output = io.BytesIO(prepared.pdf)
    await PdfTBSDocument.async_finish_signing(
        output,
        PreparedByteRangeDigest(
            document_digest=prepared.document_digest,
            reserved_region_start=prepared.reserved_region_start,
            reserved_region_end=prepared.reserved_region_end,
        ),
        signature_cms,
    )
    signed = output.getvalue()
    if validation_context is None:
        return signed
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    embedded = reader.embedded_signatures[-1]
    from pyhanko_certvalidator.errors import ExpiredError, PathBuildingError, RevokedError

    try:
        extended = await async_add_validation_info(
            embedded, validation_context, skip_timestamp=timestamper is None, output=io.BytesIO()
        )
    except RevokedError as exc:
        when = exc.revocation_dt.astimezone(VN_TZ) if exc.revocation_dt else None
        since = f" từ {when:%d/%m/%Y}" if when else ""
        raise SigningFailed(f"Chứng thư số đã bị thu hồi{since}; không ký được.") from exc
    except ExpiredError as exc:
        raise SigningFailed(
            f"Chứng thư số đã hết hạn từ {exc.expired_dt.astimezone(VN_TZ):%d/%m/%Y}; "
            "không ký được."
        ) from exc
    except PathBuildingError as exc:
        raise SigningFailed(
            "Chứng thư số không được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy "
            "của tỉnh; không ký được."
        ) from exc
    extended.seek(0)
    signed_with_validation: bytes = extended.read()
    return signed_with_validation


def signature_matches(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    from cryptography import x509 as pyca_x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    public_key = pyca_x509.load_der_x509_certificate(certificate.dump()).public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def sign_raw(holder: KeyHolder, data: bytes) -> bytes:
    """Signs `data` with a key held here (PKCS#12 file or PKCS#11 token)."""
    try:
        return run(holder.async_sign_raw(data, DIGEST))
    except Exception as exc:
        raise SigningFailed(f"Khóa bí mật không ký được dữ liệu: {exc}") from exc


def holder_chain(holder: KeyHolder) -> list[x509.Certificate]:
    own = holder.signing_cert
    return [c for c in holder.cert_registry if c.dump() != own.dump()]


def sign(
    pdf: bytes,
    holder: KeyHolder,
    *,
    field_name: str,
    appearance: Appearance,
    signing_time: dt.datetime,
    reason: str = "",
    location: str = "",
    text_params: dict[str, str] | None = None,
    tsa_url: str | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Both halves with a key held by the server."""
    prepared = prepare(
        pdf,
        certificate=holder.signing_cert,
        chain=holder_chain(holder),
        field_name=field_name,
        appearance=appearance,
        signing_time=signing_time,
        reason=reason,
        location=location,
        text_params=text_params,
    )
    value = sign_raw(holder, to_be_signed(prepared))
    return complete(prepared, value, tsa_url=tsa_url, validation_context=validation_context)


def load_pkcs12(data: bytes, pin: str) -> KeyHolder:
    """A key holder from a PKCS#12 file; a wrong PIN or a damaged file raises SigningFailed."""
    try:
        holder: KeyHolder | None = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=pin.encode() or None
        )
    except Exception as exc:
        raise SigningFailed("Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng.") from exc
    if holder is None:
        raise SigningFailed("Mã PIN không đúng hoặc tệp khóa PKCS#12 bị hỏng.")
    return holder
