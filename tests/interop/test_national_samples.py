"""Conformance with the national exchange: every sample package and status message of the axis
(`tests/exchange/data`, copied from the national samples) is posted to our receiving endpoint as
a partner system would send it, and gets the answer docs/interop.md lists for it ("The national
samples"). The deployment holds units with the samples' recipient codes and, for the status
messages, the document `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT` sent to `000.00.00.H41`."""

import pytest

from tests.interop import support
from tests.interop.test_receive import status_payloads
from tests.support.edxml import DATA, sample
from vanban.accounts.services import unit_create
from vanban.exchange.edxml import (
    Package,
    StaffInfo,
    StatusMessage,
    parse_package,
    read_message,
    read_status,
)
from vanban.exchange.models import Delivery, Inbound
from vanban.exchange.selectors import package_prefill

SAMPLE_ID = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
SENDERS = [
    ("14.00.W00", "Bộ Thông tin và Truyền thông (mẫu 2018)"),
    ("000.00.00.K19", "Cơ quan gửi mẫu K19"),
    ("000.00.00.H41", "Cơ quan nhận mẫu H41"),
    ("000.00.00.G22", "Văn phòng Chính phủ"),
]


@pytest.fixture
def axis(team):
    """Our units with the samples' recipient codes, the partner serving the samples' senders,
    and the sample document we sent to H41 through it."""
    root = team.province.root
    for code, name in [
        ("14.00.W00", "Đơn vị nhận mẫu W00"),
        ("000.00.50.H19", "Đơn vị nhận mẫu H19"),
        ("000.00.00.H14", "Đơn vị nhận mẫu H14"),
    ]:
        abbreviation = "mau" + code[-3:].lower()
        unit_create(
            actor=None, name=name, symbol="M", abbreviation=abbreviation, agency_code=code,
            parent=root,
        )  # fmt: skip
    link = support.partner(team)
    link.partner.codes.all().delete()
    for code, name in SENDERS:
        link.partner.codes.create(agency_code=code, name=name)
    _document, delivery = support.issued_outside(team)
    Delivery.objects.filter(pk=delivery.pk).update(edxml_id=SAMPLE_ID, agency_code="000.00.00.H41")
    return link


def post(client, link, name):
    return client.post(
        support.RECEIVE_URL, sample(name), content_type="application/xml", **link.headers()
    )


UNTRUSTED = (
    "Chữ ký số của văn bản “GUIDE_INSTALL OPENVPN.SIGNED.PDF” không hợp lệ: Chứng thư số không "
    "được cấp bởi tổ chức chứng thực nằm trong danh sách tin cậy của tỉnh."
)
NOT_RECEIVED = (
    "Không có văn bản nào có DocumentId 000.00.00.G22,2015/09/30,7816/VPCP-TTĐT nhận từ "
    "000.00.00.G22 để thu hồi."
)
NO_TAKE_BACK = (
    "Không có đề nghị thu hồi (13) nào đang chờ trả lời; không nhận trạng thái {code} {label}."
)

# Each sample alone, as docs/interop.md ("The national samples") lists it: the HTTP status, the
# outcome (or the refusal's detail) and, for a package, the reason of the 02 sent back.
EXPECTED = {
    # The field package that is not well-formed: repaired and read, then refused on arrival
    # because its signature of 2018 does not chain to the province's trust list.
    "edoc.edxml": (200, "refused", UNTRUSTED),
    "edoc_new.edxml": (200, "refused", UNTRUSTED),
    "edoc_update.edxml": (200, "refused", UNTRUSTED),
    "edoc_replacement.edxml": (200, "refused", UNTRUSTED),
    "edoc_revocation.edxml": (404, NOT_RECEIVED, ""),
    "status.edxml": (200, "applied", ""),
    "status_inbox_01.edxml": (200, "applied", ""),
    "status_rejection_02.edxml": (200, "applied", ""),
    "status_acceptance_03.edxml": (200, "applied", ""),
    "status_assignment_04.edxml": (200, "applied", ""),
    "status_processing_05.edxml": (200, "applied", ""),
    "status_finish_06.edxml": (200, "applied", ""),
    # A take-back asked of us by the agency of the document's own number: we never received it.
    "status_cancellation_13.edxml": (404, NOT_RECEIVED, ""),
    "status_change-acceptance_15.edxml": (
        409,
        NO_TAKE_BACK.format(code="15", label="đồng ý thu hồi/cập nhật"),
        "",
    ),
    "status_change-rejection_16.edxml": (
        409,
        NO_TAKE_BACK.format(code="16", label="từ chối thu hồi/cập nhật"),
        "",
    ),
}


