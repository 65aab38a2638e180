"""Search text: every searchable field folded (no diacritics, lower case) into whole words.

Stored padded with spaces, so a query word matches at a word start (" quyet") and a number or a
number-symbol matches only whole (" 613/qd-pvhtt "), never inside "1613/...". No word is dropped:
Vietnamese syllables are short and every one of them counts.
"""

import re

from vanban.core.text import fold

MAX_FILE_TEXT = 200_000
_SEPARATORS = re.compile(r"[^\w/.-]+")
_PARTS = re.compile(r"[/.-]+")


def words(value: str) -> list[str]:
    """Folded words; a word with / - . also gives its parts: "613/qd-pvhtt", "613", "qd"..."""
    out: list[str] = []
    for token in _SEPARATORS.split(fold(value)):
        token = token.strip("-./")
        if not token:
            continue
        out.append(token)
        parts = [p for p in _PARTS.split(token) if p]
        if len(parts) > 1:
            out.extend(parts)
    return out


def search_text_build(*, fields: list[str], file_texts: list[str]) -> str:
    collected = words(" ".join(f for f in fields if f))
    for text in file_texts:
        collected.extend(words(text[:MAX_FILE_TEXT]))
    return f" {' '.join(collected)} "


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(folded term, whole) pairs: whole terms (numbers, number-symbols) must match entirely."""
    terms = []
    for token in _SEPARATORS.split(fold(query)):
        token = token.strip("-./")
        if token:
            whole = token.isdigit() or bool(_PARTS.search(token))
            terms.append((token, whole))
    return terms
