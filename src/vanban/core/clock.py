"""One place to ask for the current time, so that tests and `--at` options can move it.

Account lifecycle rules (R3, R4) are about elapsed days; tests drive them by freezing this clock.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: list[dt.datetime] = []


def now() -> dt.datetime:
    return _frozen[-1] if _frozen else timezone.now()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Make `now()` return `at` inside the block."""
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    _frozen.append(at)
    try:
        yield
    finally:
        _frozen.pop()
