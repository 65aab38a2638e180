"""Our packages and status messages carry every element the national samples fill, when we hold
the data (QCVN 102:2016/BTTTT; docs/interop.md, "What a package carries"): the issuing unit's
place name (PromulgationInfo/Place), the signer's competence (SignerInfo/Competence), the drafter
(Bussiness/StaffInfo), whether an answer is asked (OtherInfo/Direction) and the attachments
(OtherInfo/Appendixes); a status message carries the responding unit's contact (From) and the
person who acted (StaffInfo). Each package is checked against the schema, read back by both
readers and written again unchanged."""

import datetime as dt

import pytest

from tests.interop import support
from tests.support import drafting
from vanban.accounts import services as account_services
from vanban.exchange.edxml import (
    Package,
    StatusMessage,
    parse_package,
    read_message,
    read_status,
    validate,
    write_message,
)
from vanban.exchange.models import Inbound, Outbound
from vanban.exchange.partners import services
from vanban.exchange.partners.packages import package_for_document
from vanban.exchange.selectors import package_prefill

pytestmark = pytest.mark.django_db

CONTACT = {
    "address": "Số 1 Đồng Khởi, phường An Hội, tỉnh Vĩnh Long",
    "email": "stttt@vinhlong.gov.vn",
    "phone": "(0270) 3 822 222",
    "fax": "0270.3822223",
    "website": "https://stttt.vinhlong.gov.vn",
}
DUE = dt.date(2026, 12, 31)


def _unit_data(unit, actor, **values):  # type: ignore[no-untyped-def]
    return account_services.unit_update(
        actor=actor,
        unit=unit,
        name=unit.name,
        symbol=unit.symbol,
        abbreviation=unit.abbreviation,
        agency_code=unit.agency_code,
        is_active=True,
        **values,
    )


def _package(document) -> tuple[bytes, Package]:  # type: ignore[no-untyped-def]
    message = Outbound.objects.get(document=document, kind="package")
    data = bytes(message.payload)
    assert validate(data) == []
    package = read_message(data, max_bytes=len(data) + 1)
    assert isinstance(package, Package)
    # Read and written again, the package is the same bytes: nothing read is lost.
    assert write_message(package) == data
    return data, package


@pytest.fixture
def full(team, own_storage):  # type: ignore[no-untyped-def]
    """A document issued with everything the samples fill: the unit's contact and place name,
    a drafter with e-mail and mobile, a KT. signer, a due date, an attachment, 3 copies."""
    province = team.province
    _unit_data(province.stttt, province.province_admin, place_name="Vĩnh Long", **CONTACT)
    team.drafter.email, team.drafter.phone = "chuyenvien@vinhlong.gov.vn", "0912 345 678"
    team.drafter.save(update_fields=["email", "phone"])
    link = support.partner(team)
    draft = drafting.create_draft(team, due_date=DUE)
    drafting.to_approved(team, draft)
    drafting.to_signed(team, draft)
    document = drafting.issue(
        team, draft, issued_amount=3, attachments=[drafting.pdf("Phụ lục danh sách.pdf")]
    )
    return draft, document, link


def test_a_package_carries_every_element_the_samples_fill(team, full):
    draft, document, _link = full
    data, package = _package(document)
    header = package.message
    sender = header.from_organ
    assert sender is not None
    assert (sender.organ_add, sender.email, sender.telephone, sender.fax, sender.website) == (
        CONTACT["address"],
        CONTACT["email"],
        CONTACT["phone"],
        CONTACT["fax"],
        CONTACT["website"],
    )
    assert header.promulgation_info is not None
    assert header.promulgation_info.place == "Vĩnh Long"
    assert header.promulgation_info.date == document.issued_date
    assert header.signer_info is not None
    assert (
        header.signer_info.competence,
        header.signer_info.position,
        header.signer_info.full_name,
    ) == ("KT. GIÁM ĐỐC", "Phó Giám đốc", team.signer.full_name)
    assert header.due == DUE
    assert header.steering_type == "1"
    other = header.other_info
    assert other is not None
    assert (
        other.priority,
        other.sphere_of_promulgation,
        other.promulgation_amount,
        other.direction,
        other.appendixes,
    ) == ("0", "Liên thông văn bản", "3", "true", ["Phụ lục danh sách.pdf"])
    assert other.page_amount == str(document.page_amount or 1)
    assert package.bussiness is not None
    staff = package.bussiness.staff_info
    assert staff is not None
    assert (staff.department, staff.staff, staff.email, staff.mobile) == (
        draft.unit.name,
        team.drafter.full_name,
        "chuyenvien@vinhlong.gov.vn",
        "0912 345 678",
    )
    # The main document first, then the appendix the OtherInfo names.
    assert [a.attachment_name for a in package.attachments or []][1:] == ["Phụ lục danh sách.pdf"]

    # The reader a clerk's registration uses keeps them too, and the form takes the title.
    flat = parse_package(data, max_bytes=len(data) + 1)
    assert (flat.promulgation_place, flat.signer_competence, flat.signer_position) == (
        "Vĩnh Long",
        "KT. GIÁM ĐỐC",
        "Phó Giám đốc",
    )
    assert (flat.direction, flat.appendixes, flat.promulgation_amount) == (
        True,
        ["Phụ lục danh sách.pdf"],
        3,
    )
    assert flat.staff == staff
    assert (flat.from_organ.organ_add, flat.from_organ.website) == (
        CONTACT["address"],
        CONTACT["website"],
    )
    assert flat.has_details
    prefill = package_prefill(package=flat)
    assert prefill.initial["signer_position"] == "KT. GIÁM ĐỐC, Phó Giám đốc"


