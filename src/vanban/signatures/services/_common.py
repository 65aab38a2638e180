"""What the signature services share: the time, audit events under `signatures.`, reading
certificate files, the province's active trust roots, and who may manage a person's
certificates and images.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from asn1crypto import pem, x509

from vanban.accounts.models import User
from vanban.audit.models import AuditEvent
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError

from .. import verify
from ..models import TrustKind, TrustRoot

MAX_CERT_BYTES = 64 * 1024


def _now() -> dt.datetime:
    return clock.now()


def _audit(
    actor: Any, action: str, target: Any, ip: str | None, unit: Any = None, **data: Any
) -> AuditEvent:
    return audit_record(
        actor=actor, action=f"signatures.{action}", unit=unit, target=target, data=data, ip=ip
    )


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from DER or PEM (a PEM file may hold the chain too); ServiceError if none."""
    if not data or len(data) > MAX_CERT_BYTES:
        raise ServiceError("Tệp chứng thư số rỗng hoặc quá lớn.", field="certificate")
    try:
        if pem.detect(data):
            certs = [
                x509.Certificate.load(der)
                for kind, _headers, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        else:
            certs = [x509.Certificate.load(data)]
        for cert in certs:
            cert.native  # noqa: B018  (parses every field: a damaged file fails here)
    except Exception as exc:
        raise ServiceError(
            "Tệp không phải chứng thư số X.509 (định dạng DER hoặc PEM).", field="certificate"
        ) from exc
    if not certs:
        raise ServiceError("Tệp không chứa chứng thư số nào.", field="certificate")
    return certs


def _name(cert: x509.Certificate, key: str) -> str:
    return verify.subject_field(cert, key)[:255]


def trust_roots() -> list[x509.Certificate]:
    """The roots the province trusts: the only trust anchors of every validation (R11)."""
    rows = TrustRoot.objects.filter(active=True, kind=TrustKind.ROOT)
    return [x509.Certificate.load(bytes(r.der)) for r in rows]


def intermediates() -> list[x509.Certificate]:
    """The intermediate CAs installed by the province admin: they complete a chain offline, and
    are trusted only through a root of `trust_roots`."""
    rows = TrustRoot.objects.filter(active=True, kind=TrustKind.INTERMEDIATE)
    return [x509.Certificate.load(bytes(r.der)) for r in rows]


def _may_manage_person(actor: User, person: User) -> bool:
    return actor.pk == person.pk or actor.can_manage_unit(person.unit)
