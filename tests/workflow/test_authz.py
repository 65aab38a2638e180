"""Who may open each processing page and send each form (R18, "Access").

Every page and POST is tried by seven people: nobody signed in, the clerk of another unit trying
direct addresses, a staff member of the Sở given nothing, the person given the lead, the Sở's
director, the Sở's clerk, and the head of the department given the co-handling. A refused request
leaves the database exactly as it was; an allowed POST changes it.
"""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.support.matrix import Case, cell_params, every_cell
from tests.support.snapshots import snapshot
from tests.support.workflow import NOW, TODAY, Work, assignment, directed, present, register
from vanban.workflow import services

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_unit", "outsider", "handler", "leader", "clerk", "unit_head"]
SUBJECT = "Kế hoạch chuyển đổi số năm 2027"


def actor_user(work: Work, actor: str):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "other_unit": work.other_clerk,
        "outsider": work.outsider,
        "handler": work.plan_staff,
        "leader": work.director,
        "clerk": work.clerk,
        "unit_head": work.tech_head,
    }[actor]


def expect(**statuses: int) -> dict[str, int]:
    """Status per actor; anonymous is always sent to the login page."""
    return {"anonymous": 302, **statuses}


def running(work: Work) -> dict[str, Any]:
    """A document given to a person (lead), a department (co) and a reader, due tomorrow."""
    document = directed(
        work, code_number="15", subject=SUBJECT, deadline=TODAY + dt.timedelta(days=1)
    )
    return {
        "document": document,
        "lead": assignment(document, role="lead"),
        "co": assignment(document, role="co"),
    }


def waiting(work: Work) -> dict[str, Any]:
    return {"document": register(work, code_number="16", subject=SUBJECT)}


def presented(work: Work) -> dict[str, Any]:
    document = register(work, code_number="17", subject=SUBJECT)
    present(work, document)
    return {"document": document}


def with_file(work: Work) -> dict[str, Any]:
    from tests.support.files import pdf_upload

    objects = running(work)
    entry = services.assignment_progress(
        actor=work.plan_staff,
        assignment=objects["lead"],
        text="Kèm báo cáo.",
        result_files=[pdf_upload("bao-cao.pdf")],
    )
    return {**objects, "file": entry.files.get()}


def with_extension(work: Work) -> dict[str, Any]:
    objects = running(work)
    request = services.extension_request(
        actor=work.plan_staff,
        assignment=objects["lead"],
        requested_deadline=TODAY + dt.timedelta(days=9),
        reason="Chờ số liệu.",
    )
    return {**objects, "extension": request}


def with_delegation(work: Work) -> dict[str, Any]:
    delegation = services.delegation_create(
        actor=work.director,
        unit=work.so,
        deputy=work.deputy,
        starts_at=NOW,
        ends_at=NOW + dt.timedelta(days=2),
    )
    return {"delegation": delegation}


