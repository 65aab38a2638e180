"""Optical character recognition of scans (NĐ 30/2020 Appendix I: incoming paper documents are
digitised as colour PDF of at least 200 dpi): Tesseract's Vietnamese model through OCRmyPDF, in a
capped helper process.

A scan (a PDF without a text layer, a JPEG, PNG or TIFF image) has no text to search. `ocr_scan`
gives a PDF/A copy of it with a text layer, the text, the layout read from Tesseract's hOCR
(`ocr_layout`) and the mean word confidence. The original is never changed: the copy is kept
beside it (docs/ocr.md).

Each run is `ocrmypdf -l vie --output-type pdfa --rotate-pages --deskew --jobs 1` as its own
process group in a fresh temporary directory, removed after, with:
- a deadline (`VANBAN_OCR_TIMEOUT` seconds, or the caller's): past it the whole group is killed;
- a memory cap: the address space of every process of the group is limited by setrlimit
  (`VANBAN_OCR_MEMORY_MB`);
- one thread for Tesseract (OMP_THREAD_LIMIT=1): the worker shares the server's cores.

The text layer is Tesseract's own PDF renderer; OCRmyPDF's hOCR renderer garbles Vietnamese
letters and is not used. hOCR files are still written (`tessedit_create_hocr`) and kept in the
work folder (`-k`), one per page, for the layout. A multi-page TIFF goes through img2pdf first
(OCRmyPDF takes a single image); an image without a credible resolution is read at 200 dpi, the
minimum of Appendix I.

OCR is on unless `VANBAN_OCR` is off; `ocr_problem` says in Vietnamese why it cannot run (switched
off, or OCRmyPDF, Tesseract or its Vietnamese model missing: Debian packages `ocrmypdf` and
`tesseract-ocr-vie`). This module imports nothing of Django but its settings.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from django.conf import settings

from vanban.core.errors import ServiceError

from .ocr_layout import OcrPage, hocr_pages, mean_confidence

# The formats a scan comes in (files.FORMATS): images always, PDFs when they have no text.
IMAGE_FORMATS = ("png", "jpeg", "tiff")
OCR_FORMATS = ("pdf", *IMAGE_FORMATS)
_EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}
# A PDF whose text has fewer letters and digits than this is a scan (a scanner may print a line
# of its own, a date or a page number, in the text layer).
MIN_TEXT_CHARS = 32
DEFAULT_DPI = 200  # NĐ 30/2020 Appendix I: scans of at least 200 dpi
MAX_OUTPUT = 200 << 20  # a PDF/A copy larger than this is refused
LANGUAGE = "vie"
PACKAGES = "ocrmypdf, tesseract-ocr-vie"

_NOT_ENABLED = (
    "Nhận dạng chữ (OCR) đang tắt trên máy chủ (VANBAN_OCR=off): nội dung bản quét chưa được "
    "đưa vào tìm kiếm. Hãy đề nghị quản trị hệ thống bật OCR."
)


class OcrError(ServiceError):
    """OCR gave no result; `message` says why, in Vietnamese."""


class OcrUnavailable(OcrError):
    """OCR is switched off, or OCRmyPDF, Tesseract or its Vietnamese model is missing."""


class OcrFailed(OcrError):
    """The run hit its time or memory cap, or the scan could not be read."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "timeout", "memory", "unreadable", "failed", "too_large"


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes  # PDF/A with a text layer
    text: str  # NFC, all pages
    confidence: float | None  # mean word confidence 0-100 (ocr_layout.mean_confidence)
    pages: list[OcrPage] = field(default_factory=list)  # from the hOCR files, in page order
    page_count: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Limits:
    enabled: bool
    binary: str
    timeout: float
    memory_bytes: int


def limits() -> Limits:
    return Limits(
        enabled=bool(getattr(settings, "VANBAN_OCR_ENABLED", True)),
        binary=str(getattr(settings, "VANBAN_OCRMYPDF", "ocrmypdf")),
        timeout=float(getattr(settings, "VANBAN_OCR_TIMEOUT", 300)),
        memory_bytes=int(getattr(settings, "VANBAN_OCR_MEMORY_MB", 2048)) << 20,
    )


def _executable(name: str) -> str | None:
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name)


def _missing(what: str) -> str:
    return (
        f"Máy chủ chưa cài {what} nên chưa nhận dạng được chữ trên bản quét: nội dung bản quét "
        "chưa được đưa vào tìm kiếm (tệp gốc vẫn được lưu nguyên vẹn). Hãy đề nghị quản trị hệ "
        f"thống cài các gói Debian {PACKAGES}."
    )


_usable: set[str] = set()  # binaries found usable: checked once per process


