"""R8: the account-change report as a PDF document in the administrative layout."""

import io
import time
import unicodedata

import pypdf
import pytest
from fontTools.ttLib import TTFont

from tests.support.reports import PDF_URL, local
from vanban.accounts import services
from vanban.core import clock
from vanban.reports.pdf import font_paths

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]

Q4 = {"period": "quarter", "year": "2026", "quarter": "4"}
TITLE = "BÁO CÁO BIẾN ĐỘNG TÀI KHOẢN SỬ DỤNG PHẦN MỀM QUẢN LÝ VĂN BẢN VÀ ĐIỀU HÀNH"


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [
        " ".join(unicodedata.normalize("NFC", page.extract_text()).split()) for page in reader.pages
    ]


def postscript_name(font: TTFont) -> str:
    return str(font["name"].getDebugName(6))


def embedded_fonts(reader: pypdf.PdfReader) -> dict[str, str]:
    """PostScript name of every embedded font program, by the font's /BaseFont."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_data()
            fonts[str(font["/BaseFont"])] = postscript_name(TTFont(io.BytesIO(program)))
    return fonts


def get_pdf(client, params):  # type: ignore[no-untyped-def]
    with clock.frozen(local(2026, 11, 25, 15, 30)):
        return client.get(PDF_URL, params)


def test_pdf_report_in_the_administrative_layout(province, scenario, client_for):
    response = get_pdf(client_for(province.admin_stttt), {"unit": province.stttt.pk, **Q4})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-bien-dong-tai-khoan-stttt-2026-q4.pdf"'
    )
    assert response.content.startswith(b"%PDF-")

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = page_texts(reader)
    text = " ".join(pages)
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH BẾN TRE",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Số: /BC-STTTT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bến Tre, ngày 25 tháng 11 năm 2026",
        TITLE,
        "Từ ngày 01/10/2026 đến ngày 31/12/2026",
        "Kính gửi: Sở Thông tin và Truyền thông",
        "Cấp mới Xóa khỏi đơn vị Tạm khóa Mở khóa Thu hồi Tổng cộng 2 1 3 1 1 8",
        "Nơi nhận:",
        "- Như trên;",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert expected in text, expected
    # Table cells wrap inside narrow columns: compare them without spaces.
    compact = text.replace(" ", "")
    for expected in (
        "Đặng Thị Ánh",
        scenario.anh.username,
        "Phó Trưởng phòng Bưu chính",
        "Nguyễn Thu Phương",
        "Theo Công văn số 15/STTTT-VP",
        "Hệ thống (tự động)",
        "Trần Văn Quản",
        "Ngô Bảo Châu",
        "31/12/2026 23:59",
    ):
        assert expected.replace(" ", "") in compact, expected
    for outside in ("Lý Thị Xuân", "Huỳnh Ngọc Lan"):
        assert outside.replace(" ", "") not in compact

    # A4 portrait, and "Trang x/y" in the footer of every page.
    for number, (page, page_text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
        assert f"Trang {number}/{len(pages)}" in page_text

    # Only the DejaVu Serif files shipped with vanban are embedded, never a font of the server.
    fonts = embedded_fonts(reader)
    shipped = {postscript_name(TTFont(path)) for path in font_paths().values()}
    assert {"DejaVuSerif", "DejaVuSerif-Bold"} <= set(fonts.values()) <= shipped
    assert all("Vanban-DejaVu-Serif" in name for name in fonts)


def test_pdf_of_a_long_report_runs_over_several_numbered_pages(province, client_for):
    with clock.frozen(local(2026, 10, 2, 8, 0)):
        for n in range(60):
            services.account_create(
                actor=province.admin_stttt,
                unit=province.stttt,
                full_name=f"Trần Thị Hạnh {n:02d}",
                position="Chuyên viên phòng Công nghệ thông tin",
            )
    response = get_pdf(client_for(province.admin_stttt), {"unit": province.stttt.pk, **Q4})
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = page_texts(reader)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in text
    # The table header is repeated at the top of each page it runs onto.
    table_pages = [text for text in pages if "Trần Thị Hạnh" in text]
    assert len(table_pages) >= 3
    assert all("STT Họ và tên Tên tài khoản Chức vụ" in text for text in table_pages)
    assert "Trần Thị Hạnh 00" in pages[0]
    assert "Trần Thị Hạnh 59" in pages[-1]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in pages[-1]


def test_the_same_report_gives_the_same_file(province, scenario, client_for):
    client = client_for(province.admin_stttt)
    first = get_pdf(client, {"unit": province.stttt.pk, **Q4}).content
    second = get_pdf(client, {"unit": province.stttt.pk, **Q4}).content
    assert first == second


def test_the_same_report_a_second_later_without_harfbuzz_subset_gives_the_same_file(
    province, scenario, client_for, monkeypatch
):
    """A machine without Debian's libharfbuzz-subset0 (a fresh one, before any browser is
    installed): WeasyPrint subsets the fonts with fontTools, which stamps the time of the subset
    into each font unless SOURCE_DATE_EPOCH fixes it (reports/pdf.py)."""
    import weasyprint.pdf.fonts

    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    client = client_for(province.admin_stttt)
    first = get_pdf(client, {"unit": province.stttt.pk, **Q4}).content
    time.sleep(1.1)  # the subset's time stamp counts whole seconds
    second = get_pdf(client, {"unit": province.stttt.pk, **Q4}).content
    assert first == second


def test_pdf_of_a_month_and_of_chosen_dates_are_named_after_the_period(
    province, scenario, client_for
):
    client = client_for(province.province_admin)
    response = get_pdf(
        client, {"unit": province.snv.pk, "period": "month", "year": "2026", "month": "11"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-bien-dong-tai-khoan-snv-2026-11.pdf"'
    )
    text = " ".join(page_texts(pypdf.PdfReader(io.BytesIO(response.content))))
    assert "SỞ NỘI VỤ" in text
    assert "Huỳnh Ngọc Lan" in text
    assert "Võ Thanh Tâm" in text
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in text

    response = get_pdf(
        client,
        {"unit": province.stttt.pk, "period": "custom", "start": "01/01/2026", "end": "05/01/2026"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-bien-dong-tai-khoan-stttt-20260101-20260105.pdf"'
    )
    text = " ".join(page_texts(pypdf.PdfReader(io.BytesIO(response.content))))
    assert "Không có biến động tài khoản trong kỳ báo cáo." in text
