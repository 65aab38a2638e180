"""Oversight pages under /giam-sat/ (namespace "oversight"): usage statistics, reform indicators,
fault reports and release notes.

Each part keeps its own routes in its own module; this one only joins them."""

from . import urls_releases

app_name = "oversight"
urlpatterns: list = [
    *urls_releases.urlpatterns,
]
