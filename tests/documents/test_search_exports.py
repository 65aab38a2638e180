"""Exports of the result list: every result of the search (up to the limit) as XLSX and PDF."""

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from tests.documents.test_search import NOW, incoming
from tests.documents.test_search_pages import counted
from tests.support.documents import doc_type
from vanban.core import clock
from vanban.documents import search
from vanban.documents.models import Urgency

pytestmark = pytest.mark.django_db

URL = "/van-ban/tim-kiem/"
HEADER = [
    "STT",
    "Số, ký hiệu",
    "Ngày văn bản",
    "Loại văn bản, trích yếu",
    "Cơ quan ban hành",
    "Đến / đi",
    "Độ khẩn",
]


@pytest.fixture
def three(office):
    """Three matching documents of the clerk's unit, one of another unit, one not matching."""
    made = [
        incoming(
            office,
            at=NOW + dt.timedelta(minutes=i),
            code_number=str(40 + i),
            subject=f"Kế hoạch kiểm tra đợt {word}",
            urgency=urgency,
            issued_date=dt.date(2026, 11, 10 + i),
        )
        for i, (word, urgency) in enumerate(
            [("một", Urgency.NORMAL), ("hai", Urgency.URGENT), ("ba", Urgency.FLASH)]
        )
    ]
    incoming(
        office,
        subject="Kế hoạch kiểm tra của Sở Nội vụ",
        clerk=office.clerk_snv,
        unit=office.province.snv,
    )
    incoming(
        office,
        at=NOW + dt.timedelta(minutes=10),
        subject="Giấy mời họp",
        document_type=doc_type("Giấy mời"),
        code_notation="GM-UBND",
    )
    return made


