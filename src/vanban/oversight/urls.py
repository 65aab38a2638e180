"""Oversight pages under /giam-sat/ (namespace "oversight"): usage statistics, reform indicators,
fault reports and release notes.

Each part keeps its own routes in its own module; this one only joins them."""

from . import (
    urls_exchange_kinds,
    urls_faults,
    urls_reform,
    urls_releases,
    urls_scheduled_reports,
    urls_statistics,
)

app_name = "oversight"
urlpatterns: list = [
    *urls_statistics.urlpatterns,
    *urls_faults.urlpatterns,
    *urls_exchange_kinds.urlpatterns,
    *urls_reform.urlpatterns,
    *urls_releases.urlpatterns,
    *urls_scheduled_reports.urlpatterns,
]
