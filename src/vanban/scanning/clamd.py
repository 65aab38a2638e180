"""A small client of clamd (ClamAV's daemon) over its Unix socket: PING, VERSION, INSTREAM.

Why our own: the protocol is three commands of a few lines each (clamd(8), "INSTREAM"), and the
Python clients on PyPI (clamd, pyclamd) have had no release for years. This module imports
nothing of Django, so it is tested on its own against a real clamd (tests/scanning/).

INSTREAM: the command `zINSTREAM\\0`, then the file in chunks, each preceded by its length as
four bytes in network order, then a chunk of length zero. clamd answers `stream: OK`,
`stream: <signature> FOUND` or `<reason> ERROR` (for instance when the file is larger than its
StreamMaxLength), terminated by a NUL byte.
"""

from __future__ import annotations

import socket
import struct

CHUNK_SIZE = 256 * 1024
MAX_ANSWER = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached, did not answer in time, or answered with an error."""


def _connect(socket_path: str, timeout: float) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        connection.connect(socket_path)
    except OSError as exc:
        connection.close()
        raise ScannerUnavailable(f"cannot connect to {socket_path}: {exc}") from exc
    return connection


def _answer(connection: socket.socket) -> str:
    """Read up to the terminating NUL (or the end of the connection)."""
    data = b""
    while b"\0" not in data and len(data) < MAX_ANSWER:
        try:
            chunk = connection.recv(MAX_ANSWER)
        except ConnectionResetError:
            break  # closed by the peer: whatever came is the answer
        if not chunk:
            break
        data += chunk
    return data.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()


def _command(socket_path: str, command: bytes, timeout: float) -> str:
    connection = _connect(socket_path, timeout)
    try:
        connection.sendall(b"z" + command + b"\0")
        return _answer(connection)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd at {socket_path}: {exc}") from exc
    finally:
        connection.close()


def ping(socket_path: str, *, timeout: float = 5.0) -> bool:
    """True when clamd answers PONG."""
    try:
        return _command(socket_path, b"PING", timeout) == "PONG"
    except ScannerUnavailable:
        return False


def version(socket_path: str, *, timeout: float = 5.0) -> str:
    """clamd's version and the date of its signatures, e.g. `ClamAV 1.4.6/27480/Sat Dec ...`."""
    return _command(socket_path, b"VERSION", timeout)


def instream(data: bytes, *, socket_path: str, timeout: float) -> str | None:
    """The name of the signature clamd found in `data`, or None when the file is clean.

    Raises ScannerUnavailable when clamd cannot be reached, times out, closes the connection
    early or answers anything but OK or FOUND: a file is never taken as clean without an answer.
    """
    connection = _connect(socket_path, timeout)
    try:
        try:
            connection.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(data), CHUNK_SIZE):
                chunk = view[start : start + CHUNK_SIZE]
                connection.sendall(struct.pack("!I", len(chunk)) + chunk.tobytes())
            connection.sendall(struct.pack("!I", 0))
        except (BrokenPipeError, ConnectionResetError):
            pass  # clamd stopped reading (size limit): its answer says why
        answer = _answer(connection)
    except OSError as exc:  # socket.timeout included
        raise ScannerUnavailable(f"clamd at {socket_path}: {exc}") from exc
    finally:
        connection.close()
    return parse_answer(answer)


def parse_answer(answer: str) -> str | None:
    """`stream: OK` -> None; `stream: Name FOUND` -> "Name"; anything else -> ScannerUnavailable."""
    _, _, result = answer.partition(": ") if answer.startswith("stream:") else ("", "", "")
    if result == "OK":
        return None
    if result.endswith(" FOUND") and len(result) > len(" FOUND"):
        return result.removesuffix(" FOUND").strip()
    raise ScannerUnavailable(f"clamd answered: {answer or '(nothing)'}")
