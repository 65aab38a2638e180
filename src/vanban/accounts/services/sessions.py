"""Signed-in sessions: recorded at login, touched on activity, ended one by one or all but the
current one (R6, R25)."""

import datetime as dt
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import NotFound, ServiceError

from ..models import (
    SessionRecord,
    User,
)
from ._common import (
    _end_sessions,
    _locked_user,
    require_active,
)

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
        from ..selectors import sessions_of

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
