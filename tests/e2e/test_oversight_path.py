"""The usage statistics in a real browser (R24; Art. 8.5, 11.1.đ): the Department's administrator
opens the province's statistics for the quarter from the menu, drills down to the Sở Thông tin và
Truyền thông and to its documents completed late, downloads the Sở's spreadsheet and reads it; on a
390 px phone the page is no wider than the screen.

The data (November 2026 in the Sở and its departments, the aggregates built) is made through the
services (tests/oversight/statistics_pages_world.py); the pages are read on 07/12/2026, in the
fourth quarter.
"""

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.phone_world import page_width
from tests.oversight.statistics_pages_world import build_world
from vanban.core import clock
from vanban.oversight import statistics
from vanban.oversight.statistics import Scope
from vanban.reports.periods import REPORT_TZ, Period

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("own_storage")]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
READ_AT = dt.datetime(2026, 12, 7, 10, 0, tzinfo=REPORT_TZ)
Q4 = Period.quarter(2026, 4)


@pytest.fixture
def statistics_world(transactional_db, document_types, province, office):
    return build_world(office)


def test_the_department_drills_down_from_the_province_to_late_documents(
    statistics_world, window_at, live_server, tmp_path
):
    work = statistics_world.work
    admin = work.province.province_admin
    with clock.frozen(READ_AT):
        page = window_at(admin, WIDE)
        page.locator("summary", has_text="Quản trị").click()
        page.get_by_role("link", name="Thống kê sử dụng").click()
        expect(page.get_by_role("heading", name="Thống kê sử dụng – Toàn tỉnh")).to_be_visible()
        expect(page.locator("#statistics-period")).to_have_text(
            "Từ ngày 01/10/2026 đến ngày 31/12/2026"
        )
        late = page.locator('#statistics-figures li[data-figure="processing_late"] .stat')
        expect(late).to_have_text("1")
        # Each chart has its table.
        expect(page.locator("figure.chart-figure svg.chart")).to_have_count(2)
        expect(page.locator("figure.chart-figure table.chart-table")).to_have_count(2)

        # Province -> the Sở (with its departments).
        page.locator("#units-table").get_by_role("link", name=work.so.name).click()
        expect(
            page.get_by_role("heading", name=f"Thống kê sử dụng – {work.so.name}")
        ).to_be_visible()
        expect(page.locator("#statistics-crumbs li")).to_have_text(
            ["Toàn tỉnh", work.province.root.name, work.so.name]
        )
        expect(page.locator("#units-table tbody th")).to_have_text(
            [work.tech.name, work.plan.name, f"{work.so.name} (riêng đơn vị)"]
        )

        # The Sở -> its documents completed late.
        page.locator('#statistics-figures li[data-figure="processing_late"] a').click()
        expect(
            page.get_by_role("heading", name=f"Văn bản đến xử lý xong quá hạn – {work.so.name}")
        ).to_be_visible()
        expect(page.locator("#documents-table td.card-title")).to_have_text(
            ["Quyết định – Công văn về việc báo cáo trễ hạn"]
        )
        page.go_back()

        # The Sở's spreadsheet: the numbers of the page and of the service.
        with page.expect_download() as info:
            page.locator("#export-xlsx").click()
        download = info.value
        assert download.suggested_filename == "thong-ke-su-dung-don-vi-stttt-2026-q4.xlsx"
        path = tmp_path / "thong-ke.xlsx"
        download.save_as(path)
        figures = statistics.usage(scope=Scope.of_unit(work.so), period=Q4)
        sheet = load_workbook(path)["Tổng hợp"]
        values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
        assert values["Văn bản đến xử lý xong quá hạn"] == figures.processing_late == 1
        assert values["Văn bản đến đã vào sổ"] == figures.incoming_registered == 4
        assert values["Văn bản đến đang quá hạn xử lý (hiện tại)"] == figures.processing_overdue_now

        # On a phone, the page (charts, tables) is no wider than the screen.
        page.set_viewport_size(PHONE)
        page.reload()
        expect(page.locator("figure.chart-figure svg.chart").first).to_be_visible()
        assert page_width(page) <= PHONE["width"]
        box = page.locator("figure.chart-figure svg.chart").first.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        page.goto(f"{live_server.url}/giam-sat/thong-ke/")
        assert page_width(page) <= PHONE["width"]
        page.goto(
            f"{live_server.url}/giam-sat/thong-ke/don-vi/{work.so.pk}/van-ban/tre-han/"
            "?period=quarter&year=2026&quarter=4"
        )
        expect(page.locator("#documents-table td.card-title")).to_have_count(1)
        assert page_width(page) <= PHONE["width"]
