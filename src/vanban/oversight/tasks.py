from django_tasks import task

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
