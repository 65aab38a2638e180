"""A document received from a partner system is a `Delivery` too (transport of the partner, the
sending agency's code, our unit, no document, its package), in the one reception queue with the
documents of the deployment's units: the queue page lists it, the clerk's "Việc của tôi" counts
it, the API of the exchange inside the deployment leaves it out. Registering, refusing, the
progress and a take-back show on the delivery, and the package's state agrees with it."""

import pytest
from django.db import IntegrityError, transaction

from tests.interop import support
from tests.interop.support import RECEIVE_URL, VINH_LONG
from tests.support.api import token_for
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import issued
from tests.support.edxml import build_package
from tests.support.files import pdf_bytes
from tests.support.province import make_user
from vanban.accounts.models import Role
from vanban.exchange.delivery_selectors import reception_queue
from vanban.exchange.models import (
    Delivery,
    DeliveryStatus,
    Inbound,
    InboundState,
    RecallStatus,
    Transport,
)
from vanban.exchange.partners import services
from vanban.workflow import services as workflow_services

MY_WORK = "/xu-ly/viec-cua-toi/"
QUEUE = "/lien-thong/hang-cho/"


@pytest.fixture
def link(team):
    return support.partner(team)


@pytest.fixture
def package(team, link) -> bytes:
    """A document of Vĩnh Long for the Sở Nội vụ."""
    _draft, document = issued(team)
    return support.readdressed(document, to=team.province.snv.agency_code)


def post(client, link, data: bytes) -> str:
    response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
    outcome: str = response.json()["outcome"]
    return outcome


@pytest.fixture
def queued(link, package, client) -> Inbound:
    """The package, arrived through the partner."""
    assert post(client, link, package) == "accepted"
    return Inbound.objects.get()


def received(inbound: Inbound) -> Delivery:
    return Delivery.objects.get(package=inbound)


def from_partners(user) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """What waits for `user` in the reception queue from partner systems."""
    return list(reception_queue(user=user).exclude(transport=Transport.LOCAL))


def trail(delivery: Delivery) -> list[tuple[str, str, int | None]]:
    return [(e.code, e.note, e.actor_id) for e in delivery.events.order_by("at", "pk")]


# What the package's state is for each state of its delivery: the two never disagree.
def package_state(delivery: Delivery) -> str:
    if delivery.recall_status == RecallStatus.ACCEPTED:
        return InboundState.RECALLED
    if delivery.status == DeliveryStatus.ARRIVED:
        return InboundState.QUEUED
    if delivery.status == DeliveryStatus.RETURNED:
        refused_by_a_clerk = delivery.events.filter(code="02", actor__isnull=False).exists()
        return InboundState.REFUSED if refused_by_a_clerk else InboundState.REJECTED
    return InboundState.REGISTERED


def assert_states_agree() -> None:
    for delivery in Delivery.objects.filter(package__isnull=False).select_related("package"):
        assert delivery.package is not None
        assert delivery.package.state == package_state(delivery), delivery


def register(team, inbound: Inbound):
    return services.inbound_register(
        actor=team.clerk_snv,
        inbound=inbound,
        data=incoming_input(issuer_code=VINH_LONG, code_number="7", code_notation="KH-VL"),
        refusals=DECLARED,
    )


def test_a_package_arrives_as_a_delivery_in_the_queue(team, link, queued):
    delivery = received(queued)
    assert (
        delivery.transport,
        delivery.partner,
        delivery.agency_code,
        delivery.recipient_unit,
        delivery.document,
        delivery.sender_unit,
        delivery.edxml_id,
        delivery.business_type,
        delivery.status,
    ) == (
        Transport.DIRECT,
        link.partner,
        VINH_LONG,
        team.province.snv,
        None,
        None,
        queued.edxml_id,
        0,
        DeliveryStatus.ARRIVED,
    )
    assert delivery.is_received and not delivery.is_local
    assert trail(delivery) == [("01", "", None)]
    assert from_partners(team.clerk_snv) == [delivery]
    assert list(services.queue_for([team.province.snv.pk])) == [queued]
    assert_states_agree()


