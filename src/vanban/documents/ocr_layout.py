"""What optical character recognition read on a scanned page: words with their boxes and
confidences, grouped in lines, as Tesseract's hOCR output gives them.

The layout is what lets the registration form be proposed from the first page of a scan (the
issuing body in the top-left block, the signer at the bottom: NĐ 30/2020 Appendix I), and the
word confidences give the figure shown to the clerk beside the text. This module only reads hOCR;
running the recognition is `documents.ocr`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree, html

_BBOX = re.compile(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")
_WCONF = re.compile(r"x_wconf\s+(-?\d+(?:\.\d+)?)")
_LINE_CLASSES = {"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"}

Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels of the page image


@dataclass(frozen=True)
class OcrWord:
    text: str  # NFC
    confidence: float  # 0-100, Tesseract's x_wconf
    box: Box


@dataclass(frozen=True)
class OcrLine:
    words: tuple[OcrWord, ...]
    box: Box

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class OcrPage:
    width: int
    height: int
    lines: tuple[OcrLine, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> list[OcrWord]:
        return [word for line in self.lines for word in line.words]


def _title(element: etree._Element) -> str:
    return str(element.get("title") or "")


def _box(title: str) -> Box | None:
    match = _BBOX.search(title)
    if not match:
        return None
    left, top, right, bottom = (int(value) for value in match.groups())
    return left, top, right, bottom


def _classes(element: etree._Element) -> set[str]:
    return set(str(element.get("class") or "").split())


def hocr_pages(document: str | bytes) -> list[OcrPage]:
    """The pages of an hOCR document (one page per `ocr_page` element), in reading order as
    Tesseract wrote them. Empty words are dropped; text is NFC."""
    if not document or not document.strip():
        return []
    root = html.fromstring(document.encode() if isinstance(document, str) else document)
    pages = []
    for page in root.iter():
        if not isinstance(page.tag, str) or "ocr_page" not in _classes(page):
            continue
        page_box = _box(_title(page)) or (0, 0, 0, 0)
        lines = []
        for line in page.iter():
            if not isinstance(line.tag, str) or not (_classes(line) & _LINE_CLASSES):
                continue
            words = []
            for word in line.iter():
                if not isinstance(word.tag, str) or "ocrx_word" not in _classes(word):
                    continue
                text = unicodedata.normalize("NFC", " ".join(word.text_content().split()))
                box = _box(_title(word))
                if not text or box is None:
                    continue
                confidence = _WCONF.search(_title(word))
                words.append(OcrWord(text, float(confidence.group(1)) if confidence else 0.0, box))
            line_box = _box(_title(line))
            if words and line_box is not None:
                lines.append(OcrLine(tuple(words), line_box))
        pages.append(OcrPage(width=page_box[2], height=page_box[3], lines=tuple(lines)))
    return pages


def mean_confidence(pages: list[OcrPage]) -> float | None:
    """The mean word confidence (0-100) weighted by word length; None without words."""
    total = weight = 0.0
    for page in pages:
        for word in page.words:
            total += word.confidence * len(word.text)
            weight += len(word.text)
    return round(total / weight, 1) if weight else None


# Secrecy stamps as OCR reads them (R13): the folded words of each level. A stamp is a line of its
# own, or a group of upper-case words standing apart from the rest of its line (Tesseract puts a
# stamp beside the heading on the heading's line).
_STAMPS = (("tuyet mat", "TUYỆT MẬT"), ("toi mat", "TỐI MẬT"), ("mat", "MẬT"))


def _stamp_groups(line: OcrLine) -> list[list[OcrWord]]:
    """The words of a line split where the gap between two words is wider than two letters."""
    groups: list[list[OcrWord]] = []
    for word in line.words:
        height = max(1, word.box[3] - word.box[1])
        if groups and word.box[0] - groups[-1][-1].box[2] <= 2 * height:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def scan_secrecy_marks(pages: list[OcrPage]) -> list[str]:
    """Secrecy levels stamped on a scan (R13), lowest first: a line, or a group of words set
    apart on a line, that reads MẬT, TỐI MẬT or TUYỆT MẬT in capitals, with or without the
    diacritics OCR may lose. The words inside a sentence are not a stamp."""
    from vanban.core.text import fold

    found = set()
    for page in pages:
        for line in page.lines:
            for group in [list(line.words), *_stamp_groups(line)]:
                raw = " ".join(word.text for word in group).strip(" .:-*\"'“”()[]")
                if not raw or raw != raw.upper():
                    continue
                folded = fold(raw)
                for words, level in _STAMPS:
                    if folded == words:
                        found.add(level)
                        break
    return [level for _words, level in reversed(_STAMPS) if level in found]
