"""Authorization matrices that build their data once per row.

A matrix row is one page or endpoint tried by every kind of person. Building the row's data (a
draft approved, signed or issued) costs far more than the requests, so the people whose request
changes nothing (every GET, every refused POST) are tried one after the other on the same data,
each checked on its own; a POST that is allowed changes the data, so each allowed person keeps a
fresh row of their own. `Cells` collects the failures of the people tried in one row, so that one
run names every person whose answer was wrong, not only the first.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol


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


class Row(Protocol):
    method: str
    allowed: Any  # the people allowed (a mapping or a set of names)


def unchanged_actors(row: Row, actors: Iterable[str]) -> list[str]:
    """The people whose request changes nothing: everyone on a GET, the refused on a POST; they
    are tried one after the other on the row's shared data."""
    return [a for a in actors if row.method == "get" or a not in row.allowed]


def changing_actors(row: Row, actors: Iterable[str]) -> list[str]:
    """The people allowed a POST: each changes the data, so each gets a fresh row."""
    return [a for a in actors if row.method == "post" and a in row.allowed]
