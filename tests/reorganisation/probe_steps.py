"""A step module for the engine's tests, keeping the contract of docs/reorganisation.md
("What moves, and what stays"): it reads the accounts of the source and moves them to the unit
the plan gives them, so the tests see the engine call every module for every transfer, with the
plan's per-item choices, once."""

from __future__ import annotations

from vanban.accounts.models import User
from vanban.accounts.unit_history import PreviewLine, Transfer

CALLS: list[tuple[str, int, int]] = []
CONFLICT_FOR: set[str] = set()  # agency codes whose transfer the preview refuses


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    CALLS.append(("preview", transfer.source.pk, transfer.target.pk or 0))
    people = list(User.objects.filter(unit=transfer.source).order_by("pk"))
    conflicts = (
        (f"Đơn vị {transfer.source.name} còn việc chưa chuyển được.",)
        if transfer.source.agency_code in CONFLICT_FOR
        else ()
    )
    return [
        PreviewLine(
            label="Tài khoản",
            count=len(people),
            examples=tuple(p.username for p in people[:3]),
            conflicts=conflicts,
        )
    ]


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    CALLS.append(("apply", transfer.source.pk, transfer.target.pk))
    if transfer.is_same_unit:
        return {"tài khoản": 0}
    moved = 0
    for person in User.objects.filter(unit=transfer.source):
        person.unit_id = transfer.target_for("user", person.pk)
        person.save(update_fields=["unit"])
        moved += 1
    return {"tài khoản": moved}
