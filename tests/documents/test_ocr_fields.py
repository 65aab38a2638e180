"""The record proposed from a scan's first page (documents.ocr_fields; docs/ocr.md, "Proposed
record"): on layouts built by hand as Tesseract gives them (NĐ 30/2020 Appendix I, the two heading
blocks on one line), and on a few scans of benchmarks/scan_corpus.py read by the real OCR
engine."""

import random

import pytest

from benchmarks import scan_corpus
from tests.support.ocr_tools import require_ocr
from vanban.documents.models import Urgency
from vanban.documents.ocr import ocr_scan
from vanban.documents.ocr_fields import (
    _URGENCY_MARKS,
    DirectoryEntry,
    Proposal,
    match_directory,
    propose,
)
from vanban.documents.ocr_layout import OcrLine, OcrPage, OcrWord

CHAR = 22  # pixels per letter at 300 dpi, 13 pt
HEIGHT = 40
GAP = 16
LEFT, RIGHT = 354, 2300  # the text's edges on an A4 page at 300 dpi
MIDDLE = (LEFT + RIGHT) // 2
AGENCY = LEFT + 380  # the centre of the top-left block
NATION = LEFT + 1400  # the centre of the top-right block and of the signature
TYPES = [(1, "Công văn"), (2, "Quyết định"), (3, "Kế hoạch"), (4, "Giấy mời"), (5, "Tờ trình")]
BEN_TRE = "Ủy ban nhân dân tỉnh Bến Tre"
DIRECTORY = [
    DirectoryEntry(BEN_TRE, "000.00.00.H07", 1),
    DirectoryEntry(f"Sở Tài chính – {BEN_TRE}", "000.00.02.H07", 2),
    DirectoryEntry(f"Sở Tư pháp – {BEN_TRE}", "000.00.04.H07", 3),
    DirectoryEntry(f"Văn phòng Ủy ban nhân dân tỉnh – {BEN_TRE}", "000.00.01.H07", 4),
    DirectoryEntry(f"Ủy ban nhân dân huyện Châu Thành – {BEN_TRE}", "000.00.21.H07", 5),
    DirectoryEntry("Sở Tài chính tỉnh Vĩnh Long", "000.00.02.H62"),
    DirectoryEntry("Bộ Nội vụ", "000.00.00.G12"),
    DirectoryEntry("Ủy ban nhân dân tỉnh Trà Vinh", "000.00.00.H60"),
]
BODY = (
    "Thực hiện chỉ đạo của cấp trên, đề nghị các cơ quan, đơn vị khẩn trương triển khai",
    "các nội dung sau đây và báo cáo kết quả về Sở Tài chính trước ngày 30/11/2026 để",
    "tổng hợp, báo cáo Ủy ban nhân dân tỉnh theo quy định hiện hành.",
)


def _width(text: str) -> int:
    return sum(CHAR * len(word) for word in text.split()) + GAP * (len(text.split()) - 1)


def _words(x: int, y: int, text: str) -> list[OcrWord]:
    words = []
    for word in text.split():
        words.append(OcrWord(word, 92.0, (x, y, x + CHAR * len(word), y + HEIGHT)))
        x += CHAR * len(word) + GAP
    return words


def at(x: int, text: str) -> tuple[int, str]:
    return x, text


def centred(centre: int, text: str) -> tuple[int, str]:
    return centre - _width(text) // 2, text


def line(y: int, *parts: tuple[int, str]) -> OcrLine:
    """One line as Tesseract gives it: every part's words, left to right, in one line."""
    words = [word for x, text in parts for word in _words(x, y, text)]
    return OcrLine(tuple(words), (words[0].box[0], y, words[-1].box[2], y + HEIGHT))


def page(*lines: OcrLine) -> OcrPage:
    return OcrPage(2480, 3508, tuple(lines))


def body(y: int) -> list[OcrLine]:
    return [line(y + 60 * i, at(LEFT if i else LEFT + 110, text)) for i, text in enumerate(BODY)]


