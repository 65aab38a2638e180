"""The demo tells the story of 1 July 2025 (docs/reorganisation.md, "The demo"): loaded, it is the
province before the reorganisation with the two plans waiting; `vanban demo reorganise` applies
them through the engine with every app's hand-over, after which the province is the two-level
Vĩnh Long; nothing is lost and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client

from vanban.accounts.demo import DEMO_PASSWORD
from vanban.accounts.models import Unit, User, UsernameAlias
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_verify
from vanban.documents.files import files_check
from vanban.documents.models import Document, RegisterSeries
from vanban.documents.visibility import VisibleDocuments
from vanban.reorganisation.models import PlanState, ReorganisationPlan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]


@pytest.fixture
def demo(empty_database, settings, tmp_path):
    settings.VANBAN_TESTPKI_DIR = tmp_path / "testpki"
    out = io.StringIO()
    call_command("demo", "load", stdout=out)
    return out.getvalue()


def _snapshot() -> dict[int, tuple[int, int, str]]:
    return {
        d.pk: (d.unit_id, d.register_number, d.number_symbol)
        for d in Document.objects.select_related("document_type")
    }


def test_the_demo_is_applied_by_one_command_and_loses_nothing(demo):
    assert "2 kế hoạch sắp xếp đơn vị ngày 01/07/2025 chờ áp dụng" in demo
    assert list(ReorganisationPlan.objects.values_list("state", flat=True)) == [PlanState.DRAFT] * 2
    roots_before = set(
        Unit.objects.filter(level=1, end_date__isnull=True).values_list("agency_code", flat=True)
    )
    assert roots_before == {"000.00.00.H07", "000.00.00.H59", "000.00.00.H61"}
    documents, people = _snapshot(), User.objects.count()
    clerk = User.objects.get(username="trangvtt.stttt")
    old_unit = clerk.unit
    seen_before = {d.pk for d in VisibleDocuments(Document.objects.all(), clerk)}

    out = io.StringIO()
    call_command("demo", "reorganise", stdout=out)
    assert "Tỉnh mẫu nay là tỉnh Vĩnh Long hai cấp" in out.getvalue()

    # One open root, Vĩnh Long with its code; no district level, nothing of H07/H59 open.
    open_units = Unit.objects.filter(end_date__isnull=True)
    assert list(open_units.filter(level=1).values_list("agency_code", flat=True)) == [
        "000.00.00.H61"
    ]
    assert not open_units.filter(agency_code__endswith=".H07").exists()
    assert not open_units.filter(agency_code__endswith=".H59").exists()
    assert not open_units.filter(name__contains="huyện").exists()
    assert all(u.is_active for u in open_units)
    ended = Unit.objects.filter(end_date__isnull=False)
    assert not ended.filter(is_active=True).exists()
    assert not ended.annotate(n=Count("successor_links")).filter(n=0).exists()

    # Documents keep their units, numbers and symbols; people are all there.
    assert _snapshot() == documents
    assert User.objects.count() == people
    # The clerk moved to the successor, signs in with the old name for the transition, and
    # still sees every document she saw (the old unit's, read only).
    clerk.refresh_from_db()
    assert clerk.username == "trangvtt.skhcnvl" and clerk.unit.end_date is None
    assert UsernameAlias.objects.filter(username="trangvtt.stttt", user=clerk).exists()
    client = Client()
    answer = client.post(
        "/tai-khoan/dang-nhap/", {"username": "trangvtt.stttt", "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 302
    clerk = User.objects.get(pk=clerk.pk)
    seen_after = {d.pk for d in VisibleDocuments(Document.objects.all(), clerk)}
    assert seen_before <= seen_after
    # The old unit's registers are closed; the successor numbers in its own.
    assert not RegisterSeries.objects.filter(unit=old_unit, is_active=True).exists()
    assert RegisterSeries.objects.filter(unit=clerk.unit, is_active=True).exists()
    assert set(ReorganisationPlan.objects.values_list("state", flat=True)) == {PlanState.APPLIED}
    assert audit_verify()[1] == []
    report = files_check()
    assert report.records > 0 and report.problems == 0

    # A second run changes nothing.
    events = AuditEvent.objects.count()
    again = io.StringIO()
    call_command("demo", "reorganise", stdout=again)
    assert "0 bước đã thực hiện" in again.getvalue()
    assert AuditEvent.objects.count() == events


def test_the_demo_reorganise_command_refuses_before_the_demo_is_loaded(empty_database):
    with pytest.raises(CommandError) as refused:
        call_command("demo", "reorganise", stdout=io.StringIO())
    assert str(refused.value) == (
        "Thay đổi thứ 1 (hợp nhất, sáp nhập): không có đơn vị nào mang mã định danh "
        "“000.31.21.H07”."
    )
    assert not ReorganisationPlan.objects.exists()
    assert not Unit.objects.exists()
