from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.demo import demo_logins_table, demo_province_load, second_factor_logins
from vanban.agenda.demo import demo_agenda_load
from vanban.core.errors import ServiceError
from vanban.documents.demo import demo_documents_load
from vanban.oversight.demo import demo_usage_build
from vanban.records.demo import demo_records_load


class Command(BaseCommand):
    help = "Dữ liệu mẫu: `vanban demo load` nạp tỉnh mẫu (giống Bến Tre) vào cơ sở dữ liệu trống."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp đơn vị và khoảng 200 tài khoản mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_province_load()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp tỉnh mẫu: {result.units} đơn vị, {result.accounts} tài khoản "
                f"({result.seconds:.1f} giây)."
            )
        )
        documents = demo_documents_load()
        self.stdout.write(
            f"Đã vào sổ {documents.incoming} văn bản đến và {documents.outgoing} văn bản đi mẫu."
        )
        entries = demo_agenda_load()
        if entries:
            self.stdout.write(f"Đã công bố lịch công tác tuần này ({entries} nội dung) của Sở.")
        records = demo_records_load()
        if records.lists:
            self.stdout.write(
                f"Đã phê duyệt danh mục hồ sơ năm nay của {records.lists} cơ quan "
                f"({records.entries} hồ sơ); {records.archivists} tài khoản được giao vai trò "
                "lưu trữ cơ quan."
            )
        usage = demo_usage_build()
        if usage is not None:
            self.stdout.write(
                f"Đã tính số liệu thống kê sử dụng từ ngày {usage.first:%d/%m/%Y} đến hôm nay."
            )
        self.stdout.write("Tài khoản dùng thử:")
        self.stdout.write(demo_logins_table(result.logins))
        enrol = second_factor_logins(result.logins)
        if enrol:
            self.stdout.write(
                f"{', '.join(enrol)}: vai trò quản trị phải bật xác thực hai bước ở lần "
                "đăng nhập đầu (quét mã QR bằng ứng dụng xác thực trên điện thoại)."
            )
