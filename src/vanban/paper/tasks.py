"""Background work of the paper intake, run by `vanban db_worker`."""

from django_tasks import task

from . import services


@task()
def scan_read_task(item_id: int) -> str:
    """Read one queued scan (OCR, proposed fields, secrecy stamps); idempotent: an item already
    read, being read or gone is not read again."""
    return services.scan_read(item_id=item_id)
