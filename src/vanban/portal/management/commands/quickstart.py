"""`vanban quickstart`: everything `make run` does after installing, on one machine."""

import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts.demo import (
    demo_logins,
    demo_logins_table,
    second_factor_logins,
)
from vanban.accounts.models import Unit, User
from vanban.core.errors import ServiceError
from vanban.portal.demo import demo_load
from vanban.scanning import clamd
from vanban.scanning.services import scanner_status
from vanban.signatures import testcsc, testpki


def _browser_address(addr: str) -> str:
    host, _, port = addr.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only turned into an address to print
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _static_up_to_date() -> bool:
    """True when the collected files have a manifest that lists every source file and is newer.

    Compressing and hashing every file takes several seconds; a second start need not redo it.
    """
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin) or not storage.exists(storage.manifest_name):
        return False
    built = Path(storage.path(storage.manifest_name)).stat().st_mtime
    collected, _ = storage.load_manifest()
    ignore = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])
    for finder in get_finders():
        for path, source in finder.list(ignore):
            if path not in collected or Path(source.path(path)).stat().st_mtime > built:
                return False
    return True


class Command(BaseCommand):
    help = (
        "Chạy thử trên một máy: cập nhật cơ sở dữ liệu, chuẩn bị tệp tĩnh, nạp tỉnh mẫu "
        "nếu chưa có đơn vị nào, in tài khoản dùng thử rồi mở máy chủ web."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Chuẩn bị xong thì dừng, không mở máy chủ web."
        )
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="Địa chỉ và cổng của máy chủ web (mặc định 127.0.0.1:8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addr = options["addr"].strip()
        if ":" not in addr and addr.isdigit():
            addr = f"127.0.0.1:{addr}"
        if not addr.rpartition(":")[2].isdigit():
            raise CommandError(f"Địa chỉ “{addr}” không hợp lệ; ví dụ đúng: 127.0.0.1:8000.")
        quiet = max(options["verbosity"] - 1, 0)
        self._malware_scanning()

        self.stdout.write("1/3 Cập nhật cơ sở dữ liệu...")
        call_command("migrate", interactive=False, verbosity=quiet, stdout=self.stdout)
        if _static_up_to_date():
            self.stdout.write("2/3 Tệp tĩnh (CSS, JavaScript, phông chữ) đã sẵn sàng.")
        else:
            self.stdout.write("2/3 Chuẩn bị tệp tĩnh (CSS, JavaScript, phông chữ)...")
            call_command("collectstatic", interactive=False, verbosity=quiet, stdout=self.stdout)

        units = Unit.objects.count()
        if units:
            self.stdout.write(
                f"3/3 Đã có dữ liệu ({units} đơn vị, {User.objects.count()} "
                "tài khoản): giữ nguyên, không nạp tỉnh mẫu."
            )
        else:
            self.stdout.write("3/3 Nạp tỉnh mẫu (đơn vị và khoảng 200 tài khoản)...")
            try:
                demo_load(lambda line: self.stdout.write(f"    {line}"))
            except ServiceError as exc:
                raise CommandError(exc.message) from exc

        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3":
            self.stdout.write(f"Dữ liệu lưu tại: {database['NAME']}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Địa chỉ: {_browser_address(addr)}"))
        logins = demo_logins()
        if logins:
            self.stdout.write(
                "Tài khoản dùng thử (các tài khoản mẫu khác dùng cùng mật khẩu "
                "và phải đổi mật khẩu khi đăng nhập lần đầu):"
            )
            self.stdout.write(demo_logins_table(logins))
            enrol = second_factor_logins(logins)
            if enrol:
                self.stdout.write(
                    f"{', '.join(enrol)}: vai trò quản trị phải bật xác thực hai bước ở lần "
                    "đăng nhập đầu (quét mã QR bằng ứng dụng xác thực trên điện thoại)."
                )
        else:
            self.stdout.write(
                "Không có tài khoản dùng thử nào mở được bằng mật khẩu mẫu; "
                "hãy đăng nhập bằng tài khoản của bạn."
            )
        if options["no_serve"]:
            return
        self._serve_test_pki()
        self.stdout.write("")
        self.stdout.write("Mở địa chỉ trên trong trình duyệt. Nhấn Ctrl+C để dừng máy chủ.")
        call_command("runserver", addr, use_reloader=False)

    def _malware_scanning(self) -> None:
        """R20 on a first run: files are scanned when clamd answers. Without clamd, and without
        an explicit VANBAN_CLAMD, scanning is switched off for this process only (the demo and
        the server it starts), and said so; a production server (gunicorn) keeps refusing
        uploads until clamd answers. docs/files.md explains the choice."""

        path = settings.VANBAN_CLAMD_SOCKET
        if (
            settings.VANBAN_CLAMD_ENABLED
            and "VANBAN_CLAMD" not in os.environ
            and not clamd.ping(path, timeout=2.0)
        ):
            settings.VANBAN_CLAMD_ENABLED = False
            self.stdout.write(
                self.style.WARNING(
                    f"Quét mã độc: ĐANG TẮT vì không tìm thấy clamd (ClamAV) tại {path}. Tệp tải "
                    "lên trong lần chạy thử này không được quét. Cài clamav-daemon hoặc đặt "
                    "VANBAN_CLAMD_SOCKET để bật (docs/deployment.md)."
                )
            )
            return
        self.stdout.write(scanner_status())

    def _serve_test_pki(self) -> None:
        """The demo's test PKI answers CRL, OCSP and time-stamp requests on loopback while the
        server runs, and signatures made in the demo get a time stamp from it."""
        directory = Path(settings.VANBAN_TESTPKI_DIR)
        if not (directory / testpki.MANIFEST).exists():
            return
        pki = testpki.load(directory)
        try:
            testpki.serve(pki)
        except OSError as exc:
            self.stdout.write(
                f"Không mở được dịch vụ chứng thực thử nghiệm ở cổng {pki.port} ({exc}); "
                "kiểm tra chữ ký số sẽ báo không truy cập được OCSP/CRL."
            )
            return
        if not settings.VANBAN_TSA_URL:
            settings.VANBAN_TSA_URL = pki.tsa_url
        if "csc" not in settings.VANBAN_REMOTE_SIGNING:
            # The Director signs remotely through the stand-in (docs/signatures.md).
            settings.VANBAN_REMOTE_SIGNING = {
                **settings.VANBAN_REMOTE_SIGNING,
                "csc": {
                    "endpoint": pki.csc_url,
                    "client_id": testcsc.CLIENT_ID,
                    "client_secret": testcsc.CLIENT_SECRET,
                },
            }
        self.stdout.write(
            f"Dịch vụ chứng thực thử nghiệm (CRL, OCSP, dấu thời gian): {pki.base_url}"
        )
