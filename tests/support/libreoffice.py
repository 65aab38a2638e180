"""LibreOffice for the tests of Word and ODT drafts converted to PDF/A-2b (documents.pdfconvert).

Without `soffice` (Debian: `apt-get install libreoffice-writer-nogui`) the tests that convert a
file are skipped and say so; with VANBAN_REQUIRE_LIBREOFFICE=1 (CI) they fail instead. The tests
of a missing LibreOffice need none: they point the setting at a binary that does not exist.
"""

from __future__ import annotations

import os
import re
from io import BytesIO

import pytest

from vanban.documents import pdfconvert

MISSING = "LibreOffice (soffice) chưa được cài: apt-get install libreoffice-writer-nogui"


def require_soffice() -> str:
    binary = pdfconvert.soffice_path()
    if binary is None:
        if os.environ.get("VANBAN_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"VANBAN_REQUIRE_LIBREOFFICE=1 nhưng {MISSING}.", pytrace=False)
        pytest.skip(f"Bỏ qua các bài kiểm tra chuyển tệp Word sang PDF vì {MISSING}.")
    return binary


def pdfa_identification(pdf: bytes) -> tuple[str, str]:
    """(part, conformance) of the PDF/A identification in the document's XMP metadata
    (ISO 19005-2 §6.6.4: pdfaid:part and pdfaid:conformance), ("", "") when there is none."""
    from pypdf import PdfReader

    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    if "/Metadata" not in root:
        return "", ""
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")

    def value(name: str) -> str:
        found = re.search(rf"<pdfaid:{name}>\s*([^<\s]+)\s*</pdfaid:{name}>", xmp) or re.search(
            rf'pdfaid:{name}="([^"]+)"', xmp
        )
        return found.group(1) if found else ""

    return value("part"), value("conformance")


def output_intents(pdf: bytes) -> int:
    """How many output intents the catalog declares (PDF/A requires one, ISO 19005-2 §6.2.3)."""
    from pypdf import PdfReader

    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    return len(root["/OutputIntents"]) if "/OutputIntents" in root else 0
