"""Drafting, checking, approving and issuing outgoing documents (NĐ 30/2020 Art. 10-14, 18;
issue 4 point 3), and the exchange inside the deployment on issue (R15).

The steps and who takes them:
- the drafter creates the draft with its content file and uploads new versions (`draft_create`,
  `draft_version_add`), asks people for comments (`draft_comments_request`), who answer
  (`draft_comment`), and sends it for checking (`draft_submit`);
- the head of the drafting unit (one of its leaders) checks the content (`draft_review_content`)
  and the assigned checker the format (`draft_check_format`); both passing sends it to the signer,
  either returning it sends it back to the drafter;
- the competent signer (a leader of the issuing unit) approves it or returns it
  (`draft_approve`); a new version after the approval voids it and needs approval again;
- the issuing unit's clerk numbers, registers and issues it (`draft_issue`): the latest version
  becomes the main file of the outgoing document, and each recipient unit of the deployment gets
  it in its reception queue in the same transaction.

Every service checks permission first, locks the draft row before checking its state, writes one
trail entry and one audit event, and changes nothing when refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.urls import reverse

from vanban.accounts.models import AGENCY_CODE_RE, AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc
from vanban.documents.files import (
    EXTENSIONS,
    FileUnavailable,
    PreparedFile,
    file_discard,
    file_prepare,
    file_read_verified,
    file_stream_verified,
    file_verify,
)
from vanban.documents.models import Direction, Document, DocumentType, Urgency
from vanban.documents.services import (
    DocumentInput,
    Refusals,
    _check_refusals,
    local_today,
    outgoing_register,
)
from vanban.exchange.models import BusinessType, DocumentRecall
from vanban.exchange.sending import Recipient, document_send
from vanban.signatures import services as signing
from vanban.signatures.models import Trigger
from vanban.signatures.services import OrganisationKey
from vanban.signatures.verify import Report
from vanban.workflow.access import authority_of
from vanban.workflow.models import Delegation

from .models import (
    Authority,
    Decision,
    Draft,
    DraftAction,
    DraftComment,
    DraftEvent,
    DraftRecipient,
    DraftStatus,
    DraftVersion,
)
from .signing import signed_for_issue

STORAGE_PREFIX = "drafts"  # `vanban files check` walks it too (see apps.py)
MAX_TEXT = 4000
MAX_RECIPIENTS_TEXT = 1000  # Nơi nhận of the outgoing register (Appendix VI)

MSG_ISSUED = "Dự thảo đã được ban hành; không thay đổi được nữa."
MSG_DRAFTER_ONLY = "Chỉ người soạn thảo được thực hiện thao tác này."
MSG_CLERK_ONLY = "Chỉ văn thư của cơ quan ban hành được cấp số và ban hành văn bản."
STATUS_REFUSALS = {
    DraftStatus.DRAFTING: "Dự thảo đang được soạn thảo, chưa được trình kiểm tra.",
    DraftStatus.REVIEWING: "Dự thảo đang được kiểm tra nội dung và thể thức.",
    DraftStatus.APPROVING: "Dự thảo đang chờ phê duyệt.",
    DraftStatus.APPROVED: "Dự thảo đã được phê duyệt, đang chờ văn thư ban hành.",
    DraftStatus.ISSUED: MSG_ISSUED,
}


@dataclass
class DraftInput:
    """What the drafter types about the document to be issued."""

    document_type: DocumentType | None
    subject: str
    urgency: int = Urgency.NORMAL
    legal_normative: bool = False
    due_date: dt.date | None = None
    authority: str = ""
    authority_title: str = ""
    signer_position: str = ""


@dataclass
class ExternalRecipient:
    """A body outside the deployment: name, and its agency code when known."""

    name: str
    agency_code: str = ""


# ---------------------------------------------------------------- helpers


def _text(
    value: Any, *, label: str, field: str, max_length: int = MAX_TEXT, required: bool = False
) -> str:
    value = nfc(str(value or ""))
    if required and not value:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(value) > max_length:
        raise ServiceError(
            f"{label[0].upper()}{label[1:]} dài quá {max_length} ký tự.", field=field
        )
    return value


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


def _prepare(upload: UploadedFile | None, *, actor: User) -> PreparedFile:
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
    try:
        from pypdf import PdfReader

        return len(PdfReader(BytesIO(prepared.data)).pages)
    except Exception:  # a PDF pypdf cannot read still has a content; the count is optional
        return None


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
    draft: Draft, *, number: int, prepared: PreparedFile, name: str, actor: User, note: str, at: Any
) -> DraftVersion:
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
    )


# ---------------------------------------------------------------- creating


def _clean_signer_block(data: DraftInput) -> tuple[str, str, str]:
    authority = data.authority or ""
    if authority not in Authority.values:
        raise ServiceError("Thẩm quyền ký không hợp lệ.", field="authority")
    title = _text(
        data.authority_title,
        label="tập thể hoặc người đứng đầu được thay mặt",
        field="authority_title",
        max_length=100,
        required=bool(authority),
    )
    position = _text(
        data.signer_position,
        label="chức vụ người ký",
        field="signer_position",
        max_length=100,
        required=authority != Authority.Q,
    )
    if not authority:
        title = ""
    if authority == Authority.Q:
        position = ""
    return authority, title, position


def _clean_recipients(
    *, issuing_unit: Unit, units: list[Unit], external: list[ExternalRecipient]
) -> list[DraftRecipient]:
    rows: list[DraftRecipient] = []
    seen: set[int] = set()
    for unit in units:
        if unit.pk == issuing_unit.pk:
            raise ServiceError(
                "Nơi nhận trong hệ thống không gồm chính cơ quan ban hành.", field="recipient_units"
            )
        if not unit.is_active:
            raise ServiceError(
                f"Đơn vị “{unit.name}” không còn hoạt động.", field="recipient_units"
            )
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        rows.append(DraftRecipient(unit=unit, name=unit.name, agency_code=unit.agency_code))
    for item in external:
        name = _text(
            item.name, label="tên cơ quan nhận", field="external_recipients", max_length=200
        )
        code = (item.agency_code or "").strip().upper()
        if not name:
            continue
        if code and not AGENCY_CODE_RE.match(code):
            raise ServiceError(
                f"Mã định danh “{code}” của {name} phải có dạng V1V2V3.Z1Z2.Y1Y2.H##.",
                field="external_recipients",
            )
        rows.append(DraftRecipient(name=name, agency_code=code))
    if not rows:
        raise ServiceError(
            "Hãy chọn ít nhất một nơi nhận (đơn vị trong hệ thống hoặc cơ quan ngoài hệ thống).",
            field="recipient_units",
        )
    if len(recipients_text(rows)) > MAX_RECIPIENTS_TEXT:
        raise ServiceError(
            f"Danh sách nơi nhận dài quá {MAX_RECIPIENTS_TEXT} ký tự của sổ văn bản đi.",
            field="external_recipients",
        )
    for order, row in enumerate(rows):
        row.order = order
    return rows


def recipients_text(rows: list[DraftRecipient]) -> str:
    """Nơi nhận as written in the outgoing register: "Sở Nội vụ; Bộ Nội vụ (000.00.00.G12)"."""
    return "; ".join(row.label for row in rows)


def _check_signer(signer: User | None, issuing_unit: Unit) -> User:
    if signer is None or not signer.is_active or not signer.has_role(Role.LEADER, issuing_unit):
        raise ServiceError(
            "Người ký phải là lãnh đạo đang hoạt động của cơ quan ban hành.", field="signer"
        )
    return signer


def _check_original(
    actor: User, business_type: int, original: Document | None, issuing_unit: Unit
) -> Document | None:
    if business_type == BusinessType.NEW:
        return None
    if business_type not in (BusinessType.UPDATE, BusinessType.REPLACE):
        raise ServiceError("Loại nghiệp vụ không hợp lệ.", field="business_type")
    if original is None:
        raise ServiceError(
            "Hãy chọn văn bản được cập nhật hoặc thay thế.", field="original_document"
        )
    seen = (
        Document.objects.visible_to(actor).filter(pk=original.pk).exists()
        or Draft.objects.visible_to(actor).filter(document=original).exists()
    )
    if not seen:
        raise NotFound("Không tìm thấy văn bản được cập nhật hoặc thay thế.")
    if original.direction != Direction.OUTGOING or original.unit_id != issuing_unit.pk:
        raise ServiceError(
            "Văn bản được cập nhật hoặc thay thế phải là văn bản đi của cơ quan ban hành.",
            field="original_document",
        )
    if DocumentRecall.objects.filter(document=original).exists():
        raise ServiceError(
            "Văn bản đã bị thu hồi nên không cập nhật hoặc thay thế được.",
            field="original_document",
        )
    return original


def _create_check(
    *, actor: User, issuing_unit: Unit, data: DraftInput, refusals: Refusals
) -> tuple[DocumentType, str]:
    """Who may create a draft in whose name, secrecy (R13), and the typed fields (Art. 10).

    Returns the document type and the cleaned subject.
    """
    _require_active(actor)
    if issuing_unit.pk not in {u.pk for u in issuing_units_for(actor)}:
        raise ServiceError(
            "Cơ quan ban hành phải là đơn vị của bạn hoặc đơn vị cấp trên.", field="issuing_unit"
        )
    _check_refusals(
        Refusals(secrecy=refusals.secrecy, sensitive_declared=refusals.sensitive_declared)
    )
    if not isinstance(data.document_type, DocumentType) or not data.document_type.is_active:
        raise ServiceError("Hãy chọn loại văn bản.", field="document_type")
    subject = _text(data.subject, label="trích yếu", field="subject", max_length=500, required=True)
    if data.urgency not in Urgency.values:
        raise ServiceError("Độ khẩn không hợp lệ.", field="urgency")
    if data.due_date is not None and data.due_date < local_today():
        raise ServiceError("Hạn trả lời không thể trước ngày hôm nay.", field="due_date")
    return data.document_type, subject


@dataclass
class _CleanDraft:
    """A new draft's checked values, between the checks and the transaction that saves them."""

    document_type: DocumentType
    subject: str
    signer: User
    authority: str
    authority_title: str
    signer_position: str
    original: Document | None
    recipients: list[DraftRecipient]
    note: str


