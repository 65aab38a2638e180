"""Documents received from other systems become deliveries (migrations exchange 0007-0008): the
packages a database made before holds in `Inbound` (waiting, registered and processed, refused by
the clerk, refused on arrival, taken back before or after registering, a take-back refused or
still waiting) are read after the move as the deliveries receiving writes today, with the same
status, reasons and trail; going back removes them and leaves the packages as they were."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.interop import support
from tests.interop.support import RECEIVE_URL, VINH_LONG
from tests.support.documents import DECLARED, incoming_input
from tests.support.drafting import issued
from tests.support.edxml import build_package
from tests.support.files import pdf_bytes
from vanban.exchange.delivery import delivery_status_update
from vanban.exchange.models import Delivery, Inbound, Transport
from vanban.exchange.partners import services

BEFORE = [("exchange", "0006_drop_external_delivery_tables")]


def received_rows() -> list[tuple]:
    return [
        (
            d.package_id,
            d.transport,
            d.partner_id,
            d.agency_code,
            d.recipient_unit_id,
            d.document_id,
            d.sender_unit_id,
            d.edxml_id,
            d.business_type,
            d.status,
            d.status_at,
            d.return_reason,
            d.return_note,
            d.incoming_document_id,
            d.recall_status,
            d.recall_answer_note,
            d.created_by_id,
            d.created_at,
            [(e.code, e.label, e.note, e.actor_id, e.at) for e in d.events.order_by("at", "pk")],
        )
        for d in Delivery.objects.filter(package__isnull=False).order_by("package_id")
    ]


def other_rows() -> list[tuple]:
    return list(
        Delivery.objects.filter(package__isnull=True)
        .order_by("pk")
        .values_list("pk", "transport", "document_id", "recipient_unit_id", "status")
    )


def packages() -> list[tuple]:
    return list(
        Inbound.objects.order_by("pk").values_list(
            "pk", "kind", "state", "reason", "incoming_document_id", "answered_by_id"
        )
    )


def post(client, link, data: bytes) -> None:
    response = client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())
    assert response.status_code == 200, response.content


def take_back(package: bytes) -> bytes:
    return package.replace(
        b"<edXML:BussinessDocType>0</edXML:BussinessDocType>",
        b"<edXML:BussinessDocType>1</edXML:BussinessDocType>",
    )


@pytest.mark.django_db(transaction=True)
def test_packages_received_become_deliveries_and_back(document_types, team, client):
    link = support.partner(team)
    sent = [
        support.readdressed(issued(team)[1], to=team.province.snv.agency_code) for _ in range(6)
    ]
    for data in sent:
        post(client, link, data)
    waiting, processed, refused, _withdrawn, given_back, asked = Inbound.objects.filter(
        kind="package"
    ).order_by("pk")

    def register(inbound: Inbound, number: int):  # type: ignore[no-untyped-def]
        return services.inbound_register(
            actor=team.clerk_snv,
            inbound=inbound,
            data=incoming_input(
                issuer_code=VINH_LONG, code_number=str(number), code_notation="KH-VL"
            ),
            refusals=DECLARED,
        )

    # Registered, processed (04, reported by the processing), a take-back refused.
    incoming = register(processed, 1)
    delivery_status_update(incoming_document=incoming, status="04")
    post(client, link, take_back(sent[1]))
    services.inbound_revocation_answer(
        actor=team.clerk_snv,
        inbound=Inbound.objects.get(business_type=1, edxml_id=processed.edxml_id),
        accept=False,
        note="Văn bản đã được thực hiện",
    )
    services.inbound_refuse(actor=team.clerk_snv, inbound=refused, reason="Gửi nhầm đơn vị")
    post(client, link, take_back(sent[3]))  # taken back before registering
    register(given_back, 2)
    post(client, link, take_back(sent[4]))
    services.inbound_revocation_answer(
        actor=team.clerk_snv,
        inbound=Inbound.objects.get(business_type=1, edxml_id=given_back.edxml_id),
        accept=True,
    )
    register(asked, 3)
    post(client, link, take_back(sent[5]))  # the clerk has not answered yet
    # Refused on arrival: its PDF is not signed.
    post(
        client,
        link,
        build_package(
            from_id=VINH_LONG,
            attachments=(("Công văn.pdf", "application/pdf", pdf_bytes("Không ký số")),),
        ),
    )
    before, others, kept = received_rows(), other_rows(), packages()
    assert [(row[9], row[14]) for row in before] == [
        ("01", ""),
        ("04", "16"),
        ("02", ""),
        ("01", "15"),
        ("03", "15"),
        ("03", "13"),
        ("02", ""),
    ]
    assert before[0][1:5] == (Transport.DIRECT, link.partner.pk, VINH_LONG, team.province.snv.pk)
    assert waiting.pk == before[0][0]

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    # Before, a delivery was only a document sent; the packages kept their own state.
    assert old.get_model("exchange", "Delivery").objects.count() == len(others)
    assert packages() == kept

    MigrationExecutor(connection).migrate(leaves)
    assert received_rows() == before
    assert other_rows() == others
    assert packages() == kept
