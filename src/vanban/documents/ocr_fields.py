"""The registration record proposed from the first page of a scanned paper document (R14).

An administrative document is laid out by NĐ 30/2020 Appendix I: the issuing body (its parent
above it) and the number and symbol in the top-left block, the national name and motto and the
place and date in the top-right block, the type's name and the subject under them (a công văn has
no type name but a "V/v …" under its number), the body, then the recipients ("Nơi nhận:") on the
left and the signature block on the right: the signer's competence and position, the signature
and seal, the name. Urgency marks (Art. 15 and Appendix I: KHẨN, THƯỢNG KHẨN, HỎA TỐC) stand under
the number.

OCR reads the page in lines that may run across both blocks (Tesseract puts "ỦY BAN NHÂN DÂN" and
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one line), so each line is cut into segments where the
words stand far apart, and each segment is placed in the left block, the right block or across
the page by where it stands.

`propose` is pure: it reads the layout and the lists it is given (the agency directory of
`exchange.directory.agency_directory`, the document types) and proposes only what it read; a field
it could not read is absent, never guessed. The clerk checks every value (docs/ocr.md,
"Proposed record").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from statistics import median

from vanban.core.text import fold

from .ocr_layout import OcrLine, OcrPage, OcrWord

SUBJECT_MAX = 500
ISSUER_NAME_MAX = 200
NOTATION_MAX = 30
NUMBER_MAX = 11
SIGNER_POSITION_MAX = 100
SIGNER_NAME_MAX = 100
# A directory entry is taken when its name and the heading agree this well (difflib ratio of
# the folded texts) and clearly better than the next entry.
MATCH_MIN = 0.85
MATCH_MARGIN = 0.02
# Where the left and the right block meet, as a share of the text's width (Appendix I: the left
# block is about 43% of the width; the signature block starts at about 45%).
SPLIT = 0.47


@dataclass(frozen=True)
class DirectoryEntry:
    name: str  # full name, e.g. "Ủy ban nhân dân tỉnh Bến Tre"; parents after " – "
    code: str = ""  # agency code 000.00.00.H07
    unit_id: int | None = None  # a unit of this deployment


@dataclass(frozen=True)
class ProposedValue:
    value: str  # as the form takes it (dates dd/mm/yyyy, ids as str)
    read: str = ""  # what was read on the page, shown to the clerk
    note: str = ""  # Vietnamese, e.g. "khớp danh bạ: Sở Tài chính"


@dataclass
class Proposal:
    # Keys are IncomingForm field names (documents/forms.py).
    fields: dict[str, ProposedValue] = field(default_factory=dict)
    place: str = ""


# ---------------------------------------------------------------- segments


@dataclass(frozen=True)
class _Segment:
    words: tuple[OcrWord, ...]
    column: str  # "left", "right" or "full"

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def left(self) -> int:
        return self.words[0].box[0]

    @property
    def right(self) -> int:
        return self.words[-1].box[2]

    @property
    def top(self) -> int:
        return min(word.box[1] for word in self.words)

    @property
    def bottom(self) -> int:
        return max(word.box[3] for word in self.words)

    @property
    def height(self) -> int:
        return max(1, round(median(word.box[3] - word.box[1] for word in self.words)))

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True)
class _Layout:
    segments: list[_Segment]  # top to bottom
    left: int  # the text's left and right edges
    right: int
    text_height: float  # the median height of a word

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    @property
    def width(self) -> int:
        return max(1, self.right - self.left)


_BRIDGES = {":", "/", "-", "–", ",", ".", ";"}


def _split_line(line: OcrLine) -> list[list[OcrWord]]:
    """The words of a line cut where two words stand further apart than a word is tall. Marks
    without a letter or digit ("-", "/", specks of the paper read as "_.") join two words only
    when they stand close to both and the two words are less than three heights apart."""
    words = sorted(line.words, key=lambda word: word.box[0])
    solid = [word for word in words if any(ch.isalnum() for ch in word.text)]
    if not solid:
        return []
    height = median(max(1, word.box[3] - word.box[1]) for word in solid)
    groups: list[list[OcrWord]] = []
    marks: list[OcrWord] = []
    for word in words:
        if word not in solid:
            if word.text in _BRIDGES:
                marks.append(word)
            continue
        if groups:
            last = groups[-1][-1]
            chain = [last, *marks, word]
            close = all(b.box[0] - a.box[2] <= 1.1 * height for a, b in pairwise(chain))
            if close and word.box[0] - last.box[2] <= 3 * height:
                groups[-1].extend([*marks, word])
                marks = []
                continue
        groups.append([word])
        marks = []
    return groups


def _layout(page: OcrPage) -> _Layout:
    long_lines = [line for line in page.lines if len(line.words) >= 4]
    if long_lines:
        lefts = sorted(line.box[0] for line in long_lines)
        rights = sorted(line.box[2] for line in long_lines)
        left = lefts[len(lefts) // 10]
        right = rights[-1 - len(rights) // 10]
    else:
        left, right = round(page.width * 0.12), round(page.width * 0.92)
    if right <= left:
        left, right = 0, max(1, page.width)
    width = right - left
    # Words much flatter than the page's letters are rules and underlines read as letters.
    heights = [word.box[3] - word.box[1] for word in page.words]
    floor = 0.4 * median(heights) if heights else 0
    segments = []
    for line in page.lines:
        kept = tuple(
            word
            for word in line.words
            if word.box[3] - word.box[1] >= floor or not any(ch.isalnum() for ch in word.text)
        )
        if not kept:
            continue
        for group in _split_line(OcrLine(kept, line.box)):
            seg_left, seg_right = group[0].box[0], group[-1].box[2]
            center = (seg_left + seg_right) / 2
            if seg_right - seg_left > 0.62 * width:
                column = "full"
            elif center < left + SPLIT * width:
                column = "left"
            else:
                column = "right"
            segments.append(_Segment(tuple(group), column))
    segments.sort(key=lambda segment: (segment.top, segment.left))
    return _Layout(segments, left, right, median(heights) if heights else 0.0)


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _is_upper(text: str) -> bool:
    letters = _letters(text)
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;.:-–_|")


# ---------------------------------------------------------------- number and symbol

# "Số:" as OCR reads it: So, Sô, Sồ, S6, S0, 5ố…; the colon may be lost or read as ; . ,
_NUMBER_LABEL = re.compile(r"^\s*[S5$][oóòỏõọôốồổỗộơớờởỡợ06]\s*[:;.,]?\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^([0-9OoDIl|]{1,6})\s*/\s*(\S.*)$")
_DIGIT_SLIPS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1"})
_NOTATION_CHARS = re.compile(r"[^0-9A-Za-zÀ-ỹĐđ/&\-.]")


# Type abbreviations (NĐ 30/2020 Appendix III), longest first: OCR often loses the hyphen after
# them ("QĐUBND" for "QĐ-UBND").
_TYPE_ABBREVIATIONS = sorted(
    ("NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB",
     "TTr", "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB"),
    key=len,
    reverse=True,
)  # fmt: skip


def _letter_slips(group: str) -> str:
    """A group of letters of a symbol as OCR misreads it in a serif face: "5" for "S" among
    letters ("5TC"), "I" for the "T" before "C" ("ICKH" for "TCKH": Vietnamese symbols are the
    initials of Vietnamese words, and none begins with "I" before "C")."""
    if not any(ch.isalpha() for ch in group):
        return group
    if not group.isdigit():
        group = re.sub(r"5(?=[A-ZĐ])|(?<=[A-ZĐ])5", "S", group)
    return group.replace("IC", "TC")


def _repair_notation(notation: str) -> str:
    """OCR's slips in a symbol mended: letters misread (`_letter_slips`), the hyphen after a
    type's abbreviation put back when OCR lost it: "QĐUBND" -> "QĐ-UBND", only in a symbol with
    no hyphen at all and a known abbreviation before at least two capitals."""
    head, _slash, tail = notation.rpartition("/")
    tail = "-".join(_letter_slips(group) for group in tail.split("-"))
    notation = f"{head}{_slash}{tail}"
    if "-" in notation:
        return notation
    for abbreviation in _TYPE_ABBREVIATIONS:
        rest = tail[len(abbreviation) :]
        if tail.startswith(abbreviation) and len(rest) >= 2 and rest.isupper():
            return f"{head}{_slash}{abbreviation}-{rest}"
    return notation


def _number(layout: _Layout) -> tuple[_Segment, str, str] | None:
    """The segment "Số: 15/QĐ-UBND" of the left block and its number and symbol."""
    for segment in layout.segments:
        if segment.column == "full":
            continue
        match = _NUMBER_LABEL.match(segment.text)
        if not match:
            continue
        rest = segment.text[match.end() :]
        rest = re.sub(r"\s*([/\-])\s*", r"\1", rest).strip()
        found = _NUMBER.match(rest)
        if not found:
            continue
        number = found.group(1).translate(_DIGIT_SLIPS)
        notation = _NOTATION_CHARS.sub("", found.group(2).split(" ")[0]).strip(".-/")
        if not number.isdigit() or not notation or not any(ch.isalpha() for ch in notation):
            continue
        notation = _repair_notation(notation.replace("Ð", "Đ").replace("ĐĐ", "Đ"))
        return segment, number[:NUMBER_MAX], notation[:NOTATION_MAX]
    return None


# ---------------------------------------------------------------- place and date

_DATE = re.compile(
    r"ng[aà]y\s*([0-9OoIl]{1,2})\s*th[aá]ng\s*([0-9OoIl]{1,2})\s*n[aă]m\s*([0-9OoIl]{4})",
    re.IGNORECASE,
)


def _date(layout: _Layout) -> tuple[_Segment, str, str] | None:
    """The segment "Bến Tre, ngày 20 tháng 11 năm 2026": the date dd/mm/yyyy (a real date of
    a plausible year) and the place written before it."""
    for segment in layout.segments:
        folded = fold(segment.text)
        match = _DATE.search(folded)
        if not match:
            continue
        day, month, year = (int(part.translate(_DIGIT_SLIPS)) for part in match.groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        if not 1945 <= year <= 2100:
            continue
        # The place is the text before "ngày"; fold keeps the positions of the NFC letters.
        place = _clean(segment.text[: match.start()]) if len(folded) == len(segment.text) else ""
        return segment, f"{date:%d/%m/%Y}", place
    return None


# ---------------------------------------------------------------- marks

# The folded marks and their `documents.models.Urgency` value and label (kept here so that the
# module reads a page without Django; a test holds them equal to Urgency).
_URGENCY_MARKS = {
    "khan": (1, "Khẩn"),
    "thuong khan": (2, "Thượng khẩn"),
    "hoa toc": (3, "Hỏa tốc"),
    "hoa toc hen gio": (4, "Hỏa tốc hẹn giờ"),
}


def _urgency(layout: _Layout, below: int) -> tuple[tuple[int, str], str] | None:
    """The urgency stamp: a segment reading only KHẨN, THƯỢNG KHẨN or HỎA TỐC in capitals, in
    the part of the page above `below` (the subject or the body); the highest if several."""
    found: list[tuple[tuple[int, str], str]] = []
    for segment in layout.segments:
        if segment.top >= below:
            break
        raw = segment.text.strip(" .:-*\"'“”()[]|")
        if not _is_upper(raw):
            continue
        level = _URGENCY_MARKS.get(fold(raw).replace(".", "").strip())
        if level is not None:
            found.append((level, raw))
    return max(found, key=lambda item: item[0][0]) if found else None


# ---------------------------------------------------------------- type, subject

# NĐ 30/2020 Art. 7, Appendix III: the names printed as titles. Công văn has none.
TYPE_TITLES = (
    "Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo",
    "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo",
    "Biên bản", "Tờ trình", "Hợp đồng", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận",
    "Giấy ủy quyền", "Giấy mời", "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi",
    "Phiếu chuyển", "Phiếu báo", "Thư công",
)  # fmt: skip
OFFICIAL_LETTER = "Công văn"
_ABOUT = re.compile(r"^\s*[VW]\s*[/|lI1\\]?\s*[vVyYwW]\s*[.:;,]?\s+")


def _fold_key(text: str) -> str:
    """Folded, with the spellings that differ only by where the tone mark sits made one (hòa,
    hoà; thỏa, thoả fold alike already) and punctuation dropped."""
    return " ".join(re.sub(r"[^0-9a-z ]", " ", fold(text)).split())


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _similarity(a: str, b: str) -> float:
    """1 - the letters to change, add or drop to turn `a` into `b`, over the longer: stricter
    than difflib's ratio on added words ("SỞ Y TẾ" under the province's name is not the
    province), as lenient on letters OCR misread."""
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return 1 - previous[-1] / max(len(a), len(b))


def _title(layout: _Layout, after: int, names: Iterable[str]) -> tuple[int, str, str] | None:
    """The type's name printed as a title: the first upper-case line of the few below the
    heading that reads one of `names`; (index of its segment, name, what was read)."""
    keys = {_fold_key(name): name for name in names}
    checked = 0
    for index, segment in enumerate(layout.segments):
        if segment.top < after or (segment.column == "left" and segment.right < layout.middle):
            continue
        checked += 1
        if checked > 6:
            break
        if not _is_upper(segment.text):
            continue
        read = _fold_key(segment.text)
        best = max(keys, key=lambda key: _ratio(read, key))
        if _ratio(read, best) >= 0.8:
            return index, keys[best], segment.text
    return None


def _subject_after_title(layout: _Layout, index: int) -> list[str]:
    """The subject: the lines right under the title that are centred with a margin on both
    sides; a line of the body touches a side (justified, or the last line of a paragraph)."""
    title = layout.segments[index]
    lines: list[str] = []
    previous = title
    for segment in layout.segments[index + 1 :]:
        gap = segment.top - previous.bottom
        if len(lines) >= 5 or gap > 1.2 * min(previous.height, segment.height):
            break
        margin = 0.04 * layout.width
        centred = (
            abs(segment.center - layout.middle) <= 0.12 * layout.width
            and segment.left - layout.left > margin
            and layout.right - segment.right > margin
        )
        if not centred:
            if segment.top < previous.bottom:  # a stray word beside the line
                continue
            break
        folded = fold(segment.text)
        if folded.startswith(("kinh gui", "can cu")) or (lines and _is_upper(segment.text)):
            break
        lines.append(segment.text)
        previous = segment
    return lines


def _subject_about(layout: _Layout, number: _Segment | None) -> tuple[str, list[str]] | None:
    """A công văn's subject: "V/v …" under the number, with the lines under it in the left
    block; (the subject, the lines read)."""
    start = None
    for index, segment in enumerate(layout.segments):
        if segment.column != "left" or (number is not None and segment.top < number.top):
            continue
        if _ABOUT.match(segment.text):
            start = index
            break
        if number is None and segment.top > layout.segments[0].top + 20 * segment.height:
            break
    if start is None:
        return None
    first = layout.segments[start]
    read = [first.text]
    previous = first
    for segment in layout.segments[start + 1 :]:
        if segment.column == "right":
            continue
        if segment.column == "full" or segment.top - previous.bottom > 0.9 * previous.height:
            break
        raw = segment.text.strip(" .:-*\"'“”()[]|")
        if _is_upper(raw) and (fold(raw) in _URGENCY_MARKS or "mat" in fold(raw).split()):
            break
        if fold(segment.text).startswith("kinh gui"):
            break
        read.append(segment.text)
        previous = segment
    text = _ABOUT.sub("", " ".join(read), count=1).strip()
    if not text:
        return None
    return text[0].upper() + text[1:], read


# ---------------------------------------------------------------- issuer

_ABBREVIATIONS = (
    (re.compile(r"\bubnd\b"), "uy ban nhan dan"),
    (re.compile(r"\bhdnd\b"), "hoi dong nhan dan"),
    (re.compile(r"\btp\b"), "thanh pho"),
)


def _name_key(text: str) -> str:
    key = _fold_key(text)
    for pattern, expansion in _ABBREVIATIONS:
        key = pattern.sub(expansion, key)
    return key


@dataclass(frozen=True)
class _EntryKeys:
    entry: DirectoryEntry
    own: str  # the unit's own name
    parent: str  # its direct parent's, or ""
    path: str  # parent then own


def _entry_keys(entry: DirectoryEntry) -> _EntryKeys:
    parts = [part for part in (p.strip() for p in entry.name.split(" – ")) if part]
    own = _name_key(parts[0]) if parts else ""
    parent = _name_key(parts[1]) if len(parts) > 1 else ""
    return _EntryKeys(entry, own, parent, f"{parent} {own}".strip())


def _prefix_ratio(read: str, name: str) -> float:
    """How well `read` matches `name` or its start ("VĂN PHÒNG" under "UBND TỈNH…" for
    "Văn phòng Ủy ban nhân dân tỉnh"), the start a little less."""
    whole = _similarity(read, name)
    if len(name) > len(read) + 3:
        return max(whole, 0.97 * _similarity(read, name[: len(read)]))
    return whole


def _same_kind(read: str, name: str) -> float:
    """1 when the read unit's first word is the name's ("sở", "bộ", "ủy"...), else 0.8: "BỘ TƯ
    PHÁP" is not "Sở Tư pháp" though one letter tells them apart."""
    return 1.0 if read.split()[:1] == name.split()[:1] else 0.8


