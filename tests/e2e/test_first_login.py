"""A new account's first login in a real browser: login -> forced password change -> home."""

import pytest
from playwright.sync_api import expect

from tests.support.province import province_root_and_stttt
from vanban.accounts import services
from vanban.accounts.models import User

pytestmark = pytest.mark.browser


@pytest.fixture
def new_account(transactional_db):
    _root, unit = province_root_and_stttt()
    return services.account_create(
        actor=None, unit=unit, full_name="Nguyễn Thu Phương", position="Chuyên viên"
    )


def test_first_login_forces_a_password_change(live_server, page, new_account):
    user, secret = new_account.user, new_account.one_time_password
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/tai-khoan/dang-nhap/?next=/")

    page.get_by_label("Tên tài khoản").fill(user.username)
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Tên tài khoản hoặc mật khẩu không đúng.")).to_be_visible()

    page.get_by_label("Mật khẩu").fill(secret)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{live_server.url}/tai-khoan/doi-mat-khau/")
    expect(page.get_by_text("Bạn cần đổi mật khẩu trước khi sử dụng hệ thống.")).to_be_visible()

    # Trying to go elsewhere leads back to the password change.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/tai-khoan/doi-mat-khau/")

    page.get_by_label("Mật khẩu hiện tại").fill(secret)
    page.get_by_label("Mật khẩu mới", exact=True).fill("yeu")
    page.get_by_label("Nhập lại mật khẩu mới").fill("yeu")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Mật khẩu phải có ít nhất 9 ký tự.")).to_be_visible()

    page.get_by_label("Mật khẩu hiện tại").fill(secret)
    page.get_by_label("Mật khẩu mới", exact=True).fill("Phuong@Ben-Tre-2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Phuong@Ben-Tre-2026")
    page.get_by_role("button", name="Đổi mật khẩu").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thu Phương")).to_be_visible()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    user.refresh_from_db()
    assert user.must_change_password is False
    assert User.objects.get(pk=user.pk).check_password("Phuong@Ben-Tre-2026")
