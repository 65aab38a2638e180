"""Vietnamese text helpers: NFC normalisation (TCVN 6909:2001) and diacritic-free folding."""

import datetime as dt
import re
import unicodedata
from functools import cache
from typing import Any


@cache
def _category_pattern(category: str) -> re.Pattern[str]:
    """A character class of the Basic Multilingual Plane's characters of a Unicode category,
    one regular expression to drop them all in C instead of looking at each character."""
    codes = [c for c in range(0x10000) if unicodedata.category(chr(c)) == category]
    ranges: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            ranges.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else "")
            )
            start = code
        previous = code
    return re.compile("[" + "".join(ranges) + "]+")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def drop_category(value: str, category: str) -> str:
    """The text without its characters of a Unicode category ("Mn" combining marks, "Cf" format
    characters such as zero-width spaces)."""
    if value.isascii():
        return value
    if _ASTRAL.search(value):  # beyond the BMP (rare): character by character
        return "".join(ch for ch in value if unicodedata.category(ch) != category)
    return _category_pattern(category).sub("", value)


def nfc(value: str) -> str:
    """Return the text in Unicode NFC with surrounding whitespace removed."""
    return unicodedata.normalize("NFC", value).strip()


def text_input(
    value: Any, *, label: str, field: str, max_length: int, required: bool = False
) -> str:
    """A text typed into a form or sent to the API: in NFC without surrounding blanks, refused
    with a Vietnamese message naming the field when it is required and empty, or too long."""
    from vanban.core.errors import ServiceError

    text = nfc(str(value or ""))
    if required and not text:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(text) > max_length:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field
        )
    return text


def fold(value: str) -> str:
    """Lower-case ASCII form used for search and account names: "Đặng Thị Ánh" -> "dang thi anh"."""
    value = value.replace("Đ", "D").replace("đ", "d")
    stripped = drop_category(unicodedata.normalize("NFD", value), "Mn")
    return " ".join(stripped.lower().split())


def format_date_vi(value: dt.date | None) -> str:
    """dd/mm/yyyy, as Vietnamese users read dates."""
    return value.strftime("%d/%m/%Y") if value else ""
