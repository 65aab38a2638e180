"""`vanban token create|revoke|list`: API tokens, run by the server operator (actor=None)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vanban.accounts.models import User
from vanban.api import selectors, services
from vanban.core.errors import ServiceError


def _when(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else "chưa dùng"


class Command(BaseCommand):
    help = "Mã truy cập API cá nhân: cấp (create), thu hồi (revoke), liệt kê (list)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Cấp mã truy cập mới; chỉ in ra mã, một dòng")
        create.add_argument("username", help="Tên tài khoản, ví dụ phuongnt.stttt")
        create.add_argument("--name", default="", help="Tên gợi nhớ của mã truy cập")
        revoke = sub.add_parser("revoke", help="Thu hồi mã truy cập theo mã nhận diện")
        revoke.add_argument("prefix", help="Mã nhận diện, ví dụ vbt_1a2b3c4d")
        listing = sub.add_parser("list", help="Liệt kê các mã truy cập của một tài khoản")
        listing.add_argument("username", help="Tên tài khoản")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _user(self, username: str) -> User:
        username = username.strip().lower()
        user = User.objects.select_related("unit").filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        issued = services.token_create(actor=None, user=user, name=options["name"])
        # Only the token on stdout, so that a script can capture it.
        self.stdout.write(issued.plaintext)
        self.stderr.write(
            f"Đã cấp mã truy cập vbt_{issued.token.prefix} cho {user.username}. "
            "Hãy lưu mã ngay: mã không hiển thị lại."
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = selectors.token_by_prefix(prefix=options["prefix"])
        services.token_revoke(actor=None, token=token)
        self.stdout.write(f"Đã thu hồi mã truy cập vbt_{token.prefix} của {token.user.username}.")

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        tokens = list(selectors.token_list(user=user))
        if not tokens:
            self.stdout.write(f"Tài khoản {user.username} chưa có mã truy cập API.")
            return
        for token in tokens:
            state = f"đã thu hồi {_when(token.revoked_at)}" if token.revoked_at else "đang dùng"
            self.stdout.write(
                f"vbt_{token.prefix}\t{token.name or '-'}\tcấp {_when(token.created_at)}\t"
                f"dùng gần nhất {_when(token.last_used_at)}\t{state}"
            )
