"""The queries behind the usage statistics (R24): counted from the registers by unit and local day
(for the aggregates and for checking them), read back from the aggregates, and the point-in-time
figures counted live.

Every function here is one query per figure group, grouped in the database by unit (and day),
whatever the number of units or documents; the unit tree is read once (`UnitTree.load`) and the
totals of a unit and its sub-units are added up in Python over that tree.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.accounts.models import AccountPolicy, AccountStatus, RoleAssignment, Unit, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.documents.models import Direction, Document
from vanban.drafting.models import Draft, DraftStatus
from vanban.exchange.models import Delivery, DeliveryEvent, DeliveryStatus, ReturnReason, Transport
from vanban.reports.periods import REPORT_TZ, Period, local_midnight
from vanban.signatures.models import VerificationReport
from vanban.workflow.models import Processing, ProcessingStatus

if TYPE_CHECKING:
    from .statistics import Scope

ADDITIVE_FIELDS: tuple[str, ...] = (
    "logins",
    "incoming_registered",
    "incoming_electronic",
    "incoming_paper",
    "outgoing_registered",
    "outgoing_electronic",
    "outgoing_paper",
    "outgoing_issued_electronically",
    "documents_signature_valid",
    "processing_on_time",
    "processing_late",
    "processing_seconds",
    "drafts_created",
    "drafts_issued",
    "draft_cycle_seconds",
    "exchange_local_sent",
    "exchange_local_received",
    "exchange_local_refused",
    "exchange_local_refused_wrong_recipient",
    "exchange_local_refused_invalid",
    "exchange_local_status_back",
    "exchange_partner_sent",
    "exchange_partner_received",
    "exchange_partner_refused",
    "exchange_partner_status_back",
)

LOGIN_ACTION = "login.success"
# The answers a recipient sends back about a document it was sent (QĐ 28/2018/QĐ-TTg): refused,
# registered, assigned, processing, done, take-back accepted or refused. A partner's "01 arrived"
# is a message back too; inside the deployment 01 is written by the sending itself.
STATUS_BACK_CODES = ("02", "03", "04", "05", "06", "15", "16")
OPEN_PROCESSING = (
    ProcessingStatus.WAITING,
    ProcessingStatus.PRESENTED,
    ProcessingStatus.IN_PROGRESS,
)

Counters = dict[str, int]


# ---------------------------------------------------------------- the unit tree


class UnitTree:
    """Every unit, read in one query, with its children: scopes and roll-ups without a query per
    unit (a province has hundreds of units, four levels at most)."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.units: dict[int, Unit] = {}
        self.children: dict[int | None, list[Unit]] = defaultdict(list)
        for unit in units:
            self.units[unit.pk] = unit
        for unit in self.units.values():
            parent = unit.parent_id if unit.parent_id in self.units else None
            self.children[parent].append(unit)

    @classmethod
    def load(cls) -> "UnitTree":
        return cls(Unit.objects.order_by("level", "name", "pk"))

    def subtree(self, pk: int) -> set[int]:
        """The unit and every unit below it."""
        found = {pk}
        todo = [pk]
        while todo:
            for child in self.children.get(todo.pop(), []):
                if child.pk not in found:
                    found.add(child.pk)
                    todo.append(child.pk)
        return found

    def scope_ids(self, scope: "Scope") -> list[int] | None:
        """The units a scope covers, sorted; None for the province (no filter at all)."""
        if scope.kind == "unit" and scope.unit is not None:
            return sorted(self.subtree(scope.unit.pk))
        if scope.kind == "level":
            ids: set[int] = set()
            for unit in self.units.values():
                if unit.level == scope.level:
                    ids |= self.subtree(unit.pk)
            return sorted(ids)
        return None

    def children_of(self, pk: int | None) -> list[Unit]:
        return list(self.children.get(pk, []))

    def group_of(self, child_ids: list[int]) -> dict[int, int]:
        """Each unit under one of `child_ids` (the child itself included) -> that child."""
        groups: dict[int, int] = {}
        for child in child_ids:
            for pk in self.subtree(child):
                groups[pk] = child
        return groups


def _in_units(qs: QuerySet[Any], field: str, unit_ids: Iterable[int] | None) -> QuerySet[Any]:
    return qs if unit_ids is None else qs.filter(**{f"{field}__in": list(unit_ids)})


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=REPORT_TZ)


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    # SQLite may give microseconds.
    return int(value) // 1_000_000


# ---------------------------------------------------------------- counted from the registers


