"""The login page is no oracle (R6): whether an account exists, is locked or revoked, and
whether a password typed on a locked account is right, never shows in the answer; one client
address cannot try account after account (R6, the per-address limit of the account policy).
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.test import Client

from tests.support.province import PASSWORD, make_user
from vanban.accounts import services
from vanban.accounts.models import (
    AccountPolicy,
    AccountStatus,
    LockReason,
    LoginFailure,
    User,
)
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.settings import PASSWORD_HASHERS as PRODUCTION_HASHERS

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
WRONG = "Sai-mat-khau-1"
MESSAGE = (
    "Tên tài khoản hoặc mật khẩu không đúng. Sau 5 lần sai liên tiếp, tài khoản bị tạm khóa "
    "30 phút."
)
ADDRESS_LIMIT = "Quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau 10 phút."


def page_text(response, username: str) -> str:
    """The page apart from what differs by nature: the CSRF token and the name typed."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", text)
    return text.replace(f'value="{username}"', 'value="TEN-TAI-KHOAN"')


def attempts(client: Client, username: str, passwords: list[str]) -> list[tuple[int, str]]:
    answers = []
    for password in passwords:
        response = client.post(LOGIN, {"username": username, "password": password})
        answers.append((response.status_code, page_text(response, username)))
    return answers


SEQUENCE = [WRONG] * 5 + [WRONG] * 3 + [PASSWORD]


def test_locked_account_answers_every_password_like_a_wrong_one(province):
    user = province.staff_stttt
    answers = attempts(Client(REMOTE_ADDR="10.1.0.1"), user.username, SEQUENCE)
    # The 5th failure, the failures after it and the right password: one answer, one page.
    assert {status for status, _ in answers} == {200}
    assert len({text for _, text in answers}) == 1
    assert MESSAGE in answers[0][1]
    user.refresh_from_db()
    assert (user.status, user.status_reason) == (AccountStatus.LOCKED, LockReason.FAILED_LOGINS)
    # Failures during the lock keep counting, the right password included.
    assert user.failed_login_count == 9
    failures = AuditEvent.objects.filter(action="login.failure", actor=user).order_by("pk")
    assert failures.count() == 9
    assert failures.last().data["password_ok"] is True
    assert not AuditEvent.objects.filter(action="login.success", actor=user).exists()

    # An unknown name gets the very same pages, in the same order.
    unknown = attempts(Client(REMOTE_ADDR="10.1.0.2"), "khongco.stttt", SEQUENCE)
    assert unknown == answers

    # When the lock period is over, the right password opens the account again.
    with clock.frozen(clock.now() + dt.timedelta(minutes=31)):
        response = Client(REMOTE_ADDR="10.1.0.1").post(
            LOGIN, {"username": user.username, "password": PASSWORD}
        )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.status, user.failed_login_count) == (AccountStatus.ACTIVE, 0)


@pytest.mark.parametrize(
    "reason", [LockReason.COMPROMISED, LockReason.AGENCY_REQUEST, LockReason.VIOLATION]
)
def test_admin_and_security_locks_show_nothing_even_to_the_right_password(province, reason):
    user = province.staff_stttt
    services.account_lock(actor=province.admin_stttt, user=user, reason=reason, note="Kiểm tra.")
    right = attempts(Client(), user.username, [PASSWORD])
    wrong = attempts(Client(), user.username, [WRONG])
    unknown = attempts(Client(), "khongco.stttt", [PASSWORD])
    assert right == wrong == unknown
    assert MESSAGE in right[0][1]


def test_revoked_account_answers_like_an_unknown_one(province):
    user = province.staff_stttt
    services.account_revoke(
        actor=province.admin_stttt, user=user, reason="left_unit", note="Chuyển công tác."
    )
    assert attempts(Client(), user.username, [PASSWORD]) == attempts(
        Client(), "khongco.stttt", [PASSWORD]
    )


def test_unused_account_lock_is_told_to_the_holder_of_the_issued_password_only(province):
    """R3: a person whose issued password lapsed learns why, but only with that password and
    only while the account has fewer failures than the limit."""
    user = make_user(province.stttt, "Đặng Văn Mới", must_change_password=True)
    with clock.frozen(clock.now() + dt.timedelta(days=31)):
        services.accounts_sweep()
        user.refresh_from_db()
        assert user.status_reason == LockReason.NOT_USED
        client = Client()
        wrong = attempts(client, user.username, [WRONG])
        assert wrong == attempts(Client(), "khongco.stttt", [WRONG])
        right = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
        assert "Tài khoản đang bị tạm khóa (Không sử dụng trong thời hạn" in right.content.decode()
        attempts(client, user.username, [WRONG] * 4)
        # Six failures now: the right password no longer tells anything.
        late = attempts(client, user.username, [PASSWORD])
        assert late == attempts(Client(), "khongco.stttt", [PASSWORD])


def test_every_refusal_costs_one_argon2_check_and_no_new_hash(province, settings, monkeypatch):
    """The timing class: unknown names are checked against a hash of the same hasher."""
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS  # the tests' fast hasher set aside
    active = make_user(province.stttt, "Đỗ Văn Thật")
    locked = make_user(province.snv, "Đỗ Thị Khóa")
    services.account_lock(
        actor=province.admin_snv, user=locked, reason=LockReason.VIOLATION, note="Kiểm tra."
    )
    with pytest.raises(ServiceError):  # makes the dummy hash once
        services.login_password_step(username="khongco.stttt", password="x")
    calls = {"verify": 0, "encode": 0}
    verify, encode = Argon2PasswordHasher.verify, Argon2PasswordHasher.encode

    def counting_verify(self, password, encoded):  # type: ignore[no-untyped-def]
        calls["verify"] += 1
        return verify(self, password, encoded)

    def counting_encode(self, password, salt):  # type: ignore[no-untyped-def]
        calls["encode"] += 1
        return encode(self, password, salt)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(Argon2PasswordHasher, "encode", counting_encode)
    cases = [
        ("khongco.stttt", WRONG),
        (active.username, WRONG),
        (locked.username, PASSWORD),
        (locked.username, WRONG),
    ]
    for username, password in cases:
        calls.update(verify=0, encode=0)
        response = Client().post(LOGIN, {"username": username, "password": password})
        assert response.status_code == 200
        assert calls == {"verify": 1, "encode": 0}, username


