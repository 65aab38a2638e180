"""The reorganisation of the demo province on 1 July 2025, as plans (docs/reorganisation.md,
"The plan (PLAN.json)" and "The demo: Vĩnh Long before and after 1 July 2025").

Two plans, one per decision, both in force on 1 July 2025, applied in this order:

1. `demo_plan_2025_communes()`, NQ 1687/NQ-UBTVQH15 (16/6/2025): the district level ends. Every
   UBND huyện or thành phố of the demo (the nine of Bến Tre, thành phố Vĩnh Long) closes; its
   communes and wards merge into new larger ones, People's Committees at level 2 directly under
   UBND tỉnh Vĩnh Long; its offices close into them.
2. `demo_plan_2025_province()`, NQ 202/2025/QH15 (12/6/2025): UBND tỉnh Bến Tre and Trà Vinh
   merge into UBND tỉnh Vĩnh Long, which keeps its name and code H61 (QĐ 09/2025/QĐ-TTg: H07 and
   H59 close); their Văn phòng merge into Văn phòng UBND tỉnh Vĩnh Long; Sở Thông tin và Truyền
   thông of Bến Tre (merged into Sở Khoa học và Công nghệ from 1/3/2025, NĐ 55/2025) and Bến
   Tre's Sở Khoa học và Công nghệ merge into Vĩnh Long's; the other sở of Bến Tre move under UBND
   tỉnh Vĩnh Long with H61 codes (those of the sở merged in 2025 merge into them); Trà Vinh's
   Sở Tài chính merges into the province's.

After both, no open unit is at a district level: the province, then its sở and its communes
(two levels), then their offices. The plans are built from the demo's tree (`demo.PROVINCES`)
by deterministic functions; the files in `demo_plans/` are their output (a test keeps them
equal) and are what `vanban units reorganise <file> --apply` reads.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .demo import PROVINCES, UnitSpec, agency_code

EFFECTIVE_DATE = "2025-07-01"
PROVINCE_DECISION = {"number": "202/2025/QH15", "date": "2025-06-12"}
COMMUNE_DECISION = {"number": "1687/NQ-UBTVQH15", "date": "2025-06-16"}
MERGED_CODE = "H61"  # Vĩnh Long keeps its name and its code
ROOT = f"000.00.00.{MERGED_CODE}"
PLACE_NAME = "Vĩnh Long"
PLANS_DIR = Path(__file__).resolve().parent / "demo_plans"
COMMUNES_FILE = "plan-2025-07-01-1-xa.json"
PROVINCE_FILE = "plan-2025-07-01-2-tinh.json"

# ---------------------------------------------------------------- the demo's tree with its codes


@dataclass(frozen=True)
class Placed:
    """A unit of the demo with the agency code it is loaded with."""

    spec: UnitSpec
    code: str
    parent: "Placed | None"

    @property
    def children(self) -> tuple["Placed", ...]:
        return tuple(
            Placed(child, agency_code(child.number, self.code, self.code[-3:]), self)
            for child in self.spec.children
        )

    def walk(self) -> Iterator["Placed"]:
        yield self
        for child in self.children:
            yield from child.walk()


def demo_roots() -> dict[str, Placed]:
    """The roots of the demo by level-1 code: H07 Bến Tre, H61 Vĩnh Long, H59 Trà Vinh."""
    return {p.code: Placed(p.spec, agency_code(0, None, p.code), None) for p in PROVINCES}


def demo_codes() -> dict[str, Placed]:
    """Every unit of the demo by its agency code."""
    return {unit.code: unit for root in demo_roots().values() for unit in root.walk()}


def _by_abbreviation(root: Placed) -> dict[str, Placed]:
    return {unit.spec.abbreviation: unit for unit in root.walk()}


def _h61(code: str) -> str:
    """The same groups under Vĩnh Long's level-1 code."""
    return f"{code[:-3]}{MERGED_CODE}"


# ---------------------------------------------------------------- 1. communes (NQ 1687)


@dataclass(frozen=True)
class NewCommune:
    """A commune-level unit of 1 July 2025 and the units it takes in."""

    key: str
    kind: str  # "xã" or "phường"
    place: str
    district: str  # the abbreviation of the district whose area it covers
    communes: tuple[str, ...]  # the abbreviations of the communes merged into it


