"""Actions on several documents ticked in the incoming documents list, supplied by apps above
documents (R18).

The list belongs to documents; presenting, giving to be handled and marking read belong to the
processing, above documents in the layers (docs/architecture.md, "Layers"). The processing
registers here in `AppConfig.ready()` where the ticked documents are sent and which buttons the
reader is offered; without a registered source the list has no checkboxes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ListActions:
    """Where the ticked documents go, the buttons (name of the action, label), and the leaders
    offered to present to (id, name) when presenting is one of them."""

    url: str
    buttons: list[tuple[str, str]]
    leaders: list[tuple[int, str]] = field(default_factory=list)


ListActionSource = Callable[[Any], ListActions | None]

_SOURCE: list[ListActionSource] = []


def list_actions_register(source: ListActionSource) -> None:
    _SOURCE[:] = [source]


def list_actions(user: Any) -> ListActions | None:
    """The actions the reader is offered on the incoming list, or None."""
    return _SOURCE[0](user) if _SOURCE else None
