"""The agency directory a scan's issuing body is matched against (exchange.directory; docs/ocr.md,
"Proposed record"): the active units named with their parent, and the open codes of partner
systems, in two queries whatever their number."""

import datetime as dt

import pytest

from tests.support.province import add_districts
from vanban.core import clock
from vanban.documents.ocr_fields import DirectoryEntry, match_directory
from vanban.exchange.directory import agency_directory
from vanban.exchange.models import Partner, PartnerCode

BEN_TRE = "Ủy ban nhân dân tỉnh Bến Tre"


@pytest.fixture
def partner_codes(province):
    partner = Partner.objects.create(
        name="Trục liên thông quốc gia", endpoint="https://truc.example/goi", created_at=clock.now()
    )
    PartnerCode.objects.create(partner=partner, agency_code="000.00.00.G12", name="Bộ Nội vụ")
    PartnerCode.objects.create(
        partner=partner, agency_code="000.00.02.H62", name="Sở Tài chính tỉnh Vĩnh Long"
    )
    # Closed by the merger of provinces: issues nothing new.
    PartnerCode.objects.create(
        partner=partner,
        agency_code="000.00.00.H59",
        name="Ủy ban nhân dân tỉnh Trà Vinh",
        closed_on=dt.date(2025, 7, 1),
        successor_code="000.00.00.H62",
    )
    # A partner that also lists one of our units: the unit is listed once, as ours.
    PartnerCode.objects.create(partner=partner, agency_code="000.00.05.H07", name="Sở Nội vụ")
    return partner


def test_units_with_their_parent_then_open_partner_codes(province, partner_codes):
    entries = agency_directory()

    assert entries == [
        DirectoryEntry(BEN_TRE, "000.00.00.H07", province.root.pk),
        DirectoryEntry(f"Sở Nội vụ – {BEN_TRE}", "000.00.05.H07", province.snv.pk),
        DirectoryEntry(
            f"Sở Thông tin và Truyền thông – {BEN_TRE}", "000.00.12.H07", province.stttt.pk
        ),
        DirectoryEntry("Bộ Nội vụ", "000.00.00.G12"),
        DirectoryEntry("Sở Tài chính tỉnh Vĩnh Long", "000.00.02.H62"),
    ]


def test_an_inactive_unit_is_not_listed(province):
    province.snv.is_active = False
    province.snv.save(update_fields=["is_active"])

    assert province.snv.pk not in {entry.unit_id for entry in agency_directory()}


def test_the_directory_costs_two_queries_whatever_its_size(
    province, partner_codes, django_assert_num_queries
):
    with django_assert_num_queries(2):
        small = agency_directory()
    add_districts(province.root, ["Châu Thành", "Giồng Trôm", "Ba Tri", "Bình Đại"])
    PartnerCode.objects.create(
        partner=partner_codes, agency_code="000.00.00.G09", name="Bộ Tài chính"
    )

    with django_assert_num_queries(2):
        large = agency_directory()

    assert len(large) == len(small) + 4 * 3 + 1
    # A district's office is named with its district, which tells the many offices apart.
    offices = [entry for entry in large if entry.name == "Phòng Nội vụ – UBND huyện Ba Tri"]
    assert [entry.code for entry in offices] == ["000.01.42.H07"]


def test_the_directory_matches_headings_read_from_scans(province, partner_codes):
    directory = agency_directory()

    department, _score = match_directory(["UBND TỈNH BẾN TRE", "SỞ NỘI VỤ"], directory)
    outside, _score = match_directory(["UBND TỈNH VĨNH LONG", "SỞ TÀI CHÍNH"], directory)
    closed, _score = match_directory(["ỦY BAN NHÂN DÂN", "TỈNH TRÀ VINH"], directory)

    assert department is not None and department.unit_id == province.snv.pk
    assert outside == DirectoryEntry("Sở Tài chính tỉnh Vĩnh Long", "000.00.02.H62")
    assert closed is None
