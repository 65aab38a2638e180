from django_tasks import task

from .handover import handover_notices_send


@task()
def handover_notice_task() -> dict[str, int]:
    """Daily hand-over notices (R19; NĐ 30/2020 Art. 31): ahead of the due date and once overdue;
    idempotent, so a repeated run the same day sends nothing."""
    run = handover_notices_send()
    return {"ahead": run.ahead, "overdue": run.overdue}
