"""Reads of the pages that only list, search and report, sent to a PostgreSQL streaming replica.

Configured by VANBAN_REPLICA_DATABASE_URL (docs/deployment.md, "Read replica"); without it every
query goes to the one database, as before. The pieces:

- `replica_reads` marks a view whose GET only reads: lists, search results, registers, reports,
  exports. Nothing else is ever read from the replica: not the session and the account of the
  request (read before the view runs), not the other pages, not the API.
- `ReplicaReadsMiddleware` gives every request a state in a context variable and, in
  `process_view`, lets the reads of a marked GET go to the replica, unless the person wrote
  something in the last VANBAN_REPLICA_READ_YOUR_WRITES seconds: every POST, PUT, PATCH or
  DELETE that wrote sets a signed cookie for that long, and while it lasts the person's pages
  read the primary, so that a person always sees their own writes.
- `ReplicaRouter` answers "replica" for a read only when the request is so marked, no write
  happened earlier in the request and no `transaction.atomic` block is open on the primary (the
  services run in transactions and read what they write, and `select_for_update` always goes to
  the primary as a write); writes and migrations go to the primary only.
- A replica that cannot be reached is not an error: the request reads the primary, a warning is
  logged, and the replica is not tried again for VANBAN_REPLICA_RETRY_SECONDS. A replica that
  fails in the middle of a page (its connection lost, a query cancelled by a conflict with
  recovery) costs the page a second run of its view, on the primary, and a warning.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
COOKIE = "vanban_primary"
_SALT = "vanban.core.replica.read-your-writes"
_READ_METHODS = frozenset({"GET", "HEAD"})
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


@dataclass
class _RequestState:
    eligible: bool = False  # the view is marked and the person wrote nothing lately
    wrote: bool = False  # something was written (or locked) during the request
    replica_ok: bool | None = None  # the replica answered this request; None: not tried yet
    view: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = None


_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar(
    "vanban_replica_state", default=None
)
# Monotonic time before which the replica is not tried again after it failed.
_down_until = 0.0


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_reads(view: View) -> View:
    """Marks a view whose GET requests only read: they may read the replica."""
    view.replica_reads = True  # type: ignore[attr-defined]
    return view


@contextlib.contextmanager
def reads_from_replica() -> Iterator[None]:
    """The reads inside the block may go to the replica, as those of a marked GET do."""
    token = _state.set(_RequestState(eligible=True))
    try:
        yield
    finally:
        _state.reset(token)


def forget_failures() -> None:
    """The replica is tried again at the next read (after it was found down)."""
    global _down_until
    _down_until = 0.0


def _replica_answers(state: _RequestState) -> bool:
    """Whether the replica takes this request's reads; tried once per request."""
    global _down_until
    if state.replica_ok is not None:
        return state.replica_ok
    if time.monotonic() < _down_until:
        state.replica_ok = False
        return False
    connection = connections[REPLICA]
    try:
        # A connection kept from an earlier request may have died with the server.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        connection.ensure_connection()
    except DatabaseError as error:
        with contextlib.suppress(DatabaseError):
            connection.close()
        retry = float(getattr(settings, "VANBAN_REPLICA_RETRY_SECONDS", 30.0))
        _down_until = time.monotonic() + retry
        logger.warning(
            "Read replica unavailable, reading the primary for %.0f s: %s",
            retry,
            _first_line(error),
        )
        state.replica_ok = False
        return False
    state.replica_ok = True
    return True


class ReplicaRouter:
    """Reads of a marked request to the replica; everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # "default", not None, outside a marked request: an object read from the replica earlier
        # must not take its related reads there (Django would follow the object's own alias).
        state = _state.get()
        if state is None or not state.eligible or state.wrote or not configured():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA if _replica_answers(state) else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == DEFAULT_DB_ALIAS


def _window() -> int:
    return int(getattr(settings, "VANBAN_REPLICA_READ_YOUR_WRITES", 10))


class ReplicaReadsMiddleware:
    """The request's state for `ReplicaRouter`, and the person's read-your-writes window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        state = _RequestState()
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote and request.method in _WRITE_METHODS and configured():
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=_window(),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        state = _state.get()
        if state is None or request.method not in _READ_METHODS or not configured():
            return
        if not getattr(view, "replica_reads", False):
            return
        if request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=_window()):
            return  # the person wrote lately: their pages read the primary
        state.view = (view, args, kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            # The session and the account are read from the primary, before the view: a
            # session ended a moment ago on the primary must not live on in the replica.
            user.is_authenticated  # noqa: B018
        state.eligible = True

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """A marked GET whose replica failed during the view runs again, on the primary."""
        state = _state.get()
        if (
            state is None
            or not isinstance(exception, DatabaseError)
            or not state.eligible
            or not state.replica_ok
            or state.wrote
            or state.view is None
        ):
            return None
        logger.warning(
            "Read replica failed during %s, reading the primary: %s",
            request.path,
            _first_line(exception),
        )
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        state.eligible = False
        view, args, kwargs = state.view
        response: HttpResponseBase = view(request, *args, **kwargs)
        render = getattr(response, "render", None)
        if callable(render):
            response = render()
        return response


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
