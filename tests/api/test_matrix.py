"""Authorization matrix: every endpoint against every kind of caller (R7).

A token does what its owner may do on the web pages and nothing more; a refused call answers
with a Vietnamese message and changes nothing.
"""

import pytest

from tests.support.api import CALLERS
from tests.support.matrix import Case, cell_params, every_cell
from tests.support.snapshots import snapshot
from vanban.accounts.models import AccountChange, AccountStatus, Unit, User
from vanban.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MISSING = "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”."
REVOKED = "Mã truy cập API đã bị thu hồi."
LOCKED = (
    "Tài khoản đang bị tạm khóa (Theo đề nghị của cơ quan quản lý), mã truy cập API không dùng "
    "được. Liên hệ quản trị đơn vị để mở khóa."
)
PROVINCE_ONLY = "Chỉ quản trị tỉnh được thực hiện thao tác này."
NOT_UNIT_ADMIN = "Bạn không có quyền quản trị đơn vị này."
NOT_ADMIN = "Bạn không có quyền quản trị."
NO_ACCOUNT = "Không tìm thấy tài khoản."
NO_UNIT = "Không tìm thấy đơn vị."

# The callers who do not get past authentication are refused in the same way by every endpoint;
# each row says how the permission rules answer everyone else.
TOKEN_REFUSALS = {
    "anonymous": (401, MISSING),
    "revoked_token": (401, REVOKED),
    "locked_account": (403, LOCKED),
}


def _unit_list_check(province, callers, caller, response, before):
    expected = {
        "other_unit_admin": [province.snv.pk],
        "unit_admin": [province.stttt.pk],
        "province_admin": [province.root.pk, province.stttt.pk, province.snv.pk],
    }[caller]
    body = response.json()
    assert sorted(item["id"] for item in body["items"]) == sorted(expected)
    assert body["count"] == len(expected)


def _unit_detail_check(province, callers, caller, response, before):
    body = response.json()
    assert body["id"] == province.stttt.pk
    assert body["agency_code"] == "000.00.12.H07"
    assert body["parent_name"] == "Ủy ban nhân dân tỉnh Bến Tre"
    assert body["member_count"] == User.objects.filter(unit=province.stttt).count()


def _unit_create_check(province, callers, caller, response, before):
    unit = Unit.objects.get(abbreviation="stc")
    assert response.json()["id"] == unit.pk
    assert (unit.parent, unit.level, unit.agency_code) == (province.root, 2, "000.00.06.H07")
    event = AuditEvent.objects.get(action="unit.create", target_id=str(unit.pk))
    assert event.actor == province.province_admin


def _account_list_check(province, callers, caller, response, before):
    scope = {
        "other_unit_admin": User.objects.filter(unit=province.snv),
        "unit_admin": User.objects.filter(unit=province.stttt),
        "province_admin": User.objects.all(),
    }[caller]
    body = response.json()
    assert sorted(item["id"] for item in body["items"]) == sorted(
        scope.values_list("pk", flat=True)
    )
    assert body["count"] == scope.count()


def _account_detail_check(province, callers, caller, response, before):
    body = response.json()
    assert body["username"] == province.leader_stttt.username
    assert body["roles"] == ["leader"]
    assert body["unit_name"] == "Sở Thông tin và Truyền thông"
    assert body["status_label"] == "Đang hoạt động"


def _account_create_check(province, callers, caller, response, before):
    body = response.json()
    user = User.objects.get(pk=body["account"]["id"])
    assert user.username == "moibv.stttt"
    assert user.unit == province.stttt
    assert user.must_change_password
    assert user.check_password(body["one_time_password"])
    assert AccountChange.objects.count() == before["changes"] + 1
    actor = province.admin_stttt if caller == "unit_admin" else province.province_admin
    assert AuditEvent.objects.get(action="account.create", target_id=str(user.pk)).actor == actor