SEES = {"handler", "leader", "clerk", "unit_head"}
POLICY = {
    "normal_days": 9,
    "urgent_days": 4,
    "very_urgent_days": 2,
    "flash_days": 1,
    "remind_before_days": 2,
}
CASES = [
    Case(
        "my work",
        "get",
        lambda w, o: "/xu-ly/viec-cua-toi/",
        allowed={"handler", "unit_head"},
        expect=expect(
            other_unit=200, outsider=200, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
        marker=SUBJECT,
    ),
    Case(
        "deadline lists",
        "get",
        lambda w, o: "/xu-ly/han-xu-ly/",
        allowed=SEES,
        expect=expect(
            other_unit=200, outsider=200, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
        marker=SUBJECT,
    ),
    Case(
        "dashboard",
        "get",
        lambda w, o: "/xu-ly/tong-hop/",
        allowed={"leader", "clerk", "unit_head"},
        expect=expect(
            other_unit=200, outsider=403, handler=403, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
        marker="Phòng Công nghệ thông tin",
    ),
    Case(
        "processing page",
        "get",
        lambda w, o: f"/xu-ly/van-ban/{o['document'].pk}/",
        allowed=SEES,
        expect=expect(
            other_unit=404, outsider=404, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
        marker=SUBJECT,
    ),
    Case(
        "slip PDF",
        "get",
        lambda w, o: f"/xu-ly/van-ban/{o['document'].pk}/phieu/",
        allowed=SEES,
        expect=expect(
            other_unit=404, outsider=404, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
        marker="%PDF",
    ),
    Case(
        "follow-up register of the Sở",
        "get",
        lambda w, o: f"/xu-ly/so-theo-doi/?unit={w.so.pk}",
        allowed={"leader", "clerk"},
        expect=expect(
            other_unit=404, outsider=403, handler=403, leader=200, clerk=200, unit_head=404
        ),
        setup=running,
        marker=SUBJECT,
    ),
    Case(
        "follow-up register PDF of the Sở",
        "get",
        lambda w, o: f"/xu-ly/so-theo-doi/pdf/?unit={w.so.pk}",
        allowed={"leader", "clerk"},
        expect=expect(
            other_unit=404, outsider=403, handler=403, leader=200, clerk=200, unit_head=404
        ),
        setup=running,
        marker="%PDF",
    ),
    Case(
        "delegations page",
        "get",
        lambda w, o: "/xu-ly/uy-quyen/",
        allowed={"leader"},
        expect=expect(
            other_unit=200, outsider=200, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=with_delegation,
        marker="Lê Văn Phó",
    ),
    Case(
        "deadline policy of the Sở",
        "get",
        lambda w, o: f"/xu-ly/quy-dinh-han/?unit={w.so.pk}",
        allowed={"leader"},
        expect=expect(
            other_unit=403, outsider=403, handler=403, leader=200, clerk=403, unit_head=404
        ),
        setup=running,
        marker='id="policy-form"',
    ),
    Case(
        "result file",
        "get",
        lambda w, o: f"/xu-ly/tep/{o['file'].pk}/tai-xuong/",
        allowed=SEES,
        expect=expect(
            other_unit=404, outsider=404, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=with_file,
        marker="%PDF",
    ),
    Case(
        "present",
        "post",
        lambda w, o: f"/xu-ly/van-ban/{o['document'].pk}/trinh/",
        allowed={"clerk"},
        expect=expect(
            other_unit=404, outsider=404, handler=404, leader=403, clerk=302, unit_head=404
        ),
        setup=waiting,
        data=lambda w: {"leader": w.director.pk},
    ),
    Case(
        "direct and assign",
        "post",
        lambda w, o: f"/xu-ly/van-ban/{o['document'].pk}/chi-dao/",
        allowed={"leader"},
        expect=expect(
            other_unit=404, outsider=404, handler=404, leader=302, clerk=403, unit_head=404
        ),
        setup=presented,
        data=lambda w: {"direction": "Giao xử lý.", "lead": f"user:{w.plan_staff.pk}"},
    ),
    Case(
        "re-assign inside the unit",
        "post",
        lambda w, o: f"/xu-ly/viec/{o['co'].pk}/phan-cong/",
        allowed={"unit_head"},
        expect=expect(
            other_unit=404, outsider=404, handler=403, leader=403, clerk=403, unit_head=302
        ),
        setup=running,
        data=lambda w: {"lead_user": w.tech_staff.pk},
    ),
    Case(
        "progress",
        "post",
        lambda w, o: f"/xu-ly/viec/{o['lead'].pk}/tien-do/",
        allowed={"handler"},
        expect=expect(
            other_unit=404, outsider=404, handler=302, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"text": "Đang tổng hợp."},
    ),
    Case(
        "complete",
        "post",
        lambda w, o: f"/xu-ly/viec/{o['lead'].pk}/hoan-thanh/",
        allowed={"handler"},
        expect=expect(
            other_unit=404, outsider=404, handler=302, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"result": "Đã xong."},
    ),
    Case(
        "remind",
        "post",
        lambda w, o: f"/xu-ly/viec/{o['lead'].pk}/don-doc/",
        allowed={"leader"},
        expect=expect(
            other_unit=404, outsider=404, handler=403, leader=302, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"text": "Khẩn trương."},
    ),
    Case(
        "extension request",
        "post",
        lambda w, o: f"/xu-ly/viec/{o['lead'].pk}/gia-han/",
        allowed={"handler"},
        expect=expect(
            other_unit=404, outsider=404, handler=302, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"requested_deadline": "2026-12-10", "reason": "Chờ số liệu."},
    ),
    Case(
        "extension decision",
        "post",
        lambda w, o: f"/xu-ly/gia-han/{o['extension'].pk}/quyet-dinh/",
        allowed={"leader"},
        expect=expect(
            other_unit=404, outsider=404, handler=403, leader=302, clerk=403, unit_head=403
        ),
        setup=with_extension,
        data=lambda w: {"decision": "grant"},
    ),
    Case(
        "delegation",
        "post",
        lambda w, o: "/xu-ly/uy-quyen/",
        allowed={"leader"},
        expect=expect(
            other_unit=403, outsider=403, handler=403, leader=302, clerk=403, unit_head=400
        ),
        setup=running,
        data=lambda w: {
            "unit": w.so.pk,
            "deputy": w.deputy.pk,
            "starts_at": "2026-11-25T10:00",
            "ends_at": "2026-11-27T17:00",
        },
    ),
    Case(
        "end a delegation",
        "post",
        lambda w, o: f"/xu-ly/uy-quyen/{o['delegation'].pk}/ket-thuc/",
        allowed={"leader"},
        expect=expect(
            other_unit=404, outsider=404, handler=404, leader=302, clerk=404, unit_head=404
        ),
        setup=with_delegation,
    ),
    Case(
        "deadline policy",
        "post",
        lambda w, o: "/xu-ly/quy-dinh-han/",
        allowed={"leader"},
        expect=expect(
            other_unit=403, outsider=403, handler=403, leader=302, clerk=403, unit_head=404
        ),
        setup=running,
        data=lambda w: {"unit": w.so.pk, **POLICY},
    ),
]


@pytest.mark.parametrize(("case", "actor"), cell_params(every_cell(CASES, ACTORS)))
def test_matrix(work, client_for, case: Case, actor: str):
    objects = case.setup(work)
    user = actor_user(work, actor)
    client = client_for(user) if user else Client()
    before = snapshot()
    url = case.url(work, objects)
    response = client.get(url) if case.method == "get" else client.post(url, case.body(work))
    assert response.status_code == case.expect[actor], (case.name, actor)
    if actor == "anonymous":
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    if case.method == "post":
        if actor in case.allowed:
            assert snapshot() != before, (case.name, actor)
        else:
            assert snapshot() == before, (case.name, actor)
        return
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    shown = case.marker.encode() in body
    assert shown == (actor in case.allowed), (case.name, actor)
    if response.status_code == 403:
        assert "Chỉ " in body.decode(), (case.name, actor)


def test_refusal_pages_explain_why(work, client_for):
    objects = running(work)
    response = client_for(work.director).post(
        f"/xu-ly/viec/{objects['lead'].pk}/tien-do/", {"text": "x"}
    )
    assert response.status_code == 403
    assert services.MSG_NOT_HANDLER in response.content.decode()
    response = client_for(work.outsider).get("/xu-ly/tong-hop/")
    assert "Chỉ lãnh đạo và văn thư đơn vị xem được trang tổng hợp xử lý văn bản." in (
        response.content.decode()
    )
