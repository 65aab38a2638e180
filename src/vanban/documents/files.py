"""Document files: malware scan, format from content, size limit, safe names, SHA-256, text,
storage (R10, R13, R20).

The order of work keeps every file findable: a file is checked and read in memory, written to
storage under a fresh name, then its row is committed with the document. A crash between the two
leaves a file without a row, which `vanban files check` reports as an orphan.

Every read for a person goes through `file_download`: access through the document, the SHA-256
recomputed over the stored bytes before anything is sent, and the access recorded (Appendix VI).
docs/files.md explains the choices.
"""

import contextlib
import hashlib
import logging
import re
import struct
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, NoReturn
from urllib.parse import quote
from xml.parsers import expat

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError
from vanban.core.text import drop_category
from vanban.scanning.services import QUARANTINE_PREFIX, upload_scan

from . import pdftext
from .models import DocumentFile, DocumentPolicy
from .selectors import access_document

logger = logging.getLogger(__name__)

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
# File name extensions of each format; the first one is added when a name has none that fits.
EXTENSIONS = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "doc": ("doc",),
    "odt": ("odt",),
    "xlsx": ("xlsx",),
    "ods": ("ods",),
    "jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png",),
    "tiff": ("tif", "tiff"),
    "xml": ("xml",),
}
ALLOWED_LABEL = "PDF, DOCX, DOC, ODT, XLSX, ODS, JPEG, PNG, TIFF, XML"
STORAGE_PREFIX = "documents"

# Limits that keep a hostile or broken file from using unbounded memory or time.
CHUNK_SIZE = 64 * 1024
MAX_NAME_BYTES = 200  # UTF-8 bytes: a Vietnamese name of about 80 letters fits every file system
MAX_TEXT_CHARS = 1_000_000
MAX_PDF_PAGES = 1000
MAX_PDF_SECONDS = 30.0
MAX_UNZIPPED_XML = 50 * 1024 * 1024  # text members of one DOCX/ODT together
MAX_ZIP_SMALL_MEMBER = 1024 * 1024  # [Content_Types].xml, mimetype

WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
SECRECY_LEVELS = ("MẬT", "TỐI MẬT", "TUYỆT MẬT")  # from the lowest level to the highest


# ---------------------------------------------------------------- format from content


def detect_format(data: bytes) -> str | None:
    """The file's real format from its bytes, never from its name; None when not allowed."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if data.startswith(OLE_SIGNATURE):
        # XLS, PPT, MSG and password-protected OOXML files share the header: only Word qualifies.
        return "doc" if "WordDocument" in ole_stream_names(data) else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if _is_plain_xml(data):
        return "xml"
    return None


# OOXML main parts: a declared main part must be one of these (templates and macro-enabled
# documents are other formats).
_OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def _zip_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A member's bytes, or None when it is larger than `limit` (declared or real)."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        return None
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _zip_format(data: bytes) -> str | None:
    """ODT/ODS by their `mimetype` member; DOCX/XLSX by their parts; any other ZIP is refused."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = _zip_member(archive, "mimetype", 200)
                file_format = _ODF_MIMETYPES.get((mimetype or b"").strip())
                return file_format if file_format and "content.xml" in names else None
            if "[Content_Types].xml" not in names:
                return None
            types = (
                _zip_member(archive, "[Content_Types].xml", MAX_ZIP_SMALL_MEMBER) or b""
            ).lower()
            if b"macroenabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
                return None
            word, excel = "word/document.xml" in names, "xl/workbook.xml" in names
            if word == excel:
                return None
            file_format = "docx" if word else "xlsx"
            if b"main+xml" in types and _OOXML_MAIN[file_format] not in types:
                return None
            return file_format
    except Exception:  # zipfile raises many kinds of errors on broken or hostile archives
        return None


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_MAX_REGULAR = 0xFFFFFFFA  # sector numbers above this mark free sectors and chain ends
_OLE_STREAM = 2


