"""Oversight data (R20-R24): each part keeps its models in its own module; this one only joins them
so that Django finds them."""

from .models_releases import ReleaseNoticeShown

__all__ = ["ReleaseNoticeShown"]
