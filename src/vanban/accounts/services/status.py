"""Locking, unlocking and revoking an account by an admin, and a person reporting their own
account compromised (R3, R4, R6)."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc

from ..models import (
    AccountChange,
    AccountStatus,
    LockReason,
    RevokeReason,
    Role,
    User,
)
from ._common import (
    _lock,
    _locked_user,
    _require_unit_admin,
    _revoke,
    _unlock,
    require_active,
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
