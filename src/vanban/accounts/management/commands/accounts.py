import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from vanban.accounts import services


def parse_at(value: str) -> dt.datetime:
    """ISO date or date-time; naive values are local time (Asia/Ho_Chi_Minh)."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(
                f"Thời điểm “{value}” không hợp lệ; dùng dạng 2026-11-25 hoặc 2026-11-25T08:00."
            )
        parsed = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Tài khoản: `vanban accounts sweep [--at THỜI_ĐIỂM]` áp dụng quy tắc khóa và thu hồi."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser(
            "sweep",
            help="Khóa tài khoản không dùng, thu hồi tài khoản lâu không đăng nhập (R3, R4)",
        )
        sweep.add_argument("--at", help="Thời điểm áp dụng (mặc định: bây giờ)")

    def handle(self, *args: Any, **options: Any) -> None:
        at = parse_at(options["at"]) if options.get("at") else None
        result = services.accounts_sweep(at=at)
        for username in result.locked:
            self.stdout.write(f"Tạm khóa: {username}")
        for username in result.revoked:
            self.stdout.write(f"Thu hồi: {username}")
        self.stdout.write(
            f"Đã tạm khóa {len(result.locked)} và thu hồi {len(result.revoked)} tài khoản."
        )
