"""Folding and dropping characters by Unicode category: the regular expression gives what looking
at every character gives. And the one check of typed text the services share."""

import unicodedata

import pytest

from vanban.core.errors import ServiceError
from vanban.core.text import drop_category, fold, text_input


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


def test_text_input_is_nfc_trimmed_and_refused_empty_or_too_long():
    decomposed = unicodedata.normalize("NFD", "  Kế hoạch  ")
    assert text_input(decomposed, label="tiêu đề", field="title", max_length=20) == "Kế hoạch"
    assert text_input(None, label="ghi chú", field="note", max_length=5) == ""
    with pytest.raises(ServiceError) as empty:
        text_input(" ", label="tiêu đề", field="title", max_length=20, required=True)
    assert (empty.value.message, empty.value.field) == ("Hãy nhập tiêu đề.", "title")
    with pytest.raises(ServiceError) as long:
        text_input("x" * 21, label="tiêu đề", field="title", max_length=20)
    assert long.value.message == "Tiêu đề dài quá 20 ký tự."
