"""Creating a draft with its first version, signer block and recipients (NĐ 30/2020 Art. 10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.agency_codes import is_agency_code
from vanban.core.errors import NotFound, ServiceError
from vanban.documents.files import (
    PreparedFile,
)
from vanban.documents.models import Direction, Document, DocumentType, Urgency
from vanban.documents.services import (
    Refusals,
    _check_refusals,
    local_today,
)
from vanban.exchange.delivery import original_refusal
from vanban.exchange.models import BusinessType

from ..models import (
    Authority,
    Draft,
    DraftAction,
    DraftRecipient,
)
from ._common import (
    MAX_RECIPIENTS_TEXT,
    Converted,
    _audit,
    _convert,
    _discard,
    _prepare,
    _store,
    _store_converted,
    _text,
    _trail,
    _version,
    issuing_units_for,
    recipients_text,
)


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
        if code and not is_agency_code(code):
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
    # Replaced already, or recalled and given back by every recipient (a refused take-back,
    # 16, leaves it open): the one rule of the exchange, checked again when it is issued.
    refusal = original_refusal(original)
    if refusal:
        raise ServiceError(refusal, field="original_document")
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
    converted: Converted,
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
        draft,
        number=1,
        prepared=prepared,
        name=name,
        actor=actor,
        note=clean.note,
        at=now,
        converted=converted,
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
        pdf_sha256=version.pdf_sha256 or None,
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
    content_file: UploadedFile[bytes] | None,
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
    converted = _convert(prepared)
    name = _store(prepared)
    try:
        _store_converted(converted)
        with transaction.atomic():
            draft = _create_record(
                actor=actor,
                issuing_unit=issuing_unit,
                data=data,
                clean=clean,
                business_type=business_type,
                prepared=prepared,
                name=name,
                converted=converted,
                ip=ip,
            )
    except BaseException:
        _discard(name)
        if converted.storage_name:
            _discard(converted.storage_name)
        raise
    return draft
