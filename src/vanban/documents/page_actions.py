"""Links that apps above documents add to the pages where a document is shown (R19).

A document, a draft version or a processing result shown on its page may be put into a dossier
("Thêm vào hồ sơ"), and the document page says which dossiers it belongs to ("Thuộc hồ sơ").
Dossiers sit above documents, drafting and workflow in the layers (docs/architecture.md,
"Layers"): the records app registers a source here in `AppConfig.ready()`, the way the
processing registers its share rules with `share_rules`, and the pages render whatever the
sources return with the `document_actions` template tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageLink:
    """One link beside a shown record: an action ("action") or a place it belongs to
    ("belongs", e.g. "Thuộc hồ sơ: 01.TCCB ...")."""

    label: str
    url: str
    kind: str = "action"
    title: str = ""


# (user, object shown) -> links; the object is a Document, a DraftVersion or a ProgressFile.
PageLinkSource = Callable[[Any, Any], list[PageLink]]

_SOURCES: list[PageLinkSource] = []


def document_action_register(source: PageLinkSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def document_actions(user: Any, obj: Any) -> list[PageLink]:
    """Every link the registered sources give `user` for `obj` (the page checked that the
    person may see `obj`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [link for source in _SOURCES for link in source(user, obj)]
