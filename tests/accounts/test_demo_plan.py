"""The demo's reorganisation plans of 1 July 2025 (docs/reorganisation.md, "The demo: Vĩnh Long
before and after 1 July 2025"): the committed files are the functions' output, they name only
units of the loaded demo, their new codes are well formed and unused, and once applied the
province has no district level."""

from collections import defaultdict

import pytest

from vanban.accounts.demo import (
    DEMO_LOGIN_USERNAMES,
    demo_logins,
    demo_province_load,
)
from vanban.accounts.demo_plan import (
    COMMUNE_DECISION,
    NEW_COMMUNES,
    PLANS_DIR,
    PROVINCE_DECISION,
    demo_codes,
    demo_plan_2025,
    demo_plans_2025,
    plan_json,
)
from vanban.accounts.models import ABBREVIATION_RE, Unit, User
from vanban.core.agency_codes import is_agency_code


def test_the_plan_files_are_the_functions_output():
    plans = demo_plans_2025()
    assert [name for name, _ in plans] == sorted(p.name for p in PLANS_DIR.glob("*.json"))
    for name, plan in plans:
        assert (PLANS_DIR / name).read_text(encoding="utf-8") == plan_json(plan), name
    assert plan_json(demo_plan_2025()) == plan_json(plans[-1][1])
    communes, province = (plan for _, plan in plans)
    assert (
        communes["decision"]
        == COMMUNE_DECISION
        == {
            "number": "1687/NQ-UBTVQH15",
            "date": "2025-06-16",
        }
    )
    assert (
        province["decision"]
        == PROVINCE_DECISION
        == {
            "number": "202/2025/QH15",
            "date": "2025-06-12",
        }
    )
    assert {communes["effective_date"], province["effective_date"]} == {"2025-07-01"}
    # The same output every time (no set order, no clock).
    assert [plan_json(p) for _, p in demo_plans_2025()] == [plan_json(p) for _, p in plans]


def _references(plan: dict) -> list[str]:
    """Every unit a plan's changes name (agency codes of existing units or keys of new ones)."""
    found: list[str] = [n["parent"] for n in plan["new_units"]]
    for change in plan["changes"]:
        for key in ("unit", "into", "parent", "successor", "default"):
            value = change.get(key)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(value)
        found.extend(change.get("units", []))
    return found


def _apply(units: dict[str, dict], plan: dict) -> None:
    """The plan's effect on a tree of open units {code or key: {parent, name, abbreviation}},
    by the rules of docs/reorganisation.md: the units of merge, split and close end, and the
    sub-units the plan does not name end with them; move changes a parent; rename a code, a
    name or an abbreviation; new units are added."""
    for new in plan["new_units"]:
        units[new["key"]] = {
            "parent": new["parent"],
            "name": new["name"],
            "abbreviation": new["abbreviation"],
            "code": new["agency_code"],
        }
    ending: set[str] = set()
    for change in plan["changes"]:
        if change["kind"] == "merge":
            ending.update(change["units"])
        elif change["kind"] in ("split", "close"):
            ending.add(change["unit"])
        elif change["kind"] == "move":
            units[change["unit"]]["parent"] = change["parent"]
    renames = [c for c in plan["changes"] if c["kind"] == "rename"]
    named = set(_references(plan))
    ended = {code for code in units if _ending_above(code, ending, named, units) is not None}
    for code in ended:
        del units[code]
    for change in renames:
        unit = units[change["unit"]]
        for key in ("name", "abbreviation"):
            unit[key] = change.get(key, unit[key])
        unit["code"] = change.get("agency_code", unit["code"])


def _ending_above(
    code: str, ending: set[str], named: set[str], units: dict[str, dict]
) -> str | None:
    """The ending unit `code` ends with: itself, or its nearest ending ancestor when neither it
    nor a unit between them is named by the plan."""
    node: str | None = code
    while node is not None:
        if node in ending:
            return node
        if node in named:
            return None
        node = units[node]["parent"] if node in units else None
    return None


