"""Signed in on two devices: the office computer ends the phone's session (R6)."""

import pytest
from playwright.sync_api import expect

from tests.support.province import PASSWORD, make_user
from vanban.accounts import services
from vanban.accounts.models import Role

pytestmark = pytest.mark.browser

PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Mobile Safari/537.36"


@pytest.fixture
def person(transactional_db):
    root = services.unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh Bến Tre",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    return make_user(root, "Nguyễn Thu Phương", (Role.STAFF,))


def sign_in(page, url, user):
    page.goto(f"{url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên tài khoản").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thu Phương")).to_be_visible()


def test_log_out_the_other_device(live_server, page, browser, person, csp_violations):
    phone_context = browser.new_context(locale="vi-VN", user_agent=PHONE)
    phone = phone_context.new_page()
    sign_in(phone, live_server.url, person)
    sign_in(page, live_server.url, person)

    page.locator("nav.menu summary").filter(has_text="Nguyễn Thu Phương").click()
    page.get_by_role("link", name="Thông tin cá nhân").click()
    page.get_by_role("link", name="Phiên đăng nhập").click()
    expect(page.get_by_role("heading", name="Phiên đăng nhập")).to_be_visible()
    expect(page.locator("#session-table tbody tr")).to_have_count(2)
    expect(page.get_by_text("Android 14")).to_be_visible()
    expect(page.get_by_text("Phiên này")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất các phiên khác").click()
    expect(page.get_by_text("Đã đăng xuất mọi phiên khác; phiên này vẫn tiếp tục.")).to_be_visible()
    expect(page.locator("#session-table tbody tr")).to_have_count(1)

    phone.goto(f"{live_server.url}/")
    expect(phone).to_have_url(f"{live_server.url}/tai-khoan/dang-nhap/?next=/")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thu Phương")).to_be_visible()
    phone_context.close()
