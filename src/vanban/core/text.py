"""Vietnamese text helpers: NFC normalisation (TCVN 6909:2001) and diacritic-free folding."""

import datetime as dt
import unicodedata


def nfc(value: str) -> str:
    """Return the text in Unicode NFC with surrounding whitespace removed."""
    return unicodedata.normalize("NFC", value).strip()


def fold(value: str) -> str:
    """Lower-case ASCII form used for search and account names: "Đặng Thị Ánh" -> "dang thi anh"."""
    value = value.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def format_date_vi(value: dt.date | None) -> str:
    """dd/mm/yyyy, as Vietnamese users read dates."""
    return value.strftime("%d/%m/%Y") if value else ""
