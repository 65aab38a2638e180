"""Reads of units and accounts; list queries start from what the reader may see (R7)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from vanban.core import clock
from vanban.core.errors import NotFound
from vanban.core.text import fold

from .models import (
    REPORTED_ACCOUNT_CHANGES,
    AccountChange,
    AccountPolicy,
    AccountStatus,
    Role,
    SessionRecord,
    Unit,
    UnitRecord,
    User,
)


def roles_of(*, user: User) -> list[str]:
    return sorted({str(Role(r).label) for _, r in user.role_pairs()})


def units_managed_by(*, user: User) -> QuerySet[Unit]:
    """Units the person administers: all for the province admin, their own for a unit admin."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    managed = user.managed_unit_ids()
    return Unit.objects.all() if managed is None else Unit.objects.filter(pk__in=managed)


def units_reported_by(*, user: User) -> QuerySet[Unit]:
    """The units whose account-change report (R8) the person reads: those they administer and
    the ended units those units carry on (a reorganisation; docs/reorganisation.md), read with
    the roles, no query of its own."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    managed = user.managed_unit_ids()
    if managed is None:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=managed | user.predecessor_unit_ids(managed))


def accounts_visible_to(*, user: User) -> QuerySet[User]:
    managed = user.managed_unit_ids() if user.is_authenticated and user.is_active else set()
    qs = User.objects.select_related("unit")
    return qs if managed is None else qs.filter(unit_id__in=managed)


def account_list(
    *, user: User, query: str = "", unit_id: int | None = None, status: str = ""
) -> QuerySet[User]:
    """Accounts the admin manages, searched without regard to diacritics or case."""
    qs = accounts_visible_to(user=user)
    if query:
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status in AccountStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("unit__name", "full_name", "pk")


def access_account(*, user: User, pk: int) -> User:
    """The account if `user` administers it; "missing" and "forbidden" look the same."""
    account = accounts_visible_to(user=user).filter(pk=pk).first()
    if account is None:
        raise NotFound("Không tìm thấy tài khoản.")
    return account


def access_unit(*, user: User, pk: int) -> Unit:
    unit = units_managed_by(user=user).filter(pk=pk).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def unit_list(*, user: User, query: str = "", day: dt.date | None = None) -> QuerySet[Unit]:
    """The units the admin manages, with their member counts; with `day`, those that existed
    that day, each with the records of its past identities still in force then prefetched
    (`unit_history.unit_facts_on(unit, day)` reads them without a query)."""
    qs = units_managed_by(user=user).select_related("parent")
    if day is not None:
        qs = qs.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        ).prefetch_related(
            Prefetch(
                "history",
                queryset=UnitRecord.objects.filter(valid_until__gte=day)
                .select_related("parent")
                .order_by("valid_until"),
            )
        )
    if query:
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
    return qs.annotate(member_count=Count("members")).order_by("level", "name", "pk")


def admin_summary(*, user: User) -> dict[str, Any] | None:
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        return None
    qs = accounts_visible_to(user=user)
    counts = qs.aggregate(
        active=Count("pk", filter=Q(status=AccountStatus.ACTIVE)),
        locked=Count("pk", filter=Q(status=AccountStatus.LOCKED)),
        revoked=Count("pk", filter=Q(status=AccountStatus.REVOKED)),
    )
    scope = (
        "toàn tỉnh"
        if managed is None
        else ", ".join(Unit.objects.filter(pk__in=managed).values_list("name", flat=True))
    )
    return {**counts, "scope": scope}


def password_age_warning(*, user: User) -> str:
    """R5: encourage a periodic password change."""
    policy = AccountPolicy.current()
    if not policy.password_max_age_days:
        return ""
    age = clock.now() - user.password_changed_at
    if age > dt.timedelta(days=policy.password_max_age_days):
        return (
            f"Mật khẩu của bạn đã dùng {age.days} ngày; nên đổi mật khẩu định kỳ "
            f"{policy.password_max_age_days} ngày một lần."
        )
    return ""


def account_changes(
    *, user: User, unit: Unit, start: dt.datetime, end: dt.datetime
) -> QuerySet[AccountChange]:
    """Changes of a unit's accounts in [start, end) for the R8 report."""
    if unit.pk not in {u.pk for u in units_reported_by(user=user).filter(pk=unit.pk)}:
        raise NotFound("Không tìm thấy đơn vị.")
    return (
        AccountChange.objects.filter(
            unit=unit,
            at__gte=start,
            at__lt=end,
            kind__in=REPORTED_ACCOUNT_CHANGES,
        )
        .select_related("user", "actor")
        .order_by("at", "pk")
    )


def account_history(*, user: User, account: User) -> QuerySet[AccountChange]:
    """An account's changes, newest first, for an admin who manages it (R3, R4, R8)."""
    if not accounts_visible_to(user=user).filter(pk=account.pk).exists():
        raise NotFound("Không tìm thấy tài khoản.")
    return account.changes.select_related("actor").order_by("-at", "-pk")


@dataclass(frozen=True)
class FormerName:
    """A former account name as the account's page shows it."""

    pk: int
    username: str
    valid_until: dt.date  # the last day it signs in
    decision: str
    is_live: bool  # still signs in today


def aliases_of(*, account: User) -> list[FormerName]:
    """The account's former names (R2 in a reorganisation), the latest last day first. One
    query; the caller has access to the account."""
    today = timezone.localdate(clock.now())
    return [
        FormerName(
            pk=alias.pk,
            username=alias.username,
            valid_until=alias.valid_until,
            decision=alias.decision,
            is_live=alias.valid_until >= today,
        )
        for alias in account.aliases.order_by("-valid_until", "username")
    ]


def unit_people(*, user: User) -> list[dict[str, Any]]:
    """The active people of the reader's own unit with their roles, for the home page."""
    people = (
        User.objects.filter(unit_id=user.unit_id, status=AccountStatus.ACTIVE)
        .prefetch_related("role_assignments")
        .order_by("full_name", "pk")
    )
    return [
        {
            "user": person,
            "roles": sorted(
                str(Role(a.role).label)
                for a in person.role_assignments.all()
                if a.unit_id == person.unit_id
            ),
        }
        for person in people
    ]


@dataclass(frozen=True)
class LiveSession:
    """A signed-in session that still works, and whether it is the one asking (R6)."""

    record: SessionRecord
    is_current: bool


def sessions_of(*, user: User, current_session_key: str | None) -> list[LiveSession]:
    """The person's own signed-in sessions that still work, the current one marked (R6).

    A row whose session has expired, was deleted, or carries an old session hash (password
    changed, account locked, other sessions ended) is left out: that session no longer signs in.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = list(SessionRecord.objects.filter(user=user))
    if not records:
        return []
    stored = store.get_model_class().objects.filter(
        session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
    )
    auth_hash = user.get_session_auth_hash()
    live = set()
    for session in stored:
        data = store().decode(session.session_data)
        if str(data.get(SESSION_KEY)) == str(user.pk) and constant_time_compare(
            data.get(HASH_SESSION_KEY, ""), auth_hash
        ):
            live.add(session.session_key)
    return [
        LiveSession(record=r, is_current=r.session_key == current_session_key)
        for r in records
        if r.session_key in live
    ]
