"""The search page: form, htmx results, Vietnamese validation, access and pinned query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from tests.documents.test_search import NOW, incoming
from tests.support.documents import doc_type
from tests.support.files import pdf_upload
from vanban.core import clock
from vanban.documents import search
from vanban.documents.models import Document, RegisterSeries, Urgency
from vanban.documents.search import SearchFields, search_text_build

pytestmark = pytest.mark.django_db

URL = "/van-ban/tim-kiem/"


def rows(response) -> list[str]:
    """The number-symbol cells of the results table, in order."""
    html = response.content.decode()
    table = re.search(r'<table id="search-table".*?</table>', html, re.S)
    if table is None:
        return []
    return re.findall(r'<tr[^>]*>\s*<td[^>]*><a href="[^"]*">([^<]*)</a>', table.group(0))


def counted(client, response) -> str:
    """The page with the count it asks for once it shows (htmx `hx-get` on load), as the
    browser sees it after that request; the page itself when it needed no count."""
    html = response.content.decode()
    asked = re.search(r'<p id="search-count" hx-get="([^"]+)"', html)
    if asked is None:
        return html
    fragment = client.get(asked.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    return html + fragment.content.decode()


def test_anonymous_people_are_sent_to_the_login_page(client):
    for url in (URL, URL + "xuat/xlsx/", URL + "xuat/pdf/", URL + "da-luu/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/tai-khoan/dang-nhap/")
    response = client.post(URL + "luu/", {"name": "x"})
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


def test_search_box_finds_documents_without_diacritics(office, client_for):
    decision = incoming(
        office,
        code_number="613",
        code_notation="QĐ-PVHTT",
        subject="Quyết định về việc thành lập Ban chỉ đạo",
    )
    incoming(office, code_number="1613", code_notation="QĐ-PVHTT", subject="Quyết định khác")
    response = client_for(office.clerk).get(URL, {"q": "quyet dinh thanh lap"})
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(response) == ["613/QĐ-PVHTT"]
    assert f'href="/van-ban/{decision.pk}/"' in html
    assert "1 kết quả" in html
    assert "Quyết định</span> – " in html
    assert "Sở Thông tin" not in rows(response)
    response = client_for(office.clerk).get(URL, {"q": "613/QD-PVHTT"})
    assert rows(response) == ["613/QĐ-PVHTT"]


def test_the_results_table_shows_date_type_issuer_direction_and_urgency(office, client_for):
    incoming(
        office,
        subject="Công điện về phòng chống bão",
        urgency=Urgency.FLASH,
        document_type=doc_type("Công điện"),
        code_notation="CĐ-UBND",
        issued_date=dt.date(2026, 11, 24),
    )
    html = client_for(office.clerk).get(URL, {"q": "bao"}).content.decode()
    table = re.search(r'<table id="search-table".*?</table>', html, re.S).group(0)
    for text in (
        "15/CĐ-UBND",
        "24/11/2026",
        "đến 25/11/2026",
        "Công điện</span>",
        "phòng chống bão",
        "Ủy ban nhân dân tỉnh Bến Tre",
        "số đến 1",
        'class="badge badge-urgency urgency-3">Hỏa tốc</span>',
    ):
        assert text in table, text


def test_htmx_typing_gets_only_the_results(office, client_for):
    incoming(office, subject="Kế hoạch chuyển đổi số")
    client = client_for(office.clerk)
    response = client.get(URL, {"q": "chuyen doi"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="search-form"' not in html
    assert rows(response) == ["15/QĐ-UBND"]
    page = client.get(URL).content.decode()
    assert 'hx-get="/van-ban/tim-kiem/"' in page and 'hx-target="#search-results"' in page
    assert '<details class="advanced" id="advanced-search">' in page  # closed without filters


def test_empty_result_message(office, client_for):
    incoming(office)
    response = client_for(office.clerk).get(URL, {"q": "sau rieng"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy văn bản nào có “sau rieng”" in html
    assert rows(response) == []


@pytest.mark.parametrize("q", ["a & b | !c", ":*", "kế hoạch:* & !", "'\\\"(<->)<2>", "''"])
def test_a_hostile_query_gets_a_page_never_a_server_error(office, client_for, q):
    incoming(office, subject="Kế hoạch công tác")
    client = client_for(office.clerk)
    for params in ({"q": q}, {"q": q, "sort": "relevance"}, {"q": q, "sort": "newest"}):
        assert client.get(URL, params).status_code == 200
        assert client.get(URL, params, headers={"HX-Request": "true"}).status_code == 200
        assert client.get(URL + "dem/", params, headers={"HX-Request": "true"}).status_code == 200
    assert client.get(URL + "xuat/xlsx/", {"q": q}).status_code == 200


def test_the_page_orders_by_relevance_unless_the_newest_are_asked_for(office, client_for):
    incoming(
        office,
        at=NOW - dt.timedelta(days=5),
        code_number="20",
        subject="Kế hoạch bảo đảm an ninh mạng",
    )
    incoming(
        office,
        code_number="21",
        subject="Công văn về việc báo cáo",
        main_file=pdf_upload("a.pdf", "Đề nghị tăng cường an ninh mạng"),
    )
    client = client_for(office.clerk)
    response = client.get(URL, {"q": "an ninh mạng"})
    html = response.content.decode()
    assert html.index('<option value="relevance"') < html.index('<option value="newest"')
    assert ">Liên quan nhất</option>" in html
    newest = rows(client.get(URL, {"q": "an ninh mạng", "sort": "newest"}))
    assert newest == ["21/QĐ-UBND", "20/QĐ-UBND"]
    if connection.vendor == "postgresql":
        assert rows(response) == ["20/QĐ-UBND", "21/QĐ-UBND"]
    else:  # SQLite: the most relevant are the newest (search.py)
        assert rows(response) == newest
    # The chosen order stays in the links of the page; the default one is left out.
    assert "sort=newest" in client.get(URL, {"q": "x", "sort": "newest"}).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"issued_from": "2026-11-20", "issued_to": "2026-11-01"},
            "Ngày văn bản: ngày kết thúc (01/11/2026) không được trước ngày bắt đầu (20/11/2026).",
        ),
        (
            {"registered_from": "20/11/2026", "registered_to": "19/11/2026"},
            "Ngày vào sổ: ngày kết thúc (19/11/2026) không được trước ngày bắt đầu (20/11/2026).",
        ),
        (
            {"issued_from": "31/02/2026"},
            "Ngày 31/02/2026 không có trên lịch; hãy kiểm tra ngày và tháng.",
        ),
        (
            {"registered_to": "hôm qua"},
            "Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/12/2026.",
        ),
        ({"registered_to": "9999-12-31"}, "Năm phải trong khoảng từ 1900 đến 2100."),
        ({"type": "999999"}, "Không tìm thấy loại văn bản đã chọn."),
        ({"type": "abc"}, "Không tìm thấy loại văn bản đã chọn."),
        ({"urgency": "7"}, "Độ khẩn không hợp lệ."),
        ({"direction": "sideways"}, "Hãy chọn văn bản đến hoặc văn bản đi."),
        ({"sort": "random"}, "Cách sắp xếp không hợp lệ."),
        ({"page": "abc"}, "Số trang không hợp lệ."),
        ({"page": "0"}, "Số trang không hợp lệ."),
        ({"q": "x" * 201}, "Từ khóa tìm kiếm dài quá 200 ký tự."),
    ],
)
def test_bad_input_gets_a_vietnamese_message_never_a_server_error(
    office, client_for, params, message
):
    incoming(office)
    client = client_for(office.clerk)
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert rows(response) == []
    if set(params) - {"q", "page"}:  # the advanced part opens on its own errors
        assert '<details class="advanced" id="advanced-search" open>' in html
    partial = client.get(URL, params, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and message in partial.content.decode()
    export = client.get(URL + "xuat/xlsx/", params)
    assert export.status_code == 400 and message in export.content.decode()


def test_units_and_series_of_other_units_cannot_be_chosen(office, client_for):
    incoming(office)
    incoming(office, clerk=office.clerk_snv, unit=office.province.snv)
    snv_series = RegisterSeries.objects.get(unit=office.province.snv)
    client = client_for(office.clerk)
    html = client.get(URL, {"unit": office.province.snv.pk}).content.decode()
    assert "Không tìm thấy đơn vị đã chọn." in html
    html = client.get(URL, {"series": snv_series.pk}).content.decode()
    assert "Không tìm thấy sổ văn bản đã chọn." in html
    own_series = RegisterSeries.objects.get(unit=office.province.stttt)
    response = client.get(URL, {"series": own_series.pk, "unit": office.province.stttt.pk})
    assert rows(response) == ["15/QĐ-UBND"]


def test_advanced_filters_over_http(office, client_for):
    urgent = incoming(
        office,
        code_number="21",
        subject="Quyết định khẩn",
        urgency=Urgency.URGENT,
        issued_date=dt.date(2026, 11, 2),
    )
    incoming(
        office,
        code_number="22",
        subject="Giấy mời họp",
        document_type=doc_type("Giấy mời"),
        code_notation="GM-UBND",
        issued_date=dt.date(2026, 10, 2),
    )
    client = client_for(office.clerk)
    assert rows(client.get(URL, {"urgency": "1"})) == ["21/QĐ-UBND"]
    assert rows(client.get(URL, {"type": doc_type("Giấy mời").pk})) == ["22/GM-UBND"]
    assert rows(client.get(URL, {"direction": "out"})) == []
    assert rows(client.get(URL, {"issued_from": "01/11/2026", "issued_to": "30/11/2026"})) == [
        "21/QĐ-UBND"
    ]
    assert rows(client.get(URL, {"registered_from": "2026-11-25", "sort": "oldest"})) == [
        "21/QĐ-UBND",
        "22/GM-UBND",
    ]
    assert rows(client.get(URL, {"sort": "urgency"}))[0] == urgent.number_symbol
    html = client.get(URL, {"urgency": "1"}).content.decode()
    assert '<details class="advanced" id="advanced-search" open>' in html


def test_pagination_links_keep_the_search(office, client_for, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for i in range(5):
        incoming(
            office,
            at=NOW + dt.timedelta(minutes=i),
            code_number=str(30 + i),
            subject="Báo cáo tuần",
        )
    client = client_for(office.clerk)
    first = client.get(URL, {"q": "bao cao"})
    html = first.content.decode()
    assert rows(first) == ["34/QĐ-UBND", "33/QĐ-UBND"]
    # The first page shows without waiting for the count; the count, fetched next, completes it.
    assert "Đang đếm số kết quả…" in html and "Trang 1/" not in html
    html = counted(client, first)
    assert "5 kết quả" in html
    assert '<span id="search-page-label" hx-swap-oob="true">Trang 1/3</span>' in html
    assert 'href="/van-ban/tim-kiem/?q=bao+cao&amp;page=2"' in html
    third = client.get(URL, {"q": "bao cao", "page": "3"})
    assert rows(third) == ["30/QĐ-UBND"]
    assert "Trang 3/3" in third.content.decode()
    beyond = client.get(URL, {"q": "bao cao", "page": "9"})
    assert rows(beyond) == []
    assert "Trang 9 không có kết quả: chỉ có 5 kết quả." in beyond.content.decode()


def test_a_capped_count_is_shown_as_approximate(office, client_for, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for i in range(5):
        incoming(office, at=NOW + dt.timedelta(minutes=i), subject="Báo cáo tuần")
    client = client_for(office.clerk)
    html = counted(client, client.get(URL, {"q": "bao cao"}))
    assert "khoảng hơn 3 kết quả" in html
    assert "Trang 1<" in html and "Trang 1/" not in html
    assert "Trang sau" in html


# ---------------------------------------------------------------- pinned query counts


def add_documents(template: Document, count: int) -> None:
    """Many rows at once, with the search text the services would build."""
    copies = []
    for i in range(count):
        document = Document.objects.get(pk=template.pk)
        document.pk = None
        document.register_number = 1000 + i
        document.code_number = str(1000 + i)
        document.subject = f"Báo cáo định kỳ số {i}"
        document.search_text = search_text_build(
            fields=SearchFields(
                number=[document.number_symbol, str(document.register_number)],
                subject=[document.document_type.name, document.subject],
                people=[document.issuer_name, document.signer_name],
                other=[],
            ),
            file_texts=[],
        )
        copies.append(document)
    Document.objects.bulk_create(copies)


@pytest.mark.parametrize("extra", [8, 40])
def test_results_page_runs_the_same_queries_whatever_the_data(
    office, client_for, django_assert_num_queries, monkeypatch, extra
):
    monkeypatch.setattr(search, "PAGE_SIZE", 5)
    template = incoming(office, subject="Báo cáo định kỳ")
    add_documents(template, extra)
    incoming(office, clerk=office.clerk_snv, unit=office.province.snv, subject="Báo cáo định kỳ")
    client = client_for(office.clerk)
    # Session, account, roles, unread notices; series and types of the form (a clerk of one unit
    # has no unit to choose); the documents given to the clerk outside the unit (their ids: none
    # here, so half 2 of the visibility rule is not read), the page of half 1 (the unit's
    # documents); saved searches. On PostgreSQL the page is in the relevance order, which first
    # reads the newest hits to see whether there are more than it ranks (one more query). No
    # count: the page asks for it after.
    ranked = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(9 + ranked):
        response = client.get(URL, {"q": "bao cao dinh ky"})
    assert len(rows(response)) == 5
    with django_assert_num_queries(6 + ranked):
        response = client.get(URL, {"q": "bao cao dinh ky"}, headers={"HX-Request": "true"})
    assert len(rows(response)) == 5
    # The count: the same, with the page and the capped count of half 1.
    with django_assert_num_queries(7 + ranked):
        html = counted(client, response)
    assert f"{extra + 1} kết quả" in html


def test_time_of_day_does_not_change_dates_shown(office, client_for):
    late = timezone.make_aware(dt.datetime(2026, 11, 24, 23, 50))
    incoming(office, at=late, issued_date=dt.date(2026, 11, 24))
    with clock.frozen(NOW):
        html = client_for(office.clerk).get(URL).content.decode()
    assert "đến 24/11/2026" in html
