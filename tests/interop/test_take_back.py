"""Taking a document back across systems (R15): our recall sends a revocation
package to every agency of another system that has the document (13), and their 15/16 answers
show on it; a take-back request for a document we registered waits for our clerk, who agrees
(15) or refuses with a reason (16); a status 13 asks the same as a revocation package."""

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, VINH_LONG
from tests.interop.test_receive import _register, post, status_payloads, to_snv
from vanban.core.errors import AccessDenied, ServiceError
from vanban.exchange.delivery import document_recall
from vanban.exchange.edxml import read_message, validate
from vanban.exchange.models import Delivery, Inbound, InboundState, Outbound, Transport
from vanban.exchange.partners import services
from vanban.exchange.partners.packages import status_payload as status_message
from vanban.workflow.models import Processing, ProcessingStatus


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def document(team, link):
    _draft, document = support.issued(team)
    return document


@pytest.fixture
def queued(team, link, document, client):
    assert post(client, to_snv(team, document), link).json()["outcome"] == "accepted"
    return Inbound.objects.get()


def test_our_recall_sends_a_revocation_package_and_the_answer_shows(team, link, document, client):
    delivery = Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )
    document_recall(actor=team.clerk, document=document, reason="Ban hành nhầm số liệu")
    delivery.refresh_from_db()
    assert delivery.status == "13"
    revocation = Outbound.objects.get(kind="package", business_type=1)
    payload = bytes(revocation.payload)
    assert validate(payload) == []
    package = read_message(payload)
    assert package is not None
    assert b"<edXML:BussinessDocType>1</edXML:BussinessDocType>" in payload
    assert "Ban hành nhầm số liệu".encode() in payload
    assert revocation.to_code == MINISTRY and revocation.edxml_id == delivery.edxml_id

    answer = support.status_from_ministry(delivery, "16", "Văn bản đã được thực hiện")
    assert post(client, answer, link).json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("16", "Văn bản đã được thực hiện")


def test_a_take_back_of_a_registered_document_waits_for_the_clerk(
    team, link, document, queued, client
):
    _register(team, queued)
    revoke = to_snv(team, document).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    assert post(client, revoke, link).json()["outcome"] == "accepted"
    request = Inbound.objects.get(business_type=1)
    assert request.state == InboundState.QUEUED
    assert [code for code, _ in status_payloads()] == ["01", "03"]

    with pytest.raises(ServiceError, match="lý do"):
        services.inbound_revocation_answer(
            actor=team.clerk_snv, inbound=request, accept=False, note=""
        )
    with pytest.raises(AccessDenied):
        services.inbound_revocation_answer(actor=team.clerk, inbound=request, accept=True)
    assert [code for code, _ in status_payloads()] == ["01", "03"]

    services.inbound_revocation_answer(
        actor=team.clerk_snv, inbound=request, accept=False, note="Đã giao xử lý, không trả lại"
    )
    request.refresh_from_db()
    queued.refresh_from_db()
    assert (request.state, queued.state) == (InboundState.APPLIED, InboundState.REGISTERED)
    assert status_payloads()[-1] == ("16", "Đã giao xử lý, không trả lại")
    with pytest.raises(ServiceError, match="chờ trả lời"):
        services.inbound_revocation_answer(actor=team.clerk_snv, inbound=request, accept=True)


def test_the_clerk_agrees_to_a_take_back(team, link, document, queued, client):
    _register(team, queued)
    revoke = to_snv(team, document).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    post(client, revoke, link)
    request = Inbound.objects.get(business_type=1)
    services.inbound_revocation_answer(actor=team.clerk_snv, inbound=request, accept=True)
    queued.refresh_from_db()
    assert queued.state == InboundState.RECALLED
    assert status_payloads()[-1][0] == "15"
    # The registered document is marked taken back and its processing ends, as for a document
    # from a unit of the deployment (documents.withdrawals).
    incoming = Delivery.objects.get(package=queued).incoming_document
    assert incoming.withdrawn_at is not None
    assert Processing.objects.get(document=incoming).status == ProcessingStatus.WITHDRAWN


def test_a_status_13_takes_back_a_queued_package(team, link, document, queued, client):
    org, date, number = queued.edxml_id.split(",", 2)
    message = status_message(
        from_code=VINH_LONG,
        from_name="Ủy ban nhân dân tỉnh Vĩnh Long",
        response_for=queued.edxml_id,
        response_code=number,
        response_org=org,
        promulgation_date=date,
        code="13",
        description="Đề nghị lấy lại văn bản",
    )
    assert post(client, message, link).json()["outcome"] == "applied"
    queued.refresh_from_db()
    assert queued.state == InboundState.RECALLED
    assert status_payloads()[-1][0] == "15"
    # A 13 about a document we never received is refused and changes nothing.
    before = support.snapshot()
    unknown = message.replace(queued.edxml_id.encode(), b"000.00.00.H62,2026/01/01,9/XX")
    response = post(client, unknown, link)
    assert response.status_code == 404
    assert support.snapshot() == before


def test_the_clerk_answers_on_the_package_page(team, link, document, queued, client, client_for):
    _register(team, queued)
    revoke = to_snv(team, document).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    post(client, revoke, link)
    request = Inbound.objects.get(business_type=1)
    clerk = client_for(team.clerk_snv)
    page = clerk.get(f"/lien-thong/he-thong-khac/den/{request.pk}/").content.decode()
    assert 'id="take-back-form"' in page and "đề nghị lấy lại" in page
    refused = clerk.post(f"/lien-thong/he-thong-khac/den/{request.pk}/lay-lai/", {"accept": "0"})
    assert refused.status_code == 200
    assert "Hãy ghi lý do từ chối cho lấy lại." in refused.content.decode()
    assert [code for code, _ in status_payloads()] == ["01", "03"]
    other = client_for(team.clerk)
    assert (
        other.post(
            f"/lien-thong/he-thong-khac/den/{request.pk}/lay-lai/", {"accept": "1"}
        ).status_code
        == 404
    )
    done = clerk.post(f"/lien-thong/he-thong-khac/den/{request.pk}/lay-lai/", {"accept": "1"})
    assert done.status_code == 302
    assert status_payloads()[-1][0] == "15"
