import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from vanban.documents.files import FileProblem, files_check


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

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Đối chiếu bản ghi tệp với kho lưu trữ")
        check.add_argument("--json", action="store_true", help="Kết quả dạng JSON cho máy đọc")
        check.add_argument(
            "--quick",
            action="store_true",
            help="Chỉ tìm tệp thiếu và tệp mồ côi, không tính lại mã băm SHA-256",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            report = files_check(verify_hashes=not options["quick"])
        except OSError as exc:
            raise CommandError(f"Không đọc được kho lưu trữ tệp: {exc}") from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "records": report.records,
                        "stored": report.stored,
                        "hashed": report.hashed,
                        "missing": [_json(p) for p in report.missing],
                        "changed": [_json(p) for p in report.changed],
                        "orphans": [p.storage_name for p in report.orphans],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for problem in report.missing:
                self.stdout.write(f"Thiếu tệp: {describe(problem)}")
            for problem in report.changed:
                self.stdout.write(f"Tệp bị thay đổi: {describe(problem)}")
            for problem in report.orphans:
                self.stdout.write(f"Tệp mồ côi (không có bản ghi): {describe(problem)}")
            hashed = "" if report.hashed else " (không tính lại mã băm)"
            self.stdout.write(
                f"Đã đối chiếu {report.records} bản ghi tệp với {report.stored} tệp trong kho"
                f"{hashed}: {len(report.missing)} thiếu, {len(report.changed)} bị thay đổi, "
                f"{len(report.orphans)} mồ côi."
            )
        if report.problems:
            raise CommandError(f"Phát hiện {report.problems} vấn đề về tệp văn bản.")
