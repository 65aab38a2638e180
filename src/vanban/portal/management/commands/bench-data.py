"""`vanban bench-data --docs N`: a province at scale for the performance suite (benchdata.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from vanban.core.errors import ServiceError
from vanban.documents.search import number_vi
from vanban.portal.benchdata import Progress, bench_data_load, duration_vi


class Command(BaseCommand):
    help = (
        "Dữ liệu đo hiệu năng: tạo N văn bản đến và đi trải đều qua các năm, có số trong sổ, "
        "người ký, xử lý văn bản đến và nội dung để tìm kiếm (không lưu tệp). Nạp tỉnh mẫu nếu "
        "chưa có đơn vị nào."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--docs", type=int, required=True, help="Số văn bản cần tạo")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (mặc định 1)")
        parser.add_argument(
            "--years", default=None, help="Khoảng năm, ví dụ 2020-2026 (mặc định: 7 năm gần nhất)"
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="Thêm vào cơ sở dữ liệu đã có văn bản (kể cả văn bản của lần chạy trước)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def report(progress: Progress) -> None:
            self.stdout.write(f"  {progress.line()}")
            self.stdout.flush()

        try:
            result = bench_data_load(
                docs=options["docs"],
                seed=options["seed"],
                years=options["years"],
                append=options["append"],
                report=report,
                say=self.stdout.write,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        rate = result.documents / result.load_seconds if result.load_seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {number_vi(result.documents)} văn bản ({number_vi(result.incoming)} đến, "
                f"{number_vi(result.outgoing)} đi) trên {connection.vendor} trong "
                f"{duration_vi(result.seconds)}."
            )
        )
        self.stdout.write(
            f"Xử lý văn bản đến: {number_vi(result.processings)} hồ sơ xử lý, "
            f"{number_vi(result.assignments)} phân công, {number_vi(result.trail)} bước, "
            f"{number_vi(result.shares)} lượt chuyển văn bản."
        )
        line = (
            f"Nạp dữ liệu {duration_vi(result.load_seconds)} "
            f"({number_vi(round(rate))} văn bản/giây)"
        )
        if result.indexes_rebuilt:
            line += f", tạo chỉ mục tìm kiếm {duration_vi(result.index_seconds)}"
        if result.vacuum_seconds:
            line += f", VACUUM ANALYZE {duration_vi(result.vacuum_seconds)}"
        self.stdout.write(line + ".")
