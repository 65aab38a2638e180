"""Authorization matrix: every endpoint against every kind of caller (R7).

A token does what its owner may do on the web pages and nothing more; a refused call answers
with a Vietnamese message and changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import CALLERS
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

# Every caller who gets past authentication is refused by the permission rules in the same way
# for each endpoint, except where `allowed` says otherwise.
TOKEN_REFUSALS = {
    "anonymous": (401, MISSING),
    "revoked_token": (401, REVOKED),
    "locked_account": (403, LOCKED),
}


@dataclass
class Endpoint:
    call: Callable[..., Any]
    refused: dict[str, tuple[int, str]]  # caller -> (status, message)
    allowed: dict[str, int]  # caller -> status
    check: Callable[..., None]  # what an allowed call returned and changed


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


def _reads(allowed: list[str], refused: dict[str, tuple[int, str]]) -> dict[str, Any]:
    return {"allowed": dict.fromkeys(allowed, 200), "refused": refused}


ENDPOINTS = {
    "GET /units": Endpoint(
        call=lambda api, t, p, c: api.get("/units", t),
        **_reads(
            ["other_unit_admin", "unit_admin", "province_admin"],
            {"staff_same_unit": (403, NOT_ADMIN)},
        ),
        check=_unit_list_check,
    ),
    "POST /units": Endpoint(
        call=lambda api, t, p, c: api.post(
            "/units",
            t,
            {
                "name": "Sở Tài chính",
                "symbol": "STC",
                "abbreviation": "stc",
                "agency_code": "000.00.06.H07",
                "parent_id": p.root.pk,
            },
        ),
        allowed={"province_admin": 201},
        refused={
            "staff_same_unit": (403, NOT_ADMIN),
            "other_unit_admin": (403, PROVINCE_ONLY),
            "unit_admin": (403, PROVINCE_ONLY),
        },
        check=_unit_create_check,
    ),
    "GET /units/{id}": Endpoint(
        call=lambda api, t, p, c: api.get(f"/units/{p.stttt.pk}", t),
        **_reads(
            ["unit_admin", "province_admin"],
            {"staff_same_unit": (403, NOT_ADMIN), "other_unit_admin": (404, NO_UNIT)},
        ),
        check=_unit_detail_check,
    ),
    "GET /accounts": Endpoint(
        call=lambda api, t, p, c: api.get("/accounts", t),
        **_reads(
            ["other_unit_admin", "unit_admin", "province_admin"],
            {"staff_same_unit": (403, NOT_ADMIN)},
        ),
        check=_account_list_check,
    ),
    "POST /accounts": Endpoint(
        call=lambda api, t, p, c: api.post(
            "/accounts",
            t,
            {
                "unit_id": p.stttt.pk,
                "full_name": "Bùi Văn Mới",
                "roles": ["staff"],
            },
        ),
        allowed={"unit_admin": 201, "province_admin": 201},
        refused={
            "staff_same_unit": (403, NOT_ADMIN),
            "other_unit_admin": (403, NOT_UNIT_ADMIN),
        },
        check=_account_create_check,
    ),
    "GET /accounts/{id}": Endpoint(
        call=lambda api, t, p, c: api.get(f"/accounts/{p.leader_stttt.pk}", t),
        **_reads(
            ["unit_admin", "province_admin"],
            {"staff_same_unit": (403, NOT_ADMIN), "other_unit_admin": (404, NO_ACCOUNT)},
        ),
        check=_account_detail_check,
    ),
    "POST /accounts/{id}/lock": Endpoint(
        call=lambda api, t, p, c: api.post(
            f"/accounts/{p.leader_stttt.pk}/lock",
            t,
            {
                "reason": "agency_request",
                "note": "Theo công văn số 34.",
            },
        ),
        allowed={"unit_admin": 200, "province_admin": 200},
        refused={"staff_same_unit": (403, NOT_ADMIN), "other_unit_admin": (404, NO_ACCOUNT)},
        check=_account_lock_check,
    ),
    "POST /accounts/{id}/unlock": Endpoint(
        call=lambda api, t, p, c: api.post(
            f"/accounts/{c.locked_target.pk}/unlock",
            t,
            {
                "note": "Đã xác minh, mở lại.",
            },
        ),
        allowed={"unit_admin": 200, "province_admin": 200},
        refused={"staff_same_unit": (403, NOT_ADMIN), "other_unit_admin": (404, NO_ACCOUNT)},
        check=_account_unlock_check,
    ),
    "GET /me": Endpoint(
        call=lambda api, t, p, c: api.get("/me", t),
        **_reads(["staff_same_unit", "other_unit_admin", "unit_admin", "province_admin"], {}),
        check=_me_check,
    ),
}


def test_the_matrix_covers_every_endpoint_and_caller(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1').replace('{unit_id}', '{id}')}".replace(
            "{account_id}", "{id}"
        )
        for path, operations in paths.items()
        # These endpoints have their own matrices (test_documents_access.py, tests/workflow,
        # tests/drafting, tests/exchange, tests/signatures/test_remote.py).
        if not path.startswith(
            (
                "/api/v1/documents",
                "/api/v1/workflow",
                "/api/v1/drafts",
                "/api/v1/exchange",
                "/api/v1/signatures",
            )
        )
        for method in operations
    }
    assert documented == set(ENDPOINTS)
    for endpoint in ENDPOINTS.values():
        assert set(endpoint.allowed) | set(endpoint.refused) | set(TOKEN_REFUSALS) == set(CALLERS)
        assert not set(endpoint.allowed) & set(endpoint.refused)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_matrix(province, callers, api, name, caller):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    response = endpoint.call(api, callers.tokens[caller], province, callers)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    if caller in endpoint.allowed:
        assert response.status_code == endpoint.allowed[caller], response.content.decode()
        endpoint.check(province, callers, caller, response, before)
        return
    status, message = TOKEN_REFUSALS.get(caller) or endpoint.refused[caller]
    assert response.status_code == status, response.content.decode()
    assert response.json()["detail"] == message
    assert snapshot() == before
