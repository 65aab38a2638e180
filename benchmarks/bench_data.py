"""A province at scale for the performance suite, in the database `vanban` uses.

Usage:
    .venv/bin/python benchmarks/bench_data.py --docs N [--seed 1] [--years 2020-2026] [--append]

The database is the one the `vanban` command would use (DATABASE_URL, else the SQLite file in
VANBAN_DATA_DIR), with the production settings unless DJANGO_SETTINGS_MODULE says otherwise. What
is loaded is described in benchmarks/benchdata.py and benchmarks/README.md. A refused load
(a database holding other documents, a year after the current one) changes nothing: its reason is
printed and the exit code is 1.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from vanban.core.console import quiet_library_warnings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")

EXIT_OK = 0
EXIT_REFUSED = 1

DESCRIPTION = (
    "Dữ liệu đo hiệu năng: tạo N văn bản đến và đi trải đều qua các năm, có số trong sổ, "
    "người ký, xử lý văn bản đến và nội dung để tìm kiếm (không lưu tệp). Nạp tỉnh mẫu nếu "
    "chưa có đơn vị nào."
)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="benchmarks/bench_data.py", description=DESCRIPTION)
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
    return parser


def main(
    argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    args = parser().parse_args(argv)
    # The generator imports Django's models, so Django is set up first, as in suite.py (a test
    # calling main has it set up already).
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from benchmarks.benchdata import bench_data_print

    from vanban.core.errors import ServiceError

    try:
        bench_data_print(
            docs=args.docs,
            seed=args.seed,
            years=args.years,
            append=args.append,
            out=stdout or sys.stdout,
        )
    except ServiceError as exc:
        print(exc.message, file=stderr or sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


if __name__ == "__main__":
    quiet_library_warnings()
    sys.exit(main())
