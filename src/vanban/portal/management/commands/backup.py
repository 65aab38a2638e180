"""`vanban backup DIR`: database snapshot, then stored files, then manifest (docs/deployment.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Sao lưu: chụp cơ sở dữ liệu (pg_dump hoặc SQLite online backup), rồi chép mọi tệp trong "
        "kho lưu trữ, rồi ghi manifest.json (mã băm SHA-256 từng tệp, số bản ghi, đầu chuỗi "
        "nhật ký) vào THƯ_MỤC mới hoặc trống."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="THƯ_MỤC", help="Thư mục mới hoặc trống")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        try:
            result = backup_create(directory=directory, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Không ghi hoặc đọc được tệp: {exc}") from exc
        manifest = result.manifest
        files = manifest["files"]
        self.stdout.write(
            f"Đã sao lưu vào {directory}: cơ sở dữ liệu {manifest['database']['engine']} "
            f"({sum(manifest['counts'].values())} bản ghi), {len(files)} tệp "
            f"({manifest['referenced_files']} tệp được cơ sở dữ liệu tham chiếu), nhật ký kiểm "
            f"toán đến sự kiện {manifest['audit']['last_seq']}."
        )
        for name in result.missing:
            self.stdout.write(f"Thiếu tệp trong kho lưu trữ: {name}")
        for name in result.changed:
            self.stdout.write(f"Tệp bị thay đổi (SHA-256 không khớp với bản ghi): {name}")
        if result.missing or result.changed:
            raise CommandError(
                f"Bản sao lưu đã ghi xong nhưng kho lưu trữ có {len(result.missing)} tệp thiếu và "
                f"{len(result.changed)} tệp bị thay đổi: chạy `vanban files check`."
            )
