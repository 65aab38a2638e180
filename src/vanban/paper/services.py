"""The clerk's actions on scanned paper documents (R13, R16; NĐ 30/2020 Art. 22, Appendix I):
uploading several scans at once, reading each in the background, registering one as an incoming
document with what was read, discarding one.

Every upload passes `documents.files.file_prepare` (size, malware, format, active content, a
secrecy stamp in a text layer); a refused file is named with its reason and the others are still
queued. Reading a scan is OCR (`documents.ocr`), the form fields proposed from the first page
(`documents.ocr_fields`) and the secrecy stamps OCR sees (`documents.ocr_layout`): an item whose
scan is stamped MẬT, TỐI MẬT or TUYỆT MẬT is registered only with the clerk's stated reason,
kept on the item and in the audit trail (R13; docs/paper-intake.md, "Secrecy stamps").
"""

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import ocr
from vanban.documents.files import (
    EXTENSIONS,
    FORMATS,
    FileUnavailable,
    PreparedFile,
    file_discard,
    file_prepare,
    file_read_verified,
    safe_file_name,
)
from vanban.documents.models import Document, DocumentFile, DocumentPolicy, DocumentType
from vanban.documents.ocr_fields import propose
from vanban.documents.ocr_layout import OcrPage, mean_confidence, scan_secrecy_marks
from vanban.documents.ocr_store import ocr_attach
from vanban.documents.services import DocumentInput, Refusals, incoming_register
from vanban.documents.services import _require_clerk as require_clerk
from vanban.exchange.directory import agency_directory

from .models import STORAGE_PREFIX, ScanItem
from .split import split_at_blank_pages

logger = logging.getLogger(__name__)

SOURCE = "Bản quét văn bản đến"
MAX_UPLOADS = 100
OVERRIDE_MIN = 15
OVERRIDE_MAX = 1000
NOTHING_CHOSEN = "Hãy chọn ít nhất một tệp bản quét."
TOO_MANY = f"Tối đa {MAX_UPLOADS} tệp một lần; hãy chia thành nhiều lần tải lên."
NOT_A_SCAN = (
    "Tệp “{name}” không phải bản quét (PDF, JPEG, PNG, TIFF); văn bản điện tử được vào sổ ở "
    "trang “Vào sổ văn bản đến”."
)
ONLY_BLANK = "Tệp “{name}” chỉ có trang trắng: không có văn bản nào để vào sổ."
READ_FAILED = (
    "Không đọc được bản quét do lỗi của hệ thống. Vẫn có thể vào sổ bằng cách nhập các trường; "
    "bản quét được giữ nguyên."
)
CLOSED = {
    ScanItem.Status.REGISTERED: "Bản quét này đã được vào sổ.",
    ScanItem.Status.DISCARDED: "Bản quét này đã bị bỏ.",
}
BEING_READ = "Bản quét đang được đọc; hãy chờ đọc xong rồi vào sổ."
OVERRIDE_SHORT = (
    f"Hãy ghi lý do vẫn vào sổ, ít nhất {OVERRIDE_MIN} ký tự (ví dụ: chữ “MẬT” là một phần tên "
    "đơn vị, không phải dấu chỉ độ mật)."
)
OVERRIDE_LONG = f"Lý do dài quá {OVERRIDE_MAX} ký tự; hãy viết ngắn lại."
REREAD_ONLY = "Chỉ đọc lại được bản quét đọc bị lỗi hoặc đọc quá lâu không xong."
STALL_MARGIN = dt.timedelta(minutes=2)


def secrecy_refusal(level: str) -> str:
    """R13, as the item's page and the refused registration say it."""
    return (
        f"Bản quét có dấu chỉ độ mật “{level}”: văn bản mật không được đưa vào hệ thống (Quy chế, "
        "Điều 4); hãy xử lý theo quy định về bảo vệ bí mật nhà nước. Chỉ vào sổ khi chắc chắn đó "
        "không phải dấu chỉ độ mật, và ghi rõ lý do."
    )


# ---------------------------------------------------------------- storage


def _store(data: bytes, file_format: str) -> str:
    today = clock.now().date()
    extension = EXTENSIONS[file_format][0]
    name = f"{STORAGE_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(data))


def _discard_later(*names: str) -> None:
    """Remove stored files once the transaction that forgot them commits."""
    kept = [name for name in names if name]

    def discard() -> None:
        for name in kept:
            file_discard(name)

    if kept:
        transaction.on_commit(discard)