def day_counts(
    *, first: dt.date, last: dt.date, unit_ids: Iterable[int] | None = None
) -> dict[tuple[int, dt.date], Counters]:
    """The additive counters of each unit and local day from `first` to `last` (both included),
    counted from the registers: nine grouped queries (docs/oversight.md defines each figure)."""
    start, end = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
    ids = None if unit_ids is None else list(unit_ids)
    result: dict[tuple[int, dt.date], Counters] = defaultdict(dict)

    def take(rows: Iterable[dict[str, Any]], unit_key: str = "unit_id") -> None:
        for row in rows:
            target = result[(row.pop(unit_key), row.pop("day"))]
            for name, value in row.items():
                amount = _seconds(value) if name.endswith("_seconds") else int(value or 0)
                target[name] = target.get(name, 0) + amount

    # Registered documents (R14, R16): by the time of registration, in the registering unit.
    later_check = VerificationReport.objects.filter(
        document=OuterRef("document"),
        file_sha256=OuterRef("file_sha256"),
        checked_at__gt=OuterRef("checked_at"),
    )
    signature_valid = Exists(
        VerificationReport.objects.filter(document=OuterRef("pk"), status="valid").exclude(
            Exists(later_check)
        )
    )
    sent = Exists(Delivery.objects.filter(document=OuterRef("pk")))
    incoming, outgoing = Q(direction=Direction.INCOMING), Q(direction=Direction.OUTGOING)
    documents = _in_units(
        Document.objects.filter(registered_at__gte=start, registered_at__lt=end), "unit_id", ids
    )
    take(
        documents.annotate(day=_local_day("registered_at"))
        .order_by()
        .values("unit_id", "day")
        .annotate(
            incoming_registered=Count("pk", filter=incoming),
            incoming_electronic=Count("pk", filter=incoming & Q(is_electronic=True)),
            incoming_paper=Count("pk", filter=incoming & Q(is_electronic=False)),
            outgoing_registered=Count("pk", filter=outgoing),
            outgoing_electronic=Count("pk", filter=outgoing & Q(is_electronic=True)),
            outgoing_paper=Count("pk", filter=outgoing & Q(is_electronic=False)),
            outgoing_issued_electronically=Count("pk", filter=outgoing & Q(sent)),
            documents_signature_valid=Count("pk", filter=Q(signature_valid)),
        )
    )

    # Processing of incoming documents (R18): by the time of completion, against its deadline.
    done = _in_units(
        Processing.objects.filter(
            status=ProcessingStatus.DONE, completed_at__gte=start, completed_at__lt=end
        ),
        "unit_id",
        ids,
    )
    take(
        done.annotate(day=_local_day("completed_at"))
        .order_by()
        .values("unit_id", "day")
        .annotate(
            processing_on_time=Count(
                "pk", filter=Q(deadline__isnull=True) | Q(day__lte=F("deadline"))
            ),
            processing_late=Count("pk", filter=Q(day__gt=F("deadline"))),
            processing_seconds=Sum(
                ExpressionWrapper(
                    F("completed_at") - F("document__registered_at"),
                    output_field=DurationField(),
                )
            ),
        )
    )

    # Drafts (R16): created, and issued with the time from creation to issue.
    drafts = _in_units(Draft.objects.all(), "unit_id", ids)
    take(
        drafts.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=_local_day("created_at"))
        .order_by()
        .values("unit_id", "day")
        .annotate(drafts_created=Count("pk"))
    )
    take(
        drafts.filter(status=DraftStatus.ISSUED, issued_at__gte=start, issued_at__lt=end)
        .annotate(day=_local_day("issued_at"))
        .order_by()
        .values("unit_id", "day")
        .annotate(
            drafts_issued=Count("pk"),
            draft_cycle_seconds=Sum(
                ExpressionWrapper(F("issued_at") - F("created_at"), output_field=DurationField())
            ),
        )
    )

    # Logins (Art. 9.2.a): the audit trail's successful logins, in the unit of the account.
    logins = _in_units(
        AuditEvent.objects.filter(action=LOGIN_ACTION, at__gte=start, at__lt=end),
        "unit_id",
        ids,
    ).filter(unit__isnull=False)
    take(
        logins.annotate(day=_local_day("at"))
        .order_by()
        .values("unit_id", "day")
        .annotate(logins=Count("pk"))
    )

    # Exchange (R15, Art. 8.5): sent by the sending unit, received and refused by the recipient.
    local = Q(transport=Transport.LOCAL)
    from_partner = Q(package__isnull=False)
    deliveries = Delivery.objects.filter(created_at__gte=start, created_at__lt=end)
    take(
        _in_units(deliveries.filter(sender_unit__isnull=False), "sender_unit_id", ids)
        .annotate(day=_local_day("created_at"))
        .order_by()
        .values("sender_unit_id", "day")
        .annotate(
            exchange_local_sent=Count("pk", filter=local),
            exchange_partner_sent=Count("pk", filter=~local),
        ),
        "sender_unit_id",
    )
    take(
        _in_units(deliveries.filter(recipient_unit__isnull=False), "recipient_unit_id", ids)
        .annotate(day=_local_day("created_at"))
        .order_by()
        .values("recipient_unit_id", "day")
        .annotate(
            exchange_local_received=Count("pk", filter=local),
            exchange_partner_received=Count("pk", filter=from_partner),
        ),
        "recipient_unit_id",
    )
    refused = Delivery.objects.filter(
        status=DeliveryStatus.RETURNED,
        status_at__gte=start,
        status_at__lt=end,
        recipient_unit__isnull=False,
    )
    take(
        _in_units(refused, "recipient_unit_id", ids)
        .annotate(day=_local_day("status_at"))
        .order_by()
        .values("recipient_unit_id", "day")
        .annotate(
            exchange_local_refused=Count("pk", filter=local),
            exchange_local_refused_wrong_recipient=Count(
                "pk", filter=local & Q(return_reason=ReturnReason.WRONG_RECIPIENT)
            ),
            exchange_local_refused_invalid=Count(
                "pk", filter=local & Q(return_reason=ReturnReason.INVALID)
            ),
            exchange_partner_refused=Count("pk", filter=from_partner),
        ),
        "recipient_unit_id",
    )
    back = Q(code__in=STATUS_BACK_CODES) | (
        Q(code=DeliveryStatus.ARRIVED) & ~Q(delivery__transport=Transport.LOCAL)
    )
    events = DeliveryEvent.objects.filter(at__gte=start, at__lt=end).filter(
        back, delivery__sender_unit__isnull=False
    )
    take(
        _in_units(events, "delivery__sender_unit_id", ids)
        .annotate(day=_local_day("at"), unit=F("delivery__sender_unit_id"))
        .order_by()
        .values("unit", "day")
        .annotate(
            exchange_local_status_back=Count("pk", filter=Q(delivery__transport=Transport.LOCAL)),
            exchange_partner_status_back=Count(
                "pk", filter=~Q(delivery__transport=Transport.LOCAL)
            ),
        ),
        "unit",
    )
    return dict(result)


