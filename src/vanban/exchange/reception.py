"""Registering or refusing a received document, whatever the transport it came by (R15, R16;
NĐ 30/2020 Art. 21-22).

A document in a unit's reception queue is a `Delivery` with status 01: from a unit of the
deployment (`exchange.delivery.delivery_register`, `delivery_return`) or from a partner system
(`exchange.partners.services.inbound_register`, `inbound_refuse`). Both go through one path:

1. the clerk's right, and the check that the document still waits;
2. the record and files (read before any lock: the signature check may go to the network);
3. under the lock of the delivery row, the check again, then the incoming document
   (`documents.services.incoming_register`) or the refusal, the status 03 or 02 with its
   `DeliveryEvent`, the answer to the sender and the audit event.

The transport (a `Source`) says where the record and files come from (the sender's document,
or the package), how the sender is answered (an event the sender unit reads, its clerks told;
or a status message 03 or 02 to the partner system) and the words of its refusals. A refused
action changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model

from vanban.accounts.models import Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents import receipt_checks
from vanban.documents.files import detect_format, file_discard
from vanban.documents.models import Document
from vanban.documents.services import DocumentInput, Refusals, incoming_register
from vanban.signatures.models import Trigger

from .models import Delivery, DeliveryEvent, DeliveryStatus


@dataclass
class Intake:
    """What a received document is registered with: its record and its files, with the check of
    their signatures when the transport made it before the lock (R11)."""

    record: DocumentInput
    main_file: UploadedFile[bytes] | None
    attachments: list[UploadedFile[bytes]] = field(default_factory=list)
    checks: receipt_checks.Results | None = None


@dataclass(frozen=True)
class Refusal:
    """A refusal (02) as the recipient's clerk gave it: the reason the sender reads
    (`return_note`), the reason code of a unit of the deployment (`return_reason`, blank for a
    partner) and the note of the status event."""

    note: str
    reason_code: str = ""
    event_note: str = ""


@dataclass(frozen=True)
class Audit:
    action: str
    target: Model
    data: dict[str, Any]


class Source(Protocol):
    """What the transport of a received document decides."""

    def require(self, actor: User, delivery: Delivery) -> Unit:
        """The recipient unit, when `actor` is one of its clerks; else the transport's refusal."""
        ...

    def not_waiting(self, delivery: Delivery) -> str:
        """Why the document may no longer be registered or refused; empty while it waits."""
        ...

    def intake(self, delivery: Delivery) -> Intake:
        """The record and files the incoming document is registered with."""
        ...

    def registered(
        self, locked: Delivery, document: Document, *, actor: User, at: dt.datetime
    ) -> Audit:
        """Answers the sender (03) in the caller's transaction; the audit event to write."""
        ...

    def refused(self, locked: Delivery, refusal: Refusal, *, actor: User, at: dt.datetime) -> Audit:
        """Answers the sender (02) in the caller's transaction; the audit event to write."""
        ...


def delivery_event(
    delivery: Delivery, code: str, label: str, *, actor: Any, note: str = "", at: Any = None
) -> DeliveryEvent:
    """One status of a delivery in its trail (nobody for a status a partner system reported or
    one given on arrival)."""
    return DeliveryEvent.objects.create(
        delivery=delivery,
        code=code,
        label=label,
        note=note[:500],
        actor=actor if getattr(actor, "pk", None) else None,
        at=at or clock.now(),
    )


def _locked(delivery: Delivery) -> Delivery:
    """The delivery row, locked and read again: its state is checked after the lock."""
    return (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("document", "package__partner")
        .get(pk=delivery.pk)
    )


def _waiting(source: Source, delivery: Delivery) -> None:
    problem = source.not_waiting(delivery)
    if problem:
        raise ServiceError(problem)