def make_accounts(province, count: int) -> list[User]:
    hashed = make_password(PASSWORD)
    return [
        services.account_create(
            actor=None,
            unit=province.snv,
            full_name=f"Cán Bộ Thử {chr(65 + i // 26)}{chr(65 + i % 26)}",
            password_hash=hashed,
            must_change_password=False,
        ).user
        for i in range(count)
    ]


def test_one_address_cannot_try_account_after_account(province):
    accounts = make_accounts(province, 30)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    answers = [attacker.post(LOGIN, {"username": a.username, "password": WRONG}) for a in accounts]
    assert all(r.status_code == 200 for r in answers)
    assert all(MESSAGE in r.content.decode() for r in answers[:20])
    assert all(ADDRESS_LIMIT in r.content.decode() for r in answers[20:])
    # Refused attempts reach no account: no password check, no count, no lock.
    assert [
        a.failed_login_count
        for a in User.objects.filter(pk__in=[a.pk for a in accounts]).order_by("pk")
    ] == [1] * 20 + [0] * 10
    # The right password from that address is refused too, with the same message.
    right = attacker.post(LOGIN, {"username": accounts[25].username, "password": PASSWORD})
    assert ADDRESS_LIMIT in right.content.decode()
    assert "_auth_user_id" not in attacker.session
    refusals = AuditEvent.objects.filter(action="login.address_limited", ip="203.0.113.7")
    assert refusals.count() == 11
    assert refusals.last().data == {"username": accounts[25].username, "wait_minutes": 10}
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert (
        other.post(LOGIN, {"username": accounts[25].username, "password": PASSWORD}).status_code
        == 302
    )
    # After the window the address may try again.
    with clock.frozen(clock.now() + dt.timedelta(minutes=11)):
        later = attacker.post(LOGIN, {"username": accounts[26].username, "password": PASSWORD})
    assert later.status_code == 302


def test_the_address_limit_is_policy_data(province):
    policy = AccountPolicy.current()
    policy.address_max_failed_logins, policy.address_window_minutes = 3, 5
    policy.save()
    client = Client(REMOTE_ADDR="198.51.100.1")
    for _ in range(3):
        client.post(LOGIN, {"username": "khongco.stttt", "password": WRONG})
    response = client.post(LOGIN, {"username": "khongco.stttt", "password": WRONG})
    assert "Vui lòng thử lại sau 5 phút." in response.content.decode()
    policy.address_max_failed_logins = 0  # 0 = no limit
    policy.save()
    response = client.post(LOGIN, {"username": "khongco.stttt", "password": WRONG})
    assert MESSAGE in response.content.decode()


def test_the_daily_sweep_forgets_old_failures(province):
    Client(REMOTE_ADDR="198.51.100.2").post(LOGIN, {"username": "x.stttt", "password": WRONG})
    assert LoginFailure.objects.count() == 1
    services.accounts_sweep(at=clock.now() + dt.timedelta(hours=23))
    assert LoginFailure.objects.count() == 1
    services.accounts_sweep(at=clock.now() + dt.timedelta(days=2))
    assert LoginFailure.objects.count() == 0


def test_behind_the_proxy_the_address_is_x_real_ip(province, settings):
    settings.VANBAN_BEHIND_PROXY = True
    Client(REMOTE_ADDR="127.0.0.1").post(
        LOGIN, {"username": "x.stttt", "password": WRONG}, headers={"X-Real-IP": "192.0.2.44"}
    )
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["192.0.2.44"]
    settings.VANBAN_BEHIND_PROXY = False
    Client(REMOTE_ADDR="127.0.0.1").post(
        LOGIN, {"username": "x.stttt", "password": WRONG}, headers={"X-Real-IP": "192.0.2.45"}
    )
    assert LoginFailure.objects.filter(ip="127.0.0.1").count() == 1


def test_policy_page_edits_the_address_limit_and_second_factor_roles(province, client_for):
    from tests.accounts.test_admin_authz import POLICY, POLICY_DATA

    admin = client_for(province.province_admin)
    page = admin.get(POLICY).content.decode()
    assert "Số lần đăng nhập sai tối đa từ một địa chỉ" in page
    assert "Vai trò bắt buộc xác thực hai bước" in page
    response = admin.post(
        POLICY,
        {
            **POLICY_DATA,
            "address_max_failed_logins": "50",
            "address_window_minutes": "15",
            "second_factor_roles": ["province_admin"],
        },
    )
    assert response.status_code == 302
    policy = AccountPolicy.current()
    assert (
        policy.address_max_failed_logins,
        policy.address_window_minutes,
        policy.second_factor_roles,
    ) == (50, 15, ["province_admin"])
    bad = admin.post(POLICY, {**POLICY_DATA, "second_factor_roles": ["sep"]})
    assert bad.status_code == 200
    assert "second_factor_roles" in bad.context["form"].errors
    assert AccountPolicy.current().second_factor_roles == ["province_admin"]
