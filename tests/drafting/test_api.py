"""The outgoing path and the exchange inside the deployment through the API (R15, R16),
with the same rules and Vietnamese errors as the pages, and the authorization matrix of every
drafting and exchange endpoint."""

import datetime as dt
import hashlib
from typing import Any

import pytest

from tests.drafting.test_services import state
from tests.exchange.test_delivery import state as exchange_state
from tests.signing import PIN
from tests.support.api import ApiClient, token_for
from tests.support.documents import DECLARED, doc_type
from tests.support.drafting import (
    SUBJECT,
    Team,
    create_draft,
    issued,
    local_certificate,
    organisation_key,
    signed_elsewhere,
    signer_certificate,
    to_approved,
    to_approving,
    to_signed,
)
from tests.support.files import pdf_bytes, upload
from tests.support.matrix import (
    Case,
    Cells,
    allowed_posts,
    case_params,
    cell_params,
    unchanged_actors,
)
from vanban.documents.models import Direction, Document
from vanban.drafting import services
from vanban.drafting.models import Draft, DraftStatus
from vanban.exchange import delivery
from vanban.exchange.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


class Tokens(dict):
    """A bearer token per kind of caller, made when first asked for."""

    def __init__(self, team: Team) -> None:
        super().__init__()
        self.people = {
            "anonymous": None,
            "other_unit": team.staff_snv,
            "not_involved": team.outsider,
            "drafter": team.drafter,
            "head": team.head,
            "checker": team.checker,
            "leader": team.signer,
            "clerk": team.clerk,
            "colleague": team.colleague,
            "recipient_clerk": team.clerk_snv,
        }

    def __missing__(self, key: str) -> str | None:
        person = self.people[key]
        self[key] = token_for(person) if person is not None else None
        return self[key]


@pytest.fixture
def tokens(team) -> Tokens:
    return Tokens(team)


