import html

import pytest
from django.test import Client

from tests.support.province import PASSWORD, make_user
from vanban.accounts.models import AccountPolicy, AccountStatus, LockReason, User
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_success_records_audit_event(province):
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": province.staff_stttt.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert (
        AuditEvent.objects.filter(action="login.success", actor=province.staff_stttt).count() == 1
    )


def test_wrong_password_is_refused_in_vietnamese_and_counted(province):
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": province.staff_stttt.username, "password": "sai"}
    )
    assert response.status_code == 200
    assert "Tên tài khoản hoặc mật khẩu không đúng." in response.content.decode()
    user = User.objects.get(pk=province.staff_stttt.pk)
    assert user.failed_login_count == 1
    assert user.last_login is None
    assert AuditEvent.objects.filter(action="login.failure", actor=user).count() == 1


def test_unknown_account_gets_the_same_message(province):
    response = Client().post(
        "/tai-khoan/dang-nhap/", {"username": "khongco.stttt", "password": PASSWORD}
    )
    assert "Tên tài khoản hoặc mật khẩu không đúng." in response.content.decode()
    assert AuditEvent.objects.filter(action="login.failure", actor=None).count() == 1


def test_repeated_failures_lock_the_account(province):
    policy = AccountPolicy.current()
    policy.max_failed_logins = 3
    policy.save()
    client = Client()
    for _ in range(3):
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": province.staff_stttt.username, "password": "sai"}
        )
    # The lock is silent: the answer is the one every wrong password gets (R6).
    assert "Sau 3 lần sai liên tiếp, tài khoản bị tạm khóa 30 phút." in response.content.decode()
    user = User.objects.get(pk=province.staff_stttt.pk)
    assert user.status == AccountStatus.LOCKED
    assert user.status_reason == LockReason.FAILED_LOGINS
    # The right password no longer opens it.
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Tên tài khoản hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_new_account_must_change_password_first(province):
    user = make_user(province.stttt, "Đặng Văn Mới", must_change_password=True)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/tai-khoan/doi-mat-khau/"


def test_the_password_page_states_the_policy_before_any_error(province):
    """R5: the rules are on the page before anything is typed, as the province set them."""
    user = make_user(province.stttt, "Đặng Văn Mới", must_change_password=True)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    policy = AccountPolicy.current()
    policy.password_min_length = 14
    policy.password_require_symbol = False
    policy.save()
    page = html.unescape(client.get("/tai-khoan/doi-mat-khau/").content.decode())
    rules = page[
        page.index('id="password-rules"') : page.index("</ul>", page.index("password-rules"))
    ]
    assert "ít nhất 14 ký tự" in rules
    assert "có ít nhất một chữ hoa" in rules
    assert "ký tự đặc biệt" not in rules
    assert "không trùng và không chứa tên tài khoản" in rules
    assert "errorlist" not in page