def _create_record(
    *,
    actor: User,
    issuing_unit: Unit,
    data: DraftInput,
    clean: _CleanDraft,
    business_type: int,
    prepared: PreparedFile,
    name: str,
    ip: str | None,
) -> Draft:
    """Save the draft, its recipients and first version, with its trail entry and audit event."""
    now = clock.now()
    original = clean.original
    draft = Draft.objects.create(
        unit=actor.unit,
        issuing_unit=issuing_unit,
        drafter=actor,
        document_type=clean.document_type,
        subject=clean.subject,
        urgency=data.urgency,
        legal_normative=bool(data.legal_normative),
        due_date=data.due_date,
        sensitive_declared=True,
        business_type=business_type if original else BusinessType.NEW,
        original_document=original,
        signer=clean.signer,
        authority=clean.authority,
        authority_title=clean.authority_title,
        signer_position=clean.signer_position,
        created_at=now,
        updated_at=now,
    )
    for row in clean.recipients:
        row.draft = draft
    DraftRecipient.objects.bulk_create(clean.recipients)
    version = _version(
        draft, number=1, prepared=prepared, name=name, actor=actor, note=clean.note, at=now
    )
    draft.current_version = version
    draft.save(update_fields=["current_version"])
    _trail(draft, DraftAction.CREATED, actor, text=clean.note, version=version, at=now)
    _audit(
        actor,
        "create",
        draft,
        ip,
        sensitive_declared=True,
        sha256=version.sha256,
        business_type=draft.business_type,
        original=original.pk if original else None,
    )
    return draft


