"""OCR of scans with the real OCRmyPDF and Tesseract (docs/ocr.md): the engine, its caps and its
refusals. Each scan is one small page (tests/support/ocr_images.py)."""

import pytest

from tests.support.ocr_images import FULL_LINES, pdf_page_texts, scan_bytes
from vanban.documents import ocr
from vanban.documents.ocr import OcrFailed, OcrUnavailable, needs_ocr, ocr_problem, ocr_scan


@pytest.fixture
def ocr_on(settings):
    settings.VANBAN_OCR_ENABLED = True
    settings.VANBAN_OCRMYPDF = "ocrmypdf"
    return settings


def _read_well(result: ocr.OcrResult) -> None:
    words = " ".join(result.text.split())
    assert "QUYẾT ĐỊNH" in words
    assert "Nông nghiệp chủ trì" in words
    assert "phòng chống lụt bão năm 2026" in words
    assert result.confidence is not None and result.confidence > 80
    assert result.pdf.startswith(b"%PDF-")
    assert b"pdfaid" in result.pdf  # PDF/A identification in the XMP metadata
    layer = "\n".join(pdf_page_texts(result.pdf))
    assert "Nông nghiệp" in layer  # the text layer is Unicode Vietnamese, not garbled
    assert "QUYẾT ĐỊNH" in layer


@pytest.mark.parametrize("file_format", ["png", "jpeg", "pdf"])
def test_a_one_page_scan_is_read(ocr_on, file_format):
    result = ocr_scan(scan_bytes(file_format), file_format)

    _read_well(result)
    assert result.page_count == 1
    assert len(result.pages) == 1
    words = [word.text for word in result.pages[0].words]
    assert "123/QĐ-UBND" in words
    assert result.seconds > 0
    assert result.text == result.text.strip()


def test_a_two_page_tiff_gives_two_pages(ocr_on):
    result = ocr_scan(scan_bytes("tiff", pages=2), "tiff")

    _read_well(result)
    assert result.page_count == 2
    layers = pdf_page_texts(result.pdf)
    assert len(layers) == 2
    assert "Trang 2" in layers[1] and "Trang 2" not in layers[0]
    assert "Trang 2" in result.pages[1].text


def test_an_image_without_resolution_is_read_at_200_dpi(ocr_on):
    result = ocr_scan(scan_bytes("png", keep_dpi=False), "png")

    _read_well(result)


def test_a_page_scanned_sideways_is_turned(ocr_on):
    result = ocr_scan(scan_bytes("png", lines=FULL_LINES, size="a5", rotate=90), "png")

    _read_well(result)
    assert "Thủ trưởng" in " ".join(result.text.split())


def test_a_page_fed_askew_is_straightened(ocr_on):
    result = ocr_scan(scan_bytes("png", skew=3), "png")

    _read_well(result)


def test_images_and_empty_pdfs_need_ocr_born_digital_pdfs_do_not():
    assert needs_ocr("png", "")
    assert needs_ocr("jpeg", "anything")
    assert needs_ocr("tiff", "")
    assert needs_ocr("pdf", "")
    assert needs_ocr("pdf", "  Trang 1 \n 07/12/2026 ")  # a scanner's own line
    assert not needs_ocr("pdf", "Quyết định về việc ban hành quy chế công tác văn thư")
    assert not needs_ocr("docx", "")
    assert not needs_ocr("xml", "")


def test_switched_off_it_says_so_and_reads_nothing(settings):
    settings.VANBAN_OCR_ENABLED = False

    assert "đang tắt" in ocr_problem()
    with pytest.raises(OcrUnavailable) as caught:
        ocr_scan(scan_bytes("png"), "png")
    assert "VANBAN_OCR" in caught.value.message


def test_without_ocrmypdf_the_packages_are_named(ocr_on, tmp_path):
    ocr_on.VANBAN_OCRMYPDF = str(tmp_path / "ocrmypdf")

    problem = ocr_problem()
    assert "ocrmypdf" in problem and "tesseract-ocr-vie" in problem
    with pytest.raises(OcrUnavailable) as caught:
        ocr_scan(scan_bytes("png"), "png")
    assert caught.value.message == problem
    assert ocr_problem() == problem  # not cached as usable


def test_usable_here(ocr_on):
    assert ocr_problem() == ""


def test_time_cap_stops_the_run(ocr_on):
    with pytest.raises(OcrFailed) as caught:
        ocr_scan(scan_bytes("png"), "png", timeout=0.2)

    assert caught.value.reason == "timeout"
    assert "0.2 giây" in caught.value.message
    assert "tệp gốc vẫn được lưu nguyên vẹn" in caught.value.message


def test_memory_cap_stops_the_run(ocr_on):
    ocr_on.VANBAN_OCR_MEMORY_MB = 20

    with pytest.raises(OcrFailed) as caught:
        ocr_scan(scan_bytes("png"), "png")

    assert caught.value.reason == "memory"
    assert "giới hạn bộ nhớ" in caught.value.message


def test_a_broken_image_is_unreadable(ocr_on):
    data = scan_bytes("png")

    with pytest.raises(OcrFailed) as caught:
        ocr_scan(data[: len(data) // 3], "png")

    assert caught.value.reason in {"unreadable", "failed"}
    assert "tệp gốc vẫn được lưu nguyên vẹn" in caught.value.message


def test_a_format_that_is_not_a_scan_is_refused(ocr_on):
    with pytest.raises(OcrFailed) as caught:
        ocr_scan(b"PK\x03\x04", "docx")

    assert "DOCX" in caught.value.message
