"""Sending documents between units of one deployment (R15; NĐ 30/2020 Art. 16, 20-22).

- `deliveries_create`: the sender's clerk issues an outgoing document to units of the deployment;
  each unit gets it in its reception queue at once (01), in the caller's transaction, never twice.
- `delivery_register` / `delivery_return`: the recipient's clerk registers it as an incoming
  document, with the fields and files of the outgoing one (03), or returns it with a reason (02),
  through the path every received document takes (`exchange.reception`).
- `delivery_status_update`: the incoming processing reports 04 assigned, 05 processing, 06 done
  (to a partner system too, for a document received from it).
- `document_recall` / `delivery_recall_answer`: the sender recalls (13); a copy still in the
  queue is given back at once (15), the clerk of a registered copy accepts (15: its processing
  ends, `documents.withdrawals`) or refuses (16: the document stays, and the sender may still
  update or replace it).
- `original_refusal`: whether an outgoing document may still be updated or replaced.

Every action checks permission first, locks the delivery row before checking its state (no
check-then-act), writes a `DeliveryEvent` and an audit event, and changes nothing when refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc
from vanban.documents import receipt_checks
from vanban.documents.files import (
    Download,
    file_read_verified,
    verified_stream,
    viewed_data,
)
from vanban.documents.models import Direction, Document, DocumentFile
from vanban.documents.services import DocumentInput, Refusals
from vanban.documents.withdrawals import (
    document_mark_replaced,
    document_withdraw,
    withdrawal_lock,
)
from vanban.exchange.addressing import READDRESSED_LABEL, unit_now
from vanban.exchange.delivery_selectors import received_file
from vanban.exchange.notices import document_label, sent_registered_notify, sent_returned_notify
from vanban.exchange.partners.services import external_recall, inbound_progress

from .models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    DocumentRecall,
    RecallStatus,
    ReturnReason,
)
from .reception import (
    Audit,
    Intake,
    Refusal,
    delivery_event,
    received_refuse,
    received_register,
    received_reports,
)

SENDER_CLERK_ONLY = "Chỉ văn thư của đơn vị ban hành được gửi văn bản."
RECALL_ONLY = "Chỉ lãnh đạo hoặc văn thư của đơn vị ban hành được thu hồi văn bản."
NOT_IN_QUEUE = {
    DeliveryStatus.RETURNED: "Văn bản đã được trả lại nơi gửi.",
    DeliveryStatus.REGISTERED: "Văn bản đã được vào sổ đến.",
}
# The note of the 15 a copy still in the queue gets when its sender takes it back.
QUEUED_WITHDRAWN = "Văn bản chưa vào sổ, đã rút khỏi hàng chờ tiếp nhận."
# What the incoming processing may report, in the order it happens.
PROCESSING_STATUSES = (DeliveryStatus.ASSIGNED, DeliveryStatus.PROCESSING, DeliveryStatus.DONE)


# ---------------------------------------------------------------- helpers


def _clerks(unit_ids: list[int]) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__unit_id__in=unit_ids,
            role_assignments__role=Role.CLERK,
            status=AccountStatus.ACTIVE,
        ).distinct()
    )


def _locked(delivery: Delivery) -> Delivery:
    """The delivery row, locked and read again: its state is checked after the lock."""
    return (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=delivery.pk)
    )


def _note(value: str, *, label: str, field: str, required: bool) -> str:
    value = nfc(value or "")
    if required and not value:
        raise ServiceError(f"Hãy nhập {label}.", field=field)
    if len(value) > 500:
        raise ServiceError(f"{label[:1].upper()}{label[1:]} dài quá 500 ký tự.", field=field)
    return value


def _queue_check(delivery: Delivery) -> None:
    """Only a document still waiting in the queue may be registered or returned."""
    if delivery.recall_status == RecallStatus.REQUESTED:
        raise ServiceError(
            "Nơi gửi đã đề nghị thu hồi văn bản này; hãy xác nhận hoặc từ chối việc thu hồi trước."
        )
    if delivery.recall_status == RecallStatus.ACCEPTED:
        raise ServiceError("Văn bản đã được thu hồi theo đề nghị của nơi gửi.")
    if delivery.status != DeliveryStatus.ARRIVED:
        raise ServiceError(
            NOT_IN_QUEUE.get(DeliveryStatus(delivery.status), "Văn bản đã được vào sổ đến.")
        )


# ---------------------------------------------------------------- sending


def deliveries_create(
    *,
    actor: User,
    document: Document,
    units: list[Unit],
    business_type: int = BusinessType.NEW,
    original_document: Document | None = None,
    ip: str | None = None,
) -> list[Delivery]:
    """The sender's clerk issues an outgoing document to units of the deployment (R15).

    Each unit gets the document in its reception queue in this transaction (status 01) and its
    clerks are told. A unit that already has the document is skipped: issuing twice never makes
    two copies. An update or replacement (business type 2, 3) names the original document of the
    same unit and links each copy to the copy of the original that unit received.
    """
    original_document = _sending_check(
        actor=actor,
        document=document,
        business_type=business_type,
        original_document=original_document,
    )
    wanted, readdressed = _recipient_units(document, units)
    with transaction.atomic():
        # The document row is the lock that serialises two clerks sending it at the same time.
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if DocumentRecall.objects.filter(document=locked).exists():
            raise ServiceError("Văn bản đã bị thu hồi nên không gửi được nữa.")
        created = _deliveries_record(
            actor=actor,
            locked=locked,
            wanted=wanted,
            business_type=business_type,
            original_document=original_document,
            readdressed=readdressed,
        )
        if created:
            audit_record(
                actor=actor,
                action="exchange.deliver",
                unit=locked.unit,
                target=locked,
                ip=ip,
                data={
                    "units": [d.recipient_unit_id for d in created],
                    "business_type": business_type,
                    "original": original_document.pk if original_document else None,
                },
            )
            _deliveries_notify(document, created, business_type)
    return created


def _sending_check(
    *,
    actor: User,
    document: Document,
    business_type: int,
    original_document: Document | None,
) -> Document | None:
    """Who may send, what may be sent; the original an update or replacement names (none for a
    new document)."""
    require_active(actor)
    if not actor.has_role(Role.CLERK, document.unit):
        raise AccessDenied(SENDER_CLERK_ONLY)
    if document.direction != Direction.OUTGOING:
        raise ServiceError("Chỉ gửi được văn bản đi đã vào sổ.")
    if business_type not in (BusinessType.NEW, BusinessType.UPDATE, BusinessType.REPLACE):
        raise ServiceError("Loại nghiệp vụ không hợp lệ.", field="business_type")
    if business_type == BusinessType.NEW:
        return None
    if original_document is None:
        raise ServiceError(
            "Hãy chọn văn bản được cập nhật hoặc thay thế.", field="original_document"
        )
    if (
        original_document.unit_id != document.unit_id
        or original_document.direction != Direction.OUTGOING
        or original_document.pk == document.pk
    ):
        raise ServiceError(
            "Văn bản được cập nhật hoặc thay thế phải là văn bản đi khác của đơn vị.",
            field="original_document",
        )
    refusal = original_refusal(original_document, document=document)
    if refusal:
        raise ServiceError(refusal, field="original_document")
    return original_document


def original_refusal(original: Document, *, document: Document | None = None) -> str:
    """Why an outgoing document may no longer be updated or replaced (business type 2, 3), as a
    Vietnamese sentence; empty when it may.

    A replaced document is done with: its replacement is the one to update or replace. A
    recalled document is frozen, unless a recipient refused to give it back (16): there it
    stays in force, so the sender may still correct it. `document` is the update or
    replacement being sent, when there is one: its own replacement does not refuse it.
    """
    if original.replaced_by_id is not None and (
        document is None or original.replaced_by_id != document.pk
    ):
        replacement = Document.objects.filter(pk=original.replaced_by_id).first()
        number = f" số {replacement.number_symbol}" if replacement is not None else ""
        return (
            f"Văn bản đã được thay thế bằng văn bản{number}; không cập nhật hoặc thay thế được nữa."
        )
    if (
        DocumentRecall.objects.filter(document=original).exists()
        and not Delivery.objects.filter(
            document=original, recall_status=RecallStatus.REFUSED
        ).exists()
    ):
        return "Văn bản đã bị thu hồi nên không cập nhật hoặc thay thế được."
    return ""


def original_take(*, document: Document, business_type: int, original: Document | None) -> None:
    """Under the original's lock: refuses an update or replacement of a document that may no
    longer have one (`original_refusal`, checked again so that two replacements issued at the
    same time cannot both pass), and marks the original replaced by `document` (business type
    3). In the caller's transaction, before anything is sent."""
    if original is None or business_type == BusinessType.NEW:
        return
    locked = Document.objects.select_for_update().get(pk=original.pk)
    refusal = original_refusal(locked, document=document)
    if refusal:
        raise ServiceError(refusal, field="original_document")
    if business_type == BusinessType.REPLACE:
        document_mark_replaced(locked, document)


