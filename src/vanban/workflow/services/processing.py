"""Presenting a document to a leader, recording progress with its files, completing a part (and so
the document), and reading a progress file (Art. 24; R18).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from vanban.accounts.models import Role, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.documents.files import (
    FileUnavailable,
    PreparedFile,
    file_discard,
    file_prepare,
    file_store,
    file_stream_verified,
    file_verify,
    viewed_data,
)
from vanban.documents.models import Direction, Document, DocumentPolicy, DocumentShare
from vanban.documents.opened import document_opened
from vanban.exchange.delivery import delivery_status_update

from ..access import authority_of, handling_unit
from ..models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
    ProgressEntry,
    ProgressFile,
    TrailAction,
)
from ._common import (
    MSG_BUSY,
    MSG_DONE,
    MSG_INFO_ONLY,
    MSG_NOT_CLERK,
    MSG_NOT_HANDLER,
    MSG_NOT_INCOMING,
    MSG_PRESENT_TO,
    MSG_WITHDRAWN,
    STATUS_DONE,
    STATUS_PROCESSING,
    _audit,
    _check_open,
    _check_running,
    _lock,
    _lock_assignment,
    _notify,
    _processing_start,
    _text,
    _trail,
    document_label,
)
from .assignments import _share


def processing_present(
    *, actor: User, document: Document, leader: User | None, note: str = "", ip: str | None = None
) -> Processing:
    """The clerk presents a registered incoming document to a leader of the unit (Art. 24.1).

    A document may be presented again to another leader until it has a direction.
    """
    _require_active(actor)
    unit = handling_unit(document)
    if not actor.has_role(Role.CLERK, unit):
        raise AccessDenied(MSG_NOT_CLERK)
    if document.direction != Direction.INCOMING:
        raise ServiceError(MSG_NOT_INCOMING)
    now = clock.now()
    try:
        with transaction.atomic():
            processing = _lock(document)
            if processing is not None and processing.status == ProcessingStatus.DONE:
                raise ServiceError(MSG_DONE)
            if document.withdrawn_at is not None or (
                processing is not None and processing.status == ProcessingStatus.WITHDRAWN
            ):
                raise ServiceError(MSG_WITHDRAWN)
            if processing is not None and processing.status == ProcessingStatus.IN_PROGRESS:
                raise ServiceError("Văn bản đã có ý kiến chỉ đạo; không trình lại.")
            if leader is None or not leader.is_active or not leader.has_role(Role.LEADER, unit):
                raise ServiceError(MSG_PRESENT_TO, field="leader")
            note = _text(note, label="ghi chú khi trình", field="note", max_length=2000)
            again = processing is not None and processing.status == ProcessingStatus.PRESENTED
            if processing is None:
                processing = _processing_start(document, created_at=now)
            elif document.awaiting_presentation:
                # Handed over before it was presented (workflow.reorganise): presented now.
                Document.objects.filter(pk=document.pk).update(awaiting_presentation=False)
                document.awaiting_presentation = False
            processing.status = ProcessingStatus.PRESENTED
            processing.presented_to = leader
            processing.presented_by = actor
            processing.presented_at = now
            processing.save(
                update_fields=["status", "presented_to", "presented_by", "presented_at"]
            )
            concerned = _share(document=document, actor=actor, now=now, user_ids=[leader.pk])
            summary = f"Trình lãnh đạo {leader.full_name}" + (" (trình lại)" if again else "") + "."
            _trail(
                processing=processing,
                action=TrailAction.PRESENTED,
                actor=actor,
                on_behalf_of=None,
                summary=summary,
                text=note,
                at=now,
            )
            _audit(
                actor=actor,
                action="workflow.present",
                document=document,
                on_behalf_of=None,
                ip=ip,
                data={"leader": leader.username, "again": again},
            )
            _notify(
                concerned - {actor.pk},
                title="Văn bản trình xin ý kiến chỉ đạo",
                body=f"{document_label(document)}: {document.subject}",
                document=document,
            )
    except IntegrityError as exc:
        raise ServiceError(MSG_BUSY) from exc
    return processing


def _prepare(
    uploads: Sequence[tuple[str, UploadedFile[bytes]]], *, actor: User
) -> list[tuple[str, PreparedFile]]:
    policy = DocumentPolicy.current()
    if len(uploads) > policy.max_attachments:
        raise ServiceError(
            f"Tối đa {policy.max_attachments} tệp cho một lần cập nhật.", field="files"
        )
    return [
        (kind, file_prepare(upload, actor=actor, policy=policy, source="Kết quả xử lý"))
        for kind, upload in uploads
    ]


def _check_running_before_files(assignment: Assignment) -> None:
    """Refuse a finished document before reading any file; checked again under the lock."""
    current = Processing.objects.filter(pk=assignment.processing_id).values_list(
        "status", flat=True
    )
    _check_running(Processing(status=current.first() or ""))


def _save_progress(
    *,
    processing: Processing,
    assignment: Assignment,
    actor: User,
    on_behalf_of: User | None,
    text: str,
    files: list[tuple[tuple[str, PreparedFile], str]],
    now: dt.datetime,
) -> ProgressEntry:
    """The progress entry and its files ((kind, prepared file), storage name), already stored."""
    entry = ProgressEntry.objects.create(
        processing=processing,
        assignment=assignment,
        author=actor,
        on_behalf_of=on_behalf_of,
        text=text,
        created_at=now,
    )
    ProgressFile.objects.bulk_create(
        [
            ProgressFile(
                entry=entry,
                kind=kind,
                storage_name=name,
                original_name=item.original_name,
                file_format=item.file_format,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by=actor,
                uploaded_at=now,
            )
            for (kind, item), name in files
        ]
    )
    return entry


def assignment_progress(
    *,
    actor: User,
    assignment: Assignment,
    text: str,
    result_files: Sequence[UploadedFile[bytes]] = (),
    draft_files: Sequence[UploadedFile[bytes]] = (),
    ip: str | None = None,
) -> ProgressEntry:
    """A handler records progress, with result files or a reply draft (R18).

    Files are checked as document files are (format from content, size limit, secrecy stamps),
    stored, hashed (SHA-256) and committed with the entry; a refused step stores nothing.
    """
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_handler(assignment)
    if not allowed:
        raise AccessDenied(MSG_NOT_HANDLER)
    if assignment.role == AssignmentRole.INFO:
        raise ServiceError(MSG_INFO_ONLY)
    _check_running_before_files(assignment)
    text = _text(text, label="nội dung tiến độ", field="text", required=True)
    uploads = [(ProgressFile.Kind.RESULT, f) for f in result_files]
    uploads += [(ProgressFile.Kind.REPLY_DRAFT, f) for f in draft_files]
    prepared = _prepare(uploads, actor=actor)
    stored: list[str] = []
    try:
        for _kind, item in prepared:
            stored.append(file_store(item))
        with transaction.atomic():
            processing, assignment = _lock_assignment(assignment)
            _check_running(processing)
            _check_open(assignment)
            now = clock.now()
            entry = _save_progress(
                processing=processing,
                assignment=assignment,
                actor=actor,
                on_behalf_of=on_behalf_of,
                text=text,
                files=list(zip(prepared, stored, strict=True)),
                now=now,
            )
            role = AssignmentRole(assignment.role).label.lower()
            summary = f"Cập nhật tiến độ phần {role} ({assignment.assignee_label})"
            if prepared:
                summary += f", kèm {len(prepared)} tệp"
            _trail(
                processing=processing,
                action=TrailAction.PROGRESS,
                actor=actor,
                on_behalf_of=on_behalf_of,
                summary=summary + ".",
                text=text,
                assignment=assignment,
                progress=entry,
                at=now,
            )
            _audit(
                actor=actor,
                action="workflow.progress",
                document=assignment.document,
                on_behalf_of=on_behalf_of,
                ip=ip,
                data={
                    "assignment": assignment.pk,
                    "files": [item.sha256 for _kind, item in prepared],
                },
            )
            delivery_status_update(
                incoming_document=assignment.document, status=STATUS_PROCESSING, actor=actor
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    return entry


def _finish(assignment: Assignment, *, actor: User, result: str, now: dt.datetime) -> None:
    assignment.status = AssignmentStatus.DONE
    assignment.completed_at = now
    assignment.completed_by = actor
    assignment.result = result
    fields = ["status", "completed_at", "completed_by", "result"]
    if assignment.role == AssignmentRole.INFO and assignment.read_at is None:
        # Marking "nhận để biết" read is a read mark; the first opening, if any, stays.
        assignment.read_at = now
        fields.append("read_at")
    assignment.save(update_fields=fields)
    # Parts the unit had given out end with the unit's part.
    Assignment.objects.filter(parent=assignment, status=AssignmentStatus.OPEN).update(
        status=AssignmentStatus.CLOSED, completed_at=now
    )


def _finish_upwards(
    assignment: Assignment, *, actor: User, result: str, now: dt.datetime
) -> Assignment:
    """Finish the part; a unit's lead person finishing finishes the unit's part (and so on
    upwards). Returns the last part finished."""
    _finish(assignment, actor=actor, result=result, now=now)
    finished = assignment
    while finished.role == AssignmentRole.LEAD and finished.parent_id is not None:
        parent = Assignment.objects.select_for_update().get(pk=finished.parent_id)
        if parent.status != AssignmentStatus.OPEN:
            break
        _finish(parent, actor=actor, result=result, now=now)
        finished = parent
    return finished


def _completion_summary(
    assignment: Assignment, *, is_info: bool, document_done: bool, reply_reference: str
) -> str:
    if is_info:
        return "Đã xem văn bản (nhận để biết)."
    role = AssignmentRole(assignment.role).label.lower()
    summary = f"Hoàn thành phần {role} ({assignment.assignee_label})"
    if document_done:
        summary += "; văn bản hoàn thành xử lý"
    if reply_reference:
        summary += f"; văn bản trả lời số {reply_reference}"
    return summary + "."


def _close_document(
    processing: Processing, *, actor: User, result: str, reply_reference: str, now: dt.datetime
) -> None:
    """The document is done: its other open parts end and pending extension requests are
    refused."""
    processing.status = ProcessingStatus.DONE
    processing.completed_at = now
    processing.completed_by = actor
    processing.result = result
    processing.reply_reference = reply_reference
    processing.save(
        update_fields=[
            "status",
            "completed_at",
            "completed_by",
            "result",
            "reply_reference",
        ]
    )
    Assignment.objects.filter(processing=processing, status=AssignmentStatus.OPEN).update(
        status=AssignmentStatus.CLOSED, completed_at=now
    )
    ExtensionRequest.objects.filter(
        assignment__processing=processing, status=ExtensionStatus.PENDING
    ).update(
        status=ExtensionStatus.REFUSED,
        decided_at=now,
        decision_reason="Văn bản đã hoàn thành xử lý.",
    )


def _announce_done(
    processing: Processing, *, document: Document, actor: User, reply_reference: str
) -> None:
    """A done document tells its sender through the exchange (06) and tells the people who
    presented and directed it."""
    delivery_status_update(
        incoming_document=document,
        status=STATUS_DONE,
        actor=actor,
        note=reply_reference,
    )
    people = (processing.directed_by_id, processing.directed_for_id, processing.presented_by_id)
    _notify(
        {pk for pk in people if pk is not None and pk != actor.pk},
        title="Văn bản đã hoàn thành xử lý",
        body=f"{document_label(document)}: {document.subject}",
        document=document,
    )


def assignment_complete(
    *,
    actor: User,
    assignment: Assignment,
    result: str = "",
    reply_reference: str = "",
    ip: str | None = None,
) -> Assignment:
    """A handler completes their part (R18). The lead's completion completes the unit part it
    belongs to and, for the document's lead, the document: its other open parts end with it.
    Someone who received the document for information marks it as read."""
    _require_active(actor)
    allowed, on_behalf_of = authority_of(actor).as_handler(assignment)
    if not allowed:
        raise AccessDenied(MSG_NOT_HANDLER)
    now = clock.now()
    with transaction.atomic():
        processing, assignment = _lock_assignment(assignment)
        _check_running(processing)
        _check_open(assignment)
        is_info = assignment.role == AssignmentRole.INFO
        result = _text(
            result,
            label="kết quả giải quyết",
            field="result",
            required=assignment.role == AssignmentRole.LEAD,
        )
        reply_reference = _text(
            reply_reference,
            label="số, ký hiệu văn bản trả lời",
            field="reply_reference",
            max_length=100,
        )
        finished = _finish_upwards(assignment, actor=actor, result=result, now=now)
        document_done = finished.role == AssignmentRole.LEAD and finished.parent_id is None
        summary = _completion_summary(
            assignment,
            is_info=is_info,
            document_done=document_done,
            reply_reference=reply_reference,
        )
        if document_done:
            _close_document(
                processing, actor=actor, result=result, reply_reference=reply_reference, now=now
            )
        _trail(
            processing=processing,
            action=TrailAction.READ if is_info else TrailAction.COMPLETED,
            actor=actor,
            on_behalf_of=on_behalf_of,
            summary=summary,
            text=result,
            assignment=assignment,
            at=now,
        )
        _audit(
            actor=actor,
            action="workflow.read" if is_info else "workflow.complete",
            document=assignment.document,
            on_behalf_of=on_behalf_of,
            ip=ip,
            data={
                "assignment": assignment.pk,
                "document_done": document_done,
                "reply_reference": reply_reference,
            },
        )
        if document_done:
            _announce_done(
                processing,
                document=assignment.document,
                actor=actor,
                reply_reference=reply_reference,
            )
    return assignment


@dataclass
class Download:
    file: ProgressFile
    size: int
    chunks: Iterable[bytes]


def assignments_opened(*, user: User, assignments: Iterable[Assignment]) -> None:
    """The person opened the document's processing page: her own parts given for information
    get their read mark, once (R18 "nhận để biết"). Nobody else's opening, no step of another
    person and no ending of the part sets it; a deputy's opening does not either, since the
    person herself has not seen it. One UPDATE the first time, none afterwards."""
    unread = [
        a
        for a in assignments
        if a.role == AssignmentRole.INFO and a.assignee_user_id == user.pk and a.read_at is None
    ]
    if not unread:
        return
    now = clock.now()
    Assignment.objects.filter(pk__in=[a.pk for a in unread], read_at__isnull=True).update(
        read_at=now
    )
    for assignment in unread:
        assignment.read_at = now


def document_page_opened(document: Document, user: User) -> None:
    """The person opened the document's own page: as on its processing page, her parts given
    for information get their read mark, once (one UPDATE, whatever there is to mark)."""
    Assignment.objects.filter(
        document=document, assignee_user=user, role=AssignmentRole.INFO, read_at__isnull=True
    ).update(read_at=clock.now())


def progress_file_download(
    *, actor: User, file_id: int, ip: str | None = None, viewed: bool = False
) -> Download:
    """A result file or reply draft, for whoever may see its document ("missing" and
    "forbidden" are both NotFound); the SHA-256 is checked before anything is sent and the
    access is recorded, as for document files (noted `viewed` for the document viewer)."""
    visible = Document.objects.visible_to(actor).values("pk")
    file = (
        ProgressFile.objects.filter(pk=file_id, entry__processing__document_id__in=visible)
        .select_related("entry__processing__document__unit")
        .first()
    )
    if file is None:
        raise NotFound("Không tìm thấy tệp.")
    document = file.entry.processing.document
    data = viewed_data({"file": file.pk, "name": file.original_name, "sha256": file.sha256}, viewed)
    try:
        size = file_verify(file.storage_name, file.sha256)
    except FileUnavailable as exc:
        audit_record(
            actor=actor,
            action="workflow.file_download_refused",
            unit=document.unit,
            target=document,
            ip=ip,
            data={**data, "reason": exc.reason},
        )
        exc.document_id = document.pk
        raise
    audit_record(
        actor=actor,
        action="workflow.file_download",
        unit=document.unit,
        target=document,
        ip=ip,
        data=data,
    )
    return Download(
        file=file, size=size, chunks=file_stream_verified(file.storage_name, file.sha256, size)
    )


MSG_NOTHING_TO_READ = "Văn bản không có phần nào gửi bạn để biết mà chưa đọc."


def information_read(*, actor: User, document: Document) -> None:
    """The person marks a document read from a list, as opening its page does
    (`documents.opened.document_opened`): her parts given for information and the document
    given to her for reading get their read mark (R18 "nhận để biết"). Refused when she has
    nothing unread on it; the caller has checked that she may see the document."""
    _require_active(actor)
    unread = (
        Assignment.objects.filter(
            document=document, assignee_user=actor, role=AssignmentRole.INFO, read_at__isnull=True
        ).exists()
        or DocumentShare.objects.filter(
            document=document, user=actor, for_reading=True, opened_at__isnull=True
        ).exists()
    )
    if not unread:
        raise ServiceError(MSG_NOTHING_TO_READ)
    with transaction.atomic():
        document_opened(document=document, user=actor)
