"""Taking back, updating and replacing a document inside the deployment mean what they mean
between systems (QĐ 28/2018/QĐ-TTg status codes 13, 15, 16; business types 2, 3), and the paper
copy of R12 travels with the document (docs/drafting.md, "Exchange inside the deployment")."""

import datetime as dt
from functools import partial
from typing import Any

import pytest

from tests.documents.test_pages import table_rows
from tests.support import refusals
from tests.support.api import ApiClient, token_for
from tests.support.documents import DECLARED, doc_type
from tests.support.files import pdf_upload
from tests.support.province import make_user
from tests.support.workflow import TODAY, Work, assignment
from vanban.accounts.models import Role, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.models import Notification
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.documents.registers import register_note
from vanban.documents.services import DocumentInput
from vanban.exchange import delivery
from vanban.exchange.models import BusinessType, Delivery, DeliveryEvent, RecallStatus
from vanban.exchange.sending import Recipient, document_send
from vanban.workflow import services
from vanban.workflow.models import (
    Assignment,
    AssignmentStatus,
    DeadlineAlert,
    Processing,
    ProcessingStatus,
    ProgressEntry,
    TrailEntry,
)

pytestmark = pytest.mark.django_db

RECEIVED_PAPER = "Có bản giấy gửi kèm: cơ quan nhận lưu trữ vĩnh viễn văn bản này."
SENT_PAPER = "Cơ quan nhận lưu trữ vĩnh viễn văn bản này: cần gửi kèm bản giấy."
RECALLED = "Văn bản đã bị thu hồi nên không cập nhật hoặc thay thế được."