def test_registering_shows_03_then_the_progress_on_the_delivery(team, queued):
    incoming = register(team, queued)
    delivery = received(queued)
    assert (delivery.status, delivery.incoming_document) == (DeliveryStatus.REGISTERED, incoming)
    assert trail(delivery) == [
        ("01", "", None),
        ("03", f"Số đến {incoming.register_number}", team.clerk_snv.pk),
    ]
    assert from_partners(team.clerk_snv) == []
    assert_states_agree()

    leader = make_user(team.province.snv, "Giám Đốc Nội Vụ", (Role.LEADER,))
    workflow_services.processing_present(actor=team.clerk_snv, document=incoming, leader=leader)
    workflow_services.processing_direct(
        actor=leader, document=incoming, direction="Giao phòng xử lý.", lead_user=team.staff_snv
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.ASSIGNED
    assert [code for code, _note, _actor in trail(delivery)] == ["01", "03", "04"]
    assert_states_agree()


def test_refusing_shows_02_with_the_reason(team, queued):
    services.inbound_refuse(actor=team.clerk_snv, inbound=queued, reason="Gửi nhầm đơn vị")
    delivery = received(queued)
    assert (delivery.status, delivery.return_note) == (DeliveryStatus.RETURNED, "Gửi nhầm đơn vị")
    assert trail(delivery) == [("01", "", None), ("02", "Gửi nhầm đơn vị", team.clerk_snv.pk)]
    assert from_partners(team.clerk_snv) == []
    assert_states_agree()


def test_a_package_refused_on_arrival_is_a_delivery_refused_at_once(team, link, client):
    data = build_package(
        from_id=VINH_LONG,
        attachments=(("Công văn.pdf", "application/pdf", pdf_bytes("Công văn không ký số")),),
    )
    assert post(client, link, data) == "refused"
    inbound = Inbound.objects.get()
    delivery = received(inbound)
    assert (delivery.status, delivery.recipient_unit) == (
        DeliveryStatus.RETURNED,
        team.province.stttt,
    )
    assert delivery.return_note == inbound.reason
    assert "không có chữ ký số" in delivery.return_note
    assert trail(delivery) == [("02", delivery.return_note, None)]
    assert from_partners(team.clerk) == []
    assert_states_agree()


def test_a_take_back_before_registering_takes_it_out_of_the_queue(
    team, link, package, queued, client
):
    revoke = package.replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    assert post(client, link, revoke) == "accepted"
    delivery = received(queued)
    assert (delivery.status, delivery.recall_status) == (
        DeliveryStatus.ARRIVED,
        RecallStatus.ACCEPTED,
    )
    assert [code for code, _note, _actor in trail(delivery)] == ["01", "15"]
    assert from_partners(team.clerk_snv) == []
    assert_states_agree()


def test_a_take_back_after_registering_is_asked_then_answered_on_the_delivery(
    team, link, package, queued, client
):
    register(team, queued)
    revoke = package.replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )
    assert post(client, link, revoke) == "accepted"
    delivery = received(queued)
    assert (delivery.status, delivery.recall_status) == (
        DeliveryStatus.REGISTERED,
        RecallStatus.REQUESTED,
    )
    assert_states_agree()
    request = Inbound.objects.get(business_type=1)
    services.inbound_revocation_answer(
        actor=team.clerk_snv, inbound=request, accept=False, note="Đã thực hiện"
    )
    delivery.refresh_from_db()
    assert (delivery.recall_status, delivery.recall_answer_note) == (
        RecallStatus.REFUSED,
        "Đã thực hiện",
    )
    assert [code for code, _note, _actor in trail(delivery)] == ["01", "03", "13", "16"]
    assert_states_agree()


def test_my_work_counts_the_packages_waiting_with_the_deliveries(
    team, link, package, client, client_for
):
    """A clerk's "Việc của tôi" counts every document waiting in the queue, those received from
    partner systems included."""
    # The document the package is made of was also sent to the Sở Nội vụ inside the deployment.
    page = client_for(team.clerk_snv).get(MY_WORK).content.decode()
    assert "Văn bản chờ tiếp nhận liên thông (1)" in page
    assert post(client, link, package) == "accepted"
    page = client_for(team.clerk_snv).get(MY_WORK).content.decode()
    assert "Văn bản chờ tiếp nhận liên thông (2)" in page
    register(team, Inbound.objects.get())
    page = client_for(team.clerk_snv).get(MY_WORK).content.decode()
    assert "Văn bản chờ tiếp nhận liên thông (1)" in page


def test_the_queue_page_and_the_api_read_the_one_queue(team, queued, client_for, api):
    [local] = Delivery.objects.filter(transport=Transport.LOCAL, recipient_unit=team.province.snv)
    assert set(reception_queue(user=team.clerk_snv)) == {local, received(queued)}

    page = client_for(team.clerk_snv).get(QUEUE).content.decode()
    assert "Văn bản chờ vào sổ (1)" in page
    assert f'id="inbound-{queued.pk}"' in page
    assert "Văn bản điện tử từ hệ thống khác chờ vào sổ (1)" in page
    # The API lists only the documents of the deployment's units, as it says.
    answer = api.get("/exchange/queue", token_for(team.clerk_snv)).json()
    assert answer["count"] == 1 and [item["id"] for item in answer["items"]] == [local.pk]


def test_only_the_three_shapes_of_a_delivery_are_kept(team, link, queued, client):
    delivery = received(queued)
    _draft, document = issued(team)
    for wrong in (
        # received, but naming a document of ours
        {"document": document},
        # received, with a sender unit of ours
        {"sender_unit": team.province.stttt},
        # received inside the deployment
        {"transport": Transport.LOCAL, "partner": None},
        # received from nobody
        {"agency_code": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(**wrong)
    sent = Delivery.objects.exclude(transport=Transport.LOCAL).get(document=document)
    with pytest.raises(IntegrityError), transaction.atomic():
        # sent to a partner, but carried by a package received
        Delivery.objects.filter(pk=sent.pk).update(
            package=Inbound.objects.create(
                partner=link.partner,
                kind="status",
                edxml_id="x",
                from_code=VINH_LONG,
                storage_name="interop/in/x.edxml",
                original_name="x.edxml",
                sha256="0" * 64,
                size=1,
                state="applied",
                received_at=delivery.created_at,
            )
        )