def login_rows(*, first: dt.date, last: dt.date) -> list[tuple[dt.date, int, int]]:
    """(local day, unit, person) of every person who logged in, once per day and unit."""
    start, end = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
    rows = (
        AuditEvent.objects.filter(
            action=LOGIN_ACTION,
            at__gte=start,
            at__lt=end,
            unit__isnull=False,
            actor__isnull=False,
        )
        .annotate(day=_local_day("at"))
        .order_by()
        .values_list("day", "unit_id", "actor_id")
        .distinct()
    )
    return list(rows)


def live_people(*, unit_ids: Iterable[int] | None, period: Period) -> int:
    """Distinct people with a successful login in the period, from the audit trail."""
    qs = AuditEvent.objects.filter(
        action=LOGIN_ACTION, at__gte=period.start, at__lt=period.end, unit__isnull=False
    )
    count: int = _in_units(qs, "unit_id", unit_ids).order_by().values("actor_id").distinct().count()
    return count


# ---------------------------------------------------------------- point in time


def _point_rows(unit_ids: Iterable[int] | None) -> dict[int, Counters]:
    """The point-in-time figures of each unit: four grouped queries and the account policy."""
    ids = None if unit_ids is None else list(unit_ids)
    result: dict[int, Counters] = defaultdict(dict)

    def take(rows: Iterable[dict[str, Any]], unit_key: str) -> None:
        for row in rows:
            target = result[row.pop(unit_key)]
            for name, value in row.items():
                target[name] = target.get(name, 0) + int(value or 0)

    revoked = Q(status=AccountStatus.REVOKED)
    take(
        _in_units(User.objects.all(), "unit_id", ids)
        .order_by()
        .values("unit_id")
        .annotate(
            accounts_active=Count("pk", filter=Q(status=AccountStatus.ACTIVE)),
            accounts_locked=Count("pk", filter=Q(status=AccountStatus.LOCKED)),
            accounts_revoked=Count("pk", filter=revoked),
            accounts_never_used=Count("pk", filter=Q(last_login__isnull=True) & ~revoked),
        ),
        "unit_id",
    )
    roles = list(AccountPolicy.current().second_factor_roles or [])
    if roles:
        # IN and NOT IN over the few administrators and devices: hashed once, not probed per
        # account (a correlated EXISTS turned into a nested loop over every account).
        needs_factor = RoleAssignment.objects.filter(role__in=roles).values("user_id")
        has_factor = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        take(
            _in_units(User.objects.filter(status=AccountStatus.ACTIVE), "unit_id", ids)
            .filter(pk__in=needs_factor)
            .exclude(pk__in=has_factor)
            .order_by()
            .values("unit_id")
            .annotate(accounts_without_second_factor=Count("pk")),
            "unit_id",
        )
    today = clock.now().astimezone(REPORT_TZ).date()
    take(
        _in_units(
            Processing.objects.filter(status__in=OPEN_PROCESSING, deadline__lt=today),
            "unit_id",
            ids,
        )
        .order_by()
        .values("unit_id")
        .annotate(processing_overdue_now=Count("pk")),
        "unit_id",
    )
    take(
        _in_units(
            Delivery.objects.filter(status=DeliveryStatus.ARRIVED, recipient_unit__isnull=False),
            "recipient_unit_id",
            ids,
        )
        .order_by()
        .values("recipient_unit_id")
        .annotate(
            exchange_local_waiting=Count("pk", filter=Q(transport=Transport.LOCAL)),
            exchange_partner_waiting=Count("pk", filter=Q(package__isnull=False)),
        ),
        "recipient_unit_id",
    )
    return result


