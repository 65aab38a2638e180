"""`vanban units`: the province's units in time (docs/reorganisation.md, "Preparing and applying
a plan").

    vanban units reorganise PLAN.json [--apply] [--today YYYY-MM-DD]

`reorganise` checks the plan and prints its preview. With `--apply` it keeps the plan and
applies it as the installer (no person), on or after its effective date; the same plan given
again is the plan kept the first time, run again (nothing changes when it is done). A plan
refused exits with status 2 and the Vietnamese reason; nothing
is written then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.errors import ServiceError
from vanban.reorganisation.apply import plan_apply, plan_create, require_effective
from vanban.reorganisation.models import ReorganisationPlan
from vanban.reorganisation.plan import plan_load, plan_parse
from vanban.reorganisation.preview import PlanPreview, plan_preview
from vanban.reorganisation.report import plan_report


class Command(BaseCommand):
    help = (
        "Đơn vị theo thời gian: `vanban units reorganise PLAN.json` xem trước kế hoạch sắp xếp "
        "đơn vị; thêm --apply để áp dụng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reorganise = sub.add_parser("reorganise", help="Xem trước hoặc áp dụng kế hoạch sắp xếp")
        reorganise.add_argument("plan_file", help="Tệp kế hoạch (PLAN.json)")
        reorganise.add_argument("--apply", action="store_true", help="Áp dụng kế hoạch")
        reorganise.add_argument(
            "--today", help="Ngày áp dụng (YYYY-MM-DD; mặc định: hôm nay), để kiểm thử"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._reorganise(options)
        except ServiceError as exc:
            raise CommandError(f"{exc.message} Không có gì thay đổi.", returncode=2) from exc

    def _reorganise(self, options: dict[str, Any]) -> None:
        path = Path(options["plan_file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ServiceError(f"Không đọc được tệp kế hoạch “{path}”: {exc.strerror}.") from None
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise ServiceError(
                    f"Ngày “{options['today']}” không hợp lệ (YYYY-MM-DD)."
                ) from None
        if not options["apply"]:
            self._print_preview(plan_preview(plan_parse(data), actor=None))
            return
        given = plan_load(data)
        record = next(
            (
                r
                for r in ReorganisationPlan.objects.filter(created_by__isnull=True)
                if r.plan == given
            ),
            None,
        )
        if record is None:  # a new plan: kept only when it can be applied today
            require_effective(plan_parse(given).effective_date, today)
            record = plan_create(actor=None, data=given)
        result = plan_apply(record, actor=None, today=today)
        report = plan_report(record)
        for group in report.groups:
            self.stdout.write(f"- {group.target_name} {group.target_code}".rstrip())
            for label, counts in group.counts:
                text = ", ".join(f"{name} {n}" for name, n in counts) or "không có gì chuyển"
                self.stdout.write(f"    {label}: {text}")
        totals = report.totals
        self.stdout.write(
            f"Kế hoạch số {record.pk}: {len(result.done)} bước đã thực hiện, {result.skipped} bước "
            f"đã có từ trước. Thành lập {totals['created']}, chấm dứt {totals['ended']}, đổi tên "
            f"{totals['renamed']}, chuyển {totals['moved']} đơn vị."
        )

    def _print_preview(self, preview: PlanPreview) -> None:
        plan = preview.plan
        self.stdout.write(
            f"{plan.title} – quyết định {plan.decision_number}, có hiệu lực từ "
            f"{plan.effective_date:%d/%m/%Y}."
        )
        for unit in preview.created:
            self.stdout.write(
                f"Thành lập: {unit['name']} ({unit['agency_code']}), thuộc {unit['parent_name']}"
            )
        for unit in preview.ended:
            rule = f", đơn vị cấp dưới của {unit['parent_name']}" if unit["by_rule"] else ""
            successors = "; ".join(unit["successors"]) or "không có đơn vị kế thừa"
            self.stdout.write(
                f"Chấm dứt hoạt động: {unit['name']} ({unit['agency_code']}){rule} → {successors}"
            )
        for renamed in preview.renamed:
            after = " · ".join(renamed["after"].values())
            self.stdout.write(f"Đổi tên, đổi mã: {renamed['unit'].name} → {after}")
        for moved in preview.moved:
            self.stdout.write(
                f"Chuyển: {moved['unit'].name} từ {moved['before']} sang {moved['after']} "
                f"(cấp {moved['level']})"
            )
        for step in preview.steps:
            for transfer in step.transfers:
                for label, lines in transfer.sections:
                    for line in lines:
                        self.stdout.write(
                            f"  {transfer.source.name} → {transfer.target.name} · {label} · "
                            f"{line.label}: {line.count}"
                        )
                        for conflict in line.conflicts:
                            self.stdout.write(f"    VƯỚNG MẮC: {conflict}")
                        for warning in line.warnings:
                            self.stdout.write(f"    Lưu ý: {warning}")
        # The plan's own notices (a unit closed without a successor); a line's are shown above.
        shown = {w for s in preview.steps for t in s.transfers for w in t.warnings}
        for warning in preview.warnings:
            if warning not in shown:
                self.stdout.write(f"Lưu ý: {warning}")
        if preview.conflicts:
            self.stdout.write(f"Còn {len(preview.conflicts)} vướng mắc: chưa áp dụng được.")
        else:
            self.stdout.write("Không có vướng mắc. Thêm --apply để áp dụng.")