def _recipient_units(
    document: Document, units: list[Unit]
) -> tuple[dict[int, Unit], dict[int, str]]:
    """The units to send to, each once: active units other than the issuing one. An ended unit
    (a recipient chosen before a reorganisation) is replaced by the unit that carries it on,
    with the note the delivery's trail shows (QĐ 09/2025/QĐ-TTg); one ended without a
    successor, or an inactive one, is refused."""
    wanted: dict[int, Unit] = {}
    readdressed: dict[int, str] = {}
    for unit in units:
        if not unit.is_active and unit.end_date is not None:
            carrier = unit_now(unit)
            if carrier is not None:
                readdressed.setdefault(carrier.unit.pk, carrier.note)
                unit = carrier.unit
        if unit.pk == document.unit_id:
            raise ServiceError("Không gửi văn bản cho chính đơn vị ban hành.", field="units")
        if not unit.is_active:
            raise ServiceError(f"Đơn vị “{unit.name}” không còn hoạt động.", field="units")
        wanted[unit.pk] = unit
    if not wanted:
        raise ServiceError("Hãy chọn đơn vị nhận trong hệ thống.", field="units")
    return wanted, readdressed


def _deliveries_record(
    *,
    actor: User,
    locked: Document,
    wanted: dict[int, Unit],
    business_type: int,
    original_document: Document | None,
    readdressed: dict[int, str] | None = None,
) -> list[Delivery]:
    """One delivery (status 01) per unit that has not the document yet, each with its event
    (a delivery to the successor of an ended unit says so first, `readdressed`); under the
    document's lock."""
    already = set(
        Delivery.objects.filter(document=locked, recipient_unit_id__in=wanted).values_list(
            "recipient_unit_id", flat=True
        )
    )
    originals: dict[int, Delivery] = {}
    if original_document is not None:
        originals = {
            d.recipient_unit_id: d
            for d in Delivery.objects.filter(
                document=original_document, recipient_unit_id__in=wanted
            )
            if d.recipient_unit_id is not None
        }
    now = clock.now()
    created: list[Delivery] = []
    for unit_id, unit in wanted.items():
        if unit_id in already:
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    document=locked,
                    sender_unit_id=locked.unit_id,
                    recipient_unit=unit,
                    business_type=business_type,
                    original=originals.get(unit_id),
                    status=DeliveryStatus.ARRIVED,
                    status_at=now,
                    created_by=actor,
                    created_at=now,
                )
        except IntegrityError:
            continue  # sent by someone else meanwhile
        if note := (readdressed or {}).get(unit_id, ""):
            delivery_event(
                delivery, DeliveryStatus.ARRIVED, READDRESSED_LABEL, actor=actor, note=note
            )
        delivery_event(delivery, DeliveryStatus.ARRIVED, DeliveryStatus.ARRIVED.label, actor=actor)
        created.append(delivery)
    return created


