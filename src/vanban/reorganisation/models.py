"""A reorganisation plan of the province and the steps of it already applied
(docs/reorganisation.md; NQ 202/2025/QH15, QĐ 09/2025/QĐ-TTg)."""

from django.db import models

from vanban.accounts.models import User
from vanban.core import clock


class PlanState(models.TextChoices):
    DRAFT = "draft", "Chưa áp dụng"
    APPLIED = "applied", "Đã áp dụng"


class ReorganisationPlan(models.Model):
    """One decision's changes to the tree of units, as uploaded (PLAN.json), and whether it was
    applied. The plan text is kept as given: the preview and the apply read it again."""

    title = models.CharField("tên kế hoạch", max_length=255)
    decision_number = models.CharField("số quyết định", max_length=100)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    effective_date = models.DateField("ngày có hiệu lực")
    plan = models.JSONField("nội dung kế hoạch")
    # The steps as computed when the plan was first applied (preview.plan_schedule), units named
    # by id: running the apply again reads them instead of checking the plan against a tree the
    # plan itself has changed.
    schedule = models.JSONField("các bước", default=dict, blank=True)
    state = models.CharField(
        "trạng thái", max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("thời điểm tạo", default=clock.now)
    applied_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField("thời điểm áp dụng", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "kế hoạch sắp xếp đơn vị"
        verbose_name_plural = "kế hoạch sắp xếp đơn vị"

    def __str__(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        """The plan's identifier written into audit data and timelines."""
        return f"reorganisation-plan:{self.pk}"


class ReorganisationStep(models.Model):
    """A step of a plan already applied (one per target unit, plus one per unit created): applying
    the plan again skips it, so a plan stopped half way is finished by running it again."""

    plan = models.ForeignKey(ReorganisationPlan, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField("bước", max_length=120)
    done_at = models.DateTimeField("thời điểm thực hiện", default=clock.now)
    result = models.JSONField("kết quả", default=dict)

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = "bước đã thực hiện"
        verbose_name_plural = "bước đã thực hiện"
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="unique_reorganisation_step")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.key}"
