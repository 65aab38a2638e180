"""A file refused because the malware scanner found something in it (R20)."""

from django.conf import settings
from django.db import models


class Detection(models.Model):
    """One infected upload: who sent it, from where, what clamd found, and its quarantined copy.

    The copy lives under `quarantine/` in storage and is never served: no page or API reads it.
    """

    detected_at = models.DateTimeField("thời điểm phát hiện", db_index=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="malware_detections",
        verbose_name="đơn vị",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="malware_detections",
        verbose_name="người tải lên",
    )
    source = models.CharField("nơi tải lên", max_length=100, blank=True)
    original_name = models.CharField("tên tệp", max_length=255)
    signature = models.CharField("mã độc", max_length=255)
    size = models.BigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField("bản cách ly", max_length=255, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["unit", "-detected_at"])]
        verbose_name = "tệp nhiễm mã độc"
        verbose_name_plural = "tệp nhiễm mã độc"

    def __str__(self) -> str:
        return f"{self.original_name}: {self.signature}"

    @property
    def signature_label(self) -> str:
        """The name as clamd reported it, without the suffix it adds to local databases."""
        return self.signature.removesuffix(".UNOFFICIAL")
