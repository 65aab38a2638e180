"""Folding and dropping characters by Unicode category: the regular expression gives what looking
at every character gives."""

import unicodedata

import pytest

from vanban.core.text import drop_category, fold


def by_character(value: str, category: str) -> str:
    return "".join(ch for ch in value if unicodedata.category(ch) != category)


SAMPLES = [
    "Đặng Thị Ánh",
    "QUYẾT ĐỊNH\u200b về việc",  # zero-width space (Cf)
    "M\u00c2\u0323T",  # NFD dot below (Mn)
    "T\u1ed0I M\u1eacT \ufeff",  # byte order mark (Cf)
    "“Kế hoạch” – số 15/QĐ-UBND",
    "chữ ký 😀 và 𝐀 ngoài mặt phẳng cơ bản \U000e0001",  # astral: emoji, Mn/Cf tags
    "plain ascii",
    "",
]


@pytest.mark.parametrize("value", SAMPLES)
@pytest.mark.parametrize("category", ["Mn", "Cf"])
def test_drop_category_drops_exactly_the_category(value, category):
    assert drop_category(value, category) == by_character(value, category)
    assert drop_category(unicodedata.normalize("NFD", value), category) == by_character(
        unicodedata.normalize("NFD", value), category
    )


def test_fold():
    assert fold("Đặng  Thị Ánh") == "dang thi anh"
    assert fold("QUYẾT ĐỊNH") == "quyet dinh"
    assert fold("Nghị định 30/2020/NĐ-CP") == "nghi dinh 30/2020/nd-cp"


def test_every_combining_mark_of_the_basic_plane_is_dropped():
    marks = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Mn")
    assert drop_category("a" + marks + "b", "Mn") == "ab"
