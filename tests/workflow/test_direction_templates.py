"""A leader's direction templates (mẫu ý kiến chỉ đạo): kept by the leader, offered on the
direction form to fill the direction; nobody else sees or changes them."""

import pytest
from django.utils.html import escape

from tests.support.workflow import present, register
from vanban.core.errors import ServiceError
from vanban.workflow import services
from vanban.workflow.models import Assignment, DirectionTemplate, Processing, ProcessingStatus

pytestmark = pytest.mark.django_db

URL = "/xu-ly/mau-y-kien/"
TEXT = "Giao phòng Kế hoạch – Tài chính chủ trì, tham mưu, báo cáo trước hạn."


def test_a_leader_keeps_templates_and_picks_one_on_the_direction_form(work, client_for):
    client = client_for(work.director)
    response = client.post(URL, {"text": f"  {TEXT}  "}, follow=True)
    assert "Đã lưu mẫu ý kiến chỉ đạo." in response.content.decode()
    client.post(URL, {"text": "Giao phòng Công nghệ thông tin phối hợp."})
    assert list(
        DirectionTemplate.objects.filter(leader=work.director).values_list("text", flat=True)
    ) == ["Giao phòng Công nghệ thông tin phối hợp.", TEXT]
    document = register(work)
    present(work, document)
    html = client.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert '<select name="direction_template" data-fills="direction"' in html
    assert f'<option value="{escape(TEXT)}">{escape(TEXT)}</option>' in html
    assert '<script src="/static/workflow/direction-templates.js" defer>' in html
    # The list comes before the direction field it fills.
    assert html.index('name="direction_template"') < html.index('name="direction"')
    # Only the direction typed (or filled) is given; the list's own value is not used.
    client.post(
        f"/xu-ly/van-ban/{document.pk}/chi-dao/",
        {
            "direction_template": "không phải mẫu nào",
            "direction": TEXT,
            "lead": f"unit:{work.plan.pk}",
        },
    )
    processing = Processing.objects.get(document=document)
    assert (processing.status, processing.direction) == (ProcessingStatus.IN_PROGRESS, TEXT)


def test_a_leader_without_templates_gets_no_list(work, client_for):
    document = register(work)
    present(work, document)
    html = client_for(work.director).get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert 'name="direction_template"' not in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Hãy nhập mẫu ý kiến chỉ đạo."),
        ("x" * 501, "Mẫu ý kiến chỉ đạo dài quá 500 ký tự."),
        (TEXT, services.MSG_TEMPLATE_EXISTS),
    ],
)
def test_bad_templates_are_refused(work, client_for, text, message):
    services.direction_template_add(actor=work.director, text=TEXT)
    response = client_for(work.director).post(URL, {"text": text})
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert DirectionTemplate.objects.count() == 1


def test_thirty_templates_at_most(work):
    for n in range(services.MAX_TEMPLATES):
        services.direction_template_add(actor=work.director, text=f"Mẫu {n}")
    with pytest.raises(ServiceError) as caught:
        services.direction_template_add(actor=work.director, text="Một mẫu nữa")
    assert caught.value.message == "Mỗi người lưu tối đa 30 mẫu; hãy xóa bớt mẫu không dùng."
    assert DirectionTemplate.objects.count() == services.MAX_TEMPLATES


def test_only_a_leader_keeps_templates(work, client_for):
    client = client_for(work.plan_staff)
    page = client.get(URL).content.decode()
    assert 'id="direction-template-form"' not in page
    response = client.post(URL, {"text": TEXT})
    assert response.status_code == 403
    assert escape(services.MSG_TEMPLATES_LEADER_ONLY) in response.content.decode()
    assert DirectionTemplate.objects.count() == 0


def test_one_deletes_only_ones_own_templates(work, client_for):
    mine = services.direction_template_add(actor=work.plan_head, text=TEXT)
    theirs = services.direction_template_add(actor=work.director, text=TEXT)
    client = client_for(work.plan_head)
    assert client.post(f"{URL}{theirs.pk}/xoa/").status_code == 404
    assert f"{escape(TEXT)}" in client.get(URL).content.decode()
    assert client.post(f"{URL}{mine.pk}/xoa/").status_code == 302
    assert list(DirectionTemplate.objects.values_list("pk", flat=True)) == [theirs.pk]
    # The director's page does not show the head's templates, nor the head's the director's.
    assert 'id="no-templates"' in client.get(URL).content.decode()
    assert Assignment.objects.count() == 0


def test_the_list_costs_one_query_however_many_templates(work, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    document = register(work)
    present(work, document)
    client = client_for(work.director)
    services.direction_template_add(actor=work.director, text="Mẫu 0")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/xu-ly/van-ban/{document.pk}/")
    for n in range(1, 12):
        services.direction_template_add(actor=work.director, text=f"Mẫu {n}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/xu-ly/van-ban/{document.pk}/").content.decode()
    assert html.count('<option value="Mẫu ') == 12
    assert len(many) == len(few)