def draft_create(
    *,
    actor: User,
    issuing_unit: Unit,
    data: DraftInput,
    signer: User | None,
    refusals: Refusals,
    content_file: UploadedFile | None,
    recipient_units: list[Unit] | None = None,
    external_recipients: list[ExternalRecipient] | None = None,
    note: str = "",
    business_type: int = BusinessType.NEW,
    original_document: Document | None = None,
    ip: str | None = None,
) -> Draft:
    """A person creates a draft in their unit with its first version (Art. 10).

    Issued in the name of the drafter's unit or a unit above it; refused, with nothing stored,
    when the document is declared secret, the declaration about sensitive matters is missing,
    or the file is not an allowed format, too large or carries a secrecy stamp (R13). The
    signer is a leader of the issuing unit; the signer block follows the authority form.
    """
    document_type, subject = _create_check(
        actor=actor, issuing_unit=issuing_unit, data=data, refusals=refusals
    )
    authority, title, position = _clean_signer_block(data)
    clean = _CleanDraft(
        document_type=document_type,
        subject=subject,
        signer=_check_signer(signer, issuing_unit),
        authority=authority,
        authority_title=title,
        signer_position=position,
        original=_check_original(actor, business_type, original_document, issuing_unit),
        recipients=_clean_recipients(
            issuing_unit=issuing_unit,
            units=list(recipient_units or []),
            external=list(external_recipients or []),
        ),
        note=_text(note, label="ghi chú phiên bản", field="note", max_length=500),
    )
    prepared = _prepare(content_file, actor=actor)
    name = _store(prepared)
    try:
        with transaction.atomic():
            draft = _create_record(
                actor=actor,
                issuing_unit=issuing_unit,
                data=data,
                clean=clean,
                business_type=business_type,
                prepared=prepared,
                name=name,
                ip=ip,
            )
    except BaseException:
        _discard(name)
        raise
    return draft


# ---------------------------------------------------------------- versions


def draft_version_add(
    *,
    actor: User,
    draft: Draft,
    content_file: UploadedFile | None,
    note: str = "",
    ip: str | None = None,
) -> DraftVersion:
    """The drafter uploads a new version of the content file; the old ones stay as they were.

    Not while the content and format are being checked. After the approval, the approval is
    voided and the signer has to approve the new version (Art. 12: a change needs approval
    again).
    """
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    allowed = (DraftStatus.DRAFTING, DraftStatus.APPROVING, DraftStatus.APPROVED)
    _check_status(draft, *allowed)
    note = _text(note, label="nội dung thay đổi", field="note", max_length=500)
    prepared = _prepare(content_file, actor=actor)
    name = _store(prepared)
    try:
        with transaction.atomic():
            locked = _lock(draft)
            _check_status(locked, *allowed)
            now = clock.now()
            number = (locked.current_version.number if locked.current_version else 0) + 1
            version = _version(
                locked, number=number, prepared=prepared, name=name, actor=actor, note=note, at=now
            )
            voided = locked.status == DraftStatus.APPROVED
            locked.current_version = version
            fields = ["current_version"]
            if voided:
                locked.status = DraftStatus.APPROVING
                fields.append("status")
            _touch(locked, now, *fields)
            _trail(locked, DraftAction.VERSION, actor, text=note, version=version, at=now)
            if voided:
                _trail(
                    locked,
                    DraftAction.APPROVAL_VOIDED,
                    actor,
                    text=(
                        f"Phê duyệt phiên bản {locked.approved_version.number} "  # type: ignore[union-attr]
                        f"hết hiệu lực vì có phiên bản {number}; cần phê duyệt lại."
                    ),
                    version=version,
                    at=now,
                )
            _audit(
                actor, "version", locked, ip, number=number, sha256=version.sha256, voided=voided
            )
            if voided:
                _notify(
                    [locked.signer],
                    locked,
                    f"Cần phê duyệt lại dự thảo (phiên bản {number}): {draft_label(locked)}",
                )
    except BaseException:
        _discard(name)
        raise
    draft.refresh_from_db()
    return version


