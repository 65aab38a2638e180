"""The archival form of a PDF (R19; ETSI EN 319 142 PAdES B-LT and B-LTA): the validation data
of every signature (certificates, OCSP responses, CRLs) added to the document security store,
then a document time-stamp of the deployment's time-stamp service, with the validation data of
that time-stamp. Every step is an incremental update: the file as it was kept stays the prefix of
the archival file, which `verify` checks."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info

from vanban.core.errors import ServiceError
from vanban.signatures.pdfsign import run

# The name of the document time-stamp field an export adds ("dấu thời gian lưu trữ").
FIELD_PREFIX = "DauThoiGianLuuTru"


@dataclass(frozen=True)
class Archived:
    data: bytes
    signatures: int  # regular signatures found in the file as kept
    notes: list[str]  # validation data that could not be gathered, in words


def archival_pdf(
    data: bytes, *, name: str, tsa_url: str, context: Any, field_name: str
) -> Archived:
    """`data` with the validation data of its signatures and a document time-stamp.

    A signature whose validation data cannot be gathered (an issuer outside the province's trust
    roots, an OCSP/CRL service out of reach) does not stop the export: the reason goes to the
    file's metadata and `verify` reports the signature as failing. A time-stamp that cannot be
    had stops it (ServiceError naming the file): no package leaves without its time-stamp."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        count = len(list(reader.embedded_regular_signatures))
    except Exception as exc:
        raise ServiceError(f"Không đọc được tệp PDF “{name}” để đóng gói lưu trữ: {exc}") from exc
    notes: list[str] = []
    current = data
    for index in range(count):
        try:
            current = run(_add_validation_info(current, index, context), context)
        except Exception as exc:
            notes.append(
                f"Chữ ký thứ {index + 1}: không thu thập được dữ liệu xác thực "
                f"(chứng thư, OCSP, CRL): {_why(exc)}"
            )
    try:
        current = run(_timestamp(current, tsa_url, context, field_name), context)
    except Exception as exc:
        raise ServiceError(
            f"Không đóng được dấu thời gian lưu trữ cho tệp “{name}” (dịch vụ cấp dấu thời gian "
            f"{tsa_url}): {_why(exc)}. Gói lưu trữ không được tạo."
        ) from exc
    return Archived(data=current, signatures=count, notes=notes)


def _why(exc: Exception) -> str:
    from pyhanko_certvalidator.errors import PathBuildingError

    if isinstance(exc, PathBuildingError):
        return (
            "chứng thư số không dẫn tới gốc tin cậy nào của tỉnh (chưa cài gốc tin cậy của tổ "
            "chức cấp chứng thư)"
        )
    text = str(exc).strip() or type(exc).__name__
    return text[:300]


async def _add_validation_info(data: bytes, index: int, context: Any) -> bytes:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    signature = list(reader.embedded_regular_signatures)[index]
    # No /VRI entry: the optional per-signature index, when written for a signature that a
    # later one covers, is graded by the difference analysis as a change beyond LTA updates.
    out = await async_add_validation_info(
        signature, context, output=io.BytesIO(), add_vri_entry=False
    )
    return bytes(out.getvalue())


async def _timestamp(data: bytes, tsa_url: str, context: Any, field_name: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url), field_name=field_name)
    out = await stamper.async_timestamp_pdf(
        writer, "sha256", validation_context=context, output=io.BytesIO()
    )
    return bytes(out.getvalue())


@dataclass(frozen=True)
class ManifestStamp:
    """An RFC 3161 time-stamp token over the manifest's SHA-256, with what validates it."""

    token: bytes  # DER ContentInfo
    certificates: list[bytes]
    crls: list[bytes]
    ocsps: list[bytes]


def manifest_stamp(manifest: bytes, *, tsa_url: str, context: Any) -> ManifestStamp:
    """Time-stamps the manifest, which lists every file of the package (METS.xml included): a
    later change of any file together with its recorded hashes is still found. The token is
    validated now (hard-fail), so that the OCSP responses and CRLs it needs are gathered."""
    try:
        return run(_manifest_stamp(manifest, tsa_url, context), context)
    except ServiceError:
        raise
    except Exception as exc:
        raise ServiceError(
            f"Không đóng được dấu thời gian cho danh mục mã băm của gói (dịch vụ cấp dấu thời "
            f"gian {tsa_url}): {_why(exc)}. Gói lưu trữ không được tạo."
        ) from exc


async def _manifest_stamp(manifest: bytes, tsa_url: str, context: Any) -> ManifestStamp:
    import hashlib

    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    token = await HTTPTimeStamper(tsa_url).async_timestamp(
        hashlib.sha256(manifest).digest(), "sha256"
    )
    signed_data = token["content"]
    status = await validate_tst_signed_data(
        signed_data, context, lambda algorithm: hashlib.new(algorithm, manifest).digest()
    )
    if not (
        status.get("intact") and status.get("valid") and status.get("trust_problem_indic") is None
    ):
        raise ServiceError(
            "Dấu thời gian của danh mục mã băm không xác thực được theo gốc tin cậy của tỉnh. "
            "Gói lưu trữ không được tạo."
        )
    certificates = [c.chosen.dump() for c in signed_data["certificates"]]
    path = status.get("validation_path")
    if path is not None:
        certificates += [c.dump() for c in path.iter_certs(include_root=False)]
    return ManifestStamp(
        token=token.dump(),
        certificates=list(dict.fromkeys(certificates)),
        crls=[item.dump() for item in context.crls],
        ocsps=[item.dump() for item in context.ocsps],
    )
