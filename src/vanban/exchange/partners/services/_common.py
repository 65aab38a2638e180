"""What the services of the exchange with partner systems share: the logger, the refusal of a
message on arrival, what `receive` answers, where received messages are stored, and the
clerk's right over a received message.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from vanban.accounts.models import Role, Unit, User
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.exchange.models import Inbound

# The exchange with partner systems logs under one name operators filter on (docs/interop.md).
logger = logging.getLogger("vanban.interop")

INBOUND_PREFIX = "interop/in"


class Refused(ServiceError):
    """A message refused on arrival; `http_status` says how the endpoint answers."""

    def __init__(self, message: str, *, http_status: int = 400) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass
class Received:
    """What `receive` did: `outcome` is accepted, duplicate, refused (kept and answered with
    status 02) or applied (a status message)."""

    outcome: str
    inbound: Inbound | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    # A message to a closed code (QĐ 09/2025/QĐ-TTg): where it went, told to the sender.
    readdressed: list[str] = field(default_factory=list)


def _store(prefix: str, data: bytes) -> str:
    now = clock.now()
    return default_storage.save(f"{prefix}/{now:%Y/%m}/{uuid.uuid4().hex}.edxml", ContentFile(data))


def _package_name(number_symbol: str) -> str:
    """The stored package's file name: its number and symbol (no slash), `.edxml`."""
    stem = "-".join(p for p in (number_symbol or "").replace("\\", "/").split("/") if p)
    return f"{stem[:200] or 'goi-tin'}.edxml"


def _require_clerk(actor: User, inbound: Inbound) -> Unit:
    """The unit the message came for, when the actor is one of its clerks."""
    if not actor.is_active:
        raise AccessDenied()
    if inbound.unit is None or not actor.has_role(Role.CLERK, inbound.unit):
        raise AccessDenied("Chỉ văn thư của đơn vị nhận xử lý văn bản này.")
    return inbound.unit
