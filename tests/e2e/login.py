"""Signing in through the login page in a real browser, second step included (R6).

An administrator (whose role the account policy makes enrol) is enrolled at the first login the
way a person does it: the secret shown on the enrolment page goes into the "app" (here
tests.second_factor.code_from_secret), its first code confirms it; later logins answer the code
step with the next code of that secret.
"""

import base64

from playwright.sync_api import Page, expect

from tests.second_factor import CODE_PAGE, ENROL_PAGE, code_from_secret, enrolled_device
from tests.support.province import PASSWORD
from vanban.accounts.models import User


def sign_in(page: Page, base_url: str, user: User, password: str = PASSWORD) -> list[str]:
    """Log `user` in; returns the recovery codes when this login enrolled them, else []."""
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên tài khoản").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/tai-khoan/dang-nhap/" not in url or CODE_PAGE in url)
    if page.url.endswith(CODE_PAGE):
        device = enrolled_device(user)
        secret = base64.b32encode(device.bin_key).decode()
        page.get_by_label("Mã xác thực").fill(
            code_from_secret(secret, last_used_step=device.last_t, drift=device.drift)
        )
        page.get_by_role("button", name="Xác nhận").click()
        page.wait_for_url(lambda url: CODE_PAGE not in url)
        return []
    if page.url.endswith(ENROL_PAGE):
        return enrol_in_page(page)
    return []


def enrol_in_page(page: Page) -> list[str]:
    """On the enrolment page: read the secret, confirm with a first code, keep the codes."""
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Mã xác thực").fill(code_from_secret(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = [c.strip() for c in codes.all_inner_texts()]
    page.get_by_role("link", name="Tôi đã lưu mã, tiếp tục »").click()
    return recovery


def open_menu(page: Page) -> None:
    """Below 900 px the main menu is folded behind its "Menu" button: open it (no-op when shown)."""
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def sign_out(page: Page) -> None:
    """Sign out through the group under the person's name in the menu (folded or not)."""
    open_menu(page)
    group = page.locator("nav.menu details.menu-group").filter(has=page.locator(".menu-person"))
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    page.locator("nav.menu").get_by_role("button", name="Đăng xuất").click()
