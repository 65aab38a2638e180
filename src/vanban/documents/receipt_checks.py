"""Checks run on the files of a document being registered, supplied by apps above documents.

Registering a document checks the signatures of its PDF files (R11), but the signature code sits
above documents in the layers (docs/architecture.md, "Layers"): it registers its check here in
`AppConfig.ready()`, the way apps register their stored files with `file_source_register`.

A check is run before the numbering transaction (it may ask OCSP responders and CRL servers over
the network) and what it found is kept inside it, with the new document.

What a check found is shown to the clerk before the document is registered (R11; TT 15/2025/TT-BKHCN
on checking a signature before relying on it): a file whose signature is invalid or untrusted is
registered only when the clerk confirms it with a reason, and the reason is kept with the report
and in the audit trail (`confirmation_check`). A file with no signature (the scan of a paper
document) needs no confirmation: the report says it carries none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from vanban.core.errors import ServiceError

# What a registration was started by, for the record of the check (signatures.Trigger values).
UPLOAD = "upload"
RECEIPT = "receipt"


REASON_MAX = 500


@dataclass(frozen=True)
class FileReport:
    """What a check found in one file, as the clerk reads it before registering."""

    file_name: str
    status: str  # the check's own status ("valid", "invalid", "unsigned", "damaged")
    label: str  # the status in Vietnamese
    accepted: bool  # False: the file's signature is invalid or untrusted; the clerk confirms
    detail: str = ""
    signatures: list[dict[str, Any]] = field(default_factory=list)  # one dict per signature


class ReceiptCheck(Protocol):
    def check_files(self, files: Iterable[tuple[str, str, bytes]]) -> list[Any]:
        """Checks each (name, format, bytes); the result is handed back to `keep`."""
        ...

    def describe(self, checked: list[Any]) -> list[FileReport]:
        """What `check_files` found, file by file, for the clerk."""
        ...

    def keep(
        self, checked: list[Any], *, document: Any, trigger: str, actor: Any, confirmation: str
    ) -> None:
        """Stores what `check_files` found with the document, inside its transaction, with the
        clerk's reason for registering it when a file was not accepted (`confirmation`)."""
        ...


_CHECKS: list[ReceiptCheck] = []
# What `files_check` found, per check, to hand to `results_keep`.
Results = list[tuple[ReceiptCheck, list[Any]]]


def receipt_check_register(check: ReceiptCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def files_check(files: Iterable[tuple[str, str, bytes]]) -> Results:
    """Runs every registered check over the files (each check sees them all)."""
    items = list(files)
    return [(check, check.check_files(items)) for check in _CHECKS]


def describe(results: Results) -> list[FileReport]:
    """Every file's report, in the order the files were given, check by check."""
    return [report for check, checked in results for report in check.describe(checked)]


class SignaturesNotConfirmed(ServiceError):
    """A file's signature is invalid or untrusted and the clerk has not confirmed registering it
    with a reason: nothing is registered; `reports` holds every file's report to show."""

    def __init__(self, reports: list[FileReport], message: str | None = None) -> None:
        names = ", ".join(f"“{r.file_name}”" for r in reports if not r.accepted)
        super().__init__(
            message
            or f"Chữ ký số của tệp {names} không hợp lệ hoặc không được tin cậy. "
            "Hãy xem kết quả kiểm tra; nếu vẫn vào sổ, hãy xác nhận và ghi lý do.",
            field="signature_reason",
        )
        self.reports = reports


def confirmation_check(results: Results, reason: str) -> str:
    """The clerk's reason for registering a document whose files were not all accepted, cleaned;
    empty when every file was accepted (no reason is kept then). Refused when a reason is
    needed and missing or longer than REASON_MAX characters."""
    reports = describe(results)
    if all(report.accepted for report in reports):
        return ""
    cleaned = unicodedata.normalize("NFC", " ".join((reason or "").split()))
    if not cleaned:
        raise SignaturesNotConfirmed(reports)
    if len(cleaned) > REASON_MAX:
        raise SignaturesNotConfirmed(
            reports, f"Lý do vẫn vào sổ dài quá {REASON_MAX} ký tự; hãy viết ngắn lại."
        )
    return cleaned


def results_keep(
    results: Results, *, document: Any, trigger: str, actor: Any, confirmation: str = ""
) -> None:
    for check, checked in results:
        check.keep(
            checked, document=document, trigger=trigger, actor=actor, confirmation=confirmation
        )
