"""The second factor: who needs it, enrolling an authenticator with recovery codes, and an
admin resetting it (R6)."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanban.audit.services import audit_record
from vanban.core.errors import AccessDenied, ServiceError

from ..models import (
    AccountPolicy,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
    recovery_code_digest,
)
from ._common import (
    _end_sessions,
    _locked_user,
    _require_unit_admin,
    _throttle_message,
    require_active,
)

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