def _enqueue_read(item_ids: list[int]) -> None:
    from .tasks import scan_read_task  # the task module imports this one

    def enqueue() -> None:
        for item_id in item_ids:
            scan_read_task.enqueue(item_id)

    transaction.on_commit(enqueue)


# ---------------------------------------------------------------- uploading


@dataclass
class FileRefusal:
    name: str
    message: str


@dataclass
class UploadOutcome:
    items: list[ScanItem] = field(default_factory=list)
    refused: list[FileRefusal] = field(default_factory=list)


def _parts(prepared: PreparedFile, split: bool) -> list[tuple[int | None, PreparedFile]]:
    """The documents of one upload: the file itself, or its parts between blank pages."""
    if not split or prepared.file_format != "pdf":
        return [(None, prepared)]
    pieces = split_at_blank_pages(prepared.data)
    if not pieces:
        raise ServiceError(ONLY_BLANK.format(name=prepared.original_name), field="files")
    if len(pieces) == 1:
        return [(None, prepared)]
    stem = prepared.original_name.rsplit(".", 1)[0]
    return [
        (
            number,
            PreparedFile(
                original_name=safe_file_name(f"{stem} (phần {number}).pdf", "pdf"),
                data=piece,
                file_format="pdf",
                content_type=FORMATS["pdf"],
                size=len(piece),
                sha256=hashlib.sha256(piece).hexdigest(),
                text="",
            ),
        )
        for number, piece in enumerate(pieces, start=1)
    ]


def scan_upload(
    *,
    actor: User,
    unit: Unit,
    uploads: list[UploadedFile[bytes]],
    split_blank: bool = False,
    ip: str | None = None,
) -> UploadOutcome:
    """The clerk uploads several scans at once (R16): one queue item per file, or per document
    of a PDF split at its blank separator pages (`split_blank`).

    Each file passes the one gate of every upload (`file_prepare`: size, malware, format, active
    content, a secrecy stamp in its text layer: R13, R20); a refused file is named with its
    reason and the others are still queued. The files are stored, then the items and one audit
    event written in one transaction; each item is read in the background after the commit.
    """
    require_clerk(actor, unit)
    if not uploads:
        raise ServiceError(NOTHING_CHOSEN, field="files")
    if len(uploads) > MAX_UPLOADS:
        raise ServiceError(TOO_MANY, field="files")
    policy = DocumentPolicy.current()
    outcome = UploadOutcome()
    accepted: list[tuple[str, int | None, PreparedFile]] = []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        try:
            prepared = file_prepare(upload, actor=actor, unit=unit, policy=policy, source=SOURCE)
            if prepared.file_format not in ocr.OCR_FORMATS:
                raise ServiceError(NOT_A_SCAN.format(name=prepared.original_name), field="files")
            accepted.extend(
                (prepared.original_name, part, piece)
                for part, piece in _parts(prepared, split_blank)
            )
        except ServiceError as exc:
            outcome.refused.append(FileRefusal(name, exc.message))
    if not accepted:
        return outcome
    stored: list[str] = []
    try:
        for _source, _part, piece in accepted:
            stored.append(_store(piece.data, piece.file_format))
        with transaction.atomic():
            now = clock.now()
            outcome.items = [
                ScanItem.objects.create(
                    unit=unit,
                    uploaded_by=actor,
                    uploaded_at=now,
                    storage_name=name,
                    original_name=piece.original_name,
                    file_format=piece.file_format,
                    content_type=piece.content_type,
                    size=piece.size,
                    sha256=piece.sha256,
                    source_name=source if part is not None else "",
                    part=part,
                )
                for (source, part, piece), name in zip(accepted, stored, strict=True)
            ]
            audit_record(
                actor=actor,
                action="paper.scan_upload",
                unit=unit,
                ip=ip,
                data={
                    "items": [
                        {"id": item.pk, "name": item.original_name, "sha256": item.sha256}
                        for item in outcome.items
                    ],
                    "refused": [refusal.name for refusal in outcome.refused],
                    "split_blank": split_blank,
                },
            )
            _enqueue_read([item.pk for item in outcome.items])
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    return outcome


# ---------------------------------------------------------------- reading


def _layout(page: OcrPage) -> dict[str, Any]:
    """The first page as read, for the record: its size and lines with their boxes."""
    return {
        "width": page.width,
        "height": page.height,
        "lines": [
            {
                "text": line.text,
                "box": list(line.box),
                "confidence": mean_confidence([OcrPage(page.width, page.height, (line,))]),
            }
            for line in page.lines
        ],
    }


def _document_types() -> list[tuple[int, str]]:
    """The active document types as `propose` matches them: (id, name)."""
    return list(
        DocumentType.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
    )


