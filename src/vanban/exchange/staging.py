"""A package between "Đọc gói edXML" and "Vào sổ": kept in storage, named by a signed ticket.

A browser does not keep a chosen file when the form comes back prefilled, and a package (up to the
file size limit) is too big for the session. So the package read for a clerk is stored under
`exchange-inbox/tmp/<uuid>.edxml`, and the form carries a ticket signed with the server's key
(django.core.signing) naming that file, its SHA-256, the person who read it and when. A ticket is
honoured for TICKET_AGE, for that person only, and only while the stored bytes keep that SHA-256;
the file is removed once the document is registered, or later by `temp_purge`.

The plan of files is shared by the page (what will be stored) and the registration (what is).
"""

import contextlib
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.dateparse import parse_datetime

from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.documents.files import FORMATS, detect_format, safe_file_name
from vanban.documents.models import DocumentFile

from .edxml import EdxmlPackage

SALT = "vanban.exchange.package-ticket"
TEMP_PREFIX = "exchange-inbox/tmp"
TICKET_AGE = dt.timedelta(hours=1)
_TEMP_NAME = re.compile(r"^exchange-inbox/tmp/[0-9a-f]{32}\.edxml$")

INVALID_TICKET = (
    "Gói văn bản điện tử đã đọc không hợp lệ hoặc không phải do bạn đọc; hãy chọn gói edXML và "
    "bấm “Đọc gói edXML” lại. Chưa có gì được lưu."
)
EXPIRED_TICKET = (
    "Gói văn bản điện tử đã được đọc quá 1 giờ nên hết hiệu lực; hãy chọn gói edXML và bấm "
    "“Đọc gói edXML” lại. Chưa có gì được lưu."
)
MISSING_PACKAGE = (
    "Gói văn bản điện tử đã đọc không còn nguyên trong kho tạm; hãy chọn gói edXML và bấm "
    "“Đọc gói edXML” lại. Chưa có gì được lưu."
)


@dataclass(frozen=True)
class Ticket:
    user_id: int
    storage_name: str
    sha256: str
    file_name: str
    issued_at: dt.datetime


def ticket_sign(ticket: Ticket) -> str:
    payload = {
        "u": ticket.user_id,
        "s": ticket.storage_name,
        "h": ticket.sha256,
        "n": ticket.file_name,
        "t": ticket.issued_at.isoformat(),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def _ticket(payload: Any) -> Ticket:
    issued_at = parse_datetime(str(payload["t"]))
    if issued_at is None or issued_at.tzinfo is None:
        raise ValueError("issued_at")
    storage_name = str(payload["s"])
    if not _TEMP_NAME.match(storage_name):
        raise ValueError("storage name")
    return Ticket(
        user_id=int(payload["u"]),
        storage_name=storage_name,
        sha256=str(payload["h"]),
        file_name=str(payload["n"]),
        issued_at=issued_at,
    )


def ticket_read(token: str, *, user_id: int) -> Ticket:
    """The ticket if signed by this server for `user_id` within TICKET_AGE; else ServiceError.

    The issue time is the server's clock (vanban.core.clock), so an expired ticket of the same
    person also removes the package it named.
    """
    try:
        ticket = _ticket(signing.loads(token, salt=SALT))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ServiceError(INVALID_TICKET, field="package") from exc
    if ticket.user_id != user_id:
        raise ServiceError(INVALID_TICKET, field="package")
    age = clock.now() - ticket.issued_at
    if age > TICKET_AGE or age < -TICKET_AGE:
        temp_discard(ticket.storage_name)
        raise ServiceError(EXPIRED_TICKET, field="package")
    return ticket


def temp_store(data: bytes) -> str:
    return default_storage.save(f"{TEMP_PREFIX}/{uuid.uuid4().hex}.edxml", ContentFile(data))


def temp_read(ticket: Ticket) -> bytes:
    """The stored package, refused if it is gone or no longer has the ticket's SHA-256."""
    try:
        with default_storage.open(ticket.storage_name, "rb") as handle:
            data: bytes = handle.read()
    except (OSError, ValueError) as exc:
        raise ServiceError(MISSING_PACKAGE, field="package") from exc
    if hashlib.sha256(data).hexdigest() != ticket.sha256:
        raise ServiceError(MISSING_PACKAGE, field="package")
    return data


def temp_discard(storage_name: str) -> None:
    if _TEMP_NAME.match(storage_name):
        with contextlib.suppress(OSError):
            default_storage.delete(storage_name)


def temp_purge() -> int:
    """Remove packages read more than twice TICKET_AGE ago (best effort); how many were removed."""
    removed = 0
    limit = clock.now() - 2 * TICKET_AGE
    try:
        _directories, names = default_storage.listdir(TEMP_PREFIX)
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    for name in names:
        path = f"{TEMP_PREFIX}/{name}"
        with contextlib.suppress(OSError, NotImplementedError):
            if _TEMP_NAME.match(path) and default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
    return removed


# ---------------------------------------------------------------- what will be stored


@dataclass
class PackageFile:
    role: str  # DocumentFile.Role
    name: str
    data: bytes
    file_format: str | None  # from the content; None: not an allowed format (refused on save)
    container: str = ""
    is_package: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def role_label(self) -> str:
        return DocumentFile.Role(self.role).label

    @property
    def format_label(self) -> str:
        return (self.file_format or "không được phép").upper()

    @property
    def content_type(self) -> str:
        return FORMATS.get(self.file_format or "", "application/octet-stream")


@dataclass
class StagedPackage:
    token: str
    file_name: str
    size: int
    sha256: str
    package: EdxmlPackage
    files: list[PackageFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def package_files(package: EdxmlPackage, file_name: str) -> tuple[list[PackageFile], list[str]]:
    """The document's files: the first PDF (else the first file) as the main file, the others as
    attachments, and the package itself, in the order they will be stored."""
    notes: list[str] = []
    found = [
        PackageFile(
            role=DocumentFile.Role.ATTACHMENT,
            name=attachment.name,
            data=attachment.data,
            file_format=detect_format(attachment.data),
            container=attachment.container,
        )
        for attachment in package.attachments
    ]
    main = next((f for f in found if f.file_format == "pdf"), found[0] if found else None)
    if main is not None:
        main.role = DocumentFile.Role.MAIN
        found.remove(main)
        found.insert(0, main)
    else:
        notes.append("Gói không có tệp văn bản: văn bản được vào sổ không kèm tệp chính.")
    package_format = detect_format(package.xml)
    if package_format == "xml":
        found.append(
            PackageFile(
                role=DocumentFile.Role.ATTACHMENT,
                name=safe_file_name(file_name or "goi-van-ban.edxml", "xml"),
                data=package.xml,
                file_format=package_format,
                is_package=True,
            )
        )
        if package.xml_repaired:
            notes.append(
                "Gói gốc không đúng cú pháp XML nên được lưu kèm văn bản ở dạng đã sửa (chỉ thêm "
                "khai báo tiền tố); mã SHA-256 của gói gốc được ghi vào nhật ký hệ thống."
            )
    else:
        notes.append(
            "Gói edXML không được lưu kèm văn bản vì không phải một tệp XML được phép; các tệp "
            "trong gói vẫn được lưu."
        )
    return found, notes
