"""Bad input answers 400/422 with a Vietnamese message and writes nothing; lists and the docs."""

import json

import pytest

from tests.support.api import token_for
from tests.support.province import make_user
from tests.support.refusals import refused_answer as _refused
from tests.support.snapshots import snapshot
from vanban.accounts.models import AccountStatus, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_token(province):
    return token_for(province.province_admin)


@pytest.fixture
def unit_admin_token(province):
    return token_for(province.admin_stttt)


# ---------------------------------------------------------------- accounts


@pytest.mark.parametrize(
    ("username", "detail"),
    [
        (
            "Phuong.NT",
            "Tên tài khoản phải có dạng tencanhan.tendonvi: chữ thường không dấu và chữ "
            "số, một dấu chấm ở giữa (ví dụ: phuongnt.stttt).",
        ),
        (
            "phương.stttt",
            "Tên tài khoản phải có dạng tencanhan.tendonvi: chữ thường không dấu và "
            "chữ số, một dấu chấm ở giữa (ví dụ: phuongnt.stttt).",
        ),
        (
            "phuongnt",
            "Tên tài khoản phải có dạng tencanhan.tendonvi: chữ thường không dấu và chữ "
            "số, một dấu chấm ở giữa (ví dụ: phuongnt.stttt).",
        ),
        (
            "moibv.snv",
            "Phần sau dấu chấm phải là tên viết tắt của đơn vị “Sở Thông tin và Truyền "
            "thông”: stttt.",
        ),
        ("phuongnt.stttt", "Tên tài khoản phuongnt.stttt đã tồn tại."),
    ],
)
def test_account_create_bad_username(province, api, unit_admin_token, username, detail):
    before = snapshot()
    response = api.post(
        "/accounts",
        unit_admin_token,
        {
            "unit_id": province.stttt.pk,
            "full_name": "Bùi Văn Mới",
            "username": username,
        },
    )
    _refused(response, 400, detail, "username")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        ({"full_name": "  "}, "Họ và tên không được để trống.", "full_name"),
        ({"email": "khong-phai-thu"}, "Địa chỉ thư điện tử không hợp lệ.", "email"),
        ({"phone": "abc"}, "Số điện thoại chỉ gồm chữ số và các dấu + . - ( ).", "phone"),
        ({"unit_id": 999999}, "Không tìm thấy đơn vị.", "unit_id"),
    ],
)
def test_account_create_bad_fields(province, api, unit_admin_token, body, detail, field):
    before = snapshot()
    payload = {"unit_id": province.stttt.pk, "full_name": "Bùi Văn Mới", **body}
    _refused(api.post("/accounts", unit_admin_token, payload), 400, detail, field)
    assert snapshot() == before


def test_unit_admin_may_not_grant_province_admin(province, api, unit_admin_token):
    before = snapshot()
    response = api.post(
        "/accounts",
        unit_admin_token,
        {
            "unit_id": province.stttt.pk,
            "full_name": "Bùi Văn Mới",
            "roles": ["province_admin"],
        },
    )
    _refused(response, 403, "Chỉ quản trị tỉnh được giao vai trò quản trị tỉnh.")
    assert snapshot() == before