def decision(**replace: OcrLine | None) -> OcrPage:
    """A decision of the province's Department of Finance, signed by a deputy director."""
    lines = {
        "parent": line(200, centred(AGENCY, "UBND TỈNH BẾN TRE"),
                       centred(NATION, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        "unit": line(250, centred(AGENCY, "SỞ TÀI CHÍNH"),
                     centred(NATION, "Độc lập - Tự do - Hạnh phúc")),
        "number": line(340, centred(AGENCY, "Số: 15/QĐ-STC"),
                       centred(NATION, "Bến Tre, ngày 20 tháng 11 năm 2026")),
        "mark": None,
        "title": line(460, centred(MIDDLE, "QUYẾT ĐỊNH")),
        "subject1": line(510, centred(MIDDLE, "Về việc phê duyệt kế hoạch kiểm kê tài sản công")),
        "subject2": line(556, centred(MIDDLE, "tại các cơ quan, đơn vị năm 2026")),
        "recipients": line(900, at(LEFT, "Nơi nhận:"), centred(NATION, "KT. GIÁM ĐỐC")),
        "recipient": line(950, at(LEFT, "- Như trên;"), centred(NATION, "PHÓ GIÁM ĐỐC")),
        "archive": line(1000, at(LEFT, "- Lưu: VT."), centred(NATION, "Ạ")),
        "name": line(1200, centred(NATION, "Nguyễn Thị Hồng Nhung")),
        "footer": line(3370, centred(MIDDLE, "Trang 1/1")),
    }  # fmt: skip
    lines.update(replace)
    kept = [value for value in lines.values() if value is not None]
    return page(*sorted([*kept, *body(640)], key=lambda item: item.box[1]))


def values(proposal: Proposal) -> dict[str, str]:
    return {name: proposed.value for name, proposed in proposal.fields.items()}


# ---------------------------------------------------------------- hand-built layouts


def test_a_decision_fills_every_field_from_the_two_column_heading():
    proposal = propose([decision()], directory=DIRECTORY, document_types=TYPES)

    assert values(proposal) == {
        "issuer_unit": "2",
        "code_number": "15",
        "code_notation": "QĐ-STC",
        "issued_date": "20/11/2026",
        "document_type": "2",
        "subject": (
            "Về việc phê duyệt kế hoạch kiểm kê tài sản công tại các cơ quan, đơn vị năm 2026"
        ),
        "signer_position": "KT. GIÁM ĐỐC, Phó Giám đốc",
        "signer_name": "Nguyễn Thị Hồng Nhung",
    }
    assert proposal.place == "Bến Tre"
    issuer = proposal.fields["issuer_unit"]
    assert issuer.read == "UBND TỈNH BẾN TRE\nSỞ TÀI CHÍNH"  # the national name is not in it
    assert issuer.note == f"Khớp danh bạ: Sở Tài chính – {BEN_TRE}."
    assert proposal.fields["code_number"].read == "Số: 15/QĐ-STC"
    assert proposal.fields["issued_date"].read == "Bến Tre, ngày 20 tháng 11 năm 2026"


def test_an_official_letter_has_v_v_under_its_number_and_no_title():
    letter = decision(
        title=None,
        subject1=None,
        subject2=None,
        number=line(340, centred(AGENCY, "Số: 1234/STC-QLNS"),
                    centred(NATION, "Bến Tre, ngày 05 tháng 01 năm 2026")),
        mark=line(400, centred(AGENCY, "V/v tăng cường công tác")),
        extra=line(446, centred(AGENCY, "quyết toán ngân sách năm 2025")),
        recipient_to=line(540, centred(MIDDLE, "Kính gửi: Các sở, ban, ngành tỉnh")),
    )  # fmt: skip

    proposal = propose([letter], directory=DIRECTORY, document_types=TYPES)

    got = values(proposal)
    assert got["document_type"] == "1"
    assert got["subject"] == "Tăng cường công tác quyết toán ngân sách năm 2025"
    assert got["code_number"] == "1234"
    assert got["code_notation"] == "STC-QLNS"
    assert got["issued_date"] == "05/01/2026"
    assert proposal.fields["document_type"].note == "Không có tên loại, có “V/v”: công văn."
    assert "urgency" not in got


@pytest.mark.parametrize("about", ["V/v", "V/V", "Vv", "V/w", "W/v", "V/y:"])
def test_v_v_as_ocr_reads_it(about):
    letter = decision(
        title=None,
        subject1=None,
        subject2=None,
        mark=line(400, centred(AGENCY, f"{about} tăng cường công tác")),
    )

    got = values(propose([letter], directory=DIRECTORY, document_types=TYPES))

    assert (got["document_type"], got["subject"]) == ("1", "Tăng cường công tác")


def test_without_the_document_types_no_type_is_proposed_but_the_subject_is():
    got = values(propose([decision()], directory=DIRECTORY))

    assert "document_type" not in got
    assert got["subject"].startswith("Về việc phê duyệt")


@pytest.mark.parametrize(
    ("read", "number", "notation"),
    [
        ("Số: 15/QĐ-STC", "15", "QĐ-STC"),
        ("Sô : 05 / QĐ - STC", "05", "QĐ-STC"),
        ("S6: 1O/KH-STC", "10", "KH-STC"),
        ("So 12/QĐSTC", "12", "QĐ-STC"),  # the hyphen lost after the type's letters
        ("Số: 7/QĐÐ-STC", "7", "QĐ-STC"),  # Đ read twice, once as the Icelandic Ð
        ("Số: 44/2026/QĐ-UBND", "44", "2026/QĐ-UBND"),  # legal normative: the year
        ("Số: 21/TTr-STC.", "21", "TTr-STC"),
        ("Số: 1115/5TC-QLNS", "1115", "STC-QLNS"),  # 5 for S among letters
        ("Số: 93/UBND-ICKH", "93", "UBND-TCKH"),  # I for the T of TC
        ("Số: 15/2025/QĐ-UBND", "15", "2025/QĐ-UBND"),  # the year's 5 stays a 5
    ],
)
def test_the_number_and_symbol_survive_ocr_slips(read, number, notation):
    scan = decision(
        number=line(
            340, centred(AGENCY, read), centred(NATION, "Bến Tre, ngày 20 tháng 11 năm 2026")
        )
    )

    got = values(propose([scan], directory=DIRECTORY, document_types=TYPES))

    assert (got["code_number"], got["code_notation"]) == (number, notation)


@pytest.mark.parametrize("read", ["Số:        /QĐ-STC", "Số: QĐ-STC", "Sổ tay công tác văn thư"])
def test_a_number_left_blank_or_a_line_that_only_starts_like_one_gives_no_number(read):
    scan = decision(
        number=line(
            340, centred(AGENCY, read), centred(NATION, "Bến Tre, ngày 20 tháng 11 năm 2026")
        )
    )

    got = values(propose([scan], directory=DIRECTORY, document_types=TYPES))

    assert "code_number" not in got and "code_notation" not in got
    assert got["issued_date"] == "20/11/2026"


@pytest.mark.parametrize(
    ("read", "date", "place"),
    [
        ("Bến Tre, ngày 05 tháng 01 năm 2026", "05/01/2026", "Bến Tre"),
        ("Bến Tre, ngày 5 tháng 1 năm 2026", "05/01/2026", "Bến Tre"),
        ("Châu Thành, ngày O5 tháng 0l năm 2026", "05/01/2026", "Châu Thành"),
        ("Hà Nội, ngày 29 tháng 02 năm 2024", "29/02/2024", "Hà Nội"),
        ("Mỏ Cày Nam ngày 31 tháng 12 năm 2025", "31/12/2025", "Mỏ Cày Nam"),
        ("ngày 20 tháng 11 năm 2026", "20/11/2026", ""),
    ],
)
def test_the_date_line_gives_the_date_and_the_place(read, date, place):
    scan = decision(number=line(340, centred(AGENCY, "Số: 15/QĐ-STC"), centred(NATION, read)))

    proposal = propose([scan], directory=DIRECTORY, document_types=TYPES)

    assert proposal.fields["issued_date"].value == date
    assert proposal.place == place


@pytest.mark.parametrize(
    "read",
    [
        "Bến Tre, ngày 31 tháng 02 năm 2026",  # no such day
        "Bến Tre, ngày 29 tháng 02 năm 2025",  # not a leap year
        "Bến Tre, ngày 12 tháng 13 năm 2026",
        "Bến Tre, ngày 12 tháng 10 năm 1026",  # a year OCR got wrong
        "Bến Tre, ngày tháng năm 2026",  # left blank
    ],
)
def test_a_date_that_is_not_a_real_date_is_not_proposed(read):
    scan = decision(number=line(340, centred(AGENCY, "Số: 15/QĐ-STC"), centred(NATION, read)))

    proposal = propose([scan], directory=DIRECTORY, document_types=TYPES)

    assert "issued_date" not in proposal.fields
    assert proposal.place == ""


@pytest.mark.parametrize(
    ("stamp", "urgency"),
    [
        ("KHẨN", Urgency.URGENT),
        ("THƯỢNG KHẨN", Urgency.VERY_URGENT),
        ("HỎA TỐC", Urgency.FLASH),
        ("HOẢ TỐC", Urgency.FLASH),
        ("HOA TOC", Urgency.FLASH),  # the diacritics lost
    ],
)
def test_an_urgency_stamp_under_the_number_gives_the_urgency(stamp, urgency):
    scan = decision(mark=line(400, centred(AGENCY, stamp)))

    proposal = propose([scan], directory=DIRECTORY, document_types=TYPES)

    assert proposal.fields["urgency"].value == str(urgency.value)
    assert proposal.fields["urgency"].read == stamp
    assert proposal.fields["urgency"].note == f"Độ khẩn: {urgency.label}."


def test_the_urgency_values_are_those_of_the_model():
    assert dict(_URGENCY_MARKS.values()) == {
        level.value: level.label for level in Urgency if level != Urgency.NORMAL
    }


def test_urgent_words_inside_the_text_are_not_a_stamp():
    # "khẩn trương" in the body, "Khẩn" in a subject: words in a sentence, not a stamp.
    scan = decision(subject2=line(556, centred(MIDDLE, "KHẨN TRƯƠNG kiểm kê Khẩn")))

    assert "urgency" not in propose([scan], directory=DIRECTORY, document_types=TYPES).fields


def test_a_collective_signature_and_a_competence_misread():
    scan = decision(
        recipients=line(900, at(LEFT, "An nhận:"), centred(NATION, "TM. ỦY BAN NHÂN DÂN")),
        recipient=line(950, at(LEFT, "- Như trên;"), centred(NATION, "KT. CHỦ TICH")),
        archive=line(1000, at(LEFT, "- Lưu: VT."), centred(NATION, "1 CHỦ TỊCH")),
        name=line(1200, centred(NATION, "TRẦN VĂN AN")),
    )

    got = values(propose([scan], directory=DIRECTORY, document_types=TYPES))

    # Under KT. only the deputy signs: "1 CHỦ TỊCH" is the vice-chairman OCR cut short.
    assert got["signer_position"] == "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, Phó Chủ tịch"
    assert got["signer_name"] == "Trần Văn An"


def test_the_head_signing_alone_and_the_recipients_block_are_told_apart():
    scan = decision(
        recipients=line(900, at(LEFT, "Nơi nhận:"), centred(NATION, "GIÁM ĐỐC")),
        recipient=line(950, at(LEFT, "- Như Điều 3;")),
        archive=line(1000, at(LEFT, "- Lưu: VT, Nguyễn Văn Bình.")),
    )

    got = values(propose([scan], directory=DIRECTORY, document_types=TYPES))

    assert got["signer_position"] == "Giám đốc"
    assert got["signer_name"] == "Nguyễn Thị Hồng Nhung"


def test_a_name_missing_a_word_under_the_seal_is_not_proposed():
    # OCR lost "Nguyễn" under the seal: what is left stands off the centre of the block.
    scan = decision(name=line(1200, at(NATION - _width("Nguyễn Thị Hồng Nhung") // 2 + 150,
                                       "Thị Hồng Nhung")))  # fmt: skip

    got = values(propose([scan], directory=DIRECTORY, document_types=TYPES))

    assert "signer_name" not in got
    assert got["signer_position"] == "KT. GIÁM ĐỐC, Phó Giám đốc"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        (("UBND TỈNH BẾN TRE", "SỞ TÀI CHÍNH"), f"Sở Tài chính – {BEN_TRE}"),
        (("UBND TINH BEN TRE", "SỞ TÀl CHÍNH"), f"Sở Tài chính – {BEN_TRE}"),  # slips
        (("ỦY BAN NHÂN DÂN", "TỈNH BẾN TRE"), BEN_TRE),
        (("ỦY BAN NHÂN DẪN", "TỈNH BÊN TRE"), BEN_TRE),
        (("UBND TỈNH BẾN TRE", "VĂN PHÒNG"), f"Văn phòng Ủy ban nhân dân tỉnh – {BEN_TRE}"),
        (("ỦY BAN NHÂN DÂN", "HUYỆN CHÂU THÀNH"), f"Ủy ban nhân dân huyện Châu Thành – {BEN_TRE}"),
        (("UBND TỈNH VĨNH LONG", "SỞ TÀI CHÍNH"), "Sở Tài chính tỉnh Vĩnh Long"),
        (("BỘ NỘI VỤ",), "Bộ Nội vụ"),
        (("ỦY BAN NHÂN DÂN", "TỈNH TRÀ VINH"), "Ủy ban nhân dân tỉnh Trà Vinh"),
    ],
)
def test_the_heading_is_matched_in_the_directory_despite_ocr_slips(heading, expected):
    entry, score = match_directory(heading, DIRECTORY)

    assert entry is not None and entry.name == expected
    assert score >= 0.85


