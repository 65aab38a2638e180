"""Exchange inside the deployment (R15) through the pages and services: the reception queue,
registering (no re-typing) and returning, the sender's view of every recipient's status, the
statuses reported by the incoming processing, recall with confirm and refuse, sending twice.

Every refusal asserts the Vietnamese reason and that nothing changed."""

from functools import partial
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests.documents.test_pages import table_rows
from tests.support import refusals
from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.drafting import Team, issued, make_team
from tests.support.files import pdf_bytes, pdf_upload
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.models import Notification
from vanban.documents import services as document_services
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.documents.services import DuplicateDocument
from vanban.exchange import delivery
from vanban.exchange.models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    DocumentRecall,
    RecallStatus,
    ReturnReason,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage", "drafting_clock")]


@pytest.fixture
def team(province) -> Team:
    return make_team(province)


def state() -> dict[str, Any]:
    return {
        "deliveries": list(
            Delivery.objects.order_by("pk").values_list(
                "pk",
                "status",
                "status_at",
                "recall_status",
                "incoming_document_id",
                "return_reason",
                "return_note",
                "recall_answer_note",
            )
        ),
        "events": DeliveryEvent.objects.count(),
        "recalls": DocumentRecall.objects.count(),
        "documents": Document.objects.count(),
        "files": DocumentFile.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


refused = partial(refusals.refused, state=state)


@pytest.fixture
def sent(team):  # type: ignore[no-untyped-def]
    """An issued plan sent to the Sở Nội vụ and the province's People's Committee."""
    _draft, document = issued(team, units=[team.province.snv, team.province.root])
    return document


def to_snv(document: Document) -> Delivery:
    return Delivery.objects.get(document=document, recipient_unit__abbreviation="snv")


# ---------------------------------------------------------------- the queue and registering


def test_issue_puts_the_document_in_each_recipient_queue_and_tells_its_clerks(team, sent):
    deliveries = Delivery.objects.filter(document=sent).order_by("recipient_unit__name")
    assert [(d.recipient_unit.name, d.status) for d in deliveries] == [
        ("Sở Nội vụ", "01"),
        ("Ủy ban nhân dân tỉnh Bến Tre", "01"),
    ]
    assert [e.code for e in to_snv(sent).events.all()] == ["01"]
    note = Notification.objects.get(recipient=team.clerk_snv)
    assert note.title == (
        "Văn bản đến mới: Kế hoạch số 01/KH-STTTT của Sở Thông tin và Truyền thông"
    )
    assert note.link == f"/lien-thong/hang-cho/{to_snv(sent).pk}/"


def test_register_from_the_queue_copies_record_and_files(team, sent):
    item = to_snv(sent)
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    item.refresh_from_db()
    assert (item.status, item.incoming_document) == (DeliveryStatus.REGISTERED, incoming)
    assert (incoming.direction, incoming.unit, incoming.register_number) == (
        Direction.INCOMING,
        team.province.snv,
        1,
    )
    for name in ("document_type", "subject", "code_number", "code_notation", "issued_date"):
        assert getattr(incoming, name) == getattr(sent, name), name
    assert (incoming.signer_name, incoming.signer_position) == (
        sent.signer_name,
        sent.signer_position,
    )
    assert incoming.issuer_name == "Sở Thông tin và Truyền thông"
    source, copy = sent.files.get(), incoming.files.get()
    assert (copy.sha256, copy.original_name, copy.role) == (
        source.sha256,
        source.original_name,
        "main",
    )
    assert (
        default_storage.open(copy.storage_name).read()
        == default_storage.open(source.storage_name).read()
    )
    assert [e.code for e in item.events.all()] == ["01", "03"]
    assert item.events.get(code="03").note == "Số đến 1"
    audit = AuditEvent.objects.get(action="exchange.delivery_register")
    assert audit.data == {"document": sent.pk, "incoming": incoming.pk}
    refused(
        lambda: delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED),
        ServiceError,
        "Văn bản đã được vào sổ đến.",
    )


