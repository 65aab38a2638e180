"""The second factor (R6): enrolment with an authenticator app, the code step of the login,
recovery codes, throttling and counting of wrong codes, the reset by an administrator, and the
enrolment the policy requires of administrators. Codes are computed from the device's secret as
the app on the phone does (tests/second_factor.py).
"""

import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.second_factor import (
    CODE_PAGE,
    ENROL_PAGE,
    enrol,
    enrolled_device,
    pending_device,
    totp_code,
)
from tests.support.api import ApiClient, token_for
from tests.support.province import PASSWORD
from vanban.accounts.models import (
    AccountPolicy,
    AccountStatus,
    LockReason,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
)
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
PROFILE = "/tai-khoan/cua-toi/"


def password_step(user: User, client: Client | None = None) -> tuple[Client, object]:
    client = client or Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    return client, response


def enrolled(user: User) -> list[str]:
    """Sign in without a second factor, enrol from the profile, sign out; the recovery codes."""
    client, response = password_step(user)
    assert response.status_code == 302
    codes = enrol(client, user)
    client.post("/tai-khoan/dang-xuat/")
    return codes


def test_optional_enrolment_from_the_profile(province):
    user = province.staff_stttt
    client, _ = password_step(user)
    profile = client.get(PROFILE).content.decode()
    assert "Xác thực hai bước: chưa bật" in profile
    assert ENROL_PAGE in profile
    page = client.get(ENROL_PAGE).content.decode()
    device = pending_device(user)
    assert 'src="data:image/svg+xml' in page
    assert "<script" not in page.split("<main", 1)[1]  # no inline script (CSP)
    secret = page.split('id="totp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key
    # A wrong first code is refused and nothing is enabled.
    wrong = client.post(ENROL_PAGE, {"code": "000000" if totp_code(device) != "000000" else "1"})
    assert wrong.status_code == 200
    assert (
        "Mã xác thực không đúng" in wrong.content.decode() or "6 chữ số" in wrong.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    time.sleep(1.1)  # the device's throttle after a wrong code
    response = client.post(ENROL_PAGE, {"code": totp_code(pending_device(user))})
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert "chỉ hiển thị một lần" in page
    assert response.headers["Cache-Control"].startswith("max-age=0")
    # Kept only as digests.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert AuditEvent.objects.filter(action="account.second_factor_enrol", actor=user).exists()
    # The codes are not shown again.
    again = client.get(ENROL_PAGE).content.decode()
    assert "đang bật" in again and codes[0] not in again
    assert "Xác thực hai bước: đang bật" in client.get(PROFILE).content.decode()


def test_login_asks_for_the_code_after_the_password(province):
    user = province.staff_stttt
    enrolled(user)
    client, response = password_step(user)
    assert response.headers["Location"] == CODE_PAGE
    # The password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get("/").headers["Location"].startswith(LOGIN)
    assert "Mã xác thực" in client.get(CODE_PAGE).content.decode()
    done = client.post(CODE_PAGE, {"code": totp_code(enrolled_device(user))})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    success = AuditEvent.objects.filter(action="login.success", actor=user).last()
    assert success.data == {"factor": "totp"}
    assert AuditEvent.objects.filter(action="login.password", actor=user).exists()


def test_wrong_code_is_refused_throttled_and_counted(province):
    user = province.staff_stttt
    enrolled(user)
    client, _ = password_step(user)
    device = enrolled_device(user)
    right = totp_code(device)
    wrong = client.post(CODE_PAGE, {"code": "000000" if right != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Mã xác thực không đúng." in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.failed_login_count == 1
    failure = AuditEvent.objects.filter(action="login.failure", actor=user).last()
    assert failure.data["why"] == "second_factor"
    # At once, even the right code waits for the throttle.
    throttled = client.post(CODE_PAGE, {"code": right})
    assert "Nhập sai mã nhiều lần. Vui lòng chờ 1 giây rồi thử lại." in throttled.content.decode()
    time.sleep(1.1)
    done = client.post(CODE_PAGE, {"code": totp_code(device)})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 0


def test_wrong_codes_lock_the_account_like_wrong_passwords(province, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only the account's count is under test here
    user = province.staff_stttt
    enrolled(user)
    client, _ = password_step(user)
    for _ in range(4):
        assert (
            "Mã xác thực không đúng." in client.post(CODE_PAGE, {"code": "12345"}).content.decode()
        )
    last = client.post(CODE_PAGE, {"code": "12345"})
    assert last.status_code == 302 and last.headers["Location"] == LOGIN
    user.refresh_from_db()
    assert (user.status, user.status_reason) == (AccountStatus.LOCKED, LockReason.FAILED_LOGINS)
    # The right code cannot be used on the locked account.
    assert client.get(CODE_PAGE).headers["Location"] == LOGIN


def test_a_recovery_code_works_once(province):
    user = province.staff_stttt
    codes = enrolled(user)
    client, _ = password_step(user)
    done = client.post(CODE_PAGE, {"code": codes[3].upper()})
    assert done.status_code == 302
    assert "còn 9 mã chưa dùng" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="login.success", actor=user).last().data == {
        "factor": "recovery"
    }
    client.post("/tai-khoan/dang-xuat/")
    client, _ = password_step(user)
    again = client.post(CODE_PAGE, {"code": codes[3]})
    assert again.status_code == 200
    assert "Mã xác thực không đúng." in again.content.decode()
    assert RecoveryCodeDevice.objects.get(user=user).codes.count() == 9


def test_a_session_opened_without_the_code_is_refused(province):
    """Another way in (Django's own login, the authentication backend) does not skip the code."""
    user = province.staff_stttt
    enrolled(user)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_administrators_must_enrol_before_anything_else(province):
    admin = province.admin_stttt
    client, response = password_step(admin)
    assert response.status_code == 302
    for page in ("/", "/tai-khoan/quan-tri/tai-khoan/", PROFILE):
        answer = client.get(page)
        assert answer.status_code == 302 and answer.headers["Location"] == ENROL_PAGE, page
    page = client.get(ENROL_PAGE).content.decode()
    assert "Vai trò của bạn bắt buộc dùng xác thực hai bước." in page
    enrol(client, admin)
    assert client.get("/tai-khoan/quan-tri/tai-khoan/").status_code == 200
    # Next time: password, then code.
    client.post("/tai-khoan/dang-xuat/")
    client, response = password_step(admin)
    assert response.headers["Location"] == CODE_PAGE


def test_the_roles_that_must_enrol_are_policy_data(province):
    policy = AccountPolicy.current()
    policy.second_factor_roles = ["province_admin"]
    policy.save()
    client, _ = password_step(province.admin_stttt)
    assert client.get("/tai-khoan/quan-tri/tai-khoan/").status_code == 200
    policy.second_factor_roles = ["province_admin", "unit_admin", "clerk", "staff", "leader"]
    policy.save()
    client, _ = password_step(province.staff_stttt)
    assert client.get("/").headers["Location"] == ENROL_PAGE


def test_admin_resets_a_factor_within_their_unit(province, client_for):
    user = province.staff_stttt
    enrolled(user)
    their_session, _ = password_step(user)
    their_session.post(CODE_PAGE, {"code": totp_code(enrolled_device(user))})
    assert their_session.get("/").status_code == 200
    url = f"/tai-khoan/quan-tri/tai-khoan/{user.pk}/dat-lai-xac-thuc/"

    # The admin of another unit cannot.
    other = client_for(province.admin_snv)
    assert other.post(url).status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=user).exists()

    admin = client_for(province.admin_stttt)
    detail = admin.get(f"/tai-khoan/quan-tri/tai-khoan/{user.pk}/").content.decode()
    assert "Đặt lại xác thực hai bước" in detail
    response = admin.post(url)
    assert response.status_code == 302
    assert (
        "Đã đặt lại xác thực hai bước" in admin.get(response.headers["Location"]).content.decode()
    )
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="account.second_factor_reset")
    assert (event.actor, event.data) == (province.admin_stttt, {"was_enrolled": True})
    # Their sessions have ended; the next login has no code step (the factor is optional for
    # staff) and they may enrol again.
    assert their_session.get("/").status_code == 302
    _, response = password_step(user)
    assert response.headers["Location"] == "/"


def test_province_admin_resets_everywhere_and_the_admin_enrols_again(province, client_for):
    target = province.admin_snv
    client, _ = password_step(target)
    enrol(client, target)
    province_admin = client_for(province.province_admin)
    url = f"/tai-khoan/quan-tri/tai-khoan/{target.pk}/dat-lai-xac-thuc/"
    assert province_admin.post(url).status_code == 302
    client, response = password_step(target)
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == ENROL_PAGE
    # Nobody resets their own factor.
    own = province_admin.post(
        f"/tai-khoan/quan-tri/tai-khoan/{province.province_admin.pk}/dat-lai-xac-thuc/"
    )
    assert own.status_code == 200
    assert "Không thể tự đặt lại xác thực hai bước" in own.content.decode()
    assert TOTPDevice.objects.filter(user=province.province_admin, confirmed=True).exists()


def test_api_tokens_do_not_ask_for_the_code(province):
    admin = province.admin_stttt
    client, _ = password_step(admin)
    enrol(client, admin)
    response = ApiClient().get("/me", token_for(admin))
    assert response.status_code == 200
    assert response.json()["username"] == admin.username


def test_enrolling_ends_the_other_sessions_opened_without_a_code(province):
    user = province.staff_stttt
    other, _ = password_step(user)
    assert other.get("/").status_code == 200
    client, _ = password_step(user)
    enrol(client, user)
    assert client.get("/").status_code == 200
    assert other.get("/").headers["Location"].startswith(LOGIN)


def test_an_admin_enrolled_from_another_window_signs_in_again_with_the_code(province):
    admin = province.admin_stttt
    first, _ = password_step(admin)
    second, _ = password_step(admin)
    enrol(first, admin)
    # The second window's session has ended: it signs in again, now with the code.
    response = second.get(ENROL_PAGE)
    assert response.headers["Location"].startswith(LOGIN)
    _, response = password_step(admin, second)
    assert response.headers["Location"] == CODE_PAGE


def test_the_code_step_keeps_the_page_asked_for_and_expires(province):
    user = province.staff_stttt
    enrolled(user)
    client = Client()
    response = client.post(
        f"{LOGIN}?next=/tai-khoan/cua-toi/", {"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == CODE_PAGE
    done = client.post(CODE_PAGE, {"code": totp_code(enrolled_device(user))})
    assert done.headers["Location"] == PROFILE

    late = Client()
    password_step(user, late)
    session = late.session
    session["vanban_login_pending"]["at"] -= 301
    session.save()
    response = late.post(CODE_PAGE, {"code": totp_code(enrolled_device(user))})
    assert response.headers["Location"] == LOGIN
    assert "_auth_user_id" not in late.session
    assert "Phiên đăng nhập đã hết hạn" in late.get(LOGIN).content.decode()
