"""Receiving (R15, R16): a package or a status message posted by an authenticated partner is
checked, scanned (R20) and kept once; the recipient unit's clerks are told, and the clerk
registers or refuses the package.

A package (a new document, an update or a replacement) is kept as the message that arrived
(`Inbound`) and as the document received (`Delivery`, its `package`), which waits in the unit's
reception queue with the documents of the deployment's units. Registering and refusing it take
the path of every received document (`exchange.reception`); what is particular to a package is
that the record is the one the clerk confirmed (prefilled from the package), the files are the
package's, the sender is answered with a status message and the message's state follows the
delivery's in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from vanban.accounts.models import Role, Unit, UnitRecord, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.services import notification_send
from vanban.documents.files import file_discard, file_read_verified, safe_file_name
from vanban.documents.models import Document, DocumentPolicy
from vanban.documents.services import Refusals
from vanban.exchange.addressing import (
    READDRESSED_LABEL,
    Addressed,
    readdress_note,
    recipient_for_code,
    unit_now,
)
from vanban.exchange.edxml import (
    BUSINESS_REVOKE,
    STATUS_CODES,
    EdxmlError,
    EdxmlPackage,
    StatusRead,
    check_addresses,
    parse_package,
    read_status,
    text_to_timestamp,
)
from vanban.exchange.models import (
    Delivery,
    DeliveryStatus,
    Inbound,
    InboundState,
    MessageKind,
    Partner,
)
from vanban.exchange.reception import (
    Audit,
    Intake,
    Refusal,
    delivery_event,
    received_refuse,
    received_register,
)
from vanban.exchange.services import _as_upload
from vanban.exchange.staging import package_files
from vanban.scanning.services import MalwareFound, upload_scan
from vanban.signatures.services import verify_bytes

from ._common import INBOUND_PREFIX, Received, Refused, _package_name, _require_clerk, _store
from .recall import _revocation_allowed, _revocation_arrived, _take_back_requested
from .status import _apply_status, _status_applied, status_send


def _our_unit(code: str) -> Unit | None:
    """The unit of ours a message to `code` reaches: a closed code's goes to its successor
    (QĐ 09/2025/QĐ-TTg; `exchange.addressing`)."""
    addressed = recipient_for_code(code)
    return addressed.unit if addressed is not None else None


def _addressed_to(codes: list[str]) -> dict[str, Addressed]:
    """The recipients of ours among `codes`, one per unit: a code of the unit itself is preferred
    to a closed code that reaches the same unit."""
    found = [a for a in (recipient_for_code(code) for code in codes) if a is not None]
    by_unit: dict[int, Addressed] = {}
    for addressed in sorted(found, key=lambda a: a.readdressed):
        by_unit.setdefault(addressed.unit.pk, addressed)
    return {a.code: a for a in by_unit.values()}


def _signature_problem(files: list[Any]) -> str:
    """Why the package's documents may not be received (R11; NĐ 30/2020 Appendix I: the main
    document and each attachment carry the sender's signature): every PDF is checked, and each
    one unsigned or not valid is named with its reasons. Empty when acceptable."""

    pdfs = [f for f in files if getattr(f, "data", b"")[:5] == b"%PDF-"]
    if not pdfs:
        return "Gói không có tệp PDF mang chữ ký số của cơ quan gửi."
    problems = []
    for item in pdfs:
        report = verify_bytes(item.data)
        if report.status == "unsigned":
            problems.append(f"Văn bản “{item.name}” không có chữ ký số.")
        elif report.status != "valid":
            reasons = " ".join(report.reasons()) or report.label
            problems.append(f"Chữ ký số của văn bản “{item.name}” không hợp lệ: {reasons}")
    return " ".join(problems)


def receive(*, partner: Partner, data: bytes) -> Received:
    """A message posted by an authenticated partner (see the module docstring)."""
    limit = DocumentPolicy.current().max_file_size_mb * 1024 * 1024
    if len(data) > limit:
        raise Refused(
            f"Gói tin lớn hơn giới hạn {DocumentPolicy.current().max_file_size_mb} MB.",
            http_status=413,
        )
    if b"StatusCode" in data[:20000] and b"ResponseFor" in data[:20000]:
        try:
            status = read_status(data)
        except EdxmlError as exc:
            raise Refused(exc.message) from exc
        return _receive_status(partner, data, status)
    try:
        package = parse_package(data, max_bytes=limit)
        check_addresses(package)  # QĐ 20/2020/QĐ-TTg: From and To name well-formed agency codes
    except EdxmlError as exc:
        raise Refused(exc.message) from exc
    return _receive_package(partner, data, package)


def _receive_package(partner: Partner, data: bytes, package: EdxmlPackage) -> Received:
    """A package from `partner`, checked, then kept once per DocumentId and recipient: the same
    bytes again are a duplicate, other bytes under the same DocumentId are refused. A revocation
    (business type 1) is only for documents this partner's same agency sent us and that may
    still be taken back; its signatures are checked as any package's."""
    sender, targets = _package_addressed(partner, package)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Inbound.objects.filter(
        kind=MessageKind.PACKAGE,
        edxml_id=package.document_id,
        to_code__in=targets,
        business_type=package.business_type,
    )
    if existing.exists():
        if all(row.sha256 == sha256 for row in existing):
            return Received("duplicate", existing.first())
        raise Refused(
            f"DocumentId {package.document_id} đã nhận với nội dung khác; gói tin bị từ chối.",
            http_status=409,
        )
    if package.business_type == BUSINESS_REVOKE:
        _revocation_allowed(partner, sender, package, targets)
    files, notes = package_files(package, "goi-van-ban.edxml")
    _scan_files(partner, files, _our_unit(targets[0]))
    problem = _signature_problem(files)
    now = clock.now()
    storage_name = _store(INBOUND_PREFIX, data)
    result: Received | None = None
    try:
        with transaction.atomic():
            rows = _package_keep(
                partner,
                data,
                package,
                sender=sender,
                targets=targets,
                sha256=sha256,
                problem=problem,
                storage_name=storage_name,
                now=now,
            )
            result = Received("refused" if problem else "accepted", rows[0], problem, notes)
            result.readdressed = [a.note for a in _addressed_to(targets).values() if a.readdressed]
    except IntegrityError:
        # Another request stored the same DocumentId meanwhile: answer as for a repeat.
        file_discard(storage_name)
        return _package_raced(package, targets, sha256)
    except BaseException:
        file_discard(storage_name)
        raise
    return result


