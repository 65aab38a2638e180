"""The administration pages driven as an admin would (R2, R3, R4, R7)."""

import datetime as dt
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.accounts.test_admin_authz import POLICY_DATA
from tests.support.agency_codes import MALFORMED
from tests.support.province import PASSWORD, make_user
from tests.support.snapshots import snapshot
from vanban.accounts import services
from vanban.accounts.models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    LockReason,
    Role,
    Unit,
    User,
)
from vanban.audit.models import AuditEvent
from vanban.core import clock

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
ACCOUNTS = "/tai-khoan/quan-tri/tai-khoan/"
CREATE = f"{ACCOUNTS}them/"
SUGGEST = f"{ACCOUNTS}goi-y-ten/"
UNITS = "/tai-khoan/quan-tri/don-vi/"
POLICY = "/tai-khoan/quan-tri/chinh-sach/"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def detail(user: User) -> str:
    return f"{ACCOUNTS}{user.pk}/"


def one_time_password(page: str) -> str:
    match = re.search(r'id="one-time-password">([^<]+)</code>', page)
    assert match, page
    return html.unescape(match.group(1))


def assert_stored_nowhere(secret: str) -> None:
    """A one-time password lives only in the response that showed it (R5)."""
    assert all(
        secret not in json.dumps(e.data, ensure_ascii=False) for e in AuditEvent.objects.all()
    )
    assert all(
        secret not in json.dumps(s.get_decoded(), default=str) for s in Session.objects.all()
    )
    assert not AccountChange.objects.filter(note__contains=secret).exists()
    assert not User.objects.filter(password=secret).exists()


def login(username: str, password: str) -> tuple[Client, str]:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response.content.decode() if response.status_code == 200 else ""


# ---------------------------------------------------------------- create (R2, R5)


