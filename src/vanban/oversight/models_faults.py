"""Fault and misuse reports (R20, R21; Art. 9.1.c, 9.2.đ, 9.2.e, 11.1.đ, 11.2.b of the provincial
regulation): a person reports a fault, a suspected misuse or a suspicious attachment, or asks for
help, to their unit's IT staff; the unit's IT staff answer it or escalate it to the Department,
whose administrators close it. Every change of status is kept (`FaultReportChange`)."""

from django.conf import settings
from django.db import models


class FaultKind(models.TextChoices):
    FAULT = "fault", "Lỗi phần mềm"
    MISUSE = "misuse", "Nghi ngờ lạm dụng / tệp đính kèm đáng ngờ"
    HELP = "help", "Đề nghị hỗ trợ"


class FaultStatus(models.TextChoices):
    NEW = "new", "Chờ xử lý"
    NEEDS_INFO = "needs_info", "Cần bổ sung thông tin"
    DUPLICATE = "duplicate", "Trùng báo cáo khác"
    FIXED = "fixed", "Đơn vị đã khắc phục"
    ESCALATED = "escalated", "Đã chuyển Sở"
    DEPARTMENT_FIXED = "department_fixed", "Sở đã khắc phục"
    WONT_FIX = "wont_fix", "Sở không khắc phục"


# Statuses after which nothing changes any more.
FAULT_FINAL = frozenset(
    {
        FaultStatus.DUPLICATE,
        FaultStatus.FIXED,
        FaultStatus.DEPARTMENT_FIXED,
        FaultStatus.WONT_FIX,
    }
)


class FaultReport(models.Model):
    """One report, with what was captured when it was made: the page it came from, the time,
    the person's unit and roles, the browser, and an optional screenshot (PNG or JPEG, scanned
    for malware, kept in storage under `faults/` and checked by `vanban files check`)."""

    kind = models.CharField("loại", max_length=16, choices=FaultKind.choices)
    status = models.CharField(
        "trạng thái", max_length=20, choices=FaultStatus.choices, default=FaultStatus.NEW
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="fault_reports",
        verbose_name="người báo",
    )
    # The reporter's unit when the report was made: its IT staff triage it.
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="fault_reports",
        verbose_name="đơn vị",
    )
    roles = models.JSONField("vai trò", default=list, blank=True)
    page_url = models.CharField("trang đang xem", max_length=500, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=300, blank=True)
    text = models.TextField("nội dung")
    created_at = models.DateTimeField("thời điểm báo", db_index=True)
    updated_at = models.DateTimeField("cập nhật lần cuối")
    detection = models.ForeignKey(
        "scanning.Detection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault_reports",
        verbose_name="tệp bị cách ly",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="trùng với báo cáo",
    )
    screenshot_name = models.CharField("ảnh chụp màn hình", max_length=255, blank=True)
    screenshot_storage_name = models.CharField(max_length=255, blank=True)
    screenshot_sha256 = models.CharField(max_length=64, blank=True)
    screenshot_size = models.PositiveIntegerField(default=0)
    screenshot_type = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["reporter", "-created_at"]),
        ]
        verbose_name = "báo lỗi"
        verbose_name_plural = "báo lỗi"

    def __str__(self) -> str:
        return f"Báo lỗi số {self.pk}"


class FaultReportChange(models.Model):
    """One change of a report's status: who, when, from, to, and the note given."""

    report = models.ForeignKey(FaultReport, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("thời điểm")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người thực hiện",
    )
    from_status = models.CharField("từ", max_length=20, choices=FaultStatus.choices, blank=True)
    to_status = models.CharField("sang", max_length=20, choices=FaultStatus.choices)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "thay đổi báo lỗi"

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} -> {self.to_status}"
