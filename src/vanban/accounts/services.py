"""Every write on units and accounts: one function per action, permission first, audited.

Requirements: R2 (account names), R3 (temporary lock), R4 (revocation), R5 (passwords),
R6 (compromised accounts), R7 (who administers what), R25 (audit of security actions).
"""

import datetime as dt
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import fold, nfc

from .models import (
    ABBREVIATION_RE,
    AGENCY_CODE_RE,
    MAX_UNIT_LEVEL,
    USERNAME_RE,
    AccountChange,
    AccountPolicy,
    AccountStatus,
    LockReason,
    LoginFailure,
    RecoveryCode,
    RecoveryCodeDevice,
    RevokeReason,
    Role,
    RoleAssignment,
    SessionRecord,
    Unit,
    User,
    new_session_salt,
    recovery_code_digest,
)
from .passwords import one_time_password, password_problems

GENERIC_LOGIN_ERROR = "Tên tài khoản hoặc mật khẩu không đúng."


# ---------------------------------------------------------------- permission helpers


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


# ---------------------------------------------------------------- units


def _clean_unit_fields(
    *, name: str, symbol: str, abbreviation: str, agency_code: str, exclude_pk: int | None = None
) -> dict[str, str]:
    name, symbol = nfc(name), nfc(symbol)
    abbreviation = abbreviation.strip()
    agency_code = agency_code.strip().upper()
    if not name:
        raise ServiceError("Tên đơn vị không được để trống.", field="name")
    if len(name) > 255:
        raise ServiceError("Tên đơn vị dài quá 255 ký tự.", field="name")
    if not symbol:
        raise ServiceError(
            "Chữ viết tắt trong ký hiệu văn bản không được để trống.", field="symbol"
        )
    if len(symbol) > 30:
        raise ServiceError("Chữ viết tắt trong ký hiệu văn bản dài quá 30 ký tự.", field="symbol")
    if not ABBREVIATION_RE.match(abbreviation):
        raise ServiceError(
            "Tên viết tắt trong tài khoản chỉ gồm chữ thường không dấu và chữ số (2 đến 30 ký tự), "
            "ví dụ: stttt.",
            field="abbreviation",
        )
    if not AGENCY_CODE_RE.match(agency_code):
        raise ServiceError(
            "Mã định danh phải có dạng V1V2V3.Z1Z2.Y1Y2.H## (ví dụ: 000.00.00.H07).",
            field="agency_code",
        )
    others = Unit.objects.exclude(pk=exclude_pk) if exclude_pk else Unit.objects.all()
    if others.filter(agency_code=agency_code).exists():
        raise ServiceError(
            f"Mã định danh {agency_code} đã được dùng cho đơn vị khác.", field="agency_code"
        )
    if others.filter(abbreviation=abbreviation).exists():
        raise ServiceError(
            f"Tên viết tắt “{abbreviation}” đã được dùng cho đơn vị khác.", field="abbreviation"
        )
    return {
        "name": name,
        "symbol": symbol,
        "abbreviation": abbreviation,
        "agency_code": agency_code,
    }


def unit_create(
    *,
    actor: User | None,
    name: str,
    symbol: str,
    abbreviation: str,
    agency_code: str,
    parent: Unit | None,
    is_active: bool = True,
) -> Unit:
    """Create a unit under `parent` (four levels at most). Province admin only (R7).

    `actor=None` is the installer (demo data, first setup), never a web request.
    """
    if actor is not None:
        _require_province_admin(actor)
    fields = _clean_unit_fields(
        name=name, symbol=symbol, abbreviation=abbreviation, agency_code=agency_code
    )
    level = parent.level + 1 if parent else 1
    if level > MAX_UNIT_LEVEL:
        raise ServiceError("Cây đơn vị chỉ có tối đa 4 cấp.", field="parent")
    if parent is None and Unit.objects.filter(parent__isnull=True).exists():
        raise ServiceError("Tỉnh đã có đơn vị gốc; hãy chọn đơn vị cấp trên.", field="parent")
    try:
        with transaction.atomic():
            unit = Unit.objects.create(
                **fields,
                parent=parent,
                level=level,
                is_active=is_active,
                search_text=fold(
                    f"{fields['name']} {fields['symbol']} {fields['abbreviation']} "
                    f"{fields['agency_code']}"
                ),
            )
            audit_record(
                actor=actor,
                action="unit.create",
                unit=unit,
                target=unit,
                data={"name": unit.name, "agency_code": unit.agency_code},
            )
    except IntegrityError as exc:
        raise ServiceError("Mã định danh hoặc tên viết tắt đã được dùng cho đơn vị khác.") from exc
    return unit