def received_register(
    *,
    source: Source,
    actor: User,
    delivery: Delivery,
    refusals: Refusals,
    confirm_duplicate: bool = False,
    signature_reason: str = "",
    ip: str | None = None,
) -> Document:
    """The recipient's clerk registers a document from the reception queue: the incoming
    document is created by `documents.services.incoming_register` (arrival number, R13
    declaration, duplicate warning, a file whose signature is invalid or untrusted registered
    only with the clerk's reason, R11) with the record and files of `source`; the delivery shows
    03 with the arrival number, the sender is answered. Files stored by a transaction that rolls
    back are removed."""
    source.require(actor, delivery)
    _waiting(source, delivery)
    intake = source.intake(delivery)
    if intake.checks is None:  # before the lock: the check may go to the network
        intake.checks = receipt_checks.files_check(_contents(intake))
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _locked(delivery)
            _waiting(source, locked)
            document = incoming_register(
                actor=actor,
                unit=source.require(actor, locked),
                data=intake.record,
                refusals=refusals,
                main_file=intake.main_file,
                attachments=intake.attachments,
                confirm_duplicate=confirm_duplicate,
                signature_trigger=Trigger.RECEIPT,
                signature_checks=intake.checks,
                signature_reason=signature_reason,
                received_files=True,
                ip=ip,
            )
            stored = list(document.files.values_list("storage_name", flat=True))
            now = clock.now()
            locked.status = DeliveryStatus.REGISTERED
            locked.status_at = now
            locked.incoming_document = document
            locked.save(update_fields=["status", "status_at", "incoming_document"])
            delivery_event(
                locked,
                DeliveryStatus.REGISTERED,
                DeliveryStatus.REGISTERED.label,
                actor=actor,
                note=f"Số đến {document.register_number}",
                at=now,
            )
            audit = source.registered(locked, document, actor=actor, at=now)
            _audit(audit, actor=actor, unit=locked.recipient_unit, ip=ip)
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    delivery.refresh_from_db()
    return document


def _contents(intake: Intake) -> list[tuple[str, str, bytes]]:
    """(name, format, bytes) of the intake's files, as the signature checks read them."""
    contents = []
    for upload in [intake.main_file, *intake.attachments]:
        if upload is None:
            continue
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        contents.append((upload.name or "", detect_format(data) or "", data))
    return contents


def received_reports(*, source: Source, delivery: Delivery) -> list[receipt_checks.FileReport]:
    """R11: the signature reports of the files a waiting document would be registered with,
    for the clerk to read before registering it; nothing once it no longer waits."""
    if source.not_waiting(delivery):
        return []
    intake = source.intake(delivery)
    checks = intake.checks
    if checks is None:
        checks = receipt_checks.files_check(_contents(intake))
    return receipt_checks.describe(checks)


def received_refuse(
    *,
    source: Source,
    actor: User,
    delivery: Delivery,
    refusal: Callable[[], Refusal],
    ip: str | None = None,
) -> Delivery:
    """The recipient's clerk refuses (returns) a document from the reception queue with the
    reason `refusal()` gives (read after the right and the state are checked); the delivery
    shows 02 with it, the sender is answered."""
    source.require(actor, delivery)
    _waiting(source, delivery)
    given = refusal()
    with transaction.atomic():
        locked = _locked(delivery)
        _waiting(source, locked)
        now = clock.now()
        locked.status = DeliveryStatus.RETURNED
        locked.status_at = now
        locked.return_reason = given.reason_code
        locked.return_note = given.note[:500]
        locked.save(update_fields=["status", "status_at", "return_reason", "return_note"])
        delivery_event(
            locked,
            DeliveryStatus.RETURNED,
            DeliveryStatus.RETURNED.label,
            actor=actor,
            note=given.event_note or given.note,
            at=now,
        )
        audit = source.refused(locked, given, actor=actor, at=now)
        _audit(audit, actor=actor, unit=locked.recipient_unit, ip=ip)
    delivery.refresh_from_db()
    return locked


def _audit(audit: Audit, *, actor: User, unit: Unit | None, ip: str | None) -> None:
    audit_record(
        actor=actor, action=audit.action, unit=unit, target=audit.target, ip=ip, data=audit.data
    )
