"""Input outside the bounds that the schemas declare: 422 with a Vietnamese message, nothing
written, never a 500 (DESIGN.md: bad input gets a clear Vietnamese error). And the OpenAPI
document declares every bound the server enforces."""

import json

import pytest

from tests.support.api import token_for
from tests.support.snapshots import snapshot
from vanban.api.api import api as ninja_api
from vanban.core.api import MAX_ID, MAX_PAGE

pytestmark = pytest.mark.django_db

HUGE = "4729160882116862410752"  # more than a PostgreSQL bigint
INVALID = "Dữ liệu gửi lên không hợp lệ: "
LISTINGS = ["/units", "/accounts", "/documents", "/documents/search", "/drafts"]


@pytest.fixture
def token(province):
    return token_for(province.province_admin)


def _invalid(response, detail: str, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["detail"] == INVALID + detail
    assert body["field"] == field


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("path", LISTINGS)
def test_huge_page_numbers_are_refused_on_every_listing(api, token, path):
    _invalid(api.get(path, token, page=HUGE), f"page: phải không quá {MAX_PAGE}.", "page")
    _invalid(api.get(path, token, page=MAX_PAGE + 1), f"page: phải không quá {MAX_PAGE}.", "page")
    # The last page allowed is answered, empty.
    response = api.get(path, token, page=MAX_PAGE, page_size=200)
    assert response.status_code == 200, response.content.decode()
    assert response.json()["items"] == []


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize(
    ("page_size", "detail"),
    [
        ("-1", "page_size: phải từ 1 trở lên."),
        ("0", "page_size: phải từ 1 trở lên."),
        ("201", "page_size: phải không quá 200."),
        (HUGE, "page_size: phải không quá 200."),
        ("nhiều", "page_size: phải là số nguyên."),
    ],
)
def test_page_sizes_outside_1_to_200_are_refused(api, token, path, page_size, detail):
    _invalid(api.get(path, token, page_size=page_size), detail, "page_size")


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/units/{}", "unit_id"),
        ("/accounts/{}", "account_id"),
        ("/documents/{}", "document_id"),
        ("/documents/files/{}/download", "file_id"),
        ("/drafts/{}", "draft_id"),
        ("/workflow/documents/{}", "document_id"),
        ("/exchange/queue/{}", "delivery_id"),
        ("/exchange/sent/{}", "document_id"),
    ],
)
def test_ids_in_paths_are_positive_64_bit_integers(api, token, path, field):
    _invalid(api.get(path.format(HUGE), token), f"{field}: phải không quá {MAX_ID}.", field)
    _invalid(api.get(path.format(-5), token), f"{field}: phải từ 1 trở lên.", field)
    # The largest id is looked up like any other: missing.
    assert api.get(path.format(MAX_ID), token).status_code == 404


def test_huge_ids_in_bodies_and_queries_are_refused_and_change_nothing(province, api, token):
    before = snapshot()
    response = api.post("/accounts", token, {"unit_id": int(HUGE), "full_name": "Bùi Văn Mới"})
    _invalid(response, f"unit_id: phải không quá {MAX_ID}.", "unit_id")
    response = api.post(
        "/units",
        token,
        {
            "name": "Sở Tài chính",
            "symbol": "STC",
            "abbreviation": "stc",
            "agency_code": "000.00.06.H07",
            "parent_id": int(HUGE),
        },
    )
    _invalid(response, f"parent_id: phải không quá {MAX_ID}.", "parent_id")
    response = api.post(
        "/workflow/documents/1/assign",
        token,
        {"direction": "Giao phòng xử lý.", "co_user_ids": [1, int(HUGE)]},
    )
    _invalid(response, f"co_user_ids.1: phải không quá {MAX_ID}.", "co_user_ids.1")
    _invalid(api.get("/accounts", token, unit=HUGE), f"unit: phải không quá {MAX_ID}.", "unit")
    _invalid(api.get("/documents", token, year=HUGE), "year: phải không quá 2100.", "year")
    _invalid(api.get("/documents/search", token, type="0"), "type: phải từ 1 trở lên.", "type")
    assert snapshot() == before


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("20/11/2026", "phải là ngày dạng YYYY-MM-DD"),
        ("2026-13-01", "phải là ngày dạng YYYY-MM-DD"),
        ("2026-02-30", "phải là ngày dạng YYYY-MM-DD"),
        ("hôm qua", "phải là ngày dạng YYYY-MM-DD"),
        ("0001-01-01", "phải từ 01/01/1900 trở lên"),
        ("9999-12-31", "phải không quá 31/12/2100"),
    ],
)
def test_malformed_or_far_dates_are_refused(api, token, value, message):
    _invalid(api.get("/documents/search", token, **{"from": value}), f"from: {message}.", "from")
    before = snapshot()
    response = api.post(
        "/drafts/1/comment-requests", token, {"people": [1], "deadline": value, "note": "Góp ý."}
    )
    _invalid(response, f"deadline: {message}.", "deadline")
    assert snapshot() == before


