"""Usage statistics (R24; Art. 8.5, 11.1.đ): the figures against the registers' own selectors,
the aggregates against the live count, period boundaries in Vietnam time, scopes and drill-down.

The scenario goes through the product's services: documents registered and issued, incoming
documents processed on time and late, drafts, documents sent inside the deployment and refused
with a reason, logins. Each figure is compared with a count made by the register it comes from,
so the test fails when either side drifts."""

import datetime as dt

import pytest

from tests.support import workflow
from tests.support.drafting import NOW as DRAFTING_NOW
from tests.support.drafting import Team, create_draft, issued
from tests.support.province import PASSWORD, make_user
from vanban.accounts.models import AccountStatus, Role, User
from vanban.accounts.services import login_password_step
from vanban.core import clock
from vanban.documents.models import Direction, Document
from vanban.drafting.models import Draft, DraftStatus
from vanban.exchange import delivery
from vanban.exchange.models import Delivery, DeliveryEvent, DeliveryStatus, ReturnReason
from vanban.oversight import statistics
from vanban.oversight.models import DailyUsage
from vanban.oversight.statistics import Scope, UsageFigures
from vanban.oversight.statistics_build import usage_rebuild
from vanban.reports.periods import REPORT_TZ, Period
from vanban.workflow import services as workflow_services
from vanban.workflow.models import Assignment, Processing, ProcessingStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_storage")]

NOW = workflow.NOW
Q4 = Period.quarter(2026, 4)
NOVEMBER = Period.month(2026, 11)
ISSUED = dt.date(2026, 11, 2)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=REPORT_TZ)


@pytest.fixture
def work(office):
    with workflow.fixed_clock():
        return workflow.build_work(office)


@pytest.fixture
def team(work) -> Team:
    """The drafting team, built from the workflow's people (one clerk per unit)."""
    p = work.province
    return Team(
        province=p,
        drafter=p.staff_stttt,
        head=make_user(p.stttt, "Lâm Quốc Hùng", (Role.LEADER,), position="Phó Giám đốc"),
        checker=make_user(p.stttt, "Trương Thị Mai", position="Chánh Văn phòng"),
        signer=p.leader_stttt,
        clerk=work.clerk,
        colleague=make_user(p.stttt, "Đặng Văn Góp"),
        outsider=p.admin_stttt,
        clerk_snv=work.other_clerk,
        staff_snv=p.staff_snv,
    )


def complete(work, document: Document) -> None:
    lead = Assignment.objects.get(document=document, role="lead")
    workflow_services.assignment_complete(actor=work.plan_staff, assignment=lead, result="Xong.")


@pytest.fixture
def scenario(work, team):
    """Three weeks of November 2026 in one Sở and its departments, and the Sở Nội vụ."""
    with clock.frozen(at(3)):
        early = workflow.directed(work, issued_date=ISSUED, deadline=dt.date(2026, 11, 10))
        workflow.register(work, code_number="16", issued_date=ISSUED, is_electronic=True)
    with clock.frozen(at(9, 16)):
        complete(work, early)  # on time: done on its deadline's eve
    with clock.frozen(at(12)):
        late = workflow.directed(
            work, code_number="17", issued_date=ISSUED, deadline=dt.date(2026, 11, 13)
        )
        overdue = workflow.directed(
            work, code_number="18", issued_date=ISSUED, deadline=dt.date(2026, 11, 20)
        )
    with clock.frozen(at(14)):
        complete(work, late)  # late: a day after its deadline
    with clock.frozen(DRAFTING_NOW):
        _draft, sent = issued(team, units=[work.province.snv, work.province.root], external=[])
        create_draft(team, subject="Dự thảo chưa ban hành", external=[])
        to_snv = Delivery.objects.get(document=sent, recipient_unit=work.province.snv)
        delivery.delivery_return(
            actor=work.other_clerk,
            delivery=to_snv,
            reason=ReturnReason.WRONG_RECIPIENT,
            note="Không thuộc thẩm quyền.",
        )
        login_password_step(username=work.clerk.username, password=PASSWORD)
        login_password_step(username=work.clerk.username, password=PASSWORD)
        login_password_step(username=work.plan_staff.username, password=PASSWORD)
    with clock.frozen(at(26, 10)):
        login_password_step(username=work.clerk.username, password=PASSWORD)
    return {"overdue": overdue, "sent": sent}


