"""The province administrator sets the year's reform criteria in a real browser, at 1366 px and
on a 390 px phone (R24, Art. 12.2): the form's rows, the refusal when the points do not add up,
the saved criteria; no page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from tests.e2e.phone_world import DESKTOP, PHONE, page_width
from tests.support.province import build_province
from vanban.oversight.models import ReformScheme

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_province_admin_sets_the_criteria_of_the_year(
    transactional_db, live_server, window_at, viewport
):
    province = build_province()
    page = window_at(province.province_admin, viewport)
    page.goto(f"{live_server.url}/giam-sat/cai-cach-hanh-chinh/tieu-chi/?year=2026")
    expect(page.locator("#no-scheme")).to_be_visible()
    page.get_by_role("link", name="Lập bộ tiêu chí").click()
    page.get_by_label("Tổng điểm tối đa của bộ tiêu chí").fill("10")
    row = page.locator("tr.criterion-form").first
    row.locator("input[name$='-code']").fill("CNTT.1")
    row.locator("input[name$='-name']").fill("Văn bản đi được gửi điện tử")
    row.locator("select[name$='-measure']").select_option("sent_electronic")
    row.locator("input[name$='-threshold']").fill("50")
    row.locator("input[name$='-target']").fill("90")
    row.locator("input[name$='-max_points']").fill("9,5")
    page.get_by_role("button", name="Lưu bộ tiêu chí").click()
    expect(page.locator("#page-error")).to_have_text(
        "Tổng điểm tối đa của các tiêu chí (9,5) phải bằng tổng điểm của bộ tiêu chí (10)."
    )
    assert not ReformScheme.objects.exists()
    assert page_width(page) <= viewport["width"]
    page.locator("tr.criterion-form").first.locator("input[name$='-max_points']").fill("10")
    page.get_by_role("button", name="Lưu bộ tiêu chí").click()
    expect(page.locator("#criterion-CNTT\\.1")).to_contain_text("Văn bản đi được gửi điện tử")
    expect(page.locator("#scheme-total")).to_contain_text("10")
    assert page_width(page) <= viewport["width"]
    scheme = ReformScheme.objects.get(year=2026)
    assert list(scheme.criteria.values_list("code", "max_points")) == [("CNTT.1", 10)]
