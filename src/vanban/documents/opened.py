"""What opening a document's page means to apps above documents (R18 "nhận để biết").

A person who opens a document's page has read it: a document given to them for reading leaves
their "Việc của tôi" (`services.share_opened`), and a part of its processing given to them for
information gets its read mark. The processing sits above documents in the layers
(docs/architecture.md, "Layers"): it registers what opening means to it in `AppConfig.ready()`,
the way it registers its share rules with `share_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import services
from .models import Document

OpenedHandler = Callable[[Document, Any], None]

_HANDLERS: list[OpenedHandler] = []


def document_opened_register(handler: OpenedHandler) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def document_opened(*, document: Document, user: Any) -> None:
    """`user` opened `document`'s page (the caller checked they may see it)."""
    services.share_opened(document=document, user=user)
    for handler in _HANDLERS:
        handler(document, user)