def unit_update(
    *,
    actor: User,
    unit: Unit,
    name: str,
    symbol: str,
    abbreviation: str,
    agency_code: str,
    is_active: bool,
) -> Unit:
    """Edit a unit. The account-name part of a unit with accounts cannot change (R2)."""
    _require_province_admin(actor)
    fields = _clean_unit_fields(
        name=name,
        symbol=symbol,
        abbreviation=abbreviation,
        agency_code=agency_code,
        exclude_pk=unit.pk,
    )
    if fields["abbreviation"] != unit.abbreviation and unit.members.exists():
        raise ServiceError(
            "Không thể đổi tên viết tắt của đơn vị đã có tài khoản (tên tài khoản đã cấp sẽ sai).",
            field="abbreviation",
        )
    with transaction.atomic():
        before = {k: getattr(unit, k) for k in [*fields, "is_active"]}
        for key, value in fields.items():
            setattr(unit, key, value)
        unit.is_active = is_active
        unit.search_text = fold(f"{unit.name} {unit.symbol} {unit.abbreviation} {unit.agency_code}")
        unit.save()
        audit_record(
            actor=actor,
            action="unit.update",
            unit=unit,
            target=unit,
            data={"before": before, "after": {k: getattr(unit, k) for k in before}},
        )
    return unit


# ---------------------------------------------------------------- account names (R2)


def username_suggest(*, full_name: str, unit: Unit) -> str:
    """Given name + initials of the other names, then the unit part; a number on collision.

    "Nguyễn Thu Phương" at Sở TT&TT -> "phuongnt.stttt", then "phuongnt2.stttt", ...
    """
    words = [w for w in fold(full_name).replace("-", " ").split() if w.isalnum()]
    if not words:
        raise ServiceError("Họ và tên không hợp lệ.", field="full_name")
    base = words[-1] + "".join(w[0] for w in words[:-1])
    base = "".join(c for c in base if c.isascii() and c.isalnum()) or "canbo"
    if not base[0].isalpha():
        base = "cb" + base
    suffix = f".{unit.abbreviation}"
    taken = set(
        User.objects.filter(username__startswith=base, username__endswith=suffix).values_list(
            "username", flat=True
        )
    )
    candidate, n = f"{base}{suffix}", 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}{suffix}"
    return candidate


def username_problem(username: str, unit: Unit) -> str | None:
    if not USERNAME_RE.match(username):
        return (
            "Tên tài khoản phải có dạng tencanhan.tendonvi: chữ thường không dấu và chữ số, "
            "một dấu chấm ở giữa (ví dụ: phuongnt.stttt)."
        )
    if username.split(".", 1)[1] != unit.abbreviation:
        return (
            f"Phần sau dấu chấm phải là tên viết tắt của đơn vị “{unit.name}”: {unit.abbreviation}."
        )
    return None


# ---------------------------------------------------------------- accounts


@dataclass
class IssuedAccount:
    user: User
    one_time_password: str


