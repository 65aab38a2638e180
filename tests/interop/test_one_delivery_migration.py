"""Documents sent to other systems move into `Delivery` (migrations exchange 0004-0006): what a
database made before holds in `ExternalDelivery`/`ExternalEvent` is read after the move as a
delivery of transport direct or gateway, with its events; going back restores the former rows."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.interop import support
from tests.interop.support import MINISTRY, MINISTRY_NAME
from tests.support.drafting import issued
from vanban.exchange.models import Delivery, DeliveryEvent, Transport

BEFORE = [("exchange", "0003_status_texts_from_the_table")]
AT = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def partner_rows() -> list[tuple]:
    return [
        (
            d.document_id,
            d.transport,
            d.partner_id,
            d.sender_unit_id,
            d.recipient_unit_id,
            d.agency_code,
            d.recipient_name,
            d.edxml_id,
            d.business_type,
            d.status,
            d.status_at,
            d.recall_status,
            d.return_note,
            d.recall_answer_note,
            d.created_at,
            [(e.code, e.label, e.note, e.at) for e in d.events.all()],
        )
        for d in Delivery.objects.exclude(transport=Transport.LOCAL).order_by("pk")
    ]


def local_rows() -> list[tuple]:
    return list(
        Delivery.objects.filter(transport=Transport.LOCAL)
        .order_by("pk")
        .values_list("pk", "recipient_unit_id", "status", "created_by_id")
    )


@pytest.mark.django_db(transaction=True)
def test_documents_sent_to_other_systems_survive_the_move_both_ways(document_types, team):
    link = support.partner(team)
    _draft, document = issued(team)
    delivery = Delivery.objects.exclude(transport=Transport.LOCAL).get(document=document)
    # The ministry refused the take-back with a reason, after the document had arrived.
    for code, label, note in (
        ("01", "đã đến", ""),
        ("13", "đề nghị thu hồi", "Ban hành nhầm"),
        ("16", "từ chối thu hồi/cập nhật", "Văn bản đã được thực hiện"),
    ):
        DeliveryEvent.objects.create(delivery=delivery, code=code, label=label, note=note, at=AT)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="16",
        status_at=AT,
        recall_status="16",
        recall_answer_note="Văn bản đã được thực hiện",
    )
    before, local = partner_rows(), local_rows()
    assert before[0][1:3] == (Transport.DIRECT, link.partner.pk)

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    row = old.get_model("exchange", "ExternalDelivery").objects.get()
    assert (row.document_id, row.partner_id, row.agency_code, row.name) == (
        document.pk,
        link.partner.pk,
        MINISTRY,
        MINISTRY_NAME,
    )
    assert (row.status, row.reason) == ("16", "Văn bản đã được thực hiện")
    assert [e.code for e in row.events.order_by("at", "pk")] == ["01", "13", "16"]
    assert not old.get_model("exchange", "Delivery").objects.filter(recipient_unit=None).exists()

    MigrationExecutor(connection).migrate(leaves)
    assert partner_rows() == before
    # The former rows named nobody as their sender.
    assert list(
        Delivery.objects.exclude(transport=Transport.LOCAL).values_list("created_by", flat=True)
    ) == [None]
    assert local_rows() == local
    tables = connection.introspection.table_names()
    assert "interop_externaldelivery" not in tables and "interop_externalevent" not in tables
