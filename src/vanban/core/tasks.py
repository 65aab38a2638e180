"""Background work of the core app, run by `vanban db_worker`."""

from django_tasks import task

from .services import notifications_email


@task()
def notification_email_task(ids: list[int]) -> dict[str, int]:
    """The e-mail copies of notifications, sent after the hand-off committed; idempotent."""
    return notifications_email(ids)
