"""`/api/v1/reorganisation`: the units in time and the plans, for the province administrator
only (docs/reorganisation.md, "Preparing and applying a plan")."""

import pytest

from tests.reorganisation.support import make_plan, new_unit
from tests.support.api import ApiClient, token_for
from vanban.accounts.models import Unit
from vanban.reorganisation.apply import plan_apply, plan_create
from vanban.reorganisation.models import PlanState, ReorganisationPlan

pytestmark = pytest.mark.django_db

FORBIDDEN = "Chỉ quản trị tỉnh được lập, xem trước và áp dụng kế hoạch sắp xếp đơn vị."
MISSING = "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”."


def merge_plan(tree, **top):  # type: ignore[no-untyped-def]
    return make_plan(
        {
            "kind": "merge",
            "units": [tree.anhoi.agency_code, tree.phuhung.agency_code],
            "into": "phuong",
        },
        {"kind": "rename", "unit": tree.snv.agency_code, "name": "Sở Nội vụ và Lao động"},
        new_units=[new_unit("phuong", "000.40.21.H07", tree.district.agency_code)],
        **top,
    )


def calls(tree, record):  # type: ignore[no-untyped-def]
    """Every endpoint, as (method, path, body)."""
    return [
        ("get", "/reorganisation/units", None),
        ("get", f"/reorganisation/units/{tree.anhoi.pk}", None),
        ("get", "/reorganisation/plans", None),
        ("post", "/reorganisation/plans", merge_plan(tree)),
        ("get", f"/reorganisation/plans/{record.pk}", None),
        ("get", f"/reorganisation/plans/{record.pk}/preview", None),
        ("post", f"/reorganisation/plans/{record.pk}/apply", None),
    ]


def test_the_openapi_document_lists_the_reorganisation_endpoints(client, tree):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/reorganisation")
        for method, operation in methods.items()
    }
    record = plan_create(actor=None, data=merge_plan(tree))
    called = {
        f"{method.upper()} {path}".replace(str(tree.anhoi.pk), "{unit_id}").replace(
            f"/{record.pk}", "/{plan_id}"
        )
        for method, path, _body in calls(tree, record)
    }
    # The authorization matrix below calls every endpoint there is.
    assert set(operations) == called
    for operation in operations.values():
        assert operation["tags"] == ["Sắp xếp đơn vị"]
        assert operation["summary"]
        assert operation["security"] == [{"TokenAuth": []}]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("staff_stttt", 403),
        ("leader_stttt", 403),
        ("admin_stttt", 403),
        ("admin_snv", 403),
    ],
)
def test_only_the_province_administrator_may_call(tree, api: ApiClient, who, status):
    record = plan_create(actor=None, data=merge_plan(tree))
    token = None if who == "anonymous" else token_for(getattr(tree.province, who))
    for method, path, body in calls(tree, record):
        response = api.get(path, token) if method == "get" else api.post(path, token, body)
        assert response.status_code == status, path
        assert response.json()["detail"] == (MISSING if status == 401 else FORBIDDEN)
    assert ReorganisationPlan.objects.count() == 1 and not record.steps.exists()
    assert Unit.objects.get(pk=tree.anhoi.pk).end_date is None


def test_the_province_administrator_plans_previews_and_applies(tree, api: ApiClient):
    token = token_for(tree.province.province_admin)
    response = api.post("/reorganisation/plans", token, merge_plan(tree))
    assert response.status_code == 201
    plan_id = response.json()["id"]
    assert response.json()["state"] == "draft"

    listed = api.get("/reorganisation/plans", token).json()
    assert [p["id"] for p in listed] == [plan_id]

    preview = api.get(f"/reorganisation/plans/{plan_id}/preview", token).json()
    assert preview["can_apply"] is True and preview["conflicts"] == []
    assert [u["agency_code"] for u in preview["created"]] == ["000.40.21.H07"]
    assert sorted(u["agency_code"] for u in preview["ended"]) == sorted(
        [tree.anhoi.agency_code, tree.phuhung.agency_code]
    )
    assert preview["renamed"][0]["after"] == {"name": "Sở Nội vụ và Lao động"}

    applied = api.post(f"/reorganisation/plans/{plan_id}/apply", token)
    assert applied.status_code == 200
    body = applied.json()
    assert body["plan"]["state"] == PlanState.APPLIED
    assert (body["steps_done"], body["steps_skipped"]) == (3, 0)
    again = api.post(f"/reorganisation/plans/{plan_id}/apply", token).json()
    assert (again["steps_done"], again["steps_skipped"]) == (0, 3)

    # The units in time: the day before and the day of the change.
    before = api.get("/reorganisation/units", token, on="2025-06-30").json()
    after = api.get("/reorganisation/units", token, on="2025-07-01").json()
    names_before = {u["name"] for u in before["units"]}
    names_after = {u["name"] for u in after["units"]}
    assert "Ủy ban nhân dân xã An Hội" in names_before and "Sở Nội vụ" in names_before
    assert "Ủy ban nhân dân xã An Hội" not in names_after
    assert {"Sở Nội vụ và Lao động", "Ủy ban nhân dân phường Phuong"} <= names_after

    history = api.get(f"/reorganisation/units/{tree.anhoi.pk}", token).json()
    created = Unit.objects.get(agency_code="000.40.21.H07")
    assert history["unit"]["end_date"] == "2025-06-30"
    assert history["successors"][0]["unit_id"] == created.pk
    assert history["successors"][0]["kind"] == "merged"
    assert history["carried_on_by"] == created.pk
    renamed = api.get(f"/reorganisation/units/{tree.snv.pk}", token).json()
    assert renamed["history"][0]["name"] == "Sở Nội vụ"
    assert renamed["history"][0]["valid_until"] == "2025-06-30"


def test_refusals_answer_400_with_the_reason(tree, api: ApiClient):
    token = token_for(tree.province.province_admin)
    response = api.post(
        "/reorganisation/plans", token, make_plan({"kind": "close", "unit": "000.99.99.H07"})
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Thay đổi thứ 1 (chấm dứt hoạt động): không có đơn vị nào mang mã định danh "
        "“000.99.99.H07”."
    )
    response = api.post("/reorganisation/plans", token, raw="[1]")
    assert response.status_code in (400, 422)
    future = plan_create(actor=None, data=merge_plan(tree, effective_date="2099-01-01"))
    response = api.post(f"/reorganisation/plans/{future.pk}/apply", token)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Kế hoạch có hiệu lực từ ngày 01/01/2099")
    assert api.get("/reorganisation/plans/999999", token).status_code == 404
    assert api.get("/reorganisation/units/999999", token).status_code == 404
    assert api.get("/reorganisation/units", token, on="2025-13-01").status_code == 422
    assert not ReorganisationPlan.objects.exclude(pk=future.pk).exists()


def test_the_tree_of_a_date_costs_a_fixed_number_of_queries(
    tree, api: ApiClient, django_assert_num_queries
):
    token = token_for(tree.province.province_admin)
    record = plan_create(actor=None, data=merge_plan(tree))
    plan_apply(record, actor=None)
    api.get("/reorganisation/units", token, on="2025-06-30")  # the token's first use
    with django_assert_num_queries(QUERIES_TREE):
        response = api.get("/reorganisation/units", token, on="2025-06-30")
    assert len(response.json()["units"]) == Unit.objects.exclude(start_date="2025-07-01").count()


QUERIES_TREE = 4
