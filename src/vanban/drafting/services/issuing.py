"""Numbering, registering, signing with the organisation key and issuing an approved draft,
and sending it to its recipients (NĐ 30/2020 Art. 15-16; R11, R12, R15, R16)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction

from vanban.accounts.models import Role, Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import (
    file_discard,
    file_read_verified,
)
from vanban.documents.models import Document, DocumentShare
from vanban.documents.services import (
    DocumentInput,
    Refusals,
    outgoing_register,
)
from vanban.exchange.sending import Recipient, document_send
from vanban.signatures import numberdate
from vanban.signatures import services as signing
from vanban.signatures.models import Trigger
from vanban.signatures.pdfsign import SigningFailed
from vanban.signatures.services import OrganisationKey
from vanban.signatures.verify import Report

from ..models import (
    Draft,
    DraftAction,
    DraftRecipient,
    DraftStatus,
    DraftVersion,
)
from ..signing import signed_for_issue
from ._common import (
    MSG_CLERK_ONLY,
    _audit,
    _check_status,
    _lock,
    _notify,
    _touch,
    _trail,
    draft_label,
    recipients_text,
)


def _pdf_name(version: DraftVersion) -> str:
    shown = version.pdf_to_show()
    return shown.file_name if shown is not None else version.original_name


def _document_input(
    draft: Draft, rows: list[DraftRecipient], issued_amount: int | None
) -> DocumentInput:
    version = draft.current_version
    drafting_symbol = ""
    if draft.unit_id != draft.issuing_unit_id and len(draft.unit.symbol) <= 10:
        drafting_symbol = draft.unit.symbol
    shown = version.pdf_to_show() if version is not None else None
    page_count = shown.page_count if shown is not None else None
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


def _attachment_pdfs(attachments: list[UploadedFile[bytes]]) -> list[UploadedFile[bytes]]:
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


MSG_NUMBER_DATE_NOT_WRITTEN = (
    "Không tự ghi được {missing} vào tệp PDF: bản đã ký không có chỗ để trống cho {missing} "
    "(dòng “Số:      /…” và “…, ngày … tháng … năm …” ở trang đầu; ví dụ bản quét, bản ký bằng "
    "phần mềm khác hoặc ký trước khi hệ thống dành chỗ). Sổ văn bản đi vẫn ghi đúng số, ngày; "
    "hãy kiểm tra tệp đã ban hành."
)


def number_date_note(written: list[str]) -> str:
    """What the clerk is told when the number or the date could not be written into the PDF."""
    missing = []
    if numberdate.NUMBER not in written and numberdate.PLACED_NUMBER not in written:
        missing.append("số văn bản")
    date = {numberdate.DAY, numberdate.MONTH, numberdate.YEAR}
    if not date <= set(written) and numberdate.PLACED_DATE not in written:
        missing.append("ngày tháng năm ban hành")
    if not missing:
        return ""
    return MSG_NUMBER_DATE_NOT_WRITTEN.format(missing=" và ".join(missing))


def _issue_main_signed(
    *,
    draft: Draft,
    document: Document,
    personally_signed: bytes,
    organisation_key: OrganisationKey | None,
    stored: list[str],
    replaced: list[str],
    placement: tuple[numberdate.Box, numberdate.Box] | None = None,
) -> tuple[bytes, Report, str]:
    """The signer's signed PDF with the register number and the issue date written into the
    room kept for them, then the organisation signature, checked again; it replaces the
    registered main file (Art. 15; R11, R16). Returns it, its report and the note for the clerk
    when the number or the date could not be written. On a first page without the reserved
    lines, `placement` holds the number box and the date box the clerk drew.

    Refused unless both signatures read back valid: writing the number and date is form filling,
    which the personal signature allows.
    """
    try:
        filled, written = numberdate.fill(
            personally_signed,
            number=document.code_number,
            day=document.issued_date,
            number_symbol=document.number_symbol,
            boxes=placement,
        )
    except SigningFailed:
        filled, written = personally_signed, []
    main_signed = signing.organisation_sign(
        filled,
        unit=draft.issuing_unit,
        key=organisation_key,  # type: ignore[arg-type]
    )
    main_report = signing.verify_bytes(main_signed)
    if main_report.status != "valid" or len(main_report.signatures) < 2:
        reasons = " ".join(main_report.reasons()) or main_report.label
        raise ServiceError(f"Chữ ký số của văn bản không hợp lệ, không phát hành: {reasons}")
    main = document.files.get(role="main")
    name = default_storage.save(
        main.storage_name.rsplit(".", 1)[0] + "-ban-hanh.pdf", ContentFile(main_signed)
    )
    stored.append(name)
    replaced.append(main.storage_name)
    main.storage_name = name
    main.sha256 = hashlib.sha256(main_signed).hexdigest()
    main.size = len(main_signed)
    main.save(update_fields=["storage_name", "sha256", "size"])
    return main_signed, main_report, number_date_note(written)


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
    personally_signed: bytes,
    issued_amount: int | None,
    attachments: list[UploadedFile[bytes]],
    ip: str | None,
) -> tuple[Document, list[DraftRecipient]]:
    """Number and register the outgoing document with the signed PDF as its main file (Art. 15);
    `_issue_main_signed` then replaces it with the copy that carries the number, the date and
    the organisation signature.

    Returns it with the draft's recipients, in their order.
    """
    # The signed file is the version's PDF to show (the version, or its PDF converted from
    # Word): named and typed as that PDF.
    upload = SimpleUploadedFile(
        _pdf_name(version), personally_signed, content_type="application/pdf"
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
) -> list[tuple[str, bytes, Report]]:
    """Each attachment gets the organisation signature with the number at the top right (R11;
    NĐ 30/2020 Appendix I), read back like the main document: issue is refused unless it is
    valid. Returns each attachment's name, signed bytes and report, to keep with the document.

    The signed copy replaces the registered file; `stored` collects every new storage name (to
    discard if the transaction fails) and `replaced` the unsigned ones (to discard after commit).
    """
    checked: list[tuple[str, bytes, Report]] = []
    for file in document.files.filter(role="attachment"):
        data = file_read_verified(file.storage_name, file.sha256)
        signed = signing.organisation_sign(
            data,
            unit=unit,
            key=organisation_key,  # type: ignore[arg-type]
            number_symbol=document.number_symbol,
            attachment=True,
        )
        report = signing.verify_bytes(signed)
        if report.status != "valid":
            reasons = " ".join(report.reasons()) or report.label
            raise ServiceError(
                f"Chữ ký số của phụ lục “{file.original_name}” không hợp lệ, không phát hành: "
                f"{reasons}"
            )
        checked.append((file.original_name, signed, report))
        name = default_storage.save(
            file.storage_name.rsplit(".", 1)[0] + "-ky-so.pdf", ContentFile(signed)
        )
        stored.append(name)
        replaced.append(file.storage_name)
        file.storage_name = name
        file.sha256 = hashlib.sha256(signed).hexdigest()
        file.size = len(signed)
        file.save(update_fields=["storage_name", "sha256", "size"])
    return checked


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
    note: str,
    ip: str | None,
) -> None:
    """Mark the draft issued, with its trail entry and audit event, and tell the drafter."""
    now = clock.now()
    locked.status = DraftStatus.ISSUED
    locked.document = document
    locked.issued_by = actor
    locked.issued_at = now
    locked.number_date_note = note
    _touch(locked, now, "status", "document", "issued_by", "issued_at", "number_date_note")
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
    # R14: the drafter reads the document made from the draft (to file it in a dossier, R19,
    # and to follow it), as a person it is given to; not a notice "to read" (for_reading).
    DocumentShare.objects.get_or_create(
        document=document,
        user_id=locked.drafter_id,
        defaults={
            "granted_by": actor,
            "granted_at": now,
            "for_reading": False,
            "document_unit_id": document.unit_id,
        },
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
        number_date_written=not note,
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
    attachments: list[UploadedFile[bytes]] | None = None,
    placement: tuple[numberdate.Box, numberdate.Box] | None = None,
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

    `placement` (the number box and the date box, millimetres from the top-left of the first
    page) is for a signed PDF whose first page has no reserved lines (`placement_needed`);
    boxes off the page, overlapping or on a file without placement fields are refused before
    anything is written.
    """
    _issue_check(actor=actor, draft=draft, organisation_key=organisation_key)
    extra = _attachment_pdfs(list(attachments or []))
    personally_signed = signed_for_issue(draft=draft)
    if placement is not None:
        try:
            numberdate.check_boxes(personally_signed, *placement)
        except numberdate.PlacementRefused as refused:
            raise ServiceError(str(refused), field="placement") from refused
    stored: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            locked, version = _issue_lock(draft)
            document, rows = _issue_register(
                actor=actor,
                locked=locked,
                version=version,
                personally_signed=personally_signed,
                issued_amount=issued_amount,
                attachments=extra,
                ip=ip,
            )
            stored.extend(document.files.values_list("storage_name", flat=True))
            main_signed, main_report, note = _issue_main_signed(
                draft=locked,
                document=document,
                personally_signed=personally_signed,
                organisation_key=organisation_key,
                stored=stored,
                replaced=replaced,
                placement=placement,
            )
            appendices = _issue_sign_attachments(
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
            for file_name, data, report in [
                (_pdf_name(version), main_signed, main_report),
                *appendices,
            ]:
                signing.report_store(
                    report=report,
                    trigger=Trigger.ISSUE,
                    file_name=file_name,
                    data=data,
                    document=document,
                    actor=actor,
                )
            units = [row.unit for row in rows if row.unit is not None]
            # The draft names its document before sending: the packages to other systems read
            # the signer's competence and the drafter from it (exchange.issuing_facts).
            locked.document = document
            locked.save(update_fields=["document"])
            _issue_send(actor=actor, locked=locked, document=document, rows=rows, ip=ip)
            _issue_record(
                actor=actor,
                locked=locked,
                document=document,
                version=version,
                units=units,
                main_signed=main_signed,
                organisation_key=organisation_key,
                note=note,
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


def placement_needed(*, draft: Draft) -> bool:
    """Whether the clerk places the number and the date on the page at issue: the signed PDF
    has no reserved lines but carries the placement fields (vanban.signatures.numberdate)."""
    if not draft.is_signed:
        return False
    return numberdate.placeable(signed_for_issue(draft=draft))