def test_register_refusals_change_nothing(team, sent):
    item = to_snv(sent)
    refused(
        lambda: delivery.delivery_register(actor=team.clerk, delivery=item, refusals=DECLARED),
        NotFound,
        "Không tìm thấy văn bản.",
    )
    refused(
        lambda: delivery.delivery_register(actor=team.staff_snv, delivery=item, refusals=DECLARED),
        NotFound,
        "Không tìm thấy văn bản.",
    )
    refused(
        lambda: delivery.delivery_register(
            actor=team.clerk_snv, delivery=item, refusals=document_services.Refusals()
        ),
        ServiceError,
        "Hãy xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm quyền kết luận "
        "và không có nội dung độc hại (Quy chế, Điều 4).",
        "sensitive_declared",
    )


def test_a_duplicate_at_the_recipient_needs_confirmation(team, sent):
    # The paper copy was registered first by hand.
    with clock.frozen(clock.now()):
        document_services.incoming_register(
            actor=team.clerk_snv,
            unit=team.province.snv,
            data=incoming_input(
                code_number="01",
                code_notation="KH-STTTT",
                issuer_name="Sở Thông tin và Truyền thông",
                issuer_code="",
                issued_date=sent.issued_date,
            ),
            refusals=DECLARED,
            main_file=scan(),
        )
    item = to_snv(sent)
    before = state()
    with pytest.raises(DuplicateDocument):
        delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    assert state() == before
    incoming = delivery.delivery_register(
        actor=team.clerk_snv, delivery=item, refusals=DECLARED, confirm_duplicate=True
    )
    assert incoming.register_number == 2


def test_a_changed_source_file_is_not_copied(team, sent):
    source = sent.files.get()
    with default_storage.open(source.storage_name, "wb") as handle:
        handle.write(pdf_bytes("Tệp bị thay thế"))
    refused(
        lambda: delivery.delivery_register(
            actor=team.clerk_snv, delivery=to_snv(sent), refusals=DECLARED
        ),
        ServiceError,
        "Tệp trong kho lưu trữ đã bị thay đổi (mã băm SHA-256 không khớp với lúc vào sổ) "
        "nên không tải xuống. Hãy báo quản trị hệ thống.",
    )


# ---------------------------------------------------------------- returning


def test_return_with_a_reason_through_the_pages(team, sent, client_for):
    item = to_snv(sent)
    clerk_snv = client_for(team.clerk_snv)
    before = state()
    response = clerk_snv.post(f"/lien-thong/hang-cho/{item.pk}/tra-lai/", {"note": "x"})
    assert response.status_code == 200
    assert "Hãy chọn lý do trả lại." in response.content.decode()
    assert state() == before
    response = clerk_snv.post(
        f"/lien-thong/hang-cho/{item.pk}/tra-lai/",
        {"reason": "wrong_recipient", "note": "Thuộc thẩm quyền của Sở Tài chính."},
    )
    assert response.status_code == 302 and response["Location"] == "/lien-thong/hang-cho/"
    item.refresh_from_db()
    assert (item.status, item.return_reason, item.return_note) == (
        DeliveryStatus.RETURNED,
        ReturnReason.WRONG_RECIPIENT,
        "Thuộc thẩm quyền của Sở Tài chính.",
    )
    assert table_rows(clerk_snv.get("/lien-thong/hang-cho/").content.decode(), "queue-table") == [
        ["Không có văn bản nào chờ vào sổ."]
    ]
    rows = table_rows(
        client_for(team.clerk).get(f"/lien-thong/van-ban/{sent.pk}/").content.decode(),
        "recipient-table",
    )
    assert rows[0][1] == ("02 bị từ chối: Gửi sai đơn vị nhận – Thuộc thẩm quyền của Sở Tài chính.")
    assert Notification.objects.filter(
        recipient=team.clerk,
        title="Kế hoạch số 01/KH-STTTT bị Sở Nội vụ trả lại: gửi sai đơn vị nhận",
    ).exists()
    refused(
        lambda: delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED),
        ServiceError,
        "Văn bản đã được trả lại nơi gửi.",
    )
    refused(
        lambda: delivery.delivery_return(
            actor=team.clerk_snv, delivery=item, reason="invalid", note=""
        ),
        ServiceError,
        "Văn bản đã được trả lại nơi gửi.",
    )


