"""API test helpers: a JSON client with a bearer token, and tokens for every kind of caller."""

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tests.support.province import Province, make_user
from vanban.accounts import services as account_services
from vanban.accounts.models import LockReason, Role, User
from vanban.api import services as token_services


class ApiClient:
    """Sends requests the way an API client does: JSON bodies, `Authorization: Bearer`."""

    def __init__(self) -> None:
        self.client = Client()

    def _headers(self, token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, token: str | None = None, **params: Any):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(token))

    def post(
        self,
        path: str,
        token: str | None = None,
        body: Any = None,  # type: ignore[no-untyped-def]
        raw: str | None = None,
    ):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers=self._headers(token),
        )


def token_for(user: User, name: str = "kiểm thử") -> str:
    return token_services.token_create(actor=None, user=user, name=name).plaintext


@dataclass
class Callers:
    """One bearer token (or none) for each kind of caller of the authorization matrix."""

    tokens: dict[str, str | None]
    locked_admin: User
    locked_target: User


CALLERS = [
    "anonymous",
    "revoked_token",
    "locked_account",
    "staff_same_unit",
    "other_unit_admin",
    "unit_admin",
    "province_admin",
]


def build_callers(province: Province) -> Callers:
    # The strongest account's token, revoked: revocation alone must shut it out.
    revoked = token_services.token_create(actor=None, user=province.province_admin, name="cũ")
    token_services.token_revoke(actor=None, token=revoked.token)
    # An admin of the target unit whose account is locked: the lock alone must shut it out.
    locked_admin = make_user(province.stttt, "Đỗ Văn Khóa", (Role.UNIT_ADMIN,))
    locked_admin_token = token_for(locked_admin)
    account_services.account_lock(
        actor=province.province_admin,
        user=locked_admin,
        reason=LockReason.AGENCY_REQUEST,
        note="Theo công văn số 12.",
    )
    # The account that the unlock endpoint is tried on.
    locked_target = make_user(province.stttt, "Mai Văn Bình")
    account_services.account_lock(
        actor=province.province_admin,
        user=locked_target,
        reason=LockReason.VIOLATION,
        note="Chia sẻ mật khẩu.",
    )
    return Callers(
        tokens={
            "anonymous": None,
            "revoked_token": revoked.plaintext,
            "locked_account": locked_admin_token,
            "staff_same_unit": token_for(province.staff_stttt),
            "other_unit_admin": token_for(province.admin_snv),
            "unit_admin": token_for(province.admin_stttt),
            "province_admin": token_for(province.province_admin),
        },
        locked_admin=locked_admin,
        locked_target=locked_target,
    )
