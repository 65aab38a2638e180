"""Exchange with other systems (R15; issue 6).

Sending: issuing a document to an agency served by a partner system writes, in the issuing
transaction, an `ExternalDelivery` and an `Outbound` package (edXML); registering, refusing,
assigning, processing and completing a document received from a partner writes an `Outbound`
status message. Workers (`vanban interop work`) send what is due through the partner's
transport, retrying with an exponential backoff; nothing is lost when either side stops.

Receiving (`receive`): a partner authenticated by its secret posts a package or a status
message. A package is checked (format and safety by the edXML reader, sender among the partner's
agency codes, recipient one of our units, signatures of its PDF files) and kept once per
DocumentId and recipient: the same bytes again are acknowledged, other bytes under the same
DocumentId are refused. A package whose signatures are missing or invalid is refused with a
status 02 and the reason sent back. A status message updates the document we sent.

Every write runs in a transaction; a refused message changes nothing but the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q

from vanban.accounts.models import AGENCY_CODE_RE, Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.documents.files import file_discard, file_read_verified, safe_file_name
from vanban.documents.models import Document, DocumentPolicy
from vanban.documents.services import incoming_register
from vanban.exchange.edxml import (
    STATUS_CODES,
    EdxmlError,
    EdxmlPackage,
    StatusRead,
    parse_package,
    read_status,
    validate,
)
from vanban.exchange.models import (
    ExternalDelivery,
    ExternalEvent,
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    OutboundState,
    Partner,
    PartnerCode,
    Transport,
)
from vanban.exchange.services import _as_upload
from vanban.exchange.staging import package_files
from vanban.scanning.services import MalwareFound, upload_scan
from vanban.signatures.models import Trigger
from vanban.signatures.services import verify_bytes

from .packages import package_for_document, status_for_inbound

# The exchange with partner systems logs under one name operators filter on (docs/interop.md).
logger = logging.getLogger("vanban.interop")

INBOUND_PREFIX = "interop/in"
MAX_ATTEMPTS = 30
BACKOFF_FIRST = dt.timedelta(seconds=5)
BACKOFF_MAX = dt.timedelta(hours=1)

PROGRESS = ["01", "03", "04", "05", "06"]


class Refused(ServiceError):
    """A message refused on arrival; `http_status` says how the endpoint answers."""

    def __init__(self, message: str, *, http_status: int = 400) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass
class Received:
    """What `receive` did: `outcome` is accepted, duplicate, refused (kept and answered with
    status 02) or applied (a status message)."""

    outcome: str
    inbound: Inbound | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "vbl_" + secrets.token_urlsafe(32)


def partner_for_token(token: str) -> Partner | None:
    if not token:
        return None
    return Partner.objects.filter(inbound_token_hash=token_hash(token), active=True).first()


def _store(prefix: str, data: bytes) -> str:
    now = clock.now()
    return default_storage.save(f"{prefix}/{now:%Y/%m}/{uuid.uuid4().hex}.edxml", ContentFile(data))


# ---------------------------------------------------------------- partners


def partner_save(
    *,
    actor: User,
    name: str,
    endpoint: str,
    transport: str = "direct",
    outbound_token: str = "",
    codes: list[tuple[str, str]] | None = None,
    allowed_units: list[Unit] | None = None,
    partner: Partner | None = None,
    ip: str | None = None,
) -> tuple[Partner, str]:
    """The province admin adds or changes a partner system. Returns the partner and, for a new
    one, the secret the partner must present to us (shown once; only its hash is kept)."""

    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    name = (name or "").strip()
    if not name:
        raise ServiceError("Hãy nhập tên hệ thống.", field="name")
    if transport not in Transport.values:
        raise ServiceError("Cách kết nối không hợp lệ.", field="transport")
    if not (endpoint or "").startswith(("http://", "https://")):
        raise ServiceError("Địa chỉ nhận gói tin phải bắt đầu bằng http:// hoặc https://.")
    rows = []
    for code, organ in codes or []:
        code = code.strip()
        if not AGENCY_CODE_RE.match(code):
            raise ServiceError(f"Mã định danh “{code}” không đúng dạng V1V2V3.Z1Z2.Y1Y2.H##.")
        rows.append((code, organ.strip() or code))
    taken = PartnerCode.objects.filter(agency_code__in=[c for c, _ in rows])
    if partner is not None:
        taken = taken.exclude(partner=partner)
    clash = taken.first()
    if clash is not None:
        raise ServiceError(f"Mã định danh {clash.agency_code} đã thuộc hệ thống khác.")
    secret = ""
    with transaction.atomic():
        if partner is None:
            if Partner.objects.filter(name=name).exists():
                raise ServiceError("Đã có hệ thống liên thông cùng tên.", field="name")
            secret = new_token()
            partner = Partner.objects.create(
                name=name,
                endpoint=endpoint,
                transport=transport,
                outbound_token=outbound_token,
                inbound_token_hash=token_hash(secret),
                created_at=clock.now(),
            )
        else:
            partner.name, partner.endpoint, partner.transport = name, endpoint, transport
            if outbound_token:
                partner.outbound_token = outbound_token
            partner.save()
        for code, organ in rows:
            PartnerCode.objects.update_or_create(
                agency_code=code, defaults={"partner": partner, "name": organ}
            )
        if allowed_units is not None:
            partner.allowed_units.set(allowed_units)
        audit_record(
            actor=actor,
            action="interop.partner_save",
            target=partner,
            ip=ip,
            data={"name": name, "codes": [c for c, _ in rows], "endpoint": endpoint},
        )
    return partner, secret


def partner_set_inbound_token(
    *, actor: User | None, partner: Partner, token: str, ip: str | None = None
) -> None:
    """Sets the secret the partner presents to us (used when both sides agree on it, or when a
    new secret replaces a lost one)."""
    if actor is not None and not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    if not (token or "").strip():
        raise ServiceError("Hãy nhập mã xác thực.")
    with transaction.atomic():
        partner.inbound_token_hash = token_hash(token)
        partner.save(update_fields=["inbound_token_hash"])
        audit_record(actor=actor, action="interop.partner_token", target=partner, ip=ip, data={})


def route_for(*, unit: Unit, agency_code: str) -> PartnerCode | None:
    """The partner that serves `agency_code`, if `unit` may send through it."""
    code = (
        PartnerCode.objects.select_related("partner")
        .filter(agency_code=agency_code, partner__active=True)
        .first()
    )
    if code is None:
        return None
    allowed = list(code.partner.allowed_units.values_list("pk", flat=True))
    if allowed and unit.pk not in allowed:
        return None
    return code


# ---------------------------------------------------------------- sending


def _outbound(
    *,
    partner: Partner,
    kind: str,
    document_id: str,
    to_code: str,
    data: bytes,
    name: str,
    status_code: str = "",
    business_type: int = 0,
    document: Document | None = None,
) -> Outbound:
    """Writes the message row inside the caller's transaction, once the message passes the XML
    Schema kept in the repository (what we produce must be valid edXML)."""
    problems = validate(data)
    if problems:
        raise ServiceError("Gói tin tạo ra không đúng lược đồ edXML: " + "; ".join(problems[:3]))
    now = clock.now()
    return Outbound.objects.create(
        partner=partner,
        kind=kind,
        edxml_id=document_id,
        to_code=to_code,
        status_code=status_code,
        business_type=business_type,
        document=document,
        payload=data,
        original_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        next_attempt_at=now,
        created_at=now,
    )


def external_send(
    *,
    actor: User,
    document: Document,
    recipients: list[tuple[str, str]],
    business_type: int = 0,
    original_document: Document | None = None,
) -> list[ExternalDelivery]:
    """Queues the issued `document` for every recipient (agency code, name) served by a partner
    system, in the caller's transaction. Recipients without a route are left to other means
    (paper, e-mail) and reported by `unrouted`."""
    deliveries = []
    now = clock.now()
    for code, name in recipients:
        route = route_for(unit=document.unit, agency_code=code)
        if route is None:
            continue
        data, document_id = package_for_document(
            document,
            to_code=code,
            to_name=name or route.name,
            business_type=business_type,
            original_document=original_document,
        )
        delivery, created = ExternalDelivery.objects.get_or_create(
            document=document,
            agency_code=code,
            business_type=business_type,
            defaults={
                "partner": route.partner,
                "name": (name or route.name)[:255],
                "edxml_id": document_id,
                "created_at": now,
            },
        )
        if not created:
            continue
        _outbound(
            partner=route.partner,
            kind=MessageKind.PACKAGE,
            document_id=document_id,
            to_code=code,
            data=data,
            name=f"{document.number_symbol}.edxml",
            business_type=business_type,
            document=document,
        )
        deliveries.append(delivery)
    if deliveries:
        audit_record(
            actor=actor,
            action="interop.send",
            unit=document.unit,
            target=document,
            data={"to": [d.agency_code for d in deliveries], "business_type": business_type},
        )
    return deliveries


def unrouted(document: Document, codes: list[str]) -> list[str]:
    return [c for c in codes if route_for(unit=document.unit, agency_code=c) is None]


def status_send(
    *, inbound: Inbound, code: str, description: str = "", actor: User | None = None
) -> Outbound | None:
    """Queues a status message about a package received from a partner (01-06, 02 with the
    reason, 15/16 answers), in the caller's transaction. A progress status never goes back."""
    if code not in STATUS_CODES:
        raise ValueError(code)
    if code in PROGRESS[1:]:
        sent = set(
            Outbound.objects.filter(
                kind=MessageKind.STATUS,
                edxml_id=inbound.edxml_id,
                to_code=inbound.from_code,
            ).values_list("status_code", flat=True)
        )
        higher = PROGRESS[PROGRESS.index(code) :]
        if sent & set(higher):
            return None
    data = status_for_inbound(inbound, code=code, description=description, actor=actor)
    return _outbound(
        partner=inbound.partner,
        kind=MessageKind.STATUS,
        document_id=inbound.edxml_id,
        to_code=inbound.from_code,
        status_code=code,
        data=data,
        name=f"trang-thai-{code}.edxml",
    )


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt (settings VANBAN_INTEROP_BACKOFF_FIRST/_MAX, seconds)."""
    first = getattr(settings, "VANBAN_INTEROP_BACKOFF_FIRST", BACKOFF_FIRST.total_seconds())
    longest = getattr(settings, "VANBAN_INTEROP_BACKOFF_MAX", BACKOFF_MAX.total_seconds())
    delay = dt.timedelta(seconds=first) * (2 ** max(attempts - 1, 0))
    return min(delay, dt.timedelta(seconds=longest))


def due(limit: int = 50, now: dt.datetime | None = None) -> list[int]:
    now = now or clock.now()
    return list(
        Outbound.objects.filter(state=OutboundState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver(pk: int) -> str:
    """Sends one due message and records success, or the error and the next attempt.

    No transaction or lock is held while the partner is being called: the message is first
    claimed in a short transaction (row lock, skipped by other workers) that moves its next
    attempt past the transport's timeout, so that no other worker takes it meanwhile; the
    outcome is recorded in a second one. (Holding the transaction during the call would keep
    SQLite's write lock, and two deployments sending to each other would wait on each other.)
    A worker that dies while sending leaves the message due again when the claim expires; the
    partner then acknowledges it as a duplicate."""
    from .transport import TIMEOUT, TransportError, adapter_for

    now = clock.now()
    with transaction.atomic():
        message = (
            Outbound.objects.select_for_update(skip_locked=True)
            .select_related("partner")
            .filter(pk=pk, state=OutboundState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "skipped"
        claim = now + dt.timedelta(seconds=TIMEOUT + 30)
        message.next_attempt_at = claim
        message.save(update_fields=["next_attempt_at"])
    mine = Outbound.objects.filter(pk=pk, state=OutboundState.PENDING, next_attempt_at=claim)
    attempts = message.attempts + 1
    try:
        data = bytes(message.payload)
        if hashlib.sha256(data).hexdigest() != message.sha256:
            raise TransportError("Nội dung gói tin đã bị thay đổi.", permanent=True)
        adapter_for(message.partner).send(message, data)
    except TransportError as exc:
        failed = exc.permanent or attempts >= MAX_ATTEMPTS
        mine.update(
            attempts=attempts,
            last_error=str(exc)[:500],
            state=OutboundState.FAILED if failed else OutboundState.PENDING,
            next_attempt_at=claim if failed else clock.now() + backoff(attempts),
        )
        logger.warning("interop: %s %s: %s", message.kind, message.edxml_id, exc)
        return "failed" if failed else "retry"
    mine.update(attempts=attempts, state=OutboundState.SENT, sent_at=clock.now(), last_error="")
    return "sent"


def work_once(limit: int = 50) -> dict[str, int]:
    counts: dict[str, int] = {}
    for pk in due(limit):
        outcome = deliver(pk)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def message_unit_id(message: Outbound) -> int | None:
    """Our unit a message speaks for: the issuing unit of a package, the recipient unit of the
    package a status message answers."""
    if message.document_id is not None:
        return Document.objects.filter(pk=message.document_id).values_list("unit_id", flat=True)[0]
    return (
        Inbound.objects.filter(
            kind=MessageKind.PACKAGE, edxml_id=message.edxml_id, from_code=message.to_code
        )
        .values_list("unit_id", flat=True)
        .first()
    )


def retry_now(*, actor: User, message: Outbound, ip: str | None = None) -> Outbound:
    """An admin (the province admin, or the admin of the unit the message speaks for) sends a
    failed or waiting message again now."""
    if not actor.is_province_admin:
        unit_id = message_unit_id(message)
        managed = actor.managed_unit_ids() if actor.is_active else set()
        if unit_id is None or managed is None or unit_id not in managed:
            raise AccessDenied("Chỉ quản trị tỉnh hoặc quản trị đơn vị gửi được gửi lại gói tin.")
    with transaction.atomic():
        locked = Outbound.objects.select_for_update().get(pk=message.pk)
        if locked.state == OutboundState.SENT:
            raise ServiceError("Gói tin đã được gửi; không gửi lại.")
        locked.state = OutboundState.PENDING
        locked.next_attempt_at = clock.now()
        locked.save(update_fields=["state", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="interop.retry",
            target=locked,
            ip=ip,
            data={"edxml_id": locked.edxml_id, "to": locked.to_code, "attempts": locked.attempts},
        )
    message.refresh_from_db()
    return message


# ---------------------------------------------------------------- receiving


def _our_unit(code: str) -> Unit | None:
    return Unit.objects.filter(agency_code=code, is_active=True).first()


def _signature_problem(files: list[Any]) -> str:
    """Why the package's documents may not be received (R11): a PDF main file whose signatures
    are missing or invalid. Empty when acceptable."""

    pdfs = [f for f in files if getattr(f, "data", b"")[:5] == b"%PDF-"]
    if not pdfs:
        return "Gói không có tệp PDF mang chữ ký số của cơ quan gửi."
    report = verify_bytes(pdfs[0].data)
    if report.status == "unsigned":
        return f"Văn bản “{pdfs[0].name}” không có chữ ký số."
    if report.status != "valid":
        reasons = " ".join(report.reasons()) or report.label
        return f"Chữ ký số của văn bản “{pdfs[0].name}” không hợp lệ: {reasons}"
    return ""


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
    except EdxmlError as exc:
        raise Refused(exc.message) from exc
    return _receive_package(partner, data, package)


def _receive_package(partner: Partner, data: bytes, package: EdxmlPackage) -> Received:

    sender = package.from_organ.organ_id or ""
    if not partner.codes.filter(agency_code=sender).exists():
        raise Refused(
            f"Cơ quan gửi {sender or '(không ghi)'} không thuộc hệ thống {partner.name}.",
            http_status=403,
        )
    if not package.document_id:
        raise Refused("Gói tin không có DocumentId.")
    codes = [o.organ_id or "" for o in package.to_organs]
    targets = [code for code in codes if _our_unit(code) is not None]
    if not targets:
        names = ", ".join(codes) or "(không ghi)"
        raise Refused(f"Nơi nhận {names} không phải đơn vị của hệ thống này.", http_status=422)
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
    files, notes = package_files(package, "goi-van-ban.edxml")
    _scan_files(partner, files, _our_unit(targets[0]))
    problem = _signature_problem(files) if package.business_type != 1 else ""
    now = clock.now()
    storage_name = _store(INBOUND_PREFIX, data)
    result: Received | None = None
    try:
        with transaction.atomic():
            rows: list[Inbound] = []
            for code in targets:
                state = InboundState.REJECTED if problem else InboundState.QUEUED
                row = Inbound.objects.create(
                    partner=partner,
                    kind=MessageKind.PACKAGE,
                    edxml_id=package.document_id,
                    from_code=sender,
                    from_name=package.from_organ.name[:255],
                    to_code=code,
                    unit=_our_unit(code),
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
                if package.business_type == 1:
                    _revocation_arrived(row, package)
                elif problem:
                    status_send(inbound=row, code="02", description=problem)
                else:
                    status_send(inbound=row, code="01")
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
                },
            )
            result = Received("refused" if problem else "accepted", rows[0], problem, notes)
    except IntegrityError:
        # Another request stored the same DocumentId meanwhile: answer as for a repeat.
        file_discard(storage_name)
        again = Inbound.objects.filter(
            kind=MessageKind.PACKAGE, edxml_id=package.document_id, to_code__in=targets
        ).first()
        if again is not None and again.sha256 == sha256:
            return Received("duplicate", again)
        raise Refused(
            f"DocumentId {package.document_id} đã nhận với nội dung khác; gói tin bị từ chối.",
            http_status=409,
        ) from None
    except BaseException:
        file_discard(storage_name)
        raise
    return result


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


def _package_name(number_symbol: str) -> str:
    """The stored package's file name: its number and symbol (no slash), `.edxml`."""
    stem = "-".join(p for p in (number_symbol or "").replace("\\", "/").split("/") if p)
    return f"{stem[:200] or 'goi-tin'}.edxml"


def _notify_clerks(row: Inbound) -> None:
    from django.urls import reverse

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


def _revocation_arrived(row: Inbound, package: Any) -> None:
    """The sender takes back a document (business type 1): the earlier package is withdrawn if
    not yet registered (answer 15), else the clerk decides (13 recorded, answer later with
    `inbound_revocation_answer`)."""
    _take_back(row, list(package.business_refs) or [package.document_id])


def _take_back(row: Inbound, refs: list[str]) -> None:
    earlier = Inbound.objects.filter(
        kind=MessageKind.PACKAGE, edxml_id__in=refs, to_code=row.to_code, business_type=0
    ).first()
    row.state = InboundState.APPLIED
    if earlier is None:
        row.reason = "Không tìm thấy văn bản được đề nghị lấy lại."
        row.save(update_fields=["state", "reason"])
        status_send(inbound=row, code="16", description=row.reason)
        return
    if earlier.state == InboundState.QUEUED:
        earlier.state = InboundState.RECALLED
        earlier.reason = "Bên gửi đã lấy lại văn bản trước khi vào sổ."
        earlier.save(update_fields=["state", "reason"])
        row.reason = earlier.reason
        row.save(update_fields=["state", "reason"])
        status_send(inbound=earlier, code="15", description=earlier.reason)
        return
    row.state = InboundState.QUEUED
    row.reason = "Văn bản đã vào sổ: văn thư quyết định đồng ý hay từ chối cho lấy lại."
    row.save(update_fields=["state", "reason"])


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
    delivery = ExternalDelivery.objects.filter(
        edxml_id=status.document_id, agency_code=sender, partner=partner
    ).first()
    if delivery is None:
        raise Refused(
            f"Không có văn bản nào có DocumentId {status.document_id} đã gửi cho {sender}.",
            http_status=404,
        )
    now = clock.now()
    return _status_applied(
        partner,
        data,
        sha256,
        status,
        lambda row: _apply_status(delivery, status.code, status.description, now),
        to_code=delivery.document.unit.agency_code,
        unit=delivery.document.unit,
        status_code=status.code,
        original_name=f"trang-thai-{status.code}.edxml",
        received_at=now,
    )


def _status_applied(
    partner: Partner,
    data: bytes,
    sha256: str,
    status: Any,
    apply: Callable[[Inbound], None],
    **fields: Any,
) -> Received:
    """Keep a status message from `partner` as an applied Inbound row and `apply` it, in one
    transaction; the same message arriving twice at once is answered "duplicate". The stored
    file is removed again when nothing is kept."""
    storage_name = _store(INBOUND_PREFIX, data)
    try:
        with transaction.atomic():
            row = Inbound.objects.create(
                partner=partner,
                kind=MessageKind.STATUS,
                edxml_id=status.document_id,
                from_code=status.from_code,
                from_name=status.from_name[:255],
                storage_name=storage_name,
                sha256=sha256,
                size=len(data),
                state=InboundState.APPLIED,
                reason=status.description[:500],
                **fields,
            )
            apply(row)
    except IntegrityError:
        file_discard(storage_name)
        existing = Inbound.objects.filter(
            partner=partner, kind=MessageKind.STATUS, sha256=sha256
        ).first()
        return Received("duplicate", existing)
    except BaseException:
        file_discard(storage_name)
        raise
    return Received("applied", row)


def _apply_status(delivery: ExternalDelivery, code: str, note: str, now: dt.datetime) -> None:
    locked = ExternalDelivery.objects.select_for_update().get(pk=delivery.pk)
    ExternalEvent.objects.create(
        delivery=locked, code=code, label=STATUS_CODES[code], note=note[:500], at=now
    )
    current = locked.status
    if code in PROGRESS and current in PROGRESS and PROGRESS.index(code) <= PROGRESS.index(current):
        return  # late or repeated progress: kept in the events, the status does not go back
    if current == "02" and code in PROGRESS:
        return
    locked.status = code
    locked.status_at = now
    if code in ("02", "16"):
        locked.reason = note[:500]
    locked.save(update_fields=["status", "status_at", "reason"])


# ---------------------------------------------------------------- the recipient's clerk


def _require_clerk(actor: User, inbound: Inbound) -> None:

    if not actor.is_active:
        raise AccessDenied()
    if inbound.unit is None or not actor.has_role(Role.CLERK, inbound.unit):
        raise AccessDenied("Chỉ văn thư của đơn vị nhận xử lý văn bản này.")


def _queued(inbound: Inbound) -> None:
    if inbound.kind != MessageKind.PACKAGE or inbound.state != InboundState.QUEUED:
        raise ServiceError("Văn bản này không còn chờ vào sổ.")


def inbound_package(inbound: Inbound) -> EdxmlPackage:
    data = file_read_verified(inbound.storage_name, inbound.sha256)
    return parse_package(data, max_bytes=max(len(data), 1))


def inbound_register(
    *,
    actor: User,
    inbound: Inbound,
    data: Any,
    refusals: Any,
    confirm_duplicate: bool = False,
    ip: str | None = None,
) -> Document:
    """The clerk registers a document received from a partner (R15, R16): the record as the
    clerk confirmed it (prefilled from the package), the package's files; 03 goes back."""

    _require_clerk(actor, inbound)
    _queued(inbound)
    package = inbound_package(inbound)
    files, _notes = package_files(package, inbound.original_name)
    uploads: list[UploadedFile] = [_as_upload(item) for item in files]
    main_file = uploads[0] if files and files[0].role == "main" else None
    others = uploads[1:] if main_file is not None else uploads
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = Inbound.objects.select_for_update().get(pk=inbound.pk)
            _queued(locked)
            document = incoming_register(
                actor=actor,
                unit=locked.unit,  # type: ignore[arg-type]  # _require_clerk: a unit of ours
                data=data,
                refusals=refusals,
                main_file=main_file,
                attachments=others,
                confirm_duplicate=confirm_duplicate,
                signature_trigger=Trigger.RECEIPT,
                ip=ip,
            )
            stored = list(document.files.values_list("storage_name", flat=True))
            now = clock.now()
            locked.state = InboundState.REGISTERED
            locked.incoming_document = document
            locked.answered_by = actor
            locked.answered_at = now
            locked.save(update_fields=["state", "incoming_document", "answered_by", "answered_at"])
            status_send(
                inbound=locked,
                code="03",
                description=f"Đã vào sổ đến số {document.register_number}",
                actor=actor,
            )
            audit_record(
                actor=actor,
                action="interop.register",
                unit=locked.unit,
                target=document,
                ip=ip,
                data={"edxml_id": locked.edxml_id, "from": locked.from_code},
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    inbound.refresh_from_db()
    return document


def inbound_refuse(*, actor: User, inbound: Inbound, reason: str, ip: str | None = None) -> Inbound:
    """The clerk refuses a received document with the reason; 02 goes back with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Hãy ghi lý do từ chối.", field="reason")
    _require_clerk(actor, inbound)
    _queued(inbound)
    with transaction.atomic():
        locked = Inbound.objects.select_for_update().get(pk=inbound.pk)
        _queued(locked)
        now = clock.now()
        locked.state = InboundState.REFUSED
        locked.reason = reason[:500]
        locked.answered_by = actor
        locked.answered_at = now
        locked.save(update_fields=["state", "reason", "answered_by", "answered_at"])
        status_send(inbound=locked, code="02", description=reason, actor=actor)
        audit_record(
            actor=actor,
            action="interop.refuse",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={"edxml_id": locked.edxml_id, "reason": reason},
        )
    inbound.refresh_from_db()
    return inbound


def inbound_progress(*, incoming_document: Document, status: str, actor: Any = None) -> None:
    """The incoming processing reports 04/05/06 for a document received from a partner; called
    by exchange.delivery.delivery_status_update inside the workflow's transaction."""
    inbound = Inbound.objects.filter(incoming_document=incoming_document).first()
    if inbound is None:
        return
    status_send(inbound=inbound, code=status, actor=actor)


def external_for(document: Document) -> list[ExternalDelivery]:
    return list(
        ExternalDelivery.objects.filter(document=document)
        .select_related("partner")
        .prefetch_related("events")
    )


def queue_for(unit_ids: list[int]) -> Any:
    """What waits for the clerks of `unit_ids`: packages to register or refuse, and take-back
    requests (revocation package or status 13) for documents already registered."""
    return Inbound.objects.filter(
        Q(kind=MessageKind.PACKAGE) | Q(kind=MessageKind.STATUS, business_type=1),
        unit_id__in=unit_ids,
        state=InboundState.QUEUED,
    ).select_related("unit")


def outbound_scope(unit_ids: list[int] | None) -> Any:
    """Messages our units `unit_ids` send (None: all): packages of their documents and status
    messages about packages they received."""
    out = Outbound.objects.all()
    if unit_ids is None:
        return out
    answered = Inbound.objects.filter(kind=MessageKind.PACKAGE, unit_id__in=unit_ids)
    return out.filter(
        Q(document__unit_id__in=unit_ids)
        | Q(document__isnull=True, edxml_id__in=answered.values("edxml_id"))
    )


def inbound_scope(unit_ids: list[int] | None) -> Any:
    inn = Inbound.objects.all()
    return inn if unit_ids is None else inn.filter(unit_id__in=unit_ids)


def monitor_counts(unit_ids: list[int] | None) -> dict[str, int]:
    """Counts for the monitoring page; `unit_ids` None = the whole province."""
    from django.db.models import Count

    out = outbound_scope(unit_ids).aggregate(
        sent=Count("pk", filter=Q(state=OutboundState.SENT)),
        pending=Count("pk", filter=Q(state=OutboundState.PENDING)),
        retried=Count("pk", filter=Q(state=OutboundState.PENDING, attempts__gt=0)),
        failed=Count("pk", filter=Q(state=OutboundState.FAILED)),
    )
    inn = inbound_scope(unit_ids).aggregate(
        received=Count("pk"),
        queued=Count("pk", filter=Q(state=InboundState.QUEUED, kind=MessageKind.PACKAGE)),
        rejected=Count("pk", filter=Q(state=InboundState.REJECTED)),
    )
    return {**out, **inn}


def get_inbound(pk: int) -> Inbound:
    row = Inbound.objects.select_related("unit", "partner").filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row


def codes_import(*, actor: User, text: str, ip: str | None = None) -> int:
    """The directory of partner systems and the agency codes they serve, from CSV with the
    columns he_thong, ma_dinh_danh, ten_co_quan (header line required). All or nothing: one bad
    line refuses the file with its line number."""
    import csv
    import io

    if not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh quản lý các hệ thống liên thông.")
    reader = csv.DictReader(io.StringIO(text))
    wanted = {"he_thong", "ma_dinh_danh", "ten_co_quan"}
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        raise ServiceError("Tệp CSV phải có dòng tiêu đề: he_thong, ma_dinh_danh, ten_co_quan.")
    partners = {p.name: p for p in Partner.objects.all()}
    rows: list[tuple[Partner, str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(reader, start=2):
        line = {(k or "").strip(): (v or "").strip() for k, v in line.items()}
        partner = partners.get(line["he_thong"])
        if partner is None:
            raise ServiceError(f"Dòng {number}: chưa có hệ thống liên thông “{line['he_thong']}”.")
        code = line["ma_dinh_danh"]
        if not AGENCY_CODE_RE.match(code):
            raise ServiceError(f"Dòng {number}: mã định danh “{code}” không đúng dạng.")
        if code in seen:
            raise ServiceError(f"Dòng {number}: mã định danh {code} lặp lại.")
        if Unit.objects.filter(agency_code=code).exists():
            raise ServiceError(f"Dòng {number}: {code} là đơn vị của hệ thống này.")
        seen.add(code)
        rows.append((partner, code, line["ten_co_quan"] or code))
    with transaction.atomic():
        for partner, code, name in rows:
            PartnerCode.objects.update_or_create(
                agency_code=code, defaults={"partner": partner, "name": name[:255]}
            )
        audit_record(actor=actor, action="interop.codes_import", ip=ip, data={"count": len(rows)})
    return len(rows)


def _take_back_requested(partner: Partner, data: bytes, status: Any, sha256: str) -> Received:
    """A status 13 from the sender of a package we received: it asks to take the document back,
    as a revocation package does."""
    earlier = Inbound.objects.filter(
        kind=MessageKind.PACKAGE,
        edxml_id=status.document_id,
        from_code=status.from_code,
        business_type=0,
    ).first()
    if earlier is None:
        raise Refused(
            f"Không có văn bản nào có DocumentId {status.document_id} nhận từ {status.from_code}.",
            http_status=404,
        )
    return _status_applied(
        partner,
        data,
        sha256,
        status,
        lambda row: _take_back(row, [status.document_id]),
        to_code=earlier.to_code,
        unit=earlier.unit,
        status_code="13",
        business_type=1,
        subject=earlier.subject,
        number_symbol=earlier.number_symbol,
        original_name="trang-thai-13.edxml",
        received_at=clock.now(),
    )


def inbound_revocation_answer(
    *, actor: User, inbound: Inbound, accept: bool, note: str = "", ip: str | None = None
) -> Inbound:
    """The clerk answers a take-back request for a document already registered: 15 (agreed;
    the registered document is marked as taken back) or 16 (refused, with the reason)."""
    note = (note or "").strip()
    if not accept and not note:
        raise ServiceError("Hãy ghi lý do từ chối cho lấy lại.", field="note")
    if inbound.business_type != 1 or inbound.state != InboundState.QUEUED:
        raise ServiceError("Không có đề nghị lấy lại văn bản nào chờ trả lời.")
    _require_clerk(actor, inbound)
    with transaction.atomic():
        locked = Inbound.objects.select_for_update().get(pk=inbound.pk)
        if locked.state != InboundState.QUEUED:
            raise ServiceError("Không có đề nghị lấy lại văn bản nào chờ trả lời.")
        earlier = Inbound.objects.filter(
            kind=MessageKind.PACKAGE,
            edxml_id=locked.edxml_id,
            to_code=locked.to_code,
            business_type=0,
        ).first()
        if earlier is None:
            raise ServiceError("Không tìm thấy văn bản được đề nghị lấy lại.")
        now = clock.now()
        locked.state = InboundState.APPLIED
        locked.answered_by = actor
        locked.answered_at = now
        if accept:
            locked.reason = note or "Đồng ý cho bên gửi lấy lại văn bản."
            earlier.state = InboundState.RECALLED
            earlier.reason = f"Bên gửi đã lấy lại văn bản ({clock.now():%d/%m/%Y})."
            earlier.save(update_fields=["state", "reason"])
        else:
            locked.reason = note
        locked.save(update_fields=["state", "reason", "answered_by", "answered_at"])
        status_send(
            inbound=earlier,
            code="15" if accept else "16",
            description=locked.reason,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="interop.take_back_answer",
            unit=locked.unit,
            target=locked,
            ip=ip,
            data={"edxml_id": locked.edxml_id, "accept": accept, "note": note},
        )
    inbound.refresh_from_db()
    return inbound


def external_recall(*, actor: User, document: Document, reason: str) -> list[ExternalDelivery]:
    """Our document is recalled (exchange.delivery.document_recall): each agency of another
    system that has it gets a revocation package (business type 1) in the same transaction;
    its system answers 15 or 16."""
    deliveries = list(
        ExternalDelivery.objects.select_for_update()
        .filter(document=document, business_type=0)
        .exclude(status="02")
        .select_related("partner")
    )
    now = clock.now()
    for delivery in deliveries:
        data, _ = package_for_document(
            document,
            to_code=delivery.agency_code,
            to_name=delivery.name,
            business_type=1,
            original_document=document,
            reason=reason,
        )
        _outbound(
            partner=delivery.partner,
            kind=MessageKind.PACKAGE,
            document_id=delivery.edxml_id,
            to_code=delivery.agency_code,
            data=data,
            name=_package_name(document.number_symbol),
            business_type=1,
            document=document,
        )
        ExternalEvent.objects.create(
            delivery=delivery, code="13", label=STATUS_CODES["13"], note=reason[:500], at=now
        )
        delivery.status = "13"
        delivery.status_at = now
        delivery.save(update_fields=["status", "status_at"])
    return deliveries
