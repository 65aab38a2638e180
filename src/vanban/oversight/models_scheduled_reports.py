"""Periodic usage reports made by the task worker (R24; Art. 11.1.đ, 11.2.b of the provincial
regulation): one report a period and scope, its stored files, delivered in the application and by
e-mail (docs/oversight.md, "Scheduled reports")."""

from django.conf import settings
from django.db import models
from django.db.models import Q

# Where the report files are stored (default storage); `vanban files check` walks it too.
STORAGE_PREFIX = "oversight/reports"


class ReportKind(models.TextChoices):
    MONTH = "month", "Báo cáo tháng"
    QUARTER = "quarter", "Báo cáo quý"


class ScheduledReport(models.Model):
    """The usage report of one scope for one month or quarter: the province's (unit empty), for
    the Department's administrators, or one unit's, for that unit's administrators."""

    kind = models.CharField("loại báo cáo", max_length=10, choices=ReportKind.choices)
    # reports.periods.Period: `slug` ("2026-11", "2026-q4") names it, first and last are its days.
    period_slug = models.CharField("kỳ báo cáo", max_length=20)
    period_name = models.CharField("tên kỳ", max_length=60)
    period_first = models.DateField("từ ngày")
    period_last = models.DateField("đến ngày")
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_reports",
        verbose_name="đơn vị",
    )
    title = models.CharField("tiêu đề", max_length=255)
    made_at = models.DateTimeField("lập lúc")

    class Meta:
        ordering = ["-period_first", "kind", "unit_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_slug", "unit"],
                condition=Q(unit__isnull=False),
                name="unique_unit_scheduled_report",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_slug"],
                condition=Q(unit__isnull=True),
                name="unique_province_scheduled_report",
            ),
        ]
        indexes = [models.Index(fields=["unit", "-period_first"])]
        verbose_name = "báo cáo định kỳ"

    def __str__(self) -> str:
        return self.title


class ScheduledReportFile(models.Model):
    """One stored file of a report (PDF to read and send, XLSX with the figures), hashed."""

    report = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="files")
    file_format = models.CharField("định dạng", max_length=10)
    original_name = models.CharField("tên tệp", max_length=255)
    storage_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["report_id", "file_format"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "file_format"], name="unique_scheduled_report_file"
            )
        ]
        verbose_name = "tệp báo cáo định kỳ"

    def __str__(self) -> str:
        return self.original_name


# The people a report was sent to, for the record (who was told, when): reading rights follow the
# reader's roles at the time of reading, not this list (oversight/scheduled_reports.py).
class ScheduledReportDelivery(models.Model):
    report = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        "core.Notification", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient"], name="unique_scheduled_report_delivery"
            )
        ]
        verbose_name = "người nhận báo cáo định kỳ"

    def __str__(self) -> str:
        return f"{self.report_id}:{self.recipient_id}"
