"""The daily deadline reminders: sent to the people who answer for the work, once a day."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.support.workflow import NOW, TODAY, assignment, directed
from vanban.core import clock
from vanban.core.models import Notification
from vanban.core.schedule import DAILY_JOBS, due_jobs_enqueue
from vanban.workflow import services
from vanban.workflow.models import DeadlineAlert
from vanban.workflow.tasks import workflow_remind_task

pytestmark = pytest.mark.django_db

MORNING = timezone.make_aware(dt.datetime(2026, 11, 26, 7, 0))


@pytest.fixture
def documents(work):
    """Due in 2 days on the morning of 26/11 (lead person, co unit); overdue by 3 days; due in
    20 days; and a completed one that was due yesterday."""
    due_soon = directed(work, code_number="1", deadline=TODAY + dt.timedelta(days=3))
    with clock.frozen(NOW - dt.timedelta(days=10)):
        overdue = directed(
            work,
            code_number="2",
            issued_date=dt.date(2026, 11, 10),
            lead_user=work.plan_staff2,
            co_units=[],
            info_users=[],
            deadline=TODAY - dt.timedelta(days=2),
        )
    far = directed(work, code_number="3", deadline=TODAY + dt.timedelta(days=21))
    done = directed(work, code_number="4", deadline=TODAY)
    services.assignment_complete(
        actor=work.plan_staff, assignment=assignment(done, role="lead"), result="Xong."
    )
    return {"due_soon": due_soon, "overdue": overdue, "far": far, "done": done}


def alerts() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(link__startswith="/xu-ly/van-ban/")
        .exclude(title__startswith="Được giao")
        .exclude(title="Văn bản gửi để biết")
        .exclude(title__startswith="Văn bản trình")
        .exclude(title="Văn bản đã hoàn thành xử lý")
        .values_list("recipient__full_name", "title")
    )


def test_reminders_are_sent_once_a_day(work, documents):
    with clock.frozen(MORNING):
        run = services.deadline_alerts_send()
    assert (run.due_soon, run.overdue, run.already_sent) == (2, 1, 0)
    assert alerts() == [
        ("Bùi Quốc Công", "Còn 2 ngày đến hạn giải quyết"),
        ("Ngô Minh Chủ", "Còn 2 ngày đến hạn giải quyết"),
        ("Đặng Thu Hà", "Quá hạn giải quyết 3 ngày"),
    ]
    body = Notification.objects.get(recipient=work.plan_staff2, title__startswith="Quá hạn").body
    assert body.startswith("Quyết định số 02/QĐ-UBND (số đến 2): ")
    assert body.endswith("Phần chủ trì của Đặng Thu Hà, hạn 23/11/2026.")
    # The same day again, even through the task and the command: nothing more is sent.
    with clock.frozen(MORNING + dt.timedelta(hours=9)):
        assert workflow_remind_task.enqueue().return_value == {
            "due_soon": 0,
            "overdue": 0,
            "already_sent": 3,
        }
        out = StringIO()
        call_command("workflow", "remind", stdout=out)
    assert "Đã gửi 0 nhắc hạn" in out.getvalue()
    assert len(alerts()) == 3
    assert DeadlineAlert.objects.count() == 3
    # The next day they are sent again, each with its new count of days.
    out = StringIO()
    call_command("workflow", "remind", "--at", "2026-11-27T07:00", stdout=out)
    assert out.getvalue().strip() == (
        "Đã gửi 3 nhắc hạn: 2 việc sắp đến hạn, 1 việc quá hạn; 0 nhắc hạn đã gửi trong ngày "
        "nên không gửi lại."
    )
    assert ("Đặng Thu Hà", "Quá hạn giải quyết 4 ngày") in alerts()
    assert ("Ngô Minh Chủ", "Còn 1 ngày đến hạn giải quyết") in alerts()


def test_completed_parts_are_not_reminded(work, documents):
    services.assignment_complete(
        actor=work.tech_head, assignment=assignment(documents["due_soon"], role="co"), result="Ok"
    )
    with clock.frozen(MORNING):
        run = services.deadline_alerts_send()
    assert (run.due_soon, run.overdue) == (1, 1)
    assert ("Bùi Quốc Công", "Còn 2 ngày đến hạn giải quyết") not in alerts()


def test_the_unit_policy_sets_when_reminders_start(work, documents):
    services.deadline_policy_update(
        actor=work.director,
        unit=work.so,
        values={
            "normal_days": 10,
            "urgent_days": 5,
            "very_urgent_days": 3,
            "flash_days": 1,
            "remind_before_days": 1,
        },
    )
    with clock.frozen(MORNING):
        run = services.deadline_alerts_send()
    assert (run.due_soon, run.overdue) == (0, 1)


def test_the_scheduler_runs_the_daily_reminder(work, documents, django_capture_on_commit_callbacks):
    (job,) = [job for job in DAILY_JOBS if job.name == "workflow_remind"]
    assert job.at == dt.time(7, 0)
    early = MORNING - dt.timedelta(hours=1)
    assert due_jobs_enqueue(now=early, jobs=[job]) == []
    with clock.frozen(MORNING), django_capture_on_commit_callbacks(execute=True):
        assert due_jobs_enqueue(now=MORNING, jobs=[job]) == ["workflow_remind"]
    assert len(alerts()) == 3


def test_reminders_are_e_mailed_when_mail_is_configured(
    work, documents, settings, django_capture_on_commit_callbacks
):
    settings.VANBAN_EMAIL_ENABLED = True
    work.plan_staff2.email = "ha.dt@stttt.bentre.gov.vn"
    work.plan_staff2.save(update_fields=["email"])
    with clock.frozen(MORNING), django_capture_on_commit_callbacks(execute=True):
        services.deadline_alerts_send()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Quá hạn giải quyết 3 ngày", ["ha.dt@stttt.bentre.gov.vn"])
    ]