# ---------------------------------------------------------------- statuses from processing


def test_processing_statuses_flow_back_to_the_sender_and_never_go_back(team, sent, client_for):
    item = to_snv(sent)
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    assert delivery.delivery_status_update(incoming_document=incoming, status="04").status == "04"
    assert (
        delivery.delivery_status_update(
            incoming_document=incoming, status=DeliveryStatus.PROCESSING, actor=team.clerk_snv
        ).status
        == "05"
    )
    before = state()
    assert delivery.delivery_status_update(incoming_document=incoming, status="04").status == "05"
    assert state() == before
    delivery.delivery_status_update(incoming_document=incoming, status="06", note="Đã trả lời")
    item.refresh_from_db()
    assert [e.code for e in item.events.all()] == ["01", "03", "04", "05", "06"]
    rows = table_rows(
        client_for(team.signer).get(f"/lien-thong/van-ban/{sent.pk}/").content.decode(),
        "recipient-table",
    )
    assert rows[0][1] == "06 hoàn thành"
    assert rows[1][1] == "01 đã đến"
    # A document that did not come through the exchange, and a status it may not report.
    other = document_services.incoming_register(
        actor=team.clerk_snv,
        unit=team.province.snv,
        data=incoming_input(),
        refusals=DECLARED,
        main_file=scan(),
    )
    assert delivery.delivery_status_update(incoming_document=other, status="04") is None
    with pytest.raises(ValueError, match="04, 05, 06"):
        delivery.delivery_status_update(incoming_document=incoming, status="03")


# ---------------------------------------------------------------- recall


