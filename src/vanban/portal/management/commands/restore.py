"""`vanban restore DIR`: into an empty database and storage, checked before and after."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Phục hồi từ THƯ_MỤC do `vanban backup` tạo, vào cơ sở dữ liệu mới tạo và kho lưu trữ "
        "trống: kiểm tra mã băm trước, nạp dữ liệu và tệp, rồi chạy `files check` và "
        "`audit verify`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="THƯ_MỤC", help="Thư mục bản sao lưu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(
                directory=Path(options["directory"]), progress=self.stdout.write
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Không đọc hoặc ghi được tệp: {exc}") from exc
        manifest = result.manifest
        self.stdout.write(
            f"Đã phục hồi bản sao lưu lúc {manifest['created_at']}: "
            f"{sum(manifest['counts'].values())} bản ghi, {result.restored_files} tệp "
            f"({result.skipped_files} tệp không được bản chụp cơ sở dữ liệu tham chiếu bị bỏ qua)."
        )
        for label, (expected, found) in sorted(result.counts_differ.items()):
            self.stdout.write(f"Số bản ghi {label} khác bản sao lưu: {found} thay vì {expected}.")
        report = result.files_report
        self.stdout.write(
            f"Kiểm tra tệp: {report.records} bản ghi tệp, {len(report.missing)} thiếu, "
            f"{len(report.changed)} bị thay đổi, {len(report.orphans)} mồ côi."
        )
        for problem in result.audit_problems:
            self.stdout.write(f"Sự kiện {problem.seq}: {problem.message}")
        if result.audit_head_differs:
            self.stdout.write("Đầu chuỗi nhật ký kiểm toán khác với manifest.json.")
        audit = "toàn vẹn" if not result.audit_problems else "bị can thiệp"
        self.stdout.write(f"Nhật ký kiểm toán {audit}: {result.audit_count} sự kiện đã kiểm tra.")
        if result.problems:
            raise CommandError(f"Phục hồi xong nhưng có {result.problems} vấn đề cần xem lại.")
        self.stdout.write("Phục hồi hoàn tất, không có vấn đề.")
