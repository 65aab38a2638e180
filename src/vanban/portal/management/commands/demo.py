from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.demo import demo_logins_table, second_factor_logins
from vanban.core.errors import ServiceError
from vanban.portal.demo import demo_load
from vanban.reorganisation.demo import demo_plans_apply


class Command(BaseCommand):
    help = (
        "Dữ liệu mẫu: `vanban demo load` nạp tỉnh mẫu (trước ngày 01/07/2025) vào cơ sở dữ liệu "
        "trống; `vanban demo reorganise` áp dụng các kế hoạch sắp xếp đơn vị ngày 01/07/2025."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp đơn vị, khoảng 200 tài khoản và dữ liệu mẫu")
        sub.add_parser(
            "reorganise", help="Áp dụng các kế hoạch sắp xếp đơn vị ngày 01/07/2025 của tỉnh mẫu"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reorganise":
            self._reorganise()
            return
        try:
            result = demo_load(self.stdout.write)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("Tài khoản dùng thử:")
        self.stdout.write(demo_logins_table(result.logins))
        enrol = second_factor_logins(result.logins)
        if enrol:
            self.stdout.write(
                f"{', '.join(enrol)}: vai trò quản trị phải bật xác thực hai bước ở lần "
                "đăng nhập đầu (quét mã QR bằng ứng dụng xác thực trên điện thoại)."
            )

    def _reorganise(self) -> None:
        try:
            results = demo_plans_apply()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        for result in results:
            self.stdout.write(
                f"{result.plan.title}: {len(result.done)} bước đã thực hiện, "
                f"{result.skipped} bước đã có từ trước."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Tỉnh mẫu nay là tỉnh Vĩnh Long hai cấp; báo cáo từng kế hoạch ở Quản trị › "
                "Sắp xếp đơn vị."
            )
        )