def _package_addressed(partner: Partner, package: EdxmlPackage) -> tuple[str, list[str]]:
    """The package's sender, one of `partner`'s agency codes, and the recipients that are units
    of ours; a package from another sender, without DocumentId or for nobody here is refused."""
    sender = package.from_organ.organ_id or ""
    if not partner.codes.filter(agency_code=sender).exists():
        raise Refused(
            f"Cơ quan gửi {sender or '(không ghi)'} không thuộc hệ thống {partner.name}.",
            http_status=403,
        )
    if not package.document_id:
        raise Refused("Gói tin không có DocumentId.")
    codes = [o.organ_id or "" for o in package.to_organs]
    addressed = _addressed_to(codes)
    targets = [code for code in codes if code in addressed]
    if not targets:
        names = ", ".join(codes) or "(không ghi)"
        raise Refused(f"Nơi nhận {names} không phải đơn vị của hệ thống này.", http_status=422)
    return sender, targets


def _package_keep(
    partner: Partner,
    data: bytes,
    package: EdxmlPackage,
    *,
    sender: str,
    targets: list[str],
    sha256: str,
    problem: str,
    storage_name: str,
    now: dt.datetime,
) -> list[Inbound]:
    """One Inbound row per recipient unit, in the caller's transaction, each answered: a
    take-back (business type 1) is applied, or answered 02 with the `problem` when its
    signatures fail; a document (new, update, replacement) is also a delivery to the unit, which
    gets 02 at once with the `problem` when the signatures fail, else 01 and the unit's clerks
    are told; then one audit event."""
    rows: list[Inbound] = []
    addressed = _addressed_to(targets)
    for code in targets:
        state = InboundState.REJECTED if problem else InboundState.QUEUED
        to = addressed[code]
        row = Inbound.objects.create(
            partner=partner,
            kind=MessageKind.PACKAGE,
            edxml_id=package.document_id,
            from_code=sender,
            from_name=package.from_organ.name[:255],
            to_code=code,
            unit=to.unit,
            business_type=package.business_type,
            subject=(package.subject or package.content)[:500],
            number_symbol=package.number_symbol[:100],
            storage_name=storage_name if not rows else _store(INBOUND_PREFIX, data),
            original_name=_package_name(package.number_symbol),
            sha256=sha256,
            size=len(data),
            state=state,
            reason=problem[:500],
            received_at=now,
        )
        rows.append(row)
        if package.business_type == BUSINESS_REVOKE:
            if problem:  # its signatures are checked as any package's: refused, nothing taken
                status_send(inbound=row, code="02", description=problem)
            else:
                _revocation_arrived(row, package)
            continue
        _delivery_arrived(partner, row, problem, now, readdressed=to.note)
        if problem:
            status_send(
                inbound=row, code="02", description=" ".join(filter(None, [problem, to.note]))
            )
        else:
            # The sender learns the closed code's successor from the 01 it gets back (its From
            # is the successor's code, the description says why).
            status_send(inbound=row, code="01", description=to.note)
            _notify_clerks(row)
    audit_record(
        actor=None,
        action="interop.receive",
        unit=rows[0].unit,
        target=rows[0],
        data={
            "partner": partner.name,
            "edxml_id": package.document_id,
            "to": targets,
            "refused": problem,
            "readdressed": {c: a.unit.agency_code for c, a in addressed.items() if a.readdressed},
        },
    )
    return rows


