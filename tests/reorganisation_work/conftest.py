"""Reorganisation hand-over tests: a unit ended the way the reorganisation engine ends it, and
the `Transfer` it hands to each app's `reorganise.py`."""

import datetime as dt

from vanban.accounts import services as account_services
from vanban.accounts.models import Unit
from vanban.accounts.unit_history import Transfer
from vanban.audit.services import audit_verify

DECISION = "1234/QĐ-UBND"
PLAN = "vinh-long-2026"


def successor(
    parent: Unit | None,
    name: str = "Sở Khoa học và Công nghệ",
    symbol: str = "SKHCN",
    code: str = "000.00.14.H61",
) -> Unit:
    return account_services.unit_create(
        actor=None,
        name=name,
        symbol=symbol,
        abbreviation=symbol.lower(),
        agency_code=code,
        parent=parent,
        place_name="Vĩnh Long",
    )


def end_into(source: Unit, target: Unit, effective: dt.date, **extra: object) -> Transfer:
    """End `source` as the engine does (the day before `effective`, inactive) and give the
    transfer to `target`."""
    if source.pk != target.pk:
        source.end_date = effective - dt.timedelta(days=1)
        source.is_active = False
        source.save(update_fields=["end_date", "is_active"])
    return Transfer(
        source=source,
        target=target,
        effective_date=effective,
        decision=DECISION,
        plan_ref=PLAN,
        **extra,  # type: ignore[arg-type]
    )


def chain_ok() -> bool:
    _count, problems = audit_verify()
    return not problems