def multipart(api: ApiClient, path: str, token: str | None, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.client.post(f"/api/v1{path}", data=data, headers=headers)


def create_fields(team: Team, **overrides: Any) -> dict[str, Any]:
    values = {
        "document_type_id": doc_type("Kế hoạch").pk,
        "subject": SUBJECT,
        "recipient_unit_ids": [team.province.snv.pk, team.province.root.pk],
        "external_recipients": "Bộ Thông tin và Truyền thông; 000.00.00.G22",
        "signer_id": team.signer.pk,
        "authority": "KT",
        "authority_title": "Giám đốc",
        "signer_position": "Phó Giám đốc",
        "sensitive_declared": "true",
        "content_file": upload("Kế hoạch.pdf", pdf_bytes(SUBJECT), "application/pdf"),
    }
    values.update(overrides)
    return values


def ok(response, status: int = 200) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_outgoing_path_through_the_api(team, api, tokens):
    body = ok(multipart(api, "/drafts", tokens["drafter"], create_fields(team)), 201)
    draft_id = body["id"]
    assert body["status"] == "drafting"
    assert body["signer_block"] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", team.signer.full_name]
    assert [r["unit_id"] for r in body["recipients"]] == [
        team.province.snv.pk,
        team.province.root.pk,
        None,
    ]
    assert body["versions"][0]["sha256"] == hashlib.sha256(pdf_bytes(SUBJECT)).hexdigest()
    assert body["actions"]["submit"] is True and body["actions"]["approve"] is False
    path = f"/drafts/{draft_id}"

    body = ok(
        api.post(
            f"{path}/comment-requests",
            tokens["drafter"],
            {"people": [team.colleague.pk], "deadline": "2026-11-30", "note": "Xin ý kiến"},
        )
    )
    assert body["comments"][0]["person"] == team.colleague.username
    waiting = ok(api.get("/drafts/waiting", tokens["colleague"]))
    assert [c["draft_id"] for c in waiting["to_comment"]] == [draft_id]
    ok(api.post(f"{path}/comments", tokens["colleague"], {"text": "Đồng ý."}))
    ok(
        api.post(
            f"{path}/submit",
            tokens["drafter"],
            {"reviewer_id": team.head.pk, "checker_id": team.checker.pk},
        )
    )
    ok(api.post(f"{path}/content-review", tokens["head"], {"accept": True}))
    body = ok(api.post(f"{path}/format-check", tokens["checker"], {"accept": True}))
    assert body["status"] == "approving"
    body = ok(api.post(f"{path}/approve", tokens["leader"], {"accept": True, "note": "Đồng ý"}))
    assert (body["status"], body["approved_version"]) == ("approved", 1)

    second = pdf_bytes(SUBJECT, "Bản sửa")
    body = ok(
        multipart(
            api,
            f"{path}/versions",
            tokens["drafter"],
            {"content_file": upload("Bản 2.pdf", second, "application/pdf"), "note": "Sửa"},
        ),
        201,
    )
    # The checks of version 1 do not count for version 2: checked again, then approved.
    assert (body["status"], body["approved_version"], body["current_version"]) == (
        "reviewing",
        None,
        2,
    )
    assert (body["content_decision"], body["content_version"]) == ("", 1)
    assert body["versions"][0]["pdf_sha256"] == body["versions"][0]["sha256"]
    download = api.client.get(
        f"/api/v1{path}/versions/2/download", headers={"Authorization": f"Bearer {tokens['head']}"}
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == second
    ok(api.post(f"{path}/content-review", tokens["head"], {"accept": True}))
    body = ok(api.post(f"{path}/format-check", tokens["checker"], {"accept": True}))
    assert (body["status"], body["content_version"], body["format_version"]) == (
        "approving",
        2,
        2,
    )
    ok(api.post(f"{path}/approve", tokens["leader"], {"accept": True}))

    # The leader signs version 2 with their certificate; then the clerk issues it with the
    # unit's organisation certificate.
    certificate, key = signer_certificate(team), organisation_key(team)
    fields = {"issued_amount": 3, "certificate_id": key.certificate.pk, "pin": PIN}
    refusal = multipart(api, f"{path}/issue", tokens["clerk"], fields)
    assert refusal.status_code == 400
    assert "chưa được người có thẩm quyền ký số" in refusal.json()["detail"]
    body = ok(
        api.post(f"{path}/sign", tokens["leader"], {"certificate_id": certificate.pk, "pin": PIN})
    )
    assert (body["signed"], body["signed_by"]) == (True, team.signer.username)
    body = ok(multipart(api, f"{path}/issue", tokens["clerk"], fields), 201)
    assert body["number_symbol"] == "01/KH-STTTT"
    assert body["needs_paper_copy"] is False
    assert body["number_date_note"].startswith(
        "Không tự ghi được số văn bản và ngày tháng năm ban hành vào tệp PDF"
    )
    assert body["delivered_unit_ids"] == sorted([team.province.snv.pk, team.province.root.pk])
    document_id = body["document_id"]
    refusal = multipart(api, f"{path}/issue", tokens["clerk"], fields)
    assert refusal.status_code == 400
    assert refusal.json()["detail"] == "Dự thảo đã được ban hành; không thay đổi được nữa."
    assert Delivery.objects.count() == 2

    # The recipient's clerk: queue, register, and the sender sees "đã vào sổ".
    queue = ok(api.get("/exchange/queue", tokens["recipient_clerk"]))
    assert queue["count"] == 1
    item = queue["items"][0]
    assert (item["number_symbol"], item["sender_unit_name"], item["status"]) == (
        "01/KH-STTTT",
        "Sở Thông tin và Truyền thông",
        "01",
    )
    detail = ok(api.get(f"/exchange/queue/{item['id']}", tokens["recipient_clerk"]))
    main = Document.objects.get(pk=document_id).files.get()
    assert detail["files"][0]["sha256"] == main.sha256 != hashlib.sha256(second).hexdigest()
    refusal = api.post(f"/exchange/queue/{item['id']}/register", tokens["recipient_clerk"], {})
    assert refusal.status_code == 400 and refusal.json()["field"] == "sensitive_declared"
    body = ok(
        api.post(
            f"/exchange/queue/{item['id']}/register",
            tokens["recipient_clerk"],
            {"sensitive_declared": True},
        ),
        201,
    )
    assert (body["arrival_number"], body["number_symbol"]) == (1, "01/KH-STTTT")
    assert Document.objects.get(pk=body["incoming_document_id"]).direction == Direction.INCOMING
    statuses = ok(api.get(f"/exchange/sent/{document_id}", tokens["clerk"]))
    assert {
        d["recipient_unit_name"]: (d["status"], d["status_label"]) for d in statuses["deliveries"]
    } == {
        "Sở Nội vụ": ("03", "đã vào sổ"),
        "Ủy ban nhân dân tỉnh Bến Tre": ("01", "đã đến"),
    }

    # Recall through the API: the registered copy is asked back, the one still in the queue is
    # given back at once (15); the registered copy's clerk refuses.
    body = ok(api.post(f"/exchange/sent/{document_id}/recall", tokens["leader"], {"reason": "Sai"}))
    assert body["recalled"] is True
    assert {d["recipient_unit_name"]: d["recall_status"] for d in body["deliveries"]} == {
        "Sở Nội vụ": "13",
        "Ủy ban nhân dân tỉnh Bến Tre": "15",
    }
    refusal = api.post(
        f"/exchange/queue/{item['id']}/recall-answer", tokens["recipient_clerk"], {"accept": False}
    )
    assert refusal.status_code == 400
    assert refusal.json()["detail"] == "Hãy nhập lý do từ chối thu hồi."
    body = ok(
        api.post(
            f"/exchange/queue/{item['id']}/recall-answer",
            tokens["recipient_clerk"],
            {"accept": False, "note": "Đã giao xử lý"},
        )
    )
    assert body["recall_status"] == "16"
    assert body["recall_reason"] == "Sai"


def test_api_refusals_are_vietnamese_json_and_change_nothing(team, api, tokens):
    draft = create_draft(team)
    for name in ("leader", "drafter", "other_unit"):
        assert tokens[name]  # made before the snapshot: a new token is an audited change
    before = state()
    response = api.post(
        f"/drafts/{draft.pk}/approve", tokens["leader"], {"accept": True, "note": ""}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
        "field": None,
    }
    response = api.post(
        f"/drafts/{draft.pk}/submit", tokens["leader"], {"reviewer_id": 1, "checker_id": 1}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Chỉ người soạn thảo được thực hiện thao tác này."
    response = api.post(
        f"/drafts/{draft.pk}/submit",
        tokens["drafter"],
        {"reviewer_id": team.checker.pk, "checker_id": team.checker.pk},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Người kiểm tra nội dung phải là lãnh đạo đơn vị soạn thảo.",
        "field": "reviewer",
    }
    assert api.get(f"/drafts/{draft.pk}", tokens["other_unit"]).status_code == 404
    assert api.get(f"/drafts/{draft.pk}", None).status_code == 401
    response = multipart(
        api,
        "/drafts",
        tokens["drafter"],
        create_fields(
            team,
            content_file=upload("Mật.pdf", pdf_bytes("TUYỆT MẬT", SUBJECT), "application/pdf"),
        ),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "content_file"
    assert "TUYỆT MẬT" in response.json()["detail"]
    assert state() == before


def _setup(team: Team, kind: str) -> tuple[Draft, Any]:
    draft = create_draft(team)
    if kind == "approving":
        to_approving(team, draft)
    elif kind == "approved":
        to_approved(team, draft)
    elif kind == "approved_with_certificate":
        to_approved(team, draft)
        signer_certificate(team)
    elif kind == "approved_with_local_key":
        to_approved(team, draft)
        local_certificate(team)
    elif kind == "signed":
        to_signed(team, to_approved(team, draft))
        organisation_key(team)
    elif kind == "asked":
        services.draft_comments_request(
            actor=team.drafter, draft=draft, people=[team.outsider], deadline=dt.date(2026, 12, 1)
        )
    elif kind == "reviewing":
        services.draft_submit(
            actor=team.drafter, draft=draft, reviewer=team.signer, checker=team.outsider
        )
    elif kind in ("issued", "recalled"):
        draft, document = issued(team)
        if kind == "recalled":
            # Registered first: a copy still in the queue is given back at once, nobody answers.
            delivery.delivery_register(
                actor=team.clerk_snv,
                delivery=Delivery.objects.get(document=document),
                refusals=DECLARED,
            )
            delivery.document_recall(actor=team.clerk, document=document, reason="Sai")
        return draft, Delivery.objects.get(document=document)
    return draft, None


MATRIX_ACTORS = [
    "anonymous",
    "other_unit",
    "not_involved",
    "drafter",
    "leader",
    "clerk",
    "recipient_clerk",
]
# `expect`: the status of each caller the row names; everyone else is answered 404 (401 without
# a token).
ENDPOINTS = [
    Case(
        "draft list",
        "get",
        lambda d, x: "/drafts",
        allowed=set(MATRIX_ACTORS[1:]),
        expect=dict.fromkeys(MATRIX_ACTORS[1:], 200),
        setup="drafting",
    ),
    Case(
        "waiting",
        "get",
        lambda d, x: "/drafts/waiting",
        allowed=set(MATRIX_ACTORS[1:]),
        expect=dict.fromkeys(MATRIX_ACTORS[1:], 200),
        setup="drafting",
    ),
    Case(
        "draft detail",
        "get",
        lambda d, x: f"/drafts/{d.pk}",
        allowed={"drafter", "leader"},
        expect={"drafter": 200, "leader": 200},
        setup="drafting",
    ),
    Case(
        "version download",
        "get",
        lambda d, x: f"/drafts/{d.pk}/versions/1/download",
        allowed={"drafter", "leader"},
        expect={"drafter": 200, "leader": 200},
        setup="drafting",
    ),
    Case(
        "create",
        "post",
        lambda d, x: "/drafts",
        allowed={"not_involved", "drafter", "leader", "clerk"},
        expect={
            "not_involved": 201,
            "drafter": 201,
            "leader": 201,
            "clerk": 201,
            "other_unit": 400,
            "recipient_clerk": 400,
        },
        setup="drafting",
        data=create_fields,
        multipart=True,
    ),
    Case(
        "new version",
        "post",
        lambda d, x: f"/drafts/{d.pk}/versions",
        allowed={"drafter"},
        expect={"drafter": 201, "leader": 403},
        setup="drafting",
        data=lambda t: {"content_file": upload("Bản 2.pdf", pdf_bytes("Bản 2"), "application/pdf")},
        multipart=True,
    ),
    Case(
        "content review",
        "post",
        lambda d, x: f"/drafts/{d.pk}/content-review",
        allowed={"leader"},
        expect={"leader": 200, "drafter": 403, "not_involved": 403},
        setup="reviewing",
        data=lambda t: {"accept": True},
    ),
    Case(
        "format check",
        "post",
        lambda d, x: f"/drafts/{d.pk}/format-check",
        allowed={"not_involved"},
        expect={"not_involved": 200, "drafter": 403, "leader": 403},
        setup="reviewing",
        data=lambda t: {"accept": True},
    ),
    Case(
        "comment request",
        "post",
        lambda d, x: f"/drafts/{d.pk}/comment-requests",
        allowed={"drafter"},
        expect={"drafter": 200, "leader": 403},
        setup="drafting",
        data=lambda t: {"people": [t.checker.pk], "deadline": "2026-12-01"},
    ),
    Case(
        "comment",
        "post",
        lambda d, x: f"/drafts/{d.pk}/comments",
        allowed={"not_involved"},
        expect={"not_involved": 200, "drafter": 403, "leader": 403},
        setup="asked",
        data=lambda t: {"text": "Đồng ý"},
    ),
    Case(
        "submit",
        "post",
        lambda d, x: f"/drafts/{d.pk}/submit",
        allowed={"drafter"},
        expect={"drafter": 200, "leader": 403},
        setup="drafting",
        data=lambda t: {"reviewer_id": t.head.pk, "checker_id": t.checker.pk},
    ),
    Case(
        "approve",
        "post",
        lambda d, x: f"/drafts/{d.pk}/approve",
        allowed={"leader"},
        expect={"leader": 200, "drafter": 403},
        setup="approving",
        data=lambda t: {"accept": True},
    ),
    Case(
        "sign",
        "post",
        lambda d, x: f"/drafts/{d.pk}/sign",
        allowed={"leader"},
        expect={"leader": 200, "drafter": 403, "clerk": 403},
        setup="approved_with_certificate",
        data=lambda t: {"certificate_id": signer_certificate(t).pk, "pin": PIN},
    ),
    Case(
        "signed upload",
        "post",
        lambda d, x: f"/drafts/{d.pk}/signed-upload",
        allowed={"leader"},
        expect={"leader": 200, "drafter": 403, "clerk": 403},
        setup="approved_with_certificate",
        data=lambda t: {
            "file": upload("Đã ký.pdf", signed_elsewhere(Draft.objects.get()), "application/pdf")
        },
        multipart=True,
    ),
    Case(
        "sign request",
        "post",
        lambda d, x: f"/drafts/{d.pk}/sign-request",
        allowed={"leader"},
        expect={"leader": 201, "drafter": 403, "clerk": 403},
        setup="approved_with_local_key",
        data=lambda t: {"certificate_id": signer_certificate(t).pk},
    ),
    Case(
        "issue",
        "post",
        lambda d, x: f"/drafts/{d.pk}/issue",
        allowed={"clerk"},
        expect={"clerk": 201, "drafter": 403, "leader": 403},
        setup="signed",
        data=lambda t: {"certificate_id": organisation_key(t).certificate.pk, "pin": PIN},
        multipart=True,
    ),
    Case(
        "queue",
        "get",
        lambda d, x: "/exchange/queue",
        allowed={"clerk", "recipient_clerk"},
        expect={
            "clerk": 200,
            "recipient_clerk": 200,
            "other_unit": 403,
            "not_involved": 403,
            "drafter": 403,
            "leader": 403,
        },
        setup="issued",
    ),
    Case(
        "queue item",
        "get",
        lambda d, x: f"/exchange/queue/{x.pk}",
        allowed={"recipient_clerk"},
        expect={"recipient_clerk": 200},
        setup="issued",
    ),
    Case(
        "queue item signatures",
        "get",
        lambda d, x: f"/exchange/queue/{x.pk}/signatures",
        allowed={"recipient_clerk"},
        expect={"recipient_clerk": 200},
        setup="issued",
    ),
    Case(
        "register",
        "post",
        lambda d, x: f"/exchange/queue/{x.pk}/register",
        allowed={"recipient_clerk"},
        expect={"recipient_clerk": 201},
        setup="issued",
        data=lambda t: {"sensitive_declared": True},
    ),
    Case(
        "return",
        "post",
        lambda d, x: f"/exchange/queue/{x.pk}/return",
        allowed={"recipient_clerk"},
        expect={"recipient_clerk": 200},
        setup="issued",
        data=lambda t: {"reason": "invalid"},
    ),
    Case(
        "recall answer",
        "post",
        lambda d, x: f"/exchange/queue/{x.pk}/recall-answer",
        allowed={"recipient_clerk"},
        expect={"recipient_clerk": 200},
        setup="recalled",
        data=lambda t: {"accept": True},
    ),
    Case(
        "statuses",
        "get",
        lambda d, x: f"/exchange/sent/{x.document_id}",
        # The drafter reads the document issued from her draft (R14), with its deliveries.
        allowed={"leader", "clerk", "drafter"},
        expect={"leader": 200, "clerk": 200, "drafter": 200},
        setup="issued",
    ),
    Case(
        "send",
        "post",
        lambda d, x: f"/exchange/sent/{x.document_id}/deliveries",
        allowed={"clerk"},
        expect={"clerk": 200, "leader": 403, "drafter": 403},
        setup="issued",
        data=lambda t: {"unit_ids": [t.province.root.pk]},
    ),
    Case(
        "recall",
        "post",
        lambda d, x: f"/exchange/sent/{x.document_id}/recall",
        allowed={"leader", "clerk"},
        expect={"leader": 200, "clerk": 200, "drafter": 403},
        setup="issued",
        data=lambda t: {"reason": "Sai"},
    ),
]


# A GET, or the refusals of a POST, are tried by every caller in turn on one setup (nothing they
# do changes it); each caller allowed to POST sends it on a fresh setup.
def shared(endpoint: Case) -> list[str]:
    return unchanged_actors(endpoint, MATRIX_ACTORS)


ALLOWED_POSTS = allowed_posts(ENDPOINTS, MATRIX_ACTORS)


def read_only_state() -> tuple[dict[str, Any], ...]:
    """What no GET changes: all but the audit log, which records who downloaded a file."""
    return tuple(
        {key: value for key, value in snapshot.items() if key != "audit"}
        for snapshot in (state(), exchange_state())
    )


def check_cell(
    team: Team, draft: Draft, item: Any, token: str | None, endpoint: Case, actor: str
) -> None:
    api = ApiClient()
    path = endpoint.url(draft, item)
    before = (state(), exchange_state())
    if endpoint.method == "get":
        response = api.get(path, token)
    elif endpoint.multipart:
        response = multipart(api, path, token, endpoint.body(team))
    else:
        response = api.post(path, token, endpoint.body(team))
    expected = 401 if actor == "anonymous" else endpoint.expect.get(actor, 404)
    assert response.status_code == expected, (
        response.status_code,
        response.content.decode()[:500],
    )
    if endpoint.method == "post":
        if actor in endpoint.allowed:
            assert (state(), exchange_state()) != before
        else:
            assert (state(), exchange_state()) == before
            assert response.json()["detail"]
    if actor == "other_unit" and endpoint.name == "draft list":
        assert response.json()["items"] == []


@pytest.mark.parametrize("endpoint", case_params(ENDPOINTS))
def test_api_authorization(team, tokens, endpoint: Case):
    """Every GET, and every refused POST, tried by each caller in turn on one setup: none of
    their requests changes anything, so each finds the draft or delivery as set up."""
    draft, item = _setup(team, endpoint.setup)
    callers = {actor: tokens[actor] for actor in shared(endpoint)}
    before = read_only_state()
    cells = Cells(endpoint.name)
    for actor, token in callers.items():
        with cells.cell(actor):
            check_cell(team, draft, item, token, endpoint, actor)
    cells.check()
    assert read_only_state() == before


@pytest.mark.parametrize(("endpoint", "actor"), cell_params(ALLOWED_POSTS))
def test_api_authorization_allowed_posts(team, tokens, endpoint: Case, actor: str):
    """An allowed POST changes the draft or delivery: each caller sends it on a fresh setup."""
    draft, item = _setup(team, endpoint.setup)
    check_cell(team, draft, item, tokens[actor], endpoint, actor)


def test_the_matrix_has_every_cell():
    tried = [(e.name, a) for e in ENDPOINTS for a in shared(e)]
    tried += [(e.name, a) for e, a in ALLOWED_POSTS]
    assert sorted(tried) == sorted((e.name, a) for e in ENDPOINTS for a in MATRIX_ACTORS)
    for e in ENDPOINTS:
        # The allowed are answered with success; the refused whom a row names, with a refusal.
        assert {a for a, status in e.expect.items() if status < 400} == e.allowed, e.name


def test_draft_list_filter_and_status_values(team, api, tokens):
    issued(team)
    create_draft(team)
    body = ok(api.get("/drafts", tokens["drafter"], status="issued"))
    assert [i["status"] for i in body["items"]] == ["issued"]
    assert body["items"][0]["number_symbol"] == "01/KH-STTTT"
    response = api.get("/drafts", tokens["drafter"], status="xyz")
    assert response.status_code == 422 and response.json()["field"] == "status"
    assert Draft.objects.filter(status=DraftStatus.DRAFTING).count() == 1


def test_delivery_status_api_after_processing(team, api, tokens):
    _draft, document = issued(team)
    item = Delivery.objects.get(document=document)
    incoming = delivery.delivery_register(
        actor=team.clerk_snv,
        delivery=item,
        refusals=DECLARED,
    )
    delivery.delivery_status_update(incoming_document=incoming, status="05")
    body = ok(api.get(f"/exchange/sent/{document.pk}", tokens["leader"]))
    assert [e["code"] for e in body["deliveries"][0]["events"]] == ["01", "03", "05"]
    assert body["deliveries"][0]["status_label"] == "đang xử lý"


ROUTES = {
    "draft list": "GET /drafts",
    "waiting": "GET /drafts/waiting",
    "draft detail": "GET /drafts/{draft_id}",
    "version download": "GET /drafts/{draft_id}/versions/{number}/download",
    "create": "POST /drafts",
    "new version": "POST /drafts/{draft_id}/versions",
    "comment request": "POST /drafts/{draft_id}/comment-requests",
    "comment": "POST /drafts/{draft_id}/comments",
    "submit": "POST /drafts/{draft_id}/submit",
    "content review": "POST /drafts/{draft_id}/content-review",
    "format check": "POST /drafts/{draft_id}/format-check",
    "approve": "POST /drafts/{draft_id}/approve",
    "sign": "POST /drafts/{draft_id}/sign",
    "signed upload": "POST /drafts/{draft_id}/signed-upload",
    "sign request": "POST /drafts/{draft_id}/sign-request",
    "issue": "POST /drafts/{draft_id}/issue",
    "queue": "GET /exchange/queue",
    "queue item": "GET /exchange/queue/{delivery_id}",
    "queue item signatures": "GET /exchange/queue/{delivery_id}/signatures",
    "register": "POST /exchange/queue/{delivery_id}/register",
    "return": "POST /exchange/queue/{delivery_id}/return",
    "recall answer": "POST /exchange/queue/{delivery_id}/recall-answer",
    "statuses": "GET /exchange/sent/{document_id}",
    "send": "POST /exchange/sent/{document_id}/deliveries",
    "recall": "POST /exchange/sent/{document_id}/recall",
}


def test_every_documented_endpoint_is_in_the_matrix(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, operations in paths.items()
        if path.startswith(("/api/v1/drafts", "/api/v1/exchange"))
        for method, operation in operations.items()
    }
    assert set(documented) == set(ROUTES.values())
    assert {e.name for e in ENDPOINTS} == set(ROUTES)
    for name, operation in documented.items():
        assert operation["security"], name
        assert {"401", "403", "404"} <= set(operation["responses"]), name
