"""R17: the incoming and outgoing registers of a unit for a period, on the web and in print."""

import datetime as dt
import io
import re
import unicodedata
from html import unescape
from zoneinfo import ZoneInfo

import pypdf
import pytest

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import pdf_upload
from vanban.core import clock
from vanban.core.errors import NotFound
from vanban.documents import registers, services
from vanban.documents.models import Direction, Document, DocumentShare, RegisterSeries
from vanban.documents.services import DocumentInput
from vanban.reports.periods import Period

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
IN_URL = "/van-ban/so/den/"
IN_PDF_URL = "/van-ban/so/den/pdf/"
OUT_URL = "/van-ban/so/di/"
OUT_PDF_URL = "/van-ban/so/di/pdf/"
ALL_URLS = (IN_URL, IN_PDF_URL, OUT_URL, OUT_PDF_URL)
Q4 = {"period": "quarter", "year": "2026", "quarter": "4"}

INCOMING_HEADERS = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
OUTGOING_HEADERS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
SUBJECT = "về việc ban hành Quy chế quản lý văn bản điện tử"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def register_in(office, at: dt.datetime, *, unit=None, actor=None, **overrides) -> Document:
    overrides.setdefault("issued_date", at.date() - dt.timedelta(days=2))
    overrides.setdefault("subject", SUBJECT)
    with clock.frozen(at):
        return services.incoming_register(
            actor=actor or office.clerk,
            unit=unit or office.province.stttt,
            data=incoming_input(**overrides),
            refusals=DECLARED,
            main_file=scan(),
        )


def register_out(office, at: dt.datetime, type_name: str = "Quyết định", **overrides) -> Document:
    values = {
        "document_type": doc_type(type_name),
        "subject": SUBJECT,
        "recipients": "Các sở, ban, ngành tỉnh",
        "signer_name": "Phạm Minh Đức",
        "signer_position": "Giám đốc",
    }
    values.update(overrides)
    with clock.frozen(at):
        return services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=DocumentInput(**values),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )


def share(office, document: Document, user, at: dt.datetime) -> None:
    with clock.frozen(at):
        if user == office.leader and document.direction == Direction.INCOMING:
            # As presenting gives it (the processing's own share): an incoming document waiting
            # to be presented is not given to a leader for reading (share_rules).
            DocumentShare.objects.create(
                document=document, user=user, granted_by=office.clerk, granted_at=at
            )
        else:
            services.document_share(actor=office.clerk, document=document, user=user)


def cells(register: registers.Register) -> list[tuple[str, ...]]:
    return [row.cells for row in register.rows()]


def build(office, direction: str, period: Period, *, user=None, unit=None, series=None):
    return registers.register_build(
        user=user or office.clerk,
        unit=unit or office.province.stttt,
        direction=direction,
        period=period,
        series=series,
    )