def _delivery_arrived(
    partner: Partner, row: Inbound, problem: str, now: dt.datetime, *, readdressed: str = ""
) -> Delivery:
    """The document a package brought, to the unit `row` is for: in its reception queue (01), or
    refused on arrival (02, the `problem` as the reason). A package to a closed code has the
    re-addressing as the first line of its trail (QĐ 09/2025/QĐ-TTg)."""
    status = DeliveryStatus.RETURNED if problem else DeliveryStatus.ARRIVED
    delivery = Delivery.objects.create(
        transport=partner.transport,
        partner=partner,
        agency_code=row.from_code,
        recipient_unit=row.unit,
        edxml_id=row.edxml_id,
        business_type=row.business_type,
        package=row,
        status=status,
        status_at=now,
        return_note=problem[:500],
        created_at=now,
    )
    if readdressed:
        delivery_event(delivery, status, READDRESSED_LABEL, actor=None, note=readdressed, at=now)
    delivery_event(delivery, status, status.label, actor=None, note=problem, at=now)
    return delivery


def _package_raced(package: EdxmlPackage, targets: list[str], sha256: str) -> Received:
    """The answer when another request stored the same DocumentId meanwhile: a duplicate if it
    kept the same bytes, else the package is refused."""
    again = Inbound.objects.filter(
        kind=MessageKind.PACKAGE, edxml_id=package.document_id, to_code__in=targets
    ).first()
    if again is not None and again.sha256 == sha256:
        return Received("duplicate", again)
    raise Refused(
        f"DocumentId {package.document_id} đã nhận với nội dung khác; gói tin bị từ chối.",
        http_status=409,
    ) from None