def _proposal_json(proposal: Any) -> dict[str, dict[str, str]]:
    """The proposed fields that hold a value, as JSON: value, the text read, a note."""
    fields: dict[str, dict[str, str]] = {}
    for name, proposed in proposal.fields.items():
        value = "" if proposed.value is None else str(proposed.value)
        if value.strip():
            fields[name] = {
                "value": value,
                "read": str(proposed.read or ""),
                "note": str(proposed.note or ""),
            }
    return fields


def _fail(item_id: int, message: str) -> str:
    with transaction.atomic():
        ScanItem.objects.filter(pk=item_id, status=ScanItem.Status.READING).update(
            status=ScanItem.Status.FAILED, error=message, read_at=clock.now()
        )
    return "failed"


def scan_read(*, item_id: int) -> str:
    """Read one queued scan: OCR, the fields proposed from its first page, its secrecy stamps.

    Idempotent: only an item waiting to be read is read (a worker that picks it up a second time
    does nothing). OCR that is switched off, unavailable or fails leaves the item "Lỗi" with the
    reason in Vietnamese; the clerk can still register it by hand. The PDF/A copy OCR made is
    stored and hashed now, so that registering does not read the scan a second time.
    """
    with transaction.atomic():
        item = ScanItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status != ScanItem.Status.WAITING:
            return "skipped"
        item.status = ScanItem.Status.READING
        item.reading_since = clock.now()
        item.save(update_fields=["status", "reading_since"])
    problem = ocr.ocr_problem()
    if problem:
        return _fail(item_id, problem)
    try:
        data = file_read_verified(item.storage_name, item.sha256)
        result = ocr.ocr_scan(data, item.file_format)
        pages = list(result.pages)
        marks = scan_secrecy_marks(pages)
        proposal = propose(pages, directory=agency_directory(), document_types=_document_types())
    except (ocr.OcrError, FileUnavailable) as exc:
        return _fail(item_id, exc.message)
    except Exception:
        logger.exception("Reading scan item %s failed", item_id)
        return _fail(item_id, READ_FAILED)
    stored = _store(result.pdf, "pdf")
    try:
        with transaction.atomic():
            item = ScanItem.objects.select_for_update().get(pk=item_id)
            if item.status != ScanItem.Status.READING:
                # Registered by hand or discarded meanwhile: the copy is not needed.
                _discard_later(stored)
                return "skipped"
            item.ocr_storage_name = stored
            item.ocr_sha256 = hashlib.sha256(result.pdf).hexdigest()
            item.ocr_size = len(result.pdf)
            item.ocr_text = result.text
            item.ocr_confidence = result.confidence
            item.ocr_seconds = result.seconds
            item.page_count = result.page_count
            item.first_page = _layout(pages[0]) if pages else {}
            item.proposal = _proposal_json(proposal)
            item.secrecy_marks = marks
            item.error = ""
            item.read_at = clock.now()
            item.status = ScanItem.Status.SECRET if marks else ScanItem.Status.READY
            item.save()
    except BaseException:
        file_discard(stored)
        raise
    return str(item.status)


def reading_stalled(item: ScanItem) -> bool:
    """Being read for longer than OCR is allowed to take: the worker stopped in the middle."""
    if item.status != ScanItem.Status.READING or item.reading_since is None:
        return False
    allowed = dt.timedelta(seconds=settings.VANBAN_OCR_TIMEOUT) + STALL_MARGIN
    return clock.now() - item.reading_since > allowed


def scan_reread(*, actor: User, item: ScanItem, ip: str | None = None) -> None:
    """Read again an item whose reading failed (OCR was unavailable, since repaired) or stalled
    (the worker stopped while reading it)."""
    require_clerk(actor, item.unit)
    with transaction.atomic():
        locked = ScanItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != ScanItem.Status.FAILED and not reading_stalled(locked):
            raise ServiceError(REREAD_ONLY)
        locked.status = ScanItem.Status.WAITING
        locked.error = ""
        locked.save(update_fields=["status", "error"])
        audit_record(
            actor=actor, action="paper.scan_reread", unit=locked.unit, target=locked, ip=ip
        )
        _enqueue_read([locked.pk])


# ---------------------------------------------------------------- registering, discarding


def _open_item(item: ScanItem) -> ScanItem:
    """The item locked for the rest of the transaction, refused once it left the queue."""
    locked = ScanItem.objects.select_for_update().get(pk=item.pk)
    if locked.status in CLOSED:
        raise ServiceError(CLOSED[ScanItem.Status(locked.status)])
    return locked