def _deliveries_notify(document: Document, created: list[Delivery], business_type: int) -> None:
    """The clerks of each receiving unit are told a new document arrived."""
    label = document_label(document)
    kind = (
        ""
        if business_type == BusinessType.NEW
        else f" ({BusinessType(business_type).label.lower()})"
    )
    for delivery in created:
        notification_send(
            recipients=_clerks([delivery.local_recipient_id]),
            title=f"Văn bản đến mới{kind}: {label} của {document.unit.name}",
            body=document.subject,
            link=reverse("exchange:delivery_detail", kwargs={"pk": delivery.pk}),
        )


# ---------------------------------------------------------------- receiving


def _require_recipient_clerk(actor: User, delivery: Delivery) -> None:
    require_active(actor)
    if not actor.has_role(Role.CLERK, delivery.recipient_unit):
        # Another unit's delivery looks the same as one that does not exist.
        raise NotFound("Không tìm thấy văn bản.")


def _uploads(
    document: Document,
) -> tuple[UploadedFile[bytes] | None, list[UploadedFile[bytes]], receipt_checks.Results]:
    """The outgoing document's files, read back and checked against their SHA-256, and the
    check of their signatures (R11)."""
    main: UploadedFile[bytes] | None = None
    attachments: list[UploadedFile[bytes]] = []
    contents: list[tuple[str, str, bytes]] = []
    for item in document.files.order_by("role", "pk"):
        data = file_read_verified(item.storage_name, item.sha256)
        contents.append((item.original_name, item.file_format, data))
        upload = SimpleUploadedFile(item.original_name, data, content_type=item.content_type)
        if item.role == DocumentFile.Role.MAIN and main is None:
            main = upload
        else:
            attachments.append(upload)
    return main, attachments, receipt_checks.files_check(contents)