def test_what_we_do_not_hold_is_left_out_as_the_schema_allows(team, own_storage):
    """No place name, a signer in their own right, a drafter without e-mail or mobile, no due
    date, no attachment: those elements are absent (Direction says "false")."""
    support.partner(team)
    _draft, document = drafting.issued(
        team, authority="", authority_title="", signer_position="Giám đốc"
    )
    data, package = _package(document)
    header = package.message
    assert header.promulgation_info is not None
    assert header.promulgation_info.place is None
    assert b"<edXML:Place>" not in data.split(b"<edXML:ToPlaces>")[0]
    assert header.signer_info is not None
    assert (header.signer_info.competence, header.signer_info.position) == (None, "Giám đốc")
    assert b"Competence" not in data
    other = header.other_info
    assert other is not None
    assert (other.direction, other.appendixes) == ("false", None)
    assert b"Appendixes" not in data
    assert header.due_date is None
    assert package.bussiness is not None
    staff = package.bussiness.staff_info
    assert staff is not None
    assert (staff.staff, staff.email, staff.mobile) == (team.drafter.full_name, None, None)

    flat = parse_package(data, max_bytes=len(data) + 1)
    assert (flat.promulgation_place, flat.signer_competence, flat.direction) == ("", "", False)
    assert package_prefill(package=flat).initial["signer_position"] == "Giám đốc"


def test_a_document_without_a_draft_carries_the_register_title_and_no_staff(team, full):
    """A document registered by hand has no draft: Position is the register's title."""
    draft, document, _link = full
    draft.document = None
    draft.save(update_fields=["document"])
    document.refresh_from_db()
    data, _document_id = package_for_document(document, to_code="000.00.00.G22", to_name="Bộ")
    assert validate(data) == []
    package = read_message(data, max_bytes=len(data) + 1)
    assert isinstance(package, Package)
    assert package.message.signer_info is not None
    assert package.message.signer_info.competence is None
    assert package.message.signer_info.position == document.signer_position
    assert package.bussiness is not None and package.bussiness.staff_info is None


def test_a_status_message_carries_the_unit_contact_and_who_acted(team, own_storage, client):
    province = team.province
    _unit_data(province.snv, province.province_admin, **CONTACT)
    team.clerk_snv.email, team.clerk_snv.phone = "vanthu@snv.vinhlong.gov.vn", "0270 3 811 111"
    team.clerk_snv.save(update_fields=["email", "phone"])
    link = support.partner(team)
    _draft, document = drafting.issued(team)
    response = client.post(
        support.RECEIVE_URL,
        support.readdressed(document, to=province.snv.agency_code),
        content_type="application/xml",
        **link.headers(),
    )
    assert response.status_code == 200, response.json()
    inbound = Inbound.objects.get(kind="package")
    services.inbound_refuse(actor=team.clerk_snv, inbound=inbound, reason="Không đúng nơi nhận")

    arrival, refusal = Outbound.objects.filter(kind="status").order_by("created_at", "pk")
    for row in (arrival, refusal):
        data = bytes(row.payload)
        assert validate(data) == []
        message = read_message(data, max_bytes=len(data) + 1)
        assert isinstance(message, StatusMessage)
        assert message.from_organ is not None
        assert (message.from_organ.organ_id, message.from_organ.email) == (
            province.snv.agency_code,
            CONTACT["email"],
        )
        assert (message.from_organ.organ_add, message.from_organ.telephone) == (
            CONTACT["address"],
            CONTACT["phone"],
        )
    # On arrival nobody acted yet: the unit only. The refusal names the clerk.
    first = read_status(bytes(arrival.payload))
    assert first.staff is not None
    assert (first.staff.department, first.staff.staff) == (province.snv.name, "")
    refused = read_status(bytes(refusal.payload))
    assert refused.staff is not None
    assert (
        refused.staff.department,
        refused.staff.staff,
        refused.staff.email,
        refused.staff.mobile,
    ) == (
        team.clerk_snv.unit.name,
        team.clerk_snv.full_name,
        "vanthu@snv.vinhlong.gov.vn",
        "0270 3 811 111",
    )
    assert refused.from_organ.fax == CONTACT["fax"]


def test_the_reception_page_shows_what_the_package_says(team, full, client, client_for):
    """The clerk of the recipient unit sees the place, the competence, the sender's contact, who
    handled the document there, that an answer is asked, the appendix and the copies; the form
    takes the signer's title with the competence."""
    _draft, document, link = full
    province = team.province
    response = client.post(
        support.RECEIVE_URL,
        support.readdressed(document, to=province.snv.agency_code),
        content_type="application/xml",
        **link.headers(),
    )
    assert response.status_code == 200, response.json()
    inbound = Inbound.objects.get(kind="package")
    page = client_for(team.clerk_snv).get(f"/lien-thong/he-thong-khac/den/{inbound.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        '<tr id="package-place"><th>Địa danh</th><td>Vĩnh Long</td></tr>',
        '<tr id="package-competence"><th>Thẩm quyền ký</th><td>KT. GIÁM ĐỐC</td></tr>',
        CONTACT["address"],
        f"Điện thoại: {CONTACT['phone']} · Fax: {CONTACT['fax']}",
        # readdressed() names the sender (and so the drafting unit) as the Vĩnh Long agency
        f"{team.drafter.full_name} – {support.VINH_LONG_NAME}",
        "Điện thoại: 0912 345 678 · Thư điện tử: chuyenvien@vinhlong.gov.vn",
        '<tr id="package-direction">',
        "<td>Phụ lục danh sách.pdf</td>",
        '<tr id="package-copies"><th>Số lượng bản</th><td>3</td></tr>',
        'value="KT. GIÁM ĐỐC, Phó Giám đốc"',
    ):
        assert text in html, text
