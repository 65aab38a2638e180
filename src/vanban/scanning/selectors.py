"""Reads of malware detections: the province admin sees all, a unit admin their units (R7, R20)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanban.core.errors import AccessDenied

from .models import Detection


def detection_list(*, user: Any) -> QuerySet[Detection]:
    """Detections the person administers, newest first; AccessDenied for anyone else."""
    managed = user.managed_unit_ids() if user.is_authenticated and user.is_active else set()
    if managed is not None and not managed:
        raise AccessDenied("Chỉ quản trị đơn vị và quản trị tỉnh xem được danh sách này.")
    detections = Detection.objects.select_related("unit", "uploaded_by")
    if managed is not None:
        detections = detections.filter(unit_id__in=managed)
    return detections.order_by("-detected_at", "-pk")