# ---------------------------------------------------------------- comments


# A draft is open for comments until it is issued (Art. 11).
_COMMENTABLE = (
    DraftStatus.DRAFTING,
    DraftStatus.REVIEWING,
    DraftStatus.APPROVING,
    DraftStatus.APPROVED,
)


def _comments_request_check(
    *, actor: User, draft: Draft, people: list[User], deadline: dt.date | None
) -> tuple[dict[int, User], dt.date]:
    """The drafter, a draft not yet issued, active people other than the drafter, and a
    deadline not in the past (Art. 11). Returns the people by primary key, and the deadline.
    """
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    _check_status(draft, *_COMMENTABLE)
    chosen = {p.pk: p for p in people if p.pk != actor.pk}
    if not chosen:
        raise ServiceError("Hãy chọn người được xin ý kiến (không phải chính bạn).", field="people")
    for person in chosen.values():
        if not person.is_active:
            raise ServiceError(f"Tài khoản {person.full_name} không hoạt động.", field="people")
    if deadline is None:
        raise ServiceError("Hãy nhập hạn góp ý.", field="deadline")
    if deadline < local_today():
        raise ServiceError("Hạn góp ý không thể trước ngày hôm nay.", field="deadline")
    return chosen, deadline


def _comments_fresh(*, locked: Draft, chosen: dict[int, User]) -> list[User]:
    """The chosen people not already waiting to answer on this draft; refused when none is."""
    waiting = set(
        DraftComment.objects.filter(
            draft=locked, person_id__in=chosen, answered_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    fresh = [p for pk, p in chosen.items() if pk not in waiting]
    if not fresh:
        raise ServiceError(
            "Những người được chọn đều đang được xin ý kiến và chưa trả lời.", field="people"
        )
    return fresh


def _comments_record(
    *,
    actor: User,
    locked: Draft,
    fresh: list[User],
    deadline: dt.date,
    note: str,
    ip: str | None,
) -> list[DraftComment]:
    """One request per person on the current version, the trail entry, the audit event, and a
    notification to each person asked.
    """
    now = clock.now()
    rows = DraftComment.objects.bulk_create(
        [
            DraftComment(
                draft=locked,
                person=person,
                requested_by=actor,
                request_note=note,
                deadline=deadline,
                version=locked.current_version,
                requested_at=now,
            )
            for person in fresh
        ]
    )
    names = ", ".join(p.full_name for p in fresh)
    _trail(
        locked,
        DraftAction.COMMENT_REQUEST,
        actor,
        text=f"Xin ý kiến: {names}; hạn {deadline:%d/%m/%Y}." + (f"\n{note}" if note else ""),
        version=locked.current_version,
        at=now,
    )
    _touch(locked, now)
    _audit(actor, "comment_request", locked, ip, people=[p.pk for p in fresh], deadline=deadline)
    _notify(
        fresh,
        locked,
        f"Xin ý kiến về dự thảo, hạn {deadline:%d/%m/%Y}: {draft_label(locked)}",
        note,
    )
    return rows


def draft_comments_request(
    *,
    actor: User,
    draft: Draft,
    people: list[User],
    deadline: dt.date | None,
    note: str = "",
    ip: str | None = None,
) -> list[DraftComment]:
    """The drafter asks people for comments on the current version, with a deadline (Art. 11).

    A person already asked and who has not answered yet is not asked twice.
    """
    chosen, deadline = _comments_request_check(
        actor=actor, draft=draft, people=people, deadline=deadline
    )
    note = _text(note, label="nội dung xin ý kiến", field="note", max_length=1000)
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, *_COMMENTABLE)
        fresh = _comments_fresh(locked=locked, chosen=chosen)
        return _comments_record(
            actor=actor, locked=locked, fresh=fresh, deadline=deadline, note=note, ip=ip
        )


def draft_comment(*, actor: User, draft: Draft, text: str, ip: str | None = None) -> DraftComment:
    """A person asked for comments gives them (a late comment is kept, and shows as late)."""
    _require_active(actor)
    request = (
        DraftComment.objects.filter(draft=draft, person=actor, answered_at__isnull=True)
        .order_by("requested_at", "pk")
        .first()
    )
    if request is None:
        raise AccessDenied("Bạn không được xin ý kiến về dự thảo này, hoặc đã góp ý.")
    _check_status(
        draft,
        DraftStatus.DRAFTING,
        DraftStatus.REVIEWING,
        DraftStatus.APPROVING,
        DraftStatus.APPROVED,
    )
    text = _text(text, label="ý kiến", field="text", required=True)
    with transaction.atomic():
        locked = _lock(draft)
        if locked.status == DraftStatus.ISSUED:
            raise ServiceError(MSG_ISSUED)
        request = DraftComment.objects.select_for_update().get(pk=request.pk)
        if request.answered_at is not None:
            raise ServiceError("Bạn đã góp ý cho lần xin ý kiến này.")
        now = clock.now()
        request.text = text
        request.answered_at = now
        request.save(update_fields=["text", "answered_at"])
        _trail(locked, DraftAction.COMMENT, actor, text=text, version=request.version, at=now)
        _touch(locked, now)
        _audit(actor, "comment", locked, ip, request=request.pk)
        _notify([locked.drafter], locked, f"{actor.full_name} đã góp ý dự thảo", text[:500])
    return request


# ---------------------------------------------------------------- checking and approval


def draft_submit(
    *,
    actor: User,
    draft: Draft,
    reviewer: User | None,
    checker: User | None,
    note: str = "",
    ip: str | None = None,
) -> Draft:
    """The drafter sends the draft for checking: its content to the head of the drafting unit
    (a leader of that unit), its format to an assigned checker of the issuing unit (Art. 12)."""
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    _check_status(draft, DraftStatus.DRAFTING)
    if reviewer is None or not reviewer.is_active or not reviewer.has_role(Role.LEADER, draft.unit):
        raise ServiceError(
            "Người kiểm tra nội dung phải là lãnh đạo đơn vị soạn thảo.", field="reviewer"
        )
    if (
        checker is None
        or not checker.is_active
        or checker.unit_id not in subtree_ids(draft.issuing_unit)
    ):
        raise ServiceError(
            "Người kiểm tra thể thức phải là cán bộ đang hoạt động của cơ quan ban hành.",
            field="checker",
        )
    if checker.pk == actor.pk:
        raise ServiceError(
            "Người kiểm tra thể thức phải là người khác người soạn thảo.", field="checker"
        )
    note = _text(note, label="nội dung trình", field="note")
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, DraftStatus.DRAFTING)
        now = clock.now()
        locked.status = DraftStatus.REVIEWING
        locked.reviewer = reviewer
        locked.checker = checker
        locked.content_decision = Decision.PENDING
        locked.format_decision = Decision.PENDING
        locked.content_at = locked.format_at = None
        _touch(
            locked,
            now,
            "status",
            "reviewer",
            "checker",
            "content_decision",
            "format_decision",
            "content_at",
            "format_at",
        )
        _trail(
            locked,
            DraftAction.SUBMITTED,
            actor,
            text=(
                f"Kiểm tra nội dung: {reviewer.full_name}; kiểm tra thể thức: {checker.full_name}."
                + (f"\n{note}" if note else "")
            ),
            version=locked.current_version,
            at=now,
        )
        _audit(actor, "submit", locked, ip, reviewer=reviewer.pk, checker=checker.pk)
        _notify([reviewer, checker], locked, f"Dự thảo chờ kiểm tra: {draft_label(locked)}", note)
    draft.refresh_from_db()
    return locked


