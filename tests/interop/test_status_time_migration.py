"""The statuses a partner reported before the partner's time was kept get it from the status
messages in the log (migration exchange 0009): each event gets the Timestamp its message wrote;
an event whose message is gone keeps it blank, as do the events of our own units."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.interop import support
from tests.interop.support import MINISTRY, MINISTRY_NAME, RECEIVE_URL
from vanban.exchange.models import Delivery, DeliveryEvent, Inbound, Transport
from vanban.exchange.partners.packages import status_payload

BEFORE = [("exchange", "0008_received_packages_as_deliveries")]


def reported(delivery, code: str, written: dt.datetime) -> bytes:
    org, date, number = delivery.edxml_id.split(",", 2)
    return status_payload(
        from_code=MINISTRY,
        from_name=MINISTRY_NAME,
        response_for=delivery.edxml_id,
        response_code=number,
        response_org=org,
        promulgation_date=date,
        code=code,
        description=f"Trạng thái {code}",
        at=written,
    )


@pytest.mark.django_db(transaction=True)
def test_the_partners_time_is_read_back_from_the_messages_kept(document_types, team, client):
    link = support.partner(team)
    _draft, document = support.issued(team)
    delivery = Delivery.objects.exclude(transport=Transport.LOCAL).get(
        document=document, agency_code=MINISTRY
    )
    first = dt.datetime(2026, 11, 25, 1, 0, 5, tzinfo=dt.UTC)
    second = dt.datetime(2026, 11, 25, 2, 30, 0, tzinfo=dt.UTC)
    for seconds, code, written in ((60, "01", first), (120, "03", second), (180, "04", second)):
        with support.later(seconds):
            response = client.post(
                RECEIVE_URL,
                reported(delivery, code, written),
                content_type="application/xml",
                **link.headers(),
            )
        assert response.json()["outcome"] == "applied"
    # The 04's message is gone from storage: its event cannot be given the time.
    default_storage.delete(Inbound.objects.get(status_code="04").storage_name)
    expected = [("01", first), ("03", second), ("04", None)]
    trail = list(delivery.events.order_by("at", "pk").values_list("code", "at"))
    local = list(
        DeliveryEvent.objects.filter(delivery__transport=Transport.LOCAL).values_list("pk", "at")
    )
    assert local

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    MigrationExecutor(connection).migrate(leaves)

    events = delivery.events.order_by("at", "pk")
    assert [(e.code, e.reported_at) for e in events] == expected
    assert list(events.values_list("code", "at")) == trail
    assert not DeliveryEvent.objects.filter(
        delivery__transport=Transport.LOCAL, reported_at__isnull=False
    ).exists()
    assert (
        list(
            DeliveryEvent.objects.filter(delivery__transport=Transport.LOCAL).values_list(
                "pk", "at"
            )
        )
        == local
    )