def ole_stream_names(data: bytes) -> set[str]:
    """Names of the streams in an OLE2 compound file's directory (MS-CFB), {} if unreadable.

    Reads the header, the FAT (through the DIFAT) and follows the directory chain, with every loop
    bounded by the number of sectors, so a broken or hostile file cannot make it run long.
    """
    try:
        return _ole_stream_names(data)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError):
        return set()


def _ole_stream_names(data: bytes) -> set[str]:
    if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
        return set()
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    total = len(data) // size  # no file can have more sectors than this
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        chunk = data[start : start + size]
        if number > _OLE_MAX_REGULAR or len(chunk) < size:
            raise ValueError("sector outside the file")
        return chunk

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _OLE_MAX_REGULAR]
    number, hops = first_difat, 0
    while number < _OLE_MAX_REGULAR and hops < min(difat_count, total):
        entries = struct.unpack(f"<{size // 4}I", sector(number))
        fat_sectors.extend(n for n in entries[:-1] if n < _OLE_MAX_REGULAR)
        number, hops = entries[-1], hops + 1
    fat: list[int] = []
    for number in fat_sectors[: min(fat_count, total)]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    names: set[str] = set()
    number, seen = first_dir, set[int]()
    while number < _OLE_MAX_REGULAR and number not in seen and len(seen) < total:
        seen.add(number)
        chunk = sector(number)
        for offset in range(0, size, 128):
            name_length = struct.unpack_from("<H", chunk, offset + 64)[0]
            if chunk[offset + 66] == _OLE_STREAM and 2 <= name_length <= 64:
                names.add(chunk[offset : offset + name_length - 2].decode("utf-16-le"))
        number = fat[number] if number < len(fat) else _OLE_MAX_REGULAR + 1
    return names


_XML_STARTS = (
    b"<?xml",
    b"\xef\xbb\xbf<?xml",
    b"\xff\xfe" + "<?xml".encode("utf-16-le"),
    b"\xfe\xff" + "<?xml".encode("utf-16-be"),
)
_ACTIVE_NAMESPACES = {"http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg"}
_ACTIVE_ELEMENTS = {"html", "svg", "script"}


class _Refuse(Exception):
    """Raised from inside the XML parser to stop at the first thing we do not accept."""


def _safe_parser() -> Any:
    """An expat parser that refuses any DTD: no entities, so no "billion laughs", no XXE."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args: Any) -> NoReturn:
        raise _Refuse

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _is_plain_xml(data: bytes) -> bool:
    """A well-formed XML document with an XML declaration and no DTD, that is not HTML or SVG.

    Text that merely starts with "<", HTML, XHTML, SVG, anything holding a `script` element and
    anything asking for a style sheet (which a browser would run) is refused.
    """
    if not data.startswith(_XML_STARTS):
        return False
    parser = _safe_parser()

    def start(name: str, _attributes: Any) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace in _ACTIVE_NAMESPACES or local.lower() in _ACTIVE_ELEMENTS:
            raise _Refuse

    def instruction(target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise _Refuse

    parser.StartElementHandler = start
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except (_Refuse, expat.ExpatError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- names


def safe_file_name(name: str, file_format: str | None = None) -> str:
    """A name fit to show and to offer on download: Vietnamese letters kept (NFC), no path, no
    control or invisible characters (NUL, bidirectional overrides), no characters Windows refuses,
    not a Windows device name, at most MAX_NAME_BYTES bytes, with an extension that fits the
    format detected from the content."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category[0] == "C":
            continue
        kept.append(" " if category[0] == "Z" else char)
    name = " ".join("".join(kept).split())
    name = re.sub(r'[<>:"|?*;$`]', "_", name).strip(" .")
    if file_format in EXTENSIONS:
        stem, dot, extension = name.rpartition(".")
        known = {ext for exts in EXTENSIONS.values() for ext in exts}
        if not (dot and extension.lower() in EXTENSIONS[file_format]):
            if dot and extension.lower() in known:
                name = stem
            name = f"{name or 'tep'}.{EXTENSIONS[file_format][0]}"
    if name.split(".")[0].strip().upper() in WINDOWS_RESERVED:
        name = "_" + name
    return _truncate(name) or "tep"


