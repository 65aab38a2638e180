from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.audit.services import audit_verify


class Command(BaseCommand):
    help = "Nhật ký kiểm toán: `vanban audit verify` kiểm tra chuỗi băm."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Kiểm tra toàn bộ chuỗi nhật ký")

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = audit_verify()
        for problem in problems:
            self.stderr.write(f"Sự kiện {problem.seq}: {problem.message}")
        if problems:
            raise CommandError(f"Nhật ký bị can thiệp: {len(problems)} lỗi trên {count} sự kiện.")
        self.stdout.write(f"Nhật ký toàn vẹn: {count} sự kiện đã kiểm tra.")
