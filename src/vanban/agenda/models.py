"""The leadership's weekly work calendar (lịch công tác tuần) of a unit (SPEC.md, "What users of
the best e-office systems also expect": work calendar of the leadership).

The office drafts the week's entries, a leader of the unit approves and publishes them. What
readers see is the copy taken at publication (`published_entries`), never the entries being
edited: a change after publication goes back to the leader and reaches readers, marked
"điều chỉnh", only when published again.
"""

import uuid

from django.conf import settings
from django.db import models

from vanban.accounts.models import Unit


class WeekStatus(models.TextChoices):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Chờ lãnh đạo duyệt"
    PUBLISHED = "published", "Đã duyệt và công bố"


class AgendaWeek(models.Model):
    """One unit's calendar for one ISO week (Monday to Sunday)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    iso_year = models.PositiveSmallIntegerField("năm")
    iso_week = models.PositiveSmallIntegerField("tuần")
    status = models.CharField(
        "trạng thái", max_length=16, choices=WeekStatus.choices, default=WeekStatus.DRAFT
    )
    # How many times the week was published: 1 the first time, 2 and more for each adjustment.
    revision = models.PositiveIntegerField("lần công bố", default=0)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người soạn",
    )
    submitted_at = models.DateTimeField("trình duyệt lúc", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người duyệt",
    )
    approver_name = models.CharField("họ tên người duyệt", max_length=100, blank=True)
    approver_position = models.CharField("chức vụ người duyệt", max_length=100, blank=True)
    published_at = models.DateTimeField("công bố lúc", null=True, blank=True)
    # The entries as last published (list of dicts, agenda.selectors.EntryRow fields): what
    # readers see, the print and the iCalendar file, until the next publication.
    published_entries = models.JSONField("bản đã công bố", default=list, blank=True)
    return_note = models.CharField("ý kiến trả lại", max_length=1000, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "iso_year", "iso_week"], name="unique_agenda_week"
            )
        ]
        verbose_name = "lịch công tác tuần"
        verbose_name_plural = "lịch công tác tuần"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.iso_year}-W{self.iso_week:02d}"


class AgendaEntry(models.Model):
    """One engagement of the week: when, where, what, which leaders, who prepares."""

    week = models.ForeignKey(AgendaWeek, on_delete=models.CASCADE, related_name="entries")
    # Stable across edits and publications: the iCalendar UID of the event.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    day = models.DateField("ngày")
    start = models.TimeField("giờ bắt đầu")
    end = models.TimeField("giờ kết thúc", null=True, blank=True)
    place = models.CharField("địa điểm", max_length=255, blank=True)
    content = models.TextField("nội dung")
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="lãnh đạo dự"
    )
    attendees = models.CharField("thành phần khác", max_length=1000, blank=True)
    preparer = models.CharField("đơn vị, người chuẩn bị", max_length=255, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "start", "id"]
        verbose_name = "nội dung lịch công tác"

    def __str__(self) -> str:
        return f"{self.day} {self.start} {self.content[:40]}"
