"""Messages addressed to a closed agency code (QĐ 09/2025/QĐ-TTg) reach the unit that carries it
on: a package of a partner system lands in the successor's reception queue, a status message
about a document of an ended unit or of a unit's former code reaches it, the trail says so and
the sender is told; a document sent inside the deployment to an ended unit goes to its successor;
our packages carry the sender's current code."""

import pytest

from tests.interop import support
from tests.interop.support import MINISTRY, RECEIVE_URL, VINH_LONG
from tests.reorganisation_exchange.conftest import (
    TRA_VINH_SNV,
    TRA_VINH_SNV_NAME,
    ended,
    new_code,
)
from tests.support.drafting import create_draft, issue, issued, to_approved, to_signed
from vanban.exchange.addressing import (
    READDRESSED_LABEL,
    answered_codes,
    readdress_note,
    recipient_for_code,
)
from vanban.exchange.delivery_selectors import reception_queue
from vanban.exchange.edxml import parse_package, read_status
from vanban.exchange.models import Delivery, Inbound, Outbound, Transport

NOTE_TRA_VINH = (
    "Gửi đến mã đã đóng 000.00.05.H59 (Sở Nội vụ tỉnh Trà Vinh, chấm dứt 30/06/2025); "
    "chuyển cho đơn vị kế thừa Sở Nội vụ (000.00.05.H07)."
)


@pytest.fixture
def link(team):
    return support.partner(team)


def post(client, data: bytes, link):
    return client.post(RECEIVE_URL, data, content_type="application/xml", **link.headers())


# ---------------------------------------------------------------- one look-up of a code


def test_a_code_answers_for_its_open_unit_and_a_closed_one_for_the_successor(team, tra_vinh):
    snv = team.province.snv
    assert recipient_for_code(snv.agency_code).unit == snv
    assert not recipient_for_code(snv.agency_code).readdressed
    assert recipient_for_code(TRA_VINH_SNV).unit == tra_vinh  # still open
    ended(tra_vinh, snv)
    addressed = recipient_for_code(TRA_VINH_SNV)
    assert (addressed.unit, addressed.note) == (snv, NOTE_TRA_VINH)
    assert recipient_for_code("000.00.99.H59") is None
    assert recipient_for_code("") is None
    assert TRA_VINH_SNV in answered_codes() and snv.agency_code in answered_codes()


def test_a_closed_code_without_successor_reaches_nobody(team, tra_vinh):
    from vanban.accounts.models import Unit

    Unit.objects.filter(pk=tra_vinh.pk).update(is_active=False, end_date="2025-06-30")
    assert recipient_for_code(TRA_VINH_SNV) is None
    assert TRA_VINH_SNV not in answered_codes()


# ---------------------------------------------------------------- packages of partner systems


def test_a_package_to_a_closed_code_reaches_the_successor_and_the_sender_is_told(
    team, tra_vinh, link, client
):
    _draft, document = issued(team)
    ended(tra_vinh, team.province.snv)

    response = post(client, support.readdressed(document, to=TRA_VINH_SNV), link)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"] == "accepted"
    assert body["recipient_code"] == "000.00.05.H07"
    assert body["readdressed"] == [NOTE_TRA_VINH]
    inbound = Inbound.objects.get(kind="package")
    assert (inbound.to_code, inbound.unit) == (TRA_VINH_SNV, team.province.snv)
    # In the successor's reception queue, with the re-addressing first in its trail.
    delivery = Delivery.objects.get(package=inbound)
    assert delivery in reception_queue(user=team.clerk_snv)
    assert list(delivery.events.values_list("label", "note")) == [
        (READDRESSED_LABEL, NOTE_TRA_VINH),
        ("đã đến", ""),
    ]
    # The sender gets 01 from the successor's code, with the note.
    answer = Outbound.objects.get(kind="status")
    assert (answer.status_code, answer.to_code) == ("01", VINH_LONG)
    status = read_status(bytes(answer.payload))
    assert (status.from_code, status.description) == ("000.00.05.H07", NOTE_TRA_VINH)
    # The reception page says where the package was addressed and why it is here.
    client.force_login(team.clerk_snv)
    page = client.get(f"/lien-thong/he-thong-khac/den/{inbound.pk}/")
    assert page.status_code == 200
    assert NOTE_TRA_VINH in page.content.decode()
    assert 'id="readdressed"' in page.content.decode()


def test_a_package_to_both_the_closed_and_the_successor_code_is_kept_once(
    team, tra_vinh, link, client
):
    _draft, document = issued(team)
    ended(tra_vinh, team.province.snv)
    data = support.readdressed(document, to=team.province.snv.agency_code)
    both = data.replace(
        b"<edXML:To>",
        f"<edXML:To><edXML:OrganId>{TRA_VINH_SNV}</edXML:OrganId>"
        f"<edXML:OrganName>{TRA_VINH_SNV_NAME}</edXML:OrganName></edXML:To><edXML:To>".encode(),
        1,
    )

    response = post(client, both, link)

    assert response.status_code == 200, response.json()
    inbound = Inbound.objects.get(kind="package")
    assert (inbound.to_code, inbound.unit) == ("000.00.05.H07", team.province.snv)
    assert "readdressed" not in response.json()


