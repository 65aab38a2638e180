"""`vanban testpki create|serve`: the test PKI of vanban.signatures.testpki (demo and tests)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.signatures import testpki

KINDS = {"personal": "cá nhân", "organisation": "tổ chức"}
STATES = {
    "valid": "còn hiệu lực",
    "expired": "đã hết hạn",
    "revoked": "đã bị thu hồi",
    "untrusted": "CA không được tin cậy",
}


class Command(BaseCommand):
    help = (
        "Hệ thống chứng thực thử nghiệm (chỉ dùng để thử nghiệm, trình diễn): "
        "`vanban testpki create` tạo CA gốc, CA trung gian và tệp khóa PKCS#12; "
        "`vanban testpki serve` chạy dịch vụ CRL, OCSP và cấp dấu thời gian trên máy này."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Tạo (hoặc bổ sung) hệ thống chứng thực thử nghiệm")
        create.add_argument("--dir", help="Thư mục (mặc định: VANBAN_TESTPKI_DIR)")
        create.add_argument(
            "--port",
            type=int,
            help=f"Cổng của các dịch vụ trên 127.0.0.1 (mặc định: cổng đã dùng hoặc "
            f"{testpki.DEFAULT_PORT})",
        )
        serve = sub.add_parser("serve", help="Chạy dịch vụ CRL, OCSP, dấu thời gian (Ctrl+C dừng)")
        serve.add_argument("--dir", help="Thư mục (mặc định: VANBAN_TESTPKI_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or settings.VANBAN_TESTPKI_DIR)
        if options["action"] == "create":
            self._create(directory, options["port"])
        else:
            self._serve(directory)

    def _create(self, directory: Path, port: int | None) -> None:
        existing: list[testpki.Identity] = []
        if (directory / testpki.MANIFEST).exists():
            # Keep what an earlier run (or the demo) wrote: same keys, same identities, same port.
            previous = testpki.load(directory)
            existing = previous.identities
            port = port or previous.port
        if port is not None and not 0 < port < 65536:
            raise CommandError("Cổng phải từ 1 đến 65535.")
        try:
            pki = testpki.build(directory, port=port or testpki.DEFAULT_PORT, identities=existing)
        except OSError as exc:
            raise CommandError(f"Không ghi được vào thư mục {directory}: {exc}") from exc
        write = self.stdout.write
        write(f"Hệ thống chứng thực thử nghiệm tại {pki.directory}")
        write(f"  CA gốc ({testpki.ROOT_NAME}): {directory / 'root.crt.pem'}")
        write(f"  CA trung gian ({testpki.SUB_CA_NAME}): {directory / 'sub-ca.crt.pem'}")
        write(f"  CA gốc không được tin cậy: {directory / 'other-root.crt.pem'}")
        write("  Tệp khóa PKCS#12:")
        for ident in pki.identities:
            kind = KINDS.get(ident.kind, ident.kind)
            state = STATES.get(ident.state, ident.state)
            write(f"    {pki.p12_path(ident.label)}: {ident.common_name} ({kind}, {state})")
        write(f"  Mã PIN của mọi tệp khóa: {testpki.PIN}")
        write(f"  Dịch vụ (sau khi chạy `vanban testpki serve`): {pki.base_url}")
        write(f"  Dấu thời gian: VANBAN_TSA_URL={pki.tsa_url}")
        write("Chỉ dùng để thử nghiệm và trình diễn, không dùng để ký văn bản thật.")

    def _serve(self, directory: Path) -> None:
        if not (directory / testpki.MANIFEST).exists():
            raise CommandError(
                f"Chưa có hệ thống chứng thực thử nghiệm trong {directory}: "
                "hãy chạy `vanban testpki create` trước."
            )
        pki = testpki.load(directory)
        self.stdout.write(
            f"Dịch vụ chứng thực thử nghiệm (CRL, OCSP, dấu thời gian) tại {pki.base_url}; "
            f"dấu thời gian: {pki.tsa_url}. Nhấn Ctrl+C để dừng."
        )
        self.stdout.flush()
        try:
            testpki.serve(pki, background=False)
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {pki.port}: {exc}") from exc
        except KeyboardInterrupt:
            self.stdout.write("Đã dừng.")