def _entry_score(lines: list[str], keys: _EntryKeys) -> float:
    """How well the heading's lines (folded, top-down) name the entry: the heading as the
    unit's own name, or cut into the parent's lines and the unit's lines in every way."""
    whole = " ".join(lines)
    best = _similarity(whole, keys.own) * _same_kind(whole, keys.own)
    for cut in range(1, len(lines)):
        parent, unit = " ".join(lines[:cut]), " ".join(lines[cut:])
        if keys.parent:
            score = min(_similarity(parent, keys.parent), _prefix_ratio(unit, keys.own))
        else:
            # An outside agency is listed by one name: "Sở Tài chính tỉnh Vĩnh Long" for
            # "UBND TỈNH VĨNH LONG" over "SỞ TÀI CHÍNH".
            place = re.sub(r"^(uy ban nhan dan|hoi dong nhan dan) ", "", parent)
            score = max(
                _similarity(f"{unit} {place}", keys.own), 0.95 * _similarity(unit, keys.own)
            )
        best = max(best, score * _same_kind(unit, keys.own))
    return best


CANDIDATES = 40


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def match_directory(
    lines: Sequence[str], directory: Sequence[DirectoryEntry]
) -> tuple[DirectoryEntry | None, float]:
    """The directory entry the heading's lines (top-down, as read) name, and its score; None
    when no entry scores MATCH_MIN or two entries score alike."""
    keys = [_name_key(line) for line in lines]
    keys = [key for key in keys if key]
    if not keys:
        return None, 0.0
    # The entries sharing most letter triples with the heading are scored in full; a province's
    # directory has a thousand units and the full score is an edit distance per cut.
    heading = _trigrams(" ".join(keys))
    candidates = []
    for entry in directory:
        entry_keys = _entry_keys(entry)
        if entry_keys.own:
            shared = max(
                _jaccard(heading, _trigrams(entry_keys.path)),
                _jaccard(heading, _trigrams(entry_keys.own)),
            )
            candidates.append((shared, entry_keys))
    candidates.sort(key=lambda item: -item[0])
    scored = [
        (_entry_score(keys, entry_keys), entry_keys.entry)
        for _shared, entry_keys in candidates[:CANDIDATES]
    ]
    if not scored:
        return None, 0.0
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    if best_score < MATCH_MIN:
        return None, best_score
    for score, other in scored[1:]:
        if best_score - score >= MATCH_MARGIN:
            break
        if other != best:
            return None, best_score
    return best, best_score


