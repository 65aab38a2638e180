"""Word processing files (DOCX, DOC, ODT) to PDF/A-2b with headless LibreOffice, in a capped
helper process (NĐ 30/2020 Art. 13 and Appendix I: the approved and signed text is a PDF;
R10 archival format).

Each conversion runs `soffice --headless --convert-to pdf:writer_pdf_Export:{SelectPdfVersion 2}`
as its own process group with:
- its own LibreOffice profile and working directory in a fresh temporary directory, removed after;
- a deadline (`VANBAN_CONVERSION_TIMEOUT` seconds): past it the whole process group is killed;
- a memory cap: the data segment of every process of the group is limited by setrlimit
  (`VANBAN_CONVERSION_MEMORY_MB`);
- no network: the process enters a network namespace of its own where the kernel allows it
  (root, or unprivileged user namespaces), so a document's links to remote images or templates
  reach nothing; the profile also blocks untrusted referer links.

The binary is `VANBAN_SOFFICE` (a name looked up on PATH, or a path). Without it, `SofficeMissing`;
a file LibreOffice cannot open, an empty or non-PDF output, a crash or the deadline give
`ConversionFailed` with the reason in Vietnamese. This module imports nothing of Django but its
settings.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# The formats LibreOffice Writer opens; everything else is not converted.
CONVERTIBLE = {"docx": "docx", "doc": "doc", "odt": "odt"}
# PDF/A-2b (ISO 19005-2, level B): "SelectPdfVersion" 2 of LibreOffice's PDF export filter.
PDF_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
MAX_OUTPUT = 200 << 20  # a converted PDF larger than this is refused

MSG_MISSING = (
    "Máy chủ chưa cài LibreOffice để chuyển tệp Word sang PDF: dự thảo vẫn giữ tệp đã tải lên "
    "nhưng chưa trình kiểm tra, phê duyệt và ký số được cho đến khi có bản PDF. Hãy tải lên bản "
    "PDF của dự thảo, hoặc đề nghị quản trị hệ thống cài LibreOffice."
)

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
# Loaded once here: loading a library between fork and exec could wait on a lock for ever.
_LIBC = ctypes.CDLL(None, use_errno=True)

# Profile settings written before the first start: no first-start wizard, no remote referer
# links (images or templates linked from a document).
_SETTING = (
    '<item oor:path="/org.openoffice.Office.Common/{path}"><prop oor:name="{name}" '
    'oor:op="fuse"><value>{value}</value></prop></item>'
)
_PROFILE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + _SETTING.format(path="Security/Scripting", name="BlockUntrustedRefererLinks", value="true")
    + _SETTING.format(path="Misc", name="FirstRun", value="false")
    + "\n</oor:items>\n"
)


class SofficeMissing(Exception):
    """LibreOffice is not installed (or `VANBAN_SOFFICE` points at nothing runnable)."""

    message = MSG_MISSING


class ConversionFailed(Exception):
    """LibreOffice could not make a PDF of the file; `message` says why, in Vietnamese."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason  # "timeout", "unreadable", "failed", "too_large"


@dataclass(frozen=True)
class Limits:
    binary: str
    timeout: float
    memory_bytes: int


def limits() -> Limits:
    return Limits(
        binary=str(getattr(settings, "VANBAN_SOFFICE", "soffice")),
        timeout=float(getattr(settings, "VANBAN_CONVERSION_TIMEOUT", 60)),
        memory_bytes=int(getattr(settings, "VANBAN_CONVERSION_MEMORY_MB", 2048)) << 20,
    )


def soffice_path(binary: str | None = None) -> str | None:
    """The LibreOffice binary that would run, or None when there is none."""
    name = binary if binary is not None else limits().binary
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name)


def _own_network() -> None:
    """Enter a network namespace with only a down loopback; silently stay when not allowed."""
    if os.geteuid() == 0:
        _LIBC.unshare(_CLONE_NEWNET)
        return
    uid, gid = os.getuid(), os.getgid()
    if _LIBC.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return
    with contextlib.suppress(OSError):
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _preexec(memory_bytes: int) -> None:
    # Runs in the child between fork and exec: limits inherited by every LibreOffice process.
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(Exception):
        _own_network()


def _unreadable(name: str) -> ConversionFailed:
    return ConversionFailed(
        f"Không chuyển được tệp “{name}” sang PDF: LibreOffice không đọc được tệp (tệp hỏng, "
        "không đúng định dạng Word/ODT hoặc có mật khẩu). Hãy kiểm tra lại tệp hoặc tải lên bản "
        "PDF.",
        reason="unreadable",
    )


def to_pdfa(data: bytes, file_format: str, *, name: str = "tệp") -> bytes:
    """The PDF/A-2b LibreOffice makes of `data` (a DOCX, DOC or ODT file)."""
    if file_format not in CONVERTIBLE:
        raise ValueError(f"not a word processing format: {file_format}")
    limit = limits()
    binary = soffice_path(limit.binary)
    if binary is None:
        raise SofficeMissing(MSG_MISSING)
    with tempfile.TemporaryDirectory(prefix="vanban-convert-") as work:
        root = Path(work)
        profile = root / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE)
        source = root / f"input.{CONVERTIBLE[file_format]}"
        source.write_bytes(data)
        out = root / "out"
        out.mkdir()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root),
            "TMPDIR": str(root),
            "LANG": "C.UTF-8",
            "SAL_USE_VCLPLUGIN": "svp",
        }
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            process = subprocess.Popen(  # noqa: S603 - the configured binary, our own arguments
                command,
                cwd=root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=lambda: _preexec(limit.memory_bytes),
            )
        except OSError as exc:
            raise SofficeMissing(MSG_MISSING) from exc
        try:
            process.wait(timeout=limit.timeout)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(
                f"Không chuyển được tệp “{name}” sang PDF trong {limit.timeout:g} giây: tệp quá "
                "lớn hoặc quá phức tạp. Hãy tải lên bản PDF của dự thảo.",
                reason="timeout",
            ) from None
        finally:
            # The whole group: soffice's launcher and every process it started.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        result = out / "input.pdf"
        if process.returncode != 0 and not result.is_file():
            # LibreOffice answers 0 for a file it cannot load; anything else is a failure of
            # its own, most often the memory cap.
            raise ConversionFailed(
                f"Không chuyển được tệp “{name}” sang PDF: LibreOffice dừng bất thường (tệp quá "
                "lớn hoặc quá phức tạp so với giới hạn bộ nhớ của máy chủ). Hãy tải lên bản PDF "
                "của dự thảo.",
                reason="failed",
            )
        if not result.is_file():
            raise _unreadable(name)
        if result.stat().st_size > MAX_OUTPUT:
            raise ConversionFailed(
                f"Bản PDF chuyển từ tệp “{name}” quá lớn; hãy tải lên bản PDF của dự thảo.",
                reason="too_large",
            )
        pdf = result.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise _unreadable(name)
    return pdf