def _after_check(locked: Draft, actor: User, now: dt.datetime) -> None:
    """Both checks passed: to the signer. One returned: back to the drafter."""
    if Decision.RETURNED in (locked.content_decision, locked.format_decision):
        locked.status = DraftStatus.DRAFTING
        _notify(
            [locked.drafter],
            locked,
            f"Dự thảo bị trả lại để sửa: {draft_label(locked)}",
        )
    elif locked.content_decision == locked.format_decision == Decision.ACCEPTED:
        locked.status = DraftStatus.APPROVING
        _notify([locked.signer], locked, f"Dự thảo chờ phê duyệt: {draft_label(locked)}")


def _check(
    *,
    actor: User,
    draft: Draft,
    accept: bool,
    note: str,
    ip: str | None,
    kind: str,
) -> Draft:
    is_content = kind == "content"
    person_field = "reviewer_id" if is_content else "checker_id"
    decision_field = "content_decision" if is_content else "format_decision"
    at_field = "content_at" if is_content else "format_at"
    _require_active(actor)
    if getattr(draft, person_field) != actor.pk:
        raise AccessDenied(
            "Chỉ lãnh đạo đơn vị được giao kiểm tra nội dung dự thảo."
            if is_content
            else "Chỉ người được giao kiểm tra thể thức dự thảo."
        )
    _check_status(draft, DraftStatus.REVIEWING)
    note = _text(note, label="ý kiến", field="note", required=not accept)

    def check_pending(item: Draft) -> None:
        _check_status(item, DraftStatus.REVIEWING)
        if getattr(item, decision_field) != Decision.PENDING:
            raise ServiceError(
                "Bạn đã kiểm tra nội dung dự thảo này."
                if is_content
                else "Bạn đã kiểm tra thể thức dự thảo này."
            )

    check_pending(draft)
    with transaction.atomic():
        locked = _lock(draft)
        if getattr(locked, person_field) != actor.pk:
            raise AccessDenied()
        check_pending(locked)
        now = clock.now()
        setattr(locked, decision_field, Decision.ACCEPTED if accept else Decision.RETURNED)
        setattr(locked, at_field, now)
        _after_check(locked, actor, now)
        _touch(locked, now, decision_field, at_field, "status")
        if is_content:
            action = DraftAction.CONTENT_ACCEPTED if accept else DraftAction.CONTENT_RETURNED
        else:
            action = DraftAction.FORMAT_ACCEPTED if accept else DraftAction.FORMAT_RETURNED
        _trail(locked, action, actor, text=note, version=locked.current_version, at=now)
        _audit(actor, f"{kind}_check", locked, ip, accepted=accept, status=locked.status)
    draft.refresh_from_db()
    return locked


