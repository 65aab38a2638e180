"""`vanban testpki create|serve|approve`: the test PKI of vanban.signatures.testpki (demo and
tests; `approve` answers a transaction of the asynchronous remote signing stand-in)."""

import json
import urllib.error
import urllib.parse
import urllib.request
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
STATES_TX = {
    "approved": "đã đồng ý ký",
    "refused": "đã từ chối",
    "expired": "đã hết hạn",
    "cancelled": "đã hủy",
}


class Command(BaseCommand):
    help = (
        "Hệ thống chứng thực thử nghiệm (chỉ dùng để thử nghiệm, trình diễn): "
        "`vanban testpki create` tạo CA gốc, CA trung gian và tệp khóa PKCS#12; "
        "`vanban testpki serve` chạy dịch vụ CRL, OCSP và cấp dấu thời gian trên máy này; "
        "`vanban testpki approve <mã giao dịch> [--refuse]` đồng ý (hoặc từ chối) một giao dịch "
        "ký số từ xa thay cho điện thoại của người ký."
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
        approve = sub.add_parser(
            "approve",
            help="Đồng ý giao dịch ký số từ xa đang chờ, thay cho điện thoại của người ký",
        )
        approve.add_argument("transaction", help="Mã giao dịch ký số")
        approve.add_argument("--refuse", action="store_true", help="Từ chối thay vì đồng ý")
        approve.add_argument("--dir", help="Thư mục (mặc định: VANBAN_TESTPKI_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or settings.VANBAN_TESTPKI_DIR)
        if options["action"] == "create":
            self._create(directory, options["port"])
        elif options["action"] == "approve":
            self._approve(directory, options["transaction"], refuse=options["refuse"])
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

    def _approve(self, directory: Path, transaction: str, *, refuse: bool) -> None:
        """The person's answer on their phone, sent to the running stand-in (`testasync`): it
        keeps its transactions in the `serve` process, so the answer goes over loopback."""
        if not (directory / testpki.MANIFEST).exists():
            raise CommandError(
                f"Chưa có hệ thống chứng thực thử nghiệm trong {directory}: "
                "hãy chạy `vanban testpki create` trước."
            )
        pki = testpki.load(directory)
        quoted = urllib.parse.quote(transaction, safe="")
        request = urllib.request.Request(  # noqa: S310  (loopback address of the test PKI)
            f"{pki.async_url}/transactions/{quoted}/approve",
            data=json.dumps({"decision": "refuse" if refuse else "approve"}).encode(),
            method="POST",
        )
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("error_description", "")
            except ValueError:
                detail = ""
            if "Unknown transaction" in detail:
                raise CommandError(f"Không có giao dịch ký số “{transaction}”.") from exc
            if "The transaction is" in detail:
                state = STATES_TX.get(detail.rsplit(" ", 1)[-1], detail)
                raise CommandError(
                    f"Giao dịch ký số “{transaction}” không còn chờ xác nhận ({state})."
                ) from exc
            raise CommandError(f"Dịch vụ ký số thử nghiệm từ chối: {detail or exc.code}") from exc
        except OSError as exc:
            raise CommandError(
                f"Không kết nối được dịch vụ thử nghiệm tại {pki.base_url}: "
                "hãy chạy `vanban testpki serve` trước."
            ) from exc
        done = "Đã từ chối" if answer.get("status") == "refused" else "Đã đồng ý ký"
        self.stdout.write(f"{done} giao dịch ký số “{transaction}”.")
