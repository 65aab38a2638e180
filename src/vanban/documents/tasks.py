"""Background work of the documents app, run by `vanban db_worker`."""

from django_tasks import task

from . import registers


@task()
def render_register_task(job_id: int) -> str:
    """Print a register too long for a web request (R17); idempotent: a job already done, failed
    or being printed by another worker is not printed again."""
    return registers.print_job_render(job_id=job_id)


@task()
def ocr_file_task(file_id: int) -> str:
    """OCR of a registered scan (docs/ocr.md); idempotent: a file already read is left alone, a
    failure is recorded on the file, the original never changes."""
    from .ocr_store import ocr_file

    return ocr_file(file_id=file_id)
