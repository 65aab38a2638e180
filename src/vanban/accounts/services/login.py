"""Signing in: the password step and the code step, failures counted per account and per
address, the lock after too many (R3, R6, R25)."""

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import transaction
from django.db.models import Case, OuterRef, Q, Subquery, When
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.text import nfc

from ..models import (
    AccountPolicy,
    AccountStatus,
    LockReason,
    LoginFailure,
    RecoveryCodeDevice,
    User,
    UsernameAlias,
)
from ._common import (
    _lock,
    _locked_user,
    _throttle_message,
    _unlock,
)
from .second_factor import second_factor_enrolled

GENERIC_LOGIN_ERROR = "Tên tài khoản hoặc mật khẩu không đúng."


LIFECYCLE_LOCKS = (LockReason.NOT_USED, LockReason.PASSWORD_NOT_CHANGED)


def login_error_message(policy: AccountPolicy) -> str:
    """The one answer to every refused password (R6): the same text for every account name.

    It says when an account locks itself, so a person whose account is locked by failed
    attempts knows why the right password is refused, without the page telling anyone else.
    """
    if not policy.max_failed_logins:
        return GENERIC_LOGIN_ERROR
    if policy.failed_login_lock_minutes:
        after = f"bị tạm khóa {policy.failed_login_lock_minutes} phút"
    else:
        after = "bị tạm khóa đến khi quản trị đơn vị mở khóa"
    limit = policy.max_failed_logins
    return f"{GENERIC_LOGIN_ERROR} Sau {limit} lần sai liên tiếp, tài khoản {after}."


_dummy_hashes: dict[str, str] = {}


def _check_unknown_password(password: str) -> None:
    """Verify against a fixed hash made with the same hasher: the cost of a real check (R6)."""
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _dummy_hashes:
        _dummy_hashes[algorithm] = make_password(secrets.token_urlsafe(16))
    check_password(password, _dummy_hashes[algorithm])


def _address_wait_minutes(*, ip: str | None, policy: AccountPolicy, now: dt.datetime) -> int:
    """Minutes until `ip` may try again, 0 when it is under the per-address limit (R6)."""
    if not ip or not policy.address_max_failed_logins or not policy.address_window_minutes:
        return 0
    window = dt.timedelta(minutes=policy.address_window_minutes)
    recent = LoginFailure.objects.filter(ip=ip, at__gt=now - window).order_by("-at")
    times = list(recent.values_list("at", flat=True)[: policy.address_max_failed_logins])
    if len(times) < policy.address_max_failed_logins:
        return 0
    # The address may try again when the oldest of the last `limit` failures leaves the window.
    free_at = times[-1] + window
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def _address_refusal(*, ip: str | None, username: str, policy: AccountPolicy) -> str:
    wait = _address_wait_minutes(ip=ip, policy=policy, now=clock.now())
    if not wait:
        return ""
    audit_record(
        actor=None,
        action="login.address_limited",
        ip=ip,
        data={"username": username[:100], "wait_minutes": wait},
    )
    return f"Quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau {wait} phút."


def _note_failure(*, ip: str | None, username: str) -> None:
    if ip:
        LoginFailure.objects.create(ip=ip, at=clock.now(), username=username[:100])


def _count_failure(
    user: User, *, policy: AccountPolicy, ip: str | None, why: str, **data: Any
) -> None:
    """A refused attempt on an existing account: counted, audited, locking at the limit (R3)."""
    user.failed_login_count += 1
    user.save(update_fields=["failed_login_count"])
    _note_failure(ip=ip, username=user.username)
    audit_record(
        actor=user,
        action="login.failure",
        unit=user.unit,
        target=user,
        ip=ip,
        data={"why": why, "count": user.failed_login_count, **data},
    )
    if (
        user.status == AccountStatus.ACTIVE
        and policy.max_failed_logins
        and user.failed_login_count >= policy.max_failed_logins
    ):
        _lock(
            user,
            reason=LockReason.FAILED_LOGINS,
            actor=None,
            ip=ip,
            note=f"Nhập sai {user.failed_login_count} lần liên tiếp.",
        )


