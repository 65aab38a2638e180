"""The menu of an administrator fits one line on a 1366 px screen: the administration pages sit
in one "Quản trị" group (a <details> menu, opened with the mouse or the keyboard, without
script), for a unit's administrator and for the province's, who also keep registers here (the
longest menu), with the work badges showing."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.login import sign_in
from tests.support.documents import DECLARED, incoming_input
from tests.support.files import pdf_upload
from tests.support.province import make_user, province_root_and_stttt
from vanban.accounts.models import Role
from vanban.core.services import notification_send
from vanban.documents.services import incoming_register

pytestmark = pytest.mark.browser


@pytest.fixture
def admins(transactional_db, document_types, own_storage):  # type: ignore[no-untyped-def]
    """Administrators who also keep the registers (the longest menu), with work waiting: a
    document to present (the clerk's), 12 unread notifications (a two-digit badge)."""
    _root, unit = province_root_and_stttt()
    unit_admin = make_user(unit, "Lê Thị Hồng", (Role.UNIT_ADMIN, Role.LEADER))
    province_admin = make_user(
        unit, "Trần Nguyễn Hoàng Quản Trị", (Role.PROVINCE_ADMIN, Role.CLERK, Role.LEADER)
    )
    incoming_register(
        actor=province_admin,
        unit=unit,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    for person in (unit_admin, province_admin):
        notification_send(recipients=[person] * 12, title="Thông báo thử")
    return {"unit": unit_admin, "province": province_admin}


def one_line(page: Page) -> None:
    """The menu is as high as one of its items: nothing wrapped to a second line."""
    nav = page.locator("nav.menu").bounding_box()
    item = page.get_by_role("link", name="Trang chủ", exact=True).bounding_box()
    assert nav is not None and item is not None
    assert nav["height"] < 2 * item["height"], (nav, item)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


@pytest.mark.parametrize("who", ["unit", "province"])
def test_the_admin_menu_fits_one_line_and_opens_from_the_keyboard(live_server, page, admins, who):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, admins[who])
    page.goto(f"{live_server.url}/")
    expect(page.locator("nav.menu .badge").first).to_be_visible()
    if who == "province":
        expect(page.get_by_role("link", name="Việc của tôi 1")).to_be_visible()
    one_line(page)

    accounts = page.get_by_role("link", name="Tài khoản", exact=True)
    expect(accounts).to_be_hidden()  # inside the closed group
    group = page.locator("nav.menu summary").get_by_text("Quản trị", exact=True)
    group.focus()
    page.keyboard.press("Enter")
    expect(accounts).to_be_visible()
    policy = page.get_by_role("link", name="Chính sách", exact=True)
    if who == "province":
        expect(policy).to_be_visible()
    else:
        expect(policy).to_have_count(0)
    page.keyboard.press("Tab")
    expect(accounts).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/tai-khoan/quan-tri/tai-khoan/")
    # On an administration page the group is marked, still on one line.
    expect(page.locator("nav.menu summary.current")).to_have_text("Quản trị")
    one_line(page)