# In the order of the districts; the first new commune of a district carries the district on.
NEW_COMMUNES = (
    NewCommune("anhoi", "phường", "An Hội", "ubndtpbentre", ("phuongphukhuong", "phuonganhoi")),
    NewCommune("phutan", "phường", "Phú Tân", "ubndtpbentre", ("xabinhphu",)),
    NewCommune("chauthanh", "xã", "Châu Thành", "ubndchauthanh", ("ttchauthanh", "xaankhanh")),
    NewCommune("tienthuy", "xã", "Tiên Thủy", "ubndchauthanh", ("xatamphuoc",)),
    NewCommune("cholach", "xã", "Chợ Lách", "ubndcholach", ("ttcholach", "xavinhthanh")),
    NewCommune("mocay", "xã", "Mỏ Cày", "ubndmocaynam", ("ttmocay", "xadaphuochoi")),
    NewCommune(
        "phuocmytrung", "xã", "Phước Mỹ Trung", "ubndmocaybac", ("xaphuocmytrung", "xathanhtan")
    ),
    NewCommune("giongtrom", "xã", "Giồng Trôm", "ubndgiongtrom", ("ttgiongtrom", "xaphongnam")),
    NewCommune("binhdai", "xã", "Bình Đại", "ubndbinhdai", ("ttbinhdai", "xathanhtri")),
    NewCommune("batri", "xã", "Ba Tri", "ubndbatri", ("ttbatri", "xaanduc")),
    NewCommune("thanhphu", "xã", "Thạnh Phú", "ubndthanhphu", ("ttthanhphu", "xagiaothanh")),
    NewCommune("longchau", "phường", "Long Châu", "ubndtpvinhlong", ("phuong1vl", "phuong8vl")),
)
# The new communes' codes: level 2 under UBND tỉnh Vĩnh Long, groups 31 onwards (the scheme of
# demo.py: 01 the Văn phòng, 02-16 the sở, 21-29 the former districts).
FIRST_COMMUNE_NUMBER = 31


def _districts() -> list[Placed]:
    """The district-level units of the demo (level 2, UBND huyện or thành phố), by code."""
    found = []
    for root in demo_roots().values():
        for unit in root.children:
            if unit.spec.name.startswith(("Ủy ban nhân dân huyện", "Ủy ban nhân dân thành phố")):
                found.append(unit)
    return found


def demo_plan_2025_communes() -> dict[str, Any]:
    """The plan of NQ 1687/NQ-UBTVQH15: the districts close, their communes merge into new
    larger ones under UBND tỉnh Vĩnh Long, their offices close into them."""
    units = {a: u for root in demo_roots().values() for a, u in _by_abbreviation(root).items()}
    new_units: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for number, commune in enumerate(NEW_COMMUNES, start=FIRST_COMMUNE_NUMBER):
        new_units.append(
            {
                "key": commune.key,
                "name": f"Ủy ban nhân dân {commune.kind} {commune.place}",
                "symbol": "UBND",
                "abbreviation": commune.key,
                "agency_code": agency_code(number, ROOT, MERGED_CODE),
                "parent": ROOT,
                "place_name": commune.place,
            }
        )
        changes.append(
            {
                "kind": "merge",
                "units": [units[a].code for a in commune.communes],
                "into": commune.key,
            }
        )
    for district in _districts():
        successors = [c.key for c in NEW_COMMUNES if c.district == district.spec.abbreviation]
        merged = {a for c in NEW_COMMUNES for a in c.communes}
        # Its offices (and their own sub-units with them) close into the first new commune.
        for office in district.children:
            if office.spec.abbreviation not in merged:
                changes.append({"kind": "close", "unit": office.code, "successor": successors[0]})
        if len(successors) > 1:
            changes.append(
                {
                    "kind": "split",
                    "unit": district.code,
                    "into": successors,
                    "default": successors[0],
                }
            )
        else:
            changes.append({"kind": "close", "unit": district.code, "successor": successors[0]})
    return {
        "title": "Sắp xếp đơn vị hành chính cấp xã của tỉnh Vĩnh Long từ ngày 01/07/2025 "
        "(không tổ chức cấp huyện)",
        "decision": dict(COMMUNE_DECISION),
        "effective_date": EFFECTIVE_DATE,
        "new_units": new_units,
        "changes": changes,
        "items": {},
    }


# ---------------------------------------------------------------- 2. the province (NQ 202)