# ---------------------------------------------------------------- strings and choices


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        ({"full_name": "x" * 101}, "full_name: dài quá 100 ký tự.", "full_name"),
        ({"position": "x" * 101}, "position: dài quá 100 ký tự.", "position"),
        ({"phone": "0" * 21}, "phone: dài quá 20 ký tự.", "phone"),
        ({"full_name": "Bùi\x00Văn"}, "full_name: không được chứa ký tự NUL (\\x00).", "full_name"),
        (
            {"roles": ["boss"]},
            "roles.0: phải là một trong: staff, leader, clerk, archivist, unit_admin,"
            " province_admin.",
            "roles.0",
        ),
    ],
)
def test_account_fields_outside_their_bounds_are_refused(province, api, token, body, detail, field):
    before = snapshot()
    payload = {"unit_id": province.stttt.pk, "full_name": "Bùi Văn Mới", **body}
    _invalid(api.post("/accounts", token, payload), detail, field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "detail", "field"),
    [
        (
            {"reason": "boring", "note": "x"},
            "reason: phải là một trong: not_used, password_not_changed, compromised, "
            "agency_request, violation, failed_logins.",
            "reason",
        ),
        ({"reason": "violation", "note": "x" * 501}, "note: dài quá 500 ký tự.", "note"),
    ],
)
def test_lock_outside_its_bounds_is_refused(province, api, token, body, detail, field):
    before = snapshot()
    _invalid(api.post(f"/accounts/{province.staff_stttt.pk}/lock", token, body), detail, field)
    assert snapshot() == before


def test_overlong_and_nul_queries_are_refused(api, token):
    _invalid(api.get("/units", token, q="x" * 201), "q: dài quá 200 ký tự.", "q")
    _invalid(api.get("/documents/search", token, q="x" * 501), "q: dài quá 500 ký tự.", "q")
    _invalid(api.get("/accounts", token, q="a\x00b"), "q: không được chứa ký tự NUL (\\x00).", "q")
    _invalid(
        api.get("/drafts", token, status="xong"),
        "status: phải là một trong: “”, drafting, reviewing, approving, approved, issued.",
        "status",
    )
    _invalid(
        api.get("/signatures/requests/khong-phai-ma", token), "code: không đúng định dạng.", "code"
    )


# ---------------------------------------------------------------- the OpenAPI document


def _inputs(document):  # type: ignore[no-untyped-def]
    """(operation, name, schema) of every parameter and request body field."""
    components = document["components"]["schemas"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield label, parameter["name"], parameter["schema"]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = content["schema"]
                if "$ref" in schema:
                    schema = components[schema["$ref"].rsplit("/", 1)[1]]
                for name, field in schema.get("properties", {}).items():
                    yield label, name, field


def _bounded(schema, components) -> bool:  # type: ignore[no-untyped-def]
    if "$ref" in schema:
        return _bounded(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for combined in ("anyOf", "allOf"):
        if combined in schema:
            return all(_bounded(s, components) for s in schema[combined])
    kind = schema.get("type")
    if kind in ("null", "boolean") or "enum" in schema:
        return True
    if kind in ("integer", "number"):
        return "minimum" in schema and "maximum" in schema
    if kind == "string":
        return schema.get("format") in ("date", "binary") or (
            "maxLength" in schema and "pattern" in schema
        )
    if kind == "array":
        if schema["items"].get("format") == "binary":
            return True  # uploaded files: bounded by the server's upload limits (docs/files.md)
        return "maxItems" in schema and _bounded(schema["items"], components)
    return False


def test_the_openapi_document_declares_a_bound_for_every_input():
    document = json.loads(json.dumps(ninja_api.get_openapi_schema()))  # as served
    components = document["components"]["schemas"]
    unbounded = [
        f"{operation} {name}: {schema}"
        for operation, name, schema in _inputs(document)
        if not _bounded(schema, components)
    ]
    assert unbounded == []
    parameters = {(operation, name): schema for operation, name, schema in _inputs(document)}
    assert parameters[("GET /api/v1/documents", "page")]["maximum"] == MAX_PAGE
    assert parameters[("GET /api/v1/documents/{document_id}", "document_id")] == {
        "maximum": MAX_ID,
        "minimum": 1,
        "title": "Document Id",
        "type": "integer",
    }
    assert parameters[("GET /api/v1/documents/search", "sort")]["enum"] == [
        "relevance",
        "newest",
        "oldest",
        "issued",
        "number",
        "urgency",
    ]
    for path in ("/api/v1/documents/files/{file_id}/download",):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/pdf", "image/png", "application/xml"} <= set(content)
    download = "/api/v1/drafts/{draft_id}/versions/{number}/download"
    assert "application/pdf" in document["paths"][download]["get"]["responses"]["200"]["content"]
