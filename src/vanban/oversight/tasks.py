"""Background work of the oversight app, run by `vanban db_worker`; every task is idempotent."""

from django_tasks import task

from .scheduled_reports import scheduled_report_email, scheduled_reports_make
from .statistics_build import usage_nightly


@task()
def usage_statistics_task() -> dict[str, object]:
    """The nightly usage aggregates (R24; Art. 8.5, 11.1.đ): yesterday and any missed day, built
    again from the registers; idempotent, so a repeated run only writes the same rows."""
    run = usage_nightly()
    return {
        "first": run.first.isoformat() if run.first else None,
        "last": run.last.isoformat() if run.last else None,
        "unit_days": run.unit_days,
        "person_days": run.person_days,
    }


@task()
def scheduled_reports_task() -> dict[str, int]:
    """Daily (core.schedule): the monthly and quarterly usage reports due today that are not
    made yet (R24; Art. 11.1.đ, 11.2.b)."""
    return {"made": len(scheduled_reports_make())}


@task()
def scheduled_report_email_task(report_id: int) -> dict[str, int]:
    """The e-mail copies of one report, files attached, after it was committed."""
    return scheduled_report_email(report_id)
