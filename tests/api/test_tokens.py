"""Token lifecycle through the CLI and the services, and how the API treats each token."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command

from tests.support.api import token_for
from tests.support.province import make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import LockReason, RevokeReason
from vanban.api import services
from vanban.api.models import ApiToken
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"^vbt_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- command line


def test_cli_create_prints_only_the_token_and_stores_only_its_hash(province, api):
    user = province.staff_stttt
    out, err = run("create", user.username, "--name", "Đồng bộ nhân sự")
    assert out.count("\n") == 1
    plaintext = out.strip()
    match = TOKEN_RE.match(plaintext)
    assert match, out
    token = ApiToken.objects.get()
    assert token.user == user
    assert token.name == "Đồng bộ nhân sự"
    assert token.prefix == match.group(1)
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.split("_", 2)[2]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(isinstance(v, str) and secret in v for v in stored.values())
    assert f"vbt_{token.prefix}" in err and "không hiển thị lại" in err
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor is None
    assert event.target_id == str(token.pk)
    assert event.data == {"user": user.username, "prefix": token.prefix, "name": "Đồng bộ nhân sự"}
    assert secret not in str(event.data)

    response = api.get("/me", plaintext)
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["token_prefix"] == f"vbt_{token.prefix}"


def test_cli_list_and_revoke(province, api):
    user = province.staff_stttt
    with clock.frozen(dt.datetime(2025, 3, 4, 1, 30, tzinfo=dt.UTC)):
        plaintext = run("create", user.username, "--name", "Báo cáo")[0].strip()
    prefix = TOKEN_RE.match(plaintext).group(1)

    out, _ = run("list", user.username)
    assert out.splitlines() == [
        f"vbt_{prefix}\tBáo cáo\tcấp 04/03/2025 08:30\tdùng gần nhất chưa dùng\tđang dùng"
    ]

    with clock.frozen(dt.datetime(2025, 3, 5, 2, 0, tzinfo=dt.UTC)):
        out, _ = run("revoke", f"vbt_{prefix}")
    assert out.strip() == f"Đã thu hồi mã truy cập vbt_{prefix} của {user.username}."
    token = ApiToken.objects.get()
    assert token.revoked_at == dt.datetime(2025, 3, 5, 2, 0, tzinfo=dt.UTC)
    assert token.revoked_by is None
    assert (
        AuditEvent.objects.filter(action="api_token.revoke", target_id=str(token.pk)).count() == 1
    )
    assert run("list", user.username)[0].split("\t")[-1].strip() == "đã thu hồi 05/03/2025 09:00"

    response = api.get("/me", plaintext)
    assert response.status_code == 401
    assert response.json()["detail"] == "Mã truy cập API đã bị thu hồi."

    audit_before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=f"Mã truy cập API vbt_{prefix} đã bị thu hồi trước đó."):
        run("revoke", prefix)
    assert AuditEvent.objects.count() == audit_before


def test_cli_list_of_account_without_tokens(province):
    out, _ = run("list", province.staff_snv.username)
    assert out.strip() == f"Tài khoản {province.staff_snv.username} chưa có mã truy cập API."


def test_cli_unknown_username_or_prefix_is_refused_in_vietnamese(province):
    with pytest.raises(CommandError, match=r"^Không có tài khoản khongco\.stttt\.$"):
        run("create", "khongco.stttt")
    with pytest.raises(CommandError, match=r"^Không có tài khoản khongco\.stttt\.$"):
        run("list", "khongco.stttt")
    with pytest.raises(
        CommandError, match=re.escape("Không có mã truy cập API nào có mã nhận diện 0badc0de.")
    ):
        run("revoke", "vbt_0badc0de")
    assert ApiToken.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="api_token").exists()


def test_cli_refuses_a_token_for_a_locked_account(province):
    user = province.staff_snv
    account_services.account_lock(
        actor=province.admin_snv,
        user=user,
        reason=LockReason.COMPROMISED,
        note="Máy bị nhiễm mã độc.",
    )
    audit_before = AuditEvent.objects.count()
    with pytest.raises(
        CommandError, match="đang ở trạng thái “Tạm khóa”, không thể cấp mã truy cập API"
    ):
        run("create", user.username)
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


# ---------------------------------------------------------------- services


def test_owner_and_admins_of_the_unit_may_create_and_revoke(province):
    staff = province.staff_stttt
    for actor in (staff, province.admin_stttt, province.province_admin):
        issued = services.token_create(actor=actor, user=staff, name=f"bởi {actor.username}")
        assert issued.token.user == staff
        event = AuditEvent.objects.get(action="api_token.create", target_id=str(issued.token.pk))
        assert event.actor == actor
        revoked = services.token_revoke(actor=actor, token=issued.token)
        assert revoked.revoked_by == actor
        assert (
            AuditEvent.objects.get(action="api_token.revoke", target_id=str(issued.token.pk)).actor
            == actor
        )


@pytest.mark.parametrize("actor_name", ["staff_snv", "leader_stttt", "admin_snv"])
def test_others_may_not_create_or_revoke(province, actor_name):
    actor = getattr(province, actor_name)
    staff = province.staff_stttt
    issued = services.token_create(actor=None, user=staff)
    tokens_before, audit_before = ApiToken.objects.count(), AuditEvent.objects.count()
    message = (
        "Chỉ chủ tài khoản hoặc quản trị đơn vị của tài khoản được cấp hoặc thu hồi "
        "mã truy cập API."
    )
    with pytest.raises(AccessDenied, match=re.escape(message)):
        services.token_create(actor=actor, user=staff)
    with pytest.raises(AccessDenied, match=re.escape(message)):
        services.token_revoke(actor=actor, token=issued.token)
    assert ApiToken.objects.count() == tokens_before
    assert AuditEvent.objects.count() == audit_before
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_a_locked_admin_may_not_create_tokens(province):
    admin = province.admin_stttt
    account_services.account_lock(
        actor=province.province_admin,
        user=admin,
        reason=LockReason.AGENCY_REQUEST,
        note="Tạm dừng.",
    )
    admin.refresh_from_db()
    with pytest.raises(AccessDenied):
        services.token_create(actor=admin, user=province.staff_stttt)
    assert ApiToken.objects.count() == 0


def test_name_too_long_is_refused(province):
    with pytest.raises(
        ServiceError, match=re.escape("Tên gợi nhớ của mã truy cập dài quá 100 ký tự.")
    ) as info:
        services.token_create(actor=None, user=province.staff_stttt, name="x" * 101)
    assert info.value.field == "name"
    assert ApiToken.objects.count() == 0


def test_every_token_is_different(province):
    tokens = {token_for(province.staff_stttt) for _ in range(5)}
    assert len(tokens) == 5
    assert ApiToken.objects.values("prefix").distinct().count() == 5


# ---------------------------------------------------------------- how the API treats tokens


def test_last_used_is_written_at_most_once_a_minute(province, api):
    plaintext = token_for(province.staff_stttt)
    start = dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        assert api.get("/me", plaintext).status_code == 200
    assert ApiToken.objects.get().last_used_at == start
    with clock.frozen(start + dt.timedelta(seconds=59)):
        assert api.get("/me", plaintext).status_code == 200
    assert ApiToken.objects.get().last_used_at == start
    with clock.frozen(start + dt.timedelta(seconds=61)):
        assert api.get("/me", plaintext).status_code == 200
    assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=61)


def test_within_the_minute_a_request_writes_nothing(province, api, django_assert_num_queries):
    plaintext = token_for(province.staff_stttt)
    start = dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        api.get("/me", plaintext)
    with clock.frozen(start + dt.timedelta(seconds=30)), django_assert_num_queries(2) as ctx:
        # The token with its account, and the account's roles; no UPDATE.
        assert api.get("/me", plaintext).status_code == 200
    assert not any(q["sql"].startswith("UPDATE") for q in ctx.captured_queries)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Token abc", "Basic YWJjOmRlZg=="])
def test_missing_token(province, api, header):
    headers = {} if header is None else {"Authorization": header}
    response = api.client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”.",
        "field": None,
    }
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="vanban"'


@pytest.mark.parametrize("value", ["abc", "vbt_00000000_xyz", "vbt_" + "a" * 300])
def test_unknown_token(province, api, value):
    token_for(province.staff_stttt)
    response = api.get("/me", value)
    assert response.status_code == 401
    assert response.json()["detail"] == "Mã truy cập API không hợp lệ."


def test_tampered_token_is_refused(province, api):
    plaintext = token_for(province.staff_stttt)
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    assert api.get("/me", tampered).status_code == 401


def test_locked_account_is_refused_and_its_tokens_end_for_good(province, api):
    user = province.staff_stttt
    plaintext = token_for(user)
    account_services.account_lock(
        actor=province.admin_stttt,
        user=user,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo đề nghị.",
    )
    response = api.get("/me", plaintext)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Tài khoản đang bị tạm khóa (Theo đề nghị của cơ quan quản lý), mã truy cập API không dùng "
        "được. Liên hệ quản trị đơn vị để mở khóa."
    )
    account_services.account_unlock(actor=province.admin_stttt, user=user, note="Đã xác minh.")
    # A lock ends every session and token (R6): after the unlock the old token stays dead.
    response = api.get("/me", plaintext)
    assert response.status_code == 401
    assert "đã hết hiệu lực" in response.json()["detail"]
    assert api.get("/me", token_for(user)).status_code == 200


def test_a_compromised_account_loses_its_tokens(province, api):
    user = province.staff_stttt
    plaintext = token_for(user)
    account_services.account_report_compromised(user=user, note="Lộ mã truy cập")
    account_services.account_unlock(actor=province.admin_stttt, user=user, note="Đã đổi máy.")
    assert api.get("/me", plaintext).status_code == 401


def test_revoked_account_is_refused(province, api):
    user = province.staff_stttt
    plaintext = token_for(user)
    account_services.account_revoke(
        actor=province.admin_stttt,
        user=user,
        reason=RevokeReason.LEFT_UNIT,
        note="Chuyển công tác.",
    )
    response = api.get("/me", plaintext)
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Tài khoản đã bị thu hồi, mã truy cập API không còn dùng được."
    )


def test_account_that_must_change_its_password_is_refused(province, api):
    user = make_user(province.stttt, "Đặng Văn Mới", must_change_password=True)
    plaintext = token_for(user)
    response = api.get("/me", plaintext)
    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Tài khoản phải đổi mật khẩu trên trang web trước khi dùng API"
    )
    assert ApiToken.objects.get().last_used_at is None


def test_a_signed_in_browser_session_is_not_an_api_credential(province, client_for):
    client = client_for(province.province_admin)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
