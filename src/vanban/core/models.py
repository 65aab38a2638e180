from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-application message to one person (alerts, reminders)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung", blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail copy (core.tasks.notification_email_task): when the mail server took it, or why
    # it could not; both empty when no e-mail was due (no mail server, no address) or not yet.
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = "thông báo"

    def __str__(self) -> str:
        return self.title


class ScheduledRun(models.Model):
    """One row per periodic job and day: several schedulers never enqueue a job twice."""

    job = models.CharField(max_length=100)
    run_date = models.DateField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "run_date"], name="unique_scheduled_run")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.run_date}"
