"""The usage statistics pages (R24; Art. 8.5, 11.1.đ): the province, a unit, the documents behind
a figure; who may open them; the period; the numbers against the statistics service."""

import datetime as dt

import pytest
from django.test import Client
from lxml import html

from tests.oversight.statistics_pages_world import NOVEMBER, QUERY, READ_AT, build_world
from tests.support import workflow
from tests.support.province import add_districts, make_user
from vanban.accounts.models import Role, RoleAssignment
from vanban.core import clock
from vanban.oversight import statistics, views_statistics
from vanban.oversight.statistics import Scope
from vanban.oversight.statistics_pages import COLUMNS, FIGURES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

OVERVIEW = "/giam-sat/thong-ke/"


def unit_url(unit) -> str:
    return f"/giam-sat/thong-ke/don-vi/{unit.pk}/"


def list_url(unit, kind: str) -> str:
    return f"/giam-sat/thong-ke/don-vi/{unit.pk}/van-ban/{kind}/"


@pytest.fixture
def world(office):
    return build_world(office)


def get(client: Client, url: str, query: dict | None = None):
    with clock.frozen(READ_AT):
        return client.get(url, QUERY if query is None else query)


def by_id(page, element_id: str, path: str = "") -> list:
    return page.xpath(f"//*[@id='{element_id}']{path}")


def tree(response):
    assert response.status_code == 200, response.content[:500]
    return html.fromstring(response.content.decode())


def figures(page) -> dict[str, int]:
    return {
        li.get("data-figure"): int(li.find_class("stat")[0].text_content().replace(".", ""))
        for li in by_id(page, "statistics-figures", "//li")
    }


def expected(figures_of) -> dict[str, int]:
    return {name: int(getattr(figures_of, name) or 0) for name, _label in FIGURES}


def table(page, table_id: str = "units-table") -> dict[str, list[int]]:
    rows = {}
    for row in by_id(page, table_id, "/tbody/tr"):
        name = row.find("th").text_content().strip()
        rows[name] = [int(td.text_content().replace(".", "")) for td in row.findall("td")]
    return rows


# ---------------------------------------------------------------- who may see what


