"""Document files: format from content, size limit, safe names, SHA-256, text, storage (R10, R13).

The order of work keeps every file findable: a file is checked and read in memory, written to
storage under a fresh name, then its row is committed with the document. A crash between the two
leaves a file without a row, which `vanban files check` reports as an orphan.
"""

import contextlib
import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from html import unescape

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from vanban.core import clock
from vanban.core.errors import ServiceError

from .models import DocumentPolicy

# Allowed formats (the national list of technical standards, R10): name -> MIME type.
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "xml": "application/xml",
}
ALLOWED_LABEL = "PDF, DOCX, DOC, ODT, XLSX, ODS, JPEG, PNG, TIFF, XML"
STORAGE_PREFIX = "documents"
MAX_TEXT_CHARS = 1_000_000
MAX_UNZIPPED_XML = 50 * 1024 * 1024

SECRECY_LINE = re.compile(r"^\s*(TUYỆT MẬT|TỐI MẬT|MẬT)\s*$", re.MULTILINE)


def detect_format(data: bytes) -> str | None:
    """The file's real format from its first bytes (and, for ZIP containers, their contents)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<?xml") or (
        head.startswith(b"<")
        and not head.lower().startswith((b"<!doctype html", b"<html", b"<script"))
    ):
        return "xml"
    return None


def _zip_format(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                return {
                    b"application/vnd.oasis.opendocument.text": "odt",
                    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
                }.get(mimetype)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    return None


def safe_file_name(name: str) -> str:
    """Keep a readable Vietnamese name, without paths, control characters or shell-special ones."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*;$`]', "_", name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "tep"


def extract_text(data: bytes, file_format: str) -> str:
    """Text of a PDF, DOCX or ODT for search and the secrecy-stamp check; "" for other formats."""
    try:
        if file_format == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            parts = []
            for page in reader.pages:
                parts.append(page.extract_text() or "")
                if sum(len(p) for p in parts) > MAX_TEXT_CHARS:
                    break
            text = "\n".join(parts)
        elif file_format in ("docx", "odt"):
            member = "word/document.xml" if file_format == "docx" else "content.xml"
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                info = archive.getinfo(member)
                if info.file_size > MAX_UNZIPPED_XML:
                    return ""
                xml = archive.read(member).decode("utf-8", errors="replace")
            # Paragraph ends become line ends, then every tag goes: the text stays in order.
            xml = re.sub(r"</(w:p|text:p|text:h)>", "\n", xml)
            xml = re.sub(r"<(w:tab|text:tab)\b[^>]*/>", "\t", xml)
            text = unescape(re.sub(r"<[^>]+>", "", xml))
        else:
            return ""
    except Exception:  # a file we cannot read has no text; it is still stored
        return ""
    return unicodedata.normalize("NFC", text)[:MAX_TEXT_CHARS]


def secrecy_marks(text: str) -> list[str]:
    """Secrecy stamps (a line reading MẬT, TỐI MẬT or TUYỆT MẬT) found in a file's text (R13)."""
    return sorted({m.group(1) for m in SECRECY_LINE.finditer(unicodedata.normalize("NFC", text))})


@dataclass
class PreparedFile:
    original_name: str
    data: bytes
    file_format: str
    content_type: str
    size: int
    sha256: str
    text: str


def file_prepare(upload: UploadedFile, *, policy: DocumentPolicy | None = None) -> PreparedFile:
    """Check an uploaded file and read it; nothing is stored yet. Refusals are Vietnamese."""
    policy = policy or DocumentPolicy.current()
    name = safe_file_name(upload.name or "")
    limit = policy.max_file_size_mb * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ServiceError(
            f"Tệp “{name}” lớn hơn giới hạn {policy.max_file_size_mb} MB.", field="files"
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(
            f"Tệp “{name}” lớn hơn giới hạn {policy.max_file_size_mb} MB.", field="files"
        )
    if not data:
        raise ServiceError(f"Tệp “{name}” rỗng.", field="files")
    file_format = detect_format(data)
    if file_format is None:
        raise ServiceError(
            f"Tệp “{name}” không thuộc định dạng được phép ({ALLOWED_LABEL}); định dạng được "
            "xác định theo nội dung tệp, không theo tên tệp.",
            field="files",
        )
    text = extract_text(data, file_format)
    marks = secrecy_marks(text)
    if marks:
        raise ServiceError(
            f"Tệp “{name}” có dấu chỉ độ mật “{marks[-1]}”: văn bản mật không được đưa vào hệ "
            "thống (Quy chế, Điều 4). Không có gì được lưu.",
            field="files",
        )
    return PreparedFile(
        original_name=name,
        data=data,
        file_format=file_format,
        content_type=FORMATS[file_format],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
    )


def file_store(prepared: PreparedFile) -> str:
    """Write to storage under a new unique name and return that name."""
    today = clock.now().date()
    extension = "jpg" if prepared.file_format == "jpeg" else prepared.file_format
    name = f"{STORAGE_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(prepared.data))


def file_discard(storage_name: str) -> None:
    """Remove a stored file whose record was never committed (best effort)."""
    with contextlib.suppress(OSError):
        default_storage.delete(storage_name)


def file_read_verified(storage_name: str, sha256: str) -> bytes:
    """The stored bytes, refused if missing or if they no longer match their SHA-256."""
    try:
        with default_storage.open(storage_name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise ServiceError("Tệp không còn trong kho lưu trữ; hãy báo quản trị hệ thống.") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ServiceError(
            "Tệp trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp); không tải xuống. "
            "Hãy báo quản trị hệ thống."
        )
    return data