# Bến Tre's sở that merged into another sở of the province in 2025: abbreviation -> the one
# that takes it in (Sở Kế hoạch và Đầu tư into Sở Tài chính, Sở Lao động - Thương binh và Xã
# hội into Sở Nội vụ, Sở Tài nguyên và Môi trường into Sở Nông nghiệp và Môi trường, Sở Giao
# thông vận tải into Sở Xây dựng).
SO_MERGED = {"skhdt": "stc", "sldtbxh": "snv", "stnmt": "snnptnt", "sgtvt": "sxd"}
# Bến Tre's sở renamed on the merge (besides taking an H61 code).
SO_RENAMED = {
    "snnptnt": {
        "name": "Sở Nông nghiệp và Môi trường",
        "symbol": "SNNMT",
        "abbreviation": "snnmt",
    }
}
# Into Sở Khoa học và Công nghệ tỉnh Vĩnh Long: Bến Tre's Sở Thông tin và Truyền thông and Sở
# Khoa học và Công nghệ.
TO_SKHCN = ("stttt", "skhcn")


def demo_plan_2025_province() -> dict[str, Any]:
    """The plan of NQ 202/2025/QH15: Bến Tre and Trà Vinh merge into Vĩnh Long."""
    roots = demo_roots()
    bentre, vinhlong, travinh = roots["H07"], roots["H61"], roots["H59"]
    bt = {u.spec.abbreviation: u for u in bentre.children}
    vl = {u.spec.abbreviation: u for u in vinhlong.children}
    tv = {u.spec.abbreviation: u for u in travinh.children}
    changes: list[dict[str, Any]] = [
        {"kind": "merge", "units": [bentre.code, travinh.code], "into": vinhlong.code},
        {
            "kind": "merge",
            "units": [bt["vpubnd"].code, tv["vpubndtv"].code],
            "into": vl["vpubndvl"].code,
        },
        {
            "kind": "merge",
            "units": [bt[a].code for a in TO_SKHCN],
            "into": vl["skhcnvl"].code,
        },
    ]
    staying = [
        u
        for a, u in bt.items()
        if u.spec.abbreviation.startswith("s") and a not in SO_MERGED and a not in TO_SKHCN
    ]
    takers: dict[str, list[str]] = {}
    for merged, taker in SO_MERGED.items():
        takers.setdefault(taker, []).append(bt[merged].code)
    takers.setdefault("stc", []).append(tv["stctv"].code)
    for so in staying:
        abbreviation = so.spec.abbreviation
        if abbreviation in takers:
            changes.append({"kind": "merge", "units": takers[abbreviation], "into": so.code})
        changes.append({"kind": "move", "unit": so.code, "parent": vinhlong.code})
        changes.append(
            {
                "kind": "rename",
                "unit": so.code,
                **SO_RENAMED.get(abbreviation, {}),
                "agency_code": _h61(so.code),
            }
        )
        # Its offices keep their place and take the H61 code of the same groups.
        for office in list(so.walk())[1:]:
            changes.append(
                {"kind": "rename", "unit": office.code, "agency_code": _h61(office.code)}
            )
    return {
        "title": "Hợp nhất tỉnh Bến Tre, tỉnh Trà Vinh và tỉnh Vĩnh Long thành tỉnh Vĩnh Long "
        "từ ngày 01/07/2025",
        "decision": dict(PROVINCE_DECISION),
        "effective_date": EFFECTIVE_DATE,
        "new_units": [],
        "changes": changes,
        "items": {},
    }


def demo_plans_2025() -> list[tuple[str, dict[str, Any]]]:
    """The demo's plans of 1 July 2025 with their file names, in the order they are applied."""
    return [
        (COMMUNES_FILE, demo_plan_2025_communes()),
        (PROVINCE_FILE, demo_plan_2025_province()),
    ]


def demo_plan_2025() -> dict[str, Any]:
    """The plan of the province's merger (NQ 202/2025/QH15), applied after the communes'."""
    return demo_plan_2025_province()


def plan_json(plan: dict[str, Any]) -> str:
    """A plan as written in its file: UTF-8 text, two-space indents, a final newline."""
    return json.dumps(plan, ensure_ascii=False, indent=2) + "\n"


def demo_plans_write(directory: Path = PLANS_DIR) -> list[Path]:
    """Write the demo's plans (run after changing the demo's tree)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, plan in demo_plans_2025():
        path = directory / name
        path.write_text(plan_json(plan), encoding="utf-8")
        paths.append(path)
    return paths
