"""Per-day usage aggregates (R24; Art. 8.5, 11.1.đ): what the statistics read for a period.

One row per unit and local day (Asia/Ho_Chi_Minh) with the counters of what happened in that unit
that day, and one row per person, unit and day with at least one login (to count distinct active
people over any period). Both are derived data: `vanban stats rebuild` and the nightly task write
them again from the registers at any time (statistics_build.py); nothing else writes them.
"""

from django.conf import settings
from django.db import models

from vanban.accounts.models import Unit


class DailyUsage(models.Model):
    """The counters of one unit for one local day; the names are UsageFigures' additive fields
    (docs/oversight.md, "Usage statistics")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày")
    logins = models.PositiveIntegerField(default=0)
    incoming_registered = models.PositiveIntegerField(default=0)
    incoming_electronic = models.PositiveIntegerField(default=0)
    incoming_paper = models.PositiveIntegerField(default=0)
    outgoing_registered = models.PositiveIntegerField(default=0)
    outgoing_electronic = models.PositiveIntegerField(default=0)
    outgoing_paper = models.PositiveIntegerField(default=0)
    outgoing_issued_electronically = models.PositiveIntegerField(default=0)
    documents_signature_valid = models.PositiveIntegerField(default=0)
    processing_on_time = models.PositiveIntegerField(default=0)
    processing_late = models.PositiveIntegerField(default=0)
    processing_seconds = models.BigIntegerField(default=0)
    drafts_created = models.PositiveIntegerField(default=0)
    drafts_issued = models.PositiveIntegerField(default=0)
    draft_cycle_seconds = models.BigIntegerField(default=0)
    exchange_local_sent = models.PositiveIntegerField(default=0)
    exchange_local_received = models.PositiveIntegerField(default=0)
    exchange_local_refused = models.PositiveIntegerField(default=0)
    exchange_local_refused_wrong_recipient = models.PositiveIntegerField(default=0)
    exchange_local_refused_invalid = models.PositiveIntegerField(default=0)
    exchange_local_status_back = models.PositiveIntegerField(default=0)
    exchange_partner_sent = models.PositiveIntegerField(default=0)
    exchange_partner_received = models.PositiveIntegerField(default=0)
    exchange_partner_refused = models.PositiveIntegerField(default=0)
    exchange_partner_status_back = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "số liệu sử dụng trong ngày"
        verbose_name_plural = "số liệu sử dụng theo ngày"
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="unique_daily_usage"),
        ]
        # A province-wide period reads a range of days over every unit.
        indexes = [models.Index(fields=["day", "unit"], name="daily_usage_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%Y-%m-%d}"


class DailyLogin(models.Model):
    """A person who logged in at least once on a local day, with the unit of the login (its
    audit event's unit): counts the distinct active people of any period."""

    day = models.DateField("ngày")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "người đăng nhập trong ngày"
        verbose_name_plural = "người đăng nhập theo ngày"
        constraints = [
            models.UniqueConstraint(fields=["day", "user", "unit"], name="unique_daily_login"),
        ]
        indexes = [models.Index(fields=["unit", "day"], name="daily_login_unit_day")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.unit_id} {self.day:%Y-%m-%d}"


class UsageBuild(models.Model):
    """When the aggregates of a day were last built (one row per day): what the pages say the
    figures are complete up to, and what the nightly task catches up from."""

    day = models.DateField("ngày", unique=True)
    built_at = models.DateTimeField("tính lúc")

    class Meta:
        verbose_name = "lần tính số liệu sử dụng"

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} @ {self.built_at:%Y-%m-%d %H:%M}"