def _issuer_lines(layout: _Layout, number: _Segment | None, date: _Segment | None) -> list[str]:
    """The lines of the top-left block above the number: the parent body, then the issuer."""
    if number is not None:
        limit = number.top
    elif date is not None:
        limit = date.top
    else:
        return []
    lines = []
    for segment in layout.segments:
        if segment.top >= limit - 0.3 * segment.height:
            break
        # The rule under the name read as letters ("LH", "ST T6"): no name has a digit.
        if segment.column != "left" or len(_letters(segment.text)) < 3:
            continue
        if any(ch.isdigit() for ch in segment.text):
            continue
        if not _is_upper(segment.text):
            continue
        lines.append(_clean(segment.text))
    return lines


# ---------------------------------------------------------------- signer

_COMPETENCE = re.compile(r"^\s*(KT|TM|TL|TUQ|Q|KT\s*/\s*TM)\s*[.,:]\s*(.+)$", re.IGNORECASE)
POSITIONS = (
    "Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Tổng Giám đốc",
    "Phó Tổng Giám đốc", "Bộ trưởng", "Thứ trưởng", "Chánh Văn phòng", "Phó Chánh Văn phòng",
    "Trưởng phòng", "Phó Trưởng phòng", "Trưởng ban", "Phó Trưởng ban", "Cục trưởng",
    "Phó Cục trưởng", "Tổng Cục trưởng", "Chánh Thanh tra", "Phó Chánh Thanh tra", "Vụ trưởng",
    "Phó Vụ trưởng", "Hiệu trưởng", "Viện trưởng", "Chi cục trưởng",
    "Phó Chi cục trưởng", "Bí thư", "Chủ nhiệm", "Thủ tướng", "Phó Thủ tướng",
)  # fmt: skip
_POSITION_KEYS = {_fold_key(position): position for position in POSITIONS}
# Whom a competence acts for (TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH): positions and collective bodies.
_COLLECTIVES = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "CHÍNH PHỦ",
    "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "HỘI ĐỒNG", "BAN CHỈ ĐẠO", "BỘ TRƯỞNG", "ĐOÀN KIỂM TRA",
)  # fmt: skip
_ACTING_FOR = {_fold_key(name): name for name in _COLLECTIVES} | {
    key: position.upper() for key, position in _POSITION_KEYS.items()
}


