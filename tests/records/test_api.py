"""`/api/v1/records`: searching and reading dossiers and the yearly dossier list with a token,
with the same rights as the web pages (R19; R7 tokens); an authorization matrix."""

import datetime as dt

import pytest

from tests.records.support_use import add_item, build_use, make_dossier, register, share, viewed
from tests.support import drafting
from tests.support.api import build_callers, token_for
from tests.support.snapshots import snapshot
from vanban.audit.models import AuditEvent
from vanban.core.api import MAX_ID
from vanban.records.models import DossierStatus, ListStatus
from vanban.records.search import ACTION_VIEWED

MISSING = "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”."
REVOKED = "Mã truy cập API đã bị thu hồi."
NOT_FOUND = "Không tìm thấy hồ sơ (hoặc bạn không được xem hồ sơ này)."
LIST_NOT_FOUND = (
    "Không tìm thấy danh mục hồ sơ của cơ quan trong năm này (hoặc bạn không được xem)."
)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with drafting.fixed_clock():
        yield


@pytest.fixture
def use(province):
    return build_use(province)


@pytest.fixture
def dossier(use):
    dossier = make_dossier(use, "01.TCCB", "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử")
    late = register(use, subject="Quyết định ban hành Quy chế", issued=dt.date(2026, 11, 10))
    early = register(
        use,
        subject="Tờ trình dự thảo",
        issued=dt.date(2026, 10, 1),
        text="Chương trình chuyển đổi số",
    )
    add_item(dossier, late, by=use.handler)
    add_item(dossier, early, by=use.handler)
    return dossier


@pytest.fixture
def tokens(use):
    callers = build_callers(use.province)
    shared_with = use.province.staff_snv
    return {
        "anonymous": None,
        "revoked_token": callers.tokens["revoked_token"],
        "locked_account": callers.tokens["locked_account"],
        "handler": token_for(use.handler),
        "clerk": token_for(use.clerk),
        "head": token_for(use.head),
        "shared_with": token_for(shared_with),
        "other_staff": token_for(use.other_staff),
        "archivist": token_for(use.archivist),
        "outsider": token_for(use.outsider),
        "province_admin": callers.tokens["province_admin"],
    }


# ---------------------------------------------------------------- search


def test_search(api, use, dossier, tokens):
    make_dossier(use, "02.VP", "Hồ sơ hội nghị", ad_hoc=True, status=DossierStatus.CLOSED)
    viewed(dossier, use.head, times=2)
    response = api.get("/records/dossiers", tokens["handler"])
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["totals"] == {"dossiers": 2, "documents": 2, "accesses": 2}
    assert not body["has_next"]
    by_notation = {item["notation"]: item for item in body["items"]}
    first = by_notation["01.TCCB"]
    assert first["file_code"] == dossier.file_code
    assert first["title"] == "Hồ sơ xây dựng Quy chế quản lý văn bản điện tử"
    assert (first["item_count"], first["access_count"]) == (2, 2)
    assert first["handler_name"] == "Nguyễn Thị Hồng Nhung"
    # The full text of the documents, without diacritics.
    found = api.get("/records/dossiers", tokens["handler"], q="chuyen doi so").json()
    assert [item["notation"] for item in found["items"]] == ["01.TCCB"]
    found = api.get("/records/dossiers", tokens["handler"], ad_hoc="true").json()
    assert [item["notation"] for item in found["items"]] == ["02.VP"]
    found = api.get("/records/dossiers", tokens["handler"], status="closed", year=2026).json()
    assert [item["notation"] for item in found["items"]] == ["02.VP"]
    found = api.get("/records/dossiers", tokens["handler"], handler=use.clerk.pk).json()
    assert found["count"] == 0
    page = api.get("/records/dossiers", tokens["handler"], page_size=1, sort="title").json()
    assert page["has_next"] and [i["notation"] for i in page["items"]] == ["02.VP"]


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("handler", ["01.TCCB"]),
        ("clerk", ["01.TCCB"]),
        ("head", ["01.TCCB"]),
        ("shared_with", ["01.TCCB"]),
        ("other_staff", []),
        ("archivist", []),
        ("outsider", []),
        ("province_admin", []),
    ],
)
def test_search_matrix(api, use, dossier, tokens, caller, expected):
    share(dossier, use.province.staff_snv, by=use.handler)
    response = api.get("/records/dossiers", tokens[caller])
    assert response.status_code == 200
    assert [item["notation"] for item in response.json()["items"]] == expected


@pytest.mark.parametrize(
    ("caller", "status", "message"),
    [
        ("anonymous", 401, MISSING),
        ("revoked_token", 401, REVOKED),
    ],
)
def test_refused_without_a_valid_token(api, use, dossier, tokens, caller, status, message):
    for path in (
        "/records/dossiers",
        f"/records/dossiers/{dossier.pk}",
        f"/records/lists/{use.province.stttt.pk}/2026",
    ):
        response = api.get(path, tokens[caller])
        assert response.status_code == status
        assert response.json()["detail"] == message


