"""Checking the signatures of a PDF against the province's trust roots and keeping the report
(R11, R12): every signature made or received is checked, on receipt, on upload or on demand.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.documents.files import file_read_verified

from .. import verify
from ..models import Trigger, VerificationReport
from ..organisations import with_organisation_history
from ._common import _now, intermediates, trust_roots
from .roots import fetched_keep


def validation_context() -> Any:
    """The context used to embed validation data when signing: the province's trust roots."""
    return verify.context(
        trust_roots(),
        revocation="soft-fail",
        allow_fetching=settings.VANBAN_SIGNATURE_FETCH,
        other_certs=intermediates(),
    )


def verify_bytes(data: bytes) -> verify.Report:
    """The report of `data` against the province's roots, with its installed intermediate CAs
    and those fetched before (an issuing CA fetched now is kept for the next time)."""
    if verify.plainly_unsigned(data):  # no query for most files
        return verify.verify_pdf(data, [], now=_now())
    report = verify.verify_pdf(
        data,
        trust_roots(),
        revocation=settings.VANBAN_SIGNATURE_REVOCATION,
        allow_fetching=settings.VANBAN_SIGNATURE_FETCH,
        now=_now(),
        intermediates=intermediates(),
        keep_fetched=fetched_keep,
    )
    # CV 275/BCY-CTSBMTT: a certificate naming a reorganised agency keeps verifying; the
    # result says what became of the agency.
    with_organisation_history(report.signatures)
    return report


def report_store(
    *,
    report: verify.Report,
    trigger: str,
    file_name: str,
    data: bytes,
    document: Any = None,
    draft: Any = None,
    actor: User | None = None,
    confirmation: str = "",
) -> VerificationReport:
    return VerificationReport.objects.create(
        document=document,
        draft=draft,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        trigger=trigger,
        status=report.status,
        content=report.as_dict(),
        checked_by=actor,
        checked_at=_now(),
        confirmation=confirmation,
    )


def document_verify(
    *, actor: User | None, document: Any, trigger: str = Trigger.DEMAND, ip: str | None = None
) -> list[VerificationReport]:
    """Checks the signatures of every PDF of a document and keeps the reports (on receipt, on
    upload, on demand). Access is the caller's business (views check `visible_to`)."""
    reports = []
    for file in document.files.all():
        if file.file_format != "pdf":
            continue
        data = file_read_verified(file.storage_name, file.sha256)
        report = verify_bytes(data)
        reports.append(
            report_store(
                report=report,
                trigger=trigger,
                file_name=file.original_name,
                data=data,
                document=document,
                actor=actor,
            )
        )
    if actor is not None and reports:
        audit_record(
            actor=actor,
            action="signatures.verify",
            unit=document.unit,
            target=document,
            data={"trigger": trigger, "results": [r.status for r in reports]},
            ip=ip,
        )
    return reports
