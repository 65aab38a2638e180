"""Scanned paper documents for the scan intake's tests: a short page laid out as NĐ 30/2020
Appendix I sets it (issuing body top left, national title top right, number and symbol, place and
date, the kind and subject, the body, the signer bottom right), printed with WeasyPrint and
rasterised with PDFium at a scanner's resolution into a PDF of images without a text layer, as
a scanner gives it. Real Tesseract reads these pages.
"""

from dataclasses import dataclass
from html import escape
from io import BytesIO

import pypdfium2
import weasyprint
from PIL import Image

DPI = 150
CSS = """
@page { size: A4; margin: 18mm 18mm 18mm 25mm; }
body { font-family: "Liberation Serif", "DejaVu Serif", serif; font-size: 14pt; line-height: 1.35; }
.head { display: flex; justify-content: space-between; text-align: center; }
.head div { width: 48%; }
.bold { font-weight: bold; }
.stamp { border: 3px solid #000; display: inline-block; padding: 2mm 6mm; font-size: 20pt;
         font-weight: bold; margin-top: 4mm; }
.date { text-align: right; font-style: italic; margin-top: 4mm; }
h1 { text-align: center; font-size: 15pt; margin: 10mm 0 0; }
.subject { text-align: center; font-weight: bold; margin-bottom: 8mm; }
.sign { margin-left: 55%; text-align: center; margin-top: 12mm; }
"""


@dataclass(frozen=True)
class Decision:
    issuer_parent: str = "ỦY BAN NHÂN DÂN"
    issuer: str = "TỈNH BẾN TRE"
    number: str = "15/QĐ-UBND"
    place_date: str = "Bến Tre, ngày 20 tháng 11 năm 2026"
    kind: str = "QUYẾT ĐỊNH"
    subject: str = "Về việc ban hành Quy chế quản lý văn bản điện tử"
    body: tuple[str, ...] = (
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý văn bản điện tử trên địa bàn "
        "tỉnh, áp dụng cho các cơ quan hành chính nhà nước.",
        "Điều 2. Giao Sở Thông tin và Truyền thông hướng dẫn triển khai; định kỳ báo cáo kết quả "
        "thực hiện về Ủy ban nhân dân tỉnh.",
    )
    position: str = "CHỦ TỊCH"
    signer: str = "Trần Ngọc Tam"
    stamp: str = ""  # "MẬT", "TỐI MẬT", "TUYỆT MẬT": the secrecy stamp under the number


def decision_html(decision: Decision) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in decision.body)
    stamp = f'<div class="stamp">{escape(decision.stamp)}</div>' if decision.stamp else ""
    return (
        f"<html><head><style>{CSS}</style></head><body>"
        '<div class="head">'
        f"<div>{escape(decision.issuer_parent)}<br><span class='bold'>"
        f"{escape(decision.issuer)}</span><br><br>Số: {escape(decision.number)}<br>{stamp}</div>"
        "<div class='bold'>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</div>"
        "</div>"
        f'<p class="date">{escape(decision.place_date)}</p>'
        f"<h1>{escape(decision.kind)}</h1>"
        f'<p class="subject">{escape(decision.subject)}</p>'
        f"{body}"
        f'<div class="sign"><span class="bold">{escape(decision.position)}</span><br><br><br>'
        f'<span class="bold">{escape(decision.signer)}</span></div>'
        "</body></html>"
    )


def page_images(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """The pages of a PDF as a scanner sees them: grey images at `dpi`."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()


def blank_image(dpi: int = DPI, *, specks: int = 3) -> Image.Image:
    """A blank A4 separator sheet, with a few specks of dust as a real scan has."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("L", (width, height), 250)
    for n in range(specks):
        x, y = (n + 1) * width // (specks + 2), (n + 2) * height // (specks + 3)
        image.paste(90, (x, y, x + 3, y + 3))
    return image


def images_pdf(images: list[Image.Image], dpi: int = DPI) -> bytes:
    """A PDF of images only, without a text layer: what a scanner writes."""
    output = BytesIO()
    first, *rest = images
    first.save(output, format="PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return output.getvalue()


def scanned_decision(decision: Decision | None = None, dpi: int = DPI) -> bytes:
    """One scanned decision, as a PDF of page images."""
    pdf = weasyprint.HTML(string=decision_html(decision or Decision())).write_pdf()
    return images_pdf(page_images(pdf, dpi), dpi)


def scanned_png(decision: Decision | None = None, dpi: int = DPI) -> bytes:
    """The first page of a scanned decision as a PNG image."""
    pdf = weasyprint.HTML(string=decision_html(decision or Decision())).write_pdf()
    output = BytesIO()
    page_images(pdf, dpi)[0].save(output, format="PNG")
    return output.getvalue()


def scanned_pile(decisions: list[Decision], dpi: int = 100) -> bytes:
    """Several decisions scanned in one PDF, a blank sheet between two of them."""
    images: list[Image.Image] = []
    for index, decision in enumerate(decisions):
        if index:
            images.append(blank_image(dpi))
        pdf = weasyprint.HTML(string=decision_html(decision)).write_pdf()
        images.extend(page_images(pdf, dpi))
    return images_pdf(images, dpi)


def queued_scan(unit, clerk, *, status="ready", proposal=None, marks=(), name="quyet-dinh-15.pdf"):
    """A queue item as the background reading leaves it, its scan (a real PDF) stored."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tests.support.files import pdf_bytes
    from vanban.core import clock
    from vanban.paper.models import ScanItem

    data = pdf_bytes()
    stored = default_storage.save("paper/test/scan.pdf", ContentFile(data))
    return ScanItem.objects.create(
        unit=unit,
        uploaded_by=clerk,
        uploaded_at=clock.now(),
        status=status,
        storage_name=stored,
        original_name=name,
        file_format="pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        proposal=proposal or {},
        secrecy_marks=list(marks),
        ocr_confidence=87.5 if proposal else None,
    )