def _scan_files(partner: Partner, files: list[Any], unit: Unit | None) -> None:
    """Every file the package carries is scanned for malware before anything is kept (R20):
    an infected one is quarantined and reported to the admins, and the package refused."""

    for item in files:
        if item.is_package:
            continue
        try:
            upload_scan(
                data=item.data,
                name=safe_file_name(item.name),
                actor=None,
                unit=unit,
                source=f"Liên thông từ {partner.name}"[:100],
            )
        except MalwareFound as exc:
            raise Refused(exc.message, http_status=422) from exc
        except ServiceError as exc:  # the scanner did not answer: try again later
            raise Refused(exc.message, http_status=503) from exc


def _notify_clerks(row: Inbound) -> None:
    if row.unit is None:
        return
    clerks = User.objects.filter(
        role_assignments__unit=row.unit, role_assignments__role=Role.CLERK, status="active"
    ).distinct()
    notification_send(
        recipients=clerks,
        title=f"Văn bản điện tử từ {row.from_name or row.from_code}: {row.subject[:120]}",
        link=reverse("interop:inbound_detail", args=[row.pk]),
    )


def _receive_status(partner: Partner, data: bytes, status: StatusRead) -> Received:
    sender = status.from_code
    if not partner.codes.filter(agency_code=sender).exists():
        raise Refused(
            f"Cơ quan gửi {sender or '(không ghi)'} không thuộc hệ thống {partner.name}.",
            http_status=403,
        )
    if status.code not in STATUS_CODES:
        raise Refused(f"Mã trạng thái “{status.code}” không hợp lệ.")
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Inbound.objects.filter(
        partner=partner, kind=MessageKind.STATUS, sha256=sha256
    ).first()
    if existing is not None:
        return Received("duplicate", existing)
    if status.code == "13":
        return _take_back_requested(partner, data, status, sha256)
    delivery = (
        Delivery.objects.filter(
            edxml_id=status.document_id,
            agency_code=sender,
            partner=partner,
            package__isnull=True,
        )
        .select_related("document__unit")
        .first()
    )
    if delivery is None or delivery.document is None:
        raise Refused(
            f"Không có văn bản nào có DocumentId {status.document_id} đã gửi cho {sender}.",
            http_status=404,
        )
    now = clock.now()
    # A status about a document of a unit that has ended, or under its former code, reaches the
    # unit that carries it on (QĐ 09/2025/QĐ-TTg); the trail and the answer say so.
    issuer = delivery.document.unit
    to_code = issuer.agency_code
    # The issuer decides, not whoever bears a code today (a code may be given again): an ended
    # issuer's successor, or the issuer under its new code when the DocumentId names its former.
    addressed = unit_now(issuer)
    former = status.document_id.split(",", 1)[0]
    if former != to_code and UnitRecord.objects.filter(unit=issuer, agency_code=former).exists():
        to_code = former
        if addressed is not None and not addressed.readdressed:
            addressed = Addressed(former, issuer, readdress_note(former, issuer))
    note = addressed.note if addressed is not None else ""
    received = _status_applied(
        partner,
        data,
        sha256,
        status,
        lambda row: _apply_status(
            delivery,
            status.code,
            status.description,
            now,
            text_to_timestamp(status.timestamp),
            readdressed=note,
        ),
        to_code=to_code[:13],
        unit=addressed.unit if addressed is not None else issuer,
        status_code=status.code,
        original_name=f"trang-thai-{status.code}.edxml",
        received_at=now,
    )
    if note and received.outcome == "applied":
        received.readdressed.append(note)
    return received


NOT_QUEUED = "Văn bản này không còn chờ vào sổ."


def inbound_package(inbound: Inbound) -> EdxmlPackage:
    data = file_read_verified(inbound.storage_name, inbound.sha256)
    return parse_package(data, max_bytes=max(len(data), 1))