def _best_key(read: str, keys: dict[str, str], minimum: float) -> str | None:
    key = _fold_key(read)
    if not key:
        return None
    best = max(keys, key=lambda candidate: _ratio(key, candidate))
    return keys[best] if _ratio(key, best) >= minimum else None


# "Nơi nhận:", also as OCR mangles its first word ("An nhận:", "Noi nhân").
_RECIPIENTS = re.compile(r"^(noi nhan|\S{1,4} nhan\s*:)")


def _signature_block(layout: _Layout, after: int) -> list[_Segment]:
    """The right block beside "Nơi nhận:" down to the bottom of the page, or without it, from
    the last competence or position line; a few lines above either, where the competence stands
    when the body pushes the recipients down."""
    below = [segment for segment in layout.segments if segment.top >= after]
    anchor = next((s for s in below if _RECIPIENTS.match(fold(s.text))), None)
    if anchor is None:
        anchor = next(
            (
                s
                for s in reversed(below)
                if s.column != "left"
                and (
                    _COMPETENCE.match(s.text) or _best_key(s.text, _POSITION_KEYS, 0.85) is not None
                )
            ),
            None,
        )
    if anchor is None:
        return []
    top = max(after, anchor.top - 4 * anchor.height)
    return [s for s in below if s.column == "right" and s.top >= top]


