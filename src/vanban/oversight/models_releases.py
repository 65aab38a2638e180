"""Who was shown which version's release notes (R23): one row per person and version, so the
notice after an upgrade comes once and never again for that version."""

from django.conf import settings
from django.db import models


class ReleaseNoticeShown(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="release_notices"
    )
    version = models.CharField("phiên bản", max_length=30)
    shown_at = models.DateTimeField("thời điểm hiển thị")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="unique_release_notice")
        ]
        verbose_name = "ghi chú phát hành đã hiển thị"

    def __str__(self) -> str:
        return f"{self.user_id}:{self.version}"
