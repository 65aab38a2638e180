"""The daily lifecycle sweep (R3, R4) and the province's account policy that sets its periods
and the password rules (R3-R5)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError

from ..models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    LockReason,
    LoginFailure,
    RevokeReason,
    Role,
    User,
)
from ._common import (
    _lock,
    _require_province_admin,
    _revoke,
)


@dataclass
class SweepResult:
    locked: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)


def accounts_sweep(*, at: dt.datetime | None = None) -> SweepResult:
    """Apply the lifecycle rules at `at` (default now). Idempotent; run daily.

    R4: revoke accounts with no login for `inactive_revoke_days` since creation or last login.
    R3: lock accounts that still must change their issued password `unused_lock_days` after
        it was issued (never used, or never changed as required).
    """
    at = at or clock.now()
    policy = AccountPolicy.current()
    result = SweepResult()
    revoke_before = at - dt.timedelta(days=policy.inactive_revoke_days)
    lock_before = at - dt.timedelta(days=policy.unused_lock_days)
    # The per-address limit (R6) looks back minutes, never a day.
    LoginFailure.objects.filter(at__lt=at - dt.timedelta(days=1)).delete()
    live = User.objects.exclude(status=AccountStatus.REVOKED).exclude(is_superuser=True)
    to_revoke = live.filter(
        Q(last_login__lt=revoke_before) | Q(last_login__isnull=True, created_at__lt=revoke_before)
    ).values_list("pk", flat=True)
    for pk in list(to_revoke):
        with transaction.atomic():
            user = User.objects.select_for_update().select_related("unit").get(pk=pk)
            last = user.last_login or user.created_at
            if user.status == AccountStatus.REVOKED or last >= revoke_before:
                continue
            _revoke(
                user,
                kind=AccountChange.Kind.REVOKED,
                reason=RevokeReason.INACTIVE,
                actor=None,
                ip=None,
                at=at,
                note=f"Không đăng nhập {policy.inactive_revoke_days} ngày.",
            )
            result.revoked.append(user.username)
    to_lock = live.filter(
        status=AccountStatus.ACTIVE, must_change_password=True, password_changed_at__lt=lock_before
    ).values_list("pk", flat=True)
    for pk in list(to_lock):
        with transaction.atomic():
            user = User.objects.select_for_update().select_related("unit").get(pk=pk)
            if (
                user.status != AccountStatus.ACTIVE
                or not user.must_change_password
                or user.password_changed_at >= lock_before
            ):
                continue
            reason = (
                LockReason.NOT_USED if user.last_login is None else LockReason.PASSWORD_NOT_CHANGED
            )
            _lock(
                user,
                reason=reason,
                actor=None,
                ip=None,
                at=at,
                note=f"Quá {policy.unused_lock_days} ngày kể từ khi được cấp.",
            )
            result.locked.append(user.username)
    return result


def policy_update(*, actor: User, values: dict[str, Any]) -> AccountPolicy:
    """The province admin edits the account policy (R3-R5 periods and password rules)."""
    _require_province_admin(actor)
    policy = AccountPolicy.current()
    allowed = {f.name for f in AccountPolicy._meta.get_fields() if f.name != "id"}
    unknown = set(values) - allowed
    if unknown:
        raise ServiceError(f"Thiết lập không hợp lệ: {', '.join(sorted(unknown))}.")
    if "password_min_length" in values and not 8 <= int(values["password_min_length"]) <= 64:
        raise ServiceError(
            "Độ dài tối thiểu của mật khẩu phải từ 8 đến 64.", field="password_min_length"
        )
    if "username_alias_days" in values and not 1 <= int(values["username_alias_days"]) <= 365:
        raise ServiceError(
            "Thời gian dùng tên tài khoản cũ phải từ 1 đến 365 ngày.", field="username_alias_days"
        )
    if "second_factor_roles" in values:
        roles = list(values["second_factor_roles"] or [])
        if not set(roles) <= set(Role.values):
            raise ServiceError("Vai trò không hợp lệ.", field="second_factor_roles")
        values = {**values, "second_factor_roles": sorted(roles)}
    with transaction.atomic():
        before = {k: getattr(policy, k) for k in values}
        for key, value in values.items():
            setattr(policy, key, value)
        policy.save()
        audit_record(
            actor=actor,
            action="policy.update",
            target=policy,
            data={"before": before, "after": values},
        )
    return policy
