"""The demo's usage statistics are built when the demo is loaded: the statistics pages of a new
install show the demo's documents at once (docs/oversight.md, "Freshness")."""

import pytest

from vanban.accounts.demo import demo_province_load
from vanban.documents.demo import demo_documents_load
from vanban.documents.models import Direction, Document
from vanban.oversight.demo import demo_usage_build
from vanban.oversight.statistics import Scope, usage
from vanban.oversight.statistics_build import aggregated_until, today_local
from vanban.reports.periods import REPORT_TZ, Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def test_the_demo_days_are_built_up_to_today_and_match_the_registers():
    assert demo_usage_build() is None  # no document yet: nothing to build
    demo_province_load()
    demo_documents_load()
    run = demo_usage_build()
    assert run is not None and run.last == today_local()
    assert aggregated_until() == today_local()
    first = Document.objects.order_by("registered_at").first().registered_at
    assert run.first == first.astimezone(REPORT_TZ).date()
    figures = usage(scope=Scope.province(), period=Period.custom(run.first, run.last))
    incoming = Document.objects.filter(direction=Direction.INCOMING).count()
    outgoing = Document.objects.filter(direction=Direction.OUTGOING).count()
    assert incoming > 0 and outgoing > 0
    assert (figures.incoming_registered, figures.outgoing_registered) == (incoming, outgoing)
