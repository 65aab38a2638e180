import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.core.schedule import due_jobs_enqueue


class Command(BaseCommand):
    help = (
        "Bộ lập lịch: mỗi ngày đưa các việc định kỳ (quét vòng đời tài khoản...) vào hàng đợi; "
        "`db_worker` thực hiện chúng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Kiểm tra một lần rồi thoát")
        parser.add_argument(
            "--interval", type=int, default=60, help="Số giây giữa hai lần kiểm tra"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in due_jobs_enqueue():
                self.stdout.write(f"Đã đưa vào hàng đợi: {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
