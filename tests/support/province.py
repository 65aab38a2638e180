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
    return Province(
        root=root,
        stttt=stttt,
        snv=snv,
        province_admin=make_user(stttt, "Trần Văn Quản", (Role.PROVINCE_ADMIN, Role.STAFF)),
        admin_stttt=make_user(stttt, "Lê Thị Hồng", (Role.UNIT_ADMIN, Role.STAFF)),
        staff_stttt=make_user(stttt, "Nguyễn Thu Phương"),
        leader_stttt=make_user(stttt, "Phạm Minh Đức", (Role.LEADER,)),
        admin_snv=make_user(snv, "Võ Thanh Tâm", (Role.UNIT_ADMIN,)),
        staff_snv=make_user(snv, "Huỳnh Ngọc Lan"),
    )


def add_document_types() -> None:
    """The document types of data migration 0002, again: transactional tests flush every table."""
    if not DocumentType.objects.exists():
        import_module("vanban.documents.migrations.0002_document_types").add_types(apps, None)
