"""What the running server is (R23, R25; Art. 8.3, 8.4, 11.2 of the provincial regulation): its
version, the database migrations of every app and the checks an operator runs at start, each
answered in Vietnamese, for the province's administrators.

The checks are those the system makes when it starts (`vanban quickstart`, `vanban check`):
Django's system checks (and the deployment ones when DEBUG is off), the database and its
migrations, the malware scanner (clamd), LibreOffice for Word drafts, the mail server, the task
worker and the daily scheduler, and the notes of the running version. They run when the page is
opened, so the page says how the server is now, not how it was at start.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.core import checks as django_checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vanban.core import clock
from vanban.core.models import ScheduledRun
from vanban.documents.pdfconvert import soffice_path
from vanban.scanning import clamd
from vanban.scanning.services import scanner_status, scanning_enabled

from .releases import current_version, release_note

Level = Literal["ok", "info", "warning", "error"]
LEVEL_LABELS = {"ok": "Đạt", "info": "Lưu ý", "warning": "Cảnh báo", "error": "Lỗi"}
# A task waiting longer than this means no worker takes the queue.
WORKER_LATE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str
    items: tuple[str, ...] = ()

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass
class AppMigrations:
    app: str
    applied: list[str] = field(default_factory=list)
    unapplied: list[str] = field(default_factory=list)

    @property
    def latest(self) -> str:
        return self.applied[-1] if self.applied else ""

    @property
    def total(self) -> int:
        return len(self.applied) + len(self.unapplied)


def migration_status(*, using: str = DEFAULT_DB_ALIAS) -> list[AppMigrations]:
    """Every app's migrations in the order they apply, split into applied and not yet applied."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = set(loader.applied_migrations or {})
    apps: dict[str, AppMigrations] = {}
    for node in _plan(loader):
        app, name = node
        row = apps.setdefault(app, AppMigrations(app))
        (row.applied if node in applied else row.unapplied).append(name)
    return sorted(apps.values(), key=lambda row: row.app)


def _plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    plan = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def _django_checks() -> list[Check]:
    found = django_checks.run_checks()
    rows = [_messages_check("Cấu hình Django (vanban check)", found)]
    if not settings.DEBUG:
        deploy = django_checks.run_checks(include_deployment_checks=True)
        extra = [m for m in deploy if m not in found]
        rows.append(_messages_check("Cấu hình cho máy chủ thật (vanban check --deploy)", extra))
    return rows


# Django's messages are English: the ones a province's server meets most, said in Vietnamese with
# the setting to change (docs/deployment.md); any other keeps Django's own text after its code.
CHECK_MESSAGES_VI = {
    "security.W004": "Chưa đặt HSTS (SECURE_HSTS_SECONDS): trình duyệt có thể mở trang qua HTTP.",
    "security.W008": "Chưa chuyển mọi truy cập sang HTTPS (SECURE_SSL_REDIRECT); thường do nginx "
    "đảm nhận.",
    "security.W009": "Khóa bí mật (VANBAN_SECRET_KEY) quá ngắn hoặc quá đơn giản.",
    "security.W012": "Cookie phiên đăng nhập chưa chỉ gửi qua HTTPS (VANBAN_SECURE_COOKIES=1).",
    "security.W016": "Cookie CSRF chưa chỉ gửi qua HTTPS (VANBAN_SECURE_COOKIES=1).",
    "security.W018": "Máy chủ đang chạy với DEBUG bật (VANBAN_DEBUG): phải tắt khi phục vụ thật.",
    "security.W020": "Chưa khai báo địa chỉ của trang (VANBAN_ALLOWED_HOSTS).",
    "async.E001": "Biến môi trường DJANGO_ALLOW_ASYNC_UNSAFE không được đặt trên máy chủ thật.",
}


def _message_text(message: django_checks.CheckMessage) -> str:
    code = message.id or ""
    text = CHECK_MESSAGES_VI.get(code, str(message.msg))
    return f"{code}: {text}" if code else text


def _messages_check(name: str, found: list[django_checks.CheckMessage]) -> Check:
    serious = [m for m in found if m.level >= django_checks.WARNING and not m.is_silenced()]
    if not serious:
        return Check(name, "ok", "Không có lỗi hay cảnh báo.")
    errors = [m for m in serious if m.level >= django_checks.ERROR]
    items = tuple(_message_text(m) for m in serious)
    if errors:
        return Check(
            name, "error", f"{len(errors)} lỗi, {len(serious) - len(errors)} cảnh báo.", items
        )
    return Check(name, "warning", f"{len(serious)} cảnh báo.", items)