def _truncate(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rstrip(" .")
    return stem + suffix


def content_disposition(name: str, *, inline: bool = False) -> str:
    """`attachment` (or `inline`, for the document viewer) with an ASCII fallback and the UTF-8
    name (RFC 6266 / RFC 5987)."""
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    fallback = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    fallback = re.sub(r"[^A-Za-z0-9._()\- ]", "_", fallback).strip(" .") or "tep"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# ---------------------------------------------------------------- text and secrecy stamps


def extract_text(data: bytes, file_format: str) -> str:
    """Text of a PDF, DOCX or ODT for search and the secrecy-stamp check; "" for other formats.

    Never raises: a file we cannot read has no text (it is still stored, like a scan). Output is
    NFC and at most MAX_TEXT_CHARS characters; PDFs are read for at most MAX_PDF_PAGES pages and
    MAX_PDF_SECONDS seconds, DOCX/ODT XML for at most MAX_UNZIPPED_XML bytes unpacked.
    """
    try:
        if file_format == "pdf":
            text = _pdf_text(data)
        elif file_format in ("docx", "odt"):
            text = _zip_text(data, file_format)
        else:
            return ""
    except Exception:  # broken and hostile files of every kind end here
        logger.info("No text extracted from a %s file", file_format, exc_info=True)
        return ""
    return unicodedata.normalize("NFC", text).strip()[:MAX_TEXT_CHARS]


def _pdf_text(data: bytes) -> str:
    return pdftext.pdf_text(
        data, max_pages=MAX_PDF_PAGES, max_chars=MAX_TEXT_CHARS, timeout=MAX_PDF_SECONDS
    )


class _Enough(Exception):
    pass


class _TextCollector:
    """Paragraph text of WordprocessingML (runs' `t`) or ODF (`p`, `h`), one paragraph a line."""

    def __init__(self, file_format: str) -> None:
        self.odf = file_format == "odt"
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[str] = []
        self.inside = 0  # depth of elements whose character data is text

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        if self.length > MAX_TEXT_CHARS:
            raise _Enough

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(local)
        if local in ("p", "h") and self.parts and not self.parts[-1].endswith("\n"):
            self._add("\n")  # a paragraph inside another (text box, note) starts its own line
        if (local == "t" and not self.odf) or (local in ("p", "h") and self.odf):
            self.inside += 1
        elif local == "tab" and (self.odf or parent == "r"):
            self._add("\t")
        elif local in ("br", "cr", "line-break"):
            self._add("\n")
        elif local == "s" and self.odf:
            count = next((v for k, v in attributes.items() if k.endswith(" c")), "1")
            self._add(" " * min(int(count) if count.isdigit() else 1, 100))

    def end(self, name: str) -> None:
        local = self.stack.pop() if self.stack else ""
        if (local == "t" and not self.odf) or (local in ("p", "h") and self.odf):
            self.inside -= 1
        if local in ("p", "h"):
            self._add("\n")

    def paragraph_end(self) -> None:
        self.parts.append("\n")

    def data(self, text: str) -> None:
        if self.inside > 0:
            # ODF collapses white space in paragraphs; line ends come only from elements.
            self._add(" ".join(text.split("\n")) if self.odf else text)


def _zip_text(data: bytes, file_format: str) -> str:
    """Members are unpacked and parsed piece by piece, so a "zip bomb" costs at most
    MAX_UNZIPPED_XML bytes of work, and the text before the cap (where stamps are) is kept."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = set(archive.namelist())
        if file_format == "docx":
            parts = re.compile(r"word/(header|footer)\d*\.xml")
            members = ["word/document.xml", *sorted(n for n in names if parts.fullmatch(n))]
        else:
            members = ["content.xml", "styles.xml"]  # ODF page headers live in styles.xml
        collector = _TextCollector(file_format)
        budget = MAX_UNZIPPED_XML
        for member in members:
            if member not in names or budget <= 0:
                continue
            parser = _safe_parser()
            parser.buffer_text = True
            parser.StartElementHandler = collector.start
            parser.EndElementHandler = collector.end
            parser.CharacterDataHandler = collector.data
            try:
                with archive.open(member) as handle:
                    while budget > 0:
                        chunk = handle.read(min(CHUNK_SIZE * 16, budget))
                        budget -= len(chunk)
                        parser.Parse(chunk, not chunk)
                        if not chunk:
                            break
            except _Enough:
                break
            except (_Refuse, expat.ExpatError):
                pass  # keep the text read so far and go on with the next member
            collector.paragraph_end()
    return "".join(collector.parts)


def secrecy_marks(text: str) -> list[str]:
    """Secrecy stamps found in a file's text (R13): lines reading MẬT, TỐI MẬT or TUYỆT MẬT,
    whatever the case, the Unicode form (NFC/NFD) and the spaces around or between the words.
    The words inside a sentence are not a stamp. Lowest level first."""
    found = set()
    for line in unicodedata.normalize("NFC", text).splitlines():
        visible = drop_category(line, "Cf")  # zero-width marks
        words = " ".join(visible.split()).upper()
        if words in SECRECY_LEVELS:
            found.add(words)
    return [level for level in SECRECY_LEVELS if level in found]


# ---------------------------------------------------------------- preparing and storing


@dataclass
class PreparedFile:
    original_name: str
    data: bytes
    file_format: str
    content_type: str
    size: int
    sha256: str
    text: str


def _too_large(name: str, policy: DocumentPolicy) -> ServiceError:
    return ServiceError(
        f"Tệp “{name}” lớn hơn giới hạn {policy.max_file_size_mb} MB.", field="files"
    )


def _read_at_most(upload: UploadedFile[bytes], limit: int) -> bytes:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    chunks, total = [], 0
    while total < limit:
        chunk = upload.read(min(1024 * 1024, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


# Active parts of a PDF (pdftext.ACTIVE_KINDS) as the refusal names them.
ACTIVE_LABELS = {
    "javascript": "mã JavaScript",
    "launch": "lệnh mở chương trình hoặc tệp khác (Launch)",
    "embedded_file": "tệp nhúng bên trong",
    "rich_media": "nội dung đa phương tiện tự chạy (RichMedia, Flash, 3D, âm thanh, phim)",
    "xfa": "biểu mẫu XFA",
    "other_action": "thao tác tự động khác",
}
# Formats that are not ZIP archives: one that is also a valid ZIP is a polyglot.
_NOT_ZIP = ("pdf", "png", "jpeg", "tiff", "doc", "xml")
# Binary formats in which HTML near the start can only be a disguise.
_NOT_HTML = ("pdf", "png", "jpeg", "tiff", "doc")
_HTML_MARKERS = (b"<html", b"<script", b"<body", b"<head", b"<iframe", b"<svg", b"<!doctype")


def _refuse_disguised(data: bytes, file_format: str, name: str) -> None:
    """A file that is also something else (R20): a ZIP archive appended to a PDF or an image
    ("polyglot"), or HTML inside the first kilobyte of a binary format, which an old browser or
    a careless viewer could run as a web page."""
    label = file_format.upper()
    if file_format in _NOT_ZIP and zipfile.is_zipfile(BytesIO(data)):
        raise ServiceError(
            f"Tệp “{name}” vừa là tệp {label} vừa chứa một tệp nén ZIP (tệp “đa định dạng”) nên "
            "không được nhận. Hãy gửi riêng từng tệp.",
            field="files",
        )
    if file_format in _NOT_HTML and any(m in data[:1024].lower() for m in _HTML_MARKERS):
        raise ServiceError(
            f"Tệp “{name}” có phần đầu của tệp {label} nhưng chứa mã trang web (HTML) nên không "
            "được nhận.",
            field="files",
        )


def _pdf_checked_text(data: bytes, name: str) -> str:
    """The text of a PDF that PDFium opens and that holds no active content (R13, R20)."""
    try:
        reading = pdftext.pdf_read(
            data, max_pages=MAX_PDF_PAGES, max_chars=MAX_TEXT_CHARS, timeout=MAX_PDF_SECONDS
        )
    except pdftext.NotOpened as exc:
        if exc.password:
            raise ServiceError(
                f"Tệp “{name}” là tệp PDF có mật khẩu mở nên không kiểm tra được nội dung (mã "
                "độc, dấu chỉ độ mật). Hãy gửi bản không đặt mật khẩu.",
                field="files",
            ) from exc
        raise ServiceError(
            f"Tệp “{name}” có phần đầu của tệp PDF nhưng không mở được như một tệp PDF (tệp "
            "hỏng, hoặc thực chất là định dạng khác) nên không được nhận.",
            field="files",
        ) from exc
    except pdftext.Unreadable as exc:
        raise ServiceError(
            f"Tệp “{name}” không kiểm tra hết được trong giới hạn cho một tệp PDF "
            f"({MAX_PDF_SECONDS:.0f} giây, {pdftext.MEMORY_LIMIT >> 20} MB bộ nhớ) nên không "
            "được nhận. Hãy in lại ra PDF hoặc chia nhỏ tệp rồi gửi lại.",
            field="files",
        ) from exc
    if reading.active:
        found = ", ".join(ACTIVE_LABELS[kind] for kind in reading.active)
        raise ServiceError(
            f"Tệp “{name}” chứa {found}: văn bản PDF đưa vào hệ thống không được có nội dung tự "
            "chạy hay tệp nhúng. Hãy xuất lại tệp PDF không kèm các phần đó (ví dụ in ra PDF) "
            "rồi gửi lại; tệp đính kèm gửi thành tệp riêng.",
            field="files",
        )
    return unicodedata.normalize("NFC", reading.text).strip()[:MAX_TEXT_CHARS]


def file_prepare(
    upload: UploadedFile[bytes],
    *,
    actor: Any,
    unit: Any = None,
    policy: DocumentPolicy | None = None,
    source: str = "",
) -> PreparedFile:
    """Check an uploaded file and read it; nothing is stored yet. Refusals are Vietnamese.

    The one gate of every upload (R10, R13, R20): size limit (province data, DocumentPolicy; at
    most limit + 1 bytes are ever read), malware scan by ClamAV (`actor`, `unit` and `source`
    say who sent the file, to which unit and from which page, for the detection record), format
    from the content, no polyglot or disguised file, PDFs that PDFium opens and that hold no
    active content, no secrecy stamp.
    """
    policy = policy or DocumentPolicy.current()
    name = safe_file_name(upload.name or "")
    limit = policy.max_file_size_mb * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, policy)
    data = _read_at_most(upload, limit + 1)
    if len(data) > limit:
        raise _too_large(name, policy)
    if not data:
        raise ServiceError(f"Tệp “{name}” rỗng.", field="files")
    upload_scan(data=data, name=name, actor=actor, unit=unit, source=source)
    file_format = detect_format(data)
    if file_format is None:
        raise ServiceError(
            f"Tệp “{name}” không thuộc định dạng được phép ({ALLOWED_LABEL}); định dạng được "
            "xác định theo nội dung tệp, không theo tên tệp.",
            field="files",
        )
    _refuse_disguised(data, file_format, name)
    if file_format == "pdf":
        text = _pdf_checked_text(data, name)
    else:
        text = extract_text(data, file_format)
    marks = secrecy_marks(text)
    if marks:
        raise ServiceError(
            f"Tệp “{name}” có dấu chỉ độ mật “{marks[-1]}”: văn bản mật không được đưa vào hệ "
            "thống (Quy chế, Điều 4). Không có gì được lưu.",
            field="files",
        )
    return PreparedFile(
        original_name=safe_file_name(upload.name or "", file_format),
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
    extension = EXTENSIONS[prepared.file_format][0]
    name = f"{STORAGE_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(prepared.data))


def file_discard(storage_name: str) -> None:
    """Remove a stored file whose record was never committed (best effort)."""
    with contextlib.suppress(OSError):
        default_storage.delete(storage_name)


# ---------------------------------------------------------------- reading back, verified


class FileUnavailable(ServiceError):
    """The stored file is missing or no longer matches its SHA-256: nothing is sent."""

    def __init__(self, message: str, *, reason: str, document_id: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason  # "missing" or "changed"
        self.document_id = document_id


def _missing() -> FileUnavailable:
    return FileUnavailable(
        "Tệp không còn trong kho lưu trữ nên không tải xuống được. "
        "Hãy báo quản trị hệ thống để khôi phục từ bản sao lưu.",
        reason="missing",
    )


def _changed() -> FileUnavailable:
    return FileUnavailable(
        "Tệp trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với lúc vào sổ) "
        "nên không tải xuống. Hãy báo quản trị hệ thống.",
        reason="changed",
    )


def _chunks(storage_name: str) -> Iterator[bytes]:
    try:
        handle = default_storage.open(storage_name, "rb")
    except (OSError, ValueError) as exc:  # FileNotFoundError, a storage that cannot answer
        raise _missing() from exc
    with handle:
        while True:
            try:
                chunk = handle.read(CHUNK_SIZE)
            except OSError as exc:
                raise _missing() from exc
            if not chunk:
                return
            yield chunk


def file_verify(storage_name: str, sha256: str) -> int:
    """Hash the stored file as a stream; its size if it matches `sha256`, else FileUnavailable."""
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(storage_name):
        digest.update(chunk)
        size += len(chunk)
    if digest.hexdigest() != sha256:
        raise _changed()
    return size


def file_stream_verified(storage_name: str, sha256: str, size: int) -> Iterator[bytes]:
    """The stored bytes for a response already verified by `file_verify`, checked again.

    The last chunk is held back until the whole stream has matched `size` and `sha256`: if the
    file changed after the first check, the stream stops short of its Content-Length with an
    error, so no client ever receives a complete response with wrong bytes.
    """
    digest, sent = hashlib.sha256(), 0
    pending: bytes | None = None
    for chunk in _chunks(storage_name):
        digest.update(chunk)
        sent += len(chunk)
        if sent > size:
            break
        if pending is not None:
            yield pending
        pending = chunk
    if sent != size or digest.hexdigest() != sha256:
        logger.error("Stored file %s changed while it was being downloaded", storage_name)
        raise _changed()
    if pending is not None:
        yield pending


def file_read_verified(storage_name: str, sha256: str) -> bytes:
    """The stored bytes in memory, refused if missing or if they no longer match their SHA-256."""
    data = b"".join(_chunks(storage_name))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _changed()
    return data


@dataclass
class VerifiedStream:
    size: int
    chunks: Iterator[bytes]


def verified_stream(
    *,
    actor: Any,
    storage_name: str,
    sha256: str,
    action: str,
    unit: Any,
    target: Any,
    data: dict[str, Any],
    ip: str | None = None,
) -> VerifiedStream:
    """The one way a stored file is sent to a person (R10, Appendix VI "access history").

    The stored bytes are hashed before anything is sent: a missing or changed file is refused
    (FileUnavailable) and the refusal written to the audit trail as `<action>_refused` with its
    reason; otherwise the download is written as `action` and the bytes are streamed, checked
    again on the way (`file_stream_verified`). The caller has checked access first.
    """
    try:
        size = file_verify(storage_name, sha256)
    except FileUnavailable as exc:
        audit_record(
            actor=actor,
            action=f"{action}_refused",
            unit=unit,
            target=target,
            ip=ip,
            data={**data, "reason": exc.reason},
        )
        raise
    audit_record(actor=actor, action=action, unit=unit, target=target, ip=ip, data=data)
    return VerifiedStream(size=size, chunks=file_stream_verified(storage_name, sha256, size))


def viewed_data(data: dict[str, Any], viewed: bool) -> dict[str, Any]:
    """The audit data of a download, noting `viewed` when the document viewer asked for it."""
    return {**data, "viewed": True} if viewed else data


@dataclass
class Download:
    file: DocumentFile
    size: int
    chunks: Iterator[bytes]


def file_download(
    *, actor: Any, file_id: int, ip: str | None = None, viewed: bool = False
) -> Download:
    """A person downloads a document's file (R10, Appendix VI "access history").

    Allowed to whoever may see the document ("missing" and "forbidden" are both NotFound). The
    stored bytes are hashed before anything is sent; a missing or changed file is refused
    (FileUnavailable). Every download and every refusal is written to the audit trail; one for
    the document viewer (`viewed`) is noted so in the record.
    """
    not_found = NotFound("Không tìm thấy tệp.")
    file = DocumentFile.with_copies.filter(pk=file_id).first()
    if file is None:
        raise not_found
    try:
        document = access_document(user=actor, pk=file.document_id)
    except NotFound as exc:
        raise not_found from exc
    try:
        stream = verified_stream(
            actor=actor,
            storage_name=file.storage_name,
            sha256=file.sha256,
            action="document.file_download",
            unit=document.unit,
            target=document,
            data=viewed_data(
                {"file": file.pk, "name": file.original_name, "sha256": file.sha256}, viewed
            ),
            ip=ip,
        )
    except FileUnavailable as exc:
        exc.document_id = document.pk
        raise
    return Download(file=file, size=stream.size, chunks=stream.chunks)


# ---------------------------------------------------------------- `vanban files check`


@dataclass
class FileProblem:
    storage_name: str
    file_id: int | None = None
    document_id: int | None = None  # the owner: a document, a progress entry, a draft
    name: str = ""
    kind: str = ""  # which record: "" for a document file, else FileSource.label


@dataclass(frozen=True)
class FileSource:
    """A model whose rows point at stored files (storage_name, sha256, original_name).

    Apps register theirs in AppConfig.ready(), so `vanban files check` sees every record and
    walks every prefix without the documents app knowing the others.
    """

    model: str  # "app_label.ModelName"
    prefix: str  # where its files are stored
    owner_field: str  # the owner's id, e.g. "document_id"
    label: str = ""  # Vietnamese name of the owner shown in the report; "" for documents
    # The row's fields, when they are named otherwise; rows with an empty storage name are skipped.
    storage_field: str = "storage_name"
    sha256_field: str = "sha256"
    name_field: str = "original_name"


FILE_SOURCES: list[FileSource] = [
    FileSource("documents.DocumentFile", STORAGE_PREFIX, "document_id"),
    # Infected uploads kept by the malware scan (R20), below documents in the layers.
    FileSource("scanning.Detection", QUARANTINE_PREFIX, "id", "tệp cách ly (mã độc)"),
]


def file_source_register(source: FileSource) -> None:
    if source not in FILE_SOURCES:
        FILE_SOURCES.append(source)


@dataclass
class FilesReport:
    records: int = 0
    stored: int = 0
    hashed: bool = True
    missing: list[FileProblem] = field(default_factory=list)
    changed: list[FileProblem] = field(default_factory=list)
    orphans: list[FileProblem] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.changed) + len(self.orphans)


def storage_walk(prefix: str = STORAGE_PREFIX) -> set[str]:
    """Every stored name under `prefix`, through the storage API only (local disk and S3)."""
    found: set[str] = set()
    pending = [prefix]
    while pending:
        path = pending.pop()
        try:
            directories, names = default_storage.listdir(path)
        except FileNotFoundError:
            continue
        found.update(f"{path}/{name}" for name in names)
        pending.extend(f"{path}/{directory}" for directory in directories)
    return found


def files_check(*, verify_hashes: bool = True) -> FilesReport:
    """Missing, changed and orphan files (R14, R25): rows against storage, as two sets.

    Rows are read before storage is listed, so a registration committing meanwhile cannot look
    like a missing file; a file stored by a registration still in progress can show as an orphan
    until it commits (run the check again before removing anything).
    """
    from django.apps import apps

    report = FilesReport(hashed=verify_hashes)
    # (source, pk, owner id, storage name, SHA-256, original name) of every stored file.
    rows: list[tuple[FileSource, int, int | None, str, str, str]] = []
    for source in FILE_SOURCES:
        model = apps.get_model(source.model)
        rows.extend(
            (source, *row)
            for row in model._base_manager.exclude(**{source.storage_field: ""})
            .order_by("pk")
            .values_list(
                "pk",
                source.owner_field,
                source.storage_field,
                source.sha256_field,
                source.name_field,
            )
            .iterator(chunk_size=2000)
        )
    stored: set[str] = set()
    for prefix in sorted({source.prefix for source in FILE_SOURCES}):
        stored |= storage_walk(prefix)
    report.records, report.stored = len(rows), len(stored)
    referenced = set()
    for source, pk, owner_id, storage_name, sha256, original_name in rows:
        referenced.add(storage_name)
        problem = FileProblem(storage_name, pk, owner_id, original_name, source.label)
        if storage_name not in stored and not default_storage.exists(storage_name):
            report.missing.append(problem)
            continue
        if verify_hashes:
            try:
                file_verify(storage_name, sha256)
            except FileUnavailable as exc:
                (report.missing if exc.reason == "missing" else report.changed).append(problem)
    report.orphans = [FileProblem(name) for name in sorted(stored - referenced)]
    return report


# ---------------------------------------------------------------- orphans to quarantine

# Outside every FileSource prefix, so never walked as orphans; apart from `quarantine/`, where
# the malware scan keeps infected uploads (scanning.services).
ORPHANS_PREFIX = "orphans"


@dataclass
class QuarantinedFile:
    storage_name: str
    moved_to: str
    size: int
    sha256: str
    modified_at: str


def files_quarantine_orphans(*, report: FilesReport, grace_hours: int) -> list[QuarantinedFile]:
    """Move the orphans of `report` older than `grace_hours` to the quarantine folder.

    An orphan is a stored file no row references: what a crash between storing a file and
    committing its row leaves (STYLE "Concurrency and data safety"). A registration in progress
    also has its file stored before its row commits, so only files older than the grace period
    are moved; younger orphans stay in `report`. Files are moved through the storage API (disk
    and S3), nothing is deleted for good, and the move is written to the audit trail (R25).
    """
    import datetime as dt

    from django.db import transaction

    now = clock.now()
    folder = f"{ORPHANS_PREFIX}/{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    moved: list[QuarantinedFile] = []
    kept: list[FileProblem] = []
    for problem in report.orphans:
        name = problem.storage_name
        modified = default_storage.get_modified_time(name)
        if now - modified < dt.timedelta(hours=grace_hours):
            kept.append(problem)
            continue
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        target = default_storage.save(f"{folder}/{name}", ContentFile(data))
        default_storage.delete(name)
        moved.append(
            QuarantinedFile(
                storage_name=name,
                moved_to=target,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                modified_at=modified.isoformat(),
            )
        )
        logger.warning("Orphan file %s moved to %s", name, target)
    report.orphans = kept
    if moved:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="files.orphans_quarantined",
                data={
                    "grace_hours": grace_hours,
                    "folder": folder,
                    "files": [
                        {
                            "name": f.storage_name,
                            "to": f.moved_to,
                            "size": f.size,
                            "sha256": f.sha256,
                        }
                        for f in moved
                    ],
                },
            )
    return moved
