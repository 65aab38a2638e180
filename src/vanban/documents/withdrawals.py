"""A registered incoming document taken back by its sender, and a document replaced by another
(NĐ 30/2020 Appendix VI; QĐ 28/2018/QĐ-TTg status 15 "đồng ý thu hồi", business type 3).

The exchange answers a take-back (15) and registers a replacement, but what a take-back ends
(the processing of the document: its assignments, reminders, progress) sits above it in the
layers (docs/architecture.md, "Layers"). The fact is kept on the document (`withdrawn_at`,
`replaced_by`), which every app may read, and an app above registers here, in
`AppConfig.ready()`, what it must do when a document is withdrawn.

Every handler is called in the caller's transaction: `lock` before the caller locks its own rows
(so that every writer takes the rows in one order: the processing, then the delivery), then
`withdraw` once the take-back is decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from .models import Document


class WithdrawalHandler(Protocol):
    def lock(self, document: Document) -> None:
        """Locks the rows the handler will change, before the caller locks its own."""
        ...

    def withdraw(self, document: Document, *, actor: Any, reason: str, at: dt.datetime) -> None:
        """Ends what the handler keeps about the document, inside the caller's transaction."""
        ...


_HANDLERS: list[WithdrawalHandler] = []


def withdrawal_handler_register(handler: WithdrawalHandler) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def withdrawal_lock(document: Document) -> None:
    for handler in _HANDLERS:
        handler.lock(document)


def document_withdraw(document: Document, *, actor: Any, reason: str, at: dt.datetime) -> None:
    """Marks a registered incoming document as taken back by its sender ("đã thu hồi") and
    tells every registered handler; the arrival number stays (registers have no gaps)."""
    Document.objects.filter(pk=document.pk).update(withdrawn_at=at, withdrawn_reason=reason[:500])
    document.withdrawn_at = at
    document.withdrawn_reason = reason[:500]
    for handler in _HANDLERS:
        handler.withdraw(document, actor=actor, reason=reason, at=at)


def document_mark_replaced(original: Document, replacement: Document) -> None:
    """Records that `replacement` replaces `original` (business type 3)."""
    Document.objects.filter(pk=original.pk).update(replaced_by=replacement)
    original.replaced_by = replacement