def test_account_create_suggests_a_name_and_returns_the_password_once(
    province, api, unit_admin_token
):
    response = api.post(
        "/accounts",
        unit_admin_token,
        {
            "unit_id": province.stttt.pk,
            "full_name": "Nguyễn Thu Phương",
            "roles": ["staff", "clerk"],
            "email": "Phuongnt2@BenTre.gov.vn",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["account"]["username"] == "phuongnt2.stttt"
    assert body["account"]["roles"] == ["clerk", "staff"]
    assert body["account"]["email"] == "phuongnt2@bentre.gov.vn"
    assert body["account"]["must_change_password"] is True
    user = User.objects.get(username="phuongnt2.stttt")
    assert user.check_password(body["one_time_password"])
    assert body["one_time_password"] not in response.request.get("QUERY_STRING", "")
    detail = api.get(f"/accounts/{user.pk}", unit_admin_token).json()
    assert "one_time_password" not in json.dumps(detail)


def test_schema_errors_are_422_json_in_vietnamese(province, api, unit_admin_token):
    before = snapshot()
    response = api.post("/accounts", unit_admin_token, {"unit_id": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "Dữ liệu gửi lên không hợp lệ: unit_id: phải là số nguyên; full_name: bắt buộc phải có."
    )
    assert body["field"] == "unit_id"
    assert [e["field"] for e in body["errors"]] == ["unit_id", "full_name"]
    response = api.post(
        "/accounts",
        unit_admin_token,
        {
            "unit_id": province.stttt.pk,
            "full_name": "Bùi Văn Mới",
            "roles": "staff",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Dữ liệu gửi lên không hợp lệ: roles: phải là danh sách."
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["{không phải json", "[1, 2", "\x00"])
def test_malformed_json_is_400(province, api, unit_admin_token, raw):
    before = snapshot()
    response = api.post("/accounts", unit_admin_token, raw=raw)
    _refused(response, 400, "Nội dung yêu cầu không phải JSON hợp lệ.")
    assert snapshot() == before


def test_a_json_array_instead_of_an_object_is_422(province, api, unit_admin_token):
    response = api.post("/accounts", unit_admin_token, raw="[1, 2]")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Dữ liệu gửi lên không hợp lệ:")


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        (
            {"agency_code": "12345"},
            "Mã định danh “12345” không đúng dạng: không có dấu chấm ngăn các nhóm, cần 4 nhóm "
            "(hoặc 3 nhóm). "
            "Dạng đúng: 000.00.00.H07 (đủ 4 cấp V1V2V3.Z1Z2.Y1Y2.H##) hoặc 14.00.W00 (3 nhóm "
            "Z1Z2.Y1Y2.H##), theo QĐ 20/2020/QĐ-TTg.",
            "agency_code",
        ),
        (
            {"agency_code": "000.00.12.h07"},
            "Mã định danh 000.00.12.H07 đã được dùng cho đơn vị khác.",
            "agency_code",
        ),
        (
            {"abbreviation": "stttt"},
            "Tên viết tắt “stttt” đã được dùng cho đơn vị khác.",
            "abbreviation",
        ),
        (
            {"abbreviation": "Sở TC"},
            "Tên viết tắt trong tài khoản chỉ gồm chữ thường không dấu và chữ số (2 đến 30 ký tự), "
            "ví dụ: stttt.",
            "abbreviation",
        ),
        ({"name": ""}, "Tên đơn vị không được để trống.", "name"),
        (
            {"parent_id": None},
            "Đơn vị gốc (cấp 1) là Ủy ban nhân dân tỉnh: mã định danh phải có dạng 000.00.00.H## "
            "(QĐ 20/2020/QĐ-TTg), không phải 000.00.06.H07. Đơn vị khác hãy chọn đơn vị cấp trên.",
            "parent",
        ),
        ({"parent_id": 999999}, "Không tìm thấy đơn vị cấp trên.", "parent_id"),
    ],
)
def test_unit_create_bad_input(province, api, admin_token, body, detail, field):
    before = snapshot()
    payload = {
        "name": "Sở Tài chính",
        "symbol": "STC",
        "abbreviation": "stc",
        "agency_code": "000.00.06.H07",
        "parent_id": province.root.pk,
        **body,
    }
    _refused(api.post("/units", admin_token, payload), 400, detail, field)
    assert snapshot() == before


def test_unit_tree_has_four_levels_at_most(province, api, admin_token):
    parent = province.stttt
    for level, code in ((3, "000.01.12.H07"), (4, "000.02.12.H07")):
        response = api.post(
            "/units",
            admin_token,
            {
                "name": f"Phòng cấp {level}",
                "symbol": f"P{level}",
                "abbreviation": f"phong{level}",
                "agency_code": code,
                "parent_id": parent.pk,
            },
        )
        assert response.status_code == 201
        assert response.json()["level"] == level
        parent = type(parent).objects.get(pk=response.json()["id"])
    before = snapshot()
    response = api.post(
        "/units",
        admin_token,
        {
            "name": "Tổ cấp 5",
            "symbol": "T5",
            "abbreviation": "to5",
            "agency_code": "000.03.12.H07",
            "parent_id": parent.pk,
        },
    )
    _refused(response, 400, "Cây đơn vị chỉ có tối đa 4 cấp.", "parent")
    assert snapshot() == before


# ---------------------------------------------------------------- lock and unlock


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        ({"reason": "violation", "note": "   "}, "Hãy ghi rõ lý do.", "note"),
    ],
)
def test_lock_bad_input(province, api, unit_admin_token, body, detail, field):
    before = snapshot()
    response = api.post(f"/accounts/{province.staff_stttt.pk}/lock", unit_admin_token, body)
    _refused(response, 400, detail, field)
    assert snapshot() == before