def test_who_may_open_each_page(world, client_for):
    p = world.work.province
    so, plan = world.work.so, world.work.plan
    pages = [OVERVIEW, unit_url(so), unit_url(plan), list_url(plan, "tre-han")]
    assert [get(Client(), url).status_code for url in pages] == [302, 302, 302, 302]
    for person in (p.staff_stttt, world.work.clerk, world.work.director):
        client = client_for(person)
        assert [get(client, url).status_code for url in pages] == [403, 403, 403, 403]
    # The Sở's administrator: the Sở and its departments, not another Sở nor the province.
    admin = client_for(p.admin_stttt)
    response = get(admin, OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith(unit_url(so) + "?")
    assert [get(admin, url).status_code for url in pages[1:]] == [200, 200, 200]
    assert get(admin, unit_url(p.snv)).status_code == 404
    assert get(admin, list_url(p.snv, "tu-choi")).status_code == 404
    assert get(admin, unit_url(p.root)).status_code == 404
    assert get(admin, unit_url(p.root) + "xlsx/").status_code == 404
    # Sở Nội vụ's administrator sees nothing of the Sở Thông tin và Truyền thông.
    snv_admin = client_for(p.admin_snv)
    assert [get(snv_admin, url).status_code for url in pages[1:]] == [404, 404, 404]
    assert get(snv_admin, unit_url(p.snv)).status_code == 200
    # The province administrator: everything.
    province = client_for(p.province_admin)
    assert [get(province, url).status_code for url in pages] == [200, 200, 200, 200]
    assert get(province, unit_url(p.snv)).status_code == 200
    assert get(province, "/giam-sat/thong-ke/don-vi/999999/").status_code == 404
    assert get(province, list_url(so, "khong-co")).status_code == 404


def test_the_menu_entry_is_shown_to_administrators_only(world, client_for):
    p = world.work.province
    for person, shown in ((p.province_admin, True), (p.admin_stttt, True), (p.staff_stttt, False)):
        page = get(client_for(person), "/").content.decode()
        assert ('href="/giam-sat/thong-ke/"' in page) is shown


# ---------------------------------------------------------------- the numbers


def test_the_province_page_shows_the_service_figures_and_its_units(world, client_for):
    p = world.work.province
    page = tree(get(client_for(p.province_admin), OVERVIEW))
    with clock.frozen(READ_AT):
        province = statistics.usage(scope=Scope.province(), period=NOVEMBER)
        under_root = dict(statistics.usage_by_unit(parent=p.root, period=NOVEMBER))
    assert figures(page) == expected(province)
    assert figures(page)["processing_late"] == 1
    assert figures(page)["exchange_local_refused"] == 1
    rows = table(page)
    for unit, unit_figures in under_root.items():
        assert rows[unit.name] == [int(getattr(unit_figures, n) or 0) for n in COLUMNS]
    # The root's own work apart; the totals are the province's.
    assert f"{p.root.name} (riêng đơn vị)" in rows
    totals = [
        int(td.text_content().replace(".", "")) for td in by_id(page, "units-table", "/tfoot//td")
    ]
    assert totals == [int(getattr(province, n) or 0) for n in COLUMNS]
    # Each unit leads to its own page, for the same period.
    link = by_id(page, "units-table", f"//a[starts-with(@href, '{unit_url(world.work.so)}')]")[0]
    assert link.get("href").endswith("?period=month&year=2026&month=11")
    assert by_id(page, "statistics-period")[0].text == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    assert "Số liệu theo kỳ tính đến hết ngày 26/11/2026" in page.text_content()
    # The province's figures lead to the lists of the whole province (its root with every unit
    # below it).
    late = by_id(page, "statistics-figures", "/li[@data-figure='processing_late']/a")[0]
    assert late.get("href").startswith(list_url(p.root, "tre-han") + "?")


def test_the_charts_have_their_numbers_in_a_table(world, client_for):
    page = tree(get(client_for(world.work.province.province_admin), OVERVIEW))
    svgs = page.xpath("//figure//*[local-name()='svg' and starts-with(@class, 'chart ')]")
    assert len(svgs) == 2
    # By unit: electronic and paper incoming, stacked, a row a unit.
    units = table(page, "tinh-units-table")
    so = world.work.so.name
    assert units[so] == [1, 3, 4]
    # Over time: one column a day of November, with the three documents of the 3rd and 12th.
    days = table(page, "tinh-series-table")
    assert len(days) == 30
    assert days["03/11"] == [1, 1, 0]
    assert days["12/11"] == [0, 2, 0]
    assert days["16/11"] == [0, 0, 1]


def test_a_unit_page_drills_down_to_its_sub_units_and_the_documents_behind_a_figure(
    world, client_for
):
    work = world.work
    client = client_for(work.province.admin_stttt)
    page = tree(get(client, unit_url(work.so)))
    with clock.frozen(READ_AT):
        so = statistics.usage(scope=Scope.of_unit(work.so), period=NOVEMBER)
        children = statistics.usage_by_unit(parent=work.so, period=NOVEMBER)
    assert figures(page) == expected(so)
    rows = table(page)
    assert set(rows) == {work.plan.name, work.tech.name, f"{work.so.name} (riêng đơn vị)"}
    for unit, unit_figures in children:
        assert rows[unit.name] == [int(getattr(unit_figures, n) or 0) for n in COLUMNS]
    crumbs = [li.text_content() for li in by_id(page, "statistics-crumbs", "/li")]
    assert crumbs == [work.so.name]  # the unit administrator starts from their own unit
    # The late figure leads to the list of the late documents.
    late = by_id(page, "statistics-figures", "/li[@data-figure='processing_late']/a")[0]
    assert late.get("href") == list_url(work.so, "tre-han") + "?period=month&year=2026&month=11"
    listed = tree(get(client, list_url(work.so, "tre-han")))
    subjects = [
        td.text_content() for td in by_id(listed, "documents-table", "//td[@class='card-title']")
    ]
    assert subjects == ["Quyết định – Công văn về việc báo cáo trễ hạn"]
    assert by_id(listed, "documents-count")[0].text == str(so.processing_late)
    # Overdue now, whatever the period.
    overdue = tree(get(client, list_url(work.so, "qua-han")))
    subjects = [
        td.text_content() for td in by_id(overdue, "documents-table", "//td[@class='card-title']")
    ]
    assert subjects == ["Quyết định – Công văn về việc kiểm tra đang quá hạn"]
    assert so.processing_overdue_now == 1
    # A figure of zero leads nowhere.
    assert not by_id(page, "statistics-figures", "/li[@data-figure='exchange_local_refused']/a")


def test_the_refused_documents_of_the_unit_that_refused_them(world, client_for):
    p = world.work.province
    client = client_for(p.province_admin)
    page = tree(get(client, unit_url(p.snv)))
    assert figures(page)["exchange_local_refused"] == 1
    listed = tree(get(client, list_url(p.snv, "tu-choi")))
    row = by_id(listed, "deliveries-table", "/tbody/tr")[0].text_content()
    assert "Công văn gửi nhầm Sở Nội vụ" in row
    assert p.stttt.name in row
    assert "Không thuộc thẩm quyền." in row
    crumbs = [li.text_content() for li in by_id(listed, "statistics-crumbs", "/li")]
    assert crumbs == ["Toàn tỉnh", p.root.name, p.snv.name, "Văn bản nhận đã trả lại"]


def test_the_documents_list_costs_the_same_queries_for_one_or_many_rows(
    world, client_for, django_assert_max_num_queries
):
    work = world.work
    client = client_for(work.province.province_admin)
    query = {"period": "month", "year": "2026", "month": "11"}
    with clock.frozen(READ_AT), django_assert_max_num_queries(12) as one:
        response = client.get(list_url(work.so, "den-giay"), query)
    assert response.status_code == 200
    with clock.frozen(dt.datetime(2026, 11, 20, 9, tzinfo=READ_AT.tzinfo)):
        for n in range(6):
            document = workflow.register(
                work, code_number=str(60 + n), issued_date=dt.date(2026, 11, 19)
            )
            assert document.pk
    with clock.frozen(READ_AT), django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(list_url(work.so, "den-giay"), query)
    page = tree(response)
    assert len(by_id(page, "documents-table", "/tbody/tr")) == 9


# ---------------------------------------------------------------- the period


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "quarter", "year": "2026", "quarter": "5"}, "Quý phải từ 1 đến 4."),
        ({"period": "custom", "start": "31/02/2026", "end": "01/03/2026"}, "31/02/2026"),
        (
            {"period": "custom", "start": "10/11/2026", "end": "01/11/2026"},
            "Ngày kết thúc (01/11/2026) không được trước ngày bắt đầu (10/11/2026).",
        ),
        ({"period": "month", "year": "2026", "month": "12"}, "Kỳ thống kê chưa bắt đầu"),
    ],
)
def test_a_bad_period_gets_a_clear_message(world, client_for, query, message):
    client = client_for(world.work.province.province_admin)
    for url in (OVERVIEW, unit_url(world.work.so), list_url(world.work.so, "tre-han")):
        response = get(client, url, query)
        assert response.status_code == 400
        errors = html.fromstring(response.content.decode()).xpath("//*[@id='period-errors']")[0]
        assert message in errors.text_content()
    assert get(client, OVERVIEW + "xlsx/", query).status_code == 400