@dataclass
class _LoginOutcome:
    user: User | None = None
    error: str = ""
    needs_code: bool = False
    alias: UsernameAlias | None = None


@dataclass
class PasswordStep:
    """A password accepted: `needs_code` when the account has a second factor (R6); `notice`
    when the person signed in with a former account name (R2, UsernameAlias)."""

    user: User
    needs_code: bool
    notice: str = ""


def alias_notice(alias: UsernameAlias, user: User) -> str:
    """What a person who signed in with a former account name is told (R2 in a reorganisation)."""
    return (
        f"Tên tài khoản của bạn nay là {user.username} (do sắp xếp đơn vị). "
        f"Tên cũ {alias.username} chỉ dùng được để đăng nhập đến hết ngày "
        f"{alias.valid_until:%d/%m/%Y}; từ lần sau, vui lòng đăng nhập bằng {user.username}."
    )


def login_attempt(*, username: str, password: str, ip: str | None = None) -> User:
    """Check a login; count failures and lock after the policy's limit (R3, R6, R25).

    Used by the authentication backend. A user returned here who has a second factor is not
    verified yet: SecondFactorMiddleware refuses such a session until the code is given.
    """
    return login_password_step(username=username, password=password, ip=ip).user


def login_password_step(*, username: str, password: str, ip: str | None = None) -> PasswordStep:
    """The password step of the login page (R3, R6).

    Every refusal has the same text whether the account exists, is active, locked or revoked,
    and costs one password hash; the outcome (counter, lock, audit) is committed before the
    refusal is raised.
    """
    outcome = _login_check(username=nfc(username).strip().lower(), password=password, ip=ip)
    if outcome.user is None:
        raise ServiceError(outcome.error)
    notice = alias_notice(outcome.alias, outcome.user) if outcome.alias else ""
    return PasswordStep(user=outcome.user, needs_code=outcome.needs_code, notice=notice)


def _account_for_name(username: str) -> tuple[User | None, UsernameAlias | None]:
    """The account named `username`, or whose live former name it is (R2 in a reorganisation:
    a former name signs in until its end, then is unknown like any other). One query either way,
    the account row-locked, so that neither the answer nor its cost tells them apart (R6)."""
    today = timezone.localdate(clock.now())
    live = UsernameAlias.objects.filter(username=username, valid_until__gte=today)
    user = (
        User.objects.select_for_update()
        .select_related("unit")
        .filter(Q(username=username) | Q(pk__in=live.values("user_id")))
        .annotate(alias_until=Subquery(live.filter(user=OuterRef("pk")).values("valid_until")[:1]))
        .order_by(Case(When(username=username, then=0), default=1))
        .first()
    )
    if user is None or user.username == username:
        return user, None
    until: dt.date = user.alias_until
    return user, UsernameAlias(username=username, user=user, valid_until=until)