def sheet_of(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook.active


def data_rows(sheet) -> list[list]:
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values.index(HEADER)
    return values[header + 1 :]


def test_xlsx_holds_every_result_not_just_the_page(office, client_for, three, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    with clock.frozen(NOW):
        response = client_for(office.clerk).get(URL + "xuat/xlsx/", {"q": "ke hoach kiem tra"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports_xlsx_type()
    assert (
        'attachment; filename="ket-qua-tim-kiem-van-ban-20261125-'
        in response["Content-Disposition"]
    )
    sheet = sheet_of(response)
    assert sheet["A1"].value == "Kết quả tìm kiếm văn bản “ke hoach kiem tra” – ngày 25/11/2026"
    assert sheet["A2"].value == "Điều kiện tìm kiếm: từ khóa “ke hoach kiem tra”."
    assert sheet["A3"].value.startswith("Người xuất: Võ Thị Thu Trang, lúc ")
    assert sheet["A4"].value == "Gồm 3 văn bản (mỗi lần xuất tối đa 10.000 văn bản)."
    rows = data_rows(sheet)
    assert rows == [
        [
            1,
            "42/QĐ-UBND",
            dt.datetime(2026, 11, 12),
            "Quyết định – Kế hoạch kiểm tra đợt ba",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Đến, số đến 3",
            "Hỏa tốc",
        ],
        [
            2,
            "41/QĐ-UBND",
            dt.datetime(2026, 11, 11),
            "Quyết định – Kế hoạch kiểm tra đợt hai",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Đến, số đến 2",
            "Khẩn",
        ],
        [
            3,
            "40/QĐ-UBND",
            dt.datetime(2026, 11, 10),
            "Quyết định – Kế hoạch kiểm tra đợt một",
            "Ủy ban nhân dân tỉnh Bến Tre",
            "Đến, số đến 1",
            "Thường",
        ],
    ]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "STT")
    assert sheet.cell(row=header_row[0].row + 1, column=3).number_format == "DD/MM/YYYY"


def exports_xlsx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_follows_filters_and_sorting(office, client_for, three):
    response = client_for(office.clerk).get(
        URL + "xuat/xlsx/", {"q": "kiem tra", "sort": "oldest", "urgency": "1"}
    )
    sheet = sheet_of(response)
    assert [row[1] for row in data_rows(sheet)] == ["41/QĐ-UBND"]
    assert sheet["A2"].value == "Điều kiện tìm kiếm: từ khóa “kiem tra”; độ khẩn Khẩn."
    everything = sheet_of(client_for(office.clerk).get(URL + "xuat/xlsx/", {"sort": "oldest"}))
    assert [row[1] for row in data_rows(everything)] == [
        "40/QĐ-UBND",
        "41/QĐ-UBND",
        "42/QĐ-UBND",
        "15/GM-UBND",
    ]
    assert everything["A2"].value == "Điều kiện tìm kiếm: mọi văn bản được xem."


def test_exports_stop_at_the_limit_and_say_so(office, client_for, three, monkeypatch):
    monkeypatch.setattr(search, "EXPORT_LIMIT", 2)
    monkeypatch.setattr(search, "PDF_EXPORT_LIMIT", 1)
    client = client_for(office.clerk)
    sheet = sheet_of(client.get(URL + "xuat/xlsx/", {"q": "ke hoach"}))
    assert [row[1] for row in data_rows(sheet)] == ["42/QĐ-UBND", "41/QĐ-UBND"]
    assert sheet["A4"].value == (
        "Tìm được hơn 2 văn bản; danh sách chỉ gồm 2 văn bản đầu tiên theo thứ tự đã chọn "
        "(giới hạn mỗi lần xuất). Hãy thu hẹp điều kiện để xuất đủ."
    )
    text = pdf_text(client.get(URL + "xuat/pdf/", {"q": "ke hoach"}))
    assert "42/QĐ-UBND" in text and "41/QĐ-UBND" not in text
    assert "Tìm được hơn 1 văn bản; danh sách chỉ gồm 1 văn bản đầu tiên" in text
    html = client.get(URL, {"q": "ke hoach"}).content.decode()
    assert (
        "Mỗi lần xuất tối đa 2 văn bản ra Excel và 1 văn bản ra PDF; kết quả này có nhiều "
        "hơn nên chỉ những văn bản đầu tiên (theo thứ tự đang chọn) được xuất."
    ) in html
    html = client.get(URL, {"q": "dot hai"}).content.decode()
    assert "Mỗi lần xuất tối đa 2 văn bản ra Excel và 1 văn bản ra PDF." in html
    monkeypatch.setattr(search, "EXPORT_LIMIT", 5)
    html = client.get(URL, {"q": "ke hoach"}).content.decode()
    assert (
        "bản PDF chỉ gồm 1 văn bản đầu tiên (theo thứ tự đang chọn), bản Excel gồm đủ kết quả."
    ) in html


def test_a_count_capped_below_the_sheet_limit_does_not_promise_every_result(
    office, client_for, three, monkeypatch
):
    # Three results, one per page, counted up to 2: the page cannot know whether the
    # spreadsheet's limit (10 here) holds them all, and says "at most".
    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(search, "EXPORT_LIMIT", 10)
    monkeypatch.setattr(search, "PDF_EXPORT_LIMIT", 1)
    client = client_for(office.clerk)
    html = counted(client, client.get(URL, {"q": "ke hoach"}))
    assert "khoảng hơn 2 kết quả" in html
    assert (
        "bản PDF chỉ gồm 1 văn bản đầu tiên (theo thứ tự đang chọn), bản Excel gồm tối đa 10 "
        "văn bản đầu tiên."
    ) in html
    assert "bản Excel gồm đủ kết quả" not in html


def test_the_page_states_the_export_limits(office, client_for, three):
    html = client_for(office.clerk).get(URL, {"q": "ke hoach"}).content.decode()
    assert "Mỗi lần xuất tối đa 10.000 văn bản ra Excel và 1.000 văn bản ra PDF." in html
    assert 'href="/van-ban/tim-kiem/xuat/xlsx/?q=ke+hoach"' in html
    assert 'href="/van-ban/tim-kiem/xuat/pdf/?q=ke+hoach"' in html


def test_text_from_a_document_never_becomes_a_formula(office, client_for):
    incoming(
        office,
        issuer_name='=HYPERLINK("http://example.com","bấm vào đây")',
        issuer_code="",
        subject="Công văn\x0b có ký tự điều khiển",
    )
    sheet = sheet_of(client_for(office.clerk).get(URL + "xuat/xlsx/"))
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "STT")[0].row
    issuer = sheet.cell(row=header_row + 1, column=5)
    assert issuer.data_type == "s"
    assert issuer.value == '=HYPERLINK("http://example.com","bấm vào đây")'
    assert sheet.cell(row=header_row + 1, column=4).value == (
        "Quyết định – Công văn có ký tự điều khiển"
    )


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_a4_landscape_with_the_same_columns(office, client_for, three, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    with clock.frozen(NOW):
        response = client_for(office.clerk).get(URL + "xuat/pdf/", {"q": "ke hoach kiem tra"})
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = pdf_text(response)
    assert "Kết quả tìm kiếm văn bản “ke hoach kiem tra” – ngày 25/11/2026" in text
    for name in (
        "STT",
        "Số, ký hiệu",
        "Ngày văn bản",
        "Loại văn bản, trích yếu",
        "Cơ quan ban hành",
        "Đến / đi",
        "Độ khẩn",
    ):
        assert name in text, name
    for cell in (
        "42/QĐ-UBND",
        "41/QĐ-UBND",
        "40/QĐ-UBND",
        "12/11/2026",
        "đợt ba",
        "Hỏa tốc",
        "Đến, số đến 3",
        "Gồm 3 văn bản",
    ):
        assert cell in text, cell
    assert "Sở Nội vụ" not in text and "Giấy mời họp" not in text
    assert "Trang 1/1" in text


def test_an_empty_export_says_nothing_was_found(office, client_for):
    text = pdf_text(client_for(office.clerk).get(URL + "xuat/pdf/", {"q": "sau rieng"}))
    assert "Không có văn bản phù hợp với điều kiện tìm kiếm." in text
    sheet = sheet_of(client_for(office.clerk).get(URL + "xuat/xlsx/", {"q": "sau rieng"}))
    assert data_rows(sheet) == []
    assert sheet["A4"].value == "Gồm 0 văn bản (mỗi lần xuất tối đa 10.000 văn bản)."
    assert "Gồm 0 văn bản (mỗi lần xuất tối đa 1.000 văn bản)." in text


def test_exports_hold_only_what_the_person_may_see(office, client_for, three):
    staff = office.province.staff_stttt
    sheet = sheet_of(client_for(staff).get(URL + "xuat/xlsx/"))
    assert data_rows(sheet) == []
    snv = sheet_of(client_for(office.clerk_snv).get(URL + "xuat/xlsx/", {"q": "ke hoach"}))
    assert [row[3] for row in data_rows(snv)] == ["Quyết định – Kế hoạch kiểm tra của Sở Nội vụ"]