def test_a_custom_period_and_a_year(world, client_for):
    client = client_for(world.work.province.province_admin)
    page = tree(
        get(
            client,
            unit_url(world.work.so),
            {"period": "custom", "start": "12/11/2026", "end": "14/11/2026"},
        )
    )
    assert figures(page)["processing_late"] == 1
    assert figures(page)["incoming_registered"] == 2
    assert len(table(page, f"u{world.work.so.pk}-series-table")) == 3
    page = tree(get(client, unit_url(world.work.so), {"period": "year", "year": "2026"}))
    months = table(page, f"u{world.work.so.pk}-series-table")
    assert list(months)[-2:] == ["11/2026", "12/2026"]
    assert months["11/2026"] == [1, 3, 1]


def test_a_unit_administrator_of_a_department_starts_from_it(world, client_for):
    work = world.work
    admin = make_user(work.plan, "Quản Trị Phòng", (Role.UNIT_ADMIN,))
    client = client_for(admin)
    response = get(client, OVERVIEW)
    assert response["Location"].startswith(unit_url(work.plan))
    assert get(client, unit_url(work.so)).status_code == 404
    page = tree(get(client, unit_url(work.plan)))
    assert [li.text_content() for li in by_id(page, "statistics-crumbs", "/li")] == [work.plan.name]
    assert by_id(page, "units-empty")