def test_lock_twice_self_and_unlock_active_are_refused(province, api, unit_admin_token):
    staff = province.staff_stttt
    lock = {"reason": "violation", "note": "Chia sẻ mật khẩu."}
    assert api.post(f"/accounts/{staff.pk}/lock", unit_admin_token, lock).status_code == 200
    before = snapshot()
    _refused(
        api.post(f"/accounts/{staff.pk}/lock", unit_admin_token, lock),
        400,
        "Tài khoản đang ở trạng thái “Tạm khóa”, không thể khóa.",
    )
    _refused(
        api.post(f"/accounts/{province.admin_stttt.pk}/lock", unit_admin_token, lock),
        400,
        "Không thể tự khóa tài khoản đang dùng; hãy dùng chức năng “Tài khoản của tôi bị lộ”.",
    )
    _refused(
        api.post(f"/accounts/{province.leader_stttt.pk}/unlock", unit_admin_token, {"note": "Mở."}),
        400,
        "Tài khoản không ở trạng thái tạm khóa.",
    )
    _refused(
        api.post(f"/accounts/{staff.pk}/unlock", unit_admin_token, {"note": ""}),
        400,
        "Hãy ghi rõ lý do.",
        "note",
    )
    assert snapshot() == before


def test_missing_objects_are_404(province, api, admin_token):
    _refused(api.get("/accounts/999999", admin_token), 404, "Không tìm thấy tài khoản.")
    _refused(api.get("/units/999999", admin_token), 404, "Không tìm thấy đơn vị.")
    before = snapshot()
    _refused(
        api.post("/accounts/999999/lock", admin_token, {"reason": "violation", "note": "x"}),
        404,
        "Không tìm thấy tài khoản.",
    )
    assert snapshot() == before
    response = api.get("/khong-co", admin_token)
    _refused(response, 404, "Không có địa chỉ API này.")


def test_wrong_method_is_refused(province, api, admin_token):
    response = api.client.delete(
        "/api/v1/units", headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert response.status_code == 405


# ---------------------------------------------------------------- lists


def test_account_list_filters(province, api, admin_token):
    make_user(province.snv, "Huỳnh Ngọc Lành")
    token = admin_token
    body = api.get("/accounts", token, q="huynh ngoc").json()
    assert sorted(i["username"] for i in body["items"]) == ["lanhhn.snv", "lanhn.snv"]
    body = api.get("/accounts", token, unit=province.stttt.pk).json()
    assert {i["unit_id"] for i in body["items"]} == {province.stttt.pk}
    assert body["count"] == User.objects.filter(unit=province.stttt).count()
    api.post(
        f"/accounts/{province.staff_snv.pk}/lock",
        token,
        {"reason": "violation", "note": "Chia sẻ mật khẩu."},
    )
    body = api.get("/accounts", token, status="locked").json()
    assert [i["username"] for i in body["items"]] == [province.staff_snv.username]
    assert body["items"][0]["status_label"] == "Tạm khóa"
    response = api.get("/accounts", token, status="lost")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Dữ liệu gửi lên không hợp lệ: status: phải là một trong: “”, active, locked, revoked."
    )


