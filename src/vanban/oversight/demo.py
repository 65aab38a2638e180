"""The demo province's usage statistics: its per-day aggregates built once the demo is loaded, so
that the statistics pages show the demo's documents at once rather than after the first nightly
build (docs/oversight.md, "Freshness")."""

from vanban.documents.models import Document
from vanban.reports.periods import REPORT_TZ

from .statistics_build import BuildRun, today_local, usage_rebuild


def demo_usage_build() -> BuildRun | None:
    """Builds every day from the first registered document to today; None without documents.
    Today's row is counted again by the next nightly build, which always builds yesterday."""
    first = Document.objects.order_by("registered_at").values_list("registered_at", flat=True)
    registered = first.first()
    if registered is None:
        return None
    day = min(registered.astimezone(REPORT_TZ).date(), today_local())
    return usage_rebuild(first=day, last=today_local())
