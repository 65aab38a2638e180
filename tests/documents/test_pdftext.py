"""PDF text through PDFium in a helper process: hostile files cost the helper, not the server."""

import zlib

import pytest

from tests.support.files import pdf_bytes
from vanban.documents import files, pdftext


def inflating_pdf(inflated: int) -> bytes:
    """One page whose content stream inflates to `inflated` bytes: text, blanks, text."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 12 Tf 72 720 Td (TUYET MAT) Tj ET\n")]
    chunk = b" " * (8 << 20)
    for _ in range(inflated // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.compress(b"BT /F1 12 Tf 72 700 Td (Sau gioi han) Tj ET\n"))
    parts.append(packer.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_a_small_inflating_stream_is_read_whole():
    text = files.extract_text(inflating_pdf(16 << 20), "pdf")
    assert text.split() == ["TUYET", "MAT", "Sau", "gioi", "han"]


def test_a_stream_inflating_past_the_helpers_memory_yields_no_text_and_the_next_file_reads():
    bomb = inflating_pdf(2 * pdftext.MEMORY_LIMIT)
    assert len(bomb) < 2 * pdftext.MEMORY_LIMIT / 500  # a small upload
    assert "Sau gioi han" not in files.extract_text(bomb, "pdf")
    assert files.extract_text(pdf_bytes("Quyết định", "về việc A"), "pdf").split() == [
        "Quyết",
        "định",
        "về",
        "việc",
        "A",
    ]


def test_a_helper_past_its_deadline_is_replaced():
    data = pdf_bytes("Tờ trình số 5")
    with pytest.raises(pdftext.Unreadable, match="TimeoutError"):
        pdftext.pdf_text(data, max_pages=10, max_chars=1000, timeout=0)
    assert pdftext.pdf_text(data, max_pages=10, max_chars=1000, timeout=30) == "Tờ trình số 5"


def test_a_file_pdfium_cannot_open_is_unreadable():
    with pytest.raises(pdftext.NotOpened, match="PdfiumError"):
        pdftext.pdf_text(b"%PDF-1.7 broken", max_pages=10, max_chars=1000, timeout=30)
