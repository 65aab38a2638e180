"""`/api/v1/workflow`: the same path and the same rules as the pages, as JSON."""

import datetime as dt
from typing import Any

import pytest

from tests.support.api import ApiClient, token_for
from tests.support.files import pdf_upload
from tests.support.matrix import Case, cell_params, every_cell
from tests.support.snapshots import snapshot
from tests.support.workflow import DIRECTION, TODAY, Work, assignment, directed, present, register
from tests.workflow.test_authz import running, waiting, with_extension
from vanban.workflow import services
from vanban.workflow.models import Processing, ProgressFile

pytestmark = pytest.mark.django_db


def multipart(api: ApiClient, path: str, token: str | None, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post(f"/api/v1{path}", data=data, headers=headers)


def test_the_whole_path_through_the_api(work, api):
    document = register(work)
    clerk, director = token_for(work.clerk), token_for(work.director)
    handler, co_head = token_for(work.plan_staff), token_for(work.tech_head)

    response = api.post(
        f"/workflow/documents/{document.pk}/present",
        clerk,
        {"leader_id": work.director.pk, "note": "Kính trình."},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "presented"

    body = api.get("/workflow/my-work", director).json()
    assert [item["document_id"] for item in body["to_direct"]] == [document.pk]

    response = api.post(
        f"/workflow/documents/{document.pk}/assign",
        director,
        {
            "direction": DIRECTION,
            "lead_user_id": work.plan_staff.pk,
            "co_unit_ids": [work.tech.pk],
            "info_user_ids": [work.reader.pk],
            "deadline": "2026-12-02",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["direction"], body["deadline"]) == (
        "in_progress",
        DIRECTION,
        "2026-12-02",
    )
    roles = {(a["role"], a["assignee"]) for a in body["assignments"]}
    assert roles == {
        ("lead", "Ngô Minh Chủ"),
        ("co", "Phòng Công nghệ thông tin"),
        ("info", "Hồ Thị Biết"),
    }
    lead = next(a for a in body["assignments"] if a["role"] == "lead")
    co = next(a for a in body["assignments"] if a["role"] == "co")

    mine = api.get("/workflow/my-work", handler).json()
    assert [(i["assignment_id"], i["role"]) for i in mine["assigned"]] == [(lead["id"], "lead")]
    informed = api.get("/workflow/my-work", token_for(work.reader))
    assert informed.status_code == 200
    assert [
        (i["document_id"], i["role"], i["mark"]) for i in informed.json()["for_information"]
    ] == [(document.pk, "info", "")]

    response = api.post(
        f"/workflow/assignments/{co['id']}/reassign",
        co_head,
        {"lead_user_id": work.tech_staff.pk, "note": "Đồng chí Tâm thực hiện."},
    )
    assert response.status_code == 200, response.json()
    assert any(a["parent_id"] == co["id"] for a in response.json()["assignments"])

    response = multipart(
        api,
        f"/workflow/assignments/{lead['id']}/progress",
        handler,
        {"text": "Đã dự thảo.", "draft_files": [pdf_upload("du-thao.pdf", "Dự thảo trả lời")]},
    )
    assert response.status_code == 200, response.json()
    assert ProgressFile.objects.get().kind == "reply_draft"

    response = api.post(
        f"/workflow/assignments/{lead['id']}/extensions",
        handler,
        {"requested_deadline": "2026-12-09", "reason": "Chờ số liệu."},
    )
    assert response.status_code == 200, response.json()
    (extension,) = response.json()["extensions"]
    response = api.post(f"/workflow/extensions/{extension['id']}/decide", director, {"grant": True})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["deadline"] == "2026-12-09"
    assert body["extensions"][0]["status"] == "granted"

    response = api.post(
        f"/workflow/assignments/{lead['id']}/remind", director, {"text": "Khẩn trương."}
    )
    assert response.status_code == 200
    assert (
        next(a for a in response.json()["assignments"] if a["id"] == lead["id"])["reminder_count"]
        == 1
    )

    response = api.post(
        f"/workflow/assignments/{lead['id']}/complete",
        handler,
        {"result": "Đã trả lời.", "reply_reference": "130/STTTT-KHTC"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reply_reference"]) == ("done", "130/STTTT-KHTC")
    assert [(e["action"], e["actor"]) for e in body["trail"]] == [
        ("presented", "Võ Thị Thu Trang"),
        ("directed", "Phạm Minh Đức"),
        ("reassigned", "Bùi Quốc Công"),
        ("progress", "Ngô Minh Chủ"),
        ("ext_requested", "Ngô Minh Chủ"),
        ("ext_granted", "Phạm Minh Đức"),
        ("reminded", "Phạm Minh Đức"),
        ("completed", "Ngô Minh Chủ"),
    ]
    assert body["trail"][1]["text"] == DIRECTION


def test_api_refusals_are_json_and_change_nothing(work, api):
    document = register(work)
    director, clerk = token_for(work.director), token_for(work.clerk)
    before = snapshot()
    response = api.post(
        f"/workflow/documents/{document.pk}/assign",
        director,
        {"direction": "x", "lead_user_id": work.plan_staff.pk},
    )
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Văn bản chưa được trình lãnh đạo.",
    )
    present(work, document)
    before = snapshot()
    response = api.post(
        f"/workflow/documents/{document.pk}/assign",
        director,
        {"direction": "x", "lead_user_id": 999999},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Không tìm thấy người có mã số 999999.",
        "field": "lead_user_id",
    }
    response = api.post(
        f"/workflow/documents/{document.pk}/assign",
        director,
        {"direction": "x", "lead_user_id": work.other_staff.pk},
    )
    assert response.json()["detail"] == (
        "Huỳnh Ngọc Lan không phải cán bộ đang hoạt động của Sở Thông tin và Truyền thông."
    )
    response = api.post(
        f"/workflow/documents/{document.pk}/assign",
        clerk,
        {"direction": "x", "lead_user_id": 999999},
    )
    assert (response.status_code, response.json()["detail"]) == (403, services.MSG_NOT_LEADER)
    response = api.post(
        f"/workflow/documents/{document.pk}/assign", director, {"lead_user_id": "x"}
    )
    assert response.status_code == 422
    assert snapshot() == before


def statuses(**values: int) -> dict[str, int]:
    return {"anonymous": 401, **values}


def presented(work: Work) -> dict[str, Any]:
    document = register(work, code_number="17")
    present(work, document)
    return {"document": document}


ENDPOINTS = [
    Case(
        "my work",
        "get",
        lambda w, o: "/workflow/my-work",
        allowed={"other_unit", "outsider", "handler", "leader", "clerk", "unit_head"},
        expect=statuses(
            other_unit=200, outsider=200, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
    ),
    Case(
        "processing",
        "get",
        lambda w, o: f"/workflow/documents/{o['document'].pk}",
        allowed={"handler", "leader", "clerk", "unit_head"},
        expect=statuses(
            other_unit=404, outsider=404, handler=200, leader=200, clerk=200, unit_head=200
        ),
        setup=running,
    ),
    Case(
        "present",
        "post",
        lambda w, o: f"/workflow/documents/{o['document'].pk}/present",
        allowed={"clerk"},
        expect=statuses(
            other_unit=404, outsider=404, handler=404, leader=403, clerk=200, unit_head=404
        ),
        setup=waiting,
        data=lambda w: {"leader_id": w.director.pk},
    ),
    Case(
        "assign",
        "post",
        lambda w, o: f"/workflow/documents/{o['document'].pk}/assign",
        allowed={"leader"},
        expect=statuses(
            other_unit=404, outsider=404, handler=404, leader=200, clerk=403, unit_head=404
        ),
        setup=presented,
        data=lambda w: {"direction": "Giao xử lý.", "lead_user_id": w.plan_staff.pk},
    ),
    Case(
        "reassign",
        "post",
        lambda w, o: f"/workflow/assignments/{o['co'].pk}/reassign",
        allowed={"unit_head"},
        expect=statuses(
            other_unit=404, outsider=404, handler=403, leader=403, clerk=403, unit_head=200
        ),
        setup=running,
        data=lambda w: {"lead_user_id": w.tech_staff.pk},
    ),
    Case(
        "progress",
        "post",
        lambda w, o: f"/workflow/assignments/{o['lead'].pk}/progress",
        allowed={"handler"},
        expect=statuses(
            other_unit=404, outsider=404, handler=200, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"text": "Đang tổng hợp.", "result_files": [pdf_upload("bao-cao.pdf")]},
        multipart=True,
    ),
    Case(
        "complete",
        "post",
        lambda w, o: f"/workflow/assignments/{o['lead'].pk}/complete",
        allowed={"handler"},
        expect=statuses(
            other_unit=404, outsider=404, handler=200, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"result": "Xong."},
    ),
    Case(
        "remind",
        "post",
        lambda w, o: f"/workflow/assignments/{o['lead'].pk}/remind",
        allowed={"leader"},
        expect=statuses(
            other_unit=404, outsider=404, handler=403, leader=200, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"text": "Khẩn trương."},
    ),
    Case(
        "extension request",
        "post",
        lambda w, o: f"/workflow/assignments/{o['lead'].pk}/extensions",
        allowed={"handler"},
        expect=statuses(
            other_unit=404, outsider=404, handler=200, leader=403, clerk=403, unit_head=403
        ),
        setup=running,
        data=lambda w: {"requested_deadline": "2026-12-10", "reason": "Chờ số liệu."},
    ),
    Case(
        "extension decision",
        "post",
        lambda w, o: f"/workflow/extensions/{o['extension'].pk}/decide",
        allowed={"leader"},
        expect=statuses(
            other_unit=404, outsider=404, handler=403, leader=200, clerk=403, unit_head=403
        ),
        setup=with_extension,
        data=lambda w: {"grant": False, "reason": "Cần đúng hạn."},
    ),
]
CALLERS = ["anonymous", "other_unit", "outsider", "handler", "leader", "clerk", "unit_head"]


@pytest.mark.parametrize(("endpoint", "caller"), cell_params(every_cell(ENDPOINTS, CALLERS)))
def test_api_matrix(work, api, endpoint: Case, caller: str):
    from tests.workflow.test_authz import actor_user

    objects = endpoint.setup(work)
    user = actor_user(work, caller)
    token = token_for(user) if user else None
    before = snapshot()
    path = endpoint.url(work, objects)
    if endpoint.method == "get":
        response = api.get(path, token)
    elif endpoint.multipart:
        response = multipart(api, path, token, endpoint.body(work))
    else:
        response = api.post(path, token, endpoint.body(work))
    assert response.status_code == endpoint.expect[caller], (endpoint.name, caller, response.json())
    assert (response.status_code < 400) == (caller in endpoint.allowed), (endpoint.name, caller)
    if response.status_code >= 400:
        assert response.json()["detail"], (endpoint.name, caller)
        assert snapshot() == before, (endpoint.name, caller)
    elif endpoint.method == "post":
        assert snapshot() != before, (endpoint.name, caller)


def test_progress_refusal_through_the_api_stores_no_file(work, api):
    document = directed(work)
    lead = assignment(document, role="lead")
    handler, director = token_for(work.plan_staff), token_for(work.director)
    before = snapshot()
    response = multipart(
        api,
        f"/workflow/assignments/{lead.pk}/progress",
        handler,
        {"text": "", "result_files": [pdf_upload("a.pdf")]},
    )
    assert (response.status_code, response.json()["detail"]) == (400, "Hãy nhập nội dung tiến độ.")
    assert snapshot() == before
    response = multipart(
        api,
        f"/workflow/assignments/{lead.pk}/progress",
        director,
        {"text": "Ghi thay.", "result_files": [pdf_upload("a.pdf")]},
    )
    assert (response.status_code, response.json()["detail"]) == (403, services.MSG_NOT_HANDLER)
    assert snapshot() == before
    assert Processing.objects.get().deadline == TODAY + dt.timedelta(days=7)


def test_the_matrix_covers_every_workflow_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        if path.startswith("/api/v1/workflow")
        for method in operations
    }
    covered = {(e.method.upper(), e.url(None, PLACEHOLDERS)) for e in ENDPOINTS}
    assert documented == covered


class _Placeholder:
    def __init__(self, name: str) -> None:
        self.pk = "{" + name + "}"


PLACEHOLDERS = {
    "document": _Placeholder("document_id"),
    "lead": _Placeholder("assignment_id"),
    "co": _Placeholder("assignment_id"),
    "extension": _Placeholder("extension_id"),
}


def test_my_work_lists_what_was_given_for_reading_and_the_counts(work, api):
    """ "Được chuyển để biết": the documents given to the caller for reading and not opened
    yet, as on the page, and how much waits of each kind, as on the home page."""
    from vanban.documents.services import document_share, share_opened

    document = directed(work)
    other = directed(work, code_number="16")
    document_share(actor=work.clerk, document=document, user=work.deputy)
    document_share(actor=work.director, document=other, user=work.deputy)
    token = token_for(work.deputy)
    body = api.get("/workflow/my-work", token).json()
    assert [(i["document_id"], i["granted_by"]) for i in body["shared"]] == [
        (other.pk, work.director.full_name),
        (document.pk, work.clerk.full_name),
    ]
    assert body["shared_total"] == 2
    assert body["counts"]["for_information"] == 2 and body["counts"]["total"] == 2
    # Opened: no longer waiting, in the list nor in the counts.
    share_opened(document=other, user=work.deputy)
    body = api.get("/workflow/my-work", token).json()
    assert [i["document_id"] for i in body["shared"]] == [document.pk]
    assert (body["shared_total"], body["counts"]["for_information"]) == (1, 1)
    # Someone else sees none of it.
    body = api.get("/workflow/my-work", token_for(work.outsider)).json()
    assert body["shared"] == [] and body["counts"]["total"] == 0
