"""Every uploaded file is scanned by ClamAV before anything is stored (R20, Art. 9.2.đ).

`upload_scan` is called by `vanban.documents.files.file_prepare`, which every upload path goes
through (registration, drafts and their versions, processing results, edXML packages read by a
clerk), and by the receiving endpoint of the exchange with other systems for the files a package
carries. A file is refused when:

- clamd finds a signature: a copy is kept in quarantine (`quarantine/`, never served), a
  `Detection` row, a notification to the unit's and the province's administrators and an audit
  event are written in one transaction; the caller then refuses the upload and stores nothing;
- clamd cannot be reached or gives no clear answer: nothing is stored, the file is never taken as
  clean without an answer.

Scanning is switched off only by the explicit setting VANBAN_CLAMD=off (development and most of
the test suite); docs/files.md explains the choices, docs/deployment.md how to run clamd.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from vanban.accounts.models import Role, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.services import notification_send

from . import clamd
from .models import Detection

logger = logging.getLogger(__name__)

QUARANTINE_PREFIX = "quarantine"


class MalwareFound(ServiceError):
    """The scanner found malware in an upload; the detection is already recorded."""

    def __init__(self, message: str, *, detection: Detection, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.detection = detection


def scanning_enabled() -> bool:
    return bool(settings.VANBAN_CLAMD_ENABLED)


def scanner_status() -> str:
    """One Vietnamese line on the scanner, for `vanban quickstart` and operators."""
    path = settings.VANBAN_CLAMD_SOCKET
    if not scanning_enabled():
        return "Quét mã độc: ĐANG TẮT (VANBAN_CLAMD=off); tệp tải lên không được quét."
    try:
        return f"Quét mã độc: bật, {clamd.version(path, timeout=2.0)} tại {path}."
    except clamd.ScannerUnavailable:
        return (
            f"Quét mã độc: bật nhưng không kết nối được clamd tại {path}; mọi tệp tải lên sẽ bị "
            "từ chối cho đến khi clamd chạy."
        )


def upload_scan(
    *, data: bytes, name: str, actor: Any, unit: Any = None, source: str = "", field: str = "files"
) -> None:
    """Scan one uploaded file (R20); return when clean, else raise a Vietnamese ServiceError.

    `name` is the cleaned name shown to the user; `unit` is the unit the file was sent to (the
    uploader's unit when not given), whose administrators are told of a detection.
    """
    if not scanning_enabled():
        return
    path = settings.VANBAN_CLAMD_SOCKET
    try:
        signature = clamd.instream(data, socket_path=path, timeout=settings.VANBAN_CLAMD_TIMEOUT)
    except clamd.ScannerUnavailable as exc:
        logger.error("Malware scanner unavailable, upload %r refused: %s", name, exc)
        raise ServiceError(
            f"Chưa kiểm tra được mã độc trong tệp “{name}” vì dịch vụ quét mã độc (ClamAV) không "
            "trả lời; tệp không được nhận và không có gì được lưu. Hãy thử lại sau ít phút; nếu "
            "vẫn lỗi, hãy báo quản trị hệ thống.",
            field=field,
        ) from exc
    if signature is None:
        return
    if unit is None and actor is not None:
        unit = getattr(actor, "unit", None)
    detection = detection_record(
        data=data, name=name, signature=signature, actor=actor, unit=unit, source=source
    )
    raise MalwareFound(
        f"Tệp “{name}” chứa mã độc ({detection.signature_label}) nên không được nhận. Không có "
        "gì được lưu; quản trị đơn vị và quản trị tỉnh đã được báo.",
        detection=detection,
        field=field,
    )


def detection_record(
    *, data: bytes, name: str, signature: str, actor: Any, unit: Any, source: str
) -> Detection:
    """Quarantine the file, record the detection, tell the administrators, audit (R20).

    The copy is written first and removed if the transaction fails, as for any stored file.
    """
    now = clock.now()
    stored = default_storage.save(
        f"{QUARANTINE_PREFIX}/{now:%Y/%m}/{uuid.uuid4().hex}.bin", ContentFile(data)
    )
    try:
        with transaction.atomic():
            detection = Detection.objects.create(
                detected_at=now,
                unit=unit,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                source=source[:100],
                original_name=name[:255],
                signature=signature[:255],
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_name=stored,
            )
            admins = Q(role_assignments__role=Role.PROVINCE_ADMIN)
            if unit is not None:
                admins |= Q(role_assignments__role=Role.UNIT_ADMIN, role_assignments__unit=unit)
            who = getattr(actor, "full_name", "") or "hệ thống gửi"
            where = f" ({unit.name})" if unit is not None else ""
            notification_send(
                recipients=User.objects.filter(admins, status="active").distinct(),
                title=f"Phát hiện mã độc {detection.signature_label} trong tệp tải lên",
                body=(
                    f"Tệp “{detection.original_name}” do {who}{where} tải lên"
                    f"{' (' + source + ')' if source else ''} chứa mã độc "
                    f"{detection.signature_label}. Tệp đã bị từ chối và được cách ly."
                ),
                link=reverse("scanning:detection_list"),
            )
            audit_record(
                actor=actor,
                action="file.malware_detected",
                unit=unit,
                target=detection,
                data={
                    "name": detection.original_name,
                    "signature": signature,
                    "sha256": detection.sha256,
                    "size": detection.size,
                    "source": source,
                },
            )
    except BaseException:
        with contextlib.suppress(OSError):
            default_storage.delete(stored)
        raise
    logger.warning(
        "Malware %s found in upload %r (sha256 %s), quarantined as %s",
        signature,
        name,
        detection.sha256,
        stored,
    )
    return detection
