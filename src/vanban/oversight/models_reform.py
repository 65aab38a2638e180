"""The administrative-reform criteria about the use of the document system (R24; Art. 12.2 of the
provincial regulation): data the province administrator sets for each year."""

from django.conf import settings
from django.db import models


class ReformScheme(models.Model):
    """A year's criteria as a whole: the points they share (`total_points`, the part of the
    yearly administrative-reform score given to IT use in document work)."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    total_points = models.DecimalField("tổng điểm tối đa", max_digits=6, decimal_places=2)
    note = models.CharField("căn cứ, ghi chú", max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-year"]
        verbose_name = "bộ tiêu chí cải cách hành chính"
        verbose_name_plural = "bộ tiêu chí cải cách hành chính"

    def __str__(self) -> str:
        return f"Tiêu chí năm {self.year}"


class ReformCriterion(models.Model):
    """One criterion: the figure it reads (`measure`, a share in per cent, see
    `oversight.reform.MEASURES`), the share that earns all its points (`target`) and the share
    below which it earns none (`threshold`); in between the points grow in proportion."""

    scheme = models.ForeignKey(ReformScheme, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField("mã", max_length=20)
    name = models.CharField("tên tiêu chí", max_length=300)
    measure = models.CharField("số liệu dùng", max_length=40)
    target = models.DecimalField("tỷ lệ đạt điểm tối đa (%)", max_digits=5, decimal_places=2)
    threshold = models.DecimalField("tỷ lệ tối thiểu (%)", max_digits=5, decimal_places=2)
    max_points = models.DecimalField("điểm tối đa", max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["scheme_id", "order", "code"]
        verbose_name = "tiêu chí cải cách hành chính"
        verbose_name_plural = "tiêu chí cải cách hành chính"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_reform_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