def _name_word(word: str) -> bool:
    # "Nguyễn", or "NGUYỄN" when the name is set in capitals; at least two letters (a lone
    # letter is a piece of the seal or of a word OCR broke).
    if len(word) < 2 or not word.isalpha():
        return False
    return word.isupper() or (word[0].isupper() and word[1:].islower())


# Vietnamese family names: OCR often loses or misplaces their marks ("Bui", "Ngưyên"), and in
# bold capitals misreads their first letters ("Jữyên" for "Nguyễn").
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Lưu", "Cao", "Đoàn", "Đào",
    "Hà", "Tạ", "Châu", "Thái", "Tô", "Trịnh", "Lương", "Quách", "Kiều", "Hứa", "Tăng", "Từ",
    "Thân", "La", "Triệu", "Mạc", "Chu", "Vương", "Tống", "Âu", "Kim", "Lại", "Phùng", "Giang",
    "Doãn", "Diệp", "Hầu", "Ninh", "Khổng", "Bạch", "Ông", "Mã", "Lục", "Thạch", "Danh", "Nông",
)  # fmt: skip
# Names whose letters without marks are another's too (Đoàn, Doãn) are never given back.
_SURNAME_KEYS = {
    key: name
    for name in SURNAMES
    if [fold(other) for other in SURNAMES].count(key := fold(name)) == 1
}
_NOT_VIETNAMESE = re.compile(r"[fjwzFJWZ]")


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWEL_MARKS = _TONES | {"\u0302", "\u0306", "\u031b"}


