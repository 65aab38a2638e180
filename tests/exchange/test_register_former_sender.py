"""The sender of a package is a unit of ours that has ended or changed code since: the register
form fills the issuing body as it was on the document's date, not as the clerk would type it
(QĐ 09/2025/QĐ-TTg; docs/reorganisation.md, "Former units as senders, reminders, former names")."""

import datetime as dt
import html as html_lib

import pytest

from tests.exchange.test_register_page import (
    NOW,
    final_post,
    input_value,
    read_package,
    selected,
    token_of,
)
from tests.support.edxml import build_package
from tests.support.province import add_unit
from vanban.accounts.models import UnitChangeKind, UnitLink
from vanban.accounts.unit_history import unit_record_write
from vanban.core import clock
from vanban.documents.models import Document

pytestmark = pytest.mark.django_db

ENDED = dt.date(2025, 6, 30)
NO_UNIT = "— Cơ quan ngoài hệ thống (nhập tên bên dưới) —"


@pytest.fixture(autouse=True)
def _fixed_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def merged(office):
    """Sở Giao thông vận tải ended on 30/06/2025, carried on by Sở Xây dựng."""
    root = office.province.root
    old = add_unit("Sở Giao thông vận tải", "SGTVT", "sgtvt", "000.00.20.H07", root)
    new = add_unit("Sở Xây dựng", "SXD", "sxd", "000.00.21.H07", root)
    old.end_date, old.is_active = ENDED, False
    old.save(update_fields=["end_date", "is_active"])
    UnitLink.objects.create(
        predecessor=old,
        successor=new,
        kind=UnitChangeKind.MERGED,
        effective_date=ENDED + dt.timedelta(days=1),
    )
    return old, new


@pytest.fixture
def renamed(office):
    """Sở Tài nguyên và Môi trường (000.00.30.H07) became Sở Nông nghiệp và Môi trường
    (000.00.31.H07) on 01/07/2025, the same unit."""
    unit = add_unit(
        "Sở Tài nguyên và Môi trường", "STNMT", "stnmt", "000.00.30.H07", office.province.root
    )
    unit_record_write(unit, valid_until=ENDED, kind=UnitChangeKind.RENAMED)
    unit.name, unit.symbol, unit.agency_code = (
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        "000.00.31.H07",
    )
    unit.save(update_fields=["name", "symbol", "agency_code"])
    return unit