def _received(inbound: Inbound) -> Delivery:
    """The document a package brought: registered or refused through its delivery."""
    delivery = (
        Delivery.objects.filter(package=inbound, package__kind=MessageKind.PACKAGE)
        .select_related("package__partner")
        .first()
    )
    if delivery is None:
        raise ServiceError(NOT_QUEUED)
    return delivery


def _package_of(delivery: Delivery) -> Inbound:
    if delivery.package is None:
        raise ServiceError(NOT_QUEUED)
    return delivery.package


@dataclass(frozen=True)
class _FromPartner:
    """A document received from a partner system (`exchange.reception.Source`): the record is
    the one the clerk confirmed (`record`, prefilled from the package), the files the package's;
    the sender is answered with a status message (03, 02 with the reason) and the package's
    state follows the delivery's."""

    record: Any = None

    def require(self, actor: User, delivery: Delivery) -> Unit:
        return _require_clerk(actor, _package_of(delivery))

    def not_waiting(self, delivery: Delivery) -> str:
        return "" if delivery.in_queue else NOT_QUEUED

    def intake(self, delivery: Delivery) -> Intake:
        inbound = _package_of(delivery)
        files, _notes = package_files(inbound_package(inbound), inbound.original_name)
        uploads: list[UploadedFile[bytes]] = [_as_upload(item) for item in files]
        main_file = uploads[0] if files and files[0].role == "main" else None
        others = uploads[1:] if main_file is not None else uploads
        return Intake(self.record, main_file, others)

    def registered(
        self, locked: Delivery, document: Document, *, actor: User, at: dt.datetime
    ) -> Audit:
        inbound = _package_of(locked)
        inbound.state = InboundState.REGISTERED
        inbound.incoming_document = document
        inbound.answered_by = actor
        inbound.answered_at = at
        inbound.save(update_fields=["state", "incoming_document", "answered_by", "answered_at"])
        status_send(
            inbound=inbound,
            code="03",
            description=f"Đã vào sổ đến số {document.register_number}",
            actor=actor,
        )
        return Audit(
            "interop.register", document, {"edxml_id": inbound.edxml_id, "from": inbound.from_code}
        )

    def refused(self, locked: Delivery, refusal: Refusal, *, actor: User, at: dt.datetime) -> Audit:
        inbound = _package_of(locked)
        inbound.state = InboundState.REFUSED
        inbound.reason = refusal.note[:500]
        inbound.answered_by = actor
        inbound.answered_at = at
        inbound.save(update_fields=["state", "reason", "answered_by", "answered_at"])
        status_send(inbound=inbound, code="02", description=refusal.note, actor=actor)
        return Audit(
            "interop.refuse", inbound, {"edxml_id": inbound.edxml_id, "reason": refusal.note}
        )


def inbound_register(
    *,
    actor: User,
    inbound: Inbound,
    data: Any,
    refusals: Refusals,
    confirm_duplicate: bool = False,
    signature_reason: str = "",
    ip: str | None = None,
) -> Document:
    """The clerk registers a document received from a partner (R15, R16): the record as the
    clerk confirmed it (prefilled from the package), the package's files; 03 goes back. The path
    is the one of every received document (`exchange.reception`)."""

    _require_clerk(actor, inbound)
    document = received_register(
        source=_FromPartner(data),
        actor=actor,
        delivery=_received(inbound),
        refusals=refusals,
        confirm_duplicate=confirm_duplicate,
        signature_reason=signature_reason,
        ip=ip,
    )
    inbound.refresh_from_db()
    return document


def inbound_refuse(*, actor: User, inbound: Inbound, reason: str, ip: str | None = None) -> Inbound:
    """The clerk refuses a received document with the reason; 02 goes back with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Hãy ghi lý do từ chối.", field="reason")
    _require_clerk(actor, inbound)
    received_refuse(
        source=_FromPartner(),
        actor=actor,
        delivery=_received(inbound),
        refusal=lambda: Refusal(note=reason),
        ip=ip,
    )
    inbound.refresh_from_db()
    return inbound
