"""Periodic jobs, enqueued once a day by `vanban scheduler` onto the task queue.

The task API has no scheduler of its own; this one is safe to run on several machines because a
unique (job, day) row decides who enqueues.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from vanban.core import clock
from vanban.core.models import ScheduledRun


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str
    at: dt.time


DAILY_JOBS = [
    DailyJob("accounts_sweep", "vanban.accounts.tasks.accounts_sweep_task", dt.time(1, 0)),
    # R24: yesterday's usage statistics, built before the working day begins.
    DailyJob("usage_statistics", "vanban.oversight.tasks.usage_statistics_task", dt.time(5, 0)),
    DailyJob("workflow_remind", "vanban.workflow.tasks.workflow_remind_task", dt.time(7, 0)),
    DailyJob(
        "records_handover_notice", "vanban.records.tasks.handover_notice_task", dt.time(7, 15)
    ),
    # R11: the holder of a personal certificate learns 30 days ahead that it expires.
    DailyJob(
        "certificate_expiry_notice",
        "vanban.signatures.tasks.certificate_expiry_notice_task",
        dt.time(7, 30),
    ),
    # The monthly and quarterly usage reports, made on the first day of the period that follows
    # (R24; docs/oversight.md, "Scheduled reports").
    DailyJob(
        "oversight_scheduled_reports",
        "vanban.oversight.tasks.scheduled_reports_task",
        dt.time(6, 0),
    ),
]


def due_jobs_enqueue(
    *, now: dt.datetime | None = None, jobs: list[DailyJob] | None = None
) -> list[str]:
    """Enqueue every daily job whose local time has passed today and that is not enqueued yet."""
    now = timezone.localtime(now or clock.now())
    done = []
    for job in jobs if jobs is not None else DAILY_JOBS:
        if now.time() < job.at:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, run_date=now.date(), enqueued_at=now)
                task = import_string(job.task_path)
                transaction.on_commit(task.enqueue)
        except IntegrityError:
            continue
        done.append(job.name)
    return done