def _account_lock_check(province, callers, caller, response, before):
    assert response.json()["status"] == "locked"
    user = User.objects.get(pk=province.leader_stttt.pk)
    assert (user.status, user.status_reason) == (AccountStatus.LOCKED, "agency_request")
    change = AccountChange.objects.get(user=user, kind=AccountChange.Kind.LOCKED)
    assert change.note == "Theo công văn số 34."
    assert AuditEvent.objects.count() == before["audit"] + 1


def _account_unlock_check(province, callers, caller, response, before):
    assert response.json()["status"] == "active"
    user = User.objects.get(pk=callers.locked_target.pk)
    assert user.status == AccountStatus.ACTIVE
    assert AccountChange.objects.filter(user=user, kind=AccountChange.Kind.UNLOCKED).count() == 1


def _me_check(province, callers, caller, response, before):
    user = {
        "staff_same_unit": province.staff_stttt,
        "other_unit_admin": province.admin_snv,
        "unit_admin": province.admin_stttt,
        "province_admin": province.province_admin,
    }[caller]
    body = response.json()
    assert body["username"] == user.username
    assert body["is_province_admin"] is (caller == "province_admin")


ADMINS = {"other_unit_admin", "unit_admin", "province_admin"}
ADMINS_OF_STTTT = {"unit_admin", "province_admin"}

CASES = [
    Case(
        "GET /units",
        "get",
        lambda p, c: "/units",
        allowed=ADMINS,
        expect={"staff_same_unit": 403, **dict.fromkeys(ADMINS, 200)},
        detail={"staff_same_unit": NOT_ADMIN},
        check=_unit_list_check,
    ),
    Case(
        "POST /units",
        "post",
        lambda p, c: "/units",
        data=lambda p: {
            "name": "Sở Tài chính",
            "symbol": "STC",
            "abbreviation": "stc",
            "agency_code": "000.00.06.H07",
            "parent_id": p.root.pk,
        },
        allowed={"province_admin"},
        expect={
            "province_admin": 201,
            "staff_same_unit": 403,
            "other_unit_admin": 403,
            "unit_admin": 403,
        },
        detail={
            "staff_same_unit": NOT_ADMIN,
            "other_unit_admin": PROVINCE_ONLY,
            "unit_admin": PROVINCE_ONLY,
        },
        check=_unit_create_check,
    ),
    Case(
        "GET /units/{id}",
        "get",
        lambda p, c: f"/units/{p.stttt.pk}",
        allowed=ADMINS_OF_STTTT,
        expect={
            "staff_same_unit": 403,
            "other_unit_admin": 404,
            "unit_admin": 200,
            "province_admin": 200,
        },
        detail={"staff_same_unit": NOT_ADMIN, "other_unit_admin": NO_UNIT},
        check=_unit_detail_check,
    ),
    Case(
        "GET /accounts",
        "get",
        lambda p, c: "/accounts",
        allowed=ADMINS,
        expect={"staff_same_unit": 403, **dict.fromkeys(ADMINS, 200)},
        detail={"staff_same_unit": NOT_ADMIN},
        check=_account_list_check,
    ),
    Case(
        "POST /accounts",
        "post",
        lambda p, c: "/accounts",
        data=lambda p: {
            "unit_id": p.stttt.pk,
            "full_name": "Bùi Văn Mới",
            "roles": ["staff"],
        },
        allowed=ADMINS_OF_STTTT,
        expect={
            "staff_same_unit": 403,
            "other_unit_admin": 403,
            "unit_admin": 201,
            "province_admin": 201,
        },
        detail={"staff_same_unit": NOT_ADMIN, "other_unit_admin": NOT_UNIT_ADMIN},
        check=_account_create_check,
    ),
    Case(
        "GET /accounts/{id}",
        "get",
        lambda p, c: f"/accounts/{p.leader_stttt.pk}",
        allowed=ADMINS_OF_STTTT,
        expect={
            "staff_same_unit": 403,
            "other_unit_admin": 404,
            "unit_admin": 200,
            "province_admin": 200,
        },
        detail={"staff_same_unit": NOT_ADMIN, "other_unit_admin": NO_ACCOUNT},
        check=_account_detail_check,
    ),
    Case(
        "POST /accounts/{id}/lock",
        "post",
        lambda p, c: f"/accounts/{p.leader_stttt.pk}/lock",
        data=lambda p: {
            "reason": "agency_request",
            "note": "Theo công văn số 34.",
        },
        allowed=ADMINS_OF_STTTT,
        expect={
            "staff_same_unit": 403,
            "other_unit_admin": 404,
            "unit_admin": 200,
            "province_admin": 200,
        },
        detail={"staff_same_unit": NOT_ADMIN, "other_unit_admin": NO_ACCOUNT},
        check=_account_lock_check,
    ),
    Case(
        "POST /accounts/{id}/unlock",
        "post",
        lambda p, c: f"/accounts/{c.locked_target.pk}/unlock",
        data=lambda p: {
            "note": "Đã xác minh, mở lại.",
        },
        allowed=ADMINS_OF_STTTT,
        expect={
            "staff_same_unit": 403,
            "other_unit_admin": 404,
            "unit_admin": 200,
            "province_admin": 200,
        },
        detail={"staff_same_unit": NOT_ADMIN, "other_unit_admin": NO_ACCOUNT},
        check=_account_unlock_check,
    ),
    Case(
        "GET /me",
        "get",
        lambda p, c: "/me",
        allowed={"staff_same_unit", *ADMINS},
        expect=dict.fromkeys(["staff_same_unit", *ADMINS], 200),
        check=_me_check,
    ),
]


