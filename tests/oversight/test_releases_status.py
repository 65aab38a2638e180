"""The state of the server (R23, R25): migrations per app and the start checks, as computed."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from vanban.core.models import ScheduledRun
from vanban.oversight import system_status

pytestmark = pytest.mark.django_db


def by_name(checks):  # type: ignore[no-untyped-def]
    return {check.name: check for check in checks}


def test_every_migration_is_applied_in_the_test_database():
    apps = {row.app: row for row in system_status.migration_status()}
    assert any(name.endswith("_release_notices") for name in apps["oversight"].applied)
    assert apps["accounts"].latest == apps["accounts"].applied[-1]
    assert all(not row.unapplied for row in apps.values())
    check = by_name(system_status.startup_checks())["Cập nhật cơ sở dữ liệu (migrate)"]
    assert check.level == "ok"


def test_an_unapplied_migration_is_an_error_with_its_name():
    recorder = MigrationRecorder(connection)
    name = next(row.latest for row in system_status.migration_status() if row.app == "oversight")
    recorder.record_unapplied("oversight", name)
    apps = {row.app: row for row in system_status.migration_status()}
    assert apps["oversight"].unapplied == [name]
    check = by_name(system_status.startup_checks())["Cập nhật cơ sở dữ liệu (migrate)"]
    assert check.level == "error"
    assert f"oversight: {name}" in check.items
    assert "vanban migrate" in check.detail


def test_a_scheduler_that_has_not_run_for_days_is_a_warning():
    ScheduledRun.objects.all().delete()
    assert (
        by_name(system_status.startup_checks())["Lịch việc hằng ngày (vanban scheduler)"].level
        == "warning"
    )
    from vanban.core import clock

    ScheduledRun.objects.create(
        job="accounts_sweep", run_date=clock.now().date(), enqueued_at=clock.now()
    )
    check = by_name(system_status.startup_checks())["Lịch việc hằng ngày (vanban scheduler)"]
    assert check.level == "ok"
    ScheduledRun.objects.all().delete()
    old = clock.now() - dt.timedelta(days=5)
    ScheduledRun.objects.create(job="accounts_sweep", run_date=old.date(), enqueued_at=old)
    assert (
        by_name(system_status.startup_checks())["Lịch việc hằng ngày (vanban scheduler)"].level
        == "warning"
    )


def test_the_mail_server_is_named_when_configured(settings):
    settings.VANBAN_EMAIL_ENABLED = True
    settings.EMAIL_HOST, settings.EMAIL_PORT = "mail.example.gov.vn", 587
    check = by_name(system_status.startup_checks())["Thư điện tử"]
    assert check.level == "ok" and "mail.example.gov.vn:587" in check.detail


def test_a_missing_libreoffice_is_a_warning(settings):
    settings.VANBAN_SOFFICE = "/nonexistent/soffice"
    check = by_name(system_status.startup_checks())["LibreOffice (dự thảo Word sang PDF)"]
    assert check.level == "warning" and "VANBAN_SOFFICE" in check.detail


def test_scanning_on_without_clamd_is_an_error(settings, tmp_path):
    settings.VANBAN_CLAMD_ENABLED = True
    settings.VANBAN_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    check = by_name(system_status.startup_checks())["Quét mã độc (ClamAV)"]
    assert check.level == "error" and "không kết nối được clamd" in check.detail


def test_a_version_without_notes_is_a_warning(settings):
    settings.VANBAN_VERSION = "99.0.0"
    check = by_name(system_status.startup_checks())["Ghi chú phát hành"]
    assert check.level == "warning" and "99.0.0.md" in check.detail


def test_djangos_deployment_warnings_are_said_in_vietnamese(settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.DEBUG = False
    check = by_name(system_status.startup_checks())[
        "Cấu hình cho máy chủ thật (vanban check --deploy)"
    ]
    assert check.level in ("warning", "error")
    assert (
        "security.W012: Cookie phiên đăng nhập chưa chỉ gửi qua HTTPS (VANBAN_SECURE_COOKIES=1)."
        in check.items
    )
