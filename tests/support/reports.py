"""A quarter of account changes in two units, made through the real services at fixed times."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from tests.support.province import Province
from vanban.accounts import services
from vanban.accounts.models import LockReason, RevokeReason, User
from vanban.core import clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/bao-cao/bien-dong-tai-khoan/"
PDF_URL = "/bao-cao/bien-dong-tai-khoan/pdf/"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


@contextmanager
def province_built_in_september() -> Iterator[None]:
    """The `province` fixture's accounts are issued on 20/09/2026, in the third quarter."""
    with clock.frozen(local(2026, 9, 20, 10, 0)):
        yield


@dataclass
class Scenario:
    bien: User
    anh: User
    chau: User
    xuan: User


def build_scenario(province: Province) -> Scenario:
    """Account changes around the fourth quarter of 2026 (Vietnam time):

    30/09 23:59  Bùi Văn Biên issued                      (third quarter: outside)
    01/10 00:00  Đặng Thị Ánh issued
    20/10 14:30  Nguyễn Thu Phương locked by the unit admin
    22/10 08:15  Nguyễn Thu Phương unlocked
    01/11 09:00  Huỳnh Ngọc Lan locked                    (Sở Nội vụ: another unit)
    05/11 09:00  the daily sweep locks Biên and Ánh, never logged in for 30 days (R3)
    10/11 10:00  Phạm Minh Đức removed: moved to another agency
    10/12 16:45  Bùi Văn Biên revoked by the province admin
    31/12 23:59  Ngô Bảo Châu issued
    01/01 00:00  Lý Thị Xuân issued                       (2027: outside)
    """
    p = province
    with clock.frozen(local(2026, 9, 30, 23, 59)):
        bien = services.account_create(
            actor=p.admin_stttt, unit=p.stttt, full_name="Bùi Văn Biên", position="Chuyên viên"
        ).user
    with clock.frozen(local(2026, 10, 1)):
        anh = services.account_create(
            actor=p.admin_stttt,
            unit=p.stttt,
            full_name="Đặng Thị Ánh",
            position="Phó Trưởng phòng Bưu chính",
        ).user
    with clock.frozen(local(2026, 10, 20, 14, 30)):
        services.account_lock(
            actor=p.admin_stttt,
            user=p.staff_stttt,
            reason=LockReason.AGENCY_REQUEST,
            note="Theo Công văn số 15/STTTT-VP",
        )
    with clock.frozen(local(2026, 10, 22, 8, 15)):
        services.account_unlock(actor=p.admin_stttt, user=p.staff_stttt, note="Đã xác minh, mở lại")
    with clock.frozen(local(2026, 11, 1, 9, 0)):
        services.account_lock(
            actor=p.admin_snv,
            user=p.staff_snv,
            reason=LockReason.VIOLATION,
            note="Chia sẻ mật khẩu cho người khác",
        )
    with clock.frozen(local(2026, 11, 5, 9, 0)):
        swept = services.accounts_sweep()
    assert sorted(swept.locked) == sorted([bien.username, anh.username])
    assert swept.revoked == []
    with clock.frozen(local(2026, 11, 10, 10, 0)):
        services.account_revoke(
            actor=p.admin_stttt,
            user=p.leader_stttt,
            reason=RevokeReason.LEFT_UNIT,
            note="Chuyển công tác sang Sở Nội vụ",
        )
    with clock.frozen(local(2026, 12, 10, 16, 45)):
        services.account_revoke(
            actor=p.province_admin,
            user=bien,
            reason=RevokeReason.AGENCY_REQUEST,
            note="Theo đề nghị của Sở",
        )
    with clock.frozen(local(2026, 12, 31, 23, 59)):
        chau = services.account_create(
            actor=p.admin_stttt, unit=p.stttt, full_name="Ngô Bảo Châu"
        ).user
    with clock.frozen(local(2027, 1, 1)):
        xuan = services.account_create(
            actor=p.admin_stttt, unit=p.stttt, full_name="Lý Thị Xuân"
        ).user
    return Scenario(bien=bien, anh=anh, chau=chau, xuan=xuan)


class _TableReader(HTMLParser):
    """Cell texts of the body rows of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # > 0 inside the table
        self.in_body = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tbody":
            self.in_body = True
        elif self.depth and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.depth and self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str = "report-table") -> list[list[str]]:
    reader = _TableReader(table_id)
    reader.feed(html)
    return reader.rows
