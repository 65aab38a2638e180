from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.accounts.management.commands.accounts import parse_at
from vanban.workflow.services.reminders import deadline_alerts_send


class Command(BaseCommand):
    help = "Xử lý văn bản: `vanban workflow remind [--at THỜI_ĐIỂM]` gửi nhắc hạn giải quyết."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser(
            "remind",
            help="Nhắc việc sắp đến hạn và quá hạn giải quyết (mỗi ngày một lần, R18)",
        )
        remind.add_argument("--at", help="Thời điểm áp dụng (mặc định: bây giờ)")

    def handle(self, *args: Any, **options: Any) -> None:
        at = parse_at(options["at"]) if options.get("at") else None
        run = deadline_alerts_send(at=at)
        self.stdout.write(
            f"Đã gửi {run.sent} nhắc hạn: {run.due_soon} việc sắp đến hạn, "
            f"{run.overdue} việc quá hạn; {run.already_sent} nhắc hạn đã gửi trong ngày "
            "nên không gửi lại."
        )