def _level(units: dict[str, dict], code: str) -> int:
    level, node = 1, units[code]["parent"]
    while node is not None:
        level, node = level + 1, units[node]["parent"]
    return level


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_database")
def test_the_plans_name_the_loaded_demo_and_leave_a_two_level_province():
    demo_province_load()
    loaded = {u.agency_code: u for u in Unit.objects.select_related("parent")}
    # The demo's spec is what is loaded: the plans are built from the spec.
    assert set(demo_codes()) == set(loaded)
    abbreviations = {u.abbreviation for u in loaded.values()}
    new_codes: list[str] = []
    new_abbreviations: list[str] = []
    keys: set[str] = set()
    for name, plan in demo_plans_2025():
        keys |= {n["key"] for n in plan["new_units"]}
        for ref in _references(plan):
            assert ref in loaded or ref in keys, (name, ref)
        for new in plan["new_units"]:
            new_codes.append(new["agency_code"])
            new_abbreviations.append(new["abbreviation"])
            assert new["parent"] == "000.00.00.H61"
        for change in plan["changes"]:
            if change["kind"] == "rename":
                new_codes.extend([change["agency_code"]] if "agency_code" in change else [])
                if "abbreviation" in change:
                    new_abbreviations.append(change["abbreviation"])
    for code in new_codes:
        assert is_agency_code(code) and code.endswith(".H61"), code
        assert code not in loaded, code
    assert len(set(new_codes)) == len(new_codes)
    for abbreviation in new_abbreviations:
        assert ABBREVIATION_RE.match(abbreviation) and abbreviation not in abbreviations
    assert len(set(new_abbreviations)) == len(new_abbreviations)

    # Applied in order, the plans leave one root, Vĩnh Long, with its sở and communes at level 2
    # and no district; no open unit keeps a closed code (H07, H59).
    units = {
        code: {
            "parent": u.parent.agency_code if u.parent else None,
            "name": u.name,
            "abbreviation": u.abbreviation,
            "code": code,
        }
        for code, u in loaded.items()
    }
    for _name, plan in demo_plans_2025():
        _apply(units, plan)
    roots = [c for c, u in units.items() if u["parent"] is None]
    assert roots == ["000.00.00.H61"]
    assert units["000.00.00.H61"]["name"] == "Ủy ban nhân dân tỉnh Vĩnh Long"
    level2 = {c: u for c, u in units.items() if u["parent"] == "000.00.00.H61"}
    assert not [
        u["name"]
        for u in units.values()
        if u["name"].startswith(("Ủy ban nhân dân huyện", "Ủy ban nhân dân thành phố"))
    ]
    communes = [u for u in level2.values() if u["name"].startswith("Ủy ban nhân dân")]
    assert len(communes) == len(NEW_COMMUNES) == 12
    assert all(_level(units, c) <= 4 for c in units)
    assert all(u["code"].endswith(".H61") for u in units.values()), [
        u["code"] for u in units.values() if not u["code"].endswith(".H61")
    ]
    sos = sorted(u["name"] for u in level2.values() if u["name"].startswith("Sở"))
    assert sos == [
        "Sở Công Thương",
        "Sở Giáo dục và Đào tạo",
        "Sở Khoa học và Công nghệ tỉnh Vĩnh Long",
        "Sở Nông nghiệp và Môi trường",
        "Sở Nội vụ",
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Xây dựng",
        "Sở Y tế",
    ]
    assert len({u["abbreviation"] for u in units.values()}) == len(units)


def _final_unit(code: str, plans: list[dict], parents: dict[str, str | None]) -> str:
    """The unit (code or key) whose accounts `code`'s accounts become after the plans: its
    default successor, or the default successor of its nearest ending ancestor."""
    for plan in plans:
        successor: dict[str, str] = {}
        for change in plan["changes"]:
            if change["kind"] == "merge":
                successor |= dict.fromkeys(change["units"], change["into"])
            elif change["kind"] == "split":
                successor[change["unit"]] = change["default"]
            elif change["kind"] == "close":
                successor[change["unit"]] = change["successor"]
        named = set(_references(plan))
        node: str | None = code
        while node is not None and node not in successor and node not in named:
            node = parents.get(node)
        if node is not None and node in successor:
            code = successor[node]
    return code


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_database")
def test_the_demo_logins_work_before_the_plans_and_accounts_do_not_collide_after():
    demo_province_load()
    assert [login.username for login in demo_logins()] == list(DEMO_LOGIN_USERNAMES)
    assert {u.unit.name for u in User.objects.filter(username__in=DEMO_LOGIN_USERNAMES)} == {
        "Sở Thông tin và Truyền thông"
    }
    # Each account keeps its personal part and takes its unit's new part (R2): within each
    # unit after the plans, no two accounts share a personal part, so no renumbering is needed.
    plans = [plan for _, plan in demo_plans_2025()]
    parents = {
        u.agency_code: (u.parent.agency_code if u.parent else None)
        for u in Unit.objects.select_related("parent")
    }
    people: dict[str, list[str]] = defaultdict(list)
    for user in User.objects.select_related("unit"):
        final = _final_unit(user.unit.agency_code, plans, parents)
        people[final].append(user.username.split(".")[0])
    collisions = {
        unit: sorted({p for p in names if names.count(p) > 1})
        for unit, names in people.items()
        if len(set(names)) != len(names)
    }
    assert collisions == {}
