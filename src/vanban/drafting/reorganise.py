"""A reorganisation's drafts (docs/reorganisation.md, "Registers, fonds, open work and drafts").

An issued draft is the ended unit's document and stays with it (CV 414/BNV-VTLTNN). A draft not
issued yet is work in progress (Công điện 96/CĐ-TTg: work goes on): it goes to the successor
(`Transfer.target_for("draft", pk)`), as its drafting unit and as its issuing unit where the ended
unit was either, and its trail says so. It will be numbered in the successor's register when it
is issued (documents.reorganise opens them).

A rename or a move keeps the same unit: no draft moves.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from vanban.accounts.models import Unit, User
from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.audit.services import audit_record
from vanban.core import clock

from .models import Draft, DraftAction, DraftEvent, DraftStatus

EXAMPLES = 5
SYSTEM_NAME = "Hệ thống (sắp xếp tổ chức)"


def _moving(transfer: Transfer) -> Q:
    return Q(unit=transfer.source) | Q(issuing_unit=transfer.source)


def _label(draft: Draft) -> str:
    return f"{draft.document_type.name}: {draft.subject[:80]} ({draft.get_status_display()})"


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """Drafts not issued that move, with examples; drafts already approved or signed are
    warned of: the issuing body written on them changes (reads only)."""
    if transfer.is_same_unit:
        return []
    drafts = list(
        Draft.objects.filter(_moving(transfer))
        .exclude(status=DraftStatus.ISSUED)
        .select_related("document_type")
        .order_by("pk")
    )
    if not drafts:
        return []
    approved = [
        d
        for d in drafts
        if d.issuing_unit_id == transfer.source.pk and d.status == DraftStatus.APPROVED
    ]
    warnings = tuple(
        f"{_label(d)}: đã phê duyệt; cơ quan ban hành đổi thành đơn vị tiếp nhận, cần kiểm tra "
        "lại thể thức trước khi ban hành."
        for d in approved[:EXAMPLES]
    )
    return [
        PreviewLine(
            label="Dự thảo chưa ban hành",
            count=len(drafts),
            examples=tuple(_label(d) for d in drafts[:EXAMPLES]),
            warnings=warnings,
        )
    ]


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Move the source's drafts not issued to their successor, one trail line and one audit
    event each (idempotent: a moved draft no longer names the source)."""
    if transfer.is_same_unit:
        return {"drafts_moved": 0}
    actor = transfer.actor if isinstance(transfer.actor, User) else None
    now = clock.now()
    moved = 0
    with transaction.atomic():
        drafts = list(
            Draft.objects.select_for_update()
            .filter(_moving(transfer))
            .exclude(status=DraftStatus.ISSUED)
            .order_by("pk")
        )
        wanted = {transfer.target_for("draft", d.pk) for d in drafts}
        units = {u.pk: u for u in Unit.objects.filter(pk__in=wanted)}
        for draft in drafts:
            target = units[transfer.target_for("draft", draft.pk)]
            fields = []
            if draft.unit_id == transfer.source.pk:
                draft.unit = target
                fields.append("unit")
            if draft.issuing_unit_id == transfer.source.pk:
                draft.issuing_unit = target
                fields.append("issuing_unit")
            draft.updated_at = now
            draft.save(update_fields=[*fields, "updated_at"])
            text = (
                f"Chuyển dự thảo từ {transfer.source.name} sang {target.name} theo "
                f"{transfer.decision} (sắp xếp tổ chức, có hiệu lực từ ngày "
                f"{transfer.effective_date:%d/%m/%Y})."
            )
            DraftEvent.objects.create(
                draft=draft,
                action=DraftAction.TRANSFERRED,
                actor=actor,
                actor_name=actor.full_name if actor is not None else SYSTEM_NAME,
                actor_position=actor.position if actor is not None else "",
                text=text,
                at=now,
            )
            audit_record(
                actor=actor,
                action="draft.transfer",
                unit=transfer.source,
                target=draft,
                data={
                    "from": transfer.source.pk,
                    "to": target.pk,
                    "fields": fields,
                    "status": draft.status,
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
            moved += 1
    return {"drafts_moved": moved}
