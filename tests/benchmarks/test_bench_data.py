"""benchmarks/bench_data.py: a province at scale whose registers the application continues."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from benchmarks.bench_data import main as bench_data_main
from benchmarks.benchdata_words import MEDIUM_PHRASE, RARE_PHRASE
from django.db.models import Count

from tests.support.documents import scan
from vanban.accounts.models import Role, RoleAssignment, Unit, User
from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.text import fold
from vanban.documents import services
from vanban.documents.models import Direction, Document, DocumentType, RegisterSeries
from vanban.documents.search import document_search
from vanban.reports.periods import REPORT_TZ
from vanban.workflow.models import (
    Assignment,
    AssignmentRole,
    Processing,
    ProcessingStatus,
    TrailEntry,
)

# These tests need a database of their own making: the shared province is emptied away.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]

# Mid-year, so that the current year already has documents whatever the real date.
NOW = dt.datetime(2026, 6, 15, 9, 30, tzinfo=REPORT_TZ)


def run(*args: str) -> tuple[int, str, str]:
    """The script's entry point, in this process: (exit code, output, error output)."""
    out, err = io.StringIO(), io.StringIO()
    with clock.frozen(NOW):
        code = bench_data_main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def bench_data(*args: str) -> str:
    code, out, err = run(*args)
    assert (code, err) == (0, ""), err
    return out


def bench_data_refused(*args: str) -> str:
    """The reason the script gives for refusing, with exit code 1 and nothing else printed."""
    code, out, err = run(*args)
    assert (code, out) == (1, ""), out
    return err


def numbers_by_series() -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for series_id, number in Document.objects.values_list("series_id", "register_number"):
        found[series_id].append(number)
    return found


def assert_series_gap_free() -> None:
    numbers = numbers_by_series()
    for series in RegisterSeries.objects.all():
        taken = sorted(numbers.get(series.pk, []))
        assert taken == list(range(1, len(taken) + 1)), series
        assert series.next_number == len(taken) + 1, series


def test_bench_data_loads_a_province_the_application_continues():
    output = bench_data("--docs", "300", "--seed", "7", "--years", "2025-2026")

    assert "văn bản/giây" in output
    assert Unit.objects.count() > 50  # the demo province, loaded because there were no units
    assert Document.objects.count() == 300
    incoming = Document.objects.filter(direction=Direction.INCOMING)
    assert 0 < incoming.count() < 300
    assert set(Document.objects.values_list("year", flat=True)) == {2025, 2026}
    assert not Document.objects.filter(registered_at__gte=NOW).exists()
    types = Document.objects.values("document_type").annotate(n=Count("id")).order_by("-n")
    assert len(types) >= 8
    assert DocumentType.objects.get(pk=types[0]["document_type"]).name == "Công văn"
    # Registers are kept by units with a clerk, the sở and districts more than a commune.
    assert Document.objects.values("unit").distinct().count() >= 10
    assert_series_gap_free()
    outgoing = Document.objects.filter(direction=Direction.OUTGOING).select_related("unit")
    for document in outgoing[:50]:
        assert document.code_number == services.format_number(document.register_number)
        assert document.issuer_unit_id == document.unit_id
        assert document.code_notation.endswith(document.unit.symbol) or document.unit.symbol in (
            document.code_notation
        )
    assert not Document.objects.filter(signer_name="").exists()

    # Processing of incoming documents: presented, directed, some done, some still open.
    processings = Processing.objects.all()
    assert processings.count() > 0
    assert not processings.exclude(document__direction=Direction.INCOMING).exists()
    assert processings.filter(status=ProcessingStatus.DONE).exists()
    assert processings.filter(status=ProcessingStatus.IN_PROGRESS).exists()
    directed = processings.exclude(status=ProcessingStatus.PRESENTED)
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD, parent__isnull=True)
    assert leads.count() == directed.count()
    assert TrailEntry.objects.filter(processing__in=directed).count() >= 2 * directed.count()
    for processing in directed.select_related("directed_by")[:30]:
        assert processing.directed_by.has_role(Role.LEADER, processing.unit)
        assert processing.deadline is not None
        # The people given work see the document.
        for assignment in processing.assignments.filter(assignee_user__isnull=False):
            visible = Document.objects.visible_to(assignment.assignee_user)
            assert visible.filter(pk=processing.document_id).exists()

    # The register continues after the last generated number of the current year.
    busiest = (
        incoming.filter(year=NOW.year)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")
        .first()
    )
    assert busiest is not None and busiest["n"] > 0
    unit = Unit.objects.get(pk=busiest["unit"])
    clerk = User.objects.get(
        pk=RoleAssignment.objects.filter(unit=unit, role=Role.CLERK).values("user")[:1]
    )
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        registered = services.incoming_register(
            actor=clerk,
            unit=unit,
            data=services.DocumentInput(
                document_type=DocumentType.objects.get(name="Công văn"),
                subject="V/v kiểm tra số tiếp theo của sổ",
                code_number="15",
                code_notation="BNV-VP",
                issued_date=NOW.date(),
                issuer_name="Bộ Nội vụ",
            ),
            refusals=services.Refusals(sensitive_declared=True),
            main_file=scan(),
        )
    assert registered.register_number == busiest["n"] + 1
    assert_series_gap_free()

    # A generated subject is found without diacritics by a clerk of the unit.
    document = incoming.filter(unit=unit).exclude(pk=registered.pk).order_by("pk").first()
    query = fold(document.subject)
    assert query != document.subject.lower()
    assert document in document_search(user=clerk, query=query)
    rare = Document.objects.filter(subject__contains=RARE_PHRASE)
    assert rare.count() == 1
    assert document_search(user=clerk, query=fold(RARE_PHRASE)).count() == (
        1 if rare.get().unit_id == unit.pk else 0
    )
    assert Document.objects.filter(subject__contains=MEDIUM_PHRASE).count() < 30

    # A second run is refused, nothing changed; with --append it adds and numbering continues.
    events = AuditEvent.objects.count()
    assert "--append" in bench_data_refused("--docs", "50")
    assert Document.objects.count() == 301
    assert AuditEvent.objects.count() == events
    bench_data("--docs", "40", "--seed", "8", "--years", "2026", "--append")
    assert Document.objects.count() == 341
    assert_series_gap_free()


def test_bench_data_refuses_documents_it_did_not_make_and_future_years(office):
    with clock.frozen(NOW):
        services.incoming_register(
            actor=office.clerk,
            unit=office.province.stttt,
            data=services.DocumentInput(
                document_type=DocumentType.objects.get(name="Công văn"),
                subject="V/v văn bản thật",
                issued_date=NOW.date(),
                issuer_name="Bộ Nội vụ",
            ),
            refusals=services.Refusals(sensitive_declared=True),
            main_file=scan(),
        )
    assert "đã có 1 văn bản" in bench_data_refused("--docs", "10")
    refused = bench_data_refused("--docs", "10", "--years", "2026-2027", "--append")
    assert "Năm cuối không được sau năm hiện tại" in refused
    assert "phải lớn hơn 0" in bench_data_refused("--docs", "0", "--append")
    assert Document.objects.count() == 1
