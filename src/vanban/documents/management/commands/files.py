import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.documents.files import FileProblem, files_check, files_quarantine_orphans

MIN_GRACE_HOURS = 1  # a registration in progress has its file stored before its row commits


def describe(problem: FileProblem) -> str:
    if problem.file_id is None:
        return problem.storage_name
    return (
        f"{problem.storage_name} (tệp #{problem.file_id} “{problem.name}” "
        f"của {problem.kind or 'văn bản'} #{problem.document_id})"
    )


def _json(problem: FileProblem) -> dict[str, object]:
    row = asdict(problem)
    if not row.pop("kind"):
        return row
    return {**row, "kind": problem.kind}


class Command(BaseCommand):
    help = (
        "Tệp văn bản: `vanban files check` liệt kê tệp bị thiếu, bị thay đổi (SHA-256 không khớp) "
        "và tệp mồ côi (có trong kho nhưng không có bản ghi)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Đối chiếu bản ghi tệp với kho lưu trữ")
        check.add_argument("--json", action="store_true", help="Kết quả dạng JSON cho máy đọc")
        check.add_argument(
            "--quick",
            action="store_true",
            help="Chỉ tìm tệp thiếu và tệp mồ côi, không tính lại mã băm SHA-256",
        )
        check.add_argument(
            "--quarantine-orphans",
            action="store_true",
            help="Chuyển tệp mồ côi cũ hơn thời gian chờ vào thư mục cách ly quarantine/ của kho",
        )
        check.add_argument(
            "--grace-hours",
            type=int,
            default=24,
            help="Chỉ cách ly tệp mồ côi được lưu cách đây ít nhất chừng này giờ (mặc định 24)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace_hours"] < MIN_GRACE_HOURS:
            raise CommandError(
                f"--grace-hours phải từ {MIN_GRACE_HOURS} trở lên: tệp của một lần vào sổ đang "
                "diễn ra được lưu trước khi bản ghi của nó được ghi. Không có gì bị chuyển."
            )
        try:
            report = files_check(verify_hashes=not options["quick"])
            quarantined = (
                files_quarantine_orphans(report=report, grace_hours=options["grace_hours"])
                if options["quarantine_orphans"]
                else []
            )
        except OSError as exc:
            raise CommandError(f"Không đọc được kho lưu trữ tệp: {exc}") from exc
        if options["json"]:
            result: dict[str, object] = {
                "records": report.records,
                "stored": report.stored,
                "hashed": report.hashed,
                "missing": [_json(p) for p in report.missing],
                "changed": [_json(p) for p in report.changed],
                "orphans": [p.storage_name for p in report.orphans],
            }
            if options["quarantine_orphans"]:
                result["quarantined"] = [asdict(q) for q in quarantined]
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for problem in report.missing:
                self.stdout.write(f"Thiếu tệp: {describe(problem)}")
            for problem in report.changed:
                self.stdout.write(f"Tệp bị thay đổi: {describe(problem)}")
            for problem in report.orphans:
                self.stdout.write(f"Tệp mồ côi (không có bản ghi): {describe(problem)}")
            for moved in quarantined:
                self.stdout.write(f"Đã cách ly tệp mồ côi: {moved.storage_name} → {moved.moved_to}")
            hashed = "" if report.hashed else " (không tính lại mã băm)"
            self.stdout.write(
                f"Đã đối chiếu {report.records} bản ghi tệp với {report.stored} tệp trong kho"
                f"{hashed}: {len(report.missing)} thiếu, {len(report.changed)} bị thay đổi, "
                f"{len(report.orphans)} mồ côi."
            )
            if options["quarantine_orphans"]:
                self.stdout.write(
                    f"Đã cách ly {len(quarantined)} tệp mồ côi cũ hơn {options['grace_hours']} "
                    "giờ (tệp mồ côi mới hơn được giữ nguyên vì có thể đang được vào sổ)."
                )
        if report.problems:
            raise CommandError(f"Phát hiện {report.problems} vấn đề về tệp văn bản.")
