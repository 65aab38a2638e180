"""Searching dossiers (R19; Appendix VI "Search and use"): every field and the full text of
their documents, diacritic-free; only the dossiers the person reads; the counts of dossiers,
documents and accesses; the page, its refusals and its pinned number of queries; the access
history and who reads it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.records.support_use import (
    add_item,
    build_use,
    make_dossier,
    register,
    share,
    viewed,
)
from tests.support import drafting
from tests.support.drafting import NOW
from vanban.audit.models import AuditEvent
from vanban.records.models import DossierStatus
from vanban.records.search import (
    ACTION_VIEWED,
    DossierFilters,
    DossierSort,
    dossier_search,
    dossier_search_text,
    result_page,
    search_totals,
)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


@pytest.fixture
def use(province):
    return build_use(province)


def found(user, **filters) -> list[str]:
    return [d.notation for d in dossier_search(user=user, filters=DossierFilters(**filters))]


@pytest.fixture
def dossiers(use):
    """Three dossiers of Sở TT&TT: one with a document whose file speaks of digital change."""
    rules = make_dossier(use, "01.TCCB", "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử")
    meeting = make_dossier(
        use,
        "02.VP",
        "Hồ sơ hội nghị tổng kết năm",
        ad_hoc=True,
        opened_at=NOW - dt.timedelta(days=40),
        description="Hội nghị tại Bến Tre",
    )
    old = make_dossier(
        use,
        "03.VP",
        "Hồ sơ sửa chữa trụ sở",
        year=2024,
        status=DossierStatus.CLOSED,
        item=use.item_permanent,
        opened_at=NOW - dt.timedelta(days=700),
    )
    document = register(
        use,
        subject="Kế hoạch triển khai nền tảng số",
        issued=dt.date(2026, 11, 2),
        text="Chương trình chuyển đổi số của tỉnh giai đoạn 2026-2030",
    )
    add_item(meeting, document, by=use.handler)
    return rules, meeting, old


def test_search_text_holds_the_dossier_fields_folded(use):
    dossier = make_dossier(use, "01.TCCB", "Hồ sơ Quy chế", ad_hoc=True, description="Đợt một")
    text = dossier_search_text(dossier)
    assert text.startswith(" ") and text.endswith(" ")
    for word in (
        "quy",
        "che",
        "01.tccb",
        "tccb",
        "2026",
        "10",
        "nam",
        "nguyen",
        "nhung",
        "phat",
        "sinh",
        "dot",
        use.province.stttt.agency_code.lower(),
    ):
        assert f" {word} " in text, word
    # The status changes in the hand-over without the dossier's services: a filter, not words.
    assert " lap " not in text


def test_search_by_fields_without_diacritics(use, dossiers):
    assert found(use.handler, query="quy che van ban dien tu") == ["01.TCCB"]
    assert found(use.handler, query="Quy chế") == ["01.TCCB"]
    # The number of the planned entry: the dossiers opened from it.
    assert found(use.handler, query="01.TCCB") == ["01.TCCB", "03.VP"]
    assert found(use.handler, query="hoi nghi ben tre") == ["02.VP"]  # the description
    assert found(use.handler, query="phat sinh") == ["02.VP"]  # the ad hoc mark
    assert found(use.handler, query="vinh vien") == ["03.VP"]  # the retention
    assert sorted(found(use.handler, query="hong nhung")) == ["01.TCCB", "02.VP", "03.VP"]
    file_code = f"{use.province.stttt.agency_code}.2024.03.VP"
    assert found(use.handler, query=file_code) == ["03.VP"]
    # Every word must be there, matched whole: "ngh" is no "nghị".
    assert found(use.handler, query="quy che hoi nghi") == []
    assert found(use.handler, query="ngh") == []


def test_search_by_the_full_text_of_the_documents(use, dossiers):
    # The words of the document's file, found through the dossier that holds it.
    assert found(use.handler, query="chuyen doi so") == ["02.VP"]
    assert found(use.handler, query="Chuyển đổi số giai đoạn") == ["02.VP"]
    # And its subject.
    assert found(use.handler, query="nen tang so") == ["02.VP"]
    # Words spread between the dossier's fields and a document do not make a match.
    assert found(use.handler, query="quy che chuyen doi so") == []


def test_search_by_the_other_fields(use, dossiers):
    assert found(use.handler, year=2024) == ["03.VP"]
    assert found(use.handler, status=DossierStatus.CLOSED) == ["03.VP"]
    assert found(use.handler, ad_hoc=True) == ["02.VP"]
    assert sorted(found(use.handler, ad_hoc=False)) == ["01.TCCB", "03.VP"]
    assert found(use.handler, maintenance="Vĩnh viễn") == ["03.VP"]
    assert found(use.head, handler=use.other_staff) == []
    assert sorted(found(use.head, handler=use.handler)) == ["01.TCCB", "02.VP", "03.VP"]
    day = NOW.date()
    assert found(use.handler, opened_from=day, opened_to=day) == ["01.TCCB"]
    assert found(use.handler, opened_to=day - dt.timedelta(days=30)) == ["02.VP", "03.VP"]
    closed_day = (NOW - dt.timedelta(days=670)).date()
    assert found(use.handler, closed_from=closed_day, closed_to=closed_day) == ["03.VP"]


def test_sort_orders(use, dossiers):
    assert found(use.handler) == ["01.TCCB", "02.VP", "03.VP"]
    assert found(use.handler, sort=DossierSort.OLDEST) == ["03.VP", "02.VP", "01.TCCB"]
    assert found(use.handler, sort=DossierSort.TITLE) == ["02.VP", "03.VP", "01.TCCB"]
    assert found(use.handler, sort=DossierSort.YEAR) == ["01.TCCB", "02.VP", "03.VP"]
    viewed(dossiers[2], use.head, times=2)
    viewed(dossiers[1], use.head)
    assert found(use.handler, sort=DossierSort.ACCESSES) == ["03.VP", "02.VP", "01.TCCB"]


def test_only_the_dossiers_the_person_reads(use, dossiers):
    _rules, meeting, old = dossiers
    assert found(use.outsider) == []
    assert found(use.other_staff) == []
    share(meeting, use.other_staff, by=use.handler)
    assert found(use.other_staff, query="chuyen doi so") == ["02.VP"]
    assert found(use.other_staff) == ["02.VP"]
    # The archive reads what was handed over, nothing else.
    assert found(use.archivist) == []
    old.status = DossierStatus.ARCHIVED
    old.save(update_fields=["status"])
    assert found(use.archivist) == ["03.VP"]
    assert sorted(found(use.clerk)) == ["01.TCCB", "02.VP", "03.VP"]


def test_counts_of_dossiers_documents_and_accesses(use, dossiers):
    rules, meeting, _old = dossiers
    add_item(
        rules,
        register(use, subject="Tờ trình quy chế", issued=dt.date(2026, 10, 1)),
        by=use.handler,
    )
    add_item(
        rules, register(use, subject="Dự thảo quy chế", issued=dt.date(2026, 10, 5)), by=use.handler
    )
    viewed(rules, use.head, times=3)
    viewed(meeting, use.clerk)
    # Another kind of event on the dossier is no access.
    from vanban.audit.services import audit_record

    audit_record(actor=use.handler, action="records.dossier_closed", target=rules)
    results = dossier_search(user=use.handler, filters=DossierFilters())
    totals = search_totals(results)
    assert (totals.dossiers, totals.documents, totals.accesses) == (3, 3, 4)
    assert totals.line == "3 hồ sơ, 3 văn bản, 4 lượt khai thác"
    rows = {d.notation: (d.item_count, d.access_count) for d in results}
    assert rows == {"01.TCCB": (2, 3), "02.VP": (1, 1), "03.VP": (0, 0)}
    narrowed = search_totals(dossier_search(user=use.handler, filters=DossierFilters(year=2026)))
    assert (narrowed.dossiers, narrowed.documents, narrowed.accesses) == (2, 3, 4)


def test_pagination(use, dossiers):
    results = dossier_search(user=use.handler, filters=DossierFilters())
    first = result_page(results, page=1, page_size=2)
    assert [d.notation for d in first.rows] == ["01.TCCB", "02.VP"]
    assert first.has_next and first.num_pages == 2
    second = result_page(results, page=2, page_size=2)
    assert [d.notation for d in second.rows] == ["03.VP"] and not second.has_next


# ---------------------------------------------------------------- the page


def test_search_page(use, dossiers, client_for):
    viewed(dossiers[0], use.head, times=2)
    client = client_for(use.handler)
    response = client.get(reverse("records:search"), {"q": "chuyen doi so"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 hồ sơ, 1 văn bản, 0 lượt khai thác" in body
    assert "Hồ sơ hội nghị tổng kết năm" in body and "Phát sinh" in body
    assert "Quy chế quản lý" not in body
    response = client.get(reverse("records:search"))
    assert "3 hồ sơ, 1 văn bản, 2 lượt khai thác" in response.content.decode()
    # The access history is offered to the handler and the head, not to a clerk.
    history = reverse("records:dossier_access", args=[dossiers[0].pk])
    assert history in response.content.decode()
    assert history in client_for(use.head).get(reverse("records:search")).content.decode()
    assert history not in client_for(use.clerk).get(reverse("records:search")).content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "hai nghìn"}, "Năm phải là số, ví dụ 2026."),
        ({"year": "1800"}, "Năm phải từ 1900 trở đi."),
        ({"status": "deleted"}, "Hãy chọn một trạng thái trong danh sách."),
        ({"sort": "random"}, "Hãy chọn một cách sắp xếp trong danh sách."),
        ({"opened_from": "31/02/2026"}, "Ngày"),
        (
            {"opened_from": "10/11/2026", "opened_to": "01/11/2026"},
            "Ngày mở “từ” phải trước ngày “đến”.",
        ),
        ({"page": "0"}, "Số trang phải từ 1 trở lên."),
        ({"handler": "999999"}, "Hãy chọn người lập hồ sơ trong danh sách."),
        ({"q": "x" * 201}, "Từ khóa tìm kiếm dài quá 200 ký tự."),
    ],
)
def test_search_page_refuses_bad_input(use, dossiers, client_for, params, message):
    response = client_for(use.handler).get(reverse("records:search"), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Điều kiện tìm kiếm chưa hợp lệ" in body


def test_search_page_needs_login(client):
    response = client.get(reverse("records:search"))
    assert response.status_code == 302


PAGE_QUERIES = 10


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("records:search"), params or {})
    assert response.status_code == 200
    return len(captured)


def test_search_page_queries_do_not_grow_with_results(use, client_for, django_assert_num_queries):
    client = client_for(use.handler)
    client.get(reverse("records:search"))  # the session's first page
    first = make_dossier(use, "01.VP", "Hồ sơ một")
    add_item(
        first, register(use, subject="Văn bản một", issued=dt.date(2026, 1, 2)), by=use.handler
    )
    viewed(first, use.head)
    few = _queries(client)
    few_searched = _queries(client, {"q": "ho so"})
    for number in range(2, 12):
        dossier = make_dossier(use, f"{number:02d}.VP", f"Hồ sơ số {number}")
        viewed(dossier, use.head, times=2)
    many = _queries(client)
    many_searched = _queries(client, {"q": "ho so"})
    assert many == few
    assert many_searched == few_searched
    # Pinned: the session and the person, the form's two lists, the page and its three counts.
    assert few == PAGE_QUERIES
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("records:search"), {"sort": "accesses"})


# ---------------------------------------------------------------- access history


def test_access_history_lists_views_and_exports(use, dossiers, client_for):
    rules = dossiers[0]
    viewed(rules, use.clerk, times=2)
    client_for(use.clerk).get(reverse("records:dossier_xml", args=[rules.pk]))
    response = client_for(use.head).get(reverse("records:dossier_access", args=[rules.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 lượt xem, 1 lượt xuất, 1 người khai thác." in body
    assert body.count("Võ Thị Thu Trang") == 3
    assert "Xuất hồ sơ" in body and "Định dạng XML" in body
    # The handler reads it too.
    assert (
        client_for(use.handler).get(reverse("records:dossier_access", args=[rules.pk])).status_code
        == 200
    )


def test_access_history_refusals(use, dossiers, client_for):
    rules = dossiers[0]
    url = reverse("records:dossier_access", args=[rules.pk])
    # A clerk reads the dossier but not its history.
    response = client_for(use.clerk).get(url)
    assert response.status_code == 403
    assert "Chỉ thủ trưởng cơ quan và người lập hồ sơ" in response.content.decode()
    # Who may not read the dossier does not learn that it exists.
    assert client_for(use.outsider).get(url).status_code == 404
    assert client_for(use.head).get(url, {"page": "abc"}).status_code == 404
    missing = reverse("records:dossier_access", args=[rules.pk + 1000])
    assert client_for(use.head).get(missing).status_code == 404
    # Reading the history is not itself an access.
    assert not AuditEvent.objects.filter(action=ACTION_VIEWED).exists()