def _incoming_input(delivery: Delivery) -> DocumentInput:
    """The incoming record is the outgoing one: nothing is typed again (R15)."""
    source = delivery.sent_document
    description = ""
    if delivery.business_type != BusinessType.NEW and delivery.original is not None:
        original = delivery.original.sent_document
        description = (
            f"{BusinessType(delivery.business_type).label} số {original.number_symbol} ngày "
            f"{original.issued_date:%d/%m/%Y}"
        )
    return DocumentInput(
        document_type=source.document_type,
        subject=source.subject,
        code_number=source.code_number,
        code_notation=source.code_notation,
        issued_date=source.issued_date,
        issuer_unit=source.unit,
        signer_position=source.signer_position,
        signer_name=source.signer_name,
        urgency=source.urgency,
        due_date=source.due_date,
        page_amount=source.page_amount,
        description=description,
        language=source.language,
        to_places="",
        is_electronic=True,
    )


class _FromUnit:
    """A document from a unit of the deployment (`exchange.reception.Source`): the record and
    files are the sender's outgoing document; the sender reads the status in its trail and its
    clerks are told when it is registered and of a return."""

    def require(self, actor: User, delivery: Delivery) -> Unit:
        _require_recipient_clerk(actor, delivery)
        return delivery.local_recipient

    def not_waiting(self, delivery: Delivery) -> str:
        try:
            _queue_check(delivery)
        except ServiceError as exc:
            return exc.message
        return ""

    def intake(self, delivery: Delivery) -> Intake:
        main_file, attachments, checks = _uploads(delivery.sent_document)
        return Intake(_incoming_input(delivery), main_file, attachments, checks)

    def registered(
        self, locked: Delivery, document: Document, *, actor: User, at: dt.datetime
    ) -> Audit:
        # R12: the recipient keeps it permanently, a paper copy comes with it.
        if locked.sent_document.needs_paper_copy:
            document.needs_paper_copy = True
            document.save(update_fields=["needs_paper_copy"])
        # A registered replacement: the copy of the original in this register is replaced.
        original = locked.original
        if (
            locked.business_type == BusinessType.REPLACE
            and original is not None
            and original.incoming_document_id is not None
        ):
            document_mark_replaced(
                Document.objects.select_for_update().get(pk=original.incoming_document_id),
                document,
            )
        sent_registered_notify(locked, register_number=document.register_number)
        return Audit(
            "exchange.delivery_register",
            locked,
            {"document": locked.document_id, "incoming": document.pk},
        )

    def refused(self, locked: Delivery, refusal: Refusal, *, actor: User, at: dt.datetime) -> Audit:
        label = ReturnReason(refusal.reason_code).label
        sent_returned_notify(locked, reason=label.lower(), note=refusal.note)
        return Audit(
            "exchange.delivery_return",
            locked,
            {"document": locked.document_id, "reason": refusal.reason_code, "note": refusal.note},
        )


