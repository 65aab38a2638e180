"""`vanban archive`: the archival package of a dossier or a hand-over (R19; docs/records.md).

    vanban archive export --dossier ID --out FILE
    vanban archive export --hand-over ID --out FILE
    vanban archive verify PACKAGE [--json] [--trust-root FILE ...]

`verify` needs no database and no network: it reads the package alone (exit code 0 when intact,
1 otherwise)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Gói lưu trữ hồ sơ: `vanban archive export` đóng gói một hồ sơ hoặc một lần nộp lưu "
        "(METS, siêu dữ liệu, chữ ký số kèm dữ liệu xác thực và dấu thời gian lưu trữ); "
        "`vanban archive verify` kiểm tra gói mà không cần máy chủ, không cần mạng."
    )
    # `verify` reads nothing but the package: no system check that could reach a database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Đóng gói lưu trữ một hồ sơ hoặc một lần nộp lưu")
        which = export.add_mutually_exclusive_group(required=True)
        which.add_argument("--dossier", type=int, help="Số định danh (ID) của hồ sơ")
        which.add_argument("--hand-over", type=int, help="Số định danh (ID) của lần nộp lưu")
        export.add_argument("--out", required=True, help="Đường dẫn tệp ZIP sẽ tạo")
        check = sub.add_parser("verify", help="Kiểm tra một gói lưu trữ, không cần mạng")
        check.add_argument("package", help="Đường dẫn tệp ZIP của gói lưu trữ")
        check.add_argument("--json", action="store_true", help="Kết quả dạng JSON cho máy đọc")
        check.add_argument(
            "--trust-root",
            action="append",
            default=None,
            help="Chứng thư gốc tin cậy của cơ quan lưu trữ (PEM hoặc DER); có thể nhắc lại. "
            "Không nêu: dùng gốc tin cậy ghi trong gói.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._verify(options)

    def _export(self, options: dict[str, Any]) -> None:
        from vanban.records.models import Dossier, HandOver
        from vanban.records.package import build_dossier_package, build_hand_over_package

        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"Thư mục {out.parent} không tồn tại. Không có gì được tạo.")
        try:
            if options["dossier"] is not None:
                dossier = Dossier.objects.select_related("unit").filter(pk=options["dossier"])
                found = dossier.first()
                if found is None:
                    raise CommandError(f"Không có hồ sơ số {options['dossier']}.")
                path = build_dossier_package(found, None, out=out)
            else:
                hand_over = HandOver.objects.select_related("fonds", "unit")
                ho = hand_over.filter(pk=options["hand_over"]).first()
                if ho is None:
                    raise CommandError(f"Không có lần nộp lưu số {options['hand_over']}.")
                path = build_hand_over_package(ho, None, out=out)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã tạo gói lưu trữ {path} ({path.stat().st_size} byte).")

    def _verify(self, options: dict[str, Any]) -> None:
        from vanban.records.package import verify_package
        from vanban.records.package.verify import load_certificate

        roots = None
        if options["trust_root"]:
            roots = []
            for name in options["trust_root"]:
                try:
                    roots.append(load_certificate(Path(name).read_bytes()))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Không đọc được chứng thư gốc {name}: {exc}") from exc
        report = verify_package(options["package"], trust_roots=roots)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for line in report.lines():
                self.stdout.write(line)
        if not report.intact:
            raise SystemExit(1)
