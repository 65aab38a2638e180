"""`/api/v1/oversight/usage`: the usage statistics as JSON (R24), with the authorization matrix: a
unit administrator reads their unit and its sub-units and nothing else, the province
administrator (at the Department) the whole province, a specialist nothing."""

import datetime as dt

import pytest

from tests.support.api import build_callers, token_for
from tests.support.province import add_unit, make_user
from vanban.accounts.models import AccountPolicy, Role
from vanban.core import clock
from vanban.oversight import statistics
from vanban.oversight.models import DailyLogin, DailyUsage
from vanban.oversight.statistics import FIGURE_LABELS, Scope
from vanban.oversight.statistics_build import usage_rebuild
from vanban.reports.periods import REPORT_TZ, Period

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=REPORT_TZ)
Q4 = {"period": "quarter", "year": 2026, "quarter": 4}


@pytest.fixture(autouse=True)
def _now():
    AccountPolicy.current()
    with clock.frozen(NOW):
        yield


@pytest.fixture
def setup(province):
    """A department under the Sở TT&TT and a quarter of aggregates in every unit."""
    department = add_unit("Phòng Bưu chính", "BC", "bcstttt", "003.00.12.H07", province.stttt)
    person = make_user(department, "Phan Văn Bưu")
    for n, unit in enumerate((province.root, province.stttt, province.snv, department), start=1):
        DailyUsage.objects.create(
            unit=unit, day=dt.date(2026, 10, 5), logins=n, incoming_registered=10 * n
        )
    DailyLogin.objects.create(unit=department, day=dt.date(2026, 10, 5), user=person)
    return department


def get(api, path: str, token: str | None, **params):
    return api.get(f"/oversight{path}", token, **params)


def test_the_province_admin_reads_the_province_and_any_unit(api, province, setup):
    token = token_for(province.province_admin)
    answer = get(api, "/usage", token, **Q4)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["scope"] == {
        "kind": "province",
        "unit_id": None,
        "level": None,
        "label": "Toàn tỉnh",
    }
    assert body["period"] == {
        "first": "2026-10-01",
        "last": "2026-12-31",
        "name": "Quý IV năm 2026",
    }
    expected = statistics.usage(scope=Scope.province(), period=Period.quarter(2026, 4))
    assert body["figures"] == expected.as_dict()
    assert body["figures"]["incoming_registered"] == 100
    assert set(body["figures"]) == set(FIGURE_LABELS)
    unit = get(api, "/usage", token, unit=province.snv.pk, **Q4).json()
    assert (unit["scope"]["unit_id"], unit["figures"]["logins"]) == (province.snv.pk, 3)
    level = get(api, "/usage", token, level=2, **Q4).json()
    assert level["figures"]["incoming_registered"] == 90


def test_drill_down_and_series(api, province, setup):
    token = token_for(province.province_admin)
    top = get(api, "/usage/units", token, **Q4).json()
    assert [(r["unit"]["name"], r["figures"]["logins"]) for r in top["rows"]] == [
        ("Ủy ban nhân dân tỉnh Bến Tre", 10)
    ]
    rows = get(api, "/usage/units", token, parent=province.root.pk, **Q4).json()["rows"]
    assert [(r["unit"]["name"], r["figures"]["logins"]) for r in rows] == [
        ("Sở Nội vụ", 3),
        ("Sở Thông tin và Truyền thông", 2 + 4),
    ]
    series = get(api, "/usage/series", token, unit=province.stttt.pk, step="month", **Q4).json()
    assert [(r["day"], r["figures"]["logins"]) for r in series["rows"]] == [
        ("2026-10-01", 6),
        ("2026-11-01", 0),
        ("2026-12-01", 0),
    ]
    assert series["rows"][0]["figures"]["active_people"] == 1
    assert series["rows"][0]["figures"]["accounts_active"] is None