def test_unit_admin_cannot_list_another_units_accounts_by_filter(province, api, unit_admin_token):
    body = api.get("/accounts", unit_admin_token, unit=province.snv.pk).json()
    assert body == {"count": 0, "page": 1, "page_size": 50, "items": []}


def test_pagination(province, api, admin_token):
    total = User.objects.count()
    ordered = list(
        User.objects.order_by("unit__name", "full_name", "pk").values_list("username", flat=True)
    )
    first = api.get("/accounts", admin_token, page=1, page_size=2).json()
    second = api.get("/accounts", admin_token, page=2, page_size=2).json()
    assert (first["count"], first["page"], first["page_size"]) == (total, 1, 2)
    assert [i["username"] for i in first["items"] + second["items"]] == ordered[:4]
    beyond = api.get("/accounts", admin_token, page=100).json()
    assert beyond["items"] == [] and beyond["count"] == total
    response = api.get("/units", admin_token, page=0)
    assert response.status_code == 422
    assert response.json()["detail"] == ("Dữ liệu gửi lên không hợp lệ: page: phải từ 1 trở lên.")
    response = api.get("/units", admin_token, page_size=1000)
    assert response.status_code == 422
    assert response.json()["field"] == "page_size"


def test_unit_list_search_ignores_diacritics(province, api, admin_token):
    body = api.get("/units", admin_token, q="so noi vu").json()
    assert [u["abbreviation"] for u in body["items"]] == ["snv"]
    assert body["items"][0]["member_count"] == User.objects.filter(unit=province.snv).count()
    assert body["items"][0]["parent_name"] == "Ủy ban nhân dân tỉnh Bến Tre"


def test_me_of_a_province_admin(province, api, admin_token):
    body = api.get("/me", admin_token).json()
    assert body["roles"] == sorted([Role.PROVINCE_ADMIN, Role.STAFF])
    assert body["managed_unit_ids"] is None
    assert body["unit_name"] == "Sở Thông tin và Truyền thông"


def test_responses_are_utf8_not_escaped(province, api, admin_token):
    response = api.get("/me", admin_token)
    assert "Sở Thông tin và Truyền thông".encode() in response.content


def test_lock_by_api_ends_the_account_token_too(province, api, admin_token):
    staff_token = token_for(province.staff_stttt)
    response = api.post(
        f"/accounts/{province.staff_stttt.pk}/lock",
        admin_token,
        {"reason": "compromised", "note": "Lộ mật khẩu."},
    )
    assert response.json()["status"] == AccountStatus.LOCKED
    assert api.get("/me", staff_token).status_code == 403


# ---------------------------------------------------------------- documentation


def test_openapi_document_lists_every_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["info"]["title"] == "vanban API"
    assert doc["info"]["version"] == "1"
    # The workflow, drafts, exchange, records, oversight and reorganisation routers list their own
    # paths in their own tests.
    own_tests = (
        "/api/v1/workflow",
        "/api/v1/drafts",
        "/api/v1/exchange",
        "/api/v1/signatures",
        "/api/v1/records",
        "/api/v1/oversight",
        "/api/v1/reorganisation",
    )
    assert {p for p in doc["paths"] if not p.startswith(own_tests)} == {
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/lock",
        "/api/v1/accounts/{account_id}/unlock",
        "/api/v1/me",
        "/api/v1/documents",
        "/api/v1/documents/incoming",
        "/api/v1/documents/outgoing",
        "/api/v1/documents/types",
        "/api/v1/documents/search",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/files/{file_id}/download",
    }
    assert set(doc["paths"]["/api/v1/units"]) == {"get", "post"}
    assert set(doc["paths"]["/api/v1/accounts"]) == {"get", "post"}
    schemes = doc["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation["security"], f"{method} {path} has no authentication"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
    account = doc["components"]["schemas"]["AccountOut"]["properties"]
    assert account["full_name"]["description"] == "Họ và tên"


def test_docs_page(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
