"""Checking the signatures of a PDF on request (R11; TT 15/2025/TT-BKHCN: verification software
shows the result in Vietnamese): a clerk checks a file before registering it
(`POST /api/v1/signatures/verify`), an administrator checks one on the server
(`vanban signatures verify FILE`). Nothing is stored: the reports kept with documents are written
where the file is kept (`services.report_store`).
"""

from __future__ import annotations

from vanban.accounts.models import Role, User
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import detect_format
from vanban.documents.models import DocumentPolicy

from . import verify
from .services import verify_bytes

MSG_CLERKS_ONLY = "Chỉ văn thư của đơn vị được kiểm tra chữ ký số của một tệp."
MSG_NOT_PDF = "Tệp “{name}” không phải tệp PDF: chỉ kiểm tra được chữ ký số trong tệp PDF."
MSG_EMPTY = "Tệp “{name}” rỗng."
MSG_TOO_LARGE = "Tệp “{name}” lớn hơn giới hạn {limit} MB."


def file_check(*, name: str, data: bytes) -> None:
    """The file is one whose signatures can be checked: not empty, within the province's size
    limit, a PDF by its content."""
    if not data:
        raise ServiceError(MSG_EMPTY.format(name=name), field="file")
    limit = DocumentPolicy.current().max_file_size_mb
    if len(data) > limit * 1024 * 1024:
        raise ServiceError(MSG_TOO_LARGE.format(name=name, limit=limit), field="file")
    if detect_format(data) != "pdf":
        raise ServiceError(MSG_NOT_PDF.format(name=name), field="file")


def file_verify(*, actor: User, name: str, data: bytes) -> verify.Report:
    """A clerk of any unit checks the signatures of a PDF against the province's trust roots."""
    if not (actor.is_active and actor.has_role(Role.CLERK)):
        raise AccessDenied(MSG_CLERKS_ONLY)
    file_check(name=name, data=data)
    return verify_bytes(data)