def test_a_unit_admin_reads_their_unit_and_its_sub_units_only(api, province, setup):
    token = token_for(province.admin_stttt)
    own = get(api, "/usage", token, **Q4).json()
    assert (own["scope"]["unit_id"], own["figures"]["logins"]) == (province.stttt.pk, 6)
    below = get(api, "/usage", token, unit=setup.pk, **Q4)
    assert (below.status_code, below.json()["figures"]["logins"]) == (200, 4)
    rows = get(api, "/usage/units", token, **Q4).json()["rows"]
    assert [r["unit"]["id"] for r in rows] == [province.stttt.pk]
    rows = get(api, "/usage/units", token, parent=province.stttt.pk, **Q4).json()["rows"]
    assert [r["unit"]["id"] for r in rows] == [setup.pk]
    for path, params in (
        ("/usage", {"unit": province.snv.pk}),
        ("/usage", {"unit": province.root.pk}),
        ("/usage", {"unit": 999_999}),
        ("/usage/units", {"parent": province.root.pk}),
        ("/usage/series", {"unit": province.snv.pk}),
    ):
        refused = get(api, path, token, **params, **Q4)
        assert refused.status_code == 404, (path, params)
        assert refused.json()["detail"] == "Không tìm thấy đơn vị."
    level = get(api, "/usage", token, level=2, **Q4)
    assert level.status_code == 403
    assert level.json()["detail"] == "Chỉ quản trị tỉnh được xem thống kê toàn tỉnh hoặc theo cấp."


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("anonymous", 401),
        ("revoked_token", 401),
        ("locked_account", 403),
        ("staff_same_unit", 403),
        ("other_unit_admin", 404),
        ("unit_admin", 200),
        ("province_admin", 200),
    ],
)
def test_authorization_matrix(api, province, setup, caller, status):
    callers = build_callers(province)
    token = callers.tokens[caller]
    for path in ("/usage", "/usage/series", "/usage/units"):
        key = "parent" if path == "/usage/units" else "unit"
        answer = get(api, path, token, **{key: province.stttt.pk}, **Q4)
        assert answer.status_code == status, (path, answer.json())
        if caller == "staff_same_unit":
            assert answer.json()["detail"] == (
                "Chỉ quản trị đơn vị và quản trị tỉnh được xem thống kê sử dụng."
            )
    if caller == "staff_same_unit":
        assert get(api, "/usage/units", token, **Q4).status_code == 403
        assert get(api, "/usage", token, **Q4).status_code == 403


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"period": "quarter", "year": 2026, "quarter": 5}, 422, "quarter: phải không quá 4."),
        ({"period": "year", "year": 1990}, 422, "year: phải"),
        ({"period": "quarter", "year": 2026}, 400, "Hãy chọn quý."),
        ({"period": "month", "year": 2027, "month": 1}, 400, "Kỳ thống kê chưa bắt đầu"),
        (
            {"period": "custom", "start": "2026-11-20", "end": "2026-11-02"},
            400,
            "Ngày kết thúc (02/11/2026) không được trước ngày bắt đầu (20/11/2026).",
        ),
        (
            {"period": "week", "year": 2026},
            422,
            "period: phải là một trong: month, quarter, year, custom.",
        ),
        (
            {"period": "custom", "start": "20/11/2026", "end": "2026-11-22"},
            422,
            "start: phải là ngày dạng YYYY-MM-DD.",
        ),
        ({"level": 7, **Q4}, 422, "level: phải không quá 4."),
    ],
)
def test_bad_periods_are_refused_with_a_vietnamese_message(api, province, params, status, message):
    answer = get(api, "/usage", token_for(province.province_admin), **params)
    assert answer.status_code == status, answer.json()
    assert message in answer.json()["detail"]
    assert answer.json()["detail"]


def test_series_by_day_over_more_than_a_year_is_refused(api, province):
    answer = get(
        api,
        "/usage/series",
        token_for(province.province_admin),
        period="custom",
        start="2024-01-01",
        end="2026-01-01",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "Kỳ quá dài để thống kê theo ngày: hãy chọn theo tháng.",
        "field": "step",
    }


def test_the_answer_says_until_when_the_period_is_counted(api, province, setup):
    usage_rebuild(first=dt.date(2026, 11, 30), last=dt.date(2026, 12, 1))
    body = get(api, "/usage", token_for(province.province_admin), **Q4).json()
    assert body["aggregated_until"] == "2026-12-01"


def test_the_number_of_queries_does_not_depend_on_the_units(
    api, province, setup, django_assert_max_num_queries
):
    token = token_for(province.province_admin)
    get(api, "/usage/units", token, parent=province.root.pk, **Q4)  # warm the token's caches
    with django_assert_max_num_queries(16):
        assert get(api, "/usage/units", token, parent=province.root.pk, **Q4).status_code == 200
    for i in range(6):
        add_unit(f"Phòng {i}", "P", f"phongx{i}", f"{110 + i}.00.05.H07", province.snv)
    with django_assert_max_num_queries(16):
        assert get(api, "/usage/units", token, parent=province.root.pk, **Q4).status_code == 200
    make_user(province.snv, "Người Mới", (Role.STAFF,))


def test_the_openapi_document_lists_the_usage_endpoints_in_vietnamese(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/oversight")}
    assert {p: set(ops) for p, ops in paths.items()} == {
        "/api/v1/oversight/usage": {"get"},
        "/api/v1/oversight/usage/units": {"get"},
        "/api/v1/oversight/usage/series": {"get"},
    }
    assert paths["/api/v1/oversight/usage"]["get"]["tags"] == ["Thống kê sử dụng"]
    figures = schema["components"]["schemas"]["UsageFiguresOut"]["properties"]
    assert figures["exchange_local_refused_wrong_recipient"]["description"] == (
        "Trả lại vì gửi sai đơn vị nhận"
    )
    assert set(figures) == set(FIGURE_LABELS)
