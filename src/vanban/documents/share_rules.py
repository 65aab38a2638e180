"""Rules on whom a document may be given for reading now, supplied by apps above documents.

Giving a document to a person ("chuyển văn bản", `services.document_share`) lets them read it;
it is not presenting it to a leader for a direction (Art. 24.1; R14, R18), which is the
processing's own step and sits above documents in the layers (docs/architecture.md, "Layers").
An incoming document waiting to be presented is not given to the unit's leaders for reading as
if that were presenting: the processing registers a rule here in `AppConfig.ready()` (the way
the signature code registers its check with `receipt_checks`) that keeps the leaders out of the
people the document may be given to, and names the step to take instead ("Trình lãnh đạo").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .models import Document


@dataclass(frozen=True)
class ShareRule:
    """Who may not be given the document for reading now, why, and the step to take instead."""

    excluded: frozenset[int]  # user ids
    refusal: str  # said to whoever tries to give the document to one of them
    hint: str = ""  # shown beside the form
    action_url: str = ""  # the step to take instead, when the actor may take it
    action_label: str = ""


ShareRuleSource = Callable[[Document, Any], ShareRule | None]

_SOURCES: list[ShareRuleSource] = []


def share_rule_register(source: ShareRuleSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def share_rules(document: Document, actor: Any) -> list[ShareRule]:
    """Every rule that applies to giving `document` now, as `actor` sees it."""
    return [rule for source in _SOURCES if (rule := source(document, actor)) is not None]


def excluded_ids(rules: Iterable[ShareRule]) -> set[int]:
    return {user_id for rule in rules for user_id in rule.excluded}