def _clean_person(*, full_name: str, position: str, email: str, phone: str) -> dict[str, str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    full_name, position = " ".join(nfc(full_name).split()), nfc(position)
    email, phone = email.strip().lower(), phone.strip()
    if not full_name:
        raise ServiceError("Họ và tên không được để trống.", field="full_name")
    if len(full_name) > 100:
        raise ServiceError("Họ và tên dài quá 100 ký tự.", field="full_name")
    if len(position) > 100:
        raise ServiceError("Chức vụ dài quá 100 ký tự.", field="position")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError("Địa chỉ thư điện tử không hợp lệ.", field="email") from exc
    if phone and (len(phone) > 20 or not all(c.isdigit() or c in "+ .-()" for c in phone)):
        raise ServiceError("Số điện thoại chỉ gồm chữ số và các dấu + . - ( ).", field="phone")
    return {"full_name": full_name, "position": position, "email": email, "phone": phone}


def _clean_roles(roles: Iterable[str], *, actor: User | None) -> set[str]:
    role_set = set(roles)
    unknown = role_set - set(Role.values)
    if unknown:
        raise ServiceError(f"Vai trò không hợp lệ: {', '.join(sorted(unknown))}.", field="roles")
    if Role.PROVINCE_ADMIN in role_set and actor is not None and not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh được giao vai trò quản trị tỉnh.")
    return role_set


def account_create(
    *,
    actor: User | None,
    unit: Unit,
    full_name: str,
    username: str = "",
    position: str = "",
    email: str = "",
    phone: str = "",
    roles: Iterable[str] = (Role.STAFF,),
    password: str | None = None,
    password_hash: str | None = None,
    must_change_password: bool = True,
    ip: str | None = None,
) -> IssuedAccount:
    """Issue an account in `unit` with a one-time password to change at first login (R2, R5, R7).

    `actor=None` is the installer (demo data); `password` and `password_hash` (an already
    hashed password, so loading many accounts costs one Argon2 hash) are only for the installer.
    """
    if actor is not None:
        _require_unit_admin(actor, unit)
    if not unit.is_active:
        raise ServiceError("Đơn vị đã ngừng hoạt động, không thể cấp tài khoản.", field="unit")
    person = _clean_person(full_name=full_name, position=position, email=email, phone=phone)
    role_set = _clean_roles(roles, actor=actor)
    username = username.strip() or username_suggest(full_name=person["full_name"], unit=unit)
    problem = username_problem(username, unit)
    if problem:
        raise ServiceError(problem, field="username")
    if (password is not None or password_hash is not None) and actor is not None:
        raise AccessDenied("Chỉ bộ cài đặt được đặt sẵn mật khẩu cho tài khoản mới.")
    policy = AccountPolicy.current()
    secret = password or one_time_password(policy, username=username)
    if password is not None:
        problems = password_problems(password, username=username, policy=policy)
        if problems:
            raise ServiceError(" ".join(problems), field="password")
    now = clock.now()
    try:
        with transaction.atomic():
            if User.objects.filter(username=username).exists():
                raise ServiceError(f"Tên tài khoản {username} đã tồn tại.", field="username")
            user = User.objects.create(
                username=username,
                unit=unit,
                **person,
                password=password_hash or make_password(secret),
                must_change_password=must_change_password,
                password_changed_at=now,
                created_at=now,
                status_changed_at=now,
                search_text=fold(f"{person['full_name']} {username} {person['email']}"),
            )
            RoleAssignment.objects.bulk_create(
                [RoleAssignment(user=user, unit=unit, role=r) for r in sorted(role_set)]
            )
            _record_change(
                user=user,
                kind=AccountChange.Kind.CREATED,
                actor=actor,
                at=now,
                note=", ".join(str(Role(r).label) for r in sorted(role_set)),
            )
            audit_record(
                actor=actor,
                action="account.create",
                unit=unit,
                target=user,
                ip=ip,
                data={"username": username, "roles": sorted(role_set)},
            )
    except IntegrityError as exc:
        raise ServiceError(f"Tên tài khoản {username} đã tồn tại.", field="username") from exc
    return IssuedAccount(user=user, one_time_password=secret)


def account_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    position: str,
    email: str,
    phone: str,
    ip: str | None = None,
) -> User:
    """Edit a person's details; the account name never changes (R2)."""
    _require_unit_admin(actor, user.unit)
    person = _clean_person(full_name=full_name, position=position, email=email, phone=phone)
    with transaction.atomic():
        user = _locked_user(user)
        before = {k: getattr(user, k) for k in person}
        for key, value in person.items():
            setattr(user, key, value)
        user.search_text = fold(f"{user.full_name} {user.username} {user.email}")
        user.save(update_fields=[*person, "search_text"])
        audit_record(
            actor=actor,
            action="account.update",
            unit=user.unit,
            target=user,
            ip=ip,
            data={"before": before, "after": person},
        )
    return user