def test_recall_withdraws_queued_copies_and_each_recipient_confirms_or_refuses(
    team, sent, client_for
):
    province = team.province
    registered = to_snv(sent)
    incoming = delivery.delivery_register(
        actor=team.clerk_snv, delivery=registered, refusals=DECLARED
    )
    queued = Delivery.objects.get(document=sent, recipient_unit=province.root)
    clerk_root = make_user(province.root, "Nguyễn Văn Văn Thư", (Role.CLERK,))
    refused(
        lambda: delivery.document_recall(actor=team.drafter, document=sent, reason="Sai số liệu"),
        AccessDenied,
        "Chỉ lãnh đạo hoặc văn thư của đơn vị ban hành được thu hồi văn bản.",
    )
    refused(
        lambda: delivery.document_recall(actor=team.signer, document=sent, reason=" "),
        ServiceError,
        "Hãy nhập lý do thu hồi.",
        "reason",
    )
    signer = client_for(team.signer)
    response = signer.post(
        f"/lien-thong/van-ban/{sent.pk}/thu-hoi/", {"reason": "Sai số liệu phụ lục"}
    )
    assert response.status_code == 302
    recall = DocumentRecall.objects.get()
    assert (recall.document, recall.requested_by, recall.reason) == (
        sent,
        team.signer,
        "Sai số liệu phụ lục",
    )
    registered.refresh_from_db()
    queued.refresh_from_db()
    assert registered.recall_status == RecallStatus.REQUESTED
    # The copy still in the queue is given back at once: 15 is final, nobody has to answer.
    assert queued.recall_status == RecallStatus.ACCEPTED
    assert [(e.code, e.note) for e in queued.events.all()] == [
        ("01", ""),
        ("13", "Sai số liệu phụ lục"),
        ("15", "Văn bản chưa vào sổ, đã rút khỏi hàng chờ tiếp nhận."),
    ]
    assert Notification.objects.filter(
        recipient=clerk_root, title__contains=" đã thu hồi "
    ).exists()

    # It leaves the queue and asks nothing of its clerk.
    root_client = client_for(clerk_root)
    html = root_client.get("/lien-thong/hang-cho/").content.decode()
    assert table_rows(html, "queue-table") == [["Không có văn bản nào chờ vào sổ."]]
    assert 'id="recall-table"' not in html
    refused(
        lambda: delivery.delivery_recall_answer(actor=clerk_root, delivery=queued, accept=True),
        ServiceError,
        "Không có đề nghị thu hồi nào đang chờ trả lời cho văn bản này.",
    )
    assert root_client.get(f"/lien-thong/hang-cho/{queued.pk}/").status_code == 200
    file_pk = sent.files.get().pk
    assert root_client.get(f"/lien-thong/hang-cho/{queued.pk}/tep/{file_pk}/").status_code == 404
    refused(
        lambda: delivery.delivery_register(actor=clerk_root, delivery=queued, refusals=DECLARED),
        ServiceError,
        "Văn bản đã được thu hồi theo đề nghị của nơi gửi.",
    )

    # The registered copy: its clerk refuses, with a reason.
    snv = client_for(team.clerk_snv)
    before = state()
    response = snv.post(f"/lien-thong/hang-cho/{registered.pk}/thu-hoi/", {"answer": "refuse"})
    assert response.status_code == 200
    assert "Hãy nhập lý do từ chối thu hồi." in response.content.decode()
    assert state() == before
    response = snv.post(
        f"/lien-thong/hang-cho/{registered.pk}/thu-hoi/",
        {"answer": "refuse", "note": "Văn bản đã được giao xử lý."},
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.recall_status, registered.recall_answer_note) == (
        RecallStatus.REFUSED,
        "Văn bản đã được giao xử lý.",
    )
    assert registered.incoming_document == incoming
    refused(
        lambda: delivery.delivery_recall_answer(
            actor=team.clerk_snv, delivery=registered, accept=True
        ),
        ServiceError,
        "Không có đề nghị thu hồi nào đang chờ trả lời cho văn bản này.",
    )

    rows = table_rows(
        client_for(team.clerk).get(f"/lien-thong/van-ban/{sent.pk}/").content.decode(),
        "recipient-table",
    )
    assert [row[3] for row in rows] == [
        "16 từ chối thu hồi/cập nhật: Văn bản đã được giao xử lý.",
        "15 đồng ý thu hồi/cập nhật",
    ]
    # A recalled document is frozen: not recalled again, not sent again.
    refused(
        lambda: delivery.document_recall(actor=team.clerk, document=sent, reason="Lần nữa"),
        ServiceError,
        "Văn bản đã được thu hồi trước đó.",
    )
    refused(
        lambda: delivery.deliveries_create(
            actor=team.clerk, document=sent, units=[team.province.snv]
        ),
        ServiceError,
        "Văn bản đã bị thu hồi nên không gửi được nữa.",
    )


# ---------------------------------------------------------------- sending


def test_sending_twice_never_makes_two_copies(team, sent, client_for):
    clerk = client_for(team.clerk)
    assert (
        delivery.deliveries_create(actor=team.clerk, document=sent, units=[team.province.snv]) == []
    )
    response = clerk.post(
        f"/lien-thong/van-ban/{sent.pk}/gui/",
        {"units": [team.province.snv.pk]},
    )
    assert response.status_code == 302
    response = clerk.get(response["Location"])
    assert "Các đơn vị được chọn đã nhận văn bản từ trước; không gửi lại." in (
        response.content.decode()
    )
    assert Delivery.objects.filter(document=sent).count() == 2
    refused(
        lambda: delivery.deliveries_create(
            actor=team.clerk, document=sent, units=[team.province.stttt]
        ),
        ServiceError,
        "Không gửi văn bản cho chính đơn vị ban hành.",
        "units",
    )
    refused(
        lambda: delivery.deliveries_create(actor=team.signer, document=sent, units=[]),
        AccessDenied,
        "Chỉ văn thư của đơn vị ban hành được gửi văn bản.",
    )
    incoming = delivery.delivery_register(
        actor=team.clerk_snv, delivery=to_snv(sent), refusals=DECLARED
    )
    refused(
        lambda: delivery.deliveries_create(
            actor=team.clerk_snv, document=incoming, units=[team.province.stttt]
        ),
        ServiceError,
        "Chỉ gửi được văn bản đi đã vào sổ.",
    )


