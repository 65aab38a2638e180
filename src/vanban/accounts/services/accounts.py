"""Account names (R2), issuing an account, editing a person's details and roles (R2, R5, R7)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import DateField, QuerySet, Value
from django.utils import timezone

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.text import fold, nfc

from ..models import (
    USERNAME_RE,
    AccountChange,
    AccountPolicy,
    AccountStatus,
    Role,
    RoleAssignment,
    Unit,
    User,
    UsernameAlias,
)
from ..passwords import one_time_password, password_problems
from ._common import (
    _locked_user,
    _record_change,
    _require_unit_admin,
)

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
    # Names and live former names are taken alike (R2; UsernameAlias): one query for both.
    taken = set(
        User.objects.filter(username__startswith=base, username__endswith=suffix)
        .order_by()
        .values_list("username", flat=True)
        .union(
            live_aliases()
            .filter(username__startswith=base, username__endswith=suffix)
            .order_by()
            .values_list("username", flat=True)
        )
    )
    candidate, n = f"{base}{suffix}", 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}{suffix}"
    return candidate


def live_aliases() -> QuerySet[UsernameAlias]:
    """The former account names that still sign in (R2 in a reorganisation)."""
    return UsernameAlias.objects.filter(valid_until__gte=timezone.localdate(clock.now()))


def username_taken_problem(username: str) -> str | None:
    """An account name is unique across the accounts' names and their live former names (R2):
    a name that is still someone's former name is refused until that name stops signing in."""
    accounts = (
        User.objects.filter(username=username)
        .order_by()
        .annotate(until=Value(None, output_field=DateField()))
        .values_list("until", flat=True)
    )
    aliases = (
        live_aliases().filter(username=username).order_by().values_list("valid_until", flat=True)
    )
    found = list(accounts.union(aliases, all=True))  # one query for both
    if not found:
        return None
    if None in found:
        return f"Tên tài khoản {username} đã tồn tại."
    return (
        f"Tên tài khoản {username} là tên cũ của một tài khoản, còn dùng để đăng nhập đến hết "
        f"ngày {max(found):%d/%m/%Y}; hãy chọn tên khác."
    )


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
            taken = username_taken_problem(username)
            if taken:
                raise ServiceError(taken, field="username")
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


def account_alias_end(
    *, actor: User, user: User, alias_id: int, ip: str | None = None
) -> UsernameAlias:
    """End a former account name early (R2 in a reorganisation, R7): from today it signs in no
    more and is free to be given again. The province admin for anyone, a unit admin for the
    people of the units they administer; audited (R25)."""
    _require_unit_admin(actor, user.unit)
    today = timezone.localdate(clock.now())
    with transaction.atomic():
        alias = (
            UsernameAlias.objects.select_for_update().filter(pk=alias_id, user_id=user.pk).first()
        )
        if alias is None:
            raise NotFound("Không tìm thấy tên tài khoản cũ.")
        if alias.valid_until < today:
            raise ServiceError(
                f"Tên cũ {alias.username} đã hết hiệu lực từ sau ngày "
                f"{alias.valid_until:%d/%m/%Y}; không có gì để kết thúc."
            )
        was_until = alias.valid_until
        alias.valid_until = today - dt.timedelta(days=1)
        alias.save(update_fields=["valid_until"])
        audit_record(
            actor=actor,
            action="account.alias_end",
            unit=user.unit,
            target=user,
            ip=ip,
            data={
                "alias": alias.username,
                "was_valid_until": was_until.isoformat(),
                "valid_until": alias.valid_until.isoformat(),
            },
        )
    return alias
