"""The rule of docs/architecture.md, "Answering a request", on one page and one API endpoint of
each app: an object the person may not see is 404, a page or action their role lacks is 403 with
the reason, a refused action is the form again (pages) or 400 with the message (API)."""

import pytest

from tests.support.api import ApiClient, token_for

pytestmark = pytest.mark.django_db

MISSING = 999_999

# (app, path, method) asked by a plain member of staff (the unit admin for accounts): nothing
# with that id exists for them.
PAGES_404 = [
    ("accounts", f"/tai-khoan/quan-tri/tai-khoan/{MISSING}/", "get"),
    ("documents", f"/van-ban/{MISSING}/", "get"),
    ("documents", f"/van-ban/tep/{MISSING}/tai-xuong/", "get"),
    ("workflow", f"/xu-ly/van-ban/{MISSING}/", "get"),
    ("workflow", f"/xu-ly/tep/{MISSING}/tai-xuong/", "get"),
    ("drafting", f"/du-thao/{MISSING}/", "get"),
    ("drafting", f"/du-thao/{MISSING}/ky-so/tai-xuong/", "get"),
    ("agenda", f"/lich-cong-tac/noi-dung/{MISSING}/sua/", "get"),
    ("agenda", f"/lich-cong-tac/{MISSING}/2026/tuan-48/", "get"),
    ("exchange", f"/lien-thong/van-ban/{MISSING}/", "get"),
    ("signatures", f"/chu-ky-so/hinh/{MISSING}/", "get"),
    ("interop", f"/lien-thong/he-thong-khac/den/{MISSING}/", "get"),
]

# (app, path, reason shown) that a plain member of staff has no role for.
PAGES_403 = [
    ("accounts", "/tai-khoan/quan-tri/tai-khoan/", "Bạn không có quyền quản trị."),
    ("documents", "/van-ban/den/vao-so/", ""),
    ("workflow", "/xu-ly/tong-hop/", ""),
    ("exchange", "/lien-thong/hang-cho/", ""),
    ("signatures", "/chu-ky-so/chung-thu-goc/", "Chỉ quản trị tỉnh quản lý danh sách"),
    ("interop", "/lien-thong/he-thong-khac/", ""),
    ("scanning", "/ma-doc/", ""),
    ("paper", "/van-ban/den/ban-quet/", "Chỉ văn thư của đơn vị được vào sổ văn bản."),
]

API_404 = [
    ("accounts", f"/accounts/{MISSING}"),
    ("documents", f"/documents/{MISSING}"),
    ("documents", f"/documents/files/{MISSING}/download"),
    ("workflow", f"/workflow/documents/{MISSING}"),
    ("drafting", f"/drafts/{MISSING}"),
    ("exchange", f"/exchange/sent/{MISSING}"),
]

API_403 = [
    ("accounts", "/accounts"),
    ("exchange", "/exchange/queue"),
]


@pytest.mark.parametrize(("app", "path", "method"), PAGES_404, ids=[p[1] for p in PAGES_404])
def test_a_page_answers_404_for_what_the_person_may_not_see(
    province, client_for, app, path, method
):
    person = province.admin_stttt if app == "accounts" else province.staff_stttt
    response = getattr(client_for(person), method)(path)
    assert response.status_code == 404, app
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize(("app", "path", "reason"), PAGES_403, ids=[p[1] for p in PAGES_403])
def test_a_page_answers_403_with_the_reason_when_the_role_lacks(
    province, client_for, app, path, reason
):
    response = client_for(province.staff_stttt).get(path)
    assert response.status_code == 403, app
    page = response.content.decode()
    assert "Không có quyền truy cập" in page
    assert reason in page


def test_a_page_shows_a_refused_action_on_its_form(province, client_for):
    # Another unit's abbreviation: the service refuses, the form comes back with the message.
    client = client_for(province.province_admin)
    data = {
        "name": "Sở Tư pháp",
        "symbol": "STP",
        "abbreviation": "snv",
        "agency_code": "000.00.20.H07",
        "parent": province.root.pk,
        "is_active": "on",
    }
    response = client.post("/tai-khoan/quan-tri/don-vi/them/", data)
    assert response.status_code == 200
    assert "snv" in response.content.decode()
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(("app", "path"), API_404, ids=[p[1] for p in API_404])
def test_the_api_answers_404_for_what_the_caller_may_not_see(province, app, path):
    caller = province.admin_stttt if app == "accounts" else province.staff_stttt
    response = ApiClient().get(path, token_for(caller))
    assert response.status_code == 404, app
    assert response.json()["detail"]


@pytest.mark.parametrize(("app", "path"), API_403, ids=[p[1] for p in API_403])
def test_the_api_answers_403_with_the_reason_when_the_role_lacks(province, app, path):
    response = ApiClient().get(path, token_for(province.staff_stttt))
    assert response.status_code == 403, app
    assert response.json()["detail"]


def test_the_api_answers_a_refused_action_400_with_the_message(province):
    body = {
        "name": "Sở Tư pháp",
        "symbol": "STP",
        "abbreviation": "stp",
        "agency_code": "000.00.20.H07",
        "parent_id": MISSING,
    }
    response = ApiClient().post("/units", token_for(province.province_admin), body)
    assert response.status_code == 400
    assert response.json() == {"detail": "Không tìm thấy đơn vị cấp trên.", "field": "parent_id"}