def account_set_roles(
    *, actor: User, user: User, roles: Iterable[str], ip: str | None = None
) -> User:
    """Replace the person's roles in their unit (R7)."""
    _require_unit_admin(actor, user.unit)
    role_set = _clean_roles(roles, actor=actor)
    with transaction.atomic():
        user = _locked_user(user)
        current = set(user.role_assignments.filter(unit=user.unit).values_list("role", flat=True))
        if Role.PROVINCE_ADMIN in current ^ role_set and not actor.is_province_admin:
            raise AccessDenied("Chỉ quản trị tỉnh được thay đổi vai trò quản trị tỉnh.")
        if current == role_set:
            return user
        if (
            Role.PROVINCE_ADMIN in current
            and Role.PROVINCE_ADMIN not in role_set
            and not RoleAssignment.objects.filter(
                role=Role.PROVINCE_ADMIN, user__status=AccountStatus.ACTIVE
            )
            .exclude(user=user)
            .exists()
        ):
            raise ServiceError(
                "Tỉnh phải còn ít nhất một quản trị tỉnh đang hoạt động.", field="roles"
            )
        user.role_assignments.filter(unit=user.unit, role__in=current - role_set).delete()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, unit=user.unit, role=r) for r in sorted(role_set - current)]
        )
        _record_change(
            user=user,
            kind=AccountChange.Kind.ROLES_CHANGED,
            actor=actor,
            note=", ".join(str(Role(r).label) for r in sorted(role_set)),
        )
        audit_record(
            actor=actor,
            action="account.roles",
            unit=user.unit,
            target=user,
            ip=ip,
            data={"before": sorted(current), "after": sorted(role_set)},
        )
    return user


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


def _require_note(note: str) -> str:
    note = nfc(note)
    if not note:
        raise ServiceError("Hãy ghi rõ lý do.", field="note")
    if len(note) > 500:
        raise ServiceError("Lý do dài quá 500 ký tự.", field="note")
    return note


def account_lock(*, actor: User, user: User, reason: str, note: str, ip: str | None = None) -> User:
    """Temporary lock by an admin, for one of the reasons of R3, with a written note."""
    _require_unit_admin(actor, user.unit)
    if reason not in LockReason.values:
        raise ServiceError("Lý do khóa không hợp lệ.", field="reason")
    note = _require_note(note)
    if user.pk == actor.pk:
        raise ServiceError(
            "Không thể tự khóa tài khoản đang dùng; hãy dùng chức năng “Tài khoản của tôi bị lộ”."
        )
    with transaction.atomic():
        user = _locked_user(user)
        if user.status != AccountStatus.ACTIVE:
            raise ServiceError(
                f"Tài khoản đang ở trạng thái “{user.get_status_display()}”, không thể khóa."
            )
        _lock(user, reason=reason, actor=actor, note=note, ip=ip)
    return user


def account_unlock(*, actor: User, user: User, note: str, ip: str | None = None) -> User:
    """An admin unlocks with a reason (R3). A fresh grace period starts for unused accounts."""
    _require_unit_admin(actor, user.unit)
    note = _require_note(note)
    with transaction.atomic():
        user = _locked_user(user)
        if user.status != AccountStatus.LOCKED:
            raise ServiceError("Tài khoản không ở trạng thái tạm khóa.")
        _unlock(user, actor=actor, note=note, ip=ip)
    return user


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


def account_revoke(
    *, actor: User, user: User, reason: str, note: str, ip: str | None = None
) -> User:
    """Revoke (R4) or remove a person who left the unit; documents and history stay."""
    _require_unit_admin(actor, user.unit)
    if reason not in RevokeReason.values:
        raise ServiceError("Lý do thu hồi không hợp lệ.", field="reason")
    note = _require_note(note)
    if user.pk == actor.pk:
        raise ServiceError("Không thể tự thu hồi tài khoản đang dùng.")
    with transaction.atomic():
        user = _locked_user(user)
        if user.status == AccountStatus.REVOKED:
            raise ServiceError("Tài khoản đã bị thu hồi.")
        kind = (
            AccountChange.Kind.REMOVED
            if reason == RevokeReason.LEFT_UNIT
            else AccountChange.Kind.REVOKED
        )
        _revoke(user, kind=kind, reason=reason, actor=actor, note=note, ip=ip)
    return user


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


