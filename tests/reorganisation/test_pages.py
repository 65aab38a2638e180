"""Quản trị › Sắp xếp đơn vị: the plans, uploading one, its preview, applying it, its report
(docs/reorganisation.md, "Preparing and applying a plan"). Province administrator only."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.reorganisation import probe_steps
from tests.reorganisation.support import make_plan, new_unit
from vanban.accounts.models import Unit
from vanban.audit.models import AuditEvent
from vanban.reorganisation import steps
from vanban.reorganisation.apply import plan_create
from vanban.reorganisation.models import PlanState, ReorganisationPlan

pytestmark = pytest.mark.django_db

PROBE = "tests.reorganisation.probe_steps"


@pytest.fixture(autouse=True)
def _probe(monkeypatch):
    """The engine as it runs with step modules listed in STEP_MODULES."""
    monkeypatch.setattr(steps, "STEP_MODULES", (PROBE,))
    probe_steps.CALLS.clear()
    probe_steps.CONFLICT_FOR.clear()


def upload(client, plan):  # type: ignore[no-untyped-def]
    data = plan if isinstance(plan, bytes) else json.dumps(plan, ensure_ascii=False).encode()
    return client.post(
        reverse("reorganisation:plan_upload"),
        {"plan_file": SimpleUploadedFile("PLAN.json", data, content_type="application/json")},
    )


def merge_plan(tree, **top):  # type: ignore[no-untyped-def]
    return make_plan(
        {
            "kind": "merge",
            "units": [tree.anhoi.agency_code, tree.phuhung.agency_code],
            "into": "phuong",
        },
        {"kind": "merge", "units": [tree.skhcn.agency_code], "into": tree.stttt.agency_code},
        new_units=[new_unit("phuong", "000.40.21.H07", tree.district.agency_code)],
        **top,
    )


def test_upload_preview_apply_and_report(tree, client_for):
    client = client_for(tree.province.province_admin)
    response = upload(client, merge_plan(tree))
    record = ReorganisationPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reorganisation:plan_detail", args=[record.pk])
    assert record.created_by == tree.province.province_admin and record.state == PlanState.DRAFT

    page = client.get(response["Location"]).content.decode()
    assert "Đã tải lên kế hoạch; hãy xem trước rồi áp dụng." in page
    assert 'id="created"' in page and "Ủy ban nhân dân phường Phuong" in page
    assert 'id="ended"' in page and 'class="by-rule"' in page
    # The rule: the department's office and team end with it and go to its successor.
    assert "Đơn vị cấp dưới của Sở Khoa học và Công nghệ, chấm dứt theo đơn vị cấp trên" in page
    assert "Tổ Văn thư" in page
    assert 'id="apply-form"' in page and 'id="conflicts"' not in page
    # Each transfer's lines from the step modules.
    assert page.count('class="card transfer"') == 5

    response = client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == PlanState.APPLIED
    assert Unit.objects.get(pk=tree.anhoi.pk).end_date is not None
    page = client.get(response["Location"]).content.decode()
    assert "Đã áp dụng kế hoạch: 3 bước." in page
    assert "Thành lập 1 · chấm dứt 5 · đổi tên 0 · chuyển 0 đơn vị." in page
    assert 'id="report-pdf"' in page and 'id="apply-form"' not in page

    pdf = client.get(reverse("reorganisation:plan_report_pdf", args=[record.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # Applied again: nothing changes, and the page says so.
    events = AuditEvent.objects.count()
    response = client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"})
    page = client.get(response["Location"]).content.decode()
    assert "Kế hoạch đã được áp dụng trước đây; không có gì thay đổi." in page
    assert AuditEvent.objects.count() == events


def test_a_bad_plan_file_is_refused_on_the_page(tree, client_for):
    client = client_for(tree.province.province_admin)
    response = upload(client, b'{"title": ')
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="plan-error"' in page
    assert "Tệp kế hoạch không phải JSON hợp lệ: dòng 1, cột 11" in page
    response = upload(client, make_plan({"kind": "close", "unit": "000.99.99.H07"}))
    assert response.status_code == 400
    assert "không có đơn vị nào mang mã định danh “000.99.99.H07”" in response.content.decode()
    response = client.post(reverse("reorganisation:plan_upload"), {})
    assert response.status_code == 400
    assert "Hãy chọn tệp kế hoạch (PLAN.json)." in response.content.decode()
    assert not ReorganisationPlan.objects.exists()


def test_apply_before_the_effective_date_is_refused(tree, client_for):
    record = plan_create(actor=None, data=merge_plan(tree, effective_date="2099-01-01"))
    client = client_for(tree.province.province_admin)
    page = client.get(reverse("reorganisation:plan_detail", args=[record.pk])).content.decode()
    assert 'id="not-yet"' in page and 'id="apply-form"' not in page
    response = client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"})
    assert response.status_code == 400
    assert (
        "Kế hoạch có hiệu lực từ ngày 01/01/2099; chưa áp dụng được trước ngày đó"
        in response.content.decode()
    )
    assert Unit.objects.get(pk=tree.anhoi.pk).end_date is None


def test_apply_needs_the_confirmation(tree, client_for):
    record = plan_create(actor=None, data=merge_plan(tree))
    client = client_for(tree.province.province_admin)
    response = client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {})
    assert response.status_code == 400
    assert "Hãy đánh dấu ô xác nhận trước khi áp dụng kế hoạch." in response.content.decode()
    assert not record.steps.exists()


def test_conflicts_are_shown_in_red_and_stop_the_apply(tree, client_for):
    probe_steps.CONFLICT_FOR.add(tree.anhoi.agency_code)
    record = plan_create(actor=None, data=merge_plan(tree))
    client = client_for(tree.province.province_admin)
    page = client.get(reverse("reorganisation:plan_detail", args=[record.pk])).content.decode()
    assert 'id="conflicts"' in page and 'class="danger-text conflict"' in page
    assert "Đơn vị Ủy ban nhân dân xã An Hội còn việc chưa chuyển được." in page
    assert 'id="apply-form"' not in page
    response = client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"})
    assert response.status_code == 400
    assert "Kế hoạch còn 1 vướng mắc cần xử lý trước khi áp dụng" in response.content.decode()


def test_a_plan_that_no_longer_fits_the_tree_says_why(tree, client_for):
    record = plan_create(actor=None, data=merge_plan(tree))
    Unit.objects.filter(pk=tree.skhcn.pk).update(end_date="2025-01-01", is_active=False)
    client = client_for(tree.province.province_admin)
    page = client.get(reverse("reorganisation:plan_detail", args=[record.pk])).content.decode()
    assert 'id="plan-error"' in page and "đã chấm dứt hoạt động" in page


@pytest.mark.parametrize("who", ["admin_stttt", "staff_stttt", "leader_stttt", "admin_snv"])
def test_other_people_are_refused_every_page(tree, client_for, who):
    record = plan_create(actor=None, data=merge_plan(tree))
    client = client_for(getattr(tree.province, who))
    message = "Chỉ quản trị tỉnh được lập, xem trước và áp dụng kế hoạch sắp xếp đơn vị."
    for response in (
        client.get(reverse("reorganisation:plan_list")),
        upload(client, merge_plan(tree)),
        client.get(reverse("reorganisation:plan_detail", args=[record.pk])),
        client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"}),
        client.get(reverse("reorganisation:plan_report_pdf", args=[record.pk])),
    ):
        assert response.status_code == 403
        assert message in response.content.decode()
    assert ReorganisationPlan.objects.count() == 1 and not record.steps.exists()


def test_anonymous_people_are_sent_to_the_login(tree, client):
    response = client.get(reverse("reorganisation:plan_list"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_unknown_plans_and_reports_of_plans_not_applied_are_not_found(tree, client_for):
    record = plan_create(actor=None, data=merge_plan(tree))
    client = client_for(tree.province.province_admin)
    assert client.get(reverse("reorganisation:plan_detail", args=[999999])).status_code == 404
    pdf = client.get(reverse("reorganisation:plan_report_pdf", args=[record.pk]))
    assert pdf.status_code == 404


def test_the_list_costs_the_same_for_one_plan_and_for_many(
    tree, client_for, django_assert_num_queries
):
    client = client_for(tree.province.province_admin)
    plan_create(actor=None, data=merge_plan(tree))
    with django_assert_num_queries(QUERIES_LIST):
        page = client.get(reverse("reorganisation:plan_list")).content.decode()
    assert page.count('class="plan-row"') == 1
    for _ in range(4):
        plan_create(actor=tree.province.province_admin, data=merge_plan(tree))
    with django_assert_num_queries(QUERIES_LIST):
        page = client.get(reverse("reorganisation:plan_list")).content.decode()
    assert page.count('class="plan-row"') == 5
    # The menu shows the page under Quản trị.
    assert 'href="/sap-xep-don-vi/"' in page


def test_the_preview_and_the_result_cost_a_fixed_number_of_queries(
    tree, client_for, django_assert_num_queries
):
    record = plan_create(actor=None, data=merge_plan(tree))
    client = client_for(tree.province.province_admin)
    # The preview: the tree once, plus each step module's own reads per transfer (the probe
    # reads the accounts of each source: 5 transfers).
    with django_assert_num_queries(QUERIES_PREVIEW):
        client.get(reverse("reorganisation:plan_detail", args=[record.pk]))
    client.post(reverse("reorganisation:plan_apply", args=[record.pk]), {"confirm": "1"})
    with django_assert_num_queries(QUERIES_RESULT):
        client.get(reverse("reorganisation:plan_detail", args=[record.pk]))


QUERIES_LIST = 5
QUERIES_PREVIEW = 12
QUERIES_RESULT = 6
