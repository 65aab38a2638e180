"""Status messages (edXML status codes 01-16): the ones we send about packages we received, and
the ones partners send about documents we sent, kept and applied to the delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from vanban.accounts.models import User
from vanban.documents.files import file_discard
from vanban.documents.models import Document
from vanban.exchange.edxml import STATUS_CODES
from vanban.exchange.models import (
    PROGRESS,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Inbound,
    InboundState,
    MessageKind,
    Outbound,
    Partner,
    RecallStatus,
    partner_status_refusal,
    partner_status_state,
)
from vanban.exchange.notices import sent_registered_notify, sent_returned_notify

from ..packages import status_for_inbound
from ._common import INBOUND_PREFIX, Received, Refused, _store
from .outbox import _outbound


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


def _apply_status(
    delivery: Delivery,
    code: str,
    note: str,
    now: dt.datetime,
    reported_at: dt.datetime | None = None,
    *,
    readdressed: str = "",
) -> None:
    """A partner's status message about a document we sent to it, under the delivery's lock:
    refused (409, nothing kept) when the order of QĐ 28/2018/QĐ-TTg does not allow it after
    the delivery's state (`models.transitions`); else kept in the trail, with our receipt time
    and the time the partner wrote (`reported_at`), and the delivery's status unless it is a late
    progress. The reason of a refusal (02) goes where a unit's clerk writes it (`return_note`),
    that of an answer to a take-back (16) next to the answer (`recall_answer_note`); a take-back
    answer is also the delivery's `recall_status`. A status to a closed code is kept with the
    re-addressing (`readdressed`, QĐ 09/2025/QĐ-TTg) after the partner's own note."""
    locked = Delivery.objects.select_for_update(of=("self",)).get(pk=delivery.pk)
    problem = partner_status_refusal(
        partner_status_state(locked.status, locked.recall_status), code
    )
    if problem:
        raise Refused(problem, http_status=409)
    DeliveryEvent.objects.create(
        delivery=locked,
        code=code,
        label=STATUS_CODES[code],
        note=" ".join(filter(None, [note, readdressed]))[:500],
        at=now,
        reported_at=reported_at,
    )
    current = locked.status
    if code in PROGRESS and current in PROGRESS and PROGRESS.index(code) <= PROGRESS.index(current):
        return  # late or repeated progress: kept in the events, the status does not go back
    locked.status = code
    locked.status_at = now
    fields = ["status", "status_at"]
    if code == DeliveryStatus.RETURNED:
        locked.return_note = note[:500]
        fields.append("return_note")
    if code in RecallStatus.values and code:
        locked.recall_status = code
        fields.append("recall_status")
        if code == RecallStatus.REFUSED:
            locked.recall_answer_note = note[:500]
            fields.append("recall_answer_note")
    locked.save(update_fields=fields)
    # R15: the sender learns that the other system registered (03) or returned (02) the
    # document, as from a unit of the deployment.
    if code == DeliveryStatus.REGISTERED:
        sent_registered_notify(locked)
    elif code == DeliveryStatus.RETURNED:
        sent_returned_notify(locked, note=note[:500])


def inbound_progress(*, incoming_document: Document, status: str, actor: Any = None) -> None:
    """The incoming processing reports 04/05/06 for a document received from a partner; called
    by exchange.delivery.delivery_status_update inside the workflow's transaction."""
    inbound = Inbound.objects.filter(incoming_document=incoming_document).first()
    if inbound is None:
        return
    status_send(inbound=inbound, code=status, actor=actor)
