"""`vanban signatures verify FILE [--json]`: the verification report of a PDF's signatures for
administrators, against the province's trust roots (R11; docs/signatures.md)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.errors import ServiceError
from vanban.signatures import verify
from vanban.signatures.checking import file_check
from vanban.signatures.services import verify_bytes
from vanban.signatures.templatetags.signature_panel import vn_datetime


def report_lines(report: verify.Report) -> list[str]:
    """The report as a clerk reads it on the verification panel, one fact a line."""
    lines = [f"Kết quả: {report.label}"]
    if report.detail:
        lines.append(report.detail)
    for number, check in enumerate(report.signatures, start=1):
        lines += [
            f"Chữ ký {number} ({check.field}): {'hợp lệ' if check.valid else 'không hợp lệ'}",
            f"  Người ký: {check.signer}",
            f"  Tổ chức: {check.organisation or '–'}"
            + (f" – {check.organisation_unit}" if check.organisation_unit else ""),
            f"  Chứng thư số: số hiệu {check.serial}, do “{check.issuer}” cấp, hiệu lực từ "
            f"{vn_datetime(check.not_before)} đến {vn_datetime(check.not_after)}",
            f"  Thời điểm ký: {vn_datetime(check.signing_time) or '–'}",
            f"  Dấu thời gian: {vn_datetime(check.timestamp_time) or 'không có'}"
            + (f" (do “{check.timestamp_authority}” cấp)" if check.timestamp_authority else ""),
            f"  Thuật toán: {check.digest_algorithm or '–'}, {check.signature_algorithm or '–'}"
            + (f", khóa {check.key_size} bit" if check.key_size else ""),
            f"  Toàn vẹn: {'có' if check.intact else 'không'}; tin cậy: "
            f"{'có' if check.trusted else 'không'}; phủ toàn bộ tệp: "
            f"{'có' if check.covers_whole_file else 'không'}",
        ]
        lines += [f"  Lý do: {reason}" for reason in check.reasons]
        lines += [f"  Ghi chú: {note}" for note in check.notes]
        lines += [f"  Chi tiết kỹ thuật: {line}" for line in check.technical]
    return lines


class Command(BaseCommand):
    help = (
        "Chữ ký số: `vanban signatures verify TỆP [--json]` in báo cáo kiểm tra chữ ký số của một "
        "tệp PDF theo danh sách chứng thư gốc tin cậy của tỉnh. Mã thoát 0 khi mọi chữ ký hợp lệ, "
        "1 khi không."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="Kiểm tra chữ ký số của một tệp PDF")
        check.add_argument("file", help="Đường dẫn tệp PDF")
        check.add_argument("--json", action="store_true", help="In báo cáo dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}.") from exc
        try:
            file_check(name=path.name, data=data)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        report = verify_bytes(data)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(report_lines(report)))
        if report.status != verify.VALID:
            raise SystemExit(1)