def account_report_compromised(*, user: User, note: str = "", ip: str | None = None) -> User:
    """R6: "my account is compromised": lock it, end its sessions, alert the unit's admins."""
    require_active(user)
    note = nfc(note)[:500] or "Người dùng tự báo tài khoản bị lộ."
    with transaction.atomic():
        locked = _locked_user(user)
        _lock(locked, reason=LockReason.COMPROMISED, actor=locked, note=note, ip=ip)
        admins = (
            User.objects.filter(
                Q(role_assignments__role=Role.UNIT_ADMIN, role_assignments__unit=locked.unit_id)
                | Q(role_assignments__role=Role.PROVINCE_ADMIN),
                status=AccountStatus.ACTIVE,
            )
            .exclude(pk=locked.pk)
            .distinct()
        )
        notification_send(
            recipients=admins,
            title=f"Tài khoản {locked.username} báo bị lộ và đã bị khóa",
            body=(
                f"{locked.full_name} ({locked.unit.name}) báo tài khoản bị lộ lúc "
                f"{timezone.localtime(clock.now()):%H:%M %d/%m/%Y}. "
                f"Ghi chú: {note}. Hãy kiểm tra, cấp lại mật khẩu rồi mở khóa."
            ),
            link=reverse("accounts:account_detail", args=[locked.pk]),
        )
    return locked


# ---------------------------------------------------------------- login

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


@dataclass
class PasswordStep:
    """A password accepted: `needs_code` when the account has a second factor (R6)."""

    user: User
    needs_code: bool


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
    return PasswordStep(user=outcome.user, needs_code=outcome.needs_code)


@transaction.atomic
def _login_check(*, username: str, password: str, ip: str | None) -> _LoginOutcome:
    policy = AccountPolicy.current()
    refusal = _address_refusal(ip=ip, username=username, policy=policy)
    if refusal:
        return _LoginOutcome(error=refusal)
    generic = login_error_message(policy)
    user = User.objects.select_for_update().select_related("unit").filter(username=username).first()
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
        return _LoginOutcome(user=user, needs_code=True)
    _login_succeeded(user, ip=ip)
    return _LoginOutcome(user=user)


def _login_succeeded(user: User, *, ip: str | None, **data: Any) -> None:
    user.failed_login_count = 0
    user.last_login = clock.now()
    user.save(update_fields=["failed_login_count", "last_login"])
    audit_record(
        actor=user, action="login.success", unit=user.unit, target=user, ip=ip, data=data or None
    )


# ---------------------------------------------------------------- second factor (R6)

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def second_factor_required(user: User) -> bool:
    """The policy names the roles that must sign in with a code (R6)."""
    roles = set(AccountPolicy.current().second_factor_roles or [])
    return any(role in roles for _, role in user.role_pairs())


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_enrolled(user: User) -> bool:
    enrolled: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return enrolled


def second_factor_pending_device(*, user: User) -> TOTPDevice:
    """The authenticator device being enrolled: created unconfirmed, kept until confirmed."""
    require_active(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _issue_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Mã khôi phục", confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes]
    )
    return codes


@dataclass
class Enrolment:
    user: User
    device: TOTPDevice
    recovery_codes: list[str]


def second_factor_confirm(
    *, user: User, device: TOTPDevice, code: str, ip: str | None = None
) -> Enrolment:
    """The person confirms the authenticator with a first code; recovery codes are issued (R6).

    The codes are returned once and kept only as digests; the account's other sessions end.
    """
    require_active(user)
    if device.user_id != user.pk or device.confirmed:
        raise AccessDenied()
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits):
        raise ServiceError("Mã xác thực gồm 6 chữ số.", field="code")
    with transaction.atomic():
        locked = _locked_user(user)
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            raise ServiceError(_throttle_message(info), field="code")
        if not device.verify_token(code):
            raise ServiceError(
                "Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và nhập mã đang hiển thị.",
                field="code",
            )
        TOTPDevice.objects.filter(user=locked).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_recovery_codes(locked)
        # Other sessions of the account were opened without the code: they end (R6).
        _end_sessions(locked)
        locked.save(update_fields=["session_salt"])
        audit_record(
            actor=locked,
            action="account.second_factor_enrol",
            unit=locked.unit,
            target=locked,
            ip=ip,
        )
    return Enrolment(user=locked, device=device, recovery_codes=codes)


def _throttle_message(info: dict[str, Any] | None) -> str:
    until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return f"Nhập sai mã nhiều lần. Vui lòng chờ {seconds} giây rồi thử lại."


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


