"""A reorganisation's fonds (docs/reorganisation.md, "Registers, fonds, open work and drafts").

CV 414/BNV-VTLTNN: each agency's documents stay in its own fonds, which closes on the day the
agency stops; taking them over or moving them is forbidden. So the ended unit's fonds closes at
its end date with every dossier it holds (none moves), and the successor's fonds opens on the
effective date when it has none yet. Dossiers of the ended unit still open are shown as warnings:
its office closes them (NĐ 30/2020 Art. 28) before they are handed over to the archive.

A rename or a move keeps the same agency and the same fonds: nothing closes, nothing opens.
"""

from __future__ import annotations

from django.db import transaction

from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.audit.services import audit_record

from .models import Dossier, DossierStatus, Fonds, HandOverStatus

EXAMPLES = 5


def _fonds_name(transfer: Transfer) -> str:
    return f"Phông {transfer.target.name}"[:300]


def _open_dossiers(transfer: Transfer) -> list[Dossier]:
    return list(
        Dossier.objects.filter(unit=transfer.source, status=DossierStatus.OPEN).order_by(
            "year", "notation", "pk"
        )
    )


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """The fonds that closes (with its open dossiers and pending hand-overs as warnings) and
    the fonds that opens (reads only)."""
    if transfer.is_same_unit:
        return []
    lines: list[PreviewLine] = []
    fonds = Fonds.objects.filter(unit=transfer.source).first()
    open_dossiers = _open_dossiers(transfer)
    warnings = [
        f"Hồ sơ {d.notation} – {d.title} ({d.year}) đang lập; văn phòng của "
        f"{transfer.source.name} cần kết thúc hồ sơ."
        for d in open_dossiers
    ]
    if fonds is not None and fonds.closed_on is None:
        pending = fonds.hand_overs.filter(status=HandOverStatus.SUBMITTED).count()
        if pending:
            warnings.append(
                f"Còn {pending} lần nộp lưu chờ lưu trữ kiểm tra; lưu trữ vẫn tiếp nhận được "
                "sau khi phông đóng."
            )
        lines.append(
            PreviewLine(
                label=f"Phông lưu trữ đóng ngày {transfer.end_date:%d/%m/%Y}",
                count=1,
                examples=(fonds.name,),
                warnings=tuple(warnings),
            )
        )
    elif warnings:
        lines.append(
            PreviewLine(
                label="Hồ sơ đang lập của đơn vị kết thúc", count=0, warnings=tuple(warnings)
            )
        )
    if not Fonds.objects.filter(unit=transfer.target).exists():
        lines.append(
            PreviewLine(
                label=f"Phông lưu trữ mở ngày {transfer.effective_date:%d/%m/%Y}",
                count=1,
                examples=(_fonds_name(transfer),),
            )
        )
    return lines


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Close the source's fonds at its end date, open the target's if it has none (idempotent).
    Dossiers are not touched."""
    if transfer.is_same_unit:
        return {"fonds_closed": 0, "fonds_opened": 0}
    closed = opened = 0
    with transaction.atomic():
        fonds = Fonds.objects.select_for_update().filter(unit=transfer.source).first()
        if fonds is not None and fonds.closed_on is None:
            fonds.closed_on = max(transfer.end_date, fonds.opened_on)
            fonds.save(update_fields=["closed_on"])
            closed = 1
            audit_record(
                actor=transfer.actor,
                action="records.fonds_close",
                unit=transfer.source,
                target=fonds,
                data={
                    "name": fonds.name,
                    "closed_on": fonds.closed_on.isoformat(),
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
        if not Fonds.objects.filter(unit=transfer.target).exists():
            new = Fonds.objects.create(
                unit=transfer.target,
                name=_fonds_name(transfer),
                opened_on=transfer.effective_date,
                note=f"Mở theo {transfer.decision}"[:500] if transfer.decision else "",
            )
            opened = 1
            audit_record(
                actor=transfer.actor,
                action="records.fonds_open",
                unit=transfer.target,
                target=new,
                data={
                    "name": new.name,
                    "code": "",
                    "opened_on": transfer.effective_date.isoformat(),
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
    return {"fonds_closed": closed, "fonds_opened": opened}
