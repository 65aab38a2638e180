"""A one-time password given by an admin, and a person changing their own password (R5, R7)."""

from django.db import transaction

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError

from ..models import (
    AccountChange,
    AccountPolicy,
    AccountStatus,
    User,
)
from ..passwords import one_time_password, password_problems
from ._common import (
    _end_sessions,
    _locked_user,
    _record_change,
    _require_unit_admin,
    require_active,
)


def account_reset_password(*, actor: User, user: User, ip: str | None = None) -> str:
    """R7: the unit admin gives a one-time password; the person must change it at login (R5)."""
    _require_unit_admin(actor, user.unit)
    if user.status == AccountStatus.REVOKED:
        raise ServiceError("Tài khoản đã bị thu hồi, không thể cấp lại mật khẩu.")
    secret = one_time_password(AccountPolicy.current(), username=user.username)
    with transaction.atomic():
        user = _locked_user(user)
        user.set_password(secret)
        user.must_change_password = True
        user.password_changed_at = clock.now()
        user.failed_login_count = 0
        _end_sessions(user)
        user.save(
            update_fields=[
                "password",
                "must_change_password",
                "password_changed_at",
                "failed_login_count",
                "session_salt",
            ]
        )
        _record_change(user=user, kind=AccountChange.Kind.PASSWORD_RESET, actor=actor)
        audit_record(
            actor=actor, action="account.password_reset", unit=user.unit, target=user, ip=ip
        )
    return secret


def account_change_password(
    *, user: User, old_password: str, new_password: str, ip: str | None = None
) -> User:
    """The person changes their own password under the province policy (R5, R6)."""
    require_active(user)
    if not user.check_password(old_password):
        raise ServiceError("Mật khẩu hiện tại không đúng.", field="old_password")
    if old_password == new_password:
        raise ServiceError("Mật khẩu mới phải khác mật khẩu hiện tại.", field="new_password")
    problems = password_problems(
        new_password, username=user.username, policy=AccountPolicy.current()
    )
    if problems:
        raise ServiceError(" ".join(problems), field="new_password")
    with transaction.atomic():
        locked = _locked_user(user)
        locked.set_password(new_password)
        locked.must_change_password = False
        locked.password_changed_at = clock.now()
        locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(
            actor=locked, action="account.password_change", unit=locked.unit, target=locked, ip=ip
        )
    return locked
