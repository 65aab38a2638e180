"""The province as it is, read once before a load (benchmarks/benchdata.py): the units that keep
registers, with their clerks, leaders, handlers and deadline policy."""

from collections import defaultdict
from dataclasses import dataclass

from vanban.accounts.models import AccountStatus, Role, RoleAssignment, Unit, User
from vanban.documents.models import Urgency
from vanban.workflow.models import DeadlinePolicy


@dataclass
class Person:
    pk: int
    full_name: str
    position: str
    unit_id: int


@dataclass
class UnitInfo:
    unit: Unit
    weight: float
    clerks: list[Person]
    leaders: list[Person]
    handlers: list[Person]  # people of the unit and below who may be given work
    lead_units: list[Unit]  # units below with leaders
    drafting_symbols: list[str]
    policy_days: dict[int, int]  # urgency -> days


def _unit_weight(unit: Unit) -> float:
    """The province office, sở and UBND huyện register far more than a xã or a phòng."""
    if unit.level <= 1 or (unit.level == 2 and unit.name.startswith("Văn phòng")):
        return 10.0
    return {2: 5.0, 3: 1.0}.get(unit.level, 0.5)


def province_read() -> tuple[list[UnitInfo], dict[int, list[Person]], dict[int, list[Person]]]:
    """Units that have an active clerk (they keep registers), with their people."""

    units = {u.pk: u for u in Unit.objects.filter(is_active=True)}
    people = {
        p.pk: Person(p.pk, p.full_name, p.position, p.unit_id)
        for p in User.objects.filter(status=AccountStatus.ACTIVE, unit_id__in=units).only(
            "pk", "full_name", "position", "unit_id"
        )
    }
    roles: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for unit_id, role, user_id in (
        RoleAssignment.objects.filter(user_id__in=people, unit_id__in=units)
        .values_list("unit_id", "role", "user_id")
        .order_by("unit_id", "user_id")
    ):
        roles[(unit_id, role)].append(people[user_id])
    children: dict[int, list[int]] = defaultdict(list)
    for unit in units.values():
        if unit.parent_id in units:
            children[unit.parent_id].append(unit.pk)
    members: dict[int, list[Person]] = defaultdict(list)
    for person in people.values():
        members[person.unit_id].append(person)

    def below(unit_id: int) -> list[int]:
        found = []
        for child in sorted(children[unit_id]):
            found.append(child)
            found.extend(below(child))
        return found

    infos = []
    leaders_by_unit = {u: roles[(u, Role.LEADER)] for u in units}
    for unit in sorted(units.values(), key=lambda u: u.pk):
        clerks = roles[(unit.pk, Role.CLERK)]
        if not clerks:
            continue
        subtree = [unit.pk, *below(unit.pk)]
        clerk_ids = {p.pk for p in clerks}
        handlers = [p for u in subtree for p in members[u] if p.pk not in clerk_ids]
        policy = DeadlinePolicy.for_unit(unit.pk)
        infos.append(
            UnitInfo(
                unit=unit,
                weight=_unit_weight(unit),
                clerks=clerks,
                leaders=leaders_by_unit[unit.pk],
                handlers=handlers,
                lead_units=[units[u] for u in subtree[1:] if leaders_by_unit[u]],
                drafting_symbols=sorted({units[c].symbol for c in children[unit.pk]}),
                policy_days={u: policy.days_for(u) for u in Urgency.values},
            )
        )
    clerks_by_unit = {u: roles[(u, Role.CLERK)] for u in units}
    return infos, leaders_by_unit, clerks_by_unit