def test_an_ended_units_code_fills_its_name_and_code_of_the_day(office, client_for, merged):
    client = client_for(office.clerk)
    data = build_package(
        from_id="000.00.20.H07", from_name="SGTVT Bến Tre", promulgation_date="2025/06/20"
    )
    html = html_lib.unescape(read_package(client, data).content.decode())
    assert selected(html, "issuer_unit") == [NO_UNIT]
    assert input_value(html, "issuer_name") == "Sở Giao thông vận tải"
    assert input_value(html, "issuer_code") == "000.00.20.H07"
    assert (
        "Cơ quan gửi mang mã đã đóng 000.00.20.H07: Sở Giao thông vận tải (đơn vị đã kết thúc "
        "của hệ thống, chấm dứt hoạt động 30/06/2025; đơn vị kế thừa: Sở Xây dựng "
        "(000.00.21.H07)). Tên và mã cơ quan ban hành được điền theo đơn vị vào ngày "
        "văn bản (20/06/2025)."
    ) in html

    # The clerk registers it as filled: the document keeps the sender of its day.
    response = client.post(
        "/van-ban/den/vao-so/",
        final_post(
            office,
            token_of(html),
            code_number="25",
            code_notation="UBND-VP",
            issued_date="2025-06-20",
            issuer_name=input_value(html, "issuer_name"),
            issuer_code=input_value(html, "issuer_code"),
            confirm_signatures=None,
            signature_reason=None,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert (document.issuer_unit_id, document.issuer_name, document.issuer_code) == (
        None,
        "Sở Giao thông vận tải",
        "000.00.20.H07",
    )


def test_a_former_code_fills_the_units_name_of_that_day(office, client_for, renamed):
    client = client_for(office.clerk)
    data = build_package(
        from_id="000.00.30.H07", from_name="Sở TNMT", promulgation_date="2025/06/10"
    )
    html = html_lib.unescape(read_package(client, data).content.decode())
    assert selected(html, "issuer_unit") == [NO_UNIT]
    assert input_value(html, "issuer_name") == "Sở Tài nguyên và Môi trường"
    assert input_value(html, "issuer_code") == "000.00.30.H07"
    assert (
        "Cơ quan gửi mang mã đã đóng 000.00.30.H07: Sở Tài nguyên và Môi trường (mã cũ của đơn "
        "vị nay là Sở Nông nghiệp và Môi trường (000.00.31.H07))."
    ) in html


def test_the_current_code_still_chooses_the_unit_and_a_foreign_code_is_typed(
    office, client_for, renamed
):
    client = client_for(office.clerk)
    html = html_lib.unescape(
        read_package(client, build_package(from_id="000.00.31.H07")).content.decode()
    )
    assert selected(html, "issuer_unit") == ["Sở Nông nghiệp và Môi trường (000.00.31.H07)"]
    assert "mã đã đóng" not in html

    html = html_lib.unescape(
        read_package(
            client,
            build_package(from_id="000.00.00.H62", from_name="Ủy ban nhân dân tỉnh Vĩnh Long"),
        ).content.decode()
    )
    assert selected(html, "issuer_unit") == [NO_UNIT]
    assert input_value(html, "issuer_name") == "Ủy ban nhân dân tỉnh Vĩnh Long"
    assert input_value(html, "issuer_code") == "000.00.00.H62"
    assert "mã đã đóng" not in html


def test_a_former_code_used_after_the_change_fills_the_last_name_under_it(
    office, client_for, renamed
):
    """A sender still writing its old code after the change: the name that went with that code."""
    data = build_package(from_id="000.00.30.H07", promulgation_date="2025/08/01")
    html = html_lib.unescape(read_package(client_for(office.clerk), data).content.decode())
    assert input_value(html, "issuer_name") == "Sở Tài nguyên và Môi trường"
    assert input_value(html, "issuer_code") == "000.00.30.H07"


@pytest.mark.parametrize(
    ("issued", "name"),
    [
        ("2025-06-10", "Sở Văn hóa, Thể thao và Du lịch"),
        ("2025-08-01", "Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Long"),
    ],
)
def test_a_unit_renamed_under_its_code_is_written_with_the_name_of_the_day(
    office, client_for, issued, name
):
    """The sender is chosen among our units; the document keeps the unit's name of its date."""
    unit = add_unit(
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        "svhttdl",
        "000.00.40.H07",
        office.province.root,
    )
    unit_record_write(unit, valid_until=ENDED, kind=UnitChangeKind.RENAMED)
    unit.name = "Sở Văn hóa, Thể thao và Du lịch tỉnh Vĩnh Long"
    unit.save(update_fields=["name"])
    client = client_for(office.clerk)
    data = build_package(from_id="000.00.40.H07", promulgation_date=issued.replace("-", "/"))
    html = html_lib.unescape(read_package(client, data).content.decode())
    assert selected(html, "issuer_unit") == [f"{unit.name} (000.00.40.H07)"]
    response = client.post(
        "/van-ban/den/vao-so/",
        final_post(
            office,
            token_of(html),
            code_number="25",
            code_notation="UBND-VP",
            issued_date=issued,
            issuer_unit=unit.pk,
            issuer_name="",
            issuer_code="",
            confirm_signatures=None,
            signature_reason=None,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert (document.issuer_unit_id, document.issuer_name, document.issuer_code) == (
        unit.pk,
        name,
        "000.00.40.H07",
    )
