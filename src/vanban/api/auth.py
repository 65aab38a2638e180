"""`Authorization: Bearer vbt_...`: the API acts as the token's owner, with the owner's rights.

A token is refused when it is unknown or revoked (401), or when its account may not work now:
locked or revoked (R3, R4), or still holding the one-time password it must change (R5) (403).
"""

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from vanban.accounts.models import AccountStatus, LockReason, User

from . import selectors, services

MSG_MISSING = "Cần gửi mã truy cập API trong tiêu đề “Authorization: Bearer <mã truy cập>”."
MSG_UNKNOWN = "Mã truy cập API không hợp lệ."
MSG_REVOKED = "Mã truy cập API đã bị thu hồi."
MSG_FIRST_LOGIN = (
    "Tài khoản phải đổi mật khẩu trên trang web trước khi dùng API (mật khẩu cấp lần đầu "
    "hoặc vừa được cấp lại)."
)


MSG_ENDED = (
    "Mã truy cập API đã hết hiệu lực vì tài khoản từng bị khóa, thu hồi hoặc cấp lại mật khẩu. "
    "Hãy tạo mã mới."
)


def _inactive_message(user: User) -> str:
    if user.status == AccountStatus.REVOKED:
        return "Tài khoản đã bị thu hồi, mã truy cập API không còn dùng được."
    reason = (
        f" ({LockReason(user.status_reason).label})"
        if user.status_reason in LockReason.values
        else ""
    )
    return (
        f"Tài khoản đang bị tạm khóa{reason}, mã truy cập API không dùng được. "
        "Liên hệ quản trị đơn vị để mở khóa."
    )


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User:
        if not token.strip():
            raise AuthenticationError(401, MSG_MISSING)
        api_token = selectors.token_for_plaintext(plaintext=token.strip())
        if api_token is None:
            raise AuthenticationError(401, MSG_UNKNOWN)
        if api_token.revoked_at is not None:
            raise AuthenticationError(401, MSG_REVOKED)
        user = api_token.user
        if not user.is_active:
            raise AuthorizationError(403, _inactive_message(user))
        if user.must_change_password:
            raise AuthorizationError(403, MSG_FIRST_LOGIN)
        if api_token.session_salt != user.session_salt:
            raise AuthenticationError(401, MSG_ENDED)
        services.token_mark_used(token=api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return user
