"""Account rules through the services and pages: names (R2), passwords (R5), compromise (R6)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from tests.support.agency_codes import MALFORMED, SAMPLE_CODES
from tests.support.province import PASSWORD, make_user
from vanban.accounts import services
from vanban.accounts.models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    LockReason,
    Unit,
    User,
)
from vanban.accounts.passwords import one_time_password, password_problems
from vanban.audit.models import AuditEvent
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.models import Notification

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Unit.objects.count(),
        AccountChange.objects.count(),
        AuditEvent.objects.count(),
    )


def test_username_suggestion_follows_the_provincial_form(province):
    assert province.staff_stttt.username == "phuongnt.stttt"
    assert (
        services.username_suggest(full_name="Nguyễn Thu Phương", unit=province.stttt)
        == "phuongnt2.stttt"
    )
    assert (
        services.username_suggest(full_name="Đặng Thị Ánh Đào", unit=province.snv) == "daodta.snv"
    )
    third = make_user(province.stttt, "Ngô Thị Phượng")  # folds to the same base
    assert third.username == "phuongnt2.stttt"
    assert (
        services.username_suggest(full_name="nguyễn   thu  phương", unit=province.stttt)
        == "phuongnt3.stttt"
    )


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("Phuong.STTTT", "phải có dạng tencanhan.tendonvi"),
        ("phương.stttt", "phải có dạng tencanhan.tendonvi"),
        ("phuongnt", "phải có dạng tencanhan.tendonvi"),
        ("phuong.nt.stttt", "phải có dạng tencanhan.tendonvi"),
        ("phuongnt.snv", "Phần sau dấu chấm phải là tên viết tắt"),
        ("phuongnt.stttt", "đã tồn tại"),
    ],
)
def test_bad_usernames_are_refused_and_nothing_is_written(province, username, message):
    before = counts()
    with pytest.raises(ServiceError, match=message):
        services.account_create(
            actor=province.admin_stttt,
            unit=province.stttt,
            full_name="Nguyễn Thu Phương",
            username=username,
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Sở Y tế", "agency_code": "000.00.31.h07"}, None),  # upper-cased, accepted
        ({"name": "Sở Y tế", "agency_code": "00.00.31.H07"}, "V1V2V3.Z1Z2.Y1Y2.H##"),
        ({"name": "Sở Y tế", "agency_code": "000-00-31-H07"}, "V1V2V3.Z1Z2.Y1Y2.H##"),
        ({"name": "Sở Y tế", "agency_code": "000.00.12.H07"}, "đã được dùng"),
        ({"name": "   ", "agency_code": "000.00.32.H07"}, "không được để trống"),
        (
            {"name": "Sở Y tế", "agency_code": "000.00.33.H07", "abbreviation": "Sở YT"},
            "chữ thường không dấu",
        ),
        (
            {"name": "Sở Y tế", "agency_code": "000.00.34.H07", "abbreviation": "stttt"},
            "đã được dùng",
        ),
    ],
)
def test_unit_validation(province, fields, message):
    before = counts()
    kwargs = {"symbol": "SYT", "abbreviation": "syt", "parent": province.root, **fields}
    if message is None:
        unit = services.unit_create(actor=province.province_admin, **kwargs)
        assert unit.agency_code == "000.00.31.H07"
        assert unit.level == 2
        return
    with pytest.raises(ServiceError, match=message):
        services.unit_create(actor=province.province_admin, **kwargs)
    assert counts() == before


@pytest.mark.parametrize("code", SAMPLE_CODES)
def test_units_take_every_code_form_of_the_national_samples(province, code):
    unit = services.unit_create(
        actor=province.province_admin,
        name="Cơ quan mẫu",
        symbol="CQM",
        abbreviation="cqm",
        agency_code=code,
        parent=province.root,
    )
    assert unit.agency_code == code
    services.unit_update(
        actor=province.province_admin,
        unit=unit,
        name=unit.name,
        symbol=unit.symbol,
        abbreviation=unit.abbreviation,
        agency_code=code,
        is_active=True,
    )
    unit.refresh_from_db()
    assert unit.agency_code == code


@pytest.mark.parametrize(("code", "reason"), MALFORMED)
def test_units_refuse_malformed_codes_with_the_reason(province, code, reason):
    """QĐ 20/2020/QĐ-TTg: the same rule on creating and on editing a unit; nothing written."""
    before = counts()
    with pytest.raises(ServiceError) as caught:
        services.unit_create(
            actor=province.province_admin,
            name="Cơ quan mẫu",
            symbol="CQM",
            abbreviation="cqm",
            agency_code=code,
            parent=province.root,
        )
    assert (caught.value.field, reason in caught.value.message) == ("agency_code", True)
    assert caught.value.message.startswith(f"Mã định danh “{code.upper()}” không đúng dạng: ")
    unit = province.stttt
    with pytest.raises(ServiceError) as caught:
        services.unit_update(
            actor=province.province_admin,
            unit=unit,
            name=unit.name,
            symbol=unit.symbol,
            abbreviation=unit.abbreviation,
            agency_code=code,
            is_active=True,
        )
    assert (caught.value.field, reason in caught.value.message) == ("agency_code", True)
    assert counts() == before
    unit.refresh_from_db()
    assert unit.agency_code == "000.00.12.H07"


def test_unit_tree_stops_at_four_levels(province):
    phong = services.unit_create(
        actor=None,
        name="Phòng Bưu chính",
        symbol="BC",
        abbreviation="pbcstttt",
        agency_code="000.12.01.H07",
        parent=province.stttt,
    )
    to = services.unit_create(
        actor=None,
        name="Tổ một cửa",
        symbol="TMC",
        abbreviation="tmcstttt",
        agency_code="000.12.02.H07",
        parent=phong,
    )
    assert (phong.level, to.level) == (3, 4)
    with pytest.raises(ServiceError, match="tối đa 4 cấp"):
        services.unit_create(
            actor=None,
            name="Nhóm",
            symbol="N",
            abbreviation="nhom",
            agency_code="000.12.03.H07",
            parent=to,
        )


def test_only_the_province_admin_creates_units(province):
    before = counts()
    for actor in (province.admin_stttt, province.staff_stttt):
        with pytest.raises(AccessDenied):
            services.unit_create(
                actor=actor,
                name="Sở Y tế",
                symbol="SYT",
                abbreviation="syt",
                agency_code="000.00.31.H07",
                parent=province.root,
            )
    assert counts() == before


def test_unit_admin_acts_only_in_their_unit(province):
    before = counts()
    with pytest.raises(AccessDenied):
        services.account_create(
            actor=province.admin_snv, unit=province.stttt, full_name="Lê Văn Khách"
        )
    with pytest.raises(AccessDenied):
        services.account_lock(
            actor=province.admin_snv,
            user=province.staff_stttt,
            reason=LockReason.VIOLATION,
            note="Thử khóa chéo đơn vị",
        )
    with pytest.raises(AccessDenied):
        services.account_reset_password(actor=province.staff_stttt, user=province.leader_stttt)
    assert counts() == before
    assert User.objects.get(pk=province.staff_stttt.pk).status == AccountStatus.ACTIVE
    # The province admin may act everywhere.
    services.account_lock(
        actor=province.province_admin,
        user=province.staff_snv,
        reason=LockReason.AGENCY_REQUEST,
        note="Công văn số 12/SNV-VP",
    )
    assert User.objects.get(pk=province.staff_snv.pk).status == AccountStatus.LOCKED


def test_a_unit_admin_cannot_grant_province_admin(province):
    before = counts()
    with pytest.raises(AccessDenied):
        services.account_set_roles(
            actor=province.admin_stttt, user=province.staff_stttt, roles=["staff", "province_admin"]
        )
    with pytest.raises(ServiceError, match="Vai trò không hợp lệ"):
        services.account_set_roles(
            actor=province.admin_stttt, user=province.staff_stttt, roles=["staff", "superuser"]
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ngan1!", "ít nhất 9 ký tự"),
        ("khonghoa1!", "chữ hoa"),
        ("KHONGTHUONG1!", "chữ thường"),
        ("Khong-chu-so", "chữ số"),
        ("Khongkytu1", "ký tự đặc biệt"),
        ("phuongnt.stttt", "trùng với tên tài khoản"),
    ],
)
def test_weak_passwords_are_refused(province, password, message):
    user = province.staff_stttt
    old_hash = User.objects.get(pk=user.pk).password
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password": password, "new_password_again": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=user.pk).password == old_hash


def test_one_time_passwords_satisfy_the_policy():
    policy = AccountPolicy(pk=1)
    for _ in range(50):
        secret = one_time_password(policy, username="abc.snv")
        assert password_problems(secret, username="abc.snv", policy=policy) == []


def test_password_change_clears_the_obligation(province):
    user = make_user(province.stttt, "Đỗ Văn Đổi", must_change_password=True)
    client = Client()
    client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD})
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password": "Mat-khau-Moi-2026",
            "new_password_again": "Mat-khau-Moi-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the session survived the change
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.check_password("Mat-khau-Moi-2026")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(province):
    user = services.account_create(
        actor=province.admin_stttt, unit=province.stttt, full_name="Bùi Thị Argon"
    ).user
    assert user.password.startswith("argon2$")
    assert make_password("x").startswith("argon2$")


def test_compromised_account_is_locked_sessions_end_and_admins_are_alerted(province, client_for):
    user = province.staff_stttt
    first, second = client_for(user), client_for(user)
    assert second.get("/").status_code == 200
    response = first.post("/tai-khoan/bi-lo/", {"note": "Tôi để lộ mật khẩu", "confirm": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.status, user.status_reason) == (AccountStatus.LOCKED, LockReason.COMPROMISED)
    # Every other session of the account has ended.
    assert second.get("/").status_code == 302
    # The unit admin and the province admin are told; the admin of another unit is not.
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {province.admin_stttt.username, province.province_admin.username}
    assert AccountChange.objects.get(user=user, kind="locked").actor == user
    # The password no longer opens the account, and the answer is that of a wrong password.
    response = Client().post(
        "/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD}
    )
    assert "Tên tài khoản hoặc mật khẩu không đúng." in response.content.decode()
    assert "Tài khoản đang bị" not in response.content.decode()


def test_compromise_needs_confirmation(province, client_for):
    client = client_for(province.staff_stttt)
    response = client.post("/tai-khoan/bi-lo/", {"note": ""})
    assert response.status_code == 200
    assert User.objects.get(pk=province.staff_stttt.pk).status == AccountStatus.ACTIVE


def test_admin_lock_ends_open_sessions(province, client_for):
    client = client_for(province.staff_stttt)
    services.account_lock(
        actor=province.admin_stttt,
        user=province.staff_stttt,
        reason=LockReason.VIOLATION,
        note="Chia sẻ mật khẩu cho người khác",
    )
    assert client.get("/").status_code == 302


def test_reset_password_gives_a_one_time_password(province):
    secret = services.account_reset_password(actor=province.admin_stttt, user=province.staff_stttt)
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": province.staff_stttt.username, "password": secret}
    )
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/tai-khoan/doi-mat-khau/"
    assert (
        Client()
        .post(
            "/tai-khoan/dang-nhap/",
            {"username": province.staff_stttt.username, "password": PASSWORD},
        )
        .status_code
        == 200
    )
