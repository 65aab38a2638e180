"""The directory of partner codes across a reorganisation (QĐ 09/2025/QĐ-TTg): the published list
gives closed codes with the day they closed and their successor (two more columns; older files
still import), a malformed file is refused with a Vietnamese reason and nothing imported, a
document sent to a closed code goes to its successor with a notice, and the directory page
shows closed codes with their successor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.interop import support
from tests.interop.support import VINH_LONG, VINH_LONG_NAME
from tests.support.drafting import issued
from vanban.core.errors import ServiceError
from vanban.drafting.services import ExternalRecipient
from vanban.exchange.addressing import READDRESSED_LABEL
from vanban.exchange.edxml import parse_package
from vanban.exchange.models import Delivery, Outbound, Partner, PartnerCode, Transport
from vanban.exchange.partners import services

TRA_VINH = "000.00.00.H59"
TRA_VINH_STTTT = "000.00.12.H59"
HEADER = "he_thong,ma_dinh_danh,ten_co_quan,ngay_dong,ma_ke_thua\n"
BASE = "/lien-thong/he-thong-khac/"


@pytest.fixture
def link(team):
    return support.partner(team)


def published(partner: Partner) -> str:
    name = partner.name
    return HEADER + (
        f"{name},{VINH_LONG},{VINH_LONG_NAME},,\n"
        f"{name},{TRA_VINH},Ủy ban nhân dân tỉnh Trà Vinh,01/07/2025,{VINH_LONG}\n"
        f"{name},{TRA_VINH_STTTT},Sở Thông tin và Truyền thông tỉnh Trà Vinh,2025-07-01,"
        f"{TRA_VINH}\n"
    )


def test_the_published_list_gives_closed_codes_and_their_successors(team, link):
    admin = team.province.province_admin

    assert services.codes_import(actor=admin, text=published(link.partner)) == 3

    closed = PartnerCode.objects.get(agency_code=TRA_VINH)
    assert (str(closed.closed_on), closed.successor_code) == ("2025-07-01", VINH_LONG)
    assert PartnerCode.objects.get(agency_code=VINH_LONG).closed_on is None
    # A closed code whose successor closed too goes to the end of the chain.
    chain = services.partner_code_successor(TRA_VINH_STTTT)
    assert (chain.successor_code, chain.successor_name) == (VINH_LONG, VINH_LONG_NAME)
    assert chain.note == (
        "Mã định danh 000.00.12.H59 (Sở Thông tin và Truyền thông tỉnh Trà Vinh) đã đóng từ "
        "ngày 01/07/2025; văn bản được gửi cho cơ quan kế thừa Ủy ban nhân dân tỉnh Vĩnh Long "
        "(000.00.00.H62)."
    )
    assert services.partner_code_successor(VINH_LONG) is None

    # A file of the former layout still imports, and leaves the closed codes as they are.
    older = (
        "he_thong,ma_dinh_danh,ten_co_quan\n" + f"{link.partner.name},{TRA_VINH},UBND Trà Vinh\n"
    )
    assert services.codes_import(actor=admin, text=older) == 1
    closed.refresh_from_db()
    assert (closed.name, str(closed.closed_on), closed.successor_code) == (
        "UBND Trà Vinh",
        "2025-07-01",
        VINH_LONG,
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "{p},000.00.00.H59,UBND Trà Vinh,31/02/2025,000.00.00.H62",
            "Dòng 3: ngày đóng mã “31/02/2025” không đúng: Ngày 31/02/2025 không có trên lịch; "
            "hãy kiểm tra ngày và tháng.",
        ),
        (
            "{p},000.00.00.H59,UBND Trà Vinh,mùng một tháng bảy,000.00.00.H62",
            "Dòng 3: ngày đóng mã “mùng một tháng bảy” không đúng: Ngày phải theo dạng dd/mm/yyyy",
        ),
        (
            "{p},000.00.00.H59,UBND Trà Vinh,,000.00.00.H62",
            "Dòng 3: có mã kế thừa 000.00.00.H62 nhưng không ghi ngày đóng mã.",
        ),
        (
            "{p},000.00.00.H59,UBND Trà Vinh,01/07/2025,H62",
            "Dòng 3: mã định danh “H62” không đúng dạng",
        ),
        (
            "{p},000.00.00.H59,UBND Trà Vinh,01/07/2025,000.00.00.H59",
            "Dòng 3: mã kế thừa trùng với chính mã 000.00.00.H59.",
        ),
        (
            "{p},000.00.00.H59,UBND Trà Vinh,01/07/2025,000.00.00.H84",
            "Dòng 3: mã kế thừa 000.00.00.H84 của 000.00.00.H59 không có trong tệp, trong danh "
            "bạ, cũng không phải đơn vị của hệ thống này.",
        ),
    ],
)
def test_a_malformed_list_is_refused_and_nothing_imported(team, link, line, reason):
    before = list(PartnerCode.objects.values_list("agency_code", "name", "closed_on"))
    text = (
        HEADER
        + f"{link.partner.name},000.00.00.G12,Bộ Tài chính,,\n"
        + line.format(p=link.partner.name)
    )
    with pytest.raises(ServiceError) as refused:
        services.codes_import(actor=team.province.province_admin, text=text)
    assert reason in refused.value.message
    assert list(PartnerCode.objects.values_list("agency_code", "name", "closed_on")) == before


def test_the_import_page_refuses_a_malformed_list_with_the_reason(team, link, client_for):
    client = client_for(team.province.province_admin)
    text = HEADER + f"{link.partner.name},{TRA_VINH},UBND Trà Vinh,30/13/2025,{VINH_LONG}\n"
    upload = SimpleUploadedFile("danh-ba.csv", text.encode(), content_type="text/csv")
    response = client.post(f"{BASE}ma-dinh-danh/", {"file": upload})
    assert response.status_code == 200
    assert "Dòng 2: ngày đóng mã “30/13/2025” không đúng: Không có tháng 13" in (
        response.content.decode()
    )
    assert not PartnerCode.objects.filter(agency_code=TRA_VINH).exists()


def test_a_document_sent_to_a_closed_code_goes_to_its_successor_with_a_notice(team, link):
    services.codes_import(actor=team.province.province_admin, text=published(link.partner))

    _draft, document = issued(
        team,
        external=[ExternalRecipient("Sở Thông tin và Truyền thông tỉnh Trà Vinh", TRA_VINH_STTTT)],
    )

    delivery = Delivery.objects.exclude(transport=Transport.LOCAL).get(document=document)
    assert (delivery.agency_code, delivery.recipient_name) == (VINH_LONG, VINH_LONG_NAME)
    note = services.partner_code_successor(TRA_VINH_STTTT).note
    assert list(delivery.events.values_list("label", "note")) == [(READDRESSED_LABEL, note)]
    package = Outbound.objects.get(kind="package", document=document)
    assert package.to_code == VINH_LONG
    read = parse_package(bytes(package.payload), max_bytes=len(package.payload))
    assert [o.organ_id for o in read.to_organs] == [VINH_LONG]
    assert team.clerk.notifications.filter(title__contains=note[:80]).exists()
    # The sender's status page shows it.
    from django.test import Client

    browser = Client()
    browser.force_login(team.clerk)
    page = browser.get(f"/lien-thong/van-ban/{document.pk}/").content.decode()
    assert note in page


def test_a_closed_code_without_successor_is_not_sent(team, link):
    text = HEADER + f"{link.partner.name},{TRA_VINH},UBND Trà Vinh,01/07/2025,\n"
    services.codes_import(actor=team.province.province_admin, text=text)
    _draft, document = issued(team, external=[ExternalRecipient("UBND Trà Vinh", TRA_VINH)])
    assert not Delivery.objects.exclude(transport=Transport.LOCAL).filter(document=document)
    assert services.unrouted(document, [TRA_VINH]) == [TRA_VINH]


def _page(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BASE)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_directory_page_shows_closed_codes_with_their_successor(team, link, client_for):
    client = client_for(team.province.province_admin)
    _page(client)  # the session and the caches are warm
    _before, few = _page(client)
    services.codes_import(actor=team.province.province_admin, text=published(link.partner))

    page, many = _page(client)

    assert "mã đã đóng từ 01/07/2025, kế thừa: <code>000.00.00.H62</code>" in page
    assert "mã đã đóng từ 01/07/2025, kế thừa: <code>000.00.00.H59</code>" in page
    assert many == few  # the same queries however many codes the directory holds
