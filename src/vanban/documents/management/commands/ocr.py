from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.documents.ocr_store import ocr_pending


class Command(BaseCommand):
    help = (
        "Nhận dạng chữ (OCR) bản quét: `vanban ocr pending` nhận dạng các bản quét đã vào sổ mà "
        "chưa có lớp chữ (ví dụ vào sổ khi OCR đang tắt hoặc máy chủ chưa cài OCRmyPDF)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        pending = sub.add_parser("pending", help="Nhận dạng chữ các bản quét còn chờ")
        pending.add_argument(
            "--retry-failed",
            action="store_true",
            help="Nhận dạng lại cả các bản quét lần trước không thành công",
        )
        pending.add_argument(
            "--limit", type=int, default=None, help="Nhiều nhất chừng này tệp trong một lần chạy"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit phải từ 1 trở lên.")
        run = ocr_pending(retry_failed=options["retry_failed"], limit=options["limit"])
        if run.problem:
            raise CommandError(run.problem)
        self.stdout.write(
            f"Đã nhận dạng chữ {run.done} bản quét; {run.failed} không thành công, "
            f"{run.unavailable} chưa nhận dạng được."
        )
        if run.failed or run.unavailable:
            self.stdout.write("Lý do của từng tệp ghi ở phần “Tệp văn bản” trên trang văn bản.")
