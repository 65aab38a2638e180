"""The two units the registration browser tests start from, created through the account
services as an administrator would: the province's People's Committee and one of its
departments (its clerk registers)."""

from vanban.accounts import services
from vanban.accounts.models import Unit


def province_and_department() -> tuple[Unit, Unit]:
    root = services.unit_create(
        actor=None,
        name="Ủy ban nhân dân tỉnh Bến Tre",
        symbol="UBND",
        abbreviation="ubndtinh",
        agency_code="000.00.00.H07",
        parent=None,
    )
    unit = services.unit_create(
        actor=None,
        name="Sở Thông tin và Truyền thông",
        symbol="STTTT",
        abbreviation="stttt",
        agency_code="000.00.12.H07",
        parent=root,
    )
    return root, unit
