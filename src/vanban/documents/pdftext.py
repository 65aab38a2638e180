"""Text of a PDF through PDFium (pypdfium2), in a helper process with memory and time limits.

PDFium reads a page's text about fifteen times faster than a pure-Python reader, which made it
most of what registering a document costs (docs/performance.md). It inflates streams without a
cap of its own, so a small hostile upload (a compressed stream of gigabytes) could exhaust the
server's memory: the reading happens in one helper process per server process
(`python -m vanban.documents.pdftext`), started on first use, with its data segment limited to
MEMORY_LIMIT and a deadline per file. A helper that runs out of memory or time is replaced and
the file simply has no text, like a scan.

The helper also answers whether PDFium could open the file at all and which active parts the
file holds (JavaScript, launch actions, embedded files, rich media, XFA forms: R20, docs/files.md),
found by walking every object reachable from the trailer with pypdf under the same limits.

The helper speaks over its standard input and output: a request is a header (pages, characters,
length of the file) and the file; an answer is a status byte, a length and a body: JSON with the
text and the active parts (status 0), an error message (status 1), or PDFium's reason for not
opening the file (status 2). This module imports nothing of Django.
"""

import json
import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

logger = logging.getLogger(__name__)

MEMORY_LIMIT = 512 << 20  # bytes of data segment for the helper process

_REQUEST = struct.Struct("!IIQ")  # max pages, max characters, length of the file
_ANSWER = struct.Struct("!BQ")  # 0 text and active parts / 1 error / 2 not opened, length
MAX_OBJECTS = 200_000  # objects walked when looking for active parts

_lock = threading.Lock()
_helper: subprocess.Popen[bytes] | None = None
_helper_parent = 0  # the process that started the helper: a forked child starts its own


class Unreadable(Exception):
    """The helper gave up on the file (memory, time, a crash) or PDFium could not open it."""


class NotOpened(Unreadable):
    """PDFium could not open the file: not a PDF, broken beyond repair, or a user password."""

    @property
    def password(self) -> bool:
        return "password" in str(self).lower()


@dataclass
class PdfReading:
    text: str
    active: list[str] = field(default_factory=list)  # kinds of active parts, see ACTIVE_KINDS


# Kinds of active content, in the order they are reported.
ACTIVE_KINDS = ("javascript", "launch", "embedded_file", "rich_media", "xfa", "other_action")


def pdf_text(data: bytes, *, max_pages: int, max_chars: int, timeout: float) -> str:
    """Page texts joined by newlines, for at most `max_pages` pages and about `max_chars`
    characters; raises Unreadable when PDFium cannot open the file (broken, or a user password)
    or the helper runs out of memory or `timeout` seconds."""
    return pdf_read(data, max_pages=max_pages, max_chars=max_chars, timeout=timeout).text


def pdf_read(data: bytes, *, max_pages: int, max_chars: int, timeout: float) -> PdfReading:
    """The text (as `pdf_text`) and the active parts of a PDF; NotOpened when PDFium cannot
    open it, Unreadable when the helper runs out of memory or time."""
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
    if status == 2:
        raise NotOpened(body)
    if status:
        raise Unreadable(body)
    answer = json.loads(body)
    return PdfReading(text=answer["text"], active=answer["active"])


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
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


class _NotOpened(Exception):
    pass


def _read(data: bytes, max_pages: int, max_chars: int) -> str:
    import pypdfium2

    parts: list[str] = []
    length = 0
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise _NotOpened(f"{type(exc).__name__}: {exc}") from exc
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


_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "other_action",
    "/GoToE": "embedded_file",
    "/RichMediaExecute": "rich_media",
    "/Rendition": "rich_media",
}
_SUBTYPES = {
    "/FileAttachment": "embedded_file",
    "/RichMedia": "rich_media",
    "/Screen": "rich_media",
    "/Movie": "rich_media",
    "/Sound": "rich_media",
    "/3D": "rich_media",
}


def _active_parts(data: bytes) -> list[str]:
    """Kinds of active content among the objects reachable from the trailer (pypdf, lenient).

    Action dictionaries (`/S /JavaScript`, `/Launch`...) and `/JS` keys wherever they hang
    (OpenAction, additional actions, annotations, the name tree), embedded files (`/EF`,
    `/EmbeddedFiles`, `/Type /EmbeddedFile`, file attachment annotations), rich media and XFA
    forms. A file too large to walk is reported as `other_action`.
    """
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # PDFium opened it, so the user password is empty
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    walked = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                item = item.get_object()
            except Exception:  # noqa: S112 - a dangling or broken reference: readers skip it too
                continue
        walked += 1
        if walked > MAX_OBJECTS:
            found.add("other_action")
            break
        if isinstance(item, DictionaryObject):
            values = dict(item)  # the raw values: references are followed by the walk
            kind = _value(values.get("/S"))
            subtype = _value(values.get("/Subtype"))
            if "/JS" in values or "/JavaScript" in values or kind == "/JavaScript":
                found.add("javascript")
            if kind in _ACTIONS:
                found.add(_ACTIONS[kind])
            if subtype in _SUBTYPES:
                found.add(_SUBTYPES[subtype])
            if (
                "/EF" in values
                or "/EmbeddedFiles" in values
                or _value(values.get("/Type")) == "/EmbeddedFile"
            ):
                found.add("embedded_file")
            if "/XFA" in values:
                found.add("xfa")
            if "/RichMediaContent" in values:
                found.add("rich_media")
            stack.extend(values.values())
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))
    return [kind for kind in ACTIVE_KINDS if kind in found]


def _value(item: object) -> str:
    """A name's text, through one reference; "" for anything else."""
    from pypdf.generic import IndirectObject

    try:
        if isinstance(item, IndirectObject):
            item = item.get_object()
    except Exception:
        return ""
    return str(item) if item is not None else ""


def _serve() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))
    import pypdf  # noqa: F401 - loaded once, before the first file
    import pypdfium2  # noqa: F401

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = source.read(_REQUEST.size)
        if len(header) < _REQUEST.size:
            return  # the server process closed the pipe
        max_pages, max_chars, length = _REQUEST.unpack(header)
        data = source.read(length)
        try:
            text = _read(data, max_pages, max_chars)
            reading = {"text": text, "active": _active_parts(data)}
            answer, status = json.dumps(reading, ensure_ascii=False).encode(), 0
        except _NotOpened as exc:
            answer, status = str(exc).encode(), 2
        except MemoryError:
            return  # the parent sees the pipe close; a fresh helper takes the next file
        except Exception as exc:  # broken and hostile files of every kind end here
            answer, status = f"{type(exc).__name__}: {exc}".encode(), 1
        sink.write(_ANSWER.pack(status, len(answer)) + answer)
        sink.flush()


if __name__ == "__main__":
    _serve()