def test_create_account_with_suggested_name_and_one_time_password(province, client_for):
    admin = client_for(province.admin_stttt)
    # As the name is typed, the page asks for the suggestion; the fixture has phuongnt.stttt.
    hint = admin.get(
        SUGGEST,
        {"unit": province.stttt.pk, "full_name": "Nguyễn Thu Phương"},
        headers={"HX-Request": "true"},
    )
    assert hint.status_code == 200
    assert "<strong>phuongnt2.stttt</strong>" in hint.content.decode()
    assert "<html" not in hint.content.decode()
    assert admin.get(SUGGEST, {"unit": province.stttt.pk, "full_name": " "}).content.strip() == b""

    response = admin.post(
        CREATE,
        {
            "unit": province.stttt.pk,
            "full_name": "Nguyễn  Thu Phương",
            "username": "",
            "position": "Chuyên viên",
            "email": "phuongnt2@bentre.gov.vn",
            "phone": "0275 3822 111",
            "roles": ["staff", "clerk"],
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "phuongnt2.stttt" in page
    assert "Người dùng phải đổi mật khẩu này ngay ở lần đăng nhập đầu tiên." in page
    assert "no-store" in response.headers["Cache-Control"]
    secret = one_time_password(page)
    user = User.objects.get(username="phuongnt2.stttt")
    assert (user.full_name, user.unit, user.email, user.must_change_password) == (
        "Nguyễn Thu Phương",
        province.stttt,
        "phuongnt2@bentre.gov.vn",
        True,
    )
    assert set(user.role_assignments.values_list("role", flat=True)) == {"staff", "clerk"}
    change = AccountChange.objects.get(user=user)
    assert (change.kind, change.actor) == (AccountChange.Kind.CREATED, province.admin_stttt)
    assert (
        AuditEvent.objects.filter(
            action="account.create", target_id=str(user.pk), actor=province.admin_stttt
        ).count()
        == 1
    )
    # Shown once: not stored in clear, not on the account's page afterwards.
    assert user.password != secret
    assert_stored_nowhere(secret)
    assert secret not in admin.get(detail(user)).content.decode()

    # The password opens the account, which must change it before anything else.
    person = Client()
    response = person.post(LOGIN, {"username": "phuongnt2.stttt", "password": secret})
    assert response.status_code == 302
    response = person.get("/")
    assert response.headers["Location"] == "/tai-khoan/doi-mat-khau/"


def test_create_account_with_a_given_name(province, client_for):
    response = client_for(province.province_admin).post(
        CREATE,
        {
            "unit": province.snv.pk,
            "full_name": "Đặng Thị Ánh",
            "username": "anhdt.snv",
            "roles": ["leader", "unit_admin"],
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="anhdt.snv")
    assert user.unit == province.snv
    assert set(user.role_assignments.values_list("role", flat=True)) == {"leader", "unit_admin"}


CREATE_ERRORS = [
    (
        {"username": "Phuong.NT"},
        "username",
        "Tên tài khoản phải có dạng tencanhan.tendonvi: chữ thường không dấu và chữ số, "
        "một dấu chấm ở giữa (ví dụ: phuongnt.stttt).",
    ),
    (
        {"username": "phuongnt.sai"},
        "username",
        "Phần sau dấu chấm phải là tên viết tắt của đơn vị “Sở Thông tin và Truyền thông”: stttt.",
    ),
    ({"username": "phuongnt.stttt"}, "username", "Tên tài khoản phuongnt.stttt đã tồn tại."),
    ({"full_name": "  "}, "full_name", "Họ và tên không được để trống."),
    ({"email": "phuong@"}, "email", "Địa chỉ thư điện tử không hợp lệ."),
    ({"phone": "gọi tôi"}, "phone", "Số điện thoại chỉ gồm chữ số và các dấu + . - ( )."),
    ({"unit": ""}, "unit", "Hãy chọn đơn vị."),
    ({"roles": ["chief"]}, "roles", None),
]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    CREATE_ERRORS,
    ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(CREATE_ERRORS)],
)
def test_create_account_bad_input_writes_nothing(change, field, message, province, client_for):
    admin = client_for(province.admin_stttt)
    before = snapshot()
    data = {
        "unit": province.stttt.pk,
        "full_name": "Nguyễn Thu Phương",
        "username": "",
        "email": "",
        "phone": "",
        "roles": ["staff"],
        **change,
    }

    response = admin.post(CREATE, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert html.escape(message, quote=False) in response.content.decode()
    assert 'id="one-time-password"' not in response.content.decode()
    assert snapshot() == before


# ---------------------------------------------------------------- lock, unlock, revoke (R3, R4)


def test_lock_with_reason_stops_the_person_and_is_recorded(province, client_for):
    target = province.staff_stttt
    their_session = client_for(target)
    admin = client_for(province.admin_stttt)
    at = dt.datetime(2025, 3, 10, 9, 30, tzinfo=VN)

    with clock.frozen(at):
        response = admin.post(
            f"{detail(target)}khoa/",
            {
                "lock-reason": LockReason.COMPROMISED,
                "lock-note": "Mật khẩu bị lộ qua thư giả mạo.",
            },
        )

    assert response.status_code == 302
    assert response.headers["Location"] == detail(target)
    target.refresh_from_db()
    assert (target.status, target.status_reason) == (AccountStatus.LOCKED, LockReason.COMPROMISED)
    change = AccountChange.objects.get(user=target, kind=AccountChange.Kind.LOCKED)
    assert (change.reason, change.note, change.actor, change.at) == (
        LockReason.COMPROMISED,
        "Mật khẩu bị lộ qua thư giả mạo.",
        province.admin_stttt,
        at,
    )
    page = admin.get(detail(target)).content.decode()
    assert "Đã tạm khóa tài khoản phuongnt.stttt." in page
    assert (
        "<td>10/03/2025 09:30</td><td>Tạm khóa</td>"
        "<td>Tài khoản bị lộ, bị tấn công hoặc chiếm quyền</td>"
        "<td>Mật khẩu bị lộ qua thư giả mạo.</td><td>Lê Thị Hồng</td>"
    ) in page
    # The open session has ended and the password no longer opens the account.
    assert their_session.get("/").headers["Location"].startswith(LOGIN)
    # The refusal reads like a wrong password: the lock is no password oracle (R6).
    _, refusal = login(target.username, PASSWORD)
    assert "Tên tài khoản hoặc mật khẩu không đúng." in refusal
    assert "Tài khoản đang bị" not in refusal and "chiếm quyền" not in refusal


def test_unlock_lets_the_person_in_again(province, client_for):
    target = province.staff_stttt
    services.account_lock(
        actor=province.admin_stttt,
        user=target,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo đề nghị của Sở.",
    )
    admin = client_for(province.admin_stttt)
    page = admin.get(detail(target)).content.decode()
    assert f"{detail(target)}mo-khoa/" in page
    assert f"{detail(target)}khoa/" not in page

    response = admin.post(f"{detail(target)}mo-khoa/", {"unlock-note": "Sở đã đồng ý."})

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == AccountStatus.ACTIVE
    change = AccountChange.objects.get(user=target, kind=AccountChange.Kind.UNLOCKED)
    assert (change.note, change.actor, change.reason) == (
        "Sở đã đồng ý.",
        province.admin_stttt,
        LockReason.AGENCY_REQUEST,
    )
    assert "Đã mở khóa tài khoản phuongnt.stttt." in admin.get(detail(target)).content.decode()
    assert (
        Client().post(LOGIN, {"username": target.username, "password": PASSWORD}).status_code == 302
    )


@pytest.mark.parametrize(
    ("reason", "kind", "message"),
    [
        ("inactive", AccountChange.Kind.REVOKED, "Đã thu hồi tài khoản phuongnt.stttt."),
        ("left_unit", AccountChange.Kind.REMOVED, "Đã xóa tài khoản phuongnt.stttt khỏi đơn vị."),
    ],
)
def test_revoke_keeps_history_and_stops_login(reason, kind, message, province, client_for):
    target = province.staff_stttt
    admin = client_for(province.province_admin)

    response = admin.post(
        f"{detail(target)}thu-hoi/",
        {"revoke-reason": reason, "revoke-note": "Quyết định số 12/QĐ-STTTT."},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.status_reason) == (AccountStatus.REVOKED, reason)
    change = AccountChange.objects.get(user=target, kind=kind)
    assert (change.note, change.actor) == ("Quyết định số 12/QĐ-STTTT.", province.province_admin)
    page = admin.get(detail(target)).content.decode()
    assert message in page
    assert "Quyết định số 12/QĐ-STTTT." in page
    assert f"{detail(target)}cap-lai-mat-khau/" not in page  # no actions on a revoked account
    _, refusal = login(target.username, PASSWORD)
    assert "Tên tài khoản hoặc mật khẩu không đúng." in refusal
    assert "thu hồi" not in refusal


def test_reset_password_shows_a_new_one_time_password_once(province, client_for):
    target = province.staff_stttt
    their_session = client_for(target)
    admin = client_for(province.admin_stttt)

    response = admin.post(f"{detail(target)}cap-lai-mat-khau/")

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    secret = one_time_password(response.content.decode())
    assert_stored_nowhere(secret)
    assert secret not in admin.get(detail(target)).content.decode()
    change = AccountChange.objects.get(user=target, kind=AccountChange.Kind.PASSWORD_RESET)
    assert change.actor == province.admin_stttt
    assert their_session.get("/").headers["Location"].startswith(LOGIN)
    assert (
        Client().post(LOGIN, {"username": target.username, "password": PASSWORD}).status_code == 200
    )
    person = Client()
    assert person.post(LOGIN, {"username": target.username, "password": secret}).status_code == 302
    assert person.get("/").headers["Location"] == "/tai-khoan/doi-mat-khau/"


def test_reset_password_of_revoked_account_is_refused(province, client_for):
    target = province.staff_stttt
    services.account_revoke(
        actor=province.admin_stttt, user=target, reason="left_unit", note="Nghỉ hưu."
    )
    admin = client_for(province.admin_stttt)
    before = snapshot()
    response = admin.post(f"{detail(target)}cap-lai-mat-khau/")
    assert response.status_code == 200
    assert "Tài khoản đã bị thu hồi, không thể cấp lại mật khẩu." in response.content.decode()
    assert 'id="one-time-password"' not in response.content.decode()
    assert snapshot() == before


ACTION_ERRORS = [
    (
        "khoa/",
        "lock_form",
        {"lock-reason": "violation", "lock-note": "  "},
        "note",
        "Hãy ghi rõ lý do.",
    ),
    (
        "khoa/",
        "lock_form",
        {"lock-reason": "failed_logins", "lock-note": "Thử."},
        "reason",
        "Lý do khóa không hợp lệ.",
    ),
    (
        "khoa/",
        "lock_form",
        {"lock-reason": "", "lock-note": "Thử."},
        "reason",
        "Hãy chọn lý do khóa.",
    ),
    ("khoa/", "lock_form", {"lock-reason": "violation", "lock-note": "x" * 501}, "note", None),
    (
        "mo-khoa/",
        "unlock_form",
        {"unlock-note": "Đã xác minh."},
        "__all__",
        "Tài khoản không ở trạng thái tạm khóa.",
    ),
    (
        "thu-hoi/",
        "revoke_form",
        {"revoke-reason": "inactive", "revoke-note": ""},
        "note",
        "Hãy ghi rõ lý do.",
    ),
    (
        "thu-hoi/",
        "revoke_form",
        {"revoke-reason": "lost", "revoke-note": "Thử."},
        "reason",
        "Lý do thu hồi không hợp lệ.",
    ),
    (
        "sua/",
        "edit_form",
        {"edit-full_name": "", "edit-email": ""},
        "full_name",
        "Họ và tên không được để trống.",
    ),
    (
        "sua/",
        "edit_form",
        {"edit-full_name": "Nguyễn Thu Phương", "edit-email": "a@b"},
        "email",
        "Địa chỉ thư điện tử không hợp lệ.",
    ),
    ("vai-tro/", "roles_form", {"roles-roles": ["staff", "boss"]}, "roles", None),
]


@pytest.mark.parametrize(
    ("action", "form_name", "data", "field", "message"),
    ACTION_ERRORS,
    ids=[f"{a}{f}-{i}" for i, (a, _, _, f, _) in enumerate(ACTION_ERRORS)],
)
def test_account_action_bad_input_writes_nothing(
    action, form_name, data, field, message, province, client_for
):
    target = province.staff_stttt
    admin = client_for(province.admin_stttt)
    before = snapshot()

    response = admin.post(f"{detail(target)}{action}", data)

    assert response.status_code == 200
    errors = response.context[form_name].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert snapshot() == before


def test_admin_cannot_lock_their_own_account(province, client_for):
    me = province.admin_stttt
    admin = client_for(me)
    page = admin.get(detail(me)).content.decode()
    assert f"{detail(me)}khoa/" not in page
    before = snapshot()
    response = admin.post(f"{detail(me)}khoa/", {"lock-reason": "violation", "lock-note": "Thử."})
    assert response.status_code == 200
    assert "Không thể tự khóa tài khoản đang dùng" in response.content.decode()
    assert snapshot() == before


# ---------------------------------------------------------------- edit and roles (R7)


def test_edit_details_and_roles(province, client_for):
    target = province.staff_stttt
    admin = client_for(province.admin_stttt)

    response = admin.post(
        f"{detail(target)}sua/",
        {
            "edit-full_name": "Nguyễn Thu Phương",
            "edit-position": "Phó Trưởng phòng",
            "edit-email": "PhuongNT@BenTre.gov.vn",
            "edit-phone": "0913 000 111",
        },
    )
    assert response.status_code == 302
    response = admin.post(f"{detail(target)}vai-tro/", {"roles-roles": ["leader", "clerk"]})
    assert response.status_code == 302

    target.refresh_from_db()
    assert (target.username, target.position, target.email, target.phone) == (
        "phuongnt.stttt",
        "Phó Trưởng phòng",
        "phuongnt@bentre.gov.vn",
        "0913 000 111",
    )
    assert set(target.role_assignments.values_list("role", flat=True)) == {"leader", "clerk"}
    change = AccountChange.objects.get(user=target, kind=AccountChange.Kind.ROLES_CHANGED)
    assert change.actor == province.admin_stttt
    page = admin.get(detail(target)).content.decode()
    assert "Đã cập nhật vai trò của tài khoản phuongnt.stttt." in page
    assert "Lãnh đạo, Văn thư" in page
    assert "Phó Trưởng phòng" in page
    # The new e-mail is searchable.
    assert "Nguyễn Thu Phương" in admin.get(ACCOUNTS, {"q": "phuongnt@bentre"}).content.decode()


# ---------------------------------------------------------------- account list


def test_account_list_search_ignores_diacritics_and_case(province, client_for):
    admin = client_for(province.province_admin)
    for query in ("phuong", "PHƯƠNG", "nguyen thu", "phuongnt.stttt"):
        page = admin.get(ACCOUNTS, {"q": query}).content.decode()
        assert "Nguyễn Thu Phương" in page, query
        assert "Lê Thị Hồng" not in page, query
        assert "1 tài khoản" in page
    page = admin.get(ACCOUNTS, {"q": "khongcoai"}).content.decode()
    assert "Không có tài khoản phù hợp." in page


def test_account_list_columns(province, client_for):
    admin = client_for(province.admin_stttt)  # signing in sets this admin's last login
    page = admin.get(ACCOUNTS, {"q": "hong"}).content.decode()
    last_login = User.objects.get(pk=province.admin_stttt.pk).last_login.astimezone(VN)
    for text in (
        "Lê Thị Hồng",
        "honglt.stttt",
        "Sở Thông tin và Truyền thông",
        "Chuyên viên, Quản trị đơn vị",
        "Đang hoạt động",
        f"{last_login:%d/%m/%Y %H:%M}",
    ):
        assert text in page, text
    page = admin.get(ACCOUNTS, {"q": "duc"}).content.decode()
    assert "chưa đăng nhập" in page


def test_account_list_htmx_returns_only_the_table(province, client_for):
    admin = client_for(province.admin_stttt)
    response = admin.get(ACCOUNTS, {"q": "phuong"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "<table>" in page
    assert "Nguyễn Thu Phương" in page
    assert "Lê Thị Hồng" not in page
    full = admin.get(ACCOUNTS, {"q": "phuong"}).content.decode()
    assert "<html" in full
    assert 'hx-target="#account-table"' in full


def test_account_list_filters_by_unit_and_status(province, client_for):
    services.account_lock(
        actor=province.province_admin,
        user=province.staff_snv,
        reason=LockReason.VIOLATION,
        note="Vi phạm.",
    )
    admin = client_for(province.province_admin)
    page = admin.get(ACCOUNTS, {"unit": province.snv.pk}).content.decode()
    assert "Võ Thanh Tâm" in page
    assert "Huỳnh Ngọc Lan" in page
    assert "Nguyễn Thu Phương" not in page
    page = admin.get(ACCOUNTS, {"status": "locked"}).content.decode()
    assert "Huỳnh Ngọc Lan" in page
    assert "Võ Thanh Tâm" not in page
    assert "1 tài khoản" in page
    # The unit filter offers only managed units.
    page = client_for(province.admin_stttt).get(ACCOUNTS).content.decode()
    assert f'<option value="{province.stttt.pk}" data-code="{province.stttt.agency_code}">' in page
    assert f'<option value="{province.snv.pk}"' not in page


def test_account_list_pages_of_fifty(province, client_for):
    for i in range(50):
        make_user(province.snv, f"Trương Văn Số{i:02d}")
    admin = client_for(province.admin_snv)
    first = admin.get(ACCOUNTS, {"q": "truong"}).content.decode()
    assert "50 tài khoản" in first
    assert "Trang 1/1" not in first
    for i in range(48, 52):
        make_user(province.snv, f"Trương Văn Thêm{i:02d}")
    first = admin.get(ACCOUNTS, {"q": "truong"}).content.decode()
    assert first.count("Trương Văn") == 50
    assert "Trang 1/2" in first
    assert "?q=truong&amp;page=2" in first
    second = admin.get(ACCOUNTS, {"q": "truong", "page": 2}).content.decode()
    assert "Trang 2/2" in second
    assert second.count("Trương Văn") == 4


# Session, signed-in user, their roles, unread notifications (menu); then the unit filter's
# choices, the row count, one page of accounts and their roles.
ACCOUNT_LIST_QUERIES = 8
# Session, user, roles, notifications; then the units of the day with their member counts and
# the records of their past identities still in force that day.
UNIT_LIST_QUERIES = 6


def extra_accounts(province, count: int) -> None:
    for i in range(count):
        user = make_user(
            province.stttt if i % 2 else province.snv,
            f"Cao Văn Người{i:02d}",
            (Role.STAFF, Role.CLERK),
        )
        if i % 3 == 0:
            services.account_lock(
                actor=province.province_admin,
                user=user,
                reason=LockReason.AGENCY_REQUEST,
                note="Tạm dừng.",
            )


@pytest.mark.parametrize("extra", [3, 30])
def test_account_list_query_count_does_not_grow(
    extra, province, client_for, django_assert_num_queries
):
    extra_accounts(province, extra)
    admin = client_for(province.province_admin)
    with django_assert_num_queries(ACCOUNT_LIST_QUERIES):
        response = admin.get(ACCOUNTS)
    assert response.content.decode().count("Cao Văn Người") == extra


@pytest.mark.parametrize("extra", [3, 30])
def test_unit_list_query_count_does_not_grow(
    extra, province, client_for, django_assert_num_queries
):
    for i in range(extra):
        services.unit_create(
            actor=None,
            name=f"Phòng số {i}",
            symbol=f"P{i}",
            abbreviation=f"phong{i}",
            agency_code=f"001.{i:02d}.12.H07",
            parent=province.stttt,
        )
    admin = client_for(province.province_admin)
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        response = admin.get(UNITS)
    assert response.content.decode().count("Phòng số") == extra


# ---------------------------------------------------------------- units (R7)


def test_unit_list_is_a_tree_with_member_counts(province, client_for):
    team = services.unit_create(
        actor=None,
        name="Phòng Bưu chính",
        symbol="PBC",
        abbreviation="pbcstttt",
        agency_code="000.01.12.H07",
        parent=province.stttt,
    )
    page = client_for(province.province_admin).get(UNITS).content.decode()
    names = [
        "Ủy ban nhân dân tỉnh Bến Tre",
        "Sở Nội vụ",
        "Sở Thông tin và Truyền thông",
        "Phòng Bưu chính",
    ]
    positions = [page.index(n) for n in names]
    assert positions == sorted(positions)  # each unit is followed by its sub-units
    row = re.search(r"Sở Thông tin và Truyền thông</td>.*?</tr>", page, re.S).group(0)
    assert f'?unit={province.stttt.pk}">4</a>' in row
    assert f"{UNITS}{team.pk}/sua/" in page
    page = client_for(province.province_admin).get(UNITS, {"q": "buu chinh"}).content.decode()
    assert "Phòng Bưu chính" in page
    assert "Sở Nội vụ" not in page


def test_province_admin_creates_and_edits_a_unit(province, client_for):
    admin = client_for(province.province_admin)
    response = admin.post(
        f"{UNITS}them/",
        {
            "parent": province.root.pk,
            "name": "Sở Tư pháp",
            "symbol": "STP",
            "abbreviation": "stp",
            "agency_code": "000.00.09.h07",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(abbreviation="stp")
    assert (unit.name, unit.agency_code, unit.parent, unit.level, unit.is_active) == (
        "Sở Tư pháp",
        "000.00.09.H07",
        province.root,
        2,
        True,
    )
    assert "Đã thêm đơn vị Sở Tư pháp." in admin.get(UNITS).content.decode()
    assert (
        AuditEvent.objects.filter(
            action="unit.create", target_id=str(unit.pk), actor=province.province_admin
        ).count()
        == 1
    )

    response = admin.post(
        f"{UNITS}{unit.pk}/sua/",
        {
            "name": "Sở Tư pháp tỉnh Bến Tre",
            "symbol": "STP",
            "abbreviation": "stp",
            "agency_code": "000.00.09.H07",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.is_active) == ("Sở Tư pháp tỉnh Bến Tre", False)
    # A unit that stopped working cannot receive new accounts.
    page = admin.get(CREATE).content.decode()
    assert f'<option value="{unit.pk}"' not in page


UNIT_ERRORS = [
    (
        {"agency_code": "12.34.56"},
        "agency_code",
        "Mã định danh “12.34.56” không đúng dạng: mã cấp 1 “56” phải gồm 3 ký tự: một chữ "
        "in hoa rồi hai chữ in hoa hoặc chữ số. "
        "Dạng đúng: 000.00.00.H07 (đủ 4 cấp V1V2V3.Z1Z2.Y1Y2.H##) hoặc 14.00.W00 (3 nhóm "
        "Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg.",
    ),
    (
        {"agency_code": "000.00.09.07"},
        "agency_code",
        "Mã định danh “000.00.09.07” không đúng dạng: mã cấp 1 “07” phải gồm 3 ký tự: một "
        "chữ in hoa rồi hai chữ in hoa hoặc chữ số. "
        "Dạng đúng: 000.00.00.H07 (đủ 4 cấp V1V2V3.Z1Z2.Y1Y2.H##) hoặc 14.00.W00 (3 nhóm "
        "Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg.",
    ),
    (
        {"agency_code": "000.00.12.H07"},
        "agency_code",
        "Mã định danh 000.00.12.H07 đã được dùng cho đơn vị khác.",
    ),
    (
        {"abbreviation": "Sở TP"},
        "abbreviation",
        "Tên viết tắt trong tài khoản chỉ gồm chữ thường không dấu và chữ số (2 đến 30 ký tự), "
        "ví dụ: stttt.",
    ),
    (
        {"abbreviation": "stttt"},
        "abbreviation",
        "Tên viết tắt “stttt” đã được dùng cho đơn vị khác.",
    ),
    ({"name": ""}, "name", "Tên đơn vị không được để trống."),
    ({"symbol": " "}, "symbol", "Chữ viết tắt trong ký hiệu văn bản không được để trống."),
    ({"parent": "999999"}, "parent", "Đơn vị cấp trên không hợp lệ."),
]


@pytest.mark.parametrize(("code", "reason"), [*MALFORMED[:4], *MALFORMED[-5:]])
def test_the_unit_form_refuses_malformed_codes_and_takes_the_samples(
    code, reason, province, client_for
):
    """QĐ 20/2020/QĐ-TTg on the unit page: the reason is shown on the field, nothing is written;
    the 3-group form of the national samples is taken."""
    admin = client_for(province.province_admin)
    fields = {
        "parent": province.root.pk,
        "name": "Trung tâm thử nghiệm",
        "symbol": "TT",
        "abbreviation": "tttn",
        "is_active": "on",
    }
    before = snapshot()
    response = admin.post(f"{UNITS}them/", {**fields, "agency_code": code})
    assert response.status_code == 200
    [error] = response.context["form"].errors["agency_code"]
    assert error.startswith(f"Mã định danh “{code}” không đúng dạng: ") and reason in error
    assert html.escape(error) in response.content.decode()
    assert snapshot() == before
    response = admin.post(f"{UNITS}them/", {**fields, "agency_code": "14.00.W00"})
    assert response.status_code == 302
    assert Unit.objects.get(abbreviation="tttn").agency_code == "14.00.W00"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    UNIT_ERRORS,
    ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(UNIT_ERRORS)],
)
def test_unit_create_bad_input_writes_nothing(change, field, message, province, client_for):
    admin = client_for(province.province_admin)
    before = snapshot()
    response = admin.post(
        f"{UNITS}them/",
        {
            "parent": province.root.pk,
            "name": "Sở Tư pháp",
            "symbol": "STP",
            "abbreviation": "stp",
            "agency_code": "000.00.09.H07",
            "is_active": "on",
            **change,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"agency_code": "H07.00.12.000"},
            "agency_code",
            "Mã định danh “H07.00.12.000” không đúng dạng: nhóm thứ 1 “H07” phải gồm 3 chữ số. "
            "Dạng đúng: 000.00.00.H07 (đủ 4 cấp V1V2V3.Z1Z2.Y1Y2.H##) hoặc 14.00.W00 (3 nhóm "
            "Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg.",
        ),
        (
            {"abbreviation": "sotttt"},
            "abbreviation",
            "Không thể đổi tên viết tắt của đơn vị đã có tài khoản (tên tài khoản đã cấp sẽ sai).",
        ),
    ],
)
def test_unit_edit_bad_input_writes_nothing(change, field, message, province, client_for):
    admin = client_for(province.province_admin)
    before = snapshot()
    response = admin.post(
        f"{UNITS}{province.stttt.pk}/sua/",
        {
            "name": "Sở Thông tin và Truyền thông",
            "symbol": "STTTT",
            "abbreviation": "stttt",
            "agency_code": "000.00.12.H07",
            "is_active": "on",
            **change,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert snapshot() == before


# ---------------------------------------------------------------- policy (R3-R5)


def test_province_admin_edits_the_policy(province, client_for):
    admin = client_for(province.province_admin)
    page = admin.get(POLICY).content.decode()
    assert "Độ dài tối thiểu của mật khẩu" in page
    assert "thời gian dùng tên tài khoản cũ sau sắp xếp đơn vị (ngày)" in page.lower()
    response = admin.post(POLICY, {**POLICY_DATA, "password_require_symbol": ""})
    assert response.status_code == 302
    policy = AccountPolicy.current()
    assert (
        policy.password_min_length,
        policy.password_require_symbol,
        policy.max_failed_logins,
        policy.failed_login_lock_minutes,
        policy.username_alias_days,
    ) == (12, False, 4, 15, 60)
    assert "Đã lưu chính sách tài khoản." in admin.get(POLICY).content.decode()
    assert (
        AuditEvent.objects.filter(action="policy.update", actor=province.province_admin).count()
        == 1
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"password_min_length": "5"},
            "password_min_length",
            "Độ dài tối thiểu của mật khẩu phải từ 8 đến 64.",
        ),
        (
            {"password_min_length": "100"},
            "password_min_length",
            "Độ dài tối thiểu của mật khẩu phải từ 8 đến 64.",
        ),
        ({"inactive_revoke_days": "sáu mươi"}, "inactive_revoke_days", None),
        (
            {"username_alias_days": "0"},
            "username_alias_days",
            "Thời gian dùng tên tài khoản cũ phải từ 1 đến 365 ngày.",
        ),
        (
            {"username_alias_days": "400"},
            "username_alias_days",
            "Thời gian dùng tên tài khoản cũ phải từ 1 đến 365 ngày.",
        ),
        ({"username_alias_days": "chín mươi"}, "username_alias_days", None),
        ({"max_failed_logins": "-1"}, "max_failed_logins", None),
    ],
)
def test_policy_bad_input_writes_nothing(change, field, message, province, client_for):
    admin = client_for(province.province_admin)
    before = snapshot()
    response = admin.post(POLICY, {**POLICY_DATA, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert snapshot() == before
