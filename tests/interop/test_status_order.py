"""The order of the status messages a partner sends about a document we sent it (QĐ 28/2018/
QĐ-TTg, `exchange.models.transitions`), through the receiving endpoint as the partner posts them:
the partner's Timestamp is kept next to our receipt time; a status the order does not allow is
refused (409, a Vietnamese reason, logged) and changes nothing; a take-back (business type 1, or
13) of a document we never received is not found (404)."""

import datetime as dt
import logging

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, MINISTRY_NAME, VINH_LONG, VINH_LONG_NAME
from tests.interop.test_receive import post, status_payloads, to_snv
from vanban.core import clock
from vanban.exchange.delivery import document_recall
from vanban.exchange.models import (
    PARTNER_STATUS_TRANSITIONS,
    Delivery,
    Inbound,
    Transport,
)
from vanban.exchange.partners.packages import status_payload


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def document(team, link):
    _draft, document = support.issued(team)
    return document


@pytest.fixture
def delivery(team, link, document):
    return Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )


def report(client, link, delivery, code, note=""):
    return post(client, support.status_from_ministry(delivery, code, note), link)


def refused(client, link, delivery, code, caplog, *, expect):
    """`code` is refused with 409 and a reason containing `expect`; nothing changes; the refusal
    is logged with the partner and the reason."""
    before = support.snapshot()
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = report(client, link, delivery, code, f"Trạng thái {code} ngoài thứ tự")
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert expect in detail
    assert support.snapshot() == before
    assert detail in caplog.text and support.PARTNER_NAME in caplog.text
    caplog.clear()


# ---------------------------------------------------------------- the partner's time


def test_the_partners_timestamp_is_kept_next_to_our_receipt_time(
    team, link, delivery, client, client_for
):
    org, date, number = delivery.edxml_id.split(",", 2)
    written = dt.datetime(2026, 11, 25, 8, 15, 30, tzinfo=dt.UTC)  # 15:15:30 in Vietnam
    message = status_payload(
        from_code=MINISTRY,
        from_name=MINISTRY_NAME,
        response_for=delivery.edxml_id,
        response_code=number,
        response_org=org,
        promulgation_date=date,
        code="03",
        description="Đã vào sổ đến số 12",
        at=written,
    )
    assert b"<edXML:Timestamp>2026/11/25 15:15:30</edXML:Timestamp>" in message
    with support.later(3600):
        assert post(client, message, link).json()["outcome"] == "applied"
    event = delivery.events.get()
    assert event.reported_at == written
    assert event.at == clock.now() + dt.timedelta(seconds=3600)
    page = client_for(team.clerk).get(f"/lien-thong/van-ban/{delivery.document_id}/")
    assert "bên nhận ghi 25/11/2026 15:15" in page.content.decode()


# ---------------------------------------------------------------- the order


def test_the_transitions_are_one_table_of_every_state():
    states = {"", "01", "02", "03", "04", "05", "06", "13", "15", "16"}
    assert set(PARTNER_STATUS_TRANSITIONS) == states
    assert PARTNER_STATUS_TRANSITIONS["02"] == PARTNER_STATUS_TRANSITIONS["15"] == frozenset()
    for state, allowed in PARTNER_STATUS_TRANSITIONS.items():
        assert ("15" in allowed) == (state == "13")
        assert ("16" in allowed) == (state == "13")


def test_nothing_but_a_refusal_follows_a_refusal(link, delivery, client, caplog):
    assert report(client, link, delivery, "01").json()["outcome"] == "applied"
    assert report(client, link, delivery, "02", "Sai thể thức").json()["outcome"] == "applied"
    for code in ("03", "04", "05", "06", "01"):
        refused(client, link, delivery, code, caplog, expect="đã bị từ chối (02)")
    refused(client, link, delivery, "15", caplog, expect="đã bị từ chối (02)")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == ("02", "Sai thể thức")


def test_a_refusal_after_processing_began_is_refused(link, delivery, client, caplog):
    for code in ("03", "04"):
        assert report(client, link, delivery, code).json()["outcome"] == "applied"
    refused(client, link, delivery, "02", caplog, expect="không thể đến sau trạng thái 04")


def test_an_answer_to_a_take_back_nobody_asked_is_refused(link, delivery, client, caplog):
    refused(client, link, delivery, "15", caplog, expect="Không có đề nghị thu hồi (13)")
    assert report(client, link, delivery, "03").json()["outcome"] == "applied"
    refused(client, link, delivery, "16", caplog, expect="Không có đề nghị thu hồi (13)")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.recall_status) == ("03", "")


def test_after_our_take_back_the_answer_then_nothing_more(
    team, link, document, delivery, client, caplog
):
    assert report(client, link, delivery, "03").json()["outcome"] == "applied"
    document_recall(actor=team.clerk, document=document, reason="Ban hành nhầm số liệu")
    # Progress may still come while the request waits; the answer is still expected.
    assert report(client, link, delivery, "05").json()["outcome"] == "applied"
    assert report(client, link, delivery, "15", "Đồng ý").json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.recall_status) == ("15", "15")
    for code in ("06", "16", "02", "01"):
        refused(client, link, delivery, code, caplog, expect="đã được thu hồi (15)")
    assert [e.code for e in delivery.events.order_by("pk")] == ["03", "13", "05", "15"]


def test_after_a_refused_take_back_the_document_goes_on(
    team, link, document, delivery, client, caplog
):
    document_recall(actor=team.clerk, document=document, reason="Ban hành nhầm số liệu")
    assert report(client, link, delivery, "16", "Đã thực hiện").json()["outcome"] == "applied"
    refused(client, link, delivery, "15", caplog, expect="Không có đề nghị thu hồi (13)")
    assert report(client, link, delivery, "06").json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.recall_status, delivery.reason) == (
        "06",
        "16",
        "Đã thực hiện",
    )


# ---------------------------------------------------------------- take-back of nothing


def test_a_revocation_package_of_a_document_never_received_is_not_found(
    team, link, document, client, caplog
):
    before = support.snapshot()
    revoke = to_snv(team, document).replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    with caplog.at_level(logging.WARNING, logger="vanban.interop"):
        response = post(client, revoke, link)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "Không có văn bản nào có DocumentId" in detail and VINH_LONG in detail
    assert detail in caplog.text
    assert support.snapshot() == before
    assert Inbound.objects.count() == 0 and status_payloads() == []


def test_a_status_13_of_a_document_never_received_is_not_found(team, link, document, client):
    before = support.snapshot()
    message = status_payload(
        from_code=VINH_LONG,
        from_name=VINH_LONG_NAME,
        response_for="000.00.00.H62,2026/11/20,7/KH-UBND",
        response_code="7/KH-UBND",
        response_org=VINH_LONG,
        promulgation_date="2026/11/20",
        code="13",
        description="Đề nghị lấy lại văn bản",
    )
    response = post(client, message, link)
    assert response.status_code == 404
    assert "Không có văn bản nào có DocumentId 000.00.00.H62" in response.json()["detail"]
    assert support.snapshot() == before
