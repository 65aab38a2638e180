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
it could not read is absent, never guessed. The clerk checks every value (docs/ocr-fields.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
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

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    @property
    def width(self) -> int:
        return max(1, self.right - self.left)


def _split_line(line: OcrLine) -> list[list[OcrWord]]:
    """The words of a line cut where two words stand further apart than a word is tall. Marks
    without a letter or digit ("-", "_.", specks of the paper) never join two groups: they stay
    only between two words of one group."""
    words = sorted(line.words, key=lambda word: word.box[0])
    solid = [word for word in words if any(ch.isalnum() for ch in word.text)]
    if not solid:
        return []
    height = median(max(1, word.box[3] - word.box[1]) for word in solid)
    groups: list[list[OcrWord]] = []
    for word in solid:
        if groups and word.box[0] - groups[-1][-1].box[2] <= 1.1 * height:
            groups[-1].append(word)
        else:
            groups.append([word])
    for mark in words:
        if mark in solid:
            continue
        for group in groups:
            if group[0].box[2] <= mark.box[0] and mark.box[2] <= group[-1].box[0]:
                group.append(mark)
                group.sort(key=lambda word: word.box[0])
                break
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
    segments = []
    for line in page.lines:
        for group in _split_line(line):
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
    return _Layout(segments, left, right)


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


def _repair_notation(notation: str) -> str:
    """The hyphen after a type's abbreviation put back when OCR lost it: "QĐUBND" -> "QĐ-UBND".
    Only a symbol with no hyphen at all and a known abbreviation before at least two capitals."""
    if "-" in notation:
        return notation
    head, _slash, tail = notation.rpartition("/")
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
_ABOUT = re.compile(r"^\s*[VW]\s*[/|lI1\\]?\s*[vVyY]\s*[.:;,]?\s+")


def _fold_key(text: str) -> str:
    """Folded, with the spellings that differ only by where the tone mark sits made one (hòa,
    hoà; thỏa, thoả fold alike already) and punctuation dropped."""
    return " ".join(re.sub(r"[^0-9a-z ]", " ", fold(text)).split())


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


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
    """The subject: the centred lines right under the title, up to the first wide gap."""
    title = layout.segments[index]
    lines: list[str] = []
    previous = title
    for segment in layout.segments[index + 1 :]:
        if segment.top - previous.bottom > 0.55 * previous.height or len(lines) >= 5:
            break
        if segment.right - segment.left > 0.9 * layout.width:  # a line of the body
            break
        off_centre = abs(segment.center - layout.middle)
        if off_centre > 0.12 * layout.width:
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
    whole = _ratio(read, name)
    if len(name) > len(read) + 3:
        return max(whole, 0.97 * _ratio(read, name[: len(read)]))
    return whole


def _entry_score(lines: list[str], keys: _EntryKeys) -> float:
    """How well the heading's lines (folded, top-down) name the entry: every way of cutting
    them into the parent's lines and the unit's lines is tried."""
    whole = " ".join(lines)
    best = max(_ratio(whole, keys.own), _ratio(whole, keys.path) if keys.parent else 0.0)
    for cut in range(1, len(lines)):
        parent, unit = " ".join(lines[:cut]), " ".join(lines[cut:])
        if keys.parent:
            score = min(_ratio(parent, keys.parent), _prefix_ratio(unit, keys.own))
        else:
            # An outside agency is listed by one name: "Sở Tài chính tỉnh Vĩnh Long" for
            # "UBND TỈNH VĨNH LONG" over "SỞ TÀI CHÍNH".
            place = re.sub(r"^(uy ban nhan dan|hoi dong nhan dan) ", "", parent)
            score = max(_ratio(f"{unit} {place}", keys.own), 0.95 * _ratio(unit, keys.own))
        best = max(best, score)
    return best


def match_directory(
    lines: Sequence[str], directory: Sequence[DirectoryEntry]
) -> tuple[DirectoryEntry | None, float]:
    """The directory entry the heading's lines (top-down, as read) name, and its score; None
    when no entry scores MATCH_MIN or two entries score alike."""
    keys = [_name_key(line) for line in lines]
    keys = [key for key in keys if key]
    if not keys:
        return None, 0.0
    whole = " ".join(keys)
    scored = []
    for entry in directory:
        entry_keys = _entry_keys(entry)
        if not entry_keys.own:
            continue
        # A cheap bound first: no cut of the heading can beat the best of these by much.
        matcher = SequenceMatcher(None, whole, entry_keys.path, autojunk=False)
        if matcher.real_quick_ratio() < 0.3:
            continue
        scored.append((_entry_score(keys, entry_keys), entry))
    if not scored:
        return None, 0.0
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    if best_score < MATCH_MIN:
        return None, best_score
    for score, other in scored[1:]:
        if best_score - score >= MATCH_MARGIN:
            break
        if other.name != best.name and other.unit_id != best.unit_id:
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
        if segment.column != "left" or len(_letters(segment.text)) < 2:
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


def _person_name(text: str) -> str | None:
    words = _clean(text).split()
    if not 2 <= len(words) <= 6 or not all(_name_word(word) for word in words):
        return None
    name = " ".join(word[0] + word[1:].lower() for word in words)
    if _best_key(name, _POSITION_KEYS | _ACTING_FOR, 0.8) is not None:
        return None
    return name[:SIGNER_NAME_MAX]


def _centred(segment: _Segment, centres: list[float]) -> bool:
    """Whether a name stands centred under the position lines, as Appendix I sets it: a name
    whose first or last word OCR lost under the seal stands off centre, and is not proposed."""
    if not centres:
        return True
    word_width = (segment.right - segment.left) / len(segment.words)
    return abs(segment.center - median(centres)) <= 0.35 * word_width


def _deputies(acting_for: str) -> dict[str, str]:
    """The positions that sign for (KT.) the head `acting_for`: "PHÓ CHỦ TỊCH" for "CHỦ TỊCH",
    "THỨ TRƯỞNG" for "BỘ TRƯỞNG" (NĐ 30/2020 Art. 13: the deputy signs on behalf of the head)."""
    head = _POSITION_KEYS.get(_fold_key(acting_for))
    if head is None:
        return {}
    deputy = "Thứ trưởng" if head == "Bộ trưởng" else f"Phó {head}"
    return {_fold_key(deputy): deputy}


def _signer(block: list[_Segment]) -> tuple[str, str, str, str] | None:
    """(position as the register writes it, what was read for it, name, what was read)."""
    competences: list[str] = []
    position = ""
    read_position: list[str] = []
    name = read_name = ""
    centres: list[float] = []
    for segment in block:
        text = _clean(segment.text)
        match = _COMPETENCE.match(text)
        if match and not position and not name:
            acting = _best_key(match.group(2), _ACTING_FOR, 0.7) or _clean(match.group(2)).upper()
            competences.append(f"{match.group(1).upper().replace(' ', '')}. {acting}")
            read_position.append(text)
            centres.append(segment.center)
            continue
        if _is_upper(text) and not position and not name:
            # Under "KT. CHỦ TỊCH" only the deputy can sign, whatever OCR made of the letters.
            last = competences[-1] if competences else ""
            known = None
            if last.startswith("KT. "):
                known = _best_key(text, _deputies(last[4:]), 0.6)
            known = known or _best_key(text, _POSITION_KEYS, 0.75)
            if known:
                position = known
                read_position.append(text)
                centres.append(segment.center)
                continue
        person = _person_name(text)
        if person and (competences or position) and _centred(segment, centres):
            name, read_name = person, text
    # As the register writes it (exchange.selectors.signer_title): "KT. CHỦ TỊCH, Phó Chủ
    # tịch"; the competence alone when the position repeats whom it acts for.
    competence = ", ".join(competences)
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
    signer = _signer(_signature_block(layout, body_top))
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
