"""How a unit is reached (address, e-mail, telephone, fax, website): unit data the province admin
keeps, carried with every package the unit sends to other systems (edXML From, as the national
samples carry it)."""

import pytest

from tests.interop import support
from tests.support import drafting
from tests.support.refusals import refused
from tests.support.snapshots import snapshot
from vanban.accounts import services
from vanban.core.errors import ServiceError
from vanban.exchange.edxml import Package, read_message, validate
from vanban.exchange.models import Outbound

pytestmark = pytest.mark.django_db

CONTACT = {
    "address": "Số 1 Đồng Khởi, phường An Hội, tỉnh Vĩnh Long",
    "email": "stttt@bentre.gov.vn",
    "phone": "(0275) 3 822 222",
    "fax": "0275.3822223",
    "website": "https://stttt.bentre.gov.vn",
}


def _update(province, **contact):  # type: ignore[no-untyped-def]
    unit = province.stttt
    return services.unit_update(
        actor=province.province_admin,
        unit=unit,
        name=unit.name,
        symbol=unit.symbol,
        abbreviation=unit.abbreviation,
        agency_code=unit.agency_code,
        is_active=True,
        **contact,
    )


def test_the_province_admin_records_how_a_unit_is_reached(province):
    unit = _update(province, **CONTACT)
    unit.refresh_from_db()
    assert {key: getattr(unit, key) for key in CONTACT} == CONTACT
    # Edited without the contact fields (an older caller), they stay.
    _update(province)
    unit.refresh_from_db()
    assert unit.email == CONTACT["email"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "stttt@", "Địa chỉ thư điện tử “stttt@” không hợp lệ."),
        (
            "phone",
            "gọi tôi",
            "Số điện thoại chỉ gồm chữ số, khoảng trắng và các dấu + ( ) . - (3 đến 50 ký tự).",
        ),
        (
            "fax",
            "0275/38",
            "Số fax chỉ gồm chữ số, khoảng trắng và các dấu + ( ) . - (3 đến 50 ký tự).",
        ),
        (
            "website",
            "stttt.bentre.gov.vn",
            "Trang thông tin điện tử phải là địa chỉ http:// hoặc https:// đầy đủ.",
        ),
        (
            "website",
            "javascript:alert(1)",
            "Trang thông tin điện tử phải là địa chỉ http:// hoặc https:// đầy đủ.",
        ),
        ("address", "x" * 256, "Địa chỉ dài quá 255 ký tự."),
    ],
)
def test_malformed_contact_data_is_refused_and_nothing_changes(province, field, value, message):
    before = snapshot()
    refused(lambda: _update(province, **{field: value}), ServiceError, message, field)
    assert snapshot() == before


def test_the_unit_page_edits_the_contact_data(province, client_for):
    client = client_for(province.province_admin)
    unit = province.stttt
    url = f"/tai-khoan/quan-tri/don-vi/{unit.pk}/sua/"
    page = client.get(url).content.decode()
    for label in ("Địa chỉ", "Thư điện tử", "Điện thoại", "Fax", "Trang thông tin điện tử"):
        assert label in page
    form = {
        "name": unit.name,
        "symbol": unit.symbol,
        "abbreviation": unit.abbreviation,
        "agency_code": unit.agency_code,
        "is_active": "on",
        **CONTACT,
    }
    assert client.post(url, form).status_code == 302
    unit.refresh_from_db()
    assert {key: getattr(unit, key) for key in CONTACT} == CONTACT
    bad = client.post(url, {**form, "email": "khong-phai-thu"})
    assert bad.status_code == 200
    assert "Địa chỉ thư điện tử “khong-phai-thu” không hợp lệ." in bad.content.decode()


def test_a_package_carries_how_the_sending_unit_is_reached(team, own_storage):
    _update(team.province, **CONTACT)
    support.partner(team)
    _draft, document = drafting.issued(team)
    message = Outbound.objects.get(document=document, kind="package")
    data = bytes(message.payload)
    assert validate(data) == []
    package = read_message(data, max_bytes=len(data) + 1)
    assert isinstance(package, Package)
    sender = package.message.from_organ
    assert (sender.organ_add, sender.email, sender.telephone, sender.fax, sender.website) == (
        CONTACT["address"],
        CONTACT["email"],
        CONTACT["phone"],
        CONTACT["fax"],
        CONTACT["website"],
    )


def test_the_place_name_is_unit_data_edited_on_the_unit_page(province, client_for):
    """The place name written before the date ("Vĩnh Long, ngày … tháng … năm …"): empty by
    default, kept as given, refused over 100 characters with nothing changed."""
    unit = province.stttt
    assert unit.place_name == ""
    _update(province, place_name="  Vĩnh   Long ")
    unit.refresh_from_db()
    assert unit.place_name == "Vĩnh Long"
    _update(province)  # an older caller leaves it as it is
    unit.refresh_from_db()
    assert unit.place_name == "Vĩnh Long"
    before = snapshot()
    refused(
        lambda: _update(province, place_name="x" * 101),
        ServiceError,
        "Địa danh dài quá 100 ký tự.",
        "place_name",
    )
    assert snapshot() == before

    client = client_for(province.province_admin)
    url = f"/tai-khoan/quan-tri/don-vi/{unit.pk}/sua/"
    page = client.get(url).content.decode()
    assert "Địa danh" in page and 'value="Vĩnh Long"' in page
    form = {
        "name": unit.name,
        "symbol": unit.symbol,
        "abbreviation": unit.abbreviation,
        "agency_code": unit.agency_code,
        "is_active": "on",
        "place_name": "Bến Tre",
    }
    assert client.post(url, form).status_code == 302
    unit.refresh_from_db()
    assert unit.place_name == "Bến Tre"
    bad = client.post(url, {**form, "place_name": "y" * 101})
    assert bad.status_code == 200
    assert "Địa danh dài quá 100 ký tự." in bad.content.decode()
    unit.refresh_from_db()
    assert unit.place_name == "Bến Tre"
