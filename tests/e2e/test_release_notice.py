"""After an upgrade, the new version's notes greet each person once (R23; Art. 8.4): on the
first page after signing in, closed in place without reloading, gone for good; "Có gì mới" keeps
every version's notes, from the footer of every page. At 1366 px and on a 390 px phone."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.login import sign_in, sign_out
from tests.support.province import make_user, province_root_and_stttt
from vanban import __version__
from vanban.accounts.models import Role

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_the_notice_comes_once_and_closes_in_place(
    live_server, page: Page, transactional_db, width, height
):
    _root, unit = province_root_and_stttt()
    person = make_user(unit, "Nguyễn Thị Mai", (Role.STAFF,))
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server.url, person)
    notice = page.locator("#release-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"Hệ thống đã được nâng cấp lên phiên bản {__version__}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    notice.get_by_role("button", name="Đã xem, đóng thông báo").click()
    expect(notice).to_have_count(0)
    page.reload()
    expect(page.locator("#release-notice")).to_have_count(0)

    # The footer leads to every version's notes.
    page.get_by_role("link", name=f"Phiên bản {__version__} · Có gì mới").click()
    expect(page.get_by_role("heading", name="Có gì mới", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Mới trong phiên bản này")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    sign_out(page)
    sign_in(page, live_server.url, person)
    expect(page.locator("#release-notice")).to_have_count(0)
