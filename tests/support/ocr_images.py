"""Scans for the OCR tests: a short Vietnamese administrative page set by WeasyPrint with the
project's font, rasterised by PDFium, as PNG, JPEG, TIFF or an image-only PDF.

The pages are small (A6 landscape, 150 dpi, four lines; A5 with seven lines where a
page's orientation is to be found) so that real Tesseract reads each
in a second or two.
"""

from __future__ import annotations

import io
from functools import cache

import pypdfium2
import weasyprint
from PIL import Image

from vanban.reports.pdf import font_paths

DEFAULT_LINES = (
    "ỦY BAN NHÂN DÂN TỈNH",
    "Số: 123/QĐ-UBND",
    "QUYẾT ĐỊNH về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026.",
    "Giao Sở Nông nghiệp chủ trì thực hiện.",
)
# A fuller page: Tesseract tells a page's orientation only from enough lines of text.
FULL_LINES = (
    *DEFAULT_LINES,
    "Các sở, ban, ngành và Ủy ban nhân dân các huyện căn cứ kế hoạch này để tổ chức thực hiện; "
    "báo cáo kết quả trước ngày 15 tháng 12 năm 2026.",
    "Chánh Văn phòng Ủy ban nhân dân tỉnh và Thủ trưởng các cơ quan liên quan chịu trách nhiệm "
    "thi hành Quyết định này.",
)


PAGE_SIZES = {"a6": "148mm 105mm", "a5": "210mm 148mm"}


def _html(lines: tuple[str, ...], stamp: str, size: str) -> str:
    faces = "".join(
        f'@font-face {{ font-family: "Scan"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for (weight, style), path in font_paths().items()
    )
    body = "".join(f"<p>{line}</p>" for line in lines)
    if stamp:
        body = f'<p class="stamp">{stamp}</p>' + body
    return (
        f"<html><head><style>{faces} @page {{ size: {PAGE_SIZES[size]}; margin: 10mm; }} "
        'body { font-family: "Scan"; font-size: 12pt; } p { margin: 0 0 3mm 0; } '
        ".stamp { font-weight: bold; border: 2px solid black; display: inline-block; "
        "padding: 1mm 3mm; }</style></head>"
        f"<body>{body}</body></html>"
    )


@cache
def _page_images(
    lines: tuple[str, ...], stamp: str, size: str, pages: int, dpi: int
) -> list[Image.Image]:
    html = _html(lines, stamp, size)
    images = []
    for index in range(pages):
        page_html = html if index == 0 else html.replace("<body>", "<body><p>Trang 2</p>", 1)
        pdf = weasyprint.HTML(string=page_html).write_pdf()
        document = pypdfium2.PdfDocument(pdf)
        try:
            images.append(document[0].render(scale=dpi / 72).to_pil().convert("RGB"))
        finally:
            document.close()
    return images


def page_images(
    *,
    lines: tuple[str, ...] = DEFAULT_LINES,
    stamp: str = "",
    size: str = "a6",
    pages: int = 1,
    dpi: int = 150,
    rotate: int = 0,
    skew: float = 0.0,
) -> list[Image.Image]:
    """The pages as images; `rotate` turns them by a right angle (counter-clockwise), `skew`
    by a few degrees as a sheet fed askew into a scanner; `stamp` prints a secrecy stamp in a
    box above the text."""
    images = []
    for image in _page_images(tuple(lines), stamp, size, pages, dpi):
        if skew:
            image = image.rotate(skew, expand=True, fillcolor="white", resample=Image.BICUBIC)
        if rotate:
            image = image.rotate(rotate, expand=True)
        images.append(image)
    return images


def scan_bytes(file_format: str, *, dpi: int = 150, keep_dpi: bool = True, **options) -> bytes:
    """A scan in `file_format` ("png", "jpeg", "tiff" or "pdf": image only, no text layer);
    `keep_dpi=False` leaves the resolution out of an image, as some scanners do."""
    images = page_images(dpi=dpi, **options)
    buffer = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if keep_dpi else {}
    if file_format == "png":
        images[0].save(buffer, "PNG", **extra)
    elif file_format == "jpeg":
        images[0].save(buffer, "JPEG", quality=90, **extra)
    elif file_format == "tiff":
        images[0].save(
            buffer, "TIFF", save_all=True, append_images=images[1:], compression="tiff_lzw", **extra
        )
    elif file_format == "pdf":
        images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    else:
        raise ValueError(file_format)
    return buffer.getvalue()


def pdf_page_texts(pdf: bytes) -> list[str]:
    """The text layer of each page of a PDF, read back with PDFium."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()
