"""The one way a test says an action was refused: the exact error and message, and nothing
changed (STYLE "Tests": each refused action asserts the clear error and that nothing changed)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse

from tests.support.snapshots import snapshot
from vanban.core.errors import ServiceError


def refused(
    call: Callable[[], Any],
    error: type[ServiceError],
    message: str,
    field: str | None = None,
    *,
    state: Callable[[], Any] = snapshot,
) -> None:
    """`call()` raises `error` with exactly `message` (and `field`, when given), and `state()`
    (by default the shared snapshot) is the same after the call as before."""
    before = state()
    with pytest.raises(error) as caught:
        call()
    assert caught.value.message == message
    if field is not None:
        assert caught.value.field == field
    assert state() == before


def refused_answer(
    response: HttpResponse, status: int, detail: str, field: str | None = None
) -> None:
    """The API's answer to a refused request: the status, JSON, the message and its field."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["detail"] == detail
    assert body["field"] == field