def test_the_matrix_covers_every_endpoint_and_caller(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1').replace('{unit_id}', '{id}')}".replace(
            "{account_id}", "{id}"
        )
        for path, operations in paths.items()
        # These endpoints have their own matrices (test_documents_access.py, tests/workflow,
        # tests/drafting, tests/exchange, tests/signatures/test_remote.py,
        # tests/records/test_api.py, tests/oversight/test_statistics_api.py,
        # tests/reorganisation/test_api.py).
        if not path.startswith(
            (
                "/api/v1/documents",
                "/api/v1/workflow",
                "/api/v1/drafts",
                "/api/v1/exchange",
                "/api/v1/signatures",
                "/api/v1/records",
                "/api/v1/oversight",
                "/api/v1/reorganisation",
            )
        )
        for method in operations
    }
    assert documented == {case.name for case in CASES}
    for case in CASES:
        assert set(case.expect) | set(TOKEN_REFUSALS) == set(CALLERS), case.name
        assert not set(case.expect) & set(TOKEN_REFUSALS), case.name
        # The allowed are answered with success; each refused person with a message.
        assert {c for c, status in case.expect.items() if status < 400} == set(case.allowed), (
            case.name
        )
        assert set(case.detail) == set(case.expect) - set(case.allowed), case.name
        assert case.check is not None, case.name


@pytest.mark.parametrize(("case", "caller"), cell_params(every_cell(CASES, CALLERS)))
def test_matrix(province, callers, api, case: Case, caller: str):
    before = snapshot()
    token, url = callers.tokens[caller], case.url(province, callers)
    if case.method == "get":
        response = api.get(url, token, **case.body(province))
    else:
        response = api.post(url, token, case.body(province))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    if caller in case.allowed:
        assert response.status_code == case.expect[caller], response.content.decode()
        assert case.check is not None
        case.check(province, callers, caller, response, before)
        return
    if caller in TOKEN_REFUSALS:
        status, message = TOKEN_REFUSALS[caller]
    else:
        status, message = case.expect[caller], case.detail[caller]
    assert response.status_code == status, response.content.decode()
    assert response.json()["detail"] == message
    assert snapshot() == before
