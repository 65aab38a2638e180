"""The demo province: a Bến Tre-like organisation tree with about two hundred people, as it
stood before 1 July 2025, with the two provinces merged with it on that day (NQ 202/2025/QH15)
as further roots: a few units of Vĩnh Long (H61, the province that keeps its name and code) and of
Trà Vinh (H59), each with a leader and a clerk. The reorganisation plans of 1 July 2025 that turn
the three into the two-level province of Vĩnh Long are `demo_plan.py` (docs/reorganisation.md,
"The demo: Vĩnh Long before and after 1 July 2025").

Everything is created through `unit_create` and `account_create` with `actor=None` (the
installer), so the demo data passes the same checks and leaves the same audit trail as real data.

Agency codes (mã định danh) follow the hierarchical form V1V2V3.Z1Z2.Y1Y2.H## with H07 for
Bến Tre; each level fills one group and keeps its parent's groups:

- level 1, the province (UBND tỉnh):              ``000.00.00.H07``
- level 2, sở, Văn phòng UBND tỉnh, huyện/thành phố: ``000.00.YY.H07``
  (YY: 01 Văn phòng UBND tỉnh, 02-16 the sở, 21-29 the huyện and the city)
- level 3, inside a level-2 unit YY:               ``000.ZZ.YY.H07``
  (ZZ: 01-29 phòng, ban, chi cục, trung tâm; 31-99 xã, phường, thị trấn)
- level 4, inside a level-3 unit ZZ.YY:            ``VVV.ZZ.YY.H07`` (VVV: 001-999)
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from vanban.audit.services import audit_record
from vanban.core.errors import ServiceError

from .models import AccountStatus, Role, Unit, User
from .services import account_create, unit_create, username_suggest

PROVINCE_CODE = "H07"
EMAIL_DOMAIN = "bentre.gov.vn"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - published demo password, shown by quickstart
SEED = 2017
# The first day of the demo's units (the day the deployment's records begin).
DEMO_SINCE = dt.date(2021, 1, 1)

# ---------------------------------------------------------------- organisation tree


@dataclass(frozen=True)
class Post:
    """A job in a unit: its title, roles and how many people hold it."""

    position: str
    roles: tuple[str, ...] = (Role.STAFF,)
    count: int = 1


@dataclass(frozen=True)
class UnitSpec:
    name: str
    symbol: str
    abbreviation: str
    number: int  # order among its siblings; becomes the unit's group in the agency code
    posts: tuple[Post, ...] = ()
    children: tuple["UnitSpec", ...] = ()
    people: tuple["Named", ...] = ()  # fixed people (the merged provinces' units)


@dataclass(frozen=True)
class Named:
    """A fixed person of a unit of a merged province (a leader or the clerk)."""

    full_name: str
    position: str
    roles: tuple[str, ...]


LEADER = (Role.LEADER,)
CLERK = (Role.CLERK,)
ADMIN = (Role.UNIT_ADMIN, Role.STAFF)


def _department(
    name: str,
    symbol: str,
    abbreviation: str,
    number: int,
    children: tuple[UnitSpec, ...] = (),
) -> UnitSpec:
    """A sở: director, deputy, clerk, unit admin and a staff member."""
    return UnitSpec(
        name,
        symbol,
        abbreviation,
        number,
        (
            Post("Giám đốc", LEADER),
            Post("Phó Giám đốc", LEADER),
            Post("Văn thư", CLERK),
            Post("Chuyên viên Văn phòng Sở (quản trị đơn vị)", ADMIN),
            Post("Chuyên viên"),
        ),
        children,
    )


def _district(
    kind: str, place: str, abbreviation: str, number: int, children: tuple[UnitSpec, ...]
) -> UnitSpec:
    """An UBND huyện or thành phố: chairman, vice-chairman, clerk, unit admin and staff."""
    return UnitSpec(
        f"Ủy ban nhân dân {kind} {place}",
        "UBND",
        abbreviation,
        number,
        (
            Post(f"Chủ tịch UBND {kind}", LEADER),
            Post(f"Phó Chủ tịch UBND {kind}", LEADER),
            Post("Văn thư", CLERK),
            Post("Chuyên viên Văn phòng HĐND và UBND (quản trị đơn vị)", ADMIN),
            Post("Chuyên viên"),
        ),
        children,
    )


def _office(
    name: str,
    symbol: str,
    abbreviation: str,
    number: int,
    head: str,
    staff: int = 0,
    children: tuple[UnitSpec, ...] = (),
) -> UnitSpec:
    """A phòng, ban, chi cục or trung tâm: its head and a few staff."""
    posts = [Post(head, LEADER)]
    if staff:
        posts.append(Post("Chuyên viên", count=staff))
    return UnitSpec(name, symbol, abbreviation, number, tuple(posts), children)


def _commune(kind: str, place: str, abbreviation: str, number: int) -> UnitSpec:
    """An UBND xã, phường or thị trấn: chairman and the clerk."""
    return UnitSpec(
        f"Ủy ban nhân dân {kind} {place}",
        "UBND",
        abbreviation,
        number,
        (
            Post(f"Chủ tịch UBND {kind}", LEADER),
            Post("Công chức Văn phòng - Thống kê (văn thư)", CLERK),
        ),
    )


def _district_offices(suffix: str, *names: str) -> tuple[UnitSpec, ...]:
    """The usual phòng of an UBND huyện, numbered 01, 02, ... in the order given."""
    known = {
        "vp": ("Văn phòng HĐND và UBND", "VP", "vp", "Chánh Văn phòng", 0),
        "nv": ("Phòng Nội vụ", "PNV", "pnv", "Trưởng phòng", 0),
        "tckh": ("Phòng Tài chính - Kế hoạch", "TCKH", "ptckh", "Trưởng phòng", 0),
        "gddt": ("Phòng Giáo dục và Đào tạo", "PGDĐT", "pgddt", "Trưởng phòng", 0),
    }
    offices = []
    for number, key in enumerate(names, start=1):
        name, symbol, prefix, head, staff = known[key]
        offices.append(_office(name, symbol, f"{prefix}{suffix}", number, head, staff))
    return tuple(offices)


@dataclass(frozen=True)
class Featured:
    """A fixed person of Sở TT&TT whose account is a demo login."""

    username: str  # what username_suggest gives; checked when the demo is loaded
    full_name: str
    position: str
    roles: tuple[str, ...]
    label: str


FEATURED = (
    Featured(
        "quannh.stttt",
        "Nguyễn Hoàng Quân",
        "Chuyên viên quản trị hệ thống",
        (Role.PROVINCE_ADMIN, Role.STAFF),
        "Quản trị tỉnh",
    ),
    Featured(
        "honglt.stttt",
        "Lê Thị Hồng",
        "Chuyên viên Văn phòng Sở (quản trị đơn vị)",
        ADMIN,
        "Quản trị đơn vị",
    ),
    Featured("ducpm.stttt", "Phạm Minh Đức", "Giám đốc", LEADER, "Lãnh đạo (Giám đốc Sở)"),
    Featured("trangvtt.stttt", "Võ Thị Thu Trang", "Văn thư", CLERK, "Văn thư"),
    Featured("phuongnt.stttt", "Nguyễn Thu Phương", "Chuyên viên", (Role.STAFF,), "Chuyên viên"),
)
DEMO_LOGIN_USERNAMES = tuple(f.username for f in FEATURED)

STTTT = UnitSpec(
    "Sở Thông tin và Truyền thông",
    "STTTT",
    "stttt",
    12,
    (Post("Phó Giám đốc", LEADER), Post("Chuyên viên")),
    (
        _office(
            "Văn phòng Sở",
            "VP",
            "vpstttt",
            1,
            "Chánh Văn phòng",
            1,
            (_office("Tổ Văn thư - Lưu trữ", "VTLT", "vtltstttt", 1, "Tổ trưởng"),),
        ),
        _office("Thanh tra Sở", "TTr", "ttrstttt", 2, "Chánh Thanh tra"),
        _office(
            "Phòng Công nghệ thông tin - Bưu chính viễn thông",
            "CNTT",
            "pcnttstttt",
            3,
            "Trưởng phòng",
            2,
        ),
        _office(
            "Phòng Thông tin - Báo chí - Xuất bản", "TTBCXB", "pbcxbstttt", 4, "Trưởng phòng", 1
        ),
        _office(
            "Trung tâm Công nghệ thông tin và Truyền thông",
            "TTCNTT",
            "ttcnttstttt",
            5,
            "Giám đốc",
            1,
            (_office("Phòng Hạ tầng kỹ thuật", "HTKT", "phtktt", 1, "Trưởng phòng"),),
        ),
    ),
)

PROVINCE = UnitSpec(
    "Ủy ban nhân dân tỉnh Bến Tre",
    "UBND",
    "ubndtinh",
    0,
    (Post("Chủ tịch UBND tỉnh", LEADER), Post("Phó Chủ tịch UBND tỉnh", LEADER, count=3)),
    (
        UnitSpec(
            "Văn phòng Ủy ban nhân dân tỉnh",
            "VP",
            "vpubnd",
            1,
            (
                Post("Chánh Văn phòng", LEADER),
                Post("Phó Chánh Văn phòng", LEADER),
                Post("Văn thư", CLERK),
                Post("Chuyên viên Phòng Hành chính - Tổ chức (quản trị đơn vị)", ADMIN),
                Post("Chuyên viên", count=2),
            ),
            (
                _office("Phòng Tổng hợp", "TH", "pthvpubnd", 1, "Trưởng phòng"),
                _office("Phòng Kinh tế", "KT", "pktvpubnd", 2, "Trưởng phòng"),
                _office("Phòng Văn hóa - Xã hội", "VX", "pvxvpubnd", 3, "Trưởng phòng"),
                _office(
                    "Phòng Hành chính - Tổ chức",
                    "HCTC",
                    "phctcvpubnd",
                    4,
                    "Trưởng phòng",
                    0,
                    (_office("Tổ Văn thư", "VT", "tovtvpubnd", 1, "Tổ trưởng"),),
                ),
                _office(
                    "Trung tâm Phục vụ hành chính công", "TTPVHCC", "ttpvhcc", 5, "Giám đốc", 1
                ),
            ),
        ),
        _department(
            "Sở Tài chính",
            "STC",
            "stc",
            2,
            (
                _office("Văn phòng Sở", "VP", "vpstc", 1, "Chánh Văn phòng"),
                _office("Phòng Quản lý ngân sách", "QLNS", "pqlnsstc", 2, "Trưởng phòng"),
                _office(
                    "Phòng Tài chính hành chính sự nghiệp", "HCSN", "phcsnstc", 3, "Trưởng phòng"
                ),
            ),
        ),
        _department("Sở Kế hoạch và Đầu tư", "SKHĐT", "skhdt", 3),
        _department("Sở Tư pháp", "STP", "stp", 4),
        _department(
            "Sở Nội vụ",
            "SNV",
            "snv",
            5,
            (
                _office("Văn phòng Sở", "VP", "vpsnv", 1, "Chánh Văn phòng"),
                _office(
                    "Phòng Tổ chức, biên chế và tổ chức phi chính phủ",
                    "TCBC",
                    "ptcbcsnv",
                    2,
                    "Trưởng phòng",
                ),
                _office(
                    "Phòng Xây dựng chính quyền và công tác thanh niên",
                    "XDCQ",
                    "pxdcqsnv",
                    3,
                    "Trưởng phòng",
                ),
                _office("Ban Thi đua - Khen thưởng", "BTĐKT", "btdktsnv", 4, "Trưởng ban"),
                _office(
                    "Chi cục Văn thư - Lưu trữ",
                    "CCVTLT",
                    "ccvtltsnv",
                    5,
                    "Chi cục trưởng",
                    0,
                    (
                        _office(
                            "Phòng Nghiệp vụ Văn thư - Lưu trữ",
                            "NV",
                            "pnvvtltsnv",
                            1,
                            "Trưởng phòng",
                        ),
                    ),
                ),
            ),
        ),
        _department("Sở Công Thương", "SCT", "sct", 6),
        _department("Sở Nông nghiệp và Phát triển nông thôn", "SNN", "snnptnt", 7),
        _department("Sở Giao thông vận tải", "SGTVT", "sgtvt", 8),
        _department("Sở Xây dựng", "SXD", "sxd", 9),
        _department("Sở Tài nguyên và Môi trường", "STNMT", "stnmt", 10),
        _department("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", "sldtbxh", 11),
        STTTT,
        _department("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "svhttdl", 13),
        _department("Sở Khoa học và Công nghệ", "SKHCN", "skhcn", 14),
        _department(
            "Sở Giáo dục và Đào tạo",
            "SGDĐT",
            "sgddt",
            15,
            (
                _office("Văn phòng Sở", "VP", "vpsgddt", 1, "Chánh Văn phòng"),
                _office("Phòng Giáo dục trung học", "GDTrH", "pgdtrhsgddt", 2, "Trưởng phòng"),
            ),
        ),
        _department(
            "Sở Y tế",
            "SYT",
            "syt",
            16,
            (
                _office("Văn phòng Sở", "VP", "vpsyt", 1, "Chánh Văn phòng"),
                _office("Phòng Nghiệp vụ Y", "NVY", "pnvysyt", 2, "Trưởng phòng"),
                _office("Phòng Kế hoạch - Tài chính", "KHTC", "pkhtcsyt", 3, "Trưởng phòng"),
            ),
        ),
        _district(
            "thành phố",
            "Bến Tre",
            "ubndtpbentre",
            21,
            (
                *_district_offices("tpbentre", "vp", "nv", "tckh"),
                _commune("phường", "Phú Khương", "phuongphukhuong", 31),
                _commune("phường", "An Hội", "phuonganhoi", 32),
                _commune("xã", "Bình Phú", "xabinhphu", 33),
            ),
        ),
        _district(
            "huyện",
            "Châu Thành",
            "ubndchauthanh",
            22,
            (
                _office(
                    "Văn phòng HĐND và UBND",
                    "VP",
                    "vpchauthanh",
                    1,
                    "Chánh Văn phòng",
                    1,
                    (
                        _office(
                            "Bộ phận Tiếp nhận và Trả kết quả",
                            "BPTNTKQ",
                            "bpmcchauthanh",
                            1,
                            "Trưởng bộ phận",
                        ),
                    ),
                ),
                _office("Phòng Nội vụ", "PNV", "pnvchauthanh", 2, "Trưởng phòng", 1),
                _office("Phòng Tài chính - Kế hoạch", "TCKH", "ptckhchauthanh", 3, "Trưởng phòng"),
                _office("Phòng Giáo dục và Đào tạo", "PGDĐT", "pgddtchauthanh", 4, "Trưởng phòng"),
                _commune("thị trấn", "Châu Thành", "ttchauthanh", 31),
                _commune("xã", "An Khánh", "xaankhanh", 32),
                _commune("xã", "Tam Phước", "xatamphuoc", 33),
            ),
        ),
        _district(
            "huyện",
            "Chợ Lách",
            "ubndcholach",
            23,
            (
                *_district_offices("cholach", "vp", "nv"),
                _commune("thị trấn", "Chợ Lách", "ttcholach", 31),
                _commune("xã", "Vĩnh Thành", "xavinhthanh", 32),
            ),
        ),
        _district(
            "huyện",
            "Mỏ Cày Nam",
            "ubndmocaynam",
            24,
            (
                *_district_offices("mocaynam", "vp", "nv"),
                _commune("thị trấn", "Mỏ Cày", "ttmocay", 31),
                _commune("xã", "Đa Phước Hội", "xadaphuochoi", 32),
            ),
        ),
        _district(
            "huyện",
            "Mỏ Cày Bắc",
            "ubndmocaybac",
            25,
            (
                *_district_offices("mocaybac", "vp"),
                _commune("xã", "Phước Mỹ Trung", "xaphuocmytrung", 31),
                _commune("xã", "Thanh Tân", "xathanhtan", 32),
            ),
        ),
        _district(
            "huyện",
            "Giồng Trôm",
            "ubndgiongtrom",
            26,
            (
                *_district_offices("giongtrom", "vp", "nv"),
                _commune("thị trấn", "Giồng Trôm", "ttgiongtrom", 31),
                _commune("xã", "Phong Nẫm", "xaphongnam", 32),
            ),
        ),
        _district(
            "huyện",
            "Bình Đại",
            "ubndbinhdai",
            27,
            (
                *_district_offices("binhdai", "vp"),
                _commune("thị trấn", "Bình Đại", "ttbinhdai", 31),
                _commune("xã", "Thạnh Trị", "xathanhtri", 32),
            ),
        ),
        _district(
            "huyện",
            "Ba Tri",
            "ubndbatri",
            28,
            (
                *_district_offices("batri", "vp", "nv"),
                _commune("thị trấn", "Ba Tri", "ttbatri", 31),
                _commune("xã", "An Đức", "xaanduc", 32),
            ),
        ),
        _district(
            "huyện",
            "Thạnh Phú",
            "ubndthanhphu",
            29,
            (
                *_district_offices("thanhphu", "vp"),
                _commune("thị trấn", "Thạnh Phú", "ttthanhphu", 31),
                _commune("xã", "Giao Thạnh", "xagiaothanh", 32),
            ),
        ),
    ),
)


# ---------------------------------------------------------------- the provinces merged on 1/7/2025


def _merging_unit(
    name: str,
    symbol: str,
    abbreviation: str,
    number: int,
    leader: tuple[str, str],
    clerk: str,
    children: tuple[UnitSpec, ...] = (),
    clerk_position: str = "Văn thư",
) -> UnitSpec:
    """A unit of Vĩnh Long or Trà Vinh before the merge: its head and its clerk, by name."""
    return UnitSpec(
        name,
        symbol,
        abbreviation,
        number,
        children=children,
        people=(
            Named(leader[0], leader[1], LEADER),
            Named(clerk, clerk_position, CLERK),
        ),
    )


COMMUNE_CLERK = "Công chức Văn phòng - Thống kê (văn thư)"

VINH_LONG = _merging_unit(
    "Ủy ban nhân dân tỉnh Vĩnh Long",
    "UBND",
    "ubndvinhlong",
    0,
    ("Trương Văn Hậu", "Chủ tịch UBND tỉnh"),
    "Đặng Thị Kim Thoa",
    (
        _merging_unit(
            "Văn phòng Ủy ban nhân dân tỉnh Vĩnh Long",
            "VP",
            "vpubndvl",
            1,
            ("Lâm Văn Khải", "Chánh Văn phòng"),
            "Huỳnh Thị Ngọc Bích",
        ),
        _merging_unit(
            "Sở Khoa học và Công nghệ tỉnh Vĩnh Long",
            "SKHCN",
            "skhcnvl",
            14,
            ("Cao Minh Triết", "Giám đốc"),
            "Tô Thị Mỹ Duyên",
        ),
        _merging_unit(
            "Ủy ban nhân dân thành phố Vĩnh Long",
            "UBND",
            "ubndtpvinhlong",
            21,
            ("Châu Văn Lực", "Chủ tịch UBND thành phố"),
            "Dương Thị Thảo Ly",
            (
                _merging_unit(
                    "Ủy ban nhân dân Phường 1",
                    "UBND",
                    "phuong1vl",
                    31,
                    ("Lý Văn Đông", "Chủ tịch UBND phường"),
                    "Phan Thị Kiều",
                    clerk_position=COMMUNE_CLERK,
                ),
                _merging_unit(
                    "Ủy ban nhân dân Phường 8",
                    "UBND",
                    "phuong8vl",
                    32,
                    ("Đoàn Văn Thuận", "Chủ tịch UBND phường"),
                    "Bùi Thị Cẩm Tú",
                    clerk_position=COMMUNE_CLERK,
                ),
            ),
        ),
    ),
)

TRA_VINH = _merging_unit(
    "Ủy ban nhân dân tỉnh Trà Vinh",
    "UBND",
    "ubndtravinh",
    0,
    ("Hồ Thanh Vũ", "Chủ tịch UBND tỉnh"),
    "Ngô Thị Diệu",
    (
        _merging_unit(
            "Văn phòng Ủy ban nhân dân tỉnh Trà Vinh",
            "VP",
            "vpubndtv",
            1,
            ("Lê Hoàng Khang", "Chánh Văn phòng"),
            "Trần Thị Mộng Cầm",
        ),
        _merging_unit(
            "Sở Tài chính tỉnh Trà Vinh",
            "STC",
            "stctv",
            2,
            ("Võ Minh Lợi", "Giám đốc"),
            "Nguyễn Thị Hồng Nhiên",
        ),
    ),
)


@dataclass(frozen=True)
class DemoProvince:
    """One province of the demo: its tree, its level-1 code and its e-mail domain."""

    spec: UnitSpec
    code: str
    email_domain: str
    place_name: str


# Bến Tre first: its people are drawn first from the seeded generator (the same people as ever).
PROVINCES = (
    DemoProvince(PROVINCE, PROVINCE_CODE, EMAIL_DOMAIN, "Bến Tre"),
    DemoProvince(VINH_LONG, "H61", "vinhlong.gov.vn", "Vĩnh Long"),
    DemoProvince(TRA_VINH, "H59", "travinh.gov.vn", "Trà Vinh"),
)


def agency_code(number: int, parent_code: str | None, province: str = PROVINCE_CODE) -> str:
    """The code of the `number`-th child of the unit with `parent_code` (scheme above); the root
    of `province` when there is no parent."""
    if parent_code is None:
        return f"000.00.00.{province}"
    _, z, y, h = parent_code.split(".")
    if y == "00":
        return f"000.00.{number:02d}.{h}"
    if z == "00":
        return f"000.{number:02d}.{y}.{h}"
    return f"{number:03d}.{z}.{y}.{h}"


# ---------------------------------------------------------------- people

FAMILY_NAMES = (
    # Weighted roughly as in the Mekong Delta: Nguyễn first by far.
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 6),
    ("Huỳnh", 6),
    ("Võ", 6),
    ("Phan", 4),
    ("Trương", 3),
    ("Bùi", 2),
    ("Đặng", 2),
    ("Đỗ", 2),
    ("Ngô", 2),
    ("Hồ", 2),
    ("Dương", 2),
    ("Lý", 2),
    ("Đoàn", 1),
    ("Lâm", 1),
    ("Cao", 1),
    ("Châu", 1),
    ("Tô", 1),
)
MALE_MIDDLE = (
    "Văn",
    "Văn",
    "Minh",
    "Thanh",
    "Hoàng",
    "Quốc",
    "Hữu",
    "Đức",
    "Công",
    "Tấn",
    "Phước",
    "Trung",
    "Ngọc",
    "Thành",
    "Chí",
)
FEMALE_MIDDLE = (
    "Thị",
    "Thị",
    "Ngọc",
    "Thanh",
    "Thu",
    "Kim",
    "Mỹ",
    "Hồng",
    "Bích",
    "Minh",
    "Thùy",
    "Phương",
)
MALE_GIVEN = (
    "Hùng",
    "Dũng",
    "Tuấn",
    "Khoa",
    "Phúc",
    "Lộc",
    "Tài",
    "Trí",
    "Nghĩa",
    "Hải",
    "Sơn",
    "Long",
    "Nam",
    "Bình",
    "Tâm",
    "Thắng",
    "Hiếu",
    "Phong",
    "Toàn",
    "Vinh",
    "Quang",
    "Khánh",
    "Hòa",
    "Thành",
    "Đạt",
    "Nhân",
    "Thiện",
    "Triều",
    "Kiệt",
    "Duy",
)
FEMALE_GIVEN = (
    "Lan",
    "Hương",
    "Mai",
    "Trang",
    "Thảo",
    "Ngân",
    "Hạnh",
    "Loan",
    "Yến",
    "Thủy",
    "Nhung",
    "Diễm",
    "Trinh",
    "Tuyết",
    "Phượng",
    "Oanh",
    "Liên",
    "Hằng",
    "Vy",
    "Uyên",
    "Châu",
    "Xuân",
    "Nga",
    "Dung",
    "Hà",
    "Linh",
    "Quyên",
    "Tiên",
)
SECOND_MIDDLE = ("Thu", "Ngọc", "Kim", "Bảo", "Hoài", "Mộng", "Tú", "Anh")
MOBILE_PREFIXES = (
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "083",
    "084",
    "085",
    "088",
    "070",
    "076",
    "077",
    "079",
    "081",
    "082",
    "086",
)


def person_name(rng: random.Random) -> str:
    family = rng.choices([n for n, _ in FAMILY_NAMES], weights=[w for _, w in FAMILY_NAMES])[0]
    if rng.random() < 0.5:
        middle, given = rng.choice(MALE_MIDDLE), rng.choice(MALE_GIVEN)
    else:
        middle, given = rng.choice(FEMALE_MIDDLE), rng.choice(FEMALE_GIVEN)
        if middle == "Thị" and rng.random() < 0.25:
            middle = f"{middle} {rng.choice(SECOND_MIDDLE)}"
    return f"{family} {middle} {given}"


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**7):07d}"
    return f"{rng.choice(MOBILE_PREFIXES)}{digits[0]} {digits[1:4]} {digits[4:]}"


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str
    password: str


@dataclass
class DemoLoadResult:
    units: int
    accounts: int
    seconds: float
    logins: list[DemoLogin] = field(default_factory=list)


class _Loader:
    def __init__(self, *, password_hash: str) -> None:
        self.password_hash = password_hash
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible names, not secrets
        self.units = 0
        self.user_ids: list[int] = []
        self.root: Unit | None = None
        self.province = PROVINCES[0]

    def unit(self, spec: UnitSpec, parent: Unit | None) -> None:
        unit = unit_create(
            actor=None,
            name=spec.name,
            symbol=spec.symbol,
            abbreviation=spec.abbreviation,
            agency_code=agency_code(
                spec.number, parent.agency_code if parent else None, self.province.code
            ),
            parent=parent,
            place_name="" if self.province.spec is PROVINCE else self.province.place_name,
            start_date=DEMO_SINCE,
        )
        self.units += 1
        self.root = self.root or unit
        if spec is STTTT:
            for person in FEATURED:
                user = self.person(
                    unit,
                    person.full_name,
                    person.position,
                    person.roles,
                    must_change_password=False,
                )
                if user.username != person.username:
                    raise ServiceError(
                        f"Tài khoản dùng thử {person.username} không tạo được "
                        f"(được gợi ý {user.username})."
                    )
        for post in spec.posts:
            for _ in range(post.count):
                self.person(unit, person_name(self.rng), post.position, post.roles)
        for named in spec.people:
            self.person(unit, named.full_name, named.position, named.roles)
        for child in spec.children:
            self.unit(child, unit)

    def load(self, province: DemoProvince) -> None:
        self.province = province
        self.unit(province.spec, None)

    def person(
        self,
        unit: Unit,
        full_name: str,
        position: str,
        roles: tuple[str, ...],
        must_change_password: bool = True,
    ) -> User:
        username = username_suggest(full_name=full_name, unit=unit)
        user = account_create(
            actor=None,
            unit=unit,
            full_name=full_name,
            username=username,
            position=position,
            email=f"{username}@{self.province.email_domain}",
            phone=_phone(self.rng),
            roles=list(roles),
            password_hash=self.password_hash,
            must_change_password=must_change_password,
        ).user
        self.user_ids.append(user.pk)
        return user


def demo_province_load() -> DemoLoadResult:
    """Load the demo province into an empty database, in one transaction: Bến Tre as it was
    before 1 July 2025, then the units of Vĩnh Long and Trà Vinh as further roots (NQ
    202/2025/QH15 merged the three on that day; `demo_plan.py` is the plan).

    Refuses, changing nothing, when the province already has units. Every account gets the
    demo password; the demo logins (`demo_logins`) may use it at once, the others must change it
    at first login (R5).
    """
    started = time.monotonic()
    with transaction.atomic():
        existing = Unit.objects.count()
        if existing:
            raise ServiceError(
                f"Tỉnh đã có {existing} đơn vị nên không nạp dữ liệu mẫu (dữ liệu mẫu chỉ nạp vào "
                "cơ sở dữ liệu trống). Không có gì thay đổi."
            )
        # One real (Argon2) hash for everybody: hashing two hundred times would take half a
        # minute.
        loader = _Loader(password_hash=make_password(DEMO_PASSWORD))
        for province in PROVINCES:
            loader.load(province)
        logins = demo_logins()
        audit_record(
            actor=None,
            action="demo.load",
            unit=loader.root,
            data={"units": loader.units, "accounts": len(loader.user_ids)},
        )
    return DemoLoadResult(
        units=loader.units,
        accounts=len(loader.user_ids),
        seconds=time.monotonic() - started,
        logins=logins,
    )


def demo_logins() -> list[DemoLogin]:
    """The demo logins that are active and still open with the demo password, in a fixed order.

    An existing province whose people happen to have these account names is not listed unless
    the demo password really opens their accounts.
    """
    users = User.objects.filter(
        username__in=DEMO_LOGIN_USERNAMES, status=AccountStatus.ACTIVE, must_change_password=False
    ).select_related("unit")
    opens: dict[str, bool] = {}  # the demo accounts share one hash: verify each hash once
    found = {}
    for user in users:
        if user.password not in opens:
            opens[user.password] = check_password(DEMO_PASSWORD, user.password)
        if opens[user.password]:
            found[user.username] = user.unit.name
    return [
        DemoLogin(username=f.username, role=f.label, unit=found[f.username], password=DEMO_PASSWORD)
        for f in FEATURED
        if f.username in found
    ]


def second_factor_logins(logins: list[DemoLogin]) -> list[str]:
    """The demo logins whose role must enrol a second factor at first login (R6)."""
    from .services import second_factor_required

    users = User.objects.filter(username__in=[login.username for login in logins])
    return sorted(u.username for u in users if second_factor_required(u))


def demo_logins_table(logins: list[DemoLogin]) -> str:
    """The demo logins as a plain-text table for the console."""
    header = DemoLogin("Tên tài khoản", "Vai trò", "Đơn vị", "Mật khẩu")
    rows = [header, *logins]
    widths = [
        max(len(getattr(r, f)) for r in rows) for f in ("username", "role", "unit", "password")
    ]

    def line(r: DemoLogin) -> str:
        cells = (r.username, r.role, r.unit, r.password)
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in logins)])