def _vietnamese_word(word: str) -> bool:
    """Whether a word can be Vietnamese: no f, j, w or z, marks only on vowels and only
    Vietnamese marks, at most one tone ("Dặãñg", "Bủúi" are OCR's)."""
    if _NOT_VIETNAMESE.search(word):
        return False
    tones = 0
    for char in word.replace("Đ", "D").replace("đ", "d"):
        base, *marks = unicodedata.normalize("NFD", char)
        if marks and (base.lower() not in "aeiouy" or not set(marks) <= _VOWEL_MARKS):
            return False
        tones += sum(mark in _TONES for mark in marks)
    return tones <= 1


def _surname(word: str) -> str:
    """The family name as it is spelled: the same letters without marks give it back; a word
    that cannot be Vietnamese is OCR's, read as the nearest name."""
    key = fold(word)
    if word in SURNAMES:
        return word
    if key in _SURNAME_KEYS:
        return _SURNAME_KEYS[key]
    if not _vietnamese_word(word):
        best = max(_SURNAME_KEYS, key=lambda candidate: _ratio(key, candidate))
        if _ratio(key, best) >= 0.7:
            return _SURNAME_KEYS[best]
    return word


def _person_name(text: str) -> str | None:
    words = _clean(text).split()
    if not 2 <= len(words) <= 6 or not all(_name_word(word) for word in words):
        return None
    words = [word[0] + word[1:].lower() for word in words]
    words[0] = _surname(words[0])
    if not all(_vietnamese_word(word) for word in words):
        return None
    name = " ".join(words)
    if _best_key(name, _POSITION_KEYS | _ACTING_FOR, 0.8) is not None:
        return None
    return name[:SIGNER_NAME_MAX]


def _centred(segment: _Segment, lines: list[_Segment], text_height: float) -> bool:
    """Whether a name stands centred under the position lines, as Appendix I sets it, in letters
    as tall as the text's (the lines the seal overlaps read taller than they are): a name whose
    first or last word OCR lost under the seal stands off centre, and the seal's own small
    letters ("SỞ GIÁO DỤC") are no name."""
    if segment.height < 0.7 * text_height:
        return False
    if not lines:
        return True
    word_width = (segment.right - segment.left) / len(segment.words)
    return abs(segment.center - median(line.center for line in lines)) <= 0.35 * word_width


