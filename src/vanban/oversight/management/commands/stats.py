"""`vanban stats`: the per-day usage aggregates (R24; docs/oversight.md, "Usage statistics").

    vanban stats rebuild [--from DD/MM/YYYY] [--to DD/MM/YYYY]
    vanban stats check --from DD/MM/YYYY --to DD/MM/YYYY

`rebuild` counts the days again from the registers (default: yesterday; `--from` alone runs to
yesterday); `check` compares the aggregates of the province with a live count and exits with 1
when they differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.errors import ServiceError
from vanban.core.forms import parse_date_vi


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date_vi(text)
    except ValidationError as exc:
        raise CommandError(f"Ngày “{text}” không hợp lệ: {exc.messages[0]}") from None


class Command(BaseCommand):
    help = (
        "Số liệu thống kê sử dụng theo ngày: `vanban stats rebuild` tính lại từ sổ văn bản và "
        "nhật ký; `vanban stats check` so sánh với số liệu đếm trực tiếp."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("rebuild", "Tính lại số liệu các ngày (mặc định: hôm qua)"),
            ("check", "So sánh số liệu đã tính với số liệu đếm trực tiếp"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--from", dest="first", help="Từ ngày (dd/mm/yyyy)")
            action.add_argument("--to", dest="last", help="Đến ngày (dd/mm/yyyy)")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanban.oversight.statistics_build import today_local

        yesterday = today_local() - dt.timedelta(days=1)
        first = _day(options["first"])
        last = _day(options["last"]) or yesterday
        first = first or last
        try:
            if options["action"] == "rebuild":
                self._rebuild(first, last)
            else:
                self._check(first, last)
        except ServiceError as exc:
            raise CommandError(f"{exc.message} Không có gì thay đổi.") from exc

    def _rebuild(self, first: dt.date, last: dt.date) -> None:
        from vanban.oversight.statistics_build import usage_rebuild

        run = usage_rebuild(first=first, last=last)
        self.stdout.write(
            f"Đã tính số liệu {run.days} ngày ({first:%d/%m/%Y}–{last:%d/%m/%Y}): "
            f"{run.unit_days} dòng đơn vị-ngày, {run.person_days} dòng người đăng nhập-ngày."
        )

    def _check(self, first: dt.date, last: dt.date) -> None:
        from vanban.oversight.statistics import Scope, usage, usage_live
        from vanban.reports.periods import Period

        period = Period.custom(first, last)
        built, live = (
            usage(scope=Scope.province(), period=period),
            usage_live(scope=Scope.province(), period=period),
        )
        differences = [
            f"{name}: {value} (đã tính) ≠ {live.as_dict()[name]} (đếm trực tiếp)"
            for name, value in built.as_dict().items()
            if value != live.as_dict()[name]
        ]
        if differences:
            self.stdout.write("\n".join(differences))
            raise CommandError("Số liệu đã tính khác số liệu đếm trực tiếp: hãy chạy rebuild.")
        self.stdout.write(f"Số liệu toàn tỉnh {period.label.lower()} khớp với sổ văn bản.")