def _override_reason(item: ScanItem, reason: str) -> str:
    """R13: a scan stamped secret enters only with the clerk's reason it is no secret."""
    reason = " ".join(reason.split())
    if not item.secrecy_marks:
        return ""
    if len(reason) < OVERRIDE_MIN:
        message = secrecy_refusal(item.secrecy_level)
        if reason:
            message = OVERRIDE_SHORT
        raise ServiceError(message, field="override_reason")
    if len(reason) > OVERRIDE_MAX:
        raise ServiceError(OVERRIDE_LONG, field="override_reason")
    return reason


def _ocr_result(item: ScanItem) -> Any:
    """What OCR read, as `ocr_attach` takes it, from the stored copy: no second reading."""
    return ocr.OcrResult(
        pdf=file_read_verified(item.ocr_storage_name, item.ocr_sha256),
        text=item.ocr_text,
        confidence=item.ocr_confidence,
        # Without the layout: a stamp was dealt with before registering (R13: refused, or
        # overridden with the clerk's reason, audited here), not flagged again afterwards.
        pages=[],
        page_count=item.page_count or 0,
        seconds=item.ocr_seconds or 0.0,
    )


def scan_register(
    *,
    actor: User,
    item: ScanItem,
    data: DocumentInput,
    refusals: Refusals,
    attachments: list[UploadedFile[bytes]] | None = None,
    confirm_duplicate: bool = False,
    signature_reason: str = "",
    override_reason: str = "",
    ip: str | None = None,
) -> Document:
    """Register a queued scan as an incoming document (R16; NĐ 30/2020 Art. 22).

    The scan as uploaded is the main file (`documents.services.incoming_register`: the same
    checks, number and refusals as the registration page); the PDF/A copy OCR made is attached
    beside it with its text in search (`ocr_attach`), without reading the scan again. A scan
    stamped MẬT, TỐI MẬT or TUYỆT MẬT is refused unless the clerk states why it is no secret
    document (R13): the reason is kept on the item and audited. A refusal changes nothing.
    """
    require_clerk(actor, item.unit)
    with transaction.atomic():
        locked = _open_item(item)
        if locked.status == ScanItem.Status.READING and not reading_stalled(locked):
            raise ServiceError(BEING_READ)
        reason = _override_reason(locked, override_reason)
        scan = SimpleUploadedFile(
            locked.original_name,
            file_read_verified(locked.storage_name, locked.sha256),
            content_type=locked.content_type,
        )
        document = incoming_register(
            actor=actor,
            unit=locked.unit,
            data=data,
            refusals=refusals,
            main_file=scan,
            attachments=attachments,
            confirm_duplicate=confirm_duplicate,
            signature_reason=signature_reason,
            ip=ip,
        )
        if locked.ocr_storage_name:
            main = document.files.get(role=DocumentFile.Role.MAIN)
            ocr_attach(original=main, result=_ocr_result(locked))
        now = clock.now()
        _discard_later(locked.storage_name, locked.ocr_storage_name)
        locked.status = ScanItem.Status.REGISTERED
        locked.document = document
        locked.storage_name = locked.ocr_storage_name = ""
        locked.closed_by, locked.closed_at = actor, now
        if reason:
            locked.override_reason = reason
            locked.override_by, locked.override_at = actor, now
        locked.save()
        if reason:
            audit_record(
                actor=actor,
                action="paper.secrecy_override",
                unit=locked.unit,
                target=document,
                ip=ip,
                data={"item": locked.pk, "marks": locked.secrecy_marks, "reason": reason},
            )
        audit_record(
            actor=actor,
            action="paper.scan_register",
            unit=locked.unit,
            target=document,
            ip=ip,
            data={
                "item": locked.pk,
                "sha256": locked.sha256,
                "ocr_sha256": locked.ocr_sha256,
                "proposed": sorted(locked.proposal or {}),
            },
        )
    return document


def scan_discard(*, actor: User, item: ScanItem, ip: str | None = None) -> None:
    """The clerk discards a scan (a page scanned twice, a blank sheet, a letter not to be
    registered): it leaves the queue and its files are removed; the row stays as the record."""
    require_clerk(actor, item.unit)
    with transaction.atomic():
        locked = _open_item(item)
        _discard_later(locked.storage_name, locked.ocr_storage_name)
        locked.status = ScanItem.Status.DISCARDED
        locked.storage_name = locked.ocr_storage_name = ""
        locked.closed_by, locked.closed_at = actor, clock.now()
        locked.save()
        audit_record(
            actor=actor,
            action="paper.scan_discard",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={"name": locked.original_name, "sha256": locked.sha256},
        )
