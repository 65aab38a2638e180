"""R3/R4 account lifecycle across the 30- and 60-day boundaries, driven by a frozen clock."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.support.province import PASSWORD
from vanban.accounts import services
from vanban.accounts.models import AccountChange, AccountStatus, LockReason, RevokeReason, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.models import ScheduledRun
from vanban.core.schedule import due_jobs_enqueue

pytestmark = pytest.mark.django_db

ISSUED = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))


@pytest.fixture
def issued(province):
    """An account issued at ISSUED that must change its one-time password."""
    with clock.frozen(ISSUED):
        issued = services.account_create(
            actor=province.admin_stttt, unit=province.stttt, full_name="Trương Công Mới"
        )
    return issued


def login(username: str, password: str, at: dt.datetime) -> int:
    with clock.frozen(at):
        return (
            Client()
            .post("/tai-khoan/dang-nhap/", {"username": username, "password": password})
            .status_code
        )


def sweep(at: dt.datetime) -> str:
    out = StringIO()
    call_command("accounts", "sweep", "--at", at.isoformat(), stdout=out)
    return out.getvalue()


def status_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.status, user.status_reason


def test_unused_account_stays_open_for_30_days_then_locks(issued):
    user = issued.user
    sweep(ISSUED + dt.timedelta(days=30))
    assert status_of(user) == (AccountStatus.ACTIVE, "")
    output = sweep(ISSUED + dt.timedelta(days=30, minutes=1))
    assert f"Tạm khóa: {user.username}" in output
    assert status_of(user) == (AccountStatus.LOCKED, LockReason.NOT_USED)
    change = AccountChange.objects.get(user=user, kind=AccountChange.Kind.LOCKED)
    assert change.actor is None
    assert change.actor_label == "Hệ thống (tự động)"
    assert change.at == ISSUED + dt.timedelta(days=30, minutes=1)
    assert AuditEvent.objects.filter(action="account.lock", target_id=str(user.pk)).count() == 1
    # Idempotent: a second run the same day changes nothing.
    sweep(ISSUED + dt.timedelta(days=30, minutes=2))
    assert AccountChange.objects.filter(user=user, kind=AccountChange.Kind.LOCKED).count() == 1
    # And the issued password no longer opens it.
    assert login(user.username, issued.one_time_password, ISSUED + dt.timedelta(days=31)) == 200


def test_login_without_password_change_locks_for_password_not_changed(issued):
    user = issued.user
    assert login(user.username, issued.one_time_password, ISSUED + dt.timedelta(days=3)) == 302
    sweep(ISSUED + dt.timedelta(days=30, hours=1))
    assert status_of(user) == (AccountStatus.LOCKED, LockReason.PASSWORD_NOT_CHANGED)


def test_account_used_in_time_is_not_locked(issued):
    user = issued.user
    with clock.frozen(ISSUED + dt.timedelta(days=2)):
        services.account_change_password(
            user=user, old_password=issued.one_time_password, new_password="Moi-Mat-khau-1"
        )
    sweep(ISSUED + dt.timedelta(days=40))
    assert status_of(user) == (AccountStatus.ACTIVE, "")


def test_revoked_60_days_after_creation_without_login(issued):
    user = issued.user
    sweep(ISSUED + dt.timedelta(days=60))
    assert status_of(user)[0] == AccountStatus.LOCKED  # the 30-day lock, not yet revoked
    output = sweep(ISSUED + dt.timedelta(days=60, minutes=1))
    assert f"Thu hồi: {user.username}" in output
    assert status_of(user) == (AccountStatus.REVOKED, RevokeReason.INACTIVE)
    assert login(user.username, issued.one_time_password, ISSUED + dt.timedelta(days=61)) == 200


def test_revoked_60_days_after_last_login(province):
    user = province.staff_stttt
    last = ISSUED + dt.timedelta(days=10)
    assert login(user.username, PASSWORD, last) == 302
    sweep(last + dt.timedelta(days=59, hours=23))
    assert status_of(user)[0] == AccountStatus.ACTIVE
    sweep(last + dt.timedelta(days=60, seconds=1))
    assert status_of(user) == (AccountStatus.REVOKED, RevokeReason.INACTIVE)
    # History and the account row are kept; the person can no longer log in.
    assert User.objects.filter(pk=user.pk).exists()
    assert AccountChange.objects.filter(user=user, kind=AccountChange.Kind.REVOKED).count() == 1
    assert login(user.username, PASSWORD, last + dt.timedelta(days=61)) == 200


def test_admin_unlock_starts_a_new_grace_period(issued, province):
    user = issued.user
    sweep(ISSUED + dt.timedelta(days=31))
    with clock.frozen(ISSUED + dt.timedelta(days=32)):
        services.account_unlock(
            actor=province.admin_stttt, user=user, note="Cán bộ đi công tác dài ngày, nay đã về."
        )
    sweep(ISSUED + dt.timedelta(days=33))
    assert status_of(user) == (AccountStatus.ACTIVE, "")
    unlock = AccountChange.objects.get(user=user, kind=AccountChange.Kind.UNLOCKED)
    assert unlock.actor == province.admin_stttt
    assert unlock.note == "Cán bộ đi công tác dài ngày, nay đã về."


def test_sweep_rejects_a_malformed_time(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("accounts", "sweep", "--at", "hôm qua")


def test_scheduler_enqueues_the_daily_sweep_once_per_day(
    issued, django_capture_on_commit_callbacks
):
    morning = timezone.make_aware(dt.datetime(2026, 3, 1, 0, 30))
    assert due_jobs_enqueue(now=morning) == []
    later = timezone.make_aware(dt.datetime(2026, 3, 1, 1, 5))
    with clock.frozen(later), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(now=later) == ["accounts_sweep"]
    # The task ran (immediate backend in tests) and applied the rules at that time.
    assert status_of(issued.user)[0] == AccountStatus.LOCKED
    assert due_jobs_enqueue(now=later + dt.timedelta(hours=2)) == []
    assert ScheduledRun.objects.count() == 1