def draft_review_content(
    *, actor: User, draft: Draft, accept: bool, note: str = "", ip: str | None = None
) -> Draft:
    """The head of the drafting unit checks the content (Art. 12): passes it, or returns it to
    the drafter with what to fix."""
    return _check(actor=actor, draft=draft, accept=accept, note=note, ip=ip, kind="content")


def draft_check_format(
    *, actor: User, draft: Draft, accept: bool, note: str = "", ip: str | None = None
) -> Draft:
    """The assigned checker checks the format and technique of presentation (Art. 12, 13)."""
    return _check(actor=actor, draft=draft, accept=accept, note=note, ip=ip, kind="format")


MSG_SIGNER_ONLY = "Chỉ người ký được phê duyệt dự thảo."
MSG_DELEGATION_INACTIVE = (
    "Ủy quyền của người ký cho bạn không có hiệu lực vào thời điểm này; "
    "chỉ người ký hoặc người được ủy quyền trong thời gian ủy quyền được phê duyệt dự thảo."
)


def signer_delegator(*, actor: User, draft: Draft, at: dt.datetime) -> User | None:
    """The draft's signer when `actor` acts for them at `at` under a delegation in force in the
    issuing unit (workflow.access.authority_of); else None."""
    for delegation in authority_of(actor, at=at).delegations:
        if (
            delegation.delegator_id == draft.signer_id
            and delegation.unit_id == draft.issuing_unit_id
        ):
            return delegation.delegator
    return None


def draft_approve(
    *, actor: User, draft: Draft, accept: bool = True, note: str = "", ip: str | None = None
) -> Draft:
    """The competent signer approves the current version (Art. 12-13), or returns the draft to
    the drafter. The approval holds for that version only. Until the signature issue adds the
    cryptography, this step records the approval and the signer."""
    _require_active(actor)
    now = clock.now()
    on_behalf_of = None
    if draft.signer_id != actor.pk:
        on_behalf_of = signer_delegator(actor=actor, draft=draft, at=now)
        if on_behalf_of is None:
            delegated = Delegation.objects.filter(
                deputy_id=actor.pk,
                delegator_id=draft.signer_id,
                unit_id=draft.issuing_unit_id,
            ).exists()
            raise AccessDenied(MSG_DELEGATION_INACTIVE if delegated else MSG_SIGNER_ONLY)
    _check_status(draft, DraftStatus.APPROVING)
    note = _text(note, label="ý kiến", field="note", required=not accept)
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, DraftStatus.APPROVING)
        version = locked.current_version
        if accept:
            locked.status = DraftStatus.APPROVED
            locked.approved_by = actor
            locked.approved_at = now
            locked.approved_version = version
            action = DraftAction.APPROVED
        else:
            locked.status = DraftStatus.DRAFTING
            locked.approved_by = None
            locked.approved_at = None
            locked.approved_version = None
            action = DraftAction.APPROVAL_RETURNED
        _touch(locked, now, "status", "approved_by", "approved_at", "approved_version")
        text = note
        if accept:
            text = f"Phê duyệt phiên bản {version.number}." + (  # type: ignore[union-attr]
                f"\n{note}" if note else ""
            )
        behalf: dict[str, Any] = {}
        if on_behalf_of is not None:
            text = f"Thay mặt {on_behalf_of.full_name} (ủy quyền).\n{text}".rstrip()
            behalf = {
                "on_behalf_of": on_behalf_of.username,
                "on_behalf_of_name": on_behalf_of.full_name,
                "actor_name": actor.full_name,
                "acting": f"{actor.full_name} thay mặt {on_behalf_of.full_name}",
            }
        _trail(locked, action, actor, text=text, version=version, at=now)
        _audit(
            actor,
            "approve" if accept else "approval_return",
            locked,
            ip,
            version=version.number if version else None,  # type: ignore[union-attr]
            sha256=version.sha256 if version else None,  # type: ignore[union-attr]
            **behalf,
        )
        if accept:
            clerks = _active_in([locked.issuing_unit_id], Role.CLERK)
            _notify(
                [locked.drafter, *clerks],
                locked,
                f"Dự thảo đã được phê duyệt: {draft_label(locked)}",
            )
        else:
            _notify(
                [locked.drafter],
                locked,
                f"Dự thảo không được phê duyệt: {draft_label(locked)}",
                note,
            )
    draft.refresh_from_db()
    return locked


# ---------------------------------------------------------------- issue


def _document_input(
    draft: Draft, rows: list[DraftRecipient], issued_amount: int | None
) -> DocumentInput:
    version = draft.current_version
    drafting_symbol = ""
    if draft.unit_id != draft.issuing_unit_id and len(draft.unit.symbol) <= 10:
        drafting_symbol = draft.unit.symbol
    page_count = version.page_count if version is not None else None
    return DocumentInput(
        document_type=draft.document_type,
        subject=draft.subject,
        signer_position=draft.signer_title,
        signer_name=draft.signer.full_name[:50],
        urgency=draft.urgency,
        due_date=draft.due_date,
        page_amount=page_count if page_count and page_count <= 999 else None,
        legal_normative=draft.legal_normative,
        recipients=recipients_text(rows),
        archive_holder=f"VT, {draft.unit.symbol}"[:200],
        issued_amount=issued_amount,
        drafting_symbol=drafting_symbol,
    )