def point_in_time(*, unit_ids: Iterable[int] | None) -> Counters:
    total: Counters = {}
    for values in _point_rows(unit_ids).values():
        for name, value in values.items():
            total[name] = total.get(name, 0) + value
    return total


def point_in_time_by(*, group_of: dict[int, int]) -> dict[int, Counters]:
    """The point-in-time figures of each group (a child unit with its sub-units)."""
    totals: dict[int, Counters] = {group: {} for group in set(group_of.values())}
    for unit_id, values in _point_rows(group_of.keys()).items():
        target = totals[group_of[unit_id]]
        for name, value in values.items():
            target[name] = target.get(name, 0) + value
    return totals


# ---------------------------------------------------------------- read from the aggregates


def _daily(period: Period) -> QuerySet[Any]:
    from .models_statistics import DailyUsage

    return DailyUsage.objects.filter(day__gte=period.first, day__lte=period.last)


def _logins(period: Period) -> QuerySet[Any]:
    from .models_statistics import DailyLogin

    return DailyLogin.objects.filter(day__gte=period.first, day__lte=period.last)


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in ADDITIVE_FIELDS}


def _clean(row: dict[str, Any]) -> Counters:
    return {name: int(row.get(name) or 0) for name in ADDITIVE_FIELDS}


def aggregate_totals(*, unit_ids: Iterable[int] | None, period: Period) -> Counters:
    return _clean(_in_units(_daily(period), "unit_id", unit_ids).aggregate(**_sums()))


def aggregate_totals_by(*, group_of: dict[int, int], period: Period) -> dict[int, Counters]:
    rows = (
        _in_units(_daily(period), "unit_id", group_of.keys())
        .order_by()
        .values("unit_id")
        .annotate(**_sums())
    )
    totals: dict[int, Counters] = {}
    for row in rows:
        target = totals.setdefault(group_of[row["unit_id"]], {})
        for name, value in _clean(row).items():
            target[name] = target.get(name, 0) + value
    return totals


def aggregate_totals_by_day(
    *, unit_ids: Iterable[int] | None, period: Period
) -> dict[dt.date, Counters]:
    rows = (
        _in_units(_daily(period), "unit_id", unit_ids).order_by().values("day").annotate(**_sums())
    )
    return {row["day"]: _clean(row) for row in rows}


def aggregate_people(*, unit_ids: Iterable[int] | None, period: Period) -> int:
    count: int = (
        _in_units(_logins(period), "unit_id", unit_ids)
        .order_by()
        .values("user_id")
        .distinct()
        .count()
    )
    return count


def aggregate_people_by(*, group_of: dict[int, int], period: Period) -> dict[int, int]:
    """Distinct people of each group: the group is worked out in the database (one CASE arm per
    group), so one query returns one row per group."""
    if not group_of:
        return {}
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, owner in group_of.items():
        members[owner].append(unit_id)
    group = Case(
        *(When(unit_id__in=ids, then=Value(g)) for g, ids in members.items()),
        output_field=IntegerField(),
    )
    rows = (
        _in_units(_logins(period), "unit_id", group_of.keys())
        .annotate(group=group)
        .order_by()
        .values("group")
        .annotate(people=Count("user_id", distinct=True))
    )
    return {row["group"]: row["people"] for row in rows}


def aggregate_people_by_bucket(
    *, unit_ids: Iterable[int] | None, period: Period, step: str
) -> dict[dt.date, int]:
    qs = _in_units(_logins(period), "unit_id", unit_ids).order_by()
    if step == "month":
        rows = (
            qs.annotate(bucket=TruncMonth("day"))
            .values("bucket")
            .annotate(people=Count("user_id", distinct=True))
        )
    else:
        rows = (
            qs.annotate(bucket=F("day"))
            .values("bucket")
            .annotate(people=Count("user_id", distinct=True))
        )
    found: dict[dt.date, int] = {}
    for row in rows:
        bucket = row["bucket"]
        if isinstance(bucket, dt.datetime):
            bucket = bucket.date()
        found[bucket] = row["people"]
    return found