def _deputies(acting_for: str) -> dict[str, str]:
    """The positions that sign for (KT.) the head `acting_for`: "PHÓ CHỦ TỊCH" for "CHỦ TỊCH",
    "THỨ TRƯỞNG" for "BỘ TRƯỞNG" (NĐ 30/2020 Art. 13: the deputy signs on behalf of the head)."""
    head = _POSITION_KEYS.get(_fold_key(acting_for))
    if head is None:
        return {}
    deputy = "Thứ trưởng" if head == "Bộ trưởng" else f"Phó {head}"
    return {_fold_key(deputy): deputy}


_COLLECTIVE_HEADS = {"uy ban nhan dan": "Chủ tịch", "hoi dong nhan dan": "Chủ tịch"}


def _who_signs(competence: str) -> dict[str, str]:
    """The positions that may stand under a competence line (NĐ 30/2020 Art. 13): X's deputy
    under "KT. X", the head of the body under "TM. ỦY BAN NHÂN DÂN", a head (no deputy signs
    without KT.) under no competence."""
    kind, _dot, acting_for = competence.partition(". ")
    if kind == "KT":
        return _deputies(acting_for)
    if kind == "TM":
        head = _COLLECTIVE_HEADS.get(_fold_key(acting_for))
        return {_fold_key(head): head} if head else {}
    if not competence:
        return {
            key: position
            for key, position in _POSITION_KEYS.items()
            if not key.startswith(("pho ", "thu truong"))
        }
    return {}


def _position_from_tail(text: str, candidates: dict[str, str]) -> str | None:
    """The one candidate whose last words are what OCR kept of the line ("TỊCH" of "CHỦ TỊCH"
    under the seal): none when the words are too short or end several candidates."""
    read = _fold_key(text)
    if len(read) < 3:
        return None
    found = [position for key, position in candidates.items() if key.endswith(" " + read)]
    return found[0] if len(found) == 1 else None


def _signer(block: list[_Segment], text_height: float) -> tuple[str, str, str, str] | None:
    """(position as the register writes it, what was read for it, name, what was read)."""
    competences: list[str] = []
    position = ""
    read_position: list[str] = []
    name = read_name = ""
    centres: list[_Segment] = []
    for segment in block:
        text = _clean(segment.text)
        match = _COMPETENCE.match(text)
        if match and not position and not name:
            acting = _best_key(match.group(2), _ACTING_FOR, 0.7) or _clean(match.group(2)).upper()
            competences.append(f"{match.group(1).upper().replace(' ', '')}. {acting}")
            read_position.append(text)
            centres.append(segment)
            continue
        if _is_upper(text) and not position and not name:
            # Under "KT. CHỦ TỊCH" only the deputy can sign, whatever OCR made of the letters.
            last = competences[-1] if competences else ""
            known = None
            if last.startswith("KT. "):
                known = _best_key(text, _deputies(last[4:]), 0.6)
            known = known or _best_key(text, _POSITION_KEYS, 0.75)
            known = known or _position_from_tail(text, _who_signs(last))
            if known:
                position = known
                read_position.append(text)
                centres.append(segment)
                continue
        person = _person_name(text)
        if person and _centred(segment, centres, text_height):
            name, read_name = person, text
    # As the register writes it (exchange.selectors.signer_title): "KT. CHỦ TỊCH, Phó Chủ
    # tịch"; the competence alone when the position repeats whom it acts for.
    competence = ", ".join(competences)
    if competences and competences[-1].startswith("KT. ") and not position:
        # NĐ 30/2020 Art. 13: "KT. X" is signed by X's deputy; the line naming the deputy may be
        # lost under the seal, the competence says it all the same.
        deputies = list(_deputies(competences[-1][4:]).values())
        position = deputies[0] if deputies else ""
    if competence and position:
        acting_for = competences[-1].partition(". ")[2]
        same = _fold_key(acting_for) == _fold_key(position)
        title = competence if same else f"{competence}, {position}"
    else:
        title = competence or position
    if not title and not name:
        return None
    return title[:SIGNER_POSITION_MAX], " / ".join(read_position), name, read_name


# ---------------------------------------------------------------- the proposal


