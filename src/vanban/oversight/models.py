"""Oversight data (R20-R24): each part keeps its models in its own module; this one only joins them
so that Django finds them."""

from .models_exchange_kinds import ElectronicKind
from .models_faults import FaultReport, FaultReportChange
from .models_reform import ReformCriterion, ReformScheme
from .models_releases import ReleaseNoticeShown
from .models_scheduled_reports import (
    ReportKind,
    ScheduledReport,
    ScheduledReportDelivery,
    ScheduledReportFile,
)
from .models_statistics import DailyLogin, DailyUsage, UsageBuild

__all__ = [
    "DailyLogin",
    "DailyUsage",
    "ElectronicKind",
    "FaultReport",
    "FaultReportChange",
    "ReformCriterion",
    "ReformScheme",
    "ReleaseNoticeShown",
    "ReportKind",
    "ScheduledReport",
    "ScheduledReportDelivery",
    "ScheduledReportFile",
    "UsageBuild",
]
