"""benchmarks/scan_corpus.py and benchmarks/ocr_accuracy.py: the same seed gives the same scans,
their truth is what the page says, and the body's errors are counted without the page around it.

Only what the scripts compute is checked, never a time; the OCR itself is tested in
tests/documents/test_ocr.py and test_ocr_fields.py."""

from benchmarks.ocr_accuracy import edit_distance_semiglobal

from benchmarks import scan_corpus


def test_the_body_is_found_in_the_page_and_only_its_errors_count():
    page = [
        "ỦY",
        "BAN",
        "NHÂN",
        "DÂN",
        "Số:",
        "15",
        "các",
        "cơ",
        "quan",
        "đơn",
        "vị",
        "thực",
        "hiện",
        "Nơi",
        "nhận:",
        "Như",
        "trên",
    ]

    assert edit_distance_semiglobal(["các", "cơ", "quan", "đơn", "vị", "thực", "hiện"], page) == 0
    assert edit_distance_semiglobal(["các", "cơ", "quan", "đơn", "vi", "thực", "hiện"], page) == 1
    assert (
        edit_distance_semiglobal(["các", "cơ", "quan", "và", "đơn", "vị", "thực", "hiện"], page)
        == 1
    )
    assert edit_distance_semiglobal(["các", "cơ", "quan", "thực", "hiện"], page) == 2
    assert edit_distance_semiglobal(["một", "hai", "ba"], []) == 3


def test_a_sample_is_the_same_on_every_run_and_its_truth_matches_the_page():
    first = scan_corpus.make_sample(7, 3)
    again = scan_corpus.make_sample(7, 3)
    other = scan_corpus.make_sample(7, 4)

    assert first == again
    assert first[0] != other[0]
    data, file_format, record = first
    assert record["file_format"] == file_format and data
    fields = record["fields"]
    text = record["text"]
    assert f"Số: {fields['code_number']}/{fields['code_notation']}" in text
    assert fields["signer_name"] in text.splitlines()
    assert record["body"] in text
    day, _month, year = fields["issued_date"].split("/")
    assert f"ngày {day} tháng " in text and f"năm {year}" in text
