"""The reception queue of a unit that ends goes to its successor (exchange/reorganise.py): the
documents of the deployment's units and the packages of partner systems still waiting, each with
a line in its trail naming the decision and an audit event; partner systems that let the ended
unit send let the successor send too. The preview reads only; applying twice moves nothing more."""

import pytest

from tests.interop import support
from tests.interop.support import RECEIVE_URL
from tests.reorganisation_exchange.conftest import DECISION, EFFECTIVE, ended
from tests.support.drafting import issued
from tests.support.province import add_unit
from vanban.accounts.unit_history import Transfer
from vanban.audit.models import AuditEvent
from vanban.exchange import reorganise
from vanban.exchange.addressing import READDRESSED_LABEL
from vanban.exchange.delivery_selectors import queue_waiting
from vanban.exchange.models import Delivery, Inbound, Transport

NOTE = (
    "Theo Nghị quyết 202/2025/QH15: Sở Nội vụ tỉnh Trà Vinh chấm dứt hoạt động từ 01/07/2025; "
    "văn bản chuyển cho Sở Nội vụ."
)


def transfer(team, source, target=None, **extra) -> Transfer:
    return Transfer(
        source=source,
        target=target or team.province.snv,
        effective_date=EFFECTIVE,
        decision=DECISION,
        plan_ref="ke-hoach-vinh-long",
        actor=team.province.province_admin,
        **extra,
    )


@pytest.fixture
def waiting(team, tra_vinh, client):
    """Trà Vinh's queue before it ends: a document of the Sở sent to it alone, one sent to it and
    to its successor, a package of a partner system; one it already registered stays."""
    link = support.partner(team, allowed_units=[team.province.stttt, tra_vinh])
    _draft, alone = issued(team, units=[tra_vinh], external=[])
    _draft, both = issued(team, units=[tra_vinh, team.province.snv], external=[])
    response = client.post(
        RECEIVE_URL,
        support.readdressed(alone, to=tra_vinh.agency_code),
        content_type="application/xml",
        **link.headers(),
    )
    assert response.status_code == 200, response.json()
    settled = Delivery.objects.get(document=both, recipient_unit=tra_vinh)
    Delivery.objects.filter(pk=settled.pk).update(status="03")  # registered: it stays
    _draft, third = issued(team, units=[tra_vinh], external=[])
    ended(tra_vinh, team.province.snv)
    return {"link": link, "alone": alone, "both": both, "third": third}


def test_the_preview_counts_what_would_move_and_changes_nothing(team, tra_vinh, waiting):
    before = list(Delivery.objects.values_list("pk", "recipient_unit_id"))

    lines = {line.label: line for line in reorganise.transfer_preview(transfer(team, tra_vinh))}

    local = lines["Văn bản đến chờ vào sổ (từ đơn vị trong hệ thống)"]
    assert local.count == 2
    assert set(local.examples) == {waiting["alone"].number_symbol, waiting["third"].number_symbol}
    received = lines["Gói văn bản từ hệ thống khác chờ vào sổ"]
    assert received.count == 1
    assert received.examples[0].startswith(waiting["alone"].number_symbol)
    partners = lines["Hệ thống liên thông cho đơn vị kế thừa gửi qua"]
    assert (partners.count, partners.examples) == (1, (support.PARTNER_NAME,))
    assert not any(line.conflicts for line in lines.values())
    assert list(Delivery.objects.values_list("pk", "recipient_unit_id")) == before


def test_the_queue_goes_to_the_successor_once_with_its_trail_and_audit(team, tra_vinh, waiting):
    snv = team.province.snv
    audit_before = AuditEvent.objects.count()

    counts = reorganise.transfer_apply(transfer(team, tra_vinh))

    assert counts == {"deliveries": 2, "inbound": 1, "requests": 0, "partners": 1}
    assert not queue_waiting([tra_vinh.pk]).exists()
    moved = Delivery.objects.filter(document__in=[waiting["alone"], waiting["third"]])
    assert {d.recipient_unit_id for d in moved} == {snv.pk}
    for delivery in moved:
        last = delivery.events.order_by("-at", "-pk").first()
        assert (last.label, last.note, last.actor) == (
            READDRESSED_LABEL,
            NOTE,
            team.province.province_admin,
        )
    package = Inbound.objects.get(kind="package")
    assert package.unit == snv
    assert Delivery.objects.get(package=package).recipient_unit == snv
    # The registered copy stays with the ended unit.
    assert Delivery.objects.get(document=waiting["both"], recipient_unit=tra_vinh).status == "03"
    assert snv in waiting["link"].partner.allowed_units.all()
    events = AuditEvent.objects.filter(action="exchange.reorganise")
    assert AuditEvent.objects.count() - audit_before == events.count() == 4
    assert {e.data["plan"] for e in events} == {"ke-hoach-vinh-long"}
    # The successor's clerk sees them in the queue.
    assert queue_waiting([snv.pk]).filter(transport=Transport.LOCAL).count() >= 2

    again = reorganise.transfer_apply(transfer(team, tra_vinh))

    assert again == {"deliveries": 0, "inbound": 0, "requests": 0, "partners": 0}
    assert AuditEvent.objects.filter(action="exchange.reorganise").count() == 4
    assert reorganise.transfer_preview(transfer(team, tra_vinh)) == []


def test_a_copy_the_successor_already_has_stays_and_is_warned(team, tra_vinh):
    _draft, both = issued(team, units=[tra_vinh, team.province.snv], external=[])
    ended(tra_vinh, team.province.snv)

    (line,) = reorganise.transfer_preview(transfer(team, tra_vinh))
    assert line.count == 1
    assert line.warnings == (
        f"Không chuyển {both.number_symbol}: đơn vị nhận chuyển giao đã nhận văn bản này.",
    )
    assert reorganise.transfer_apply(transfer(team, tra_vinh))["deliveries"] == 0
    assert Delivery.objects.get(document=both, recipient_unit=tra_vinh).status == "01"


def test_the_plan_may_give_one_document_to_another_unit(team, tra_vinh):
    other = add_unit("Sở Tư pháp", "STP", "stp", "000.00.09.H07", team.province.root)
    _draft, first = issued(team, units=[tra_vinh], external=[])
    _draft, second = issued(team, units=[tra_vinh], external=[])
    ended(tra_vinh, team.province.snv)
    chosen = Delivery.objects.get(document=second, recipient_unit=tra_vinh)

    reorganise.transfer_apply(
        transfer(team, tra_vinh, overrides=((f"delivery:{chosen.pk}", other.pk),))
    )

    assert Delivery.objects.get(document=first).recipient_unit == team.province.snv
    chosen.refresh_from_db()
    assert chosen.recipient_unit == other
    assert "văn bản chuyển cho Sở Tư pháp." in chosen.events.last().note


def test_a_rename_hands_nothing_over(team):
    stttt = team.province.stttt
    same = transfer(team, stttt, stttt)
    assert reorganise.transfer_preview(same) == []
    assert reorganise.transfer_apply(same) == {
        "deliveries": 0,
        "inbound": 0,
        "requests": 0,
        "partners": 0,
    }