def ocr_problem() -> str:
    """ "" when OCR can run, else the reason in Vietnamese."""
    limit = limits()
    if not limit.enabled:
        return _NOT_ENABLED
    binary = _executable(limit.binary)
    if binary is None:
        return _missing(f"OCRmyPDF (không tìm thấy lệnh “{limit.binary}”)")
    if binary in _usable:
        return ""
    tesseract = shutil.which("tesseract", path=_path())
    if tesseract is None:
        return _missing("Tesseract OCR")
    try:
        listed = subprocess.run(  # noqa: S603 - the installed binary, our own arguments
            [tesseract, "--list-langs"],
            capture_output=True,
            timeout=30,
            env=_environment(Path(tempfile.gettempdir())),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return _missing("Tesseract OCR")
    languages = (listed.stdout + listed.stderr).decode(errors="replace").split()
    if LANGUAGE not in languages:
        return _missing("mô hình tiếng Việt của Tesseract")
    _usable.add(binary)
    return ""


def needs_ocr(file_format: str, text: str) -> bool:
    """Whether a stored file is a scan whose text only OCR can give: an image always, a PDF
    whose text is empty or nearly so."""
    if file_format in IMAGE_FORMATS:
        return True
    if file_format != "pdf":
        return False
    return sum(1 for char in text or "" if char.isalnum()) < MIN_TEXT_CHARS


def _path() -> str:
    return os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin"


def _environment(work: Path) -> dict[str, str]:
    return {
        "PATH": _path(),
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_THREAD_LIMIT": "1",
    }


def _preexec(memory_bytes: int) -> None:
    # Runs in the child between fork and exec: limits inherited by every process of the group.
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _interpreter(script: str) -> str | None:
    """The Python of OCRmyPDF's script (its `#!` line): img2pdf is a module of its own."""
    with contextlib.suppress(OSError), open(script, "rb") as handle:
        line = handle.readline(300)
        if line.startswith(b"#!"):
            parts = line[2:].decode(errors="replace").split()
            if parts and parts[0].endswith("/env") and len(parts) > 1:
                return shutil.which(parts[1], path=_path())
            if parts and _executable(parts[0]):
                return parts[0]
    return None


def _credible_dpi(data: bytes) -> bool:
    """Whether the image states a resolution OCRmyPDF accepts (above 96 dpi); only the header
    is read."""
    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as image:
            dpi = image.info.get("dpi")
    except Exception:  # a header Pillow cannot read: OCRmyPDF will say so
        return True
    try:
        return bool(dpi) and min(float(dpi[0]), float(dpi[1])) > 96
    except (TypeError, ValueError, IndexError):
        return False


def _failed_timeout(seconds: float) -> OcrFailed:
    return OcrFailed(
        f"Không nhận dạng xong chữ trên bản quét trong giới hạn {seconds:g} giây (bản quét quá "
        "nhiều trang hoặc quá lớn): nội dung chưa được đưa vào tìm kiếm, tệp gốc vẫn được lưu "
        "nguyên vẹn. Có thể nhập trích yếu và từ khóa bằng tay.",
        reason="timeout",
    )


def _failed_memory() -> OcrFailed:
    return OcrFailed(
        "Nhận dạng chữ trên bản quét dừng lại vì vượt giới hạn bộ nhớ của máy chủ (bản quét quá "
        "lớn): nội dung chưa được đưa vào tìm kiếm, tệp gốc vẫn được lưu nguyên vẹn.",
        reason="memory",
    )


def _failed_unreadable(detail: str = "") -> OcrFailed:
    detail = f" ({detail})" if detail else ""
    return OcrFailed(
        f"Không đọc được bản quét để nhận dạng chữ{detail}: nội dung chưa được đưa vào tìm kiếm, "
        "tệp gốc vẫn được lưu nguyên vẹn.",
        reason="unreadable",
    )


def _failed(code: int) -> OcrFailed:
    return OcrFailed(
        f"Nhận dạng chữ trên bản quét không thành công (OCRmyPDF dừng với mã {code}): nội dung "
        "chưa được đưa vào tìm kiếm, tệp gốc vẫn được lưu nguyên vẹn.",
        reason="failed",
    )


# OCRmyPDF's exit codes (ocrmypdf.ExitCode) for an input it cannot take.
_EXIT_INPUT = 2
_EXIT_MISSING_DEPENDENCY = 3
_EXIT_ENCRYPTED = 8


def _run(command: list[str], *, work: Path, deadline: float, limit: Limits) -> tuple[int, str]:
    """Run one command of the job in its own process group; (exit code, stderr tail)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _failed_timeout(limit.timeout)
    errors = work / "stderr.txt"
    with errors.open("wb") as sink:
        try:
            process = subprocess.Popen(  # noqa: S603 - the configured binary, our own arguments
                command,
                cwd=work,
                env=_environment(work),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=sink,
                start_new_session=True,
                preexec_fn=lambda: _preexec(limit.memory_bytes),
            )
        except OSError as exc:
            raise OcrUnavailable(_missing("OCRmyPDF")) from exc
        try:
            process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            raise _failed_timeout(limit.timeout) from None
        finally:
            # The whole group: OCRmyPDF and the Tesseract and Ghostscript processes it started.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    tail = errors.read_bytes()[-4000:].decode(errors="replace")
    return process.returncode, tail


# What a process of the group writes when the address-space cap stops it: Python's MemoryError,
# C++'s bad_alloc, a library that cannot be mapped, a failed allocation.
_MEMORY_MARKS = (
    "MemoryError",
    "bad_alloc",
    "Cannot allocate memory",
    "failed to map segment",
    "out of memory",
)


def _memory_exhausted(code: int, stderr: str) -> bool:
    return code == -signal.SIGKILL or any(mark in stderr for mark in _MEMORY_MARKS)


def ocr_scan(data: bytes, file_format: str, *, timeout: float | None = None) -> OcrResult:
    """Read the text of a scan (PDF, PNG, JPEG or TIFF) with Tesseract's Vietnamese model.

    Raises OcrUnavailable when OCR cannot run (`ocr_problem`), OcrFailed when the scan cannot be
    read or the run reaches its time or memory cap; `timeout` (seconds) replaces
    `VANBAN_OCR_TIMEOUT` for this run.
    """
    if file_format not in OCR_FORMATS:
        raise OcrFailed(
            f"Tệp định dạng {file_format.upper()} không phải bản quét (PDF, JPEG, PNG, TIFF) nên "
            "không nhận dạng chữ.",
            reason="unreadable",
        )
    problem = ocr_problem()
    if problem:
        raise OcrUnavailable(problem)
    limit = limits()
    if timeout is not None:
        limit = Limits(limit.enabled, limit.binary, float(timeout), limit.memory_bytes)
    binary = _executable(limit.binary)
    if binary is None:  # pragma: no cover - ocr_problem has just found it
        raise OcrUnavailable(_missing("OCRmyPDF"))
    started = time.monotonic()
    deadline = started + limit.timeout
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as folder:
        work = Path(folder)
        source = work / f"input.{_EXTENSIONS[file_format]}"
        source.write_bytes(data)
        image_dpi = file_format in IMAGE_FORMATS and not _credible_dpi(data)
        if file_format == "tiff":
            # OCRmyPDF takes a single image; img2pdf makes one page of each frame, losslessly.
            python = _interpreter(binary)
            if python is None:
                raise OcrUnavailable(_missing("img2pdf (gói python3-img2pdf)"))
            converted = work / "input.pdf"
            command = [python, "-m", "img2pdf", "-o", str(converted)]
            if image_dpi:
                command += ["-s", f"{DEFAULT_DPI}dpix{DEFAULT_DPI}dpi"]
            code, stderr = _run([*command, str(source)], work=work, deadline=deadline, limit=limit)
            if code != 0 or not converted.is_file():
                if _memory_exhausted(code, stderr):
                    raise _failed_memory()
                raise _failed_unreadable("ảnh TIFF không chuyển được sang PDF")
            source, image_dpi = converted, False
        config = work / "hocr.cfg"
        config.write_text("tessedit_create_hocr 1\n")
        output, sidecar = work / "output.pdf", work / "output.txt"
        command = [
            binary,
            "-q",
            "-k",  # keep the work folder: the hOCR files are read from it
            "-l",
            LANGUAGE,
            "--output-type",
            "pdfa",
            "--tesseract-config",
            str(config),
            "--rotate-pages",
            "--deskew",
            "--jobs",
            "1",
            "--sidecar",
            str(sidecar),
        ]
        if file_format == "pdf":
            command.append("--force-ocr")  # a scanner's stray line of text does not stop OCR
        if image_dpi:
            command += ["--image-dpi", str(DEFAULT_DPI)]
        code, stderr = _run(
            [*command, str(source), str(output)], work=work, deadline=deadline, limit=limit
        )
        if code != 0:
            if _memory_exhausted(code, stderr):
                raise _failed_memory()
            if code == _EXIT_MISSING_DEPENDENCY:
                raise OcrUnavailable(_missing("đủ các chương trình OCRmyPDF cần"))
            if code == _EXIT_ENCRYPTED:
                raise _failed_unreadable("tệp PDF có mật khẩu")
            if code == _EXIT_INPUT:
                detail = "ảnh có kênh trong suốt (alpha)" if "alpha" in stderr else ""
                raise _failed_unreadable(detail)
            raise _failed(code)
        if not output.is_file() or output.stat().st_size == 0:
            raise _failed(code)
        if output.stat().st_size > MAX_OUTPUT:
            raise OcrFailed(
                "Bản có lớp chữ (OCR) của bản quét quá lớn nên không được lưu; tệp gốc vẫn được "
                "lưu nguyên vẹn.",
                reason="too_large",
            )
        pdf = output.read_bytes()
        text = sidecar.read_text(errors="replace") if sidecar.is_file() else ""
        pages: list[OcrPage] = []
        for hocr in sorted(work.glob("ocrmypdf.io.*/*_ocr_tess.hocr")):
            pages.extend(hocr_pages(hocr.read_bytes()))
    text = unicodedata.normalize("NFC", text.replace("\f", "\n")).strip()
    return OcrResult(
        pdf=pdf,
        text=text,
        confidence=mean_confidence(pages),
        pages=pages,
        page_count=len(pages),
        seconds=round(time.monotonic() - started, 2),
    )