def test_the_pages_cost_the_same_queries_whatever_the_number_of_units(
    world, client_for, django_assert_max_num_queries
):
    p = world.work.province
    client = client_for(p.province_admin)
    counts = {}
    for url in (OVERVIEW, unit_url(p.root)):
        with clock.frozen(READ_AT), django_assert_max_num_queries(40) as before:
            assert client.get(url, QUERY).status_code == 200
        counts[url] = len(before.captured_queries)
    add_districts(p.root, ["Chợ Lách", "Mỏ Cày Nam", "Ba Tri"])
    for url, count in counts.items():
        with clock.frozen(READ_AT), django_assert_max_num_queries(count):
            page = tree(client.get(url, QUERY))
        assert "UBND huyện Ba Tri" in table(page)


def test_the_documents_list_goes_page_by_page(world, client_for, monkeypatch):
    monkeypatch.setattr(views_statistics, "DOCUMENTS_PER_PAGE", 2)
    client = client_for(world.work.province.province_admin)
    url = list_url(world.work.so, "den-giay")
    first = tree(get(client, url))
    assert by_id(first, "documents-count")[0].text == "3"
    assert len(by_id(first, "documents-table", "/tbody/tr")) == 2
    following = first.xpath("//nav[@class='pagination']/a")[0].get("href")
    assert "page=2" in following and "month=11" in following
    second = tree(get(client, url, {**QUERY, "page": "2"}))
    assert len(by_id(second, "documents-table", "/tbody/tr")) == 1


def test_an_administrator_of_several_units_sees_them_side_by_side(world, client_for):
    p = world.work.province
    admin = make_user(p.stttt, "Quản Trị Hai Nơi", (Role.UNIT_ADMIN,))
    RoleAssignment.objects.create(user=admin, unit=p.snv, role=Role.UNIT_ADMIN)
    client = client_for(admin)
    page = tree(get(client, OVERVIEW))
    with clock.frozen(READ_AT):
        expected_rows = statistics.usage_of_units(units=[p.snv, p.stttt], period=NOVEMBER)
    rows = table(page)
    assert list(rows) == [p.snv.name, p.stttt.name]
    for unit, unit_figures in expected_rows:
        assert rows[unit.name] == [int(getattr(unit_figures, n) or 0) for n in COLUMNS]
    assert not by_id(page, "statistics-figures")
    # Not the province's: the root is not among them.
    assert p.root.name not in rows
    assert get(client, unit_url(p.root)).status_code == 404
    book = get(client, OVERVIEW + "xlsx/")
    assert book.status_code == 200
