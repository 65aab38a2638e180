from django_tasks import task

from . import services


@task()
def accounts_sweep_task() -> dict[str, int]:
    """Daily account-lifecycle rules (R3, R4); idempotent, so a repeated run changes nothing."""
    result = services.accounts_sweep()
    return {"locked": len(result.locked), "revoked": len(result.revoked)}
