"""Links shown on every signed-in page, given by the apps above core (base.html's footer).

The base template lives in core, which imports no app above it (docs/architecture.md, "Layers"):
an app that offers something on every page (the fault report of oversight, R21) registers a
source here in its `AppConfig.ready()`, and base.html renders whatever the sources return with
the `page_tools` template tag. A source answers from the request alone, with no query, since it
runs on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class PageTool:
    """One link of the page's tools: its label, address and an optional longer title."""

    label: str
    url: str
    title: str = ""
    id: str = ""  # the link's HTML id, so that pages and tests can find it


PageToolSource = Callable[[HttpRequest], list[PageTool]]

_SOURCES: list[PageToolSource] = []


def page_tool_register(source: PageToolSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def page_tools(request: HttpRequest | None) -> list[PageTool]:
    """Every link the registered sources give the signed-in person for this page; none for
    anyone not signed in."""
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return []
    return [tool for source in _SOURCES for tool in source(request)]
