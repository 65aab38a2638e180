"""Writes on API tokens: create, revoke, and the "last used" stamp.

A token acts as its owner, so it may only be handed out or taken back by the owner or by an
admin who manages the owner's unit (R7), or by the server operator on the command line
(`actor=None`). Every creation and revocation is audited (R25).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.text import nfc

from .models import ApiToken

SCHEME = "vbt"
NAME_MAX_LENGTH = 100
# The "last used" stamp is written at most this often per token: no write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    """SHA-256 of the whole token; the token is 256 random bits, so no salt or stretching."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


@dataclass
class IssuedToken:
    token: ApiToken
    plaintext: str


def _require_token_manager(actor: User | None, user: User) -> None:
    """R7: the owner, or an admin of the owner's unit; `None` is the server operator."""
    if actor is None:
        return
    if not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if actor.pk != user.pk and not actor.can_manage_unit(user.unit):
        raise AccessDenied(
            "Chỉ chủ tài khoản hoặc quản trị đơn vị của tài khoản được cấp hoặc thu hồi "
            "mã truy cập API."
        )


def token_create(
    *, actor: User | None, user: User, name: str = "", ip: str | None = None
) -> IssuedToken:
    """Issue a token for `user`; the plaintext is returned here and never again (R7, R25).

    The token works only while the account is active and needs no password change (R3-R5).
    """
    _require_token_manager(actor, user)
    name = nfc(name)
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(
            f"Tên gợi nhớ của mã truy cập dài quá {NAME_MAX_LENGTH} ký tự.", field="name"
        )
    if not user.is_active:
        raise ServiceError(
            f"Tài khoản {user.username} đang ở trạng thái “{user.get_status_display()}”, "
            "không thể cấp mã truy cập API.",
            field="user",
        )
    now = clock.now()
    # A prefix collision (one in four billion) is retried with a fresh one; the unique
    # constraints decide, so two concurrent creations can never share a prefix or a hash.
    for _attempt in range(3):
        prefix = secrets.token_hex(4)
        plaintext = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    token_hash=token_hash(plaintext),
                    created_at=now,
                    session_salt=type(user)
                    .objects.values_list("session_salt", flat=True)
                    .get(pk=user.pk),
                )
                audit_record(
                    actor=actor,
                    action="api_token.create",
                    unit=user.unit,
                    target=token,
                    ip=ip,
                    data={"user": user.username, "prefix": prefix, "name": name},
                )
        except IntegrityError:
            continue
        return IssuedToken(token=token, plaintext=plaintext)
    raise ServiceError("Không tạo được mã truy cập API, hãy thử lại.")


def token_revoke(*, actor: User | None, token: ApiToken, ip: str | None = None) -> ApiToken:
    """Revoke a token at once; it is kept (not deleted) so the audit trail can name it (R25)."""
    _require_token_manager(actor, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user__unit").get(pk=token.pk)
        if token.revoked_at is not None:
            raise ServiceError(f"Mã truy cập API vbt_{token.prefix} đã bị thu hồi trước đó.")
        token.revoked_at = clock.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            unit=token.user.unit,
            target=token,
            ip=ip,
            data={"user": token.user.username, "prefix": token.prefix},
        )
    return token


def token_mark_used(*, token: ApiToken) -> None:
    """Stamp the time of use, at most once per LAST_USED_RESOLUTION.

    A bookkeeping stamp, not a business action: no audit event. The conditional update makes
    concurrent requests write it once.
    """
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
        pk=token.pk,
    ).update(last_used_at=now)
    token.last_used_at = now