def test_locked_account_is_refused(api, use, dossier, tokens):
    response = api.get("/records/dossiers", tokens["locked_account"])
    assert response.status_code == 403
    assert "tạm khóa" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "1800"}, "year"),
        ({"status": "deleted"}, "status"),
        ({"sort": "random"}, "sort"),
        ({"ad_hoc": "maybe"}, "ad_hoc"),
        ({"handler": "0"}, "handler"),
        ({"q": "x" * 201}, "q"),
        ({"page_size": "201"}, "page_size"),
    ],
)
def test_search_refuses_bad_input(api, use, dossier, tokens, params, field):
    response = api.get("/records/dossiers", tokens["handler"], **params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_search_refuses_an_unknown_handler(api, use, dossier, tokens):
    response = api.get("/records/dossiers", tokens["handler"], handler=MAX_ID)
    assert response.status_code == 400
    assert response.json() == {"detail": "Không tìm thấy người lập hồ sơ.", "field": "handler"}


# ---------------------------------------------------------------- detail


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("handler", 200),
        ("clerk", 200),
        ("head", 200),
        ("shared_with", 200),
        ("other_staff", 404),
        ("archivist", 404),
        ("outsider", 404),
        ("province_admin", 404),
    ],
)
def test_detail_matrix(api, use, dossier, tokens, caller, status):
    share(dossier, use.province.staff_snv, by=use.handler)
    before = AuditEvent.objects.filter(action=ACTION_VIEWED).count()
    response = api.get(f"/records/dossiers/{dossier.pk}", tokens[caller])
    assert response.status_code == status
    after = AuditEvent.objects.filter(action=ACTION_VIEWED).count()
    if status == 404:
        assert response.json()["detail"] == NOT_FOUND
        assert after == before
    else:
        assert after == before + 1


def test_detail(api, use, dossier, tokens):
    response = api.get(f"/records/dossiers/{dossier.pk}", tokens["head"])
    body = response.json()
    assert body["file_code"] == dossier.file_code
    assert body["organ_id"] == use.province.stttt.agency_code
    assert body["start_date"] == "2026-10-01" and body["end_date"] == "2026-11-10"
    assert body["item_count"] == 2
    # In chronological order, with their order in the dossier.
    assert [(i["ordinal"], i["subject"]) for i in body["items"]] == [
        (2, "Tờ trình dự thảo"),
        (1, "Quyết định ban hành Quy chế"),
    ]
    assert all(i["has_pdf"] and i["kind"] == "document" for i in body["items"])
    event = AuditEvent.objects.filter(action=ACTION_VIEWED).last()
    assert event.actor == use.head and event.data == {"via": "api"}
    assert event.target_id == str(dossier.pk)
    # The reading is counted among the accesses.
    again = api.get(f"/records/dossiers/{dossier.pk}", tokens["head"]).json()
    assert again["access_count"] == 1


def test_detail_of_a_missing_dossier(api, use, tokens):
    response = api.get(f"/records/dossiers/{MAX_ID}", tokens["head"])
    assert response.status_code == 404
    response = api.get("/records/dossiers/0", tokens["head"])
    assert response.status_code == 422


# ---------------------------------------------------------------- the dossier list of a year


@pytest.mark.parametrize(
    ("caller", "approved", "draft"),
    [
        ("head", 200, 200),
        ("clerk", 200, 200),
        ("archivist", 200, 200),
        ("handler", 200, 404),
        ("other_staff", 200, 404),
        ("outsider", 404, 404),
        # A member of Sở TT&TT as staff: administering the province gives no more.
        ("province_admin", 200, 404),
    ],
)
def test_list_matrix(api, use, tokens, caller, approved, draft):
    path = f"/records/lists/{use.province.stttt.pk}/2026"
    response = api.get(path, tokens[caller])
    assert response.status_code == approved
    use.dossier_list.status = ListStatus.DRAFT
    use.dossier_list.save(update_fields=["status"])
    response = api.get(path, tokens[caller])
    assert response.status_code == draft
    if draft == 404:
        assert response.json()["detail"] == LIST_NOT_FOUND


def test_list(api, use, tokens):
    before = snapshot()
    response = api.get(f"/records/lists/{use.province.stttt.pk}/2026", tokens["other_staff"])
    body = response.json()
    assert body["year"] == 2026 and body["status"] == "approved"
    assert body["status_label"] == "Đã phê duyệt"
    assert body["unit_name"] == "Sở Thông tin và Truyền thông"
    (heading,) = body["headings"]
    assert heading["title"] == "Tổ chức cán bộ" and heading["abbreviation"] == "TCCB"
    (entry,) = heading["entries"]
    assert entry["code"] == "01.TCCB"
    assert entry["maintenance"] == "Vĩnh viễn"
    assert entry["person_in_charge_name"] == "Nguyễn Thị Hồng Nhung"
    assert snapshot() == before  # reading the list changes nothing


def test_list_of_another_year_or_bad_year(api, use, tokens):
    path = f"/records/lists/{use.province.stttt.pk}"
    assert api.get(f"{path}/2025", tokens["head"]).status_code == 404
    response = api.get(f"{path}/1800", tokens["head"])
    assert response.status_code == 422 and response.json()["field"] == "year"


def test_the_openapi_document_lists_the_record_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/records")
        for method, operation in methods.items()
    }
    assert set(operations) == {
        "GET /records/dossiers",
        "GET /records/dossiers/{dossier_id}",
        "GET /records/lists/{unit_id}/{year}",
    }
    for operation in operations.values():
        assert operation["tags"] == ["Hồ sơ"]
        assert operation["summary"] and operation["description"]
        assert operation["security"] == [{"TokenAuth": []}]


@pytest.mark.parametrize("caller", ["handler", "head"])
def test_search_queries_do_not_grow(api, use, tokens, caller, django_assert_max_num_queries):
    for number in range(1, 8):
        dossier = make_dossier(use, f"{number:02d}.VP", f"Hồ sơ {number}")
        viewed(dossier, use.head)
    # Token, person, roles, the page and its three counts, whatever the number of rows.
    with django_assert_max_num_queries(10):
        response = api.get("/records/dossiers", tokens[caller])
    assert response.json()["count"] == 7