def test_a_package_to_a_code_closed_without_successor_is_refused_and_nothing_kept(
    team, tra_vinh, link, client
):
    from vanban.accounts.models import Unit

    _draft, document = issued(team)
    Unit.objects.filter(pk=tra_vinh.pk).update(is_active=False, end_date="2025-06-30")
    before = support.snapshot()

    response = post(client, support.readdressed(document, to=TRA_VINH_SNV), link)

    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"Nơi nhận {TRA_VINH_SNV} không phải đơn vị của hệ thống này."
    )
    assert support.snapshot() == before


# ---------------------------------------------------------------- status messages


def test_a_status_about_a_document_under_a_former_code_reaches_the_unit(team, link, client):
    _document, delivery = support.issued_outside(team)
    stttt = new_code(team.province.stttt, "000.00.14.H61")

    response = post(client, support.status_from_ministry(delivery, "01"), link)

    assert response.status_code == 200, response.json()
    note = (
        "Gửi đến mã đã đóng 000.00.12.H07 (Sở Thông tin và Truyền thông, dùng đến 30/06/2025); "
        "chuyển cho đơn vị nay mang mã mới Sở Thông tin và Truyền thông (000.00.14.H61)."
    )
    assert response.json() == {
        "outcome": "applied",
        "document_id": delivery.edxml_id,
        "recipient_code": "000.00.14.H61",
        "readdressed": [note],
    }
    row = Inbound.objects.get(kind="status")
    assert (row.to_code, row.unit) == ("000.00.12.H07", stttt)
    delivery.refresh_from_db()
    assert delivery.status == "01"
    event = delivery.events.get(code="01")
    assert event.note == f"Trạng thái 01 {note}"


def test_a_status_about_a_document_of_an_ended_unit_reaches_its_successor(team, link, client):
    _document, delivery = support.issued_outside(team)
    ended(team.province.stttt, team.province.snv)

    response = post(client, support.status_from_ministry(delivery, "03", "Đã vào sổ"), link)

    assert response.status_code == 200, response.json()
    note = (
        "Gửi đến mã đã đóng 000.00.12.H07 (Sở Thông tin và Truyền thông, chấm dứt 30/06/2025); "
        "chuyển cho đơn vị kế thừa Sở Nội vụ (000.00.05.H07)."
    )
    assert response.json()["readdressed"] == [note]
    assert Inbound.objects.get(kind="status").unit == team.province.snv
    delivery.refresh_from_db()
    assert delivery.status == "03"
    # The successor's clerks learn that the ministry registered it.
    assert team.clerk_snv.notifications.filter(title__contains="đã vào sổ").exists()


def test_a_status_to_an_open_code_is_answered_as_before(team, link, client):
    _document, delivery = support.issued_outside(team)
    response = post(client, support.status_from_ministry(delivery, "01"), link)
    assert response.json() == {"outcome": "applied", "document_id": delivery.edxml_id}
    assert Inbound.objects.get(kind="status").unit == team.province.stttt


# ---------------------------------------------------------------- inside the deployment


def test_a_document_issued_to_an_ended_unit_goes_to_its_successor_and_the_sender_sees_it(
    team, tra_vinh
):
    draft = create_draft(team, units=[tra_vinh], external=[])
    to_approved(team, draft)
    to_signed(team, draft)
    ended(tra_vinh, team.province.snv)

    document = issue(team, draft)

    delivery = Delivery.objects.get(document=document, transport=Transport.LOCAL)
    assert delivery.recipient_unit == team.province.snv
    assert list(delivery.events.values_list("label", "note")) == [
        (READDRESSED_LABEL, NOTE_TRA_VINH),
        ("đã đến", ""),
    ]


def test_an_agency_named_by_a_closed_code_of_ours_is_the_successor(team, tra_vinh, link):
    from vanban.drafting.services import ExternalRecipient

    ended(tra_vinh, team.province.snv)
    _draft, document = issued(
        team, units=[], external=[ExternalRecipient(TRA_VINH_SNV_NAME, TRA_VINH_SNV)]
    )
    delivery = Delivery.objects.get(document=document)
    assert (delivery.transport, delivery.recipient_unit) == ("local", team.province.snv)
    assert not Outbound.objects.filter(kind="package", document=document).exists()


def test_an_ended_unit_is_not_offered_as_a_recipient(team, tra_vinh):
    from vanban.drafting.selectors import recipient_units
    from vanban.exchange.delivery_selectors import delivery_candidates

    _draft, document = issued(team)
    assert tra_vinh in recipient_units(user=team.drafter)
    assert tra_vinh in delivery_candidates(document=document)
    ended(tra_vinh, team.province.snv)
    assert tra_vinh not in recipient_units(user=team.drafter)
    assert tra_vinh not in delivery_candidates(document=document)


# ---------------------------------------------------------------- what we send


def test_an_outgoing_package_built_after_a_change_of_code_carries_the_new_code(team, link):
    new_code(team.province.stttt, "000.00.14.H61")

    _draft, document = issued(team)

    package = Outbound.objects.get(kind="package", document=document)
    read = parse_package(bytes(package.payload), max_bytes=len(package.payload))
    assert read.from_organ.organ_id == "000.00.14.H61"
    assert read.document_id.startswith("000.00.14.H61,")
    assert package.edxml_id.startswith("000.00.14.H61,")
    assert readdress_note("000.00.12.H07", team.province.stttt).startswith(
        "Gửi đến mã đã đóng 000.00.12.H07 (Sở Thông tin và Truyền thông, dùng đến 30/06/2025)"
    )
    assert MINISTRY in [o.organ_id for o in read.to_organs]
