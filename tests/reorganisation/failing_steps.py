"""A step module that fails on one unit (Phú Hưng), for the test of a plan stopped half way."""

from __future__ import annotations

from vanban.accounts.unit_history import PreviewLine, Transfer


def transfer_preview(transfer: Transfer) -> list[PreviewLine]:
    return []


def transfer_apply(transfer: Transfer) -> dict[str, int]:
    if transfer.source.agency_code == "000.32.21.H07":
        raise RuntimeError("the hand-over failed")
    return {}
