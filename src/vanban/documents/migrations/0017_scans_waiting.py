"""Scans registered before OCR existed wait for it: images, and PDFs whose extracted text has
fewer than 32 letters and digits (`documents.ocr.needs_ocr`), are marked `pending`, so that
`vanban ocr pending` reads them after the upgrade (docs/ocr.md). Nothing else changes; the files'
bytes are not read."""

from django.db import migrations
from django.db.models.functions import Length

IMAGES = ("png", "jpeg", "tiff")
MIN_TEXT_CHARS = 32  # documents.ocr.MIN_TEXT_CHARS, fixed here as it was when this ran
CHUNK = 2000


def mark_scans(apps, schema_editor):
    DocumentFile = apps.get_model("documents", "DocumentFile")
    files = DocumentFile.objects.filter(ocr_status="", ocr_of__isnull=True)
    files.filter(file_format__in=IMAGES).update(ocr_status="pending")
    # A PDF with little text: only those short enough to be candidates are read in Python.
    candidates = (
        files.filter(file_format="pdf")
        .annotate(length=Length("text"))
        .filter(length__lt=2000)
        .values_list("pk", "text")
        .iterator(chunk_size=CHUNK)
    )
    scans = [pk for pk, text in candidates if sum(c.isalnum() for c in text) < MIN_TEXT_CHARS]
    for start in range(0, len(scans), CHUNK):
        DocumentFile.objects.filter(pk__in=scans[start : start + CHUNK]).update(
            ocr_status="pending"
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0016_file_ocr")]

    operations = [migrations.RunPython(mark_scans, migrations.RunPython.noop)]
