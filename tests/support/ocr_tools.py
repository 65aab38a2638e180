"""The OCR tests need OCRmyPDF and Tesseract's Vietnamese model (Debian `ocrmypdf`,
`tesseract-ocr-vie`). Without them the tests that read a scan are skipped and say so; with
VANBAN_REQUIRE_OCR=1 (CI) they fail instead."""

from __future__ import annotations

import os
from typing import Any

import pytest

from vanban.documents.ocr import ocr_problem

MISSING = (
    "OCRmyPDF hoặc Tesseract với mô hình tiếng Việt chưa được cài: "
    "apt-get install ocrmypdf tesseract-ocr-vie"
)


def require_ocr(settings: Any) -> None:
    """Switch OCR on for the test; skip (or fail under VANBAN_REQUIRE_OCR=1) when it cannot run."""
    settings.VANBAN_OCR_ENABLED = True
    problem = ocr_problem()
    if not problem:
        return
    if os.environ.get("VANBAN_REQUIRE_OCR") == "1":
        pytest.fail(f"VANBAN_REQUIRE_OCR=1 nhưng {MISSING}: {problem}", pytrace=False)
    pytest.skip(f"Bỏ qua bài kiểm tra nhận dạng chữ vì {MISSING}.")