def test_every_national_sample_is_listed():
    assert set(EXPECTED) == {p.name for p in DATA.glob("*.edxml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_national_sample_gets_its_documented_answer(axis, client, name):
    http_status, outcome, reason = EXPECTED[name]
    before = support.snapshot()
    response = post(client, axis, name)
    body = response.json()
    assert response.status_code == http_status, body
    if http_status != 200:
        assert body["detail"] == outcome
        assert support.snapshot() == before  # a refusal keeps nothing
        return
    assert body["outcome"] == outcome
    if name.startswith("edoc"):
        # Refused on arrival: kept with its reason, 02 with the reason in Vietnamese goes back.
        [inbound] = Inbound.objects.filter(kind="package")
        assert (inbound.state, inbound.reason) == ("rejected", reason)
        [(code, description)] = status_payloads()
        assert (code, description) == ("02", reason)
    else:
        delivery = Delivery.objects.get(edxml_id=SAMPLE_ID)
        assert delivery.events.last().code == read_status(sample(name)).code


def test_the_status_samples_in_their_order_follow_the_document(axis, client):
    """01, 03, 04, 05, 06 as the receiving agency would send them, then 02 after 06: refused."""
    for name in [
        "status_inbox_01.edxml",
        "status_acceptance_03.edxml",
        "status_assignment_04.edxml",
        "status_processing_05.edxml",
        "status_finish_06.edxml",
    ]:
        response = post(client, axis, name)
        assert (response.status_code, response.json()["outcome"]) == (200, "applied"), name
    delivery = Delivery.objects.get(edxml_id=SAMPLE_ID)
    assert delivery.status == "06"
    assert [e.code for e in delivery.events.order_by("at", "pk")][-5:] == [
        "01", "03", "04", "05", "06"
    ]  # fmt: skip
    before = support.snapshot()
    late = post(client, axis, "status_rejection_02.edxml")
    assert late.status_code == 409
    assert support.snapshot() == before


# ---------------------------------------------------------------- what the samples fill, read

VPCP_CONTACT = (
    "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội",
    "vpcp@gov.vn",
    "8043100",
    "048989898789",
    "vpcp.vn",
)
NGHE_AN_CONTACT = (
    "Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An, Việt Nam",
    "nghean@gov.vn",
    "0383 840418",
    "0383 843049",
    "www.nghean.vn",
)
VPCP_CLERK = StaffInfo(
    department="Văn thư văn phòng",
    staff="Nguyễn Thị Ngọc Trâm",
    email="vanthuvanphong@gov.vn",
    mobile="84912000001",
)
NGHE_AN_CLERK = StaffInfo(
    department="Phong hanh chinh",
    staff="Nguyen thi ngoc tram",
    email="ngoctram@nghean.vn",
    mobile="84912000001",
)
APPENDIX = "Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"
# Per package sample: From's contact; Place, Competence and Position; OtherInfo (Direction,
# Appendixes, TyperNotation, PromulgationAmount, PageAmount, SphereOfPromulgation); StaffInfo.
PACKAGE_ELEMENTS = {
    "edoc.edxml": (
        (
            "OrganAdd Tầng 2, tòa nhà DETECH, số 8 Tôn Thất Thuyết",
            "vanthucucud@erp.gov.vn",
            "(84-4)37821766",
            "(84-4)35378208",
            "http://www.aita.gov.vn",
        ),
        ("Hà Nội", "Quyền 1", "Bộ trưởng"),
        (None, ["Phụ lục"], "TVC", 10, 2, "Lưu hành nội bộ"),
        None,
    ),
    **{
        name: (
            VPCP_CONTACT,
            ("Hà Nội", "TL. BO TRUONG", "Cuc truong cuc ung dung cong nghe thong tin"),
            (False, [APPENDIX], "TVC", 2, 22, "Liên thông văn bản quốc gia"),
            VPCP_CLERK,
        )
        for name in (
            "edoc_new.edxml",
            "edoc_update.edxml",
            "edoc_replacement.edxml",
            "edoc_revocation.edxml",
        )
    },
}


LIMIT = 50 * 1024 * 1024  # the samples zip their files: the unzipped ones count too


def _contact(organ) -> tuple[str | None, ...]:  # type: ignore[no-untyped-def]
    return (organ.organ_add, organ.email, organ.telephone, organ.fax, organ.website)


def test_every_package_sample_is_listed_with_its_elements():
    assert set(PACKAGE_ELEMENTS) == {name for name in EXPECTED if name.startswith("edoc")}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PACKAGE_ELEMENTS))
def test_the_elements_a_package_sample_fills_are_read(name):
    """Both readers keep what the sample fills beyond the register's fields: the sender's
    contact, the place, the signer's competence, OtherInfo and the clerk (StaffInfo); the
    reception page shows them (exchange/_package_facts.html)."""
    contact, (place, competence, position), other, staff = PACKAGE_ELEMENTS[name]
    data = sample(name)
    flat = parse_package(data, max_bytes=LIMIT)
    assert _contact(flat.from_organ) == contact
    assert (flat.promulgation_place, flat.signer_competence, flat.signer_position) == (
        place,
        competence,
        position,
    )
    assert (
        flat.direction,
        flat.appendixes,
        flat.typer_notation,
        flat.promulgation_amount,
        flat.page_amount,
        flat.sphere,
    ) == other
    assert flat.staff == staff
    assert flat.has_details
    assert package_prefill(package=flat).initial["signer_position"] == f"{competence}, {position}"

    whole = read_message(data, max_bytes=LIMIT)
    assert isinstance(whole, Package)
    header = whole.message
    assert header.from_organ is not None and _contact(header.from_organ) == contact
    assert header.promulgation_info is not None and header.promulgation_info.place == place
    assert header.signer_info is not None and header.signer_info.competence == competence
    assert header.other_info is not None
    assert header.other_info.appendixes == other[1]
    assert header.other_info.direction == (None if other[0] is None else str(other[0]).lower())
    assert (whole.bussiness.staff_info if whole.bussiness else None) == staff


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("status")))
def test_the_contact_and_staff_a_status_sample_fills_are_read(name):
    data = sample(name)
    status = read_status(data)
    if name == "status.edxml":
        contact, staff = NGHE_AN_CONTACT, VPCP_CLERK
    elif name == "status_cancellation_13.edxml":
        contact, staff = (*VPCP_CONTACT[:3], "04", VPCP_CONTACT[4]), NGHE_AN_CLERK
    else:
        contact, staff = NGHE_AN_CONTACT, NGHE_AN_CLERK
    assert _contact(status.from_organ) == contact
    assert status.staff == staff
    whole = read_message(data, max_bytes=LIMIT)
    assert isinstance(whole, StatusMessage)
    assert whole.from_organ is not None and _contact(whole.from_organ) == contact
    assert whole.staff_info == staff