@pytest.mark.parametrize(
    "heading",
    [
        ("UBND TỈNH TIỀN GIANG", "SỞ TÀI CHÍNH"),  # another province's department
        ("UBND TỈNH BẾN TRE", "SỞ Y TẾ"),  # a department not in the directory
        ("BỘ TƯ PHÁP",),
        ("CỘNG HÒA XÃ HỘI",),
    ],
)
def test_a_body_not_in_the_directory_matches_nothing(heading):
    assert match_directory(heading, DIRECTORY)[0] is None


def test_the_rule_under_the_issuer_read_as_letters_is_left_out():
    ministry = decision(
        parent=line(200, centred(AGENCY, "BỘ NỘI VỤ"),
                    centred(NATION, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        unit=line(250, centred(AGENCY, "ST T6"), centred(NATION, "Độc lập - Tự do - Hạnh phúc")),
    )  # fmt: skip

    proposal = propose([ministry], directory=DIRECTORY, document_types=TYPES)

    assert proposal.fields["issuer_name"].value == "Bộ Nội vụ"
    assert proposal.fields["issuer_name"].read == "BỘ NỘI VỤ"


def test_an_outside_agency_gives_its_name_and_code_and_an_unknown_one_its_heading():
    ministry = decision(
        parent=line(200, centred(AGENCY, "BỘ NỘI VỤ"),
                    centred(NATION, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
        unit=line(250, centred(NATION, "Độc lập - Tự do - Hạnh phúc")),
    )  # fmt: skip
    got = values(propose([ministry], directory=DIRECTORY, document_types=TYPES))
    assert (got["issuer_name"], got["issuer_code"]) == ("Bộ Nội vụ", "000.00.00.G12")
    assert "issuer_unit" not in got

    elsewhere = decision(
        parent=line(200, centred(AGENCY, "UBND TỈNH TIỀN GIANG"),
                    centred(NATION, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
    )  # fmt: skip
    proposal = propose([elsewhere], directory=DIRECTORY, document_types=TYPES)
    got = values(proposal)
    assert got["issuer_name"] == "UBND TỈNH TIỀN GIANG SỞ TÀI CHÍNH"
    assert "issuer_unit" not in got and "issuer_code" not in got
    assert proposal.fields["issuer_name"].note.startswith("Không có trong danh bạ")


def test_two_entries_alike_are_not_chosen_between():
    twins = [
        DirectoryEntry(f"Sở Tài chính – {BEN_TRE}", "000.00.02.H07", 2),
        DirectoryEntry(f"Sở Tài chính – {BEN_TRE}", "000.00.92.H07", 9),  # a copy
    ]

    assert match_directory(("UBND TỈNH BẾN TRE", "SỞ TÀI CHÍNH"), twins)[0] is None


def test_a_page_without_the_layout_proposes_nothing():
    assert propose([]).fields == {}
    assert propose([page()]).fields == {}
    plain = page(*body(300), line(900, at(LEFT, "Đây là một trang không theo thể thức.")))
    assert propose([plain], directory=DIRECTORY, document_types=TYPES).fields == {}


def test_only_the_first_page_is_read():
    second = decision(
        number=line(340, centred(AGENCY, "Số: 99/QĐ-STC"),
                    centred(NATION, "Bến Tre, ngày 21 tháng 11 năm 2026"))
    )  # fmt: skip

    got = values(propose([decision(), second], directory=DIRECTORY, document_types=TYPES))

    assert got["code_number"] == "15"


def test_the_subject_is_cut_at_500_characters():
    about = [line(400, centred(AGENCY, "V/v kiểm kê tài sản công"))] + [
        line(446 + 46 * i, centred(AGENCY, "tại các cơ quan, đơn vị thuộc tỉnh")) for i in range(20)
    ]
    head = [ln for ln in decision().lines if ln.box[1] < 400]
    scan = page(*head, *about, *body(1500))

    subject = propose([scan], document_types=TYPES).fields["subject"].value

    assert len(subject) == 500
    assert subject.startswith("Kiểm kê tài sản công tại các cơ quan")


# ---------------------------------------------------------------- real scans, real OCR


@pytest.fixture
def ocr_on(settings):
    require_ocr(settings)
    settings.VANBAN_OCRMYPDF = "ocrmypdf"
    return settings


def _scan(seed: str, **truth_changes):
    rng = random.Random(seed)
    truth = scan_corpus.sample_truth(rng)
    truth.update(truth_changes)
    return truth, rng


def _corpus_directory() -> list[DirectoryEntry]:
    return [DirectoryEntry(**entry) for entry in scan_corpus.directory_entries()]


def _corpus_types() -> list[tuple[int, str]]:
    return list(enumerate((t[0] for t in scan_corpus.TYPES), start=1))


def test_real_scans_through_the_ocr_engine(ocr_on):
    """Three scans of the benchmark's generator (benchmarks/scan_corpus.py) at 200 dpi, read by
    OCRmyPDF and Tesseract: a decision of a department with an urgency stamp on a page fed
    askew, an official letter of a ministry stamped MẬT as a JPEG, an invitation of a district
    with a seal over the signature as a PDF."""
    directory, types = _corpus_directory(), _corpus_types()
    type_ids = {name: str(type_id) for type_id, name in types}
    issuers = {issuer.name: issuer for issuer in scan_corpus.ISSUERS}
    cases = [
        (
            "decision",
            {
                "issuer": issuers[f"Sở Tài chính – {scan_corpus.BT}"],
                "type_name": "Quyết định", "title": "QUYẾT ĐỊNH", "number": "15",
                "notation": "QĐ-STC",
                "subject": "Về việc phê duyệt kế hoạch kiểm kê tài sản công năm 2026",
                "position_lines": ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], "signer_name": "Lê Thanh Hải",
                "urgency_mark": "HỎA TỐC", "urgency": 3, "secrecy": "", "with_seal": False,
            },
            "png",
            1.5,
        ),
        (
            "letter",
            {
                "issuer": issuers["Bộ Nội vụ"], "type_name": "Công văn", "title": "",
                "number": "1234",
                "notation": "BNV-VTLTNN", "subject": "Hướng dẫn lập hồ sơ điện tử năm 2026",
                "position_lines": ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"], "signer_name": "Trần Văn Bình",
                "urgency_mark": "", "urgency": 0, "secrecy": "MẬT", "with_seal": False,
            },
            "jpeg",
            0.0,
        ),
        (
            "invitation",
            {
                "issuer": issuers[f"Ủy ban nhân dân huyện Châu Thành – {scan_corpus.BT}"],
                "type_name": "Giấy mời", "title": "GIẤY MỜI", "number": "07", "notation": "GM-UBND",
                "subject": "Dự hội nghị tổng kết công tác văn thư, lưu trữ năm 2026",
                "position_lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "signer_name": "Võ Minh Tâm",
                "urgency_mark": "", "urgency": 0, "secrecy": "", "with_seal": True,
            },
            "pdf",
            -1.0,
        ),
    ]  # fmt: skip
    from PIL import Image

    from vanban.documents.ocr_layout import scan_secrecy_marks

    for name, changes, file_format, skew in cases:
        truth, rng = _scan(f"test:{name}", **changes)
        image = scan_corpus.rasterise(scan_corpus.render(scan_corpus.page_html(truth, rng)), 200)
        if skew:
            image = image.rotate(skew, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
        data = scan_corpus.save(image, file_format, 200)

        result = ocr_scan(data, file_format)
        got = values(propose(result.pages, directory=directory, document_types=types))

        expected = scan_corpus.truth_fields(truth)
        issuer = truth["issuer"]
        if issuer.in_system:
            assert directory[int(got["issuer_unit"]) - 1].name == issuer.name, name
        else:
            assert (got["issuer_name"], got["issuer_code"]) == (issuer.name, issuer.code), name
        assert got["code_number"] == expected["code_number"], name
        assert got["code_notation"] == expected["code_notation"], name
        assert got["issued_date"] == expected["issued_date"], name
        assert got["document_type"] == type_ids[truth["type_name"]], name
        assert got["subject"] == expected["subject"], name
        assert got["signer_position"] == expected["signer_position"], name
        assert got.get("urgency", "0") == expected["urgency"], name
        if not truth["with_seal"]:
            assert got["signer_name"] == expected["signer_name"], name
        assert scan_secrecy_marks(result.pages) == ([truth["secrecy"]] if truth["secrecy"] else [])


@pytest.mark.parametrize(
    ("read", "name"),
    [
        ("Bui Đức Dũng", "Bùi Đức Dũng"),  # marks lost
        ("Ngưyên Văn An", "Nguyễn Văn An"),  # marks misplaced
        ("Jữyên Đức Long", "Nguyễn Đức Long"),  # "Ng" misread: no Vietnamese word has a j
        ("Dặãñg Minh Hùng", "Đặng Minh Hùng"),  # ñ, and two tones in a syllable
        ("Bủúi Hữu Tâm", "Bùi Hữu Tâm"),
        ("Doãn Văn Tư", "Doãn Văn Tư"),  # Doãn and Đoàn differ only by marks: kept as read
        ("Hầu Thị Mai", "Hầu Thị Mai"),
        ("Kpă Thị Hơ", "Kpă Thị Hơ"),  # a name not in the list is kept as read
    ],
)
def test_the_family_name_is_spelled_as_names_are(read, name):
    scan = decision(name=line(1200, centred(NATION, read)))

    assert propose([scan]).fields["signer_name"].value == name


def test_the_subject_set_apart_from_a_large_title_ends_where_the_body_starts():
    scan = decision(
        # A title set larger than the text leaves most of a line before the subject.
        subject1=line(536, centred(MIDDLE, "Về việc phê duyệt kế hoạch kiểm kê tài sản công")),
        subject2=line(582, centred(MIDDLE, "tại các cơ quan, đơn vị năm 2026")),
        # The body follows closely: its first line runs to the right margin.
        body1=line(628, at(LEFT + 110, BODY[0])),
    )

    subject = propose([scan], document_types=TYPES).fields["subject"].value

    assert subject == (
        "Về việc phê duyệt kế hoạch kiểm kê tài sản công tại các cơ quan, đơn vị năm 2026"
    )


@pytest.mark.parametrize(
    ("competence", "kept", "position"),
    [
        ("TM. ỦY BAN NHÂN DÂN", "TỊCH", "TM. ỦY BAN NHÂN DÂN, Chủ tịch"),
        ("KT. GIÁM ĐỐC", "GIÁM ĐỐC", "KT. GIÁM ĐỐC, Phó Giám đốc"),
        ("KT. GIÁM ĐỐC", "ĐỐC", "KT. GIÁM ĐỐC, Phó Giám đốc"),
        ("", "TỊCH", "Chủ tịch"),  # no deputy signs without KT.
        ("", "ĐỐC", None),  # Giám đốc or Tổng Giám đốc: not told
        ("KT. BỘ TRƯỞNG", "Ạ", "KT. BỘ TRƯỞNG, Thứ trưởng"),  # the deputy's line lost
        ("", "NG", None),
    ],
)
def test_a_position_line_half_lost_under_the_seal(competence, kept, position):
    beside = [centred(NATION, competence)] if competence else []
    scan = decision(
        recipients=line(900, at(LEFT, "Nơi nhận:"), *beside),
        recipient=line(950, at(LEFT, "- Như trên;"), centred(NATION + 60, kept)),
    )

    proposal = propose([scan], directory=DIRECTORY, document_types=TYPES)

    assert values(proposal).get("signer_position") == position


def test_a_province_sized_directory_finds_the_one_office_among_its_namesakes():
    offices = ("Phòng Nội vụ", "Phòng Y tế", "Phòng Tư pháp", "Văn phòng HĐND và UBND")
    firsts = ("An", "Bình", "Phú", "Tân", "Mỹ", "Long", "Hòa")
    seconds = ("Khánh", "Thới", "Lợi", "Hiệp", "Đông", "Tây", "Hưng", "Thành")
    communes = [f"xã {a} {b}" for a in firsts for b in seconds]
    directory = list(DIRECTORY)
    for number, commune in enumerate(communes):
        directory.append(DirectoryEntry(f"Ủy ban nhân dân {commune} – {BEN_TRE}", "", 100 + number))
        for office in offices:
            directory.append(DirectoryEntry(f"{office} – Ủy ban nhân dân {commune}", "", None))
    directory.append(DirectoryEntry("Phòng Y tế – Ủy ban nhân dân xã Phú Hưng", "", 999))
    directory.remove(DirectoryEntry("Phòng Y tế – Ủy ban nhân dân xã Phú Hưng", "", None))

    entry, _score = match_directory(("UBND XÃ PHÚ HƯNG", "PHÒNG Y TÉ"), directory)

    assert len(directory) > 250
    assert entry is not None and entry.unit_id == 999


def test_a_name_in_a_foreign_alphabet_or_in_the_seal_s_small_letters_is_not_proposed():
    foreign = decision(name=line(1200, centred(NATION, "Trần Văn Ñam")))
    assert "signer_name" not in propose([foreign]).fields

    # Centred under the positions, but in letters half as tall as theirs.
    seal_words = [OcrWord(w, 80.0, (x, 1100, x + 10 * len(w), 1118)) for x, w in
                  ((NATION - 75, "Giàn"), (NATION - 20, "Dục"), (NATION + 25, "Đào"))]  # fmt: skip
    seal = OcrLine(tuple(seal_words), (NATION - 75, 1100, NATION + 55, 1118))
    small = decision(name=None, seal=seal)
    assert "signer_name" not in propose([small]).fields
