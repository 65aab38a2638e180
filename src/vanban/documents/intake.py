"""An incoming document that arrives as an electronic package, read on the registration page.

The clerk's "Vào sổ văn bản đến" page (R16) reads an edXML package to prefill the form and then
registers the document with the package's files. Packages belong to the exchange app, which sits
above documents in the layers (docs/architecture.md, "Layers"): it provides this intake in its
`AppConfig.ready()`, the way apps register their stored files with `file_source_register`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from vanban.accounts.models import Unit, User

    from .models import Document
    from .services import DocumentInput, Refusals


class PackageIntake(Protocol):
    def package_stage(self, *, actor: Any, upload: Any, ip: str | None = None) -> Any:
        """Reads and keeps an uploaded package behind a ticket; refusals are ServiceError."""
        ...

    def package_load(self, *, actor: Any, token: str) -> tuple[Any, Any]:
        """The (ticket, staged package) kept for this clerk under `token`."""
        ...

    def package_prefill(self, *, package: Any) -> Any:
        """The form's initial values and the notes for the clerk (`initial`, `notes`)."""
        ...

    def package_register(
        self,
        *,
        actor: User,
        unit: Unit,
        token: str,
        data: DocumentInput,
        refusals: Refusals,
        attachments: list[UploadedFile[bytes]] | None = None,
        confirm_duplicate: bool = False,
        signature_reason: str = "",
        ip: str | None = None,
    ) -> Document:
        """Registers the document with the package's files, as `incoming_register` does."""
        ...


_INTAKE: list[PackageIntake] = []


def package_intake_register(intake: PackageIntake) -> None:
    _INTAKE[:] = [intake]


def package_intake() -> PackageIntake:
    if not _INTAKE:
        raise LookupError("no package intake: the exchange app is not installed")
    return _INTAKE[0]