def table(html: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (text of each cell) of the register table of a page."""
    found = re.search(r'<table id="register-table".*?</table>', html, re.S)
    assert found, "no register table"

    def text(cell: str) -> str:
        return " ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())

    head = re.search(r"<thead>(.*?)</thead>", found.group(0), re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", found.group(0), re.S).group(1)
    headers = [text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    rows = [
        [text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
    return headers, rows


def page_texts(pdf: bytes) -> tuple[pypdf.PdfReader, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    texts = [
        " ".join(unicodedata.normalize("NFC", page.extract_text()).split()) for page in reader.pages
    ]
    return reader, texts


def compact(text: str) -> str:
    """Table cells wrap inside narrow columns: compare their text without spaces."""
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the rows of a period


@pytest.fixture
def incoming(office):
    """Incoming documents around the fourth quarter of 2026 (Vietnam time):

    30/09 23:30  no. 1   third quarter (16:30 UTC on 30/09): outside
    01/10 00:30  no. 2   fourth quarter although it is still 30/09 in UTC; given to two people
    15/11 09:00  no. 3   with receiving units typed, a note and its own type name in the subject
    31/12 23:30  no. 4   last moment of the quarter (16:30 UTC on 31/12)
    01/01 00:00  no. 1   of 2027: outside
    20/11 10:00  Sở Nội vụ's no. 1: another unit, outside
    """
    p = office.province
    register_in(office, local(2026, 9, 30, 23, 30), code_number="10")
    second = register_in(office, local(2026, 10, 1, 0, 30), code_number="11")
    share(office, second, p.staff_stttt, local(2026, 10, 2, 8, 15))
    share(office, second, office.leader, local(2026, 10, 3, 9, 0))
    register_in(
        office,
        local(2026, 11, 15, 9, 0),
        document_type=doc_type("Công văn"),
        code_number="245",
        code_notation="UBND-VP",
        issued_date=dt.date(2026, 11, 12),
        subject="Công văn về việc góp ý dự thảo Kế hoạch chuyển đổi số",
        to_places="Phòng Công nghệ thông tin; Văn phòng Sở",
        description="Bản giấy, 3 trang",
    )
    register_in(
        office,
        local(2026, 12, 31, 23, 30),
        code_number="5",
        issuer_name="Bộ Nội vụ",
        issuer_code="",
    )
    register_in(office, local(2027, 1, 1, 0, 0), code_number="1")
    register_in(office, local(2026, 11, 20, 10, 0), unit=p.snv, actor=office.clerk_snv)
    return office


EXPECTED_IN_Q4 = [
    (
        "01/10/2026",
        "2",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "11/QĐ-UBND",
        "29/09/2026",
        "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "Nguyễn Thu Phương, Phạm Minh Đức",
        "02/10/2026",
        "",
        "",
    ),
    (
        "15/11/2026",
        "3",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "245/UBND-VP",
        "12/11/2026",
        "Công văn về việc góp ý dự thảo Kế hoạch chuyển đổi số",
        "Phòng Công nghệ thông tin; Văn phòng Sở",
        "",
        "",
        "Bản giấy, 3 trang",
    ),
    (
        "31/12/2026",
        "4",
        "Bộ Nội vụ",
        "05/QĐ-UBND",
        "29/12/2026",
        "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "",
        "",
        "",
        "",
    ),
]


def test_incoming_register_has_exactly_the_rows_of_the_quarter(incoming):
    register = build(incoming, Direction.INCOMING, Period.quarter(2026, 4))
    assert cells(register) == EXPECTED_IN_Q4
    assert register.total == 3
    assert register.number_lines == ["Từ số 2 đến số 4"]
    assert [c.header for c in register.columns] == INCOMING_HEADERS


def test_month_and_year_periods(incoming):
    october = build(incoming, Direction.INCOMING, Period.month(2026, 10))
    assert cells(october) == EXPECTED_IN_Q4[:1]
    september = build(incoming, Direction.INCOMING, Period.month(2026, 9))
    assert [row[1] for row in cells(september)] == ["1"]
    year = build(incoming, Direction.INCOMING, Period.year(2026))
    assert [row[1] for row in cells(year)] == ["1", "2", "3", "4"]
    assert year.number_lines == ["Từ số 1 đến số 4"]
    next_year = build(incoming, Direction.INCOMING, Period.year(2027))
    assert [(row[0], row[1]) for row in cells(next_year)] == [("01/01/2027", "1")]
    empty = build(incoming, Direction.INCOMING, Period.quarter(2026, 2))
    assert (cells(empty), empty.total) == ([], 0)


def test_the_other_unit_sees_only_its_own_register(incoming):
    p = incoming.province
    register = build(
        incoming, Direction.INCOMING, Period.quarter(2026, 4), user=incoming.clerk_snv, unit=p.snv
    )
    assert [(row[0], row[1]) for row in cells(register)] == [("20/11/2026", "1")]
    with pytest.raises(NotFound, match=r"^Không tìm thấy đơn vị\.$"):
        build(incoming, Direction.INCOMING, Period.quarter(2026, 4), user=incoming.clerk_snv)


@pytest.fixture
def outgoing(office):
    """Outgoing documents of 2026: a series per type for decisions, one series for the rest."""
    p = office.province
    with clock.frozen(local(2026, 9, 1, 8, 0)):
        decisions = services.series_create(
            actor=office.leader,
            unit=p.stttt,
            year=2026,
            direction=Direction.OUTGOING,
            document_type=doc_type("Quyết định"),
        )
    register_out(office, local(2026, 9, 30, 23, 30))  # QĐ no. 1: third quarter
    first = register_out(
        office,
        local(2026, 10, 1, 0, 30),
        archive_holder="Văn phòng Sở (01 bản)",
        issued_amount=5,
        description="Đăng Cổng thông tin điện tử",
    )
    share(office, first, p.staff_stttt, local(2026, 10, 1, 9, 0))
    register_out(
        office,
        local(2026, 10, 5, 14, 0),
        "Công văn",
        drafting_symbol="VP",
        subject="V/v đôn đốc báo cáo chuyển đổi số",
        signer_name="Trần Thị Mai",
    )
    register_out(office, local(2026, 12, 31, 23, 30), subject="Quyết định về việc khen thưởng")
    register_out(office, local(2027, 1, 1, 0, 0))  # 2027: outside
    office.decisions = decisions
    return office


EXPECTED_OUT_Q4 = [
    # "Sổ đăng ký văn bản đi" (every type without a series of its own), then the decisions' series.
    (
        "01/STTTT-VP",
        "05/10/2026",
        "Công văn V/v đôn đốc báo cáo chuyển đổi số",
        "Trần Thị Mai",
        "Các sở, ban, ngành tỉnh",
        "",
        "",
        "",
        "",
        "",
    ),
    (
        "02/QĐ-STTTT",
        "01/10/2026",
        "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "Phạm Minh Đức",
        "Các sở, ban, ngành tỉnh",
        "Văn phòng Sở (01 bản)",
        "5",
        "01/10/2026",
        "",
        "Đăng Cổng thông tin điện tử",
    ),
    (
        "03/QĐ-STTTT",
        "31/12/2026",
        "Quyết định về việc khen thưởng",
        "Phạm Minh Đức",
        "Các sở, ban, ngành tỉnh",
        "",
        "",
        "",
        "",
        "",
    ),
]


def test_outgoing_register_by_series_then_number(outgoing):
    register = build(outgoing, Direction.OUTGOING, Period.quarter(2026, 4))
    assert cells(register) == EXPECTED_OUT_Q4
    assert [c.header for c in register.columns] == OUTGOING_HEADERS
    assert register.number_lines == [
        "Sổ đăng ký văn bản đi: từ số 01 đến số 01",
        "Sổ đăng ký văn bản đi – Quyết định: từ số 02 đến số 03",
    ]
    only = build(outgoing, Direction.OUTGOING, Period.quarter(2026, 4), series=outgoing.decisions)
    assert cells(only) == EXPECTED_OUT_Q4[1:]
    assert only.number_lines == ["Từ số 02 đến số 03"]


# ---------------------------------------------------------------- the web table


def test_web_table_has_the_appendix_iv_columns_and_the_rows(incoming, client_for):
    response = client_for(incoming.clerk).get(IN_URL, {"unit": incoming.province.stttt.pk, **Q4})
    assert response.status_code == 200
    html = response.content.decode()
    headers, rows = table(html)
    assert headers == INCOMING_HEADERS
    assert [tuple(row) for row in rows] == EXPECTED_IN_Q4
    assert "Từ ngày 01/10/2026 đến ngày 31/12/2026" in html
    assert "Từ số 2 đến số 4" in html
    pdf_link = re.search(r'href="([^"]+)" id="register-pdf"', html).group(1)
    assert unescape(pdf_link) == (
        f"{IN_PDF_URL}?unit={incoming.province.stttt.pk}&period=quarter&year=2026&quarter=4"
    )


def test_web_outgoing_table_with_series_headings_and_one_series(outgoing, client_for):
    client = client_for(outgoing.leader)
    params = {"unit": outgoing.province.stttt.pk, **Q4}
    headers, rows = table(client.get(OUT_URL, params).content.decode())
    assert headers == OUTGOING_HEADERS
    assert rows == [
        ["Sổ đăng ký văn bản đi"],
        list(EXPECTED_OUT_Q4[0]),
        ["Sổ đăng ký văn bản đi – Quyết định"],
        *[list(row) for row in EXPECTED_OUT_Q4[1:]],
    ]
    response = client.get(OUT_URL, {**params, "series": outgoing.decisions.pk})
    assert response.status_code == 200
    assert table(response.content.decode())[1] == [list(row) for row in EXPECTED_OUT_Q4[1:]]


def test_without_parameters_the_page_shows_the_current_quarter_of_the_own_unit(
    incoming, client_for
):
    client = client_for(incoming.clerk)
    with clock.frozen(local(2026, 11, 25, 15, 0)):
        response = client.get(IN_URL)
    assert response.status_code == 200
    assert table(response.content.decode())[1] == [list(row) for row in EXPECTED_IN_Q4]


def test_a_long_register_is_shown_in_pages(office, client_for, monkeypatch):
    from vanban.documents import register_views

    monkeypatch.setattr(register_views, "PAGE_SIZE", 2)
    for n in range(5):
        register_in(office, local(2026, 10, 10 + n, 9, 0), code_number=str(20 + n))
    client = client_for(office.clerk)
    params = {"unit": office.province.stttt.pk, **Q4}
    numbers = []
    for page in ("1", "2", "3", "9", "x"):
        html = client.get(IN_URL, {**params, "page": page}).content.decode()
        numbers.append([row[1] for row in table(html)[1]])
    assert numbers == [["1", "2"], ["3", "4"], ["5"], ["5"], ["1", "2"]]


@pytest.mark.parametrize("url", [IN_URL, OUT_URL])
def test_query_count_does_not_grow_with_the_rows(
    office, client_for, django_assert_num_queries, url
):
    p = office.province
    client = client_for(office.clerk)
    params = {"unit": p.stttt.pk, **Q4}

    def add(count: int, first: int) -> None:
        for n in range(first, first + count):
            at = local(2026, 10, 5, 8, n)
            if url == IN_URL:
                document = register_in(office, at, code_number=str(100 + n))
            else:
                document = register_out(office, at, "Công văn" if n % 2 else "Quyết định")
            share(office, document, p.staff_stttt, at + dt.timedelta(hours=1))
            if n % 3:
                share(office, document, office.leader, at + dt.timedelta(hours=2))

    # Session, user, roles; the reader's register units with their ancestors, read once (the
    # default, the select, the check of the chosen one); the series of the select; the register's
    # spans, rows and shares; the menu's counts.
    add(3, 0)
    with django_assert_num_queries(9):
        response = client.get(url, params)
    assert len(table(response.content.decode())[1]) == 3
    add(27, 3)
    with django_assert_num_queries(9):
        response = client.get(url, params)
    assert len(table(response.content.decode())[1]) == 30


# ---------------------------------------------------------------- the printed register


def test_printed_incoming_register(incoming, client_for):
    client = client_for(incoming.clerk)
    response = client.get(IN_PDF_URL, {"unit": incoming.province.stttt.pk, **Q4})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="so-van-ban-den-stttt-2026-q4.pdf"'
    )
    reader, pages = page_texts(response.content)
    assert len(pages) == 2
    for page in reader.pages:  # A4 landscape
        assert round(float(page.mediabox.width)) == 842
        assert round(float(page.mediabox.height)) == 595

    cover = pages[0]
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH BẾN TRE",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Năm 2026",
        "Quý IV năm 2026",
        "Từ ngày 01/10/2026 đến ngày 31/12/2026",
        "Từ số 2 đến số 4",
    ):
        assert expected in cover, expected
    assert "Trang" not in cover

    body = compact(pages[1])
    for header in INCOMING_HEADERS:
        assert compact(header) in body, header
    for row in EXPECTED_IN_Q4:
        for cell in row:
            assert compact(cell) in body, cell
    assert compact("Quyết định về việc ban hành Quy chế quản lý văn bản điện tử") in body
    assert "Trang 2/2" in pages[1]
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("Vanban-DejaVu-Serif" in name for name in fonts), fonts
    for outside in ("10/QĐ-UBND", "30/09/2026", "01/01/2027", "20/11/2026"):
        assert outside not in body, outside


def test_printed_outgoing_register_runs_over_numbered_pages(office, client_for):
    for n in range(45):
        register_out(
            office,
            local(2026, 10, 1 + n % 28, 8, n),
            subject=f"về việc triển khai nhiệm vụ chuyển đổi số đợt {n + 1}",
            recipients="Ủy ban nhân dân các huyện, thành phố; các sở, ban, ngành tỉnh",
        )
    client = client_for(office.leader)
    response = client.get(
        OUT_PDF_URL, {"unit": office.province.stttt.pk, "period": "year", "year": "2026"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="so-van-ban-di-stttt-2026.pdf"'
    )
    reader, pages = page_texts(response.content)
    assert len(pages) >= 4
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in pages[0]
    assert "Từ số 01 đến số 45" in pages[0]
    assert "Trang" not in pages[0]
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert float(page.mediabox.width) > float(page.mediabox.height)
        if number > 1:
            assert f"Trang {number}/{len(pages)}" in text
            # The header row is repeated on every page of the table.
            for header in OUTGOING_HEADERS:
                assert compact(header) in compact(text), (number, header)
    everything = compact(" ".join(pages))
    for n in (1, 45):
        subject = f"Quyết định về việc triển khai nhiệm vụ chuyển đổi số đợt {n}"
        assert compact(subject) in everything


def test_printed_register_of_one_series(outgoing, client_for):
    response = client_for(outgoing.clerk).get(
        OUT_PDF_URL,
        {"unit": outgoing.province.stttt.pk, **Q4, "series": outgoing.decisions.pk},
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-van-ban-di-stttt-2026-q4-so{outgoing.decisions.pk}.pdf"'
    )
    _reader, pages = page_texts(response.content)
    assert "Sổ đăng ký văn bản đi – Quyết định" in pages[0]
    assert "Từ số 02 đến số 03" in pages[0]
    body = compact(" ".join(pages[1:]))
    assert "02/QĐ-STTTT" in body
    assert "01/STTTT-VP" not in body


def test_an_empty_register_still_prints(office, client_for):
    response = client_for(office.clerk).get(IN_PDF_URL, {"unit": office.province.stttt.pk, **Q4})
    assert response.status_code == 200
    _reader, pages = page_texts(response.content)
    assert "Không có văn bản nào được vào sổ trong kỳ này." in " ".join(pages)


# ---------------------------------------------------------------- who may read the registers


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_goes_to_the_login_page(office, client, url):
    response = client.get(url, {"unit": office.province.stttt.pk, **Q4})
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/")


@pytest.mark.parametrize("who", ["staff", "unit_admin", "province_admin", "shared_with"])
@pytest.mark.parametrize("url", ALL_URLS)
def test_people_without_a_register_role_are_refused(incoming, client_for, who, url):
    p = incoming.province
    user = {
        "staff": p.staff_snv,
        "unit_admin": p.admin_stttt,
        "province_admin": p.province_admin,
        "shared_with": p.staff_stttt,  # was given an incoming document, keeps no register
    }[who]
    response = client_for(user).get(url, {"unit": p.stttt.pk, **Q4})
    assert response.status_code == 403
    assert "Chỉ văn thư và lãnh đạo đơn vị được xem sổ đăng ký văn bản." in (
        response.content.decode()
    )


@pytest.mark.parametrize("url", ALL_URLS)
def test_another_units_register_is_not_found(incoming, client_for, url):
    response = client_for(incoming.clerk_snv).get(url, {"unit": incoming.province.stttt.pk, **Q4})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy đơn vị." in html
    assert "245/UBND-VP" not in html


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("who", ["clerk", "leader"])
def test_the_units_clerks_and_leaders_read_its_registers(incoming, client_for, url, who):
    user = getattr(incoming, who)
    response = client_for(user).get(url, {"unit": incoming.province.stttt.pk, **Q4})
    assert response.status_code == 200


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"quarter": "5"}, 400, "Quý phải từ 1 đến 4."),
        ({"quarter": "IV"}, 400, "Quý phải từ 1 đến 4."),
        ({"period": "month", "month": "13"}, 400, "Tháng phải từ 1 đến 12."),
        ({"period": "month", "month": ""}, 400, "Hãy chọn tháng."),
        ({"year": "99999"}, 400, "Năm phải trong khoảng từ 2000 đến 2100."),
        ({"year": "1999"}, 400, "Năm phải trong khoảng từ 2000 đến 2100."),
        ({"year": "hai nghìn"}, 400, "Năm không hợp lệ."),
        ({"year": "9" * 400}, 400, "Năm"),
        ({"period": "custom"}, 400, "Kỳ không hợp lệ."),
        ({"period": "tuần"}, 400, "Kỳ không hợp lệ."),
        ({"unit": "abc"}, 404, "Không tìm thấy đơn vị."),
        ({"unit": "999999"}, 404, "Không tìm thấy đơn vị."),
        ({"series": "abc"}, 404, "Không tìm thấy sổ văn bản."),
        ({"series": "999999"}, 404, "Không tìm thấy sổ văn bản."),
    ],
)
@pytest.mark.parametrize("url", ALL_URLS)
def test_bad_parameters_get_a_clear_message(office, client_for, url, params, status, message):
    query = {"unit": office.province.stttt.pk, **Q4, **params}
    response = client_for(office.clerk).get(url, query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_series_of_another_unit_direction_or_year_is_refused(incoming, client_for):
    p = incoming.province
    clerk = client_for(incoming.clerk)
    params = {"unit": p.stttt.pk, **Q4}
    with clock.frozen(local(2026, 11, 1, 8, 0)):
        snv_series = services.series_create(
            actor=incoming.clerk_snv, unit=p.snv, year=2026, direction=Direction.OUTGOING
        )
        next_year = services.series_create(
            actor=incoming.clerk,
            unit=p.stttt,
            year=2027,
            direction=Direction.OUTGOING,
            document_type=doc_type("Kế hoạch"),
        )
    incoming_series = RegisterSeries.objects.get(
        unit=p.stttt, year=2026, direction=Direction.INCOMING
    )
    for series in (snv_series, incoming_series):
        response = clerk.get(OUT_URL, {**params, "series": series.pk})
        assert response.status_code == 404
        assert "Không tìm thấy sổ văn bản." in response.content.decode()
    response = clerk.get(OUT_PDF_URL, {**params, "series": next_year.pk})
    assert response.status_code == 400
    assert (
        "“Sổ đăng ký văn bản đi – Kế hoạch” là sổ của năm 2027; hãy chọn một kỳ trong năm 2027 "
        "hoặc chọn “Tất cả các sổ”." in unescape(response.content.decode())
    )


def test_other_methods_are_not_allowed(office, client_for):
    client = client_for(office.clerk)
    for url in ALL_URLS:
        assert client.post(url, {"unit": office.province.stttt.pk}).status_code == 405
