"""Splitting a PDF of several scanned documents at blank separator pages.

A clerk scanning a pile of letters puts a blank sheet between two documents; "Tách theo trang
trắng" cuts the PDF there. A page is blank when, rendered at low resolution, almost none of it is
ink: a scanner's grey noise and a speck of dust stay under INK_LIMIT, a single short line of text
is above it. The blank pages are dropped and each run of pages between them becomes a PDF of
its own (pypdf copies the pages as they are, images untouched).

The file has passed `documents.files.file_prepare` first (PDFium opened it in its limited helper
process, no active content); the rendering here is at 24 dots per inch, a few kilobytes a page.
"""

from io import BytesIO

import pypdfium2
from pypdf import PdfReader, PdfWriter

from vanban.core.errors import ServiceError

RENDER_DPI = 24
DARK = 160  # grey level (0 black, 255 white) under which a pixel counts as ink
INK_LIMIT = 0.002  # share of ink pixels under which a page is blank
MAX_PAGES = 1000


def ink_shares(data: bytes) -> list[float]:
    """The share of ink pixels of every page of the PDF, rendered at RENDER_DPI in grey."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ServiceError("Không mở được tệp PDF để tách theo trang trắng.") from exc
    try:
        if len(document) > MAX_PAGES:
            raise ServiceError(
                f"Tệp có {len(document)} trang, quá {MAX_PAGES} trang để tách một lần; hãy chia "
                "nhỏ khi quét."
            )
        shares = []
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil().convert("L")
            page.close()
            histogram = image.histogram()
            total = image.width * image.height
            shares.append(sum(histogram[:DARK]) / total if total else 0.0)
        return shares
    finally:
        document.close()


def blank_pages(data: bytes) -> list[bool]:
    """Which pages of the PDF are blank separator sheets."""
    return [share < INK_LIMIT for share in ink_shares(data)]


def split_at_blank_pages(data: bytes) -> list[bytes]:
    """The documents of a PDF whose documents are separated by blank pages, each a PDF of its
    own, in order; the blank pages are left out. A PDF without a blank page comes back whole
    (one part); a PDF of blank pages only gives no part."""
    blanks = blank_pages(data)
    if not any(blanks):
        return [data]
    groups: list[list[int]] = [[]]
    for index, blank in enumerate(blanks):
        if blank:
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(index)
    reader = PdfReader(BytesIO(data))
    parts = []
    for group in groups:
        if not group:
            continue
        writer = PdfWriter()
        for index in group:
            writer.add_page(reader.pages[index])
        output = BytesIO()
        writer.write(output)
        parts.append(output.getvalue())
    return parts