def _document_type(name: str, document_types: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    key = _fold_key(name)
    for type_id, type_name in document_types:
        if _fold_key(type_name) == key:
            return type_id, type_name
    return None


def propose(
    pages: list[OcrPage],
    *,
    directory: Sequence[DirectoryEntry] = (),
    document_types: Sequence[tuple[int, str]] = (),
) -> Proposal:
    """The registration form's fields as the first page reads them (R14; NĐ 30/2020 Appendix
    I): issuing body (a unit of the deployment, or an outside body's name and code, matched in
    `directory`), number and symbol, date and place, type (an id of `document_types`), subject,
    signer's position and name, urgency. A field that could not be read is absent."""
    proposal = Proposal()
    if not pages or not pages[0].lines:
        return proposal
    layout = _layout(pages[0])
    fields = proposal.fields
    number_found = _number(layout)
    number_segment = number_found[0] if number_found else None
    if number_found:
        segment, number, notation = number_found
        fields["code_number"] = ProposedValue(number, read=segment.text)
        fields["code_notation"] = ProposedValue(notation, read=segment.text)
    date_found = _date(layout)
    date_segment = date_found[0] if date_found else None
    if date_found:
        segment, date, place = date_found
        fields["issued_date"] = ProposedValue(date, read=segment.text)
        proposal.place = place
    _propose_issuer(fields, _issuer_lines(layout, number_segment, date_segment), directory)

    heading_bottom = max(
        [s.bottom for s in (number_segment, date_segment) if s is not None], default=0
    )
    names = [*TYPE_TITLES, *(name for _id, name in document_types)]
    title = _title(layout, heading_bottom, names)
    about = _subject_about(layout, number_segment)
    body_top = heading_bottom
    if title is not None:
        index, type_name, read = title
        body_top = layout.segments[index].top
        _propose_type(fields, type_name, read, document_types, "")
        subject_lines = _subject_after_title(layout, index)
        if subject_lines:
            subject = _clean(" ".join(subject_lines))[:SUBJECT_MAX]
            fields["subject"] = ProposedValue(subject, read="\n".join(subject_lines))
    elif about is not None:
        subject, read_lines = about
        _propose_type(
            fields, OFFICIAL_LETTER, "", document_types, "Không có tên loại, có “V/v”: công văn."
        )
        fields["subject"] = ProposedValue(_clean(subject)[:SUBJECT_MAX], read="\n".join(read_lines))
    urgency = _urgency(layout, body_top if title is not None else _below_heading(layout, body_top))
    if urgency is not None:
        (value, label), read = urgency
        fields["urgency"] = ProposedValue(str(value), read=read, note=f"Độ khẩn: {label}.")
    signer = _signer(_signature_block(layout, body_top), layout.text_height)
    if signer is not None:
        position, read_position, name, read_name = signer
        if position:
            fields["signer_position"] = ProposedValue(position, read=read_position)
        if name:
            fields["signer_name"] = ProposedValue(name, read=read_name)
    return proposal


def _below_heading(layout: _Layout, heading_bottom: int) -> int:
    """The top of the first line across the page under the heading (where a công văn's body
    starts)."""
    for segment in layout.segments:
        if segment.top > heading_bottom and segment.column == "full":
            return segment.top
    return layout.segments[-1].bottom + 1 if layout.segments else 0


def _propose_type(
    fields: dict[str, ProposedValue],
    type_name: str,
    read: str,
    document_types: Sequence[tuple[int, str]],
    note: str,
) -> None:
    found = _document_type(type_name, document_types)
    if found is not None:
        fields["document_type"] = ProposedValue(
            str(found[0]), read=read, note=note or f"Loại văn bản: {found[1]}."
        )


def _propose_issuer(
    fields: dict[str, ProposedValue], lines: list[str], directory: Sequence[DirectoryEntry]
) -> None:
    if not lines:
        return
    read = "\n".join(lines)
    entry, _score = match_directory(lines, directory)
    if entry is not None and entry.unit_id is not None:
        fields["issuer_unit"] = ProposedValue(
            str(entry.unit_id), read=read, note=f"Khớp danh bạ: {entry.name}."
        )
    elif entry is not None:
        note = f"Khớp danh bạ: {entry.name}" + (f" ({entry.code})." if entry.code else ".")
        fields["issuer_name"] = ProposedValue(entry.name[:ISSUER_NAME_MAX], read=read, note=note)
        if entry.code:
            fields["issuer_code"] = ProposedValue(entry.code, read=read, note=note)
    else:
        fields["issuer_name"] = ProposedValue(
            " ".join(lines)[:ISSUER_NAME_MAX],
            read=read,
            note="Không có trong danh bạ: tên như đọc được, hãy sửa lại và nhập mã định danh.",
        )
