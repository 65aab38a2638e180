"""`vanban interop ...`: the exchange with other systems from the command line.

- `work [--once] [--interval 2]`: send what is due in the outbox (several workers may run);
- `poll`: fetch the packages the provincial gateway holds for our agencies;
- `partner-add NAME ENDPOINT [--transport direct|gateway] [--outbound-token T]
  [--inbound-token T] [--code CODE=NAME ...]`: add or change a partner system;
- `import-codes FILE.csv`: the directory of partner systems and the agency codes they serve
  (columns: he_thong, ma_dinh_danh, ten_co_quan).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.accounts.models import User
from vanban.core.errors import ServiceError
from vanban.exchange.addressing import answered_codes
from vanban.exchange.models import Partner, Transport
from vanban.exchange.partners.services import (
    codes_import,
    partner_save,
    partner_set_inbound_token,
    work_once,
)
from vanban.exchange.partners.transport import TransportError, gateway_poll

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Liên thông văn bản với hệ thống khác: gửi hàng đợi, nhận từ trục, khai báo hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        work = sub.add_parser("work", help="Gửi các gói tin đến hạn (chạy liên tục).")
        work.add_argument("--once", action="store_true", help="Gửi một lượt rồi dừng.")
        work.add_argument("--interval", type=float, default=2.0, help="Giây nghỉ giữa hai lượt.")
        sub.add_parser("poll", help="Lấy các gói tin chờ trên trục liên thông của tỉnh.")
        add = sub.add_parser("partner-add", help="Khai báo hoặc sửa một hệ thống liên thông.")
        add.add_argument("name")
        add.add_argument("endpoint")
        add.add_argument("--transport", default="direct", choices=["direct", "gateway"])
        add.add_argument("--outbound-token", default="")
        add.add_argument("--inbound-token", default="")
        add.add_argument("--code", action="append", default=[], help="MÃ_ĐỊNH_DANH=Tên cơ quan")
        imp = sub.add_parser("import-codes", help="Nhập danh bạ mã định danh từ tệp CSV.")
        imp.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "work":
            return self._work(once=options["once"], interval=options["interval"])
        if action == "poll":
            return self._poll()
        if action == "partner-add":
            return self._partner_add(options)
        if action == "import-codes":
            return self._import(options["file"])
        raise CommandError(action)

    def _work(self, *, once: bool, interval: float) -> None:

        while True:
            try:
                counts = work_once()
            except Exception:
                # A database or network hiccup must not stop the worker: log, wait, go on.
                if once:
                    raise
                logger.exception("interop: a sending round failed")
                close_old_connections()
                time.sleep(interval)
                continue
            if once:
                self.stdout.write(
                    "Đã gửi một lượt: "
                    + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "không có gì")
                )
                return
            if not counts:
                time.sleep(interval)

    def _poll(self) -> None:

        # Our units' codes and the closed codes that still reach one (QĐ 09/2025/QĐ-TTg).
        codes = answered_codes()
        for partner in Partner.objects.filter(active=True, transport=Transport.GATEWAY):
            try:
                counts = gateway_poll(partner, codes)
            except TransportError as exc:
                self.stderr.write(f"{partner.name}: {exc}")
                continue
            self.stdout.write(f"{partner.name}: {counts}")

    def _partner_add(self, options: dict[str, Any]) -> None:

        actor = User.objects.filter(
            role_assignments__role="province_admin", status="active"
        ).first()
        if actor is None:
            raise CommandError("Chưa có tài khoản quản trị tỉnh để ghi nhận thao tác.")
        codes = []
        for item in options["code"]:
            code, _, name = item.partition("=")
            codes.append((code, name))
        existing = Partner.objects.filter(name=options["name"]).first()
        try:
            partner, secret = partner_save(
                actor=actor,
                name=options["name"],
                endpoint=options["endpoint"],
                transport=options["transport"],
                outbound_token=options["outbound_token"],
                codes=codes,
                partner=existing,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["inbound_token"]:
            partner_set_inbound_token(actor=actor, partner=partner, token=options["inbound_token"])
            secret = ""
        self.stdout.write(f"Đã lưu hệ thống liên thông “{partner.name}”.")
        if secret:
            self.stdout.write(f"Mã xác thực hệ thống này phải dùng khi gửi đến ta: {secret}")

    def _import(self, path: str) -> None:

        actor = User.objects.filter(
            role_assignments__role="province_admin", status="active"
        ).first()
        if actor is None:
            raise CommandError("Chưa có tài khoản quản trị tỉnh để ghi nhận thao tác.")
        try:
            with open(path, encoding="utf-8-sig") as handle:
                count = codes_import(actor=actor, text=handle.read())
        except (OSError, ServiceError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        self.stdout.write(f"Đã nhập {count} mã định danh.")
