"""Text of a PDF through PDFium (pypdfium2), in a helper process with memory and time limits.

PDFium reads a page's text about fifteen times faster than a pure-Python reader, which made it
most of what registering a document costs (docs/performance.md). It inflates streams without a
cap of its own, so a small hostile upload (a compressed stream of gigabytes) could exhaust the
server's memory: the reading happens in one helper process per server process
(`python -m vanban.documents.pdftext`), started on first use, with its data segment limited to
MEMORY_LIMIT and a deadline per file. A helper that runs out of memory or time is replaced and
the file simply has no text, like a scan.

The helper speaks over its standard input and output: a request is a header (pages, characters,
length of the file) and the file; an answer is a status byte, a length and UTF-8 text (status 0)
or an error message (status 1). This module imports nothing of Django.
"""

import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time

logger = logging.getLogger(__name__)

MEMORY_LIMIT = 512 << 20  # bytes of data segment for the helper process

_REQUEST = struct.Struct("!IIQ")  # max pages, max characters, length of the file
_ANSWER = struct.Struct("!BQ")  # 0 text / 1 error, length

_lock = threading.Lock()
_helper: subprocess.Popen[bytes] | None = None
_helper_parent = 0  # the process that started the helper: a forked child starts its own


class Unreadable(Exception):
    """The helper gave up on the file (memory, time, a crash) or PDFium could not open it."""


def pdf_text(data: bytes, *, max_pages: int, max_chars: int, timeout: float) -> str:
    """Page texts joined by newlines, for at most `max_pages` pages and about `max_chars`
    characters; raises Unreadable when PDFium cannot open the file (broken, or a user password)
    or the helper runs out of memory or `timeout` seconds."""
    global _helper, _helper_parent
    with _lock:  # one file at a time per server process; the helper is single-threaded
        if _helper is None or _helper_parent != os.getpid() or _helper.poll() is not None:
            _helper_parent = os.getpid()
            _helper = subprocess.Popen(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
            )
        helper = _helper
        if helper.stdin is None or helper.stdout is None:  # pragma: no cover - PIPE was asked
            raise Unreadable("the helper has no pipes")
        try:
            helper.stdin.write(_REQUEST.pack(max_pages, max_chars, len(data)) + data)
            helper.stdin.flush()
            deadline = time.monotonic() + timeout
            status, length = _ANSWER.unpack(_read_exactly(helper.stdout, _ANSWER.size, deadline))
            body = _read_exactly(helper.stdout, length, deadline).decode()
        except (OSError, EOFError, TimeoutError) as exc:
            helper.kill()
            helper.wait()
            _helper = None
            raise Unreadable(f"{type(exc).__name__}: {exc}") from exc
    if status:
        raise Unreadable(body)
    return body


def _read_exactly(stream, size: int, deadline: float) -> bytes:  # type: ignore[no-untyped-def]
    fd = stream.fileno()
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise TimeoutError("the helper took too long")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the helper stopped")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- the helper process


def _read(data: bytes, max_pages: int, max_chars: int) -> str:
    import pypdfium2

    parts: list[str] = []
    length = 0
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(min(len(document), max_pages)):
            if length > max_chars:
                break
            try:
                page = document[index]
                try:
                    textpage = page.get_textpage()
                    part = textpage.get_text_bounded()
                    textpage.close()
                finally:
                    page.close()
            except pypdfium2.PdfiumError:  # one broken page does not lose the others
                continue
            part = part.replace("\r\n", "\n").replace("\r", "\n")
            parts.append(part)
            length += len(part)
    finally:
        document.close()
    return "\n".join(parts)


def _serve() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))
    import pypdfium2  # noqa: F401 - loaded once, before the first file

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = source.read(_REQUEST.size)
        if len(header) < _REQUEST.size:
            return  # the server process closed the pipe
        max_pages, max_chars, length = _REQUEST.unpack(header)
        data = source.read(length)
        try:
            answer, status = _read(data, max_pages, max_chars).encode(), 0
        except MemoryError:
            return  # the parent sees the pipe close; a fresh helper takes the next file
        except Exception as exc:  # broken and hostile files of every kind end here
            answer, status = f"{type(exc).__name__}: {exc}".encode(), 1
        sink.write(_ANSWER.pack(status, len(answer)) + answer)
        sink.flush()


if __name__ == "__main__":
    _serve()
