"""Only the sender takes back (QĐ 28/2018/QĐ-TTg, business type 1 and status 13): two partner
systems post to our receiving endpoint; the one that did not send a document can neither take it
back by a revocation package nor by a status 13 (403, a Vietnamese reason), and nothing changes:
its delivery, the message rows, the registered document, the reception queue. The revocation
package's signatures are checked as any package's."""

import base64
import logging

import pytest

from tests.interop import support
from tests.interop.test_receive import _register, post, status_payloads, to_snv
from vanban.documents.files import file_read_verified
from vanban.exchange.models import Delivery, Inbound, InboundState
from vanban.exchange.partners import services
from vanban.exchange.partners.packages import status_payload

NGHE_AN = "000.00.00.H41"
NGHE_AN_NAME = "Ủy ban nhân dân tỉnh Nghệ An"


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def foreign(team):
    """Another partner system, serving Nghệ An only."""
    row, secret = services.partner_save(
        actor=team.province.province_admin,
        name="Hệ thống quản lý văn bản tỉnh Nghệ An",
        endpoint="http://127.0.0.1:9/nghe-an/nhan/",
        outbound_token="bi-mat-nghe-an",
        codes=[(NGHE_AN, NGHE_AN_NAME)],
    )
    return support.Link(row, secret)


@pytest.fixture
def document(team, link):
    _draft, document = support.issued(team)
    return document


@pytest.fixture
def queued(team, link, document, client):
    """Vĩnh Long's document, through the first partner, waiting at the Sở Nội vụ."""
    assert post(client, to_snv(team, document), link).json()["outcome"] == "accepted"
    return Inbound.objects.get()


def revocation(team, document, *, sender: str) -> bytes:
    """The revocation package of Vĩnh Long's document, its From agency `sender`; the signed PDF
    stays as issued, so its signatures are valid."""
    data = support.readdressed(document, to=team.province.snv.agency_code, sender=sender)
    return data.replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )


def take_back_13(inbound: Inbound, *, sender: str, name: str) -> bytes:
    org, date, number = inbound.edxml_id.split(",", 2)
    return status_payload(
        from_code=sender,
        from_name=name,
        response_for=inbound.edxml_id,
        response_code=number,
        response_org=org,
        promulgation_date=date,
        code="13",
        description="Đề nghị lấy lại văn bản",
    )


def state(team) -> dict[str, object]:
    """Everything a take-back could change, the reception queue included."""
    return {
        **support.snapshot(),
        "queue": [i.pk for i in services.queue_for([team.province.snv.pk])],
        "received": list(
            Delivery.objects.filter(package__isnull=False).values_list(
                "pk", "status", "recall_status", "recall_answer_note", "incoming_document_id"
            )
        ),
        "inbound_docs": list(Inbound.objects.values_list("pk", "incoming_document_id")),
    }


def refused_403(client, link, data, caplog):
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = post(client, data, link)
    assert response.status_code == 403, response.content
    detail = response.json()["detail"]
    assert detail in caplog.text
    return detail


def test_another_partner_cannot_take_back_a_waiting_document(
    team, link, foreign, document, queued, client, caplog
):
    before = state(team)
    detail = refused_403(client, foreign, revocation(team, document, sender=NGHE_AN), caplog)
    assert "Chỉ cơ quan đã gửi văn bản" in detail and NGHE_AN in detail
    assert state(team) == before
    detail = refused_403(
        client, foreign, take_back_13(queued, sender=NGHE_AN, name=NGHE_AN_NAME), caplog
    )
    assert "Chỉ cơ quan đã gửi văn bản" in detail
    assert state(team) == before
    # Nor under the sender's own code, which the other partner does not serve.
    detail = refused_403(
        client, foreign, revocation(team, document, sender=support.VINH_LONG), caplog
    )
    assert "không thuộc hệ thống" in detail
    assert state(team) == before
    queued.refresh_from_db()
    assert queued.state == InboundState.QUEUED
    assert [i.pk for i in services.queue_for([team.province.snv.pk])] == [queued.pk]

    # The sender itself still takes it back.
    response = post(client, revocation(team, document, sender=support.VINH_LONG), link)
    assert response.json()["outcome"] == "accepted"
    queued.refresh_from_db()
    assert queued.state == InboundState.RECALLED
    assert [code for code, _ in status_payloads()] == ["01", "15"]


def test_another_partner_cannot_take_back_a_registered_document(
    team, link, foreign, document, queued, client, caplog
):
    incoming = _register(team, queued)
    before = state(team)
    refused_403(client, foreign, revocation(team, document, sender=NGHE_AN), caplog)
    refused_403(client, foreign, take_back_13(queued, sender=NGHE_AN, name=NGHE_AN_NAME), caplog)
    assert state(team) == before
    queued.refresh_from_db()
    assert (queued.state, queued.incoming_document) == (InboundState.REGISTERED, incoming)
    assert not Inbound.objects.filter(business_type=1).exists()
    assert [code for code, _ in status_payloads()] == ["01", "03"]

    # The sender's 13 is the request the clerk answers.
    message = take_back_13(queued, sender=support.VINH_LONG, name=support.VINH_LONG_NAME)
    assert post(client, message, link).json()["outcome"] == "applied"
    request = Inbound.objects.get(business_type=1)
    assert request.state == InboundState.QUEUED
    # Asked once: the same request again (other bytes) waits for the same answer.
    again = message.replace("Đề nghị lấy lại văn bản".encode(), "Đề nghị lần hai".encode())
    before = state(team)
    response = post(client, again, link)
    assert response.status_code == 409
    assert "đang chờ trả lời" in response.json()["detail"]
    assert state(team) == before


def test_a_revocation_package_with_a_bad_signature_takes_nothing_back(
    team, link, document, queued, client
):
    data = revocation(team, document, sender=support.VINH_LONG)
    main = document.files.get(role="main")
    signed = file_read_verified(main.storage_name, main.sha256)
    tampered = bytearray(signed)
    tampered[signed.index(b"\n") + 2] ^= 0x01
    data = data.replace(base64.b64encode(signed), base64.b64encode(bytes(tampered)))
    response = post(client, data, link)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "refused" and "không hợp lệ" in body["detail"]
    revoke = Inbound.objects.get(business_type=1)
    assert revoke.state == InboundState.REJECTED
    queued.refresh_from_db()
    assert queued.state == InboundState.QUEUED
    assert Delivery.objects.get(package=queued).recall_status == ""
    assert [i.pk for i in services.queue_for([team.province.snv.pk])] == [queued.pk]
    assert [code for code, _ in status_payloads()] == ["01", "02"]
    assert "không hợp lệ" in status_payloads()[-1][1]
