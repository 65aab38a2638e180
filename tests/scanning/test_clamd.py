"""The clamd client against a real clamd (R20): answers, and every way of not answering."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from tests.scanning import hostile
from tests.support.clamd import EICAR, MARKER
from vanban.scanning import clamd


def test_ping_and_version(clamd_socket):
    assert clamd.ping(clamd_socket)
    assert clamd.version(clamd_socket).startswith("ClamAV ")


def test_a_clean_file_has_no_signature(clamd_socket):
    assert clamd.instream(hostile.clean_pdf(), socket_path=clamd_socket, timeout=30) is None
    assert clamd.instream(b"x", socket_path=clamd_socket, timeout=30) is None


@pytest.mark.parametrize(
    ("data", "signature"),
    [
        (EICAR, "Eicar-Test-Signature"),
        (hostile.pdf_with_eicar(), "Eicar-Test-Signature"),  # inside a compressed PDF stream
        (hostile.docx_with_eicar(), "Eicar-Test-Signature"),  # inside a ZIP member
        (b"abc " + MARKER + b" def", "Vanban.Test.Marker-1"),
        (hostile.pdf_with_marker(), "Vanban.Test.Marker-1"),
        (hostile.docx_with_marker(), "Vanban.Test.Marker-1"),
    ],
    ids=["eicar", "eicar-in-pdf", "eicar-in-docx", "marker", "marker-in-pdf", "marker-in-docx"],
)
def test_signatures_are_found_where_they_hide(clamd_socket, data, signature):
    found = clamd.instream(data, socket_path=clamd_socket, timeout=30)
    assert found is not None and found.removesuffix(".UNOFFICIAL") == signature


def test_a_file_in_many_chunks_is_scanned_whole(clamd_socket):
    data = b"A" * (clamd.CHUNK_SIZE * 3 - 10) + EICAR + b"B" * 1000  # EICAR across chunks
    assert clamd.instream(data, socket_path=clamd_socket, timeout=30) is not None


def test_a_file_over_clamds_stream_limit_is_not_taken_as_clean(clamd_socket):
    """The test clamd accepts 50 MB per stream (StreamMaxLength); more is an error, never OK."""
    with pytest.raises(clamd.ScannerUnavailable, match="size limit exceeded"):
        clamd.instream(b"\0" * (51 * 1024 * 1024), socket_path=clamd_socket, timeout=60)


def test_no_clamd_at_the_socket(tmp_path):
    missing = str(tmp_path / "none.sock")
    assert not clamd.ping(missing)
    with pytest.raises(clamd.ScannerUnavailable, match="cannot connect"):
        clamd.instream(EICAR, socket_path=missing, timeout=5)


def _server(path: Path, behaviour) -> threading.Thread:  # type: ignore[no-untyped-def]
    """A misbehaving peer on a Unix socket: accepts one connection and does `behaviour`."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def run() -> None:
        connection, _ = server.accept()
        try:
            behaviour(connection)
        finally:
            connection.close()
            server.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (lambda c: c.recv(100), "answered: \\(nothing\\)"),  # closes without answering
        (lambda c: (c.recv(100), c.sendall(b"stream: MAYBE\0")), "answered: stream: MAYBE"),
        (lambda c: (c.recv(100), __import__("time").sleep(2)), "timed out"),
    ],
    ids=["closed", "nonsense", "silent"],
)
def test_a_peer_that_does_not_answer_ok_or_found(tmp_path, behaviour, message):
    path = tmp_path / "peer.sock"
    thread = _server(path, behaviour)
    with pytest.raises(clamd.ScannerUnavailable, match=message):
        clamd.instream(EICAR, socket_path=str(path), timeout=1)
    thread.join(5)


@pytest.mark.parametrize(
    ("answer", "result"),
    [
        ("stream: OK", None),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", "Win.Test.EICAR_HDB-1"),
    ],
)
def test_answers(answer, result):
    assert clamd.parse_answer(answer) == result


@pytest.mark.parametrize(
    "answer", ["", "stream: FOUND", "INSTREAM size limit exceeded. ERROR", "OK", "stream: "]
)
def test_anything_else_is_an_error(answer):
    with pytest.raises(clamd.ScannerUnavailable):
        clamd.parse_answer(answer)
