"""What the account services share: the permission checks (R7), the account's row lock, the
kept account changes, and locking, unlocking and revoking an account already row-locked
(R3, R4, R6)."""

import datetime as dt
import math
from typing import Any

from django.utils import timezone

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied

from ..models import (
    AccountChange,
    AccountStatus,
    LockReason,
    Unit,
    User,
    new_session_salt,
)


def require_active(actor: Any) -> None:
    """Every service acts only for a signed-in, active account (R3, R4): an anonymous visitor, a
    locked or revoked account is refused (`AccessDenied`) before anything else is looked at."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise AccessDenied()


def _require_unit_admin(actor: User, unit: Unit) -> None:
    """R7: unit admins act only in their own unit; the province admin everywhere."""
    require_active(actor)
    if not actor.can_manage_unit(unit):
        raise AccessDenied("Bạn không có quyền quản trị đơn vị này.")


def _require_province_admin(actor: User) -> None:
    require_active(actor)
    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh được thực hiện thao tác này.")


def _locked_user(user: User) -> User:
    """Re-read the account under a row lock, so status changes never interleave."""
    return User.objects.select_for_update().select_related("unit").get(pk=user.pk)


def _record_change(
    *,
    user: User,
    kind: str,
    actor: User | None,
    reason: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> AccountChange:
    return AccountChange.objects.create(
        user=user,
        unit_id=user.unit_id,
        kind=kind,
        reason=reason,
        note=note[:500],
        actor=actor,
        at=at or clock.now(),
    )


def _end_sessions(user: User) -> None:
    """Rotating the salt changes the session hash, so every open session is refused (R6)."""
    user.session_salt = new_session_salt()


def _lock(
    user: User,
    *,
    reason: str,
    actor: User | None,
    note: str,
    ip: str | None,
    at: dt.datetime | None = None,
) -> None:
    """Lock an account already row-locked by the caller."""
    _close(
        user,
        status=AccountStatus.LOCKED,
        kind=AccountChange.Kind.LOCKED,
        reason=reason,
        actor=actor,
        note=note,
        ip=ip,
        at=at,
    )


def _close(
    user: User,
    *,
    status: str,
    kind: str,
    reason: str,
    actor: User | None,
    note: str,
    ip: str | None,
    at: dt.datetime | None,
) -> None:
    """Lock or revoke: set the status, end every session and token, keep the change (R3, R4)."""
    at = at or clock.now()
    user.status = status
    user.status_reason = reason
    user.status_changed_at = at
    _end_sessions(user)
    user.save(update_fields=["status", "status_reason", "status_changed_at", "session_salt"])
    _record_change(user=user, kind=kind, actor=actor, reason=reason, note=note, at=at)
    audit_record(
        actor=actor,
        action=f"account.{'lock' if kind == AccountChange.Kind.LOCKED else kind}",
        unit=user.unit,
        target=user,
        ip=ip,
        data={"reason": reason, "note": note},
    )


def _unlock(user: User, *, actor: User | None, note: str, ip: str | None) -> None:
    now = clock.now()
    previous = user.status_reason
    user.status = AccountStatus.ACTIVE
    user.status_reason = ""
    user.status_changed_at = now
    user.failed_login_count = 0
    fields = ["status", "status_reason", "status_changed_at", "failed_login_count"]
    if previous in (LockReason.NOT_USED, LockReason.PASSWORD_NOT_CHANGED):
        user.password_changed_at = now
        fields.append("password_changed_at")
    user.save(update_fields=fields)
    _record_change(
        user=user, kind=AccountChange.Kind.UNLOCKED, actor=actor, reason=previous, note=note, at=now
    )
    audit_record(
        actor=actor,
        action="account.unlock",
        unit=user.unit,
        target=user,
        ip=ip,
        data={"previous_reason": previous, "note": note},
    )


def _revoke(
    user: User,
    *,
    kind: str,
    reason: str,
    actor: User | None,
    note: str,
    ip: str | None,
    at: dt.datetime | None = None,
) -> None:
    _close(
        user,
        status=AccountStatus.REVOKED,
        kind=kind,
        reason=reason,
        actor=actor,
        note=note,
        ip=ip,
        at=at,
    )


def _throttle_message(info: dict[str, Any] | None) -> str:
    until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return f"Nhập sai mã nhiều lần. Vui lòng chờ {seconds} giây rồi thử lại."
