"""Personal access tokens for the REST API (R7 through `/api/v1/`, "A documented REST API").

Only the SHA-256 of a token is stored; the plaintext is shown once, when it is created.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A token that acts as its owner on the API, with the owner's permissions and no more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="tài khoản",
    )
    name = models.CharField("tên gợi nhớ", max_length=100, blank=True)
    prefix = models.CharField(
        "mã nhận diện",
        max_length=16,
        unique=True,
        help_text="Phần đầu công khai của mã truy cập, dùng để nhận ra và thu hồi mã.",
    )
    token_hash = models.CharField("mã băm SHA-256", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("ngày cấp")
    # The owner's session salt when the token was made: locking, revoking, resetting the password
    # or reporting the account compromised rotates the salt and so ends every token too (R6).
    session_salt = models.CharField(max_length=32, editable=False)
    last_used_at = models.DateTimeField("lần dùng gần nhất", null=True, blank=True)
    revoked_at = models.DateTimeField("ngày thu hồi", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người thu hồi",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"

    def __str__(self) -> str:
        return f"vbt_{self.prefix} ({self.name or 'không tên'})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