def test_an_outgoing_document_registered_by_hand_can_be_sent_from_its_page(team, client_for):
    document = document_services.outgoing_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=document_services.DocumentInput(
            document_type=doc_type("Công văn"),
            subject="V/v cử cán bộ tham dự tập huấn",
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    clerk = client_for(team.clerk)
    page = clerk.get(f"/lien-thong/van-ban/{document.pk}/").content.decode()
    assert "Văn bản chưa được gửi cho đơn vị nào trong hệ thống." in page
    assert 'id="send-form"' in page
    response = clerk.post(
        f"/lien-thong/van-ban/{document.pk}/gui/", {"units": [team.province.snv.pk]}
    )
    assert response.status_code == 302
    item = Delivery.objects.get(document=document)
    assert (item.recipient_unit, item.status, item.created_by) == (
        team.province.snv,
        "01",
        team.clerk,
    )


# ---------------------------------------------------------------- the sender learns of 03


def registered_notices(user) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return list(
        Notification.objects.filter(recipient=user, title__contains="đã vào sổ đến số")
        .order_by("pk")
        .values_list("title", "body", "link")
    )


def test_the_sender_is_told_when_a_recipient_registers(team, sent, client_for):
    """Status 03: the sender's clerks and the drafter of the issued document learn the arrival
    number each recipient gave it, once per recipient (R15)."""
    other_clerk = make_user(team.province.stttt, "Trịnh Văn Lưu", (Role.CLERK,))
    item = to_snv(sent)
    response = client_for(team.clerk_snv).post(
        f"/lien-thong/hang-cho/{item.pk}/vao-so/", {"sensitive_declared": "on"}
    )
    assert response.status_code == 302
    incoming = Document.objects.get(pk=Delivery.objects.get(pk=item.pk).incoming_document_id)
    note = (
        f"Kế hoạch số 01/KH-STTTT đã vào sổ đến số {incoming.register_number} tại Sở Nội vụ",
        sent.subject,
        f"/lien-thong/van-ban/{sent.pk}/",
    )
    for person in (team.clerk, other_clerk, team.drafter):
        assert registered_notices(person) == [note], person
    for person in (team.signer, team.clerk_snv, team.head):
        assert registered_notices(person) == [], person
    # The clerk follows the notice to the document's statuses.
    page = client_for(team.clerk).get(note[2]).content.decode()
    assert "Sở Nội vụ" in page

    # The second recipient registers: one more notice each, naming it.
    root = Delivery.objects.get(document=sent, recipient_unit=team.province.root)
    root_clerk = make_user(team.province.root, "Mai Thị Thư", (Role.CLERK,))
    delivery.delivery_register(actor=root_clerk, delivery=root, refusals=DECLARED)
    titles = [t for t, _b, _l in registered_notices(team.clerk)]
    assert len(titles) == 2
    assert titles[1].endswith(f"tại {team.province.root.name}")
    assert len(registered_notices(team.drafter)) == 2


def test_a_document_registered_by_hand_tells_its_clerks(team, client_for):
    """No draft, no drafter: the sender's clerks only."""
    document = document_services.outgoing_register(
        actor=team.clerk,
        unit=team.province.stttt,
        data=document_services.DocumentInput(
            document_type=doc_type("Công văn"),
            subject="V/v cử cán bộ tham dự tập huấn",
            recipients="Sở Nội vụ",
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    client_for(team.clerk).post(
        f"/lien-thong/van-ban/{document.pk}/gui/", {"units": [team.province.snv.pk]}
    )
    item = Delivery.objects.get(document=document)
    incoming = delivery.delivery_register(actor=team.clerk_snv, delivery=item, refusals=DECLARED)
    [(title, _body, _link)] = registered_notices(team.clerk)
    assert title.endswith(f"đã vào sổ đến số {incoming.register_number} tại Sở Nội vụ")
    assert registered_notices(team.drafter) == []


def test_a_return_is_not_told_as_a_registration(team, sent):
    item = to_snv(sent)
    delivery.delivery_return(
        actor=team.clerk_snv, delivery=item, reason=ReturnReason.WRONG_RECIPIENT, note="Nhầm."
    )
    assert registered_notices(team.clerk) == []