FROM_UNIT = _FromUnit()


def delivery_register(
    *,
    actor: User,
    delivery: Delivery,
    refusals: Refusals,
    confirm_duplicate: bool = False,
    signature_reason: str = "",
    ip: str | None = None,
) -> Document:
    """The recipient's clerk registers a document from the reception queue (R15, R16; Art. 22).

    The incoming document is created by `documents.services.incoming_register` (arrival number,
    R13 declaration, duplicate warning) with the outgoing document's fields and copies of its
    files, each checked against its SHA-256 first. The sender then sees 03 "đã vào sổ".
    The files' signatures are checked before the delivery is locked (the check may go to the
    network) and the reports kept with the incoming document (R11, trigger "receipt").
    The path is the one of every received document (`exchange.reception`).
    """
    return received_register(
        source=FROM_UNIT,
        actor=actor,
        delivery=delivery,
        refusals=refusals,
        confirm_duplicate=confirm_duplicate,
        signature_reason=signature_reason,
        ip=ip,
    )


def delivery_reports(delivery: Delivery) -> list[receipt_checks.FileReport]:
    """R11: the signature reports of a waiting document's files, before it is registered."""
    return received_reports(source=FROM_UNIT, delivery=delivery)


def delivery_return(
    *, actor: User, delivery: Delivery, reason: str, note: str, ip: str | None = None
) -> Delivery:
    """The recipient's clerk returns a document sent to the wrong unit or invalid (Art. 21).

    The sender sees 02 "bị từ chối" with the reason; its clerks are told. The path is the one
    of every received document (`exchange.reception`).
    """

    def refusal() -> Refusal:
        if reason not in ReturnReason.values:
            raise ServiceError("Hãy chọn lý do trả lại.", field="reason")
        text = _note(note, label="ghi chú", field="note", required=False)
        label = ReturnReason(reason).label
        return Refusal(
            note=text, reason_code=reason, event_note=f"{label}: {text}" if text else label
        )

    return received_refuse(source=FROM_UNIT, actor=actor, delivery=delivery, refusal=refusal, ip=ip)


def delivery_status_update(
    *, incoming_document: Document, status: str, actor: Any = None, note: str = ""
) -> Delivery | None:
    """The incoming processing reports progress to the sender: 04 assigned, 05 processing,
    06 done (R15 "the sender sees the receiver's processing status").

    For the workflow's services, inside their transaction, after their own permission check.
    Returns None when the document did not come through the internal exchange: one received
    from a partner system shows the progress on its delivery and the status goes back to the
    sender as an edXML message. A status never goes back: reporting 04 after 05 or the same
    status twice changes nothing.
    """
    if status not in PROCESSING_STATUSES:
        raise ValueError(f"status must be one of 04, 05, 06, not {status!r}")
    with transaction.atomic():
        locked = (
            Delivery.objects.select_for_update()
            .filter(incoming_document_id=incoming_document.pk)
            .first()
        )
        if locked is not None and locked.is_local and locked.withdrawn:
            # 15 is final (QĐ 28/2018): nothing is reported to the sender after it.
            raise ServiceError(
                f"Văn bản đã được nơi gửi thu hồi (15); không báo trạng thái {status} "
                f"{DeliveryStatus(status).label} sau đó."
            )
        if locked is not None and _progresses(locked, status):
            now = clock.now()
            locked.status = status
            locked.status_at = now
            locked.save(update_fields=["status", "status_at"])
            delivery_event(
                locked, status, DeliveryStatus(status).label, actor=actor, note=note, at=now
            )
            if locked.is_local:
                audit_record(
                    actor=actor,
                    action="exchange.delivery_status",
                    unit=locked.recipient_unit,
                    target=locked,
                    data={"status": status, "incoming": incoming_document.pk},
                )
        if locked is None or locked.is_received:
            # Received from another system: the status goes back as an edXML message.
            inbound_progress(incoming_document=incoming_document, status=status, actor=actor)
            return None
    return locked


