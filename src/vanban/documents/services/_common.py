"""What registering an incoming and an outgoing document share: today's date where the province
is, the clerk's permission (R16), and storing the files and saving the numbered document in one
transaction with its search text and audit event.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from vanban.accounts.models import Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError

from ..files import PreparedFile, file_discard, file_prepare, file_store
from ..models import Document, DocumentFile, DocumentPolicy
from ..ocr_store import ocr_enqueue, ocr_status_for
from ..search import SearchFields, search_text_build


def local_today() -> dt.date:
    return timezone.localdate(clock.now())


def _require_clerk(actor: User, unit: Unit) -> None:
    """R16: the clerk registers documents of their unit."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if not actor.has_role(Role.CLERK, unit):
        raise AccessDenied("Chỉ văn thư của đơn vị được vào sổ văn bản.")


def _prepare_files(
    main_file: UploadedFile[bytes] | None,
    attachments: list[UploadedFile[bytes]],
    *,
    actor: User,
    unit: Unit,
    source: str,
) -> list[tuple[str, PreparedFile]]:
    policy = DocumentPolicy.current()

    def gate(upload: UploadedFile[bytes]) -> PreparedFile:
        return file_prepare(upload, actor=actor, unit=unit, policy=policy, source=source)

    if len(attachments) > policy.max_attachments:
        raise ServiceError(f"Tối đa {policy.max_attachments} tệp đính kèm.", field="attachments")
    prepared: list[tuple[str, PreparedFile]] = []
    if main_file is not None:
        prepared.append((DocumentFile.Role.MAIN, gate(main_file)))
    for upload in attachments:
        prepared.append((DocumentFile.Role.ATTACHMENT, gate(upload)))
    return prepared


def _reserve_id() -> int | None:
    """On PostgreSQL, the id the new document will have, taken from its sequence before the
    numbering transaction locks anything; None elsewhere (SQLite has no sequence, and allows one
    writer at a time anyway)."""
    if connection.vendor != "postgresql":
        return None
    table = Document._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        return int(cursor.fetchone()[0])


def _save_with_files(
    *,
    actor: User,
    document: Document,
    number: Callable[[Document], None],
    prepared: list[tuple[str, PreparedFile]],
    audit_action: str,
    audit_data: dict[str, Any],
    ip: str | None,
    after: Callable[[Document], None] | None = None,
) -> Document:
    """Store the files, then save the document with its files, its number and its audit event
    in one transaction. `document` comes unsaved and without its number; `number(document)` takes
    the number from the series and sets it. `after(document)` runs inside the transaction, the
    document's id known (on PostgreSQL before the number is taken and the row inserted).

    The series row locked by `number` and the audit chain's head are held to the commit, and
    every clerk of the unit (every writer of the province, for the chain) waits for them: on
    PostgreSQL the document's id is reserved first, the files and what `after` stores reference
    it (foreign keys are checked at the commit), and the number and the audit event are the last
    statements before the commit (docs/performance.md).

    Scans (images, PDFs without text) are registered PENDING and queued for OCR after the commit
    (`ocr_store.ocr_enqueue`).

    If the transaction fails the stored files are removed; if the process dies in between, they
    stay as orphans that `vanban files check` lists.
    """
    stored: list[str] = []
    try:
        for _role, item in prepared:
            stored.append(file_store(item))
        with transaction.atomic():
            document.pk = _reserve_id()
            if document.pk is None:
                number(document)
                _insert(document, prepared)
            now = clock.now()
            rows = DocumentFile.objects.bulk_create(
                [
                    DocumentFile(
                        document_id=document.pk,
                        role=role,
                        storage_name=name,
                        original_name=item.original_name,
                        file_format=item.file_format,
                        content_type=item.content_type,
                        size=item.size,
                        sha256=item.sha256,
                        text=item.text,
                        uploaded_by=actor,
                        uploaded_at=now,
                        ocr_status=ocr_status_for(item.file_format, item.text),
                    )
                    for (role, item), name in zip(prepared, stored, strict=True)
                ]
            )
            # Scans are read by OCR in the background once the document is committed (docs/ocr.md).
            ocr_enqueue([row.pk for row in rows if row.ocr_status])
            if after is not None:
                after(document)
            if document._state.adding:
                number(document)
                _insert(document, prepared)
            audit_record(
                actor=actor,
                action=audit_action,
                unit=document.unit,
                target=document,
                ip=ip,
                data={**audit_data, "files": [item.sha256 for _r, item in prepared]},
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    return document


def _insert(document: Document, prepared: list[tuple[str, PreparedFile]]) -> None:
    """INSERT the numbered document with its search text (the number is one of its words)."""
    document.search_text = search_text_build(
        fields=_search_fields(document), file_texts=[item.text for _r, item in prepared]
    )
    document.save(force_insert=True)


def _search_fields(document: Document) -> SearchFields:
    """The searchable fields by section, which weighs a match on PostgreSQL (search.py)."""
    return SearchFields(
        number=[
            document.number_symbol,
            document.code_number,
            document.code_notation,
            str(document.register_number),
        ],
        subject=[document.document_type.name, document.subject],
        people=[
            document.issuer_name,
            document.issuer_code,
            document.signer_name,
            document.signer_position,
            document.to_places,
            document.recipients,
        ],
        other=[document.description],
    )