def _attachment_pdfs(attachments: list[UploadedFile]) -> list[UploadedFile]:
    """Attachments issued electronically carry the organisation signature, so they must be PDF."""
    for upload in attachments:
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ServiceError(
                f"Tệp đính kèm “{upload.name}” phải là PDF để văn thư ký số tổ chức.",
                field="attachments",
            )
    return attachments


def _issue_check(*, actor: User, draft: Draft, organisation_key: OrganisationKey | None) -> None:
    """The clerk of the issuing unit, an approved draft and a usable organisation key (R11)."""
    _require_active(actor)
    if not actor.has_role(Role.CLERK, draft.issuing_unit):
        raise AccessDenied(MSG_CLERK_ONLY)
    _check_status(draft, DraftStatus.APPROVED)
    if not draft.is_approved:
        raise ServiceError("Phiên bản mới nhất của dự thảo chưa được phê duyệt.")
    signing.organisation_check(actor=actor, unit=draft.issuing_unit, key=organisation_key)


def _issue_main_signed(
    *, draft: Draft, organisation_key: OrganisationKey | None
) -> tuple[bytes, Report]:
    """The signer's signed PDF with the organisation signature added, checked again (R11, R16).

    Refused unless both signatures read back valid.
    """
    personally_signed = signed_for_issue(draft=draft)
    main_signed = signing.organisation_sign(
        personally_signed,
        unit=draft.issuing_unit,
        key=organisation_key,  # type: ignore[arg-type]
    )
    main_report = signing.verify_bytes(main_signed)
    if main_report.status != "valid" or len(main_report.signatures) < 2:
        reasons = " ".join(main_report.reasons()) or main_report.label
        raise ServiceError(f"Chữ ký số của văn bản không hợp lệ, không phát hành: {reasons}")
    return main_signed, main_report


def _issue_lock(draft: Draft) -> tuple[Draft, DraftVersion]:
    """Lock the draft and check again that it is approved and its signed copy is the one read."""
    locked = _lock(draft)
    _check_status(locked, DraftStatus.APPROVED)
    if not locked.is_signed or locked.signed_sha256 != draft.signed_sha256:
        raise ServiceError("Bản ký số của dự thảo đã thay đổi; hãy tải lại trang.")
    version = locked.current_version
    if version is None:  # every draft is created with its first version
        raise ServiceError("Dự thảo chưa có tệp nội dung.")
    return locked, version


def _issue_register(
    *,
    actor: User,
    locked: Draft,
    version: DraftVersion,
    main_signed: bytes,
    issued_amount: int | None,
    attachments: list[UploadedFile],
    ip: str | None,
) -> tuple[Document, list[DraftRecipient]]:
    """Number and register the outgoing document with the signed PDF as its main file (Art. 15).

    Returns it with the draft's recipients, in their order.
    """
    upload = SimpleUploadedFile(
        version.original_name, main_signed, content_type=version.content_type
    )
    rows = list(locked.recipients.select_related("unit").order_by("order", "pk"))
    document = outgoing_register(
        actor=actor,
        unit=locked.issuing_unit,
        data=_document_input(locked, rows, issued_amount),
        refusals=Refusals(sensitive_declared=locked.sensitive_declared),
        main_file=upload,
        attachments=attachments,
        ip=ip,
    )
    return document, rows


def _issue_sign_attachments(
    *,
    document: Document,
    unit: Unit,
    organisation_key: OrganisationKey | None,
    stored: list[str],
    replaced: list[str],
) -> None:
    """Each attachment gets the organisation signature with the number at the top right (R11).

    The signed copy replaces the registered file; `stored` collects every new storage name (to
    discard if the transaction fails) and `replaced` the unsigned ones (to discard after commit).
    """
    for file in document.files.filter(role="attachment"):
        data = file_read_verified(file.storage_name, file.sha256)
        signed = signing.organisation_sign(
            data,
            unit=unit,
            key=organisation_key,  # type: ignore[arg-type]
            number_symbol=document.number_symbol,
            attachment=True,
        )
        name = default_storage.save(
            file.storage_name.rsplit(".", 1)[0] + "-ky-so.pdf", ContentFile(signed)
        )
        stored.append(name)
        replaced.append(file.storage_name)
        file.storage_name = name
        file.sha256 = hashlib.sha256(signed).hexdigest()
        file.size = len(signed)
        file.save(update_fields=["storage_name", "sha256", "size"])


def _issue_send(
    *, actor: User, locked: Draft, document: Document, rows: list[DraftRecipient], ip: str | None
) -> None:
    """R15: units of the deployment at once, agencies of other systems through the outbox."""
    document_send(
        actor=actor,
        document=document,
        recipients=[
            Recipient(unit=row.unit, agency_code=row.agency_code, name=row.name) for row in rows
        ],
        business_type=locked.business_type,
        original_document=locked.original_document,
        ip=ip,
    )


