"""A small province built through the same services the product uses."""

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps

from vanban.accounts import services
from vanban.accounts.models import Role, Unit, User
from vanban.documents.models import DocumentType

PASSWORD = "Mat-khau-9x"


@dataclass
class Province:
    root: Unit
    stttt: Unit
    snv: Unit
    province_admin: User
    admin_stttt: User
    staff_stttt: User
    leader_stttt: User
    admin_snv: User
    staff_snv: User


def make_user(
    unit: Unit,
    full_name: str,
    roles: tuple[str, ...] = (Role.STAFF,),
    *,
    must_change_password: bool = False,
    **extra,
) -> User:
    return services.account_create(
        actor=None,
        unit=unit,
        full_name=full_name,
        roles=roles,
        password=PASSWORD,
        must_change_password=must_change_password,
        **extra,
    ).user


def province_root_and_stttt() -> tuple[Unit, Unit]:
    """The province's people's committee and its Department of Information and Communications."""
    root = services.unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh Bến Tre",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    stttt = services.unit_create(
        actor=None,
        name="Sở Thông tin và Truyền thông",
        symbol="STTTT",
        abbreviation="stttt",
        agency_code="000.00.12.H07",
        parent=root,
    )
    return root, stttt


# The people of the province: (field of Province, unit field, full name, roles).
PEOPLE = (
    ("province_admin", "stttt", "Trần Văn Quản", (Role.PROVINCE_ADMIN, Role.STAFF)),
    ("admin_stttt", "stttt", "Lê Thị Hồng", (Role.UNIT_ADMIN, Role.STAFF)),
    ("staff_stttt", "stttt", "Nguyễn Thu Phương", (Role.STAFF,)),
    ("leader_stttt", "stttt", "Phạm Minh Đức", (Role.LEADER,)),
    ("admin_snv", "snv", "Võ Thanh Tâm", (Role.UNIT_ADMIN,)),
    ("staff_snv", "snv", "Huỳnh Ngọc Lan", (Role.STAFF,)),
)
UNIT_CODES = {"root": "000.00.00.H07", "stttt": "000.00.12.H07", "snv": "000.00.05.H07"}


def build_province() -> Province:
    root, stttt = province_root_and_stttt()
    snv = services.unit_create(
        actor=None,
        name="Sở Nội vụ",
        symbol="SNV",
        abbreviation="snv",
        agency_code="000.00.05.H07",
        parent=root,
    )
    units = {"root": root, "stttt": stttt, "snv": snv}
    people = {
        field: make_user(units[unit], full_name, roles) for field, unit, full_name, roles in PEOPLE
    }
    return Province(**units, **people)


def find_province() -> Province | None:
    """The province already in the database (built once for the session), read afresh: two
    queries, where building it takes a hundred."""
    units = {
        unit.agency_code: unit for unit in Unit.objects.filter(agency_code__in=UNIT_CODES.values())
    }
    if len(units) != len(UNIT_CODES):
        return None
    by_code = {field: units[code] for field, code in UNIT_CODES.items()}
    users = {
        (user.unit_id, user.full_name): user
        for user in User.objects.filter(
            unit__in=units.values(), full_name__in=[p[2] for p in PEOPLE]
        )
    }
    people = {}
    for field, unit, full_name, _roles in PEOPLE:
        user = users.get((by_code[unit].pk, full_name))
        if user is None:
            return None
        people[field] = user
    return Province(**by_code, **people)


def add_document_types() -> None:
    """The document types of data migration 0002, again: transactional tests flush every table."""
    if not DocumentType.objects.exists():
        import_module("vanban.documents.migrations.0002_document_types").add_types(apps, None)


def add_unit(name: str, symbol: str, abbreviation: str, code: str, parent: Unit) -> Unit:
    return services.unit_create(
        actor=None,
        name=name,
        symbol=symbol,
        abbreviation=abbreviation,
        agency_code=code,
        parent=parent,
    )


def add_districts(root: Unit, names: list[str], *, first: int = 0) -> list[Unit]:
    """People's committees of districts, each with its "Phòng Nội vụ" and "Văn phòng HĐND và
    UBND", as every district of the province has (the names repeat, the codes do not)."""
    districts = []
    for n, name in enumerate(names, start=first + 40):
        district = add_unit(f"UBND huyện {name}", "UBND", f"ubndh{n}", f"000.00.{n}.H07", root)
        add_unit("Phòng Nội vụ", "PNV", f"pnvh{n}", f"000.01.{n}.H07", district)
        add_unit("Văn phòng HĐND và UBND", "VP", f"vph{n}", f"000.02.{n}.H07", district)
        districts.append(district)
    return districts