def _database_check() -> Check:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except Exception as exc:  # any failure to reach the database is what the check reports
        return Check("Cơ sở dữ liệu", "error", f"Không kết nối được: {exc}")
    if connection.vendor == "sqlite":
        return Check(
            "Cơ sở dữ liệu",
            "info",
            "SQLite: đủ cho chạy thử trên một máy; một tỉnh dùng PostgreSQL (docs/deployment.md).",
        )
    version = ".".join(str(part) for part in connection.get_database_version())
    return Check("Cơ sở dữ liệu", "ok", f"{connection.display_name} {version}.")


def _migrations_check(apps: list[AppMigrations]) -> Check:
    pending = [f"{row.app}: {name}" for row in apps for name in row.unapplied]
    name = "Cập nhật cơ sở dữ liệu (migrate)"
    if pending:
        return Check(
            name,
            "error",
            f"Còn {len(pending)} bản cập nhật chưa áp dụng: chạy `vanban migrate`.",
            tuple(pending),
        )
    total = sum(row.total for row in apps)
    return Check(name, "ok", f"Đã áp dụng đủ {total} bản cập nhật của {len(apps)} ứng dụng.")


def _scanner_check() -> Check:
    name = "Quét mã độc (ClamAV)"
    status = scanner_status()
    if not scanning_enabled():
        return Check(name, "warning", status)
    if not clamd.ping(settings.VANBAN_CLAMD_SOCKET, timeout=2.0):
        return Check(name, "error", status)
    return Check(name, "ok", status)


def _libreoffice_check() -> Check:
    name = "LibreOffice (dự thảo Word sang PDF)"
    path = soffice_path()
    if path is None:
        return Check(
            name,
            "warning",
            "Không tìm thấy LibreOffice (VANBAN_SOFFICE): dự thảo Word không chuyển được sang "
            "PDF; cài gói libreoffice-writer-nogui (docs/deployment.md).",
        )
    return Check(name, "ok", f"Có tại {path}.")


def _email_check() -> Check:
    name = "Thư điện tử"
    if not settings.VANBAN_EMAIL_ENABLED:
        return Check(
            name,
            "info",
            "Chưa cấu hình máy chủ thư (VANBAN_EMAIL_HOST): thông báo và báo cáo định kỳ chỉ có "
            "trong ứng dụng.",
        )
    return Check(
        name,
        "ok",
        f"Gửi qua {settings.EMAIL_HOST}:{settings.EMAIL_PORT}, từ {settings.DEFAULT_FROM_EMAIL}.",
    )


def _worker_check() -> Check:
    name = "Hàng đợi công việc (vanban db_worker)"
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return Check(name, "info", f"Công việc nền chạy bằng {backend}, không qua hàng đợi.")
    late = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, enqueued_at__lt=clock.now() - WORKER_LATE
    ).count()
    if late:
        return Check(
            name,
            "warning",
            f"{late} công việc chờ quá {int(WORKER_LATE.total_seconds() // 60)} phút: "
            "hãy kiểm tra tiến trình vanban-worker.",
        )
    return Check(name, "ok", "Không có công việc nào chờ lâu.")


def _scheduler_check() -> Check:
    name = "Lịch việc hằng ngày (vanban scheduler)"
    last = ScheduledRun.objects.order_by("-run_date").values_list("run_date", flat=True).first()
    if last is None:
        return Check(name, "warning", "Chưa chạy lần nào: hãy bật tiến trình vanban-scheduler.")
    today = timezone.localdate(clock.now())
    if (today - last).days > 1:
        return Check(
            name,
            "warning",
            f"Lần chạy gần nhất ngày {last:%d/%m/%Y}: hãy kiểm tra tiến trình vanban-scheduler.",
        )
    return Check(name, "ok", f"Lần chạy gần nhất ngày {last:%d/%m/%Y}.")


def _notes_check() -> Check:
    version = current_version()
    name = "Ghi chú phát hành"
    if release_note(version) is None:
        return Check(
            name,
            "warning",
            f"Phiên bản {version} chưa có ghi chú phát hành (oversight/releases/{version}.md).",
        )
    return Check(name, "ok", f"Có ghi chú của phiên bản {version}.")


def startup_checks(*, apps: list[AppMigrations] | None = None) -> list[Check]:
    """Every check, in the order an operator reads them."""
    apps = migration_status() if apps is None else apps
    return [
        *_django_checks(),
        _database_check(),
        _migrations_check(apps),
        _scanner_check(),
        _libreoffice_check(),
        _email_check(),
        _worker_check(),
        _scheduler_check(),
        _notes_check(),
    ]
