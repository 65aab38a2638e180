"""Writing and verifying the audit trail."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from vanban.core import clock

from .models import AuditChainHead, AuditEvent


def _digest(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    action: str,
    unit_id: int | None,
    target_type: str,
    target_id: str,
    data: Any,
    ip: str | None,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "at": at,
            "actor": actor_id,
            "action": action,
            "unit": unit_id,
            "target_type": target_type,
            "target_id": target_id,
            "data": data,
            "ip": ip,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, as plain values (JSON-ready): what an archival package
    carries so that the hash can be recomputed without the database (R19, R25)."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "action": event.action,
        "unit_id": event.unit_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "data": event.data,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


def digest_of(fields: dict[str, Any]) -> str:
    """The hash of an event from its `event_fields`: the same digest the chain is written with,
    computed from plain values only (no database)."""
    return _digest(**fields)


def _event_digest(event: AuditEvent) -> str:
    return digest_of(event_fields(event))


def audit_record(
    *,
    actor: Any,
    action: str,
    unit: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (R25, STYLE "services").

    The chain head row is locked so concurrent writers append one after another; the lock lasts
    until the caller's transaction ends, so callers record the event as their last write. Inside
    a caller's transaction no savepoint is made: a failure here fails the whole action.
    """
    with transaction.atomic(savepoint=False):
        last_seq, last_hash = _head_locked()
        at = clock.now().astimezone(dt.UTC)
        # JSON round trip so the stored data hashes the same after reading it back.
        text = json.dumps(data or {}, ensure_ascii=False, default=str)
        event = AuditEvent(
            seq=last_seq + 1,
            at=at,
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            action=action,
            unit=unit,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            data=json.loads(text),
            ip=ip,
            prev_hash=last_hash,
        )
        event.hash = _event_digest(event)
        _append(event, text)
        return event


def _head_locked() -> tuple[int, str]:
    """(last seq, last hash) of the chain, its head row locked to the end of the transaction."""
    table = AuditChainHead._meta.db_table
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {table} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # the first event ever
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_seq, head.last_hash
    return int(row[0]), str(row[1])


def _append(event: AuditEvent, data_json: str) -> None:
    """INSERT the event and move the head to it: on PostgreSQL one statement, so that the head's
    lock is held over two round trips (this and the commit); elsewhere two."""
    columns = (
        "seq, at, actor_id, action, unit_id, target_type, target_id, data, ip, prev_hash, hash"
    )
    params = [
        event.seq,
        connection.ops.adapt_datetimefield_value(event.at),
        event.actor_id,
        event.action,
        event.unit_id,
        event.target_type,
        event.target_id,
        data_json,
        connection.ops.adapt_ipaddressfield_value(event.ip),
        event.prev_hash,
        event.hash,
    ]
    events, heads = AuditEvent._meta.db_table, AuditChainHead._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH e AS (INSERT INTO {events} ({columns}) "  # noqa: S608 - our own SQL
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::inet, %s, %s) RETURNING id) "
                f"UPDATE {heads} SET last_seq = %s, last_hash = %s FROM e WHERE {heads}.id = 1 "
                "RETURNING e.id",
                [*params, event.seq, event.hash],
            )
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(
                f"INSERT INTO {events} ({columns}) "  # noqa: S608 - our own SQL
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                params,
            )
            event.pk = cursor.lastrowid
            cursor.execute(
                f"UPDATE {heads} SET last_seq = %s, last_hash = %s WHERE id = 1",  # noqa: S608
                [event.seq, event.hash],
            )
    event._state.adding = False


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    message: str


def audit_verify(*, chunk_size: int = 5000) -> tuple[int, list[AuditProblem]]:
    """Recompute the chain; return the number of events read and every break found."""
    problems: list[AuditProblem] = []
    prev_hash = ""
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        count += 1
        if event.seq != expected_seq:
            problems.append(
                AuditProblem(expected_seq, f"thiếu sự kiện số {expected_seq}..{event.seq - 1}")
            )
        if event.prev_hash != prev_hash:
            problems.append(
                AuditProblem(event.seq, "không khớp với sự kiện trước (bị xóa hoặc sửa)")
            )
        if _event_digest(event) != event.hash:
            problems.append(AuditProblem(event.seq, "nội dung sự kiện đã bị thay đổi"))
        prev_hash = event.hash
        expected_seq = event.seq + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        problems.append(AuditProblem(head.last_seq, f"các sự kiện sau số {last_seq} đã bị xóa"))
    return count, problems
