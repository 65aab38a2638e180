"""An administrator's second factor in a real browser (R6), on a desktop and a phone screen:
first login -> enrolment (QR code, secret, first code) -> recovery codes -> home; then a later
login answered with a code computed from the secret the page showed.
"""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.login import sign_out
from tests.second_factor import code_from_secret, enrolled_device
from tests.support.province import PASSWORD, make_user, province_root_and_stttt
from vanban.accounts.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def unit_admin(transactional_db):
    _root, unit = province_root_and_stttt()
    return make_user(unit, "Lê Thị Hồng", (Role.UNIT_ADMIN,), position="Quản trị đơn vị")


@pytest.mark.parametrize("width", [1366, 390])
def test_admin_enrols_then_signs_in_with_a_code(live_server, browser: Browser, unit_admin, width):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": 900 if width > 500 else 844}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        page.get_by_label("Tên tài khoản").fill(unit_admin.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()

        # The policy sends the administrator to enrolment, and nowhere else.
        expect(page).to_have_url(f"{live_server.url}/tai-khoan/xac-thuc-hai-buoc/")
        expect(page.get_by_text("Vai trò của bạn bắt buộc dùng xác thực hai bước.")).to_be_visible()
        page.goto(f"{live_server.url}/tai-khoan/quan-tri/tai-khoan/")
        expect(page).to_have_url(f"{live_server.url}/tai-khoan/xac-thuc-hai-buoc/")
        qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI decoded as an image
        box = qr.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        secret = page.locator("#totp-secret").inner_text()

        # A wrong first code is refused in Vietnamese.
        page.get_by_label("Mã xác thực").fill("12345")
        page.get_by_role("button", name="Xác nhận và bật").click()
        expect(page.get_by_text("Mã xác thực gồm 6 chữ số.")).to_be_visible()

        page.get_by_label("Mã xác thực").fill(code_from_secret(secret))
        page.get_by_role("button", name="Xác nhận và bật").click()
        expect(page.get_by_role("heading", name="Đã bật xác thực hai bước")).to_be_visible()
        codes = page.locator("#recovery-codes li")
        expect(codes).to_have_count(10)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("link", name="Tôi đã lưu mã, tiếp tục »").click()
        expect(page.get_by_role("heading", name="Xin chào, Lê Thị Hồng")).to_be_visible()

        # Later: password, then the code of the app.
        sign_out(page)
        page.get_by_label("Tên tài khoản").fill(unit_admin.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(f"{live_server.url}/tai-khoan/dang-nhap/ma-xac-thuc/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_label("Mã xác thực").fill("000000")
        page.get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_text("Mã xác thực không đúng.")).to_be_visible()
        page.wait_for_timeout(1100)  # the throttle after a wrong code
        device = enrolled_device(unit_admin)
        code = code_from_secret(secret, last_used_step=device.last_t, drift=device.drift)
        page.get_by_label("Mã xác thực").fill(code)
        page.get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_role("heading", name="Xin chào, Lê Thị Hồng")).to_be_visible()
        page.goto(f"{live_server.url}/tai-khoan/quan-tri/tai-khoan/")
        expect(page.get_by_role("heading", name="Tài khoản", exact=False).first).to_be_visible()
    finally:
        context.close()
