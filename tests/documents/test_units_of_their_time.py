"""A document keeps the unit of its time (docs/reorganisation.md): its page names its unit and
its issuing unit as they were when it was registered and issued, and the search finds the
documents of an ended, renamed unit by the name of its time and through the unit filter."""

import datetime as dt
import re

from django.utils import timezone

from tests.support.documents import DECLARED, doc_type
from tests.support.files import pdf_upload
from tests.support.province import make_user
from vanban.accounts import services as accounts
from vanban.accounts.models import Role, RoleAssignment, Unit, UnitChangeKind, UnitLink, User
from vanban.accounts.unit_history import unit_record_write
from vanban.core import clock
from vanban.documents import services
from vanban.documents.services import DocumentInput

SEARCH = "/van-ban/tim-kiem/"
ISSUED_AT = timezone.make_aware(dt.datetime(2025, 5, 12, 9, 30))
LAST_DAY = dt.date(2025, 6, 30)


def old_unit_document(office):
    """An outgoing document of "Phòng Bưu chính" (000.01.12.H07), registered in May 2025; the
    phòng was renamed "Phòng Bưu chính - Viễn thông" (000.02.12.H07) on 01/06/2025 and merged
    into Sở TT&TT on 01/07/2025. Its clerk keeps reading its registers."""
    unit = accounts.unit_create(
        actor=None,
        name="Phòng Bưu chính",
        symbol="PBC",
        abbreviation="pbcstttt",
        agency_code="000.01.12.H07",
        parent=office.province.stttt,
        start_date=dt.date(2021, 1, 1),
    )
    clerk = make_user(unit, "Đỗ Thị Bưu", (Role.CLERK,))
    with clock.frozen(ISSUED_AT):
        document = services.outgoing_register(
            actor=clerk,
            unit=unit,
            data=DocumentInput(
                document_type=doc_type("Công văn"),
                subject="V/v rà soát mạng bưu chính công cộng",
                recipients="Các huyện, thành phố",
                signer_name="Phạm Minh Đức",
            ),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )
    unit_record_write(unit, valid_until=dt.date(2025, 5, 31), kind=UnitChangeKind.RENAMED)
    Unit.objects.filter(pk=unit.pk).update(
        name="Phòng Bưu chính - Viễn thông",
        abbreviation="pbcvtstttt",
        agency_code="000.02.12.H07",
        end_date=LAST_DAY,
        is_active=False,
    )
    UnitLink.objects.create(
        predecessor=unit,
        successor=office.province.stttt,
        kind=UnitChangeKind.MERGED,
        effective_date=LAST_DAY + dt.timedelta(days=1),
    )
    return clerk, unit, document


def test_the_document_page_names_the_unit_of_its_time(office, client_for):
    clerk, unit, document = old_unit_document(office)
    assert document.issuer_unit_id == unit.pk
    page = client_for(clerk).get(f"/van-ban/{document.pk}/").content.decode()
    own = re.search(r'<td id="document-unit">(.*?)</td>', page, re.S).group(1)
    assert own.startswith("Phòng Bưu chính <span")
    assert "(nay là Phòng Bưu chính - Viễn thông)" in own
    assert "(hoạt động 01/01/2021 – 30/06/2025)" in own
    issuer = re.search(r'<td id="document-issuer">(.*?)</td>', page, re.S).group(1)
    assert issuer.startswith("Phòng Bưu chính <span")
    assert "(mã định danh 000.01.12.H07)" in issuer
    assert "(nay là Phòng Bưu chính - Viễn thông)" in issuer


def test_a_document_of_a_unit_that_did_not_change_shows_it_plainly(office, client_for):
    with clock.frozen(ISSUED_AT):
        document = services.outgoing_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=DocumentInput(
                document_type=doc_type("Công văn"),
                subject="V/v thử",
                recipients="Các sở",
                signer_name="Phạm Minh Đức",
            ),
            refusals=DECLARED,
            main_file=pdf_upload(),
        )
    page = client_for(office.clerk).get(f"/van-ban/{document.pk}/").content.decode()
    assert '<td id="document-unit">Sở Thông tin và Truyền thông</td>' in page
    assert "nay là" not in page


def test_the_search_finds_an_ended_units_documents_by_its_old_name_and_filter(office, client_for):
    _old_clerk, unit, document = old_unit_document(office)
    # The clerk of Sở TT&TT keeps the registers of the phòng it took in (its reader since the
    # merge), and the registers of the Sở.
    RoleAssignment.objects.create(user=office.clerk, unit=unit, role=Role.CLERK)
    clerk = User.objects.get(pk=office.clerk.pk)
    client = client_for(clerk)
    found = client.get(SEARCH, {"q": "Phòng Bưu chính"}).content.decode()
    assert f'href="/van-ban/{document.pk}/"' in found
    # The unit filter lists the ended unit with its period.
    form = client.get(SEARCH).content.decode()
    select = re.search(r'<select name="unit".*?</select>', form, re.S).group(0)
    option = re.search(rf'<option value="{unit.pk}"[^>]*>(.*?)</option>', select).group(1)
    assert option == (
        "Phòng Bưu chính - Viễn thông – Sở Thông tin và Truyền thông (01/01/2021 – 30/06/2025)"
    )
    filtered = client.get(SEARCH, {"unit": unit.pk}).content.decode()
    assert f'href="/van-ban/{document.pk}/"' in filtered
    # It stays the ended unit's document (CV 414/BNV-VTLTNN), not the Sở's.
    elsewhere = client.get(SEARCH, {"unit": clerk.unit_id, "q": "bưu chính công cộng"})
    assert f'href="/van-ban/{document.pk}/"' not in elsewhere.content.decode()
