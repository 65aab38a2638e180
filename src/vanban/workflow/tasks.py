from django_tasks import task

from .services.reminders import deadline_alerts_send


@task()
def workflow_remind_task() -> dict[str, int]:
    """Daily deadline reminders (R18); idempotent per day, so a repeated run sends nothing."""
    run = deadline_alerts_send()
    return {"due_soon": run.due_soon, "overdue": run.overdue, "already_sent": run.already_sent}
