"""Usage statistics (R24; Art. 8.5, 11.1.đ): the figures against the registers' own selectors,
the aggregates against the live count, period boundaries in Vietnam time, scopes and drill-down.

The scenario goes through the product's services: documents registered and issued, incoming
documents processed on time and late, drafts, documents sent inside the deployment and refused
with a reason, logins. Each figure is compared with a count made by the register it comes from,
so the test fails when either side drifts."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.support import workflow
from tests.support.drafting import NOW as DRAFTING_NOW
from tests.support.drafting import Team, create_draft, issued
from tests.support.province import PASSWORD, make_user
from vanban.accounts.models import AccountStatus, Role, User
from vanban.accounts.services import login_password_step
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.schedule import DAILY_JOBS, due_jobs_enqueue
from vanban.documents.models import Direction, Document
from vanban.drafting.models import Draft, DraftStatus
from vanban.exchange import delivery
from vanban.exchange.models import Delivery, DeliveryEvent, DeliveryStatus, ReturnReason
from vanban.oversight import statistics, statistics_counts
from vanban.oversight.models import DailyLogin, DailyUsage, UsageBuild
from vanban.oversight.statistics import Scope, UsageFigures
from vanban.oversight.statistics_build import aggregated_until, usage_nightly, usage_rebuild
from vanban.reports.periods import REPORT_TZ, Period
from vanban.signatures.selectors import latest_reports
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


def test_signature_figure_equals_the_documents_verification_panels(work, scenario):
    figures = rebuild_and_read(Scope.province(), NOVEMBER)
    documents = in_period(Document.objects.all(), "registered_at", NOVEMBER)
    with_valid = [d for d in documents if any(r.valid for r in latest_reports(document=d).values())]
    assert figures.documents_signature_valid == len(with_valid)
    assert len(with_valid) >= 1  # the issued plan carries the signer's and the Sở's signatures
    electronic = figures.incoming_electronic + figures.outgoing_electronic
    assert figures.signature_valid_share == (len(with_valid) / electronic if electronic else None)


def test_drill_down_rows_are_the_children_with_their_sub_units(work, scenario):
    with clock.frozen(at(27)):
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
        top = statistics.usage_by_unit(parent=None, period=NOVEMBER)
        rows = statistics.usage_by_unit(parent=work.province.root, period=NOVEMBER)
        under_so = dict(statistics.usage_by_unit(parent=work.so, period=NOVEMBER))
        province = statistics.usage(scope=Scope.province(), period=NOVEMBER)
        so = statistics.usage(scope=Scope.of_unit(work.so), period=NOVEMBER)
        root_days = statistics_counts.day_counts(
            first=NOVEMBER.first, last=NOVEMBER.last, unit_ids=[work.province.root.pk]
        )
    assert [unit for unit, _ in top] == [work.province.root]
    assert top[0][1] == province
    assert [unit.name for unit, _ in rows] == ["Sở Nội vụ", "Sở Thông tin và Truyền thông"]
    assert dict(rows)[work.so] == so
    assert set(under_so) == {work.plan, work.tech}
    # The Sở's own processing is done by its planning department, but counted in the Sở.
    assert under_so[work.plan].processing_done == 0
    assert under_so[work.plan].accounts_active == 3
    # Every additive counter of the children adds up to the province less the root's own.
    for name in statistics.ADDITIVE_FIELDS:
        children = sum(getattr(f, name) for _, f in rows)
        root_only = sum(values.get(name, 0) for values in root_days.values())
        assert children + root_only == getattr(province, name), name


def test_series_by_day_adds_up_to_the_period(work, scenario):
    with clock.frozen(at(27)):
        usage_rebuild(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 26))
        series = statistics.usage_series(scope=Scope.of_unit(work.so), period=NOVEMBER)
        total = statistics.usage(scope=Scope.of_unit(work.so), period=NOVEMBER)
    assert [day for day, _ in series] == [dt.date(2026, 11, d) for d in range(1, 31)]
    for name in statistics.ADDITIVE_FIELDS:
        assert sum(getattr(f, name) for _, f in series) == getattr(total, name), name
    by_day = dict(series)
    assert by_day[dt.date(2026, 11, 3)].incoming_registered == 2
    assert by_day[dt.date(2026, 11, 14)].processing_late == 1
    assert by_day[dt.date(2026, 11, 26)].active_people == 1
    assert by_day[dt.date(2026, 11, 25)].accounts_active is None  # point in time: not known


def test_quarter_boundaries_are_vietnam_days(work):
    """23:30 on 30/09 Vietnam time is 16:30 UTC: the third quarter; 00:10 on 01/10 is 17:10 UTC
    on 30/09: the fourth."""
    for moment, code in (
        (dt.datetime(2026, 9, 30, 23, 30), "20"),
        (dt.datetime(2026, 10, 1, 0, 10), "21"),
    ):
        with clock.frozen(moment.replace(tzinfo=REPORT_TZ)):
            workflow.register(work, code_number=code, issued_date=dt.date(2026, 9, 1))
            login_password_step(username=work.clerk.username, password=PASSWORD)
    with clock.frozen(at(2, month=10)):
        usage_rebuild(first=dt.date(2026, 9, 29), last=dt.date(2026, 10, 1))
        q3 = statistics.usage(scope=Scope.of_unit(work.so), period=Period.quarter(2026, 3))
        q4 = statistics.usage(scope=Scope.of_unit(work.so), period=Q4)
        last_day = statistics.usage(
            scope=Scope.of_unit(work.so),
            period=Period.custom(dt.date(2026, 9, 30), dt.date(2026, 9, 30)),
        )
    assert (q3.incoming_registered, q3.logins) == (1, 1)
    assert (q4.incoming_registered, q4.logins) == (1, 1)
    assert last_day.incoming_registered == 1
    assert DailyLogin.objects.filter(user=work.clerk).count() == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: statistics.period_from("quarter", year=2026, quarter=5), "Quý phải từ 1 đến 4."),
        (lambda: statistics.period_from("month", year=2026), "Hãy chọn tháng."),
        (lambda: statistics.period_from("week", year=2026), "Kỳ thống kê phải là tháng, quý, năm"),
        (lambda: statistics.period_from("year", year=1990), "Năm phải trong khoảng từ 2000"),
        (lambda: statistics.period_from("year", year=2027), "Kỳ thống kê chưa bắt đầu"),
        (
            lambda: statistics.period_from(
                "custom", start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 2)
            ),
            "Ngày kết thúc (02/11/2026) không được trước ngày bắt đầu (20/11/2026).",
        ),
        (lambda: statistics.period_from("custom", start=dt.date(2026, 11, 20)), "Hãy nhập ngày"),
        (
            lambda: statistics.usage_series(
                scope=Scope.province(),
                period=Period.custom(dt.date(2024, 1, 1), dt.date(2026, 1, 1)),
            ),
            "Kỳ quá dài để thống kê theo ngày: hãy chọn theo tháng.",
        ),
        (
            lambda: statistics.usage_series(scope=Scope.province(), period=Q4, step="week"),
            "Bước thống kê phải là theo ngày hoặc theo tháng.",
        ),
        (
            lambda: statistics.usage(scope=Scope.province(), period=Period.year(2027)),
            "chưa bắt đầu",
        ),
        (lambda: Scope.of_level(5), "Cấp đơn vị phải từ 1 đến 4."),
        (
            lambda: usage_rebuild(first=dt.date(2026, 11, 2), last=dt.date(2026, 11, 1)),
            "không được trước",
        ),
        (lambda: usage_rebuild(first=dt.date(2026, 11, 2), last=dt.date(2026, 11, 30)), "chưa đến"),
    ],
)
def test_bad_periods_are_refused_with_a_clear_message(province, call, message):
    with clock.frozen(NOW), pytest.raises(ServiceError) as refused:
        call()
    assert message in refused.value.message
    assert not DailyUsage.objects.exists()


def test_the_nightly_job_builds_yesterday_and_the_missed_days(
    work, scenario, django_capture_on_commit_callbacks
):
    (job,) = [job for job in DAILY_JOBS if job.name == "usage_statistics"]
    assert job.at == dt.time(5, 0)
    with clock.frozen(at(20, 4)):
        assert due_jobs_enqueue(now=clock.now(), jobs=[job]) == []
    with clock.frozen(at(20, 5, 5)), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(now=clock.now(), jobs=[job]) == ["usage_statistics"]
    assert list(UsageBuild.objects.values_list("day", flat=True)) == [dt.date(2026, 11, 19)]
    assert aggregated_until() == dt.date(2026, 11, 19)
    # Three nights missed: the next run builds them all, and yesterday.
    with clock.frozen(at(24, 5, 5)):
        run = usage_nightly()
    assert (run.first, run.last) == (dt.date(2026, 11, 20), dt.date(2026, 11, 23))
    with clock.frozen(at(24, 6)):
        assert statistics.usage(
            scope=Scope.of_unit(work.so),
            period=Period.custom(dt.date(2026, 11, 19), dt.date(2026, 11, 23)),
        ) == statistics.usage_live(
            scope=Scope.of_unit(work.so),
            period=Period.custom(dt.date(2026, 11, 19), dt.date(2026, 11, 23)),
        )


def test_the_command_rebuilds_and_checks_a_range(work, scenario):
    out = StringIO()
    with clock.frozen(at(27)):
        call_command("stats", "rebuild", "--from", "01/11/2026", "--to", "26/11/2026", stdout=out)
        assert "Đã tính số liệu 26 ngày (01/11/2026–26/11/2026)" in out.getvalue()
        call_command("stats", "check", "--from", "01/11/2026", "--to", "26/11/2026", stdout=out)
        assert "khớp với sổ văn bản" in out.getvalue()
        # A document registered after the build: the check sees the difference.
        workflow.register(work, code_number="30", issued_date=ISSUED)
        with pytest.raises(CommandError, match="khác số liệu đếm trực tiếp"):
            call_command("stats", "check", "--from", "26/11/2026", "--to", "27/11/2026", stdout=out)
        before = DailyUsage.objects.count()
        with pytest.raises(CommandError, match="không hợp lệ"):
            call_command("stats", "rebuild", "--from", "31/11/2026", stdout=out)
        with pytest.raises(CommandError, match="Không có gì thay đổi"):
            call_command(
                "stats", "rebuild", "--from", "20/11/2026", "--to", "28/11/2026", stdout=out
            )
        assert DailyUsage.objects.count() == before