def state() -> dict[str, Any]:
    return {
        "deliveries": list(
            Delivery.objects.order_by("pk").values_list(
                "pk", "status", "recall_status", "incoming_document_id"
            )
        ),
        "events": DeliveryEvent.objects.count(),
        "documents": list(
            Document.objects.order_by("pk").values_list("pk", "withdrawn_at", "replaced_by_id")
        ),
        "processing": list(Processing.objects.order_by("pk").values_list("pk", "status")),
        "assignments": list(Assignment.objects.order_by("pk").values_list("pk", "status")),
        "progress": ProgressEntry.objects.count(),
        "trail": TrailEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


refused = partial(refusals.refused, state=state)


def outgoing(work: Work, subject: str, *, code: str, paper: bool = False) -> Document:
    """An issued Quyết định of the Sở (registered in its outgoing register)."""
    document = document_services.outgoing_register(
        actor=work.clerk,
        unit=work.so,
        data=DocumentInput(
            document_type=doc_type("Quyết định"),
            subject=subject,
            code_number=code,
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload(f"qd-{code}.pdf", subject),
    )
    if paper:
        # Set by issuing for the types the recipients keep permanently (R12).
        Document.objects.filter(pk=document.pk).update(needs_paper_copy=True)
        document.refresh_from_db()
    return document


def send(work: Work, document: Document, **kwargs: Any) -> Delivery:
    document_send(
        actor=work.clerk,
        document=document,
        recipients=[Recipient(unit=work.province.snv)],
        **kwargs,
    )
    return Delivery.objects.get(document=document, recipient_unit=work.province.snv)


def registered(work: Work, document: Document, **kwargs: Any) -> tuple[Delivery, Document]:
    copy = send(work, document, **kwargs)
    incoming = delivery.delivery_register(actor=work.other_clerk, delivery=copy, refusals=DECLARED)
    copy.refresh_from_db()
    return copy, incoming


def leader_snv(work: Work) -> User:
    existing = User.objects.filter(full_name="Châu Văn Lãnh").first()
    return existing or make_user(work.province.snv, "Châu Văn Lãnh", (Role.LEADER,))


def handled(work: Work, document: Document) -> Document:
    """Registered by the Sở Nội vụ, presented and given to its staff member with a deadline."""
    _copy, incoming = registered(work, document)
    services.processing_present(actor=work.other_clerk, document=incoming, leader=leader_snv(work))
    services.processing_direct(
        actor=leader_snv(work),
        document=incoming,
        direction="Giao đồng chí Lan nghiên cứu, tham mưu.",
        lead_user=work.other_staff,
        deadline=TODAY + dt.timedelta(days=2),
    )
    return incoming


# ---------------------------------------------------------------- R12: the paper copy


def test_the_paper_copy_travels_to_every_page_and_answer_of_the_recipient(work, client_for):
    paper = outgoing(work, "Quyết định phê duyệt quy hoạch", code="11", paper=True)
    plain = outgoing(work, "Quyết định khen thưởng", code="12")
    copy = send(work, paper)
    send(work, plain)
    clerk = client_for(work.other_clerk)

    rows = table_rows(clerk.get("/lien-thong/hang-cho/").content.decode(), "queue-table")
    flagged = {row[1]: "Có bản giấy gửi kèm" in row[4] for row in rows}
    assert flagged == {paper.number_symbol: True, plain.number_symbol: False}
    assert RECEIVED_PAPER in clerk.get(f"/lien-thong/hang-cho/{copy.pk}/").content.decode()

    api, token = ApiClient(), token_for(work.other_clerk)
    items = api.get("/exchange/queue", token).json()["items"]
    assert {i["number_symbol"]: i["needs_paper_copy"] for i in items} == {
        paper.number_symbol: True,
        plain.number_symbol: False,
    }
    assert api.get(f"/exchange/queue/{copy.pk}", token).json()["needs_paper_copy"] is True

    incoming = delivery.delivery_register(actor=work.other_clerk, delivery=copy, refusals=DECLARED)
    assert incoming.needs_paper_copy is True
    assert RECEIVED_PAPER in clerk.get(f"/van-ban/{incoming.pk}/").content.decode()
    assert api.get(f"/documents/{incoming.pk}", token).json()["needs_paper_copy"] is True

    # The sender's pages of the document say it too; a document without the flag says nothing.
    sender = client_for(work.clerk)
    assert SENT_PAPER in sender.get(f"/van-ban/{paper.pk}/").content.decode()
    assert SENT_PAPER in sender.get(f"/lien-thong/van-ban/{paper.pk}/").content.decode()
    assert 'id="paper-copy"' not in sender.get(f"/van-ban/{plain.pk}/").content.decode()


# ---------------------------------------------------------------- 15 ends the processing


def test_an_accepted_take_back_ends_the_processing_at_the_recipient(work, client_for):
    sent = outgoing(work, "Quyết định thành lập tổ công tác", code="21")
    incoming = handled(work, sent)
    lead = assignment(incoming, role="lead")
    copy = Delivery.objects.get(document=sent)
    assert copy.status == "04"

    delivery.document_recall(actor=work.clerk, document=sent, reason="Ban hành nhầm đối tượng")
    copy.refresh_from_db()
    assert copy.recall_status == RecallStatus.REQUESTED
    # While the take-back waits the document is still processed (13, then progress).
    services.assignment_progress(actor=work.other_staff, assignment=lead, text="Đang rà soát.")

    delivery.delivery_recall_answer(actor=work.other_clerk, delivery=copy, accept=True)
    copy.refresh_from_db()
    assert [e.code for e in copy.events.all()] == ["01", "03", "04", "13", "05", "15"]
    processing = Processing.objects.get(document=incoming)
    assert processing.status == ProcessingStatus.WITHDRAWN
    assert set(Assignment.objects.filter(document=incoming).values_list("status", flat=True)) == {
        AssignmentStatus.CLOSED
    }
    incoming.refresh_from_db()
    assert incoming.withdrawn_reason == "Ban hành nhầm đối tượng"
    assert incoming.withdrawn_at == clock.now()
    # The handler is told.
    notice = Notification.objects.filter(recipient=work.other_staff).latest("pk")
    assert notice.title == (
        f"Văn bản đã bị nơi gửi thu hồi: Quyết định số {incoming.number_symbol} "
        f"(số đến {incoming.register_number})"
    )
    assert "Ban hành nhầm đối tượng" in notice.body
    assert notice.link == f"/xu-ly/van-ban/{incoming.pk}/"
    assert processing.trail.latest("pk").action == "withdrawn"

    # Nothing more: no progress, no 05 to the sender, no reminders, not in "Việc của tôi".
    refused(
        lambda: services.assignment_progress(
            actor=work.other_staff, assignment=lead, text="Đã xong dự thảo."
        ),
        ServiceError,
        services.MSG_WITHDRAWN,
    )
    refused(
        lambda: services.assignment_complete(
            actor=work.other_staff, assignment=lead, result="Xong."
        ),
        ServiceError,
        services.MSG_WITHDRAWN,
    )
    refused(
        lambda: delivery.delivery_status_update(incoming_document=incoming, status="05"),
        ServiceError,
        "Văn bản đã được nơi gửi thu hồi (15); không báo trạng thái 05 đang xử lý sau đó.",
    )
    handler = client_for(work.other_staff)
    response = handler.post(f"/xu-ly/viec/{lead.pk}/tien-do/", {"text": "Báo cáo thêm."})
    assert services.MSG_WITHDRAWN in response.content.decode()
    assert ProgressEntry.objects.filter(assignment=lead).count() == 1
    with clock.frozen(clock.now() + dt.timedelta(days=3)):
        run = services.deadline_alerts_send()
    assert run.sent == 0
    assert not DeadlineAlert.objects.exists()
    assert incoming.subject not in handler.get("/xu-ly/viec-cua-toi/").content.decode()

    # The pages say so: the document, its processing and the register.
    clerk = client_for(work.other_clerk)
    assert 'id="withdrawn-notice"' in clerk.get(f"/van-ban/{incoming.pk}/").content.decode()
    page = clerk.get(f"/xu-ly/van-ban/{incoming.pk}/").content.decode()
    assert "Đã thu hồi" in page
    assert 'id="withdrawn-notice"' in clerk.get(f"/lien-thong/hang-cho/{copy.pk}/").content.decode()
    listed = clerk.get("/van-ban/den/").content.decode()
    assert listed.count('class="badge badge-withdrawn"') == 1
    assert register_note(incoming).startswith("Đã thu hồi ngày 25/11/2026")
    answer = ApiClient().get(f"/documents/{incoming.pk}", token_for(work.other_clerk)).json()
    assert (answer["withdrawn_reason"], answer["withdrawn_at"] is not None) == (
        "Ban hành nhầm đối tượng",
        True,
    )
    # The follow-up book says it was taken back, not that it is overdue.
    book = clerk.get("/xu-ly/so-theo-doi/").content.decode()
    assert "Đã thu hồi ngày 25/11/2026" in book


def test_a_take_back_accepted_before_presenting_leaves_nothing_to_present(work):
    sent = outgoing(work, "Quyết định giao chỉ tiêu", code="31")
    copy, incoming = registered(work, sent)
    delivery.document_recall(actor=work.clerk, document=sent, reason="Sai chỉ tiêu")
    copy.refresh_from_db()
    delivery.delivery_recall_answer(actor=work.other_clerk, delivery=copy, accept=True)
    assert Processing.objects.get(document=incoming).status == ProcessingStatus.WITHDRAWN
    leader = leader_snv(work)
    refused(
        lambda: services.processing_present(
            actor=work.other_clerk, document=incoming, leader=leader
        ),
        ServiceError,
        services.MSG_WITHDRAWN,
    )


def test_a_refused_take_back_changes_nothing_in_the_processing(work):
    sent = outgoing(work, "Quyết định điều động", code="41")
    incoming = handled(work, sent)
    lead = assignment(incoming, role="lead")
    copy = Delivery.objects.get(document=sent)
    delivery.document_recall(actor=work.clerk, document=sent, reason="Đổi người")
    copy.refresh_from_db()
    delivery.delivery_recall_answer(
        actor=work.other_clerk, delivery=copy, accept=False, note="Đã triển khai."
    )
    assert Processing.objects.get(document=incoming).status == ProcessingStatus.IN_PROGRESS
    services.assignment_progress(actor=work.other_staff, assignment=lead, text="Tiếp tục.")
    copy.refresh_from_db()
    assert (copy.recall_status, copy.status) == (RecallStatus.REFUSED, "05")


# ---------------------------------------------------------------- 15 at once for a queued copy


def test_a_copy_still_in_the_queue_ends_given_back_at_the_sender(work, client_for):
    sent = outgoing(work, "Quyết định chưa vào sổ", code="51")
    copy = send(work, sent)
    delivery.document_recall(actor=work.clerk, document=sent, reason="Gửi nhầm")
    copy.refresh_from_db()
    assert copy.recall_status == RecallStatus.ACCEPTED
    rows = table_rows(
        client_for(work.clerk).get(f"/lien-thong/van-ban/{sent.pk}/").content.decode(),
        "recipient-table",
    )
    assert rows[0][3] == "15 đồng ý thu hồi/cập nhật"
    refused(
        lambda: delivery.delivery_register(
            actor=work.other_clerk, delivery=copy, refusals=DECLARED
        ),
        ServiceError,
        "Văn bản đã được thu hồi theo đề nghị của nơi gửi.",
    )


# ---------------------------------------------------------------- 16 leaves update and replace


def test_a_refused_take_back_leaves_update_and_replacement_open(work):
    kept = outgoing(work, "Quyết định giữ lại", code="61")
    given_back = outgoing(work, "Quyết định trả lại", code="62")
    for document, accept in ((kept, False), (given_back, True)):
        copy, _incoming = registered(work, document)
        delivery.document_recall(actor=work.clerk, document=document, reason="Sửa nội dung")
        copy.refresh_from_db()
        delivery.delivery_recall_answer(
            actor=work.other_clerk, delivery=copy, accept=accept, note="" if accept else "Đang dùng"
        )
    assert delivery.original_refusal(kept) == ""
    update = outgoing(work, "Quyết định sửa đổi", code="63")
    copy = send(work, update, business_type=BusinessType.UPDATE, original_document=kept)
    assert copy.original == Delivery.objects.get(document=kept)

    replacement = outgoing(work, "Quyết định thay thế", code="64")
    refused(
        lambda: send(
            work, replacement, business_type=BusinessType.REPLACE, original_document=given_back
        ),
        ServiceError,
        RECALLED,
        "original_document",
    )


# ---------------------------------------------------------------- a replacement replaces


def test_a_registered_replacement_marks_the_original_replaced(work, client_for):
    original = outgoing(work, "Quyết định ban đầu", code="71")
    _copy, original_in = registered(work, original)
    replacement = outgoing(work, "Quyết định thay thế", code="72")
    copy, replacement_in = registered(
        work, replacement, business_type=BusinessType.REPLACE, original_document=original
    )
    original.refresh_from_db()
    original_in.refresh_from_db()
    assert original.replaced_by == replacement
    assert original_in.replaced_by == replacement_in
    assert copy.original.incoming_document == original_in

    clerk = client_for(work.other_clerk)
    page = clerk.get(f"/van-ban/{original_in.pk}/").content.decode()
    assert f'Văn bản đã được thay thế bằng <a href="/van-ban/{replacement_in.pk}/">' in page
    assert register_note(original_in) == "Đã bị thay thế"
    answer = ApiClient().get(f"/documents/{original_in.pk}", token_for(work.other_clerk)).json()
    assert answer["replaced_by_id"] == replacement_in.pk
    sender_page = client_for(work.clerk).get(f"/van-ban/{original.pk}/").content.decode()
    assert f"văn bản số {replacement.number_symbol}" in sender_page

    # The replaced document is done with: no second update or replacement...
    second = outgoing(work, "Quyết định sửa lần hai", code="73")
    reason = (
        f"Văn bản đã được thay thế bằng văn bản số {replacement.number_symbol}; không cập "
        "nhật hoặc thay thế được nữa."
    )
    for business_type in (BusinessType.UPDATE, BusinessType.REPLACE):
        refused(
            lambda business_type=business_type: send(
                work, second, business_type=business_type, original_document=original
            ),
            ServiceError,
            reason,
            "original_document",
        )
    # ... its replacement may be updated.
    send(work, second, business_type=BusinessType.UPDATE, original_document=replacement)