@transaction.atomic
def _login_check(*, username: str, password: str, ip: str | None) -> _LoginOutcome:
    policy = AccountPolicy.current()
    refusal = _address_refusal(ip=ip, username=username, policy=policy)
    if refusal:
        return _LoginOutcome(error=refusal)
    generic = login_error_message(policy)
    user, alias = _account_for_name(username)
    if user is None:
        _check_unknown_password(password)
        _note_failure(ip=ip, username=username)
        audit_record(
            actor=None,
            action="login.failure",
            ip=ip,
            data={"username": username[:100], "why": "unknown"},
        )
        return _LoginOutcome(error=generic)
    now = clock.now()
    if (
        user.status == AccountStatus.LOCKED
        and user.status_reason == LockReason.FAILED_LOGINS
        and policy.failed_login_lock_minutes
        and user.status_changed_at
        and now - user.status_changed_at >= dt.timedelta(minutes=policy.failed_login_lock_minutes)
    ):
        _unlock(user, actor=None, note="Tự mở khóa sau thời gian chờ.", ip=ip)
    password_ok = user.check_password(password)
    if user.status != AccountStatus.ACTIVE:
        # Every attempt on a locked or revoked account is a counted failure, the right password
        # included, so neither the answer nor the per-address count tells them apart (R6).
        tries_before = user.failed_login_count
        _count_failure(user, policy=policy, ip=ip, why=user.status, password_ok=password_ok)
        if (
            password_ok
            and user.status == AccountStatus.LOCKED
            and user.status_reason in LIFECYCLE_LOCKS
            and (not policy.max_failed_logins or tries_before < policy.max_failed_logins)
        ):
            # R3: an issued password left unused. Only its holder learns why, and only while
            # the account has fewer failed attempts than the limit.
            reason = LockReason(user.status_reason).label
            return _LoginOutcome(
                error=f"Tài khoản đang bị tạm khóa ({reason}). Liên hệ quản trị đơn vị để mở khóa."
            )
        return _LoginOutcome(error=generic)
    if not password_ok:
        _count_failure(user, policy=policy, ip=ip, why="password")
        return _LoginOutcome(error=generic)
    if second_factor_enrolled(user):
        # The counter is reset only when the second step succeeds.
        audit_record(actor=user, action="login.password", unit=user.unit, target=user, ip=ip)
        return _LoginOutcome(user=user, needs_code=True, alias=alias)
    if alias is not None:
        _login_succeeded(user, ip=ip, alias=alias.username)
    else:
        _login_succeeded(user, ip=ip)
    return _LoginOutcome(user=user, alias=alias)


def _login_succeeded(user: User, *, ip: str | None, **data: Any) -> None:
    user.failed_login_count = 0
    user.last_login = clock.now()
    user.save(update_fields=["failed_login_count", "last_login"])
    audit_record(
        actor=user, action="login.success", unit=user.unit, target=user, ip=ip, data=data or None
    )


@dataclass
class _CodeOutcome:
    device: Device | None = None
    error: str = ""
    recovery_left: int | None = None


@dataclass
class CodeStep:
    device: Device
    recovery_left: int | None


def login_code_step(*, user: User, code: str, ip: str | None = None) -> CodeStep:
    """The second step of the login page: the 6-digit code or a recovery code (R6).

    Wrong codes are throttled by the device and counted like wrong passwords (R3 lock, the
    per-address limit, the audit trail); the outcome is committed before a refusal is raised.
    """
    outcome = _code_check(user=user, code=code, ip=ip)
    if outcome.device is None:
        raise ServiceError(outcome.error, field="code")
    return CodeStep(device=outcome.device, recovery_left=outcome.recovery_left)


@transaction.atomic
def _code_check(*, user: User, code: str, ip: str | None) -> _CodeOutcome:
    policy = AccountPolicy.current()
    refusal = _address_refusal(ip=ip, username=user.username, policy=policy)
    if refusal:
        return _CodeOutcome(error=refusal)
    user = _locked_user(user)
    if user.status != AccountStatus.ACTIVE:
        return _CodeOutcome(error=login_error_message(policy))
    code = "".join(code.split())
    device: Device | None
    if code.isdigit():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        factor = "totp"
    else:
        device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
        factor = "recovery"
    if device is None:
        _count_failure(user, policy=policy, ip=ip, why="second_factor", factor=factor)
        return _CodeOutcome(error="Mã xác thực không đúng.")
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return _CodeOutcome(error=_throttle_message(info))
    if not device.verify_token(code):
        _count_failure(user, policy=policy, ip=ip, why="second_factor", factor=factor)
        if user.status != AccountStatus.ACTIVE:
            return _CodeOutcome(error=login_error_message(policy))
        return _CodeOutcome(error="Mã xác thực không đúng.")
    left = None
    if isinstance(device, RecoveryCodeDevice):
        left = device.codes.count()
    _login_succeeded(user, ip=ip, factor=factor)
    return _CodeOutcome(device=device, recovery_left=left)
