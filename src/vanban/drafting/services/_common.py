"""What the drafting services share: limits and refusals, the draft's row lock, trail
entries, audit events, notifications, the units a draft is issued in, and the stored files of
its versions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc
from vanban.documents import pdfconvert
from vanban.documents.files import (
    EXTENSIONS,
    PreparedFile,
    file_prepare,
)

from ..models import (
    Draft,
    DraftEvent,
    DraftRecipient,
    DraftStatus,
    DraftVersion,
)

STORAGE_PREFIX = "drafts"  # `vanban files check` walks it too (see apps.py)
MAX_TEXT = 4000
MAX_RECIPIENTS_TEXT = 1000  # Nơi nhận of the outgoing register (Appendix VI)

MSG_ISSUED = "Dự thảo đã được ban hành; không thay đổi được nữa."
MSG_DRAFTER_ONLY = "Chỉ người soạn thảo được thực hiện thao tác này."
MSG_CLERK_ONLY = "Chỉ văn thư của cơ quan ban hành được cấp số và ban hành văn bản."
MSG_NO_PDF = "Hãy tải lên bản PDF của dự thảo."
MSG_NOT_CONVERTIBLE = (
    "Tệp {format} không chuyển sang PDF được: chỉ trình kiểm tra, phê duyệt và ký số được bản "
    "PDF (hoặc tệp Word, ODT được máy chủ chuyển sang PDF). Hãy tải lên bản PDF của dự thảo."
)
STATUS_REFUSALS = {
    DraftStatus.DRAFTING: "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
    DraftStatus.REVIEWING: "Dự thảo đang được kiểm tra nội dung và thể thức.",
    DraftStatus.APPROVING: "Dự thảo đang chờ phê duyệt.",
    DraftStatus.APPROVED: "Dự thảo đã được phê duyệt, đang chờ văn thư ban hành.",
    DraftStatus.ISSUED: MSG_ISSUED,
}


# ---------------------------------------------------------------- helpers


def _text(
    value: Any, *, label: str, field: str, max_length: int = MAX_TEXT, required: bool = False
) -> str:
    text = nfc(str(value or ""))
    if required and not text:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(text) > max_length:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field
        )
    return text


def _check_status(draft: Draft, *allowed: str) -> None:
    if draft.status not in allowed:
        raise ServiceError(STATUS_REFUSALS[DraftStatus(draft.status)])


def _lock(draft: Draft) -> Draft:
    """The draft row, locked and read again; every writer locks it before checking its state."""
    return (
        Draft.objects.select_for_update(of=("self",))
        .select_related("current_version", "unit", "issuing_unit", "document_type")
        .get(pk=draft.pk)
    )


def _trail(
    draft: Draft,
    action: str,
    actor: User,
    *,
    text: str = "",
    version: DraftVersion | None = None,
    at: dt.datetime | None = None,
) -> DraftEvent:
    return DraftEvent.objects.create(
        draft=draft,
        action=action,
        actor=actor,
        actor_name=actor.full_name,
        actor_position=actor.position,
        version=version,
        text=text,
        at=at or clock.now(),
    )


def _audit(actor: User, action: str, draft: Draft, ip: str | None, **data: Any) -> None:
    audit_record(
        actor=actor, action=f"draft.{action}", unit=draft.unit, target=draft, ip=ip, data=data
    )


def _touch(draft: Draft, now: dt.datetime, *fields: str) -> None:
    draft.updated_at = now
    draft.save(update_fields=[*fields, "updated_at"])


def draft_label(draft: Draft) -> str:
    return f"{draft.document_type.name}: {draft.subject[:80]}"


def _notify(users: list[User], draft: Draft, title: str, body: str = "") -> None:
    people = [u for u in users if u is not None and u.is_active]
    if people:
        notification_send(
            recipients=people,
            title=title,
            body=body or draft.subject,
            link=reverse("drafting:draft_detail", kwargs={"pk": draft.pk}),
        )


def _active_in(unit_ids: list[int], role: str) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__unit_id__in=unit_ids,
            role_assignments__role=role,
            status=AccountStatus.ACTIVE,
        ).distinct()
    )


def issuing_units_for(user: User) -> list[Unit]:
    """The drafter's unit and the units above it: a draft is issued in the name of one of them."""
    units: list[Unit] = []
    unit: Unit | None = user.unit
    while unit is not None and len(units) < 10:
        if unit.is_active:
            units.append(unit)
        unit = unit.parent
    return units