def second_factor_reset(*, actor: User, user: User, ip: str | None = None) -> User:
    """An admin removes a person's second factor; they enrol again at next login (R6, R7).

    Unit admins within their unit, the province admin everywhere; every session ends.
    """
    _require_unit_admin(actor, user.unit)
    if user.pk == actor.pk:
        raise ServiceError(
            "Không thể tự đặt lại xác thực hai bước của mình; hãy nhờ quản trị khác."
        )
    with transaction.atomic():
        user = _locked_user(user)
        had = second_factor_enrolled(user)
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        _end_sessions(user)
        user.save(update_fields=["session_salt"])
        audit_record(
            actor=actor,
            action="account.second_factor_reset",
            unit=user.unit,
            target=user,
            ip=ip,
            data={"was_enrolled": had},
        )
    return user


# ---------------------------------------------------------------- lifecycle sweep (R3, R4)


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


# ---------------------------------------------------------------- signed-in sessions (R6, R25)
# docs/accounts.md, "Sessions". SessionRecord rows describe Django's sessions; ending a session
# deletes it from the session store (the configured SESSION_ENGINE) as well as its row.


def _session_store() -> Any:
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore


def session_record_login(
    *, user: User, session_key: str, user_agent: str, ip: str | None
) -> SessionRecord:
    """Describe the session a login has just opened; forget this person's expired ones (R6)."""
    from django.conf import settings

    at = clock.now()
    with transaction.atomic():
        SessionRecord.objects.filter(
            user=user, last_seen_at__lt=at - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        ).delete()
        record, _ = SessionRecord.objects.update_or_create(
            session_key=session_key,
            defaults={
                "user": user,
                "user_agent": user_agent[:300],
                "ip": ip,
                "started_at": at,
                "last_seen_at": at,
            },
        )
    return record


def session_touch(*, user: User, session_key: str, user_agent: str, ip: str | None) -> None:
    """Note activity on a session; a session signed in before its row existed gets one."""
    at = clock.now()
    updated = SessionRecord.objects.filter(session_key=session_key, user=user).update(
        last_seen_at=at, ip=ip
    )
    if not updated:
        SessionRecord.objects.get_or_create(
            session_key=session_key,
            defaults={
                "user": user,
                "user_agent": user_agent[:300],
                "ip": ip,
                "started_at": at,
                "last_seen_at": at,
            },
        )


def session_end(
    *, user: User, record_id: int, current_session_key: str | None, ip: str | None = None
) -> SessionRecord:
    """R6: the person ends one of their own sessions elsewhere (a lost phone, a shared computer).

    Only their own sessions; the session making the request is ended with "Đăng xuất" instead.
    """
    require_active(user)
    record = SessionRecord.objects.filter(user=user, pk=record_id).first()
    if record is None:
        raise NotFound("Không tìm thấy phiên đăng nhập này (có thể đã kết thúc).")
    if record.session_key == current_session_key:
        raise ServiceError("Đây là phiên bạn đang dùng: hãy dùng nút “Đăng xuất”.")
    with transaction.atomic():
        _session_store()(session_key=record.session_key).delete()
        record.delete()
        audit_record(
            actor=user,
            action="account.session_end",
            unit=user.unit,
            target=user,
            ip=ip,
            data={"started_at": record.started_at.isoformat(), "session_ip": record.ip},
        )
    return record


def sessions_end_others(*, user: User, current_session_key: str, ip: str | None = None) -> User:
    """R6: "Đăng xuất các phiên khác": every other session of the account ends.

    The session salt is rotated (as a lock does), so sessions without a row end too; the caller
    re-keys the current session with the new hash (`session_keep_only`) to stay signed in.
    """
    require_active(user)
    with transaction.atomic():
        locked = _locked_user(user)
        from .selectors import sessions_of

        listed = sessions_of(user=locked, current_session_key=current_session_key)
        count = sum(not s.is_current for s in listed)
        _end_sessions(locked)
        locked.save(update_fields=["session_salt"])
        audit_record(
            actor=locked,
            action="account.sessions_end_others",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={"sessions": count},
        )
    return locked


def session_keep_only(*, user: User, old_session_key: str, new_session_key: str) -> None:
    """After the session hash changed (new password, other sessions ended), keep one session.

    The current session was re-keyed: its row follows it; the other rows describe sessions the
    new hash has ended, so they and their stored sessions are removed.
    """
    store = _session_store()
    with transaction.atomic():
        SessionRecord.objects.filter(user=user, session_key=old_session_key).update(
            session_key=new_session_key
        )
        others = SessionRecord.objects.filter(user=user).exclude(session_key=new_session_key)
        for key in others.values_list("session_key", flat=True):
            store(session_key=key).delete()
        others.delete()
