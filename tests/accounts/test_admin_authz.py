"""Who may open each administration page and run each action (R7).

Every page and POST action is tried by five people: nobody signed in, a staff member of the same
unit, the admin of another unit, the admin of the unit and the province admin. A refused request
must leave the database exactly as it was.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.support.matrix import Case, cell_params, every_cell
from tests.support.province import Province
from tests.support.snapshots import snapshot
from vanban.accounts import services
from vanban.accounts.models import (
    AccountStatus,
    LockReason,
    User,
    UsernameAlias,
)
from vanban.core import clock

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "staff", "other_unit_admin", "unit_admin", "province_admin"]
ADMINS = {"unit_admin", "province_admin"}
PROVINCE_ONLY = {"province_admin"}


def actor_user(province: Province, actor: str) -> User | None:
    return {
        "anonymous": None,
        "staff": province.staff_stttt,
        "other_unit_admin": province.admin_snv,
        "unit_admin": province.admin_stttt,
        "province_admin": province.province_admin,
    }[actor]


def lock_target(province: Province) -> None:
    services.account_lock(
        actor=province.province_admin,
        user=province.leader_stttt,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo công văn của Sở.",
    )


def alias_target(province: Province) -> None:
    """A live former name of the target account (R2 in a reorganisation)."""
    UsernameAlias.objects.create(
        username="ducpm.stttt2",
        user=province.leader_stttt,
        valid_until=timezone.localdate(clock.now()) + dt.timedelta(days=30),
        created_at=clock.now(),
    )


def _alias(p: Province) -> int:
    return UsernameAlias.objects.get(username="ducpm.stttt2").pk


def _target(p: Province) -> int:
    return p.leader_stttt.pk


def expect(staff: int, other: int, unit_admin: int, province_admin: int) -> dict[str, int]:
    return {
        "anonymous": 302,
        "staff": staff,
        "other_unit_admin": other,
        "unit_admin": unit_admin,
        "province_admin": province_admin,
    }


ACCOUNT = "/tai-khoan/quan-tri/tai-khoan/"
UNITS = "/tai-khoan/quan-tri/don-vi/"
POLICY = "/tai-khoan/quan-tri/chinh-sach/"

POLICY_DATA = {
    "password_min_length": "12",
    "password_require_upper": "on",
    "password_require_lower": "on",
    "password_require_digit": "on",
    "password_require_symbol": "on",
    "password_max_age_days": "90",
    "max_failed_logins": "4",
    "failed_login_lock_minutes": "15",
    "unused_lock_days": "30",
    "inactive_revoke_days": "60",
    "address_max_failed_logins": "20",
    "address_window_minutes": "10",
    "second_factor_roles": ["province_admin", "unit_admin"],
    "username_alias_days": "60",
}

CASES = [
    # Pages (GET). A unit admin of another unit may open the lists: they show only their unit.
    Case(
        "account list",
        "get",
        lambda p: ACCOUNT,
        allowed={"other_unit_admin", *ADMINS},
        expect=expect(403, 200, 200, 200),
        marker="Tài khoản",
    ),
    Case(
        "account create page",
        "get",
        lambda p: f"{ACCOUNT}them/",
        allowed={"other_unit_admin", *ADMINS},
        expect=expect(403, 200, 200, 200),
        marker="Cấp tài khoản mới",
    ),
    Case(
        "username suggestion",
        "get",
        lambda p: f"{ACCOUNT}goi-y-ten/?unit={p.stttt.pk}&full_name=Nguyễn+Thu+Phương",
        allowed=ADMINS,
        expect=expect(403, 404, 200, 200),
        marker="phuongnt2.stttt",
    ),
    Case(
        "account detail",
        "get",
        lambda p: f"{ACCOUNT}{_target(p)}/",
        allowed=ADMINS,
        expect=expect(403, 404, 200, 200),
        marker="Phạm Minh Đức",
    ),
    Case(
        "unit list",
        "get",
        lambda p: UNITS,
        allowed={"other_unit_admin", *ADMINS},
        expect=expect(403, 200, 200, 200),
        marker="Đơn vị",
    ),
    Case(
        "unit create page",
        "get",
        lambda p: f"{UNITS}them/",
        allowed=PROVINCE_ONLY,
        expect=expect(403, 403, 403, 200),
        marker="Thêm đơn vị",
    ),
    Case(
        "unit edit page",
        "get",
        lambda p: f"{UNITS}{p.stttt.pk}/sua/",
        allowed=PROVINCE_ONLY,
        expect=expect(403, 404, 403, 200),
        marker="000.00.12.H07",
    ),
    Case(
        "policy page",
        "get",
        lambda p: POLICY,
        allowed=PROVINCE_ONLY,
        expect=expect(403, 403, 403, 200),
        marker="Chính sách tài khoản",
    ),
    # Actions (POST).
    Case(
        "account create",
        "post",
        lambda p: f"{ACCOUNT}them/",
        allowed=ADMINS,
        # The other unit's admin is not offered this unit: the form refuses it.
        expect=expect(403, 200, 200, 200),
        data=lambda p: {"unit": p.stttt.pk, "full_name": "Trần Thị Mới", "roles": ["staff"]},
        marker="Mật khẩu dùng một lần",
    ),
    Case(
        "account edit",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/sua/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        data=lambda p: {
            "edit-full_name": "Phạm Minh Đức",
            "edit-position": "Phó Giám đốc",
            "edit-email": "ducpm@bentre.gov.vn",
            "edit-phone": "",
        },
    ),
    Case(
        "account roles",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/vai-tro/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        data=lambda p: {"roles-roles": ["leader", "clerk"]},
    ),
    Case(
        "account lock",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/khoa/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        data=lambda p: {"lock-reason": "violation", "lock-note": "Chia sẻ mật khẩu."},
    ),
    Case(
        "account unlock",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/mo-khoa/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        setup=lock_target,
        data=lambda p: {"unlock-note": "Đã xác minh."},
    ),
    Case(
        "account revoke",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/thu-hoi/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        data=lambda p: {"revoke-reason": "left_unit", "revoke-note": "Chuyển công tác."},
    ),
    Case(
        "account former name end",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/ten-cu/{_alias(p)}/ket-thuc/",
        allowed=ADMINS,
        expect=expect(403, 404, 302, 302),
        setup=alias_target,
        data=lambda p: {"alias-confirm": "on"},
    ),
    Case(
        "account password reset",
        "post",
        lambda p: f"{ACCOUNT}{_target(p)}/cap-lai-mat-khau/",
        allowed=ADMINS,
        expect=expect(403, 404, 200, 200),
        marker="Mật khẩu dùng một lần",
    ),
    Case(
        "unit create",
        "post",
        lambda p: f"{UNITS}them/",
        allowed=PROVINCE_ONLY,
        expect=expect(403, 403, 403, 302),
        data=lambda p: {
            "parent": p.root.pk,
            "name": "Sở Tư pháp",
            "symbol": "STP",
            "abbreviation": "stp",
            "agency_code": "000.00.09.H07",
            "is_active": "on",
        },
    ),
    Case(
        "unit edit",
        "post",
        lambda p: f"{UNITS}{p.stttt.pk}/sua/",
        allowed=PROVINCE_ONLY,
        expect=expect(403, 404, 403, 302),
        data=lambda p: {
            "name": "Sở Thông tin và Truyền thông tỉnh Bến Tre",
            "symbol": "STTTT",
            "abbreviation": "stttt",
            "agency_code": "000.00.12.H07",
            "is_active": "on",
        },
    ),
    Case(
        "policy",
        "post",
        lambda p: POLICY,
        allowed=PROVINCE_ONLY,
        expect=expect(403, 403, 403, 302),
        data=lambda p: POLICY_DATA,
    ),
]


@pytest.mark.parametrize(("case", "actor"), cell_params(every_cell(CASES, ACTORS)))
def test_admin_authorization_matrix(case: Case, actor: str, province, client_for):
    if case.setup:
        case.setup(province)
    user = actor_user(province, actor)
    client = client_for(user) if user else Client()
    url = case.url(province)
    before = snapshot()

    response = getattr(client, case.method)(url, case.body(province))

    assert response.status_code == case.expect[actor], (case.name, actor)
    if actor == "anonymous":
        assert response.headers["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    if actor in case.allowed:
        if case.marker:
            assert case.marker in response.content.decode()
        if case.method == "post":
            assert snapshot() != before
    else:
        assert snapshot() == before


def test_other_unit_admin_is_told_the_unit_is_not_theirs(province, client_for):
    client = client_for(province.admin_snv)
    before = snapshot()
    response = client.post(
        f"{ACCOUNT}them/", {"unit": province.stttt.pk, "full_name": "Trần Thị Mới"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == ["Hãy chọn một đơn vị bạn được quản trị."]
    assert "Hãy chọn một đơn vị bạn được quản trị." in response.content.decode()
    assert snapshot() == before


def test_unit_admin_lists_show_only_their_unit(province, client_for):
    client = client_for(province.admin_snv)
    page = client.get(ACCOUNT).content.decode()
    assert "Huỳnh Ngọc Lan" in page
    assert "Nguyễn Thu Phương" not in page
    assert "Lê Thị Hồng" not in page
    # Asking for another unit's accounts by its id shows none of them.
    page = client.get(ACCOUNT, {"unit": province.stttt.pk}).content.decode()
    assert "Nguyễn Thu Phương" not in page
    units = client.get(UNITS).content.decode()
    assert "Sở Nội vụ" in units
    assert "Sở Thông tin và Truyền thông" not in units
    assert "Ủy ban nhân dân tỉnh Bến Tre" not in units
    # Read-only: no links to add or edit units.
    assert f"{UNITS}them/" not in units
    assert f"{UNITS}{province.snv.pk}/sua/" not in units


def test_unit_admin_is_not_offered_the_province_admin_role(province, client_for):
    page = client_for(province.admin_stttt).get(f"{ACCOUNT}them/").content.decode()
    assert 'value="unit_admin"' in page
    assert 'value="province_admin"' not in page
    page = client_for(province.province_admin).get(f"{ACCOUNT}them/").content.decode()
    assert 'value="province_admin"' in page


def test_unit_admin_cannot_give_the_province_admin_role_by_crafted_post(province, client_for):
    client = client_for(province.admin_stttt)
    before = snapshot()
    response = client.post(
        f"{ACCOUNT}{province.leader_stttt.pk}/vai-tro/", {"roles-roles": ["province_admin"]}
    )
    assert response.status_code == 200
    assert "province_admin" in response.context["roles_form"].errors["roles"][0]
    assert snapshot() == before


def test_only_the_province_admin_changes_a_province_admins_roles(province, client_for):
    target = province.province_admin
    client = client_for(province.admin_stttt)
    page = client.get(f"{ACCOUNT}{target.pk}/").content.decode()
    assert "Vai trò của quản trị tỉnh chỉ do quản trị tỉnh thay đổi." in page
    assert f"{ACCOUNT}{target.pk}/vai-tro/" not in page
    before = snapshot()
    response = client.post(f"{ACCOUNT}{target.pk}/vai-tro/", {"roles-roles": ["staff", "leader"]})
    assert response.status_code == 200
    message = "Chỉ quản trị tỉnh được thay đổi vai trò quản trị tỉnh."
    assert response.context["roles_form"].non_field_errors() == [message]
    assert message in response.content.decode()
    assert snapshot() == before


def test_refused_people_see_no_admin_menu(province, client_for):
    page = client_for(province.staff_stttt).get("/").content.decode()
    assert ACCOUNT not in page
    page = client_for(province.admin_stttt).get("/").content.decode()
    assert ACCOUNT in page
    assert POLICY not in page


def test_locked_admin_loses_access_at_once(province, client_for):
    client = client_for(province.admin_stttt)
    services.account_lock(
        actor=province.province_admin,
        user=province.admin_stttt,
        reason=LockReason.COMPROMISED,
        note="Nghi bị lộ mật khẩu.",
    )
    before = snapshot()
    response = client.post(
        f"{ACCOUNT}{province.leader_stttt.pk}/khoa/",
        {"lock-reason": "violation", "lock-note": "Thử."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/tai-khoan/dang-nhap/")
    assert snapshot() == before
    assert User.objects.get(pk=province.leader_stttt.pk).status == AccountStatus.ACTIVE
