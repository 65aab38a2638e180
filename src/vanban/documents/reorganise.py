"""A reorganisation's registers (docs/reorganisation.md, "Registers, fonds, open work and drafts").

CV 414/BNV-VTLTNN: an agency's documents stay with it and its registers close on the day it
stops. The ended unit's open numbering series are closed at its end date (`closed_on`, inactive):
they stay on the registers pages with every number and symbol, and take no new number
(`services.numbering`). NĐ 30/2020 Art. 15-16: numbers restart at 01 in each register, so the
successor gets, for the year of the effective date, a series of each shape the ended unit kept
(direction, type, legal normative) that it does not have yet, numbering from 1.

A rename or a move keeps the same unit: its registers go on, nothing closes and nothing opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from vanban.accounts.unit_history import PreviewLine, Transfer
from vanban.audit.services import audit_record

from .models import RegisterSeries

EXAMPLES = 5


@dataclass(frozen=True)
class _Shape:
    direction: str
    document_type_id: int | None
    legal_normative: bool


def _shape(series: RegisterSeries) -> _Shape:
    return _Shape(series.direction, series.document_type_id, series.legal_normative)


def _to_close(transfer: Transfer) -> list[RegisterSeries]:
    return list(
        RegisterSeries.objects.filter(
            unit=transfer.source, is_active=True, closed_on__isnull=True
        ).order_by("-year", "direction", "name", "pk")
    )


def _to_open(transfer: Transfer) -> list[RegisterSeries]:
    """One series per shape of the source (open now, or closed by this transfer) that the target
    lacks for the effective year: unsaved rows, in the source's order."""
    year = transfer.effective_date.year
    sources = RegisterSeries.objects.filter(unit=transfer.source).filter(
        is_active=True, closed_on__isnull=True
    ) | RegisterSeries.objects.filter(unit=transfer.source, closed_on=transfer.end_date)
    have = {_shape(s) for s in RegisterSeries.objects.filter(unit=transfer.target, year=year)}
    rows: list[RegisterSeries] = []
    for series in sources.order_by("-year", "direction", "name", "pk"):
        shape = _shape(series)
        if shape in have:
            continue
        have.add(shape)
        rows.append(
            RegisterSeries(
                unit=transfer.target,
                year=year,
                direction=series.direction,
                document_type_id=series.document_type_id,
                legal_normative=series.legal_normative,
                name=series.name,
                next_number=1,
            )
        )
    return rows


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    """The series that close (name, year, last number) and those that open (reads only)."""
    if transfer.is_same_unit:
        return []
    closing = _to_close(transfer)
    opening = _to_open(transfer)
    lines: list[PreviewLine] = []
    if closing:
        lines.append(
            PreviewLine(
                label=f"Sổ văn bản khóa ngày {transfer.end_date:%d/%m/%Y}",
                count=len(closing),
                examples=tuple(
                    f"{s.name} ({s.year}): số cuối {s.next_number - 1:02d}"
                    for s in closing[:EXAMPLES]
                ),
            )
        )
    if opening:
        lines.append(
            PreviewLine(
                label=(
                    f"Sổ văn bản mở ở {transfer.target.name} năm {transfer.effective_date.year}"
                ),
                count=len(opening),
                examples=tuple(f"{s.name}: từ số 01" for s in opening[:EXAMPLES]),
            )
        )
    return lines


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    """Close the source's open series at its end date and open the target's (idempotent)."""
    if transfer.is_same_unit:
        return {"series_closed": 0, "series_opened": 0}
    with transaction.atomic():
        closing = list(
            RegisterSeries.objects.select_for_update()
            .filter(unit=transfer.source, is_active=True, closed_on__isnull=True)
            .order_by("pk")
        )
        opening = _to_open(transfer)
        for series in closing:
            series.is_active = False
            series.closed_on = transfer.end_date
            series.save(update_fields=["is_active", "closed_on"])
            audit_record(
                actor=transfer.actor,
                action="series.close",
                unit=transfer.source,
                target=series,
                data={
                    "year": series.year,
                    "name": series.name,
                    "last_number": series.next_number - 1,
                    "closed_on": transfer.end_date.isoformat(),
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
        for series in opening:
            series.save()
            audit_record(
                actor=transfer.actor,
                action="series.create",
                unit=transfer.target,
                target=series,
                data={
                    "year": series.year,
                    "direction": series.direction,
                    "name": series.name,
                    "predecessor": transfer.source.pk,
                    "decision": transfer.decision,
                    "plan": transfer.plan_ref,
                },
            )
    return {"series_closed": len(closing), "series_opened": len(opening)}
