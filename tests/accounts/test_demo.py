"""The demo province: structure, account names, codes, passwords, and loading only once."""

import io
import re
import unicodedata
from collections import defaultdict

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from vanban.accounts.demo import (
    DEMO_LOGIN_USERNAMES,
    DEMO_PASSWORD,
    DEMO_SINCE,
    FAMILY_NAMES,
    agency_code,
    demo_province_load,
)
from vanban.accounts.models import (
    ABBREVIATION_RE,
    AGENCY_CODE_RE,
    AccountChange,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from vanban.accounts.services import username_problem
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_verify
from vanban.core.errors import ServiceError
from vanban.signatures.models import Certificate
from vanban.test_settings import PRODUCTION_HASHERS

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def counts() -> tuple[int, int, int, int, int]:
    return (
        Unit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AccountChange.objects.count(),
        AuditEvent.objects.count(),
    )


def is_nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


def test_agency_code_scheme():
    assert agency_code(0, None) == "000.00.00.H07"
    assert agency_code(12, "000.00.00.H07") == "000.00.12.H07"
    assert agency_code(31, "000.00.22.H07") == "000.31.22.H07"
    assert agency_code(1, "000.01.22.H07") == "001.01.22.H07"


def test_demo_province_has_the_shape_of_bentre():
    result = demo_province_load()

    every_unit = list(Unit.objects.select_related("parent"))
    every_user = list(User.objects.select_related("unit"))
    assert result.units == len(every_unit)
    assert result.accounts == len(every_user)
    # Bến Tre before 1 July 2025; Vĩnh Long and Trà Vinh are further roots (test_demo_plan.py).
    units = [u for u in every_unit if u.agency_code.endswith(".H07")]
    users = [u for u in every_user if u.unit.agency_code.endswith(".H07")]
    assert len(users) >= 180
    assert {u.start_date for u in every_unit} == {DEMO_SINCE}
    assert {u.end_date for u in every_unit} == {None}

    # The tree: one root with the province code, four levels, each child one level down.
    root = Unit.objects.get(parent=None, agency_code="000.00.00.H07")
    assert (root.name, root.agency_code, root.level) == (
        "Ủy ban nhân dân tỉnh Bến Tre",
        "000.00.00.H07",
        1,
    )
    assert {u.level for u in units} == {1, 2, 3, 4}
    for unit in units:
        if unit.parent:
            assert unit.level == unit.parent.level + 1
    level2 = {u.abbreviation: u for u in units if u.level == 2}
    assert len([a for a in level2 if a.startswith("s")]) == 15
    assert len([a for a in level2 if a.startswith("ubnd")]) == 9
    assert level2["vpubnd"].name == "Văn phòng Ủy ban nhân dân tỉnh"
    assert (level2["stttt"].name, level2["stttt"].symbol) == (
        "Sở Thông tin và Truyền thông",
        "STTTT",
    )
    xa = Unit.objects.get(abbreviation="xaankhanh")
    assert (xa.name, xa.parent.abbreviation, xa.level) == (
        "Ủy ban nhân dân xã An Khánh",
        "ubndchauthanh",
        3,
    )

    # Codes and abbreviations: valid, unique, and each code keeps its parent's groups.
    codes = [u.agency_code for u in units]
    assert len(set(codes)) == len(codes)
    assert len({u.abbreviation for u in units}) == len(units)
    for unit in units:
        assert AGENCY_CODE_RE.match(unit.agency_code), unit.agency_code
        assert ABBREVIATION_RE.match(unit.abbreviation), unit.abbreviation
        assert is_nfc(unit.name) and is_nfc(unit.symbol)
        if unit.parent:
            own = unit.agency_code.split(".")
            parent = unit.parent.agency_code.split(".")
            group = {2: 2, 3: 1, 4: 0}[unit.level]
            assert own[group].strip("0"), unit.agency_code
            assert own[:group] == ["000", "00"][:group]
            assert own[group + 1 :] == parent[group + 1 :]

    # People: valid suggested account names, official e-mail, real-looking names in NFC.
    family_names = {name for name, _ in FAMILY_NAMES}
    for user in users:
        assert username_problem(user.username, user.unit) is None, user.username
        assert user.email == f"{user.username}@bentre.gov.vn"
        assert is_nfc(user.full_name) and is_nfc(user.position)
        assert user.full_name.split()[0] in family_names
        assert 3 <= len(user.full_name.split()) <= 4
        assert user.position
    assert sum(not u.full_name.isascii() for u in users) > 0.9 * len(users)
    # Seeded: the same people every time.
    chairman = User.objects.get(unit=root, position="Chủ tịch UBND tỉnh")
    assert (chairman.full_name, chairman.username) == ("Nguyễn Quốc Hiếu", "hieunq.ubndtinh")

    # Every sở and huyện has a leader, a clerk, a unit admin and staff.
    roles = defaultdict(set)
    for unit_id, role in RoleAssignment.objects.values_list("unit_id", "role"):
        roles[unit_id].add(role)
    for unit in level2.values():
        assert {Role.LEADER, Role.CLERK, Role.UNIT_ADMIN, Role.STAFF} <= roles[unit.pk], unit
    province_admins = User.objects.filter(role_assignments__role=Role.PROVINCE_ADMIN)
    assert [u.username for u in province_admins] == ["quannh.stttt"]

    # One demo password for all; only the demo logins may skip the change at first login.
    assert User.objects.values("password").distinct().count() == 1
    assert check_password(DEMO_PASSWORD, users[0].password)
    assert [login.username for login in result.logins] == list(DEMO_LOGIN_USERNAMES)
    assert set(
        User.objects.filter(must_change_password=False).values_list("username", flat=True)
    ) == set(DEMO_LOGIN_USERNAMES)

    # Issued through the services: every account and unit is in the audit trail.
    actions = dict(AuditEvent.objects.values_list("action").annotate(n=Count("id")))
    assert actions == {
        "unit.create": len(every_unit),
        "account.create": len(every_user),
        "demo.load": 1,
    }
    assert AccountChange.objects.filter(kind=AccountChange.Kind.CREATED).count() == len(every_user)
    assert audit_verify()[1] == []


def test_demo_is_not_loaded_into_a_province_that_has_units(province):
    before = counts()
    with pytest.raises(ServiceError) as refused:
        demo_province_load()
    assert refused.value.message == (
        "Tỉnh đã có 3 đơn vị nên không nạp dữ liệu mẫu (dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu "
        "trống). Không có gì thay đổi."
    )
    assert counts() == before


def test_demo_load_command_loads_once_then_refuses_politely(settings, tmp_path):
    settings.VANBAN_TESTPKI_DIR = tmp_path / "testpki"
    out = io.StringIO()
    call_command("demo", "load", stdout=out)
    output = out.getvalue()
    assert re.search(r"Đã nạp tỉnh mẫu: \d+ đơn vị, \d+ tài khoản", output)
    assert re.search(
        r"Đã tính số liệu thống kê sử dụng từ ngày \d\d/\d\d/\d{4} đến hôm nay", output
    )
    for username in DEMO_LOGIN_USERNAMES:
        assert re.search(rf"^{re.escape(username)}\s.*\sDemo@2026$", output, re.MULTILINE)
    # The same demo as the first run: its test PKI and the plans of 2025.
    assert "Hệ thống chứng thực thử nghiệm tại" in output
    assert "2 kế hoạch sắp xếp đơn vị ngày 01/07/2025 chờ áp dụng" in output
    # The Director also signs remotely: his credential at the test PKI's CSC stand-in.
    remote = Certificate.objects.get(user__username="ducpm.stttt", key_storage="remote")
    assert (remote.remote_provider, remote.remote_credential_id) == (
        "csc",
        "csc-ducpm-stttt-tu-xa",
    )
    assert remote.subject_name == "Phạm Minh Đức"

    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("demo", "load", stdout=io.StringIO())
    assert str(refused.value).startswith(f"Tỉnh đã có {before[0]} đơn vị nên không nạp dữ liệu mẫu")
    assert counts() == before

    # The other demo accounts open with the demo password but must change it first (R5).
    other = User.objects.filter(unit__abbreviation="snv", role_assignments__role=Role.CLERK).get()
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": other.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/tai-khoan/doi-mat-khau/"


def test_with_the_production_hasher_every_account_keeps_one_argon2_hash(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    demo_province_load()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert hashes.pop().startswith("argon2$")
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "ducpm.stttt", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
