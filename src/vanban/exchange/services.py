"""Registering an incoming electronic document from an edXML package (R13, R16).

Two steps, as the clerk works: `package_stage` reads the package the clerk chose, checks it and
every file in it, and keeps it for an hour behind a signed ticket (staging.py); the page is then
prefilled from it and the clerk checks and completes the record. `package_register` registers the
document through documents.services.incoming_register, so every rule of a paper document holds
(R13 refusals and declaration, duplicate warning, arrival number), with the package's files.
"""

import contextlib
import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction

from vanban.accounts.models import Role, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_discard, file_prepare
from vanban.documents.models import Document, DocumentFile, DocumentPolicy
from vanban.documents.services import DocumentInput, Refusals, incoming_register

from .edxml import BUSINESS_REVOKE, MB, EdxmlError, EdxmlPackage, parse_package
from .selectors import package_load
from .staging import (
    PackageFile,
    StagedPackage,
    Ticket,
    package_files,
    temp_discard,
    temp_purge,
    temp_store,
    ticket_sign,
)

CLERK_ONLY = "Chỉ văn thư của đơn vị được vào sổ văn bản."
NO_PACKAGE = "Hãy chọn tệp gói edXML (.edxml) rồi bấm “Đọc gói edXML”."


def _require_clerk(actor: User) -> None:
    """R16: only a clerk registers documents, so only a clerk reads packages for registering."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise AccessDenied()
    if not actor.has_role(Role.CLERK):
        raise AccessDenied(CLERK_ONLY)


def _read_upload(upload: UploadedFile[bytes] | None, limit: int) -> bytes:
    if upload is None:
        raise ServiceError(NO_PACKAGE, field="package")
    too_large = EdxmlError(f"Gói edXML lớn hơn giới hạn {limit // MB} MB của một tệp.")
    if upload.size is not None and upload.size > limit:
        raise too_large
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise EdxmlError(f"Tệp “{upload.name}” rỗng.")
    return data


def _refuse_revocation(package: EdxmlPackage) -> None:
    if package.business_type == BUSINESS_REVOKE:
        raise EdxmlError(
            f"Gói edXML này là yêu cầu thu hồi văn bản số {package.number_symbol or '(không số)'} "
            f"của {package.from_organ.name or 'cơ quan gửi'}, không phải văn bản để vào sổ; hãy "
            "báo lãnh đạo đơn vị để xử lý việc thu hồi."
        )


def _as_upload(item: PackageFile) -> SimpleUploadedFile:
    return SimpleUploadedFile(item.name, item.data, content_type=item.content_type)


def _check_files(files: list[PackageFile], policy: DocumentPolicy, *, actor: User) -> None:
    """The checks of any uploaded file (malware, format from content, size, secrecy stamps),
    early."""
    attachments = sum(1 for f in files if f.role == DocumentFile.Role.ATTACHMENT)
    if attachments > policy.max_attachments:
        raise ServiceError(
            f"Gói có {attachments} tệp đính kèm (kể cả chính gói), nhiều hơn giới hạn "
            f"{policy.max_attachments} tệp.",
            field="package",
        )
    for item in files:
        if item.is_package:
            continue  # the package's XML carries no stamp; the files inside were checked
        try:
            file_prepare(_as_upload(item), actor=actor, policy=policy, source="Gói văn bản điện tử")
        except ServiceError as exc:
            where = f" (trong “{item.container}”)" if item.container else ""
            raise ServiceError(
                f"Gói edXML bị từ chối{where}: {exc.message}", field="package"
            ) from exc


def _facts(package: EdxmlPackage) -> dict[str, Any]:
    return {
        "document_id": package.document_id,
        "number_symbol": package.number_symbol,
        "from": {"id": package.from_organ.organ_id, "name": package.from_organ.name},
        "business_type": package.business_type,
        "repairs": package.repairs,
    }


def package_stage(
    *, actor: User, upload: UploadedFile[bytes] | None, ip: str | None = None
) -> StagedPackage:
    """The clerk reads an edXML package to register it (R16).

    Refused, with nothing kept, when the package is larger than the file size limit, malformed
    beyond the lenient repair of undeclared prefixes, a status message or a revocation, or when
    one of its files is not an allowed format, too large, or carries a secrecy stamp (R13).
    Otherwise the package is kept for an hour behind a ticket signed for this clerk.
    """
    _require_clerk(actor)
    policy = DocumentPolicy.current()
    limit = policy.max_file_size_mb * MB
    data = _read_upload(upload, limit)
    package = parse_package(data, max_bytes=limit)
    _refuse_revocation(package)
    file_name = (upload.name if upload is not None else "") or "goi-van-ban.edxml"
    files, notes = package_files(package, file_name)
    _check_files(files, policy, actor=actor)
    temp_purge()
    sha256 = hashlib.sha256(data).hexdigest()
    storage_name = temp_store(data)
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="exchange.package_read",
                unit=actor.unit,
                ip=ip,
                data={
                    **_facts(package),
                    "package": {"name": file_name, "sha256": sha256, "size": len(data)},
                    "files": [{"name": f.name, "size": f.size} for f in files],
                },
            )
    except BaseException:
        temp_discard(storage_name)
        raise
    ticket = Ticket(
        user_id=actor.pk,
        storage_name=storage_name,
        sha256=sha256,
        file_name=file_name,
        issued_at=clock.now(),
    )
    return StagedPackage(
        token=ticket_sign(ticket),
        file_name=file_name,
        size=len(data),
        sha256=sha256,
        package=package,
        files=files,
        notes=notes,
    )


def package_register(
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
    """The clerk registers the electronic document of a package read before (R13, R14, R16).

    The record is what the clerk confirmed on the page; the files are the package's: the first
    PDF (else the first file) as the main file, the other files and the package itself as
    attachments, each checked like any uploaded file. A ticket that is forged, another person's
    or older than an hour is refused with nothing stored; the kept package is removed once the
    document is committed.
    """
    ticket, staged = package_load(actor=actor, token=token)
    _refuse_revocation(staged.package)
    uploads = [_as_upload(item) for item in staged.files]
    main_file = (
        uploads[0] if staged.files and staged.files[0].role == DocumentFile.Role.MAIN else None
    )
    others = uploads[1:] if main_file is not None else uploads
    for upload in attachments or []:
        # The clerk's own attachments are checked before the transaction, so that a malware
        # detection (R20) is recorded even though the registration is refused.
        file_prepare(upload, actor=actor, unit=unit, source="Vào sổ gói văn bản điện tử")
    stored: list[str] = []
    try:
        with transaction.atomic():
            document = incoming_register(
                actor=actor,
                unit=unit,
                data=data,
                refusals=refusals,
                main_file=main_file,
                attachments=[*others, *(attachments or [])],
                confirm_duplicate=confirm_duplicate,
                signature_reason=signature_reason,
                received_files=True,
                ip=ip,
            )
            stored = list(document.files.values_list("storage_name", flat=True))
            audit_record(
                actor=actor,
                action="exchange.package_register",
                unit=unit,
                target=document,
                ip=ip,
                data={
                    **_facts(staged.package),
                    "package": {"name": ticket.file_name, "sha256": ticket.sha256},
                    "notes": staged.notes,
                },
            )
    except BaseException:
        for name in stored:
            file_discard(name)
        raise
    transaction.on_commit(lambda: temp_discard(ticket.storage_name))
    return document
