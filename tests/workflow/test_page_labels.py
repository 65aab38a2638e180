"""The processing page at each step, as each person sees it with the forms they are offered, the
document's page and the registers: every id is unique and every control has a label
(tests/support/labels.py)."""

import datetime as dt

import pytest

from tests.support.labels import label_problems
from tests.support.workflow import TODAY, assignment, directed, register
from vanban.workflow import services

pytestmark = pytest.mark.django_db


def problems(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return label_problems(response.content.decode())


def test_the_processing_page_at_each_step(work, client_for):
    waiting = register(work, code_number="20")
    seen = {"clerk, to present": problems(client_for(work.clerk), f"/xu-ly/van-ban/{waiting.pk}/")}
    services.processing_present(actor=work.clerk, document=waiting, leader=work.director)
    seen["director, to direct"] = problems(
        client_for(work.director), f"/xu-ly/van-ban/{waiting.pk}/"
    )
    # Two parts handled by the same person on one page: a unit part and a part of her own.
    document = directed(
        work,
        lead_user=None,
        lead_unit=work.plan,
        co_units=[work.tech],
        co_users=[work.plan_head],
        deadline=TODAY + dt.timedelta(days=7),
    )
    url = f"/xu-ly/van-ban/{document.pk}/"
    services.extension_request(
        actor=work.tech_head,
        assignment=assignment(document, role="co", assignee_unit=work.tech),
        requested_deadline=TODAY + dt.timedelta(days=20),
        reason="Chờ ý kiến.",
    )
    for who in ("director", "plan_head", "tech_head", "reader", "clerk"):
        seen[f"{who}, in progress"] = problems(client_for(getattr(work, who)), url)
    services.assignment_reassign(
        actor=work.plan_head,
        assignment=assignment(document, role="lead"),
        lead_user=work.plan_staff,
        co_users=[work.plan_staff2],
    )
    seen["plan_staff, divided"] = problems(client_for(work.plan_staff), url)
    seen["director, divided"] = problems(client_for(work.director), url)
    assert {who: found for who, found in seen.items() if found} == {}


def test_the_document_page_and_the_registers(work, client_for):
    document = directed(work)
    clerk = client_for(work.clerk)
    urls = [
        f"/van-ban/{document.pk}/",
        "/van-ban/so/den/",
        "/van-ban/so/di/",
        "/van-ban/den/",
        "/van-ban/di/",
        f"/xu-ly/so-theo-doi/?unit={work.so.pk}&period=year&year=2026",
        "/xu-ly/viec-cua-toi/",
        "/xu-ly/han-xu-ly/",
    ]
    found = {url: problems(clerk, url) for url in urls}
    found[f"director {document.pk}"] = problems(
        client_for(work.director), f"/van-ban/{document.pk}/"
    )
    assert {url: items for url, items in found.items() if items} == {}