def subtree_ids(unit: Unit) -> list[int]:
    """The unit and every unit below it (the tree has at most four levels)."""
    ids = [unit.pk]
    level = [unit.pk]
    while level:
        level = list(Unit.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids.extend(level)
    return ids


# ---------------------------------------------------------------- files


def _prepare(upload: UploadedFile[bytes] | None, *, actor: User) -> PreparedFile:
    """Format from content, size limit, secrecy stamps (R13), as for registered documents."""
    if upload is None:
        raise ServiceError("Hãy chọn tệp nội dung dự thảo.", field="content_file")
    try:
        return file_prepare(upload, actor=actor, source="Dự thảo văn bản")
    except ServiceError as exc:
        raise ServiceError(exc.message, field="content_file") from exc


def _page_count(prepared: PreparedFile) -> int | None:
    if prepared.file_format != "pdf":
        return None
    return _pdf_pages(prepared.data)


def _pdf_pages(data: bytes) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(BytesIO(data)).pages)
    except Exception:  # a PDF pypdf cannot read still has a content; the count is optional
        return None


@dataclass
class Converted:
    """The PDF/A made from a word processing version, before and after it is stored; or why
    there is none (`note`)."""

    pdf: bytes = b""
    storage_name: str = ""
    sha256: str = ""
    page_count: int | None = None
    note: str = ""


def _convert(prepared: PreparedFile) -> Converted:
    """The PDF/A-2b of a DOCX, DOC or ODT version, made on the server before anything is
    stored (documents.pdfconvert): what the checkers read, the signer approves and signs.

    A file LibreOffice cannot convert (broken, past the deadline) is refused with the reason and
    nothing is stored. Without LibreOffice the version is kept without a PDF and the reason is
    noted: the draft cannot go to checking, approval or signing until a PDF version exists.
    Other formats (spreadsheets, images) are not converted and say so.
    """
    if prepared.file_format == "pdf":
        return Converted()
    if prepared.file_format not in pdfconvert.CONVERTIBLE:
        return Converted(note=MSG_NOT_CONVERTIBLE.format(format=prepared.file_format.upper()))
    try:
        pdf = pdfconvert.to_pdfa(prepared.data, prepared.file_format, name=prepared.original_name)
    except pdfconvert.SofficeMissing as exc:
        return Converted(note=exc.message)
    except pdfconvert.ConversionFailed as exc:
        raise ServiceError(exc.message, field="content_file") from exc
    return Converted(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), page_count=_pdf_pages(pdf))


def _store_converted(converted: Converted) -> Converted:
    """Write the converted PDF beside its version under a fresh name (never written again)."""
    if converted.pdf:
        today = clock.now().date()
        name = f"{STORAGE_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}.pdf"
        converted.storage_name = default_storage.save(name, ContentFile(converted.pdf))
    return converted


def _store(prepared: PreparedFile) -> str:
    """Write a version under a fresh name; a stored version is never written again."""
    today = clock.now().date()
    extension = EXTENSIONS[prepared.file_format][0]
    name = f"{STORAGE_PREFIX}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(prepared.data))


def _discard(name: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(name)


def _version(
    draft: Draft,
    *,
    number: int,
    prepared: PreparedFile,
    name: str,
    actor: User,
    note: str,
    at: Any,
    converted: Converted | None = None,
) -> DraftVersion:
    converted = converted or Converted()
    return DraftVersion.objects.create(
        draft=draft,
        number=number,
        storage_name=name,
        original_name=prepared.original_name,
        file_format=prepared.file_format,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        page_count=_page_count(prepared),
        note=note,
        uploaded_by=actor,
        uploaded_at=at,
        pdf_storage_name=converted.storage_name,
        pdf_sha256=converted.sha256 if converted.storage_name else "",
        pdf_size=len(converted.pdf) if converted.storage_name else None,
        pdf_page_count=converted.page_count if converted.storage_name else None,
        pdf_note=converted.note,
    )


def _require_pdf(draft: Draft, *, step: str) -> None:
    """The latest version has a PDF to show (its own or converted), else `step` is refused
    with the reason: a draft reaches checking, approval and signing only as a PDF."""
    version = draft.current_version
    if version is not None and version.has_pdf:
        return
    reason = version.pdf_note if version is not None and version.pdf_note else MSG_NO_PDF
    raise ServiceError(f"Chưa {step} được: phiên bản mới nhất chưa có bản PDF. {reason}")


def recipients_text(rows: list[DraftRecipient]) -> str:
    """Nơi nhận as written in the outgoing register: "Sở Nội vụ; Bộ Nội vụ (000.00.00.G12)"."""
    return "; ".join(row.label for row in rows)
