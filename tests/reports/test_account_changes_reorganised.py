"""R8 in a reorganisation: the account-change report of the ended unit lists each account that
left it, the report of its successor each account that arrived, with both account names and the
decision (docs/reorganisation.md, "People and account names")."""

import datetime as dt
import io
import re

import pypdf
import pytest

from tests.support.reports import PDF_URL, URL, local, table_rows
from vanban.accounts import services
from vanban.accounts.models import Unit, UnitChangeKind, UnitLink, User
from vanban.accounts.reorganise import transfer_apply
from vanban.accounts.unit_history import Transfer
from vanban.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]

Q4 = {"period": "quarter", "year": "2026", "quarter": "4"}
EFFECTIVE = dt.date(2026, 10, 1)
NOTE = (
    "Từ Sở Thông tin và Truyền thông sang Sở Khoa học và Công nghệ; tên tài khoản "
    "phuongnt.stttt đổi thành phuongnt.skhcn (theo 202/2025/QH15)."
)


def totals(html: str) -> dict[str, int]:
    return {
        kind: int(count)
        for kind, count in re.findall(r'data-kind="(\w+)"><div class="stat">(\d+)</div>', html)
    }


def merge(province) -> tuple[Unit, int]:
    """Sở TT&TT merged into a new Sở KH&CN on 01/10/2026, applied at 08:00 that day."""
    target = services.unit_create(
        actor=None,
        name="Sở Khoa học và Công nghệ",
        symbol="SKHCN",
        abbreviation="skhcn",
        agency_code="000.00.14.H07",
        parent=province.root,
    )
    source = province.stttt
    movers = User.objects.filter(unit=source).count()
    source.end_date, source.is_active = EFFECTIVE - dt.timedelta(days=1), False
    source.save(update_fields=["end_date", "is_active"])
    UnitLink.objects.create(
        predecessor=source,
        successor=target,
        kind=UnitChangeKind.MERGED,
        effective_date=EFFECTIVE,
        decision="202/2025/QH15",
    )
    transfer = Transfer(
        source=source,
        target=target,
        effective_date=EFFECTIVE,
        decision="202/2025/QH15",
        plan_ref="vinhlong",
        actor=province.province_admin,
    )
    with clock.frozen(local(2026, 10, 1, 8, 0)):
        transfer_apply(transfer)
    return target, movers


def test_both_units_reports_list_the_reorganisation(province, client_for):
    admin = client_for(province.province_admin)
    target, movers = merge(province)

    old = admin.get(URL, {"unit": province.stttt.pk, **Q4}).content.decode()
    rows = table_rows(old)
    assert len(rows) == movers
    assert {row[4] for row in rows} == {"Chuyển đi do sắp xếp đơn vị"}
    staff = next(row for row in rows if row[1] == "Nguyễn Thu Phương")
    assert staff[2:] == [
        "phuongnt.skhcn",
        "",
        "Chuyển đi do sắp xếp đơn vị",
        "",
        NOTE,
        "Trần Văn Quản",
        "01/10/2026 08:00",
    ]
    assert totals(old) == {
        "created": 0,
        "removed": 0,
        "locked": 0,
        "unlocked": 0,
        "revoked": 0,
        "moved_out": movers,
    }

    new = admin.get(URL, {"unit": target.pk, **Q4}).content.decode()
    rows = table_rows(new)
    assert len(rows) == movers
    assert {row[4] for row in rows} == {"Chuyển đến do sắp xếp đơn vị"}
    assert NOTE in new
    assert totals(new)["moved_in"] == movers
    assert "moved_out" not in totals(new)


def test_the_pdf_of_the_successor_lists_the_accounts_that_arrived(province, client_for):
    admin = client_for(province.province_admin)
    target, movers = merge(province)
    with clock.frozen(local(2026, 11, 25, 15, 30)):
        response = admin.get(PDF_URL, {"unit": target.pk, **Q4})
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Table cells wrap inside narrow columns: compare them without spaces.
    compact = text.replace(" ", "").replace("\n", "")
    assert compact.count("Chuyểnđếndosắpxếpđơnvị") == movers + 1  # the rows and the total
    for expected in ("phuongnt.skhcn", "phuongnt.stttt", "202/2025/QH15", "Trần Văn Quản"):
        assert expected.replace(" ", "") in compact, expected


def test_the_successors_unit_admin_reads_the_ended_units_report(province, client_for):
    target, movers = merge(province)
    admin = client_for(User.objects.get(pk=province.admin_stttt.pk))  # now admin of Sở KH&CN
    response = admin.get(URL, {"unit": province.stttt.pk, **Q4})
    assert response.status_code == 200
    assert len(table_rows(response.content.decode())) == movers
    assert admin.get(URL, {"unit": target.pk, **Q4}).status_code == 200
    # Another unit's administrator reads neither.
    other = client_for(province.admin_snv)
    for unit in (province.stttt, target):
        response = other.get(URL, {"unit": unit.pk, **Q4})
        assert response.status_code == 404
        assert "Đơn vị: Không tìm thấy đơn vị." in response.content.decode()
