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
from vanban.exchange.edxml import read_status
from vanban.exchange.models import Delivery, Inbound

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
