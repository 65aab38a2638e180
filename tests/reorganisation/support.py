"""A province to reorganise, built through the same services the product uses, and plans."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.support.province import Province, add_unit
from vanban.accounts.models import Unit

EFFECTIVE = "2025-07-01"


@dataclass
class Tree:
    province: Province
    root: Unit
    stttt: Unit
    snv: Unit
    skhcn: Unit  # level 2, with a level-3 office that has a level-4 team
    skhcn_office: Unit
    skhcn_team: Unit
    district: Unit  # level 2, with its home affairs office and three communes
    district_office: Unit
    anhoi: Unit
    phuhung: Unit
    phunhuan: Unit


def build_tree(province: Province) -> Tree:
    root = province.root
    skhcn = add_unit("Sở Khoa học và Công nghệ", "SKHCN", "skhcn", "000.00.14.H07", root)
    office = add_unit("Văn phòng Sở Khoa học và Công nghệ", "VP", "vpskhcn", "001.00.14.H07", skhcn)
    team = add_unit("Tổ Văn thư", "VT", "tovanthu", "002.00.14.H07", office)
    district = add_unit(
        "Ủy ban nhân dân huyện Châu Thành", "UBND", "chauthanh", "000.00.21.H07", root
    )
    district_office = add_unit(
        "Phòng Nội vụ huyện Châu Thành", "PNV", "pnvchauthanh", "000.01.21.H07", district
    )
    anhoi = add_unit("Ủy ban nhân dân xã An Hội", "UBND", "xaanhoi", "000.31.21.H07", district)
    phuhung = add_unit(
        "Ủy ban nhân dân xã Phú Hưng", "UBND", "xaphuhung", "000.32.21.H07", district
    )
    phunhuan = add_unit(
        "Ủy ban nhân dân xã Phú Nhuận", "UBND", "xaphunhuan", "000.33.21.H07", district
    )
    return Tree(
        province=province,
        root=root,
        stttt=province.stttt,
        snv=province.snv,
        skhcn=skhcn,
        skhcn_office=office,
        skhcn_team=team,
        district=district,
        district_office=district_office,
        anhoi=anhoi,
        phuhung=phuhung,
        phunhuan=phunhuan,
    )


BASE: dict[str, Any] = {
    "title": "Sắp xếp đơn vị hành chính tỉnh Bến Tre từ ngày 01/07/2025",
    "decision": {"number": "1687/NQ-UBTVQH15", "date": "2025-06-16"},
    "effective_date": EFFECTIVE,
    "new_units": [],
    "changes": [],
}


def make_plan(
    *changes: dict[str, Any], new_units: list[dict[str, Any]] | None = None, **top: Any
) -> dict[str, Any]:
    plan = copy.deepcopy(BASE)
    plan["changes"] = list(changes)
    plan["new_units"] = new_units or []
    plan.update(top)
    return plan


def new_unit(
    key: str, code: str, parent: str, *, name: str = "", abbreviation: str = ""
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name or f"Ủy ban nhân dân phường {key.title()}",
        "symbol": "UBND",
        "abbreviation": abbreviation or key,
        "agency_code": code,
        "parent": parent,
        "place_name": "Bến Tre",
    }
