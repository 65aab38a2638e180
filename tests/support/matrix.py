"""Authorization matrices: one row type for every matrix, and rows that build their data once.

A matrix row (`Case`) is one page or endpoint tried by every kind of person: how it is asked
(method, address, form data or JSON body), who is let through, and what each person is
answered. Each matrix keeps its own people, its own data for a row and its own rule for the
people a row leaves out (a login redirect, a 401, a 404).

Building the row's data (a draft approved, signed or issued) costs far more than the requests,
so the people whose request changes nothing (every GET, every refused POST) are tried one after
the other on the same data, each checked on its own; a POST that is allowed changes the data,
so each allowed person keeps a fresh row of their own. `Cells` collects the failures of the
people tried in one row, so that one run names every person whose answer was wrong, not only
the first.
"""

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pytest


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Case:
    """One row of an authorization matrix.

    `url`, `data` and `check` take whatever the matrix builds for a row (a draft, a delivery,
    the province); `setup` builds it. `expect` and `detail` name only the people the row says
    something about; the matrix answers for the rest."""

    name: str
    method: str  # "get" or "post"
    url: Callable[..., str]
    # Who is let through: who sees the page's content (`marker`), or whose POST changes something.
    allowed: Collection[str] = frozenset()
    expect: Mapping[str, int] = field(default_factory=dict)  # HTTP status per person
    detail: Mapping[str, str] = field(default_factory=dict)  # a refusal's message per person
    data: Callable[..., Any] | None = None  # form data, JSON body or query of the request
    multipart: bool = False  # the body is sent as multipart/form-data, not JSON
    setup: Any = None  # what builds the row's data (a function, or a name the matrix knows)
    marker: str = ""  # text that only the allowed see in the answer
    check: Callable[..., None] | None = None  # what an allowed request returned and changed

    def __post_init__(self) -> None:
        assert self.method in ("get", "post"), self.method
        object.__setattr__(self, "allowed", frozenset(self.allowed))
        object.__setattr__(self, "expect", _frozen(self.expect))
        object.__setattr__(self, "detail", _frozen(self.detail))

    def __str__(self) -> str:
        return self.name

    def body(self, *args: Any) -> Any:
        """The row's form data, JSON body or query; none when the row sends nothing."""
        return self.data(*args) if self.data is not None else {}


def case_params(cases: Iterable[Case]) -> list[Any]:
    """One test per row, named by the row."""
    return [pytest.param(case, id=case.name) for case in cases]


def cell_params(cells: Iterable[tuple[Case, str]]) -> list[Any]:
    """One test per cell (row, person), named "row-person"."""
    return [pytest.param(case, actor, id=f"{case.name}-{actor}") for case, actor in cells]


def every_cell(cases: Iterable[Case], actors: Iterable[str]) -> list[tuple[Case, str]]:
    """Every (row, person) of a matrix, row by row."""
    people = list(actors)
    return [(case, actor) for case in cases for actor in people]


class Cells:
    """The failed cells of one matrix row, each named by its person."""

    def __init__(self, row: str) -> None:
        self.row = row
        self.failures: list[str] = []

    @contextmanager
    def cell(self, actor: str) -> Iterator[None]:
        """Check one person's cell: a failed assertion is kept with the person's name and the
        next person is tried; any other error stops the row, with the person named."""
        try:
            yield
        except AssertionError as error:
            self.failures.append(f"{self.row} / {actor}: {error}")
        except Exception as error:
            error.add_note(f"matrix cell: {self.row} / {actor}")
            raise

    def check(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def unchanged_actors(row: Case, actors: Iterable[str]) -> list[str]:
    """The people whose request changes nothing: everyone on a GET, the refused on a POST; they
    are tried one after the other on the row's shared data."""
    return [a for a in actors if row.method == "get" or a not in row.allowed]


def changing_actors(row: Case, actors: Iterable[str]) -> list[str]:
    """The people allowed a POST: each changes the data, so each gets a fresh row."""
    return [a for a in actors if row.method == "post" and a in row.allowed]


def allowed_posts(cases: Iterable[Case], actors: Iterable[str]) -> list[tuple[Case, str]]:
    """The cells that each need a fresh row: every allowed person of every POST."""
    people = list(actors)
    return [(case, actor) for case in cases for actor in changing_actors(case, people)]