def _progresses(delivery: Delivery, status: str) -> bool:
    """Whether `status` moves the registered delivery forward (a status never goes back)."""
    order = [DeliveryStatus.REGISTERED, *PROCESSING_STATUSES]
    return delivery.status in order and order.index(DeliveryStatus(status)) > order.index(
        DeliveryStatus(delivery.status)
    )


# ---------------------------------------------------------------- recall


def document_recall(
    *, actor: User, document: Document, reason: str, ip: str | None = None
) -> DocumentRecall:
    """The sender recalls an outgoing document (thu hồi; Appendix VI "Recall").

    The document is frozen (never sent again, never updated or replaced); every copy not
    returned is withdrawn from the recipient's queue or marked in its register (13), and each
    recipient's clerk confirms (15) or refuses (16). Leaders and clerks of the issuing unit.
    """
    require_active(actor)
    if not (
        actor.has_role(Role.LEADER, document.unit) or actor.has_role(Role.CLERK, document.unit)
    ):
        raise AccessDenied(RECALL_ONLY)
    if document.direction != Direction.OUTGOING:
        raise ServiceError("Chỉ thu hồi được văn bản đi.")
    reason = _note(reason, label="lý do thu hồi", field="reason", required=True)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if DocumentRecall.objects.filter(document=locked).exists():
            raise ServiceError("Văn bản đã được thu hồi trước đó.")
        now = clock.now()
        recall = DocumentRecall.objects.create(
            document=locked, reason=reason, requested_by=actor, requested_at=now
        )
        # Every recipient, in the deployment or not, in one locked read; a refused or returned
        # copy is not asked back.
        recipients = list(
            Delivery.objects.select_for_update(of=("self",))
            .filter(document=locked)
            .select_related("partner")
            .exclude(status=DeliveryStatus.RETURNED)
            .order_by("pk")
        )
        deliveries = [d for d in recipients if d.is_local and d.recall_status == RecallStatus.NONE]
        for delivery in deliveries:
            delivery_event(
                delivery,
                RecallStatus.REQUESTED,
                RecallStatus.REQUESTED.label,
                actor=actor,
                note=reason,
                at=now,
            )
            # A copy still in the queue leaves it: given back at once (15, final), as a package
            # of a partner system still waiting is (docs/interop.md).
            queued = delivery.status == DeliveryStatus.ARRIVED
            delivery.recall_status = RecallStatus.ACCEPTED if queued else RecallStatus.REQUESTED
            delivery.save(update_fields=["recall_status"])
            if queued:
                delivery_event(
                    delivery,
                    RecallStatus.ACCEPTED,
                    RecallStatus.ACCEPTED.label,
                    actor=None,
                    note=QUEUED_WITHDRAWN,
                    at=now,
                )
        # Agencies of other systems get a revocation package of what they received as new.
        external_recall(
            actor=actor,
            document=locked,
            reason=reason,
            deliveries=[
                d for d in recipients if not d.is_local and d.business_type == BusinessType.NEW
            ],
        )
        audit_record(
            actor=actor,
            action="exchange.recall",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={
                "reason": reason,
                "deliveries": [d.pk for d in deliveries],
                "given_back": [d.pk for d in deliveries if d.withdrawn],
            },
        )
        label = document_label(document)
        for delivery in deliveries:
            verb = "đã thu hồi" if delivery.withdrawn else RecallStatus.REQUESTED.label
            notification_send(
                recipients=_clerks([delivery.local_recipient_id]),
                title=f"{document.unit.name} {verb} {label}",
                body=reason,
                link=reverse("exchange:delivery_detail", kwargs={"pk": delivery.pk}),
            )
    return recall