def _issue_record(
    *,
    actor: User,
    locked: Draft,
    document: Document,
    version: DraftVersion,
    units: list[Unit],
    main_signed: bytes,
    organisation_key: OrganisationKey | None,
    ip: str | None,
) -> None:
    """Mark the draft issued, with its trail entry and audit event, and tell the drafter."""
    now = clock.now()
    locked.status = DraftStatus.ISSUED
    locked.document = document
    locked.issued_by = actor
    locked.issued_at = now
    _touch(locked, now, "status", "document", "issued_by", "issued_at")
    paper = (
        " Cần gửi kèm bản giấy (cơ quan nhận lưu trữ vĩnh viễn)."
        if (document.needs_paper_copy)
        else ""
    )
    _trail(
        locked,
        DraftAction.ISSUED,
        actor,
        text=(
            f"Số, ký hiệu {document.number_symbol} ngày {document.issued_date:%d/%m/%Y}; "
            f"ký số tổ chức bằng chứng thư của "
            f"{organisation_key.certificate.subject_name}; "  # type: ignore[union-attr]
            f"gửi {len(units)} đơn vị trong hệ thống.{paper}"
        ),
        version=version,
        at=now,
    )
    _audit(
        actor,
        "issue",
        locked,
        ip,
        document=document.pk,
        number_symbol=document.number_symbol,
        units=[u.pk for u in units],
        sha256=hashlib.sha256(main_signed).hexdigest(),
        certificate=organisation_key.certificate.fingerprint,  # type: ignore[union-attr]
        paper_copy=document.needs_paper_copy,
    )
    _notify(
        [locked.drafter],
        locked,
        f"Văn bản đã được ban hành, số {document.number_symbol}: {draft_label(locked)}",
    )


def draft_issue(
    *,
    actor: User,
    draft: Draft,
    issued_amount: int | None = None,
    organisation_key: OrganisationKey | None = None,
    attachments: list[UploadedFile] | None = None,
    ip: str | None = None,
) -> Document:
    """The issuing unit's clerk numbers, dates, registers, signs and issues an approved draft
    (Art. 15-16; R11, R12, R15, R16).

    The draft must carry the competent signer's valid signature on the approved version (read
    back by SHA-256 and checked again); the clerk adds the unit's organisation signature (the
    seal over the signer's image; attachments get the number and signing time at the top right)
    and the result becomes the main file of the outgoing document registered by
    documents.services.outgoing_register. In the same transaction each recipient unit of the
    deployment gets the document in its reception queue. A draft is issued once: a second
    attempt is refused and sends nothing. Types kept permanently by the recipients are flagged
    as also needing a paper copy (R12).
    """
    _issue_check(actor=actor, draft=draft, organisation_key=organisation_key)
    extra = _attachment_pdfs(list(attachments or []))
    main_signed, main_report = _issue_main_signed(draft=draft, organisation_key=organisation_key)
    stored: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            locked, version = _issue_lock(draft)
            document, rows = _issue_register(
                actor=actor,
                locked=locked,
                version=version,
                main_signed=main_signed,
                issued_amount=issued_amount,
                attachments=extra,
                ip=ip,
            )
            stored.extend(document.files.values_list("storage_name", flat=True))
            _issue_sign_attachments(
                document=document,
                unit=locked.issuing_unit,
                organisation_key=organisation_key,
                stored=stored,
                replaced=replaced,
            )
            document.needs_paper_copy = (
                locked.document_type.kept_permanently or locked.legal_normative
            )
            document.save(update_fields=["needs_paper_copy"])
            signing.report_store(
                report=main_report,
                trigger=Trigger.ISSUE,
                file_name=version.original_name,
                data=main_signed,
                document=document,
                actor=actor,
            )
            units = [row.unit for row in rows if row.unit is not None]
            _issue_send(actor=actor, locked=locked, document=document, rows=rows, ip=ip)
            _issue_record(
                actor=actor,
                locked=locked,
                document=document,
                version=version,
                units=units,
                main_signed=main_signed,
                organisation_key=organisation_key,
                ip=ip,
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    for name in replaced:
        file_discard(name)
    draft.refresh_from_db()
    return document


# ---------------------------------------------------------------- reading a version


@dataclass
class VersionDownload:
    version: DraftVersion
    size: int
    chunks: Iterator[bytes]


def version_download(
    *, actor: User, draft_pk: int, number: int, ip: str | None = None
) -> VersionDownload:
    """A person who may see the draft downloads one of its versions (Appendix VI "every draft is
    kept"). The stored bytes are hashed before anything is sent (FileUnavailable if missing or
    changed), and the access is recorded."""
    from .selectors import access_version

    version = access_version(user=actor, draft_pk=draft_pk, number=number)
    data = {"number": version.number, "sha256": version.sha256}
    try:
        size = file_verify(version.storage_name, version.sha256)
    except FileUnavailable as exc:
        _audit(actor, "version_download_refused", version.draft, ip, **data, reason=exc.reason)
        raise
    _audit(actor, "version_download", version.draft, ip, **data)
    return VersionDownload(
        version=version,
        size=size,
        chunks=file_stream_verified(version.storage_name, version.sha256, size),
    )
