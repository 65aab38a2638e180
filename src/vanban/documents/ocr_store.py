"""What OCR of a registered scan leaves (docs/ocr.md): the PDF/A copy with a text layer kept
beside the original, the text in the document's search text, the status on the original, and a
secrecy stamp found after registration flagged to the clerk (R13, Quy chế Điều 4).

- `ocr_attach` stores a result: the copy is a DocumentFile of role OCR pointing to its original,
  stored and hashed like any file; the original's bytes and SHA-256 never change, its text
  becomes what OCR read, and the document's search text is built again with it, as a born-digital
  PDF's would be. Idempotent: a file that has its copy keeps it.
- `ocr_file` is the background task's work for one registered file (`tasks.ocr_file_task`): read
  the stored bytes (verified), run OCR, attach the result, or record why there is none.
- `ocr_enqueue` is called by the registration (services._common) for the files that need OCR;
  `ocr_pending` by `vanban ocr pending` for those left waiting (OCR switched off or not installed
  when they were registered).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse

from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.services import notification_send

from .files import (
    FORMATS,
    FileUnavailable,
    PreparedFile,
    file_discard,
    file_read_verified,
    file_store,
    safe_file_name,
)
from .models import Document, DocumentFile
from .ocr import OcrFailed, OcrResult, OcrUnavailable, needs_ocr, ocr_problem, ocr_scan
from .ocr_layout import scan_secrecy_marks
from .search import search_text_build

logger = logging.getLogger(__name__)

Status = DocumentFile.OcrStatus
WAITING = (Status.PENDING, Status.UNAVAILABLE)


def ocr_status_for(file_format: str, text: str) -> str:
    """The status a file is registered with: PENDING for a scan, "" for any other file."""
    return Status.PENDING if needs_ocr(file_format, text) else Status.NONE


def ocr_enqueue(file_ids: list[int]) -> None:
    """Queue OCR of these files once the caller's transaction commits, when OCR is on; when it is
    off they stay PENDING for `vanban ocr pending`."""
    from django.conf import settings

    if not file_ids or not settings.VANBAN_OCR_ENABLED:
        return

    def enqueue() -> None:
        from .tasks import ocr_file_task

        for file_id in file_ids:
            ocr_file_task.enqueue(file_id)

    transaction.on_commit(enqueue, robust=True)


def copy_name(original_name: str) -> str:
    """The copy's name: the original's stem with " (OCR)" and the PDF extension."""
    stem, dot, _extension = original_name.rpartition(".")
    return safe_file_name(f"{stem if dot else original_name} (OCR).pdf", "pdf")


def search_text_rebuild(document: Document) -> None:
    """The document's search text built again from its fields and its files' texts, in the
    order of registration (main file first), as `services._common._insert` builds it."""
    from .services._common import _search_fields

    texts = [
        text
        for _role, _pk, text in sorted(
            DocumentFile.objects.filter(document_id=document.pk).values_list("role", "pk", "text"),
            key=lambda row: (row[0] != DocumentFile.Role.MAIN, row[1]),
        )
    ]
    document.search_text = search_text_build(fields=_search_fields(document), file_texts=texts)
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)


def _existing_copy(original_id: int) -> DocumentFile | None:
    return DocumentFile.with_copies.filter(ocr_of_id=original_id).first()


def ocr_attach(*, original: DocumentFile, result: OcrResult) -> DocumentFile:
    """Keep the PDF/A copy of a registered scan and what OCR read; returns the copy.

    In one transaction: the copy stored and hashed as a DocumentFile (role OCR, `ocr_of` the
    original), the original's text, status DONE and confidence, the document's search text built
    again, an audit event; a secrecy stamp OCR read (`scan_secrecy_marks`) is recorded on the
    original, audited and notified to the clerk who registered the document. A second call for
    the same original changes nothing and returns the copy it has. The copy's stored file is
    removed if the transaction fails.
    """
    existing = _existing_copy(original.pk)
    if existing is not None:
        return existing
    prepared = PreparedFile(
        original_name=copy_name(original.original_name),
        data=result.pdf,
        file_format="pdf",
        content_type=FORMATS["pdf"],
        size=len(result.pdf),
        sha256=hashlib.sha256(result.pdf).hexdigest(),
        text=result.text,
    )
    stored = file_store(prepared)
    try:
        with transaction.atomic():
            # The original's row is locked: two runs for the same scan attach one copy.
            locked = (
                DocumentFile.objects.select_for_update()
                .select_related("document")
                .get(pk=original.pk)
            )
            existing = _existing_copy(locked.pk)
            if existing is not None:
                file_discard(stored)
                return existing
            document = locked.document
            copy = DocumentFile.with_copies.create(
                document=document,
                role=DocumentFile.Role.OCR,
                ocr_of=locked,
                storage_name=stored,
                original_name=prepared.original_name,
                file_format=prepared.file_format,
                content_type=prepared.content_type,
                size=prepared.size,
                sha256=prepared.sha256,
                text=prepared.text,
                uploaded_by_id=locked.uploaded_by_id,
                uploaded_at=clock.now(),
            )
            marks = scan_secrecy_marks(result.pages)
            locked.text = result.text
            locked.ocr_status = Status.DONE
            locked.ocr_message = ""
            locked.ocr_confidence = result.confidence
            locked.ocr_secrecy = marks[-1] if marks else ""
            locked.save(
                update_fields=[
                    "text",
                    "ocr_status",
                    "ocr_message",
                    "ocr_confidence",
                    "ocr_secrecy",
                ]
            )
            for name in ("text", "ocr_status", "ocr_message", "ocr_confidence", "ocr_secrecy"):
                setattr(original, name, getattr(locked, name))
            search_text_rebuild(document)
            if marks:
                _secrecy_found(document=document, original=locked, level=marks[-1])
            audit_record(
                actor=None,
                action="document.ocr_done",
                unit=document.unit,
                target=document,
                data={
                    "file": locked.pk,
                    "sha256": locked.sha256,
                    "copy": copy.pk,
                    "copy_sha256": copy.sha256,
                    "confidence": result.confidence,
                    "pages": result.page_count,
                    "seconds": result.seconds,
                },
            )
    except IntegrityError:
        # Another run attached its copy between our check and our insert (SQLite takes no row
        # lock): keep theirs.
        file_discard(stored)
        existing = _existing_copy(original.pk)
        if existing is None:
            raise
        return existing
    except BaseException:
        file_discard(stored)
        raise
    return copy


def secrecy_banner(level: str) -> str:
    return (
        f"Bản quét có dấu chỉ độ mật “{level}” (đọc được khi nhận dạng chữ sau khi vào sổ): xử "
        "lý theo Quy chế, Điều 4 — văn bản mật không được đưa vào hệ thống."
    )


def _secrecy_found(*, document: Document, original: DocumentFile, level: str) -> None:
    """A stamp read after registration (R13): audited, and the clerk who registered is told."""
    audit_record(
        actor=None,
        action="document.ocr_secrecy_found",
        unit=document.unit,
        target=document,
        data={"file": original.pk, "name": original.original_name, "level": level},
    )
    clerk_id = document.registered_by_id or original.uploaded_by_id
    from vanban.accounts.models import User

    clerk = User.objects.filter(pk=clerk_id).first()
    if clerk is not None:
        notification_send(
            recipients=[clerk],
            title=f"Bản quét có dấu chỉ độ mật “{level}”: {document}"[:255],
            body=secrecy_banner(level),
            link=reverse("documents:document_detail", args=[document.pk]),
        )


def _record(file_id: int, status: str, message: str) -> None:
    """Why a scan has no OCR text, unless another run has attached a copy meanwhile."""
    DocumentFile.objects.filter(pk=file_id).exclude(ocr_status=Status.DONE).update(
        ocr_status=status, ocr_message=message
    )


def ocr_file(*, file_id: int) -> str:
    """OCR of one registered file (the worker's side); the status it ends with.

    A file already read, or not a scan, is left alone. The stored bytes are read back verified
    (a missing or changed file is a failure, never a silent pass); OCR that cannot run leaves
    the file UNAVAILABLE with the reason, a run that fails leaves it FAILED with the reason. The
    original is never changed.
    """
    file = DocumentFile.objects.filter(pk=file_id).first()
    if file is None:
        return "missing"
    if file.ocr_status == Status.DONE or _existing_copy(file.pk) is not None:
        return Status.DONE
    if not file.ocr_status and not needs_ocr(file.file_format, file.text):
        return "skipped"
    problem = ocr_problem()
    if problem:
        _record(file.pk, Status.UNAVAILABLE, problem)
        return Status.UNAVAILABLE
    try:
        data = file_read_verified(file.storage_name, file.sha256)
        result = ocr_scan(data, file.file_format)
    except OcrUnavailable as exc:
        _record(file.pk, Status.UNAVAILABLE, exc.message)
        return Status.UNAVAILABLE
    except (OcrFailed, FileUnavailable) as exc:
        logger.warning("OCR of file %s failed: %s", file.pk, exc.message)
        _record(file.pk, Status.FAILED, exc.message)
        return Status.FAILED
    ocr_attach(original=file, result=result)
    return Status.DONE


@dataclass
class PendingRun:
    done: int = 0
    failed: int = 0
    unavailable: int = 0
    problem: str = ""  # why nothing was read: OCR off or not installed


def ocr_pending(*, retry_failed: bool = False, limit: int | None = None) -> PendingRun:
    """OCR, one after another, of the registered scans still waiting (`vanban ocr pending`):
    PENDING and UNAVAILABLE ones, FAILED ones too with `retry_failed`."""
    run = PendingRun()
    run.problem = ocr_problem()
    if run.problem:
        return run
    statuses = [*WAITING, *([Status.FAILED] if retry_failed else [])]
    ids = list(
        DocumentFile.objects.filter(ocr_status__in=statuses)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for file_id in ids:
        status = ocr_file(file_id=file_id)
        if status == Status.DONE:
            run.done += 1
        elif status == Status.FAILED:
            run.failed += 1
        elif status == Status.UNAVAILABLE:
            run.unavailable += 1
    return run
