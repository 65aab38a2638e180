"""Reads behind the reports; each starts from what the reader may see."""

from dataclasses import dataclass

from vanban.accounts import selectors as account_selectors
from vanban.accounts.models import REPORTED_ACCOUNT_CHANGES, AccountChange, Unit, User
from vanban.core.text import nfc

from .periods import Period

# The kinds of change the unit reports to the Department (R8), in the report's order.
ACCOUNT_CHANGE_REPORT_KINDS = tuple(AccountChange.Kind(k) for k in REPORTED_ACCOUNT_CHANGES)
# The changes of a reorganisation of units (docs/reorganisation.md): their totals are shown only
# in a period that has some, so that the usual report keeps its five columns.
REORGANISATION_KINDS = (
    AccountChange.Kind.MOVED_OUT,
    AccountChange.Kind.MOVED_IN,
    AccountChange.Kind.RENAMED,
)

_PROVINCE_PREFIXES = (
    "ủy ban nhân dân tỉnh ",
    "uỷ ban nhân dân tỉnh ",
    "ủy ban nhân dân thành phố ",
    "uỷ ban nhân dân thành phố ",
    "ubnd tỉnh ",
    "ubnd thành phố ",
)


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class AccountChangeReport:
    unit: Unit
    period: Period
    rows: list[AccountChange]
    totals: list[KindTotal]

    @property
    def total(self) -> int:
        return len(self.rows)


def account_change_report(*, user: User, unit: Unit, period: Period) -> AccountChangeReport:
    """R8: the changes of a unit's accounts in a period, with totals per kind.

    Raises NotFound when `user` does not administer `unit` (R7).
    """
    rows = list(
        account_selectors.account_changes(user=user, unit=unit, start=period.start, end=period.end)
    )
    counts = dict.fromkeys(ACCOUNT_CHANGE_REPORT_KINDS, 0)
    for row in rows:
        counts[AccountChange.Kind(row.kind)] += 1
    totals = [
        KindTotal(kind=str(kind), label=str(kind.label), count=counts[kind])
        for kind in ACCOUNT_CHANGE_REPORT_KINDS
        if counts[kind] or kind not in REORGANISATION_KINDS
    ]
    return AccountChangeReport(unit=unit, period=period, rows=rows, totals=totals)


def province_name() -> str:
    """The province as written in a document's place line: "Bến Tre", from the root unit's name.
    With several roots (provinces being merged, NQ 202/2025/QH15) the first open one: after the
    merge, the province that took the others in."""
    root = (
        Unit.objects.filter(parent__isnull=True, end_date__isnull=True)
        .order_by("pk")
        .only("name")
        .first()
    )
    if root is None:
        return ""
    name = nfc(root.name)
    for prefix in _PROVINCE_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix) :].strip()
    return name