def rebuild_and_read(scope: Scope, period: Period) -> UsageFigures:
    with clock.frozen(at(27)):
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
        return statistics.usage(scope=scope, period=period)


def in_period(qs, field: str, period: Period):
    return qs.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def test_figures_equal_the_registers(work, scenario):
    units = [work.so.pk, work.plan.pk, work.tech.pk]
    figures = rebuild_and_read(Scope.of_unit(work.so), NOVEMBER)

    documents = in_period(Document.objects.filter(unit_id__in=units), "registered_at", NOVEMBER)
    incoming = documents.filter(direction=Direction.INCOMING)
    outgoing = documents.filter(direction=Direction.OUTGOING)
    assert figures.incoming_registered == incoming.count() == 4
    assert figures.incoming_electronic == incoming.filter(is_electronic=True).count() == 1
    assert figures.incoming_paper == incoming.filter(is_electronic=False).count() == 3
    assert figures.outgoing_registered == outgoing.count() == 1
    assert figures.outgoing_issued_electronically == (
        outgoing.filter(deliveries__isnull=False).distinct().count()
    )

    done = in_period(
        Processing.objects.filter(unit_id__in=units, status=ProcessingStatus.DONE),
        "completed_at",
        NOVEMBER,
    )
    assert figures.processing_done == done.count() == 2
    assert (figures.processing_on_time, figures.processing_late) == (1, 1)
    expected_seconds = sum(
        int((p.completed_at - p.document.registered_at).total_seconds()) for p in done
    )
    assert figures.processing_seconds == expected_seconds
    assert figures.processing_average_days == round(expected_seconds / 2 / 86400, 2)
    with clock.frozen(at(27)):
        open_late = Processing.objects.filter(
            unit_id__in=units, deadline__lt=dt.date(2026, 11, 27)
        ).exclude(status__in=[ProcessingStatus.DONE, ProcessingStatus.WITHDRAWN])
        assert figures.processing_overdue_now == open_late.count() == 1

    drafts = Draft.objects.filter(unit_id__in=units)
    assert figures.drafts_created == in_period(drafts, "created_at", NOVEMBER).count() == 2
    assert figures.drafts_issued == drafts.filter(status=DraftStatus.ISSUED).count() == 1

    sent = Delivery.objects.filter(sender_unit_id__in=units, transport="local")
    assert figures.exchange_local_sent == sent.count() == 2
    back = DeliveryEvent.objects.filter(
        delivery__in=sent, code__in=["02", "03", "04", "05", "06", "15", "16"]
    )
    assert figures.exchange_local_status_back == back.count() == 1

    people = User.objects.filter(unit_id__in=units)
    assert figures.accounts_active == people.filter(status=AccountStatus.ACTIVE).count()
    assert figures.logins == 4
    assert figures.active_people == 2


def test_the_recipient_unit_counts_what_it_received_and_refused(work, scenario):
    figures = rebuild_and_read(Scope.of_unit(work.province.snv), NOVEMBER)
    received = Delivery.objects.filter(recipient_unit=work.province.snv)
    assert figures.exchange_local_received == received.count() == 1
    assert figures.exchange_local_refused == received.filter(status="02").count() == 1
    assert figures.exchange_local_refused_wrong_recipient == 1
    assert figures.exchange_local_refused_invalid == 0
    assert figures.exchange_local_waiting == 0
    root = rebuild_and_read(Scope.of_unit(work.province.root), NOVEMBER)
    # The province's committee still has the document waiting in its queue.
    assert root.exchange_local_waiting == (
        Delivery.objects.filter(status=DeliveryStatus.ARRIVED, transport="local").count()
    )


def test_aggregates_equal_the_live_count(work, scenario):
    with clock.frozen(at(27)):
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
        for scope in (Scope.province(), Scope.of_unit(work.so), Scope.of_unit(work.plan)):
            for period in (NOVEMBER, Period.custom(dt.date(2026, 11, 4), dt.date(2026, 11, 20))):
                assert statistics.usage(scope=scope, period=period) == statistics.usage_live(
                    scope=scope, period=period
                ), (scope.label, period.name)
        # Rebuilding again changes nothing.
        before = list(DailyUsage.objects.order_by("unit_id", "day").values())
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
        after = list(DailyUsage.objects.order_by("unit_id", "day").values())
    assert [dict(r, id=0) for r in before] == [dict(r, id=0) for r in after]
