"""Reads of API tokens."""

from django.db.models import QuerySet

from vanban.accounts.models import User
from vanban.core.errors import NotFound

from .models import ApiToken
from .services import SCHEME, token_hash


def token_for_plaintext(*, plaintext: str) -> ApiToken | None:
    """The token with this secret (revoked ones included, so the caller can say why it fails)."""
    if not plaintext.startswith(f"{SCHEME}_") or len(plaintext) > 200:
        return None
    return (
        ApiToken.objects.select_related("user__unit")
        .filter(token_hash=token_hash(plaintext))
        .first()
    )


def token_by_prefix(*, prefix: str) -> ApiToken:
    """Accepts "vbt_1a2b3c4d" or "1a2b3c4d", as shown by `vanban token list`."""
    prefix = prefix.strip().lower().removeprefix(f"{SCHEME}_")
    token = ApiToken.objects.select_related("user__unit").filter(prefix=prefix).first()
    if token is None:
        raise NotFound(f"Không có mã truy cập API nào có mã nhận diện {prefix}.")
    return token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(user=user)
        .select_related("revoked_by")
        .order_by("-created_at", "-pk")
    )