def delivery_recall_answer(
    *, actor: User, delivery: Delivery, accept: bool, note: str = "", ip: str | None = None
) -> Delivery:
    """The recipient's clerk answers a recall of a registered copy: accepted (15), the copy is
    marked as taken back in the register and its processing ends (`documents.withdrawals`: open
    assignments ended, their handlers told, no more reminders or progress); refused (16, with a
    reason), it stays and the sender may still update or replace it."""
    _require_recipient_clerk(actor, delivery)
    note = _note(note, label="lý do từ chối thu hồi", field="note", required=not accept)

    def check(item: Delivery) -> None:
        if item.recall_status != RecallStatus.REQUESTED:
            raise ServiceError("Không có đề nghị thu hồi nào đang chờ trả lời cho văn bản này.")

    check(delivery)
    with transaction.atomic():
        incoming = None
        # Read from the row, not the caller's copy: a copy under a take-back (13) is never
        # registered meanwhile, so this stays true under the lock.
        incoming_pk = (
            Delivery.objects.filter(pk=delivery.pk)
            .values_list("incoming_document_id", flat=True)
            .first()
        )
        if accept and incoming_pk is not None:
            # The processing first, then the delivery: the order of the processing's writers.
            incoming = Document.objects.get(pk=incoming_pk)
            withdrawal_lock(incoming)
        locked = _locked(delivery)
        check(locked)
        code = RecallStatus.ACCEPTED if accept else RecallStatus.REFUSED
        locked.recall_status = code
        locked.recall_answer_note = note
        locked.save(update_fields=["recall_status", "recall_answer_note"])
        now = clock.now()
        delivery_event(locked, code, code.label, actor=actor, note=note, at=now)
        if incoming is not None:
            recall = DocumentRecall.objects.filter(document=locked.sent_document).first()
            document_withdraw(
                incoming, actor=actor, reason=recall.reason if recall else note, at=now
            )
        audit_record(
            actor=actor,
            action="exchange.recall_answer",
            unit=locked.recipient_unit,
            target=locked,
            ip=ip,
            data={"document": locked.document_id, "accepted": accept, "note": note},
        )
        notification_send(
            recipients=_clerks([locked.sender.pk]),
            title=(
                f"{locked.local_recipient.name} {code.label} {document_label(locked.sent_document)}"
            ),
            body=note,
            link=reverse("exchange:sent_status", kwargs={"document_pk": locked.document_id}),
        )
    delivery.refresh_from_db()
    return locked


def received_file_download(
    *, actor: User, delivery_pk: int, file_pk: int, ip: str | None = None, viewed: bool = False
) -> Download:
    """The recipient's clerk reads a file of a document in the queue before registering it
    (no re-typing, no paper). Checked against its SHA-256 before anything is sent; recorded
    (noted `viewed` for the document viewer)."""

    file = received_file(user=actor, delivery_pk=delivery_pk, file_pk=file_pk)
    delivery = Delivery.objects.select_related("recipient_unit").get(pk=delivery_pk)
    stream = verified_stream(
        actor=actor,
        storage_name=file.storage_name,
        sha256=file.sha256,
        action="exchange.file_download",
        unit=delivery.recipient_unit,
        target=delivery,
        data=viewed_data(
            {"file": file.pk, "name": file.original_name, "sha256": file.sha256}, viewed
        ),
        ip=ip,
    )
    return Download(file=file, size=stream.size, chunks=stream.chunks)
