from django_tasks import task

from .services import certificates_expiry_notify


@task()
def certificate_expiry_notice_task() -> dict[str, int]:
    """Daily: the holder of a personal certificate is told 30 days before it expires (R11);
    idempotent, each certificate is announced once."""
    return {"notified": certificates_expiry_notify()}
