"""Checks run on the files of a document being registered, supplied by apps above documents.

Registering a document checks the signatures of its PDF files (R11), but the signature code sits
above documents in the layers (docs/architecture.md, "Layers"): it registers its check here in
`AppConfig.ready()`, the way apps register their stored files with `file_source_register`.

A check is run before the numbering transaction (it may ask OCSP responders and CRL servers over
the network) and what it found is kept inside it, with the new document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

# What a registration was started by, for the record of the check (signatures.Trigger values).
UPLOAD = "upload"
RECEIPT = "receipt"


class ReceiptCheck(Protocol):
    def check_files(self, files: Iterable[tuple[str, str, bytes]]) -> list[Any]:
        """Checks each (name, format, bytes); the result is handed back to `keep`."""
        ...

    def keep(self, checked: list[Any], *, document: Any, trigger: str, actor: Any) -> None:
        """Stores what `check_files` found with the document, inside its transaction."""
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


def results_keep(results: Results, *, document: Any, trigger: str, actor: Any) -> None:
    for check, checked in results:
        check.keep(checked, document=document, trigger=trigger, actor=actor)
