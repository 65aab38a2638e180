"""Background work of the oversight app, run by `vanban db_worker`; every task is idempotent."""

from django_tasks import task

from .scheduled_reports import scheduled_report_email, scheduled_reports_make


@task()
def scheduled_reports_task() -> dict[str, int]:
    """Daily (core.schedule): the monthly and quarterly usage reports due today that are not
    made yet (R24; Art. 11.1.đ, 11.2.b)."""
    return {"made": len(scheduled_reports_make())}


@task()
def scheduled_report_email_task(report_id: int) -> dict[str, int]:
    """The e-mail copies of one report, files attached, after it was committed."""
    return scheduled_report_email(report_id)
