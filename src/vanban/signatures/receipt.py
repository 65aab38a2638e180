"""Signatures of the PDF files of a document being registered (R11): checked before the
registration's numbering transaction (the check may ask OCSP responders and CRL servers over the
network), kept with the document inside it.

A check that fails to run is logged and skipped: an incoming document is registered whatever its
signatures are (a scanned paper document has none), and the reader can ask for the check again on
the document's page.

This module is the check registered with `vanban.documents.receipt_checks` (the `ReceiptCheck`
protocol): documents calls it without importing signatures.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction

from vanban.documents.receipt_checks import FileReport

from . import services, verify

log = logging.getLogger(__name__)


@dataclass
class Checked:
    """One PDF file checked before registration."""

    file_name: str
    data: bytes
    report: verify.Report


def check_files(files: Iterable[tuple[str, str, bytes]]) -> list[Checked]:
    """Checks each (name, format, bytes) that is a PDF; other formats carry no PAdES signature."""
    checked = []
    for name, file_format, data in files:
        if file_format != "pdf":
            continue
        try:
            report = services.verify_bytes(data)
        except Exception:
            log.exception(
                "Signature check of %s failed; the document is registered without it", name
            )
            continue
        checked.append(Checked(name, data, report))
    return checked


def accepted(report: verify.Report) -> bool:
    """A file is registered without the clerk's confirmation when its signatures are all valid,
    or when it carries none (the scan of a paper document: the report says so)."""
    return report.status in (verify.VALID, verify.UNSIGNED)


def describe(checked: list[Checked]) -> list[FileReport]:
    return [
        FileReport(
            file_name=item.file_name,
            status=item.report.status,
            label=item.report.label,
            accepted=accepted(item.report),
            detail=item.report.detail,
            signatures=item.report.as_dict()["signatures"],
        )
        for item in checked
    ]


def keep(
    checked: list[Checked], *, document: Any, trigger: str, actor: Any, confirmation: str = ""
) -> None:
    """Stores the reports with the newly registered document, in the registration's transaction
    (a savepoint: a report that cannot be stored never undoes the registration); the clerk's
    reason goes with each report that was not accepted."""
    if not checked:
        return
    try:
        with transaction.atomic():
            for item in checked:
                services.report_store(
                    report=item.report,
                    trigger=trigger,
                    file_name=item.file_name,
                    data=item.data,
                    document=document,
                    actor=actor,
                    confirmation="" if accepted(item.report) else confirmation,
                )
    except DatabaseError:
        log.exception("Signature reports of document %s not stored", document.pk)
