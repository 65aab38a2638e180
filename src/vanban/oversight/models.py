"""Oversight data (R20-R24): each part keeps its models in its own module; this one only joins them
so that Django finds them."""

from .models_statistics import DailyLogin, DailyUsage, UsageBuild

__all__ = ["DailyLogin", "DailyUsage", "UsageBuild"]
