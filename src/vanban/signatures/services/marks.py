"""The handwritten-signature images of people and the seals of units (NĐ 30/2020 Appendix I):
PNG with a transparent background, blue or red, the one in use replaced by a new upload."""

from __future__ import annotations

import hashlib
import io
import uuid
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from vanban.accounts.models import Unit, User
from vanban.accounts.services import require_active as _require_active
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.files import file_discard, file_prepare, file_read_verified

from ..models import MarkKind, SignatureMark
from ._common import _audit, _may_manage_person, _now

MARKS_PREFIX = "signatures/marks"
MAX_MARK_BYTES = 2 * 1024 * 1024


def _check_png(data: bytes, kind: str) -> tuple[int, int]:
    from PIL import Image

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ServiceError("Hình phải là tệp PNG.", field="image")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        raise ServiceError("Tệp PNG bị hỏng.", field="image") from exc
    if image.width * image.height > 4000 * 4000:
        raise ServiceError("Hình quá lớn (tối đa 4000 × 4000 điểm ảnh).", field="image")
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    extrema: Any = alpha.getextrema()
    low, high = extrema
    if low > 0 or ("A" not in image.getbands() and "transparency" not in image.info):
        raise ServiceError("Hình phải có nền trong suốt (PNG có kênh alpha).", field="image")
    if high == 0:
        raise ServiceError("Hình trong suốt hoàn toàn, không có nét nào.", field="image")
    small = rgba.resize((min(rgba.width, 200), min(rgba.height, 200)))
    red = green = blue = 0.0
    count = 0
    pixels: Any = getattr(small, "get_flattened_data", small.getdata)()
    for r, g, b, a in pixels:
        if a >= 128:
            red, green, blue, count = red + r, green + g, blue + b, count + 1
    if count:
        red, green, blue = red / count, green / count, blue / count
    if kind == MarkKind.SIGNATURE and not (blue > red + 20 and blue > green + 20):
        raise ServiceError("Hình chữ ký phải có màu xanh (Phụ lục I, Nghị định 30/2020).")
    if kind == MarkKind.SEAL and not (red > green + 40 and red > blue + 40):
        raise ServiceError("Hình con dấu phải có màu đỏ (Phụ lục I, Nghị định 30/2020).")
    return image.width, image.height


def mark_upload(
    *,
    actor: User,
    kind: str,
    data: bytes,
    original_name: str = "",
    width_mm: Decimal | float | None = None,
    user: User | None = None,
    unit: Unit | None = None,
    ip: str | None = None,
) -> SignatureMark:
    """A person's handwritten-signature image or a unit's seal (PNG, transparent background,
    blue or red); it replaces the one in use. `width_mm` is the real width (the seal's
    diameter)."""
    _require_active(actor)
    if kind == MarkKind.SIGNATURE:
        if user is None:
            raise ServiceError("Hình chữ ký phải gắn với một người.")
        if not _may_manage_person(actor, user):
            raise AccessDenied()
        owner_unit = user.unit
        default_width = Decimal("40")
    elif kind == MarkKind.SEAL:
        if unit is None:
            raise ServiceError("Hình con dấu phải gắn với một đơn vị.")
        if not actor.can_manage_unit(unit):
            raise AccessDenied()
        owner_unit = unit
        default_width = Decimal("36")
    else:
        raise ServiceError("Loại hình không hợp lệ.", field="kind")
    if not data or len(data) > MAX_MARK_BYTES:
        raise ServiceError("Tệp hình rỗng hoặc lớn hơn 2 MB.", field="image")
    width = Decimal(str(width_mm)) if width_mm not in (None, "") else default_width
    if not Decimal("10") <= width <= Decimal("80"):
        raise ServiceError("Kích thước thật phải từ 10 đến 80 mm.", field="width_mm")
    pixel_w, pixel_h = _check_png(data, kind)
    # R20: the image goes through the gate of every upload (malware scan, format from content).
    file_prepare(
        SimpleUploadedFile(original_name or "hinh.png", data),
        actor=actor,
        unit=owner_unit,
        source="Hình chữ ký, con dấu",
    )
    stored = ""
    try:
        with transaction.atomic():
            stored = default_storage.save(
                f"{MARKS_PREFIX}/{uuid.uuid4().hex}.png", ContentFile(data)
            )
            owner = {"user": user} if kind == MarkKind.SIGNATURE else {"unit": unit}
            SignatureMark.objects.filter(kind=kind, active=True, **owner).update(active=False)
            mark = SignatureMark.objects.create(
                kind=kind,
                storage_name=stored,
                sha256=hashlib.sha256(data).hexdigest(),
                original_name=(original_name or f"{kind}.png")[:255],
                width_mm=width,
                pixel_width=pixel_w,
                pixel_height=pixel_h,
                uploaded_by=actor,
                uploaded_at=_now(),
                **owner,
            )
            _audit(actor, "mark_upload", mark, ip, unit=owner_unit, kind=kind, sha256=mark.sha256)
    except BaseException:
        if stored:
            file_discard(stored)
        raise
    return mark


def active_mark(
    *, kind: str, user: User | None = None, unit: Unit | None = None
) -> SignatureMark | None:
    owner = {"user": user} if kind == MarkKind.SIGNATURE else {"unit": unit}
    return SignatureMark.objects.filter(kind=kind, active=True, **owner).first()


def mark_bytes(mark: SignatureMark) -> bytes:
    return file_read_verified(mark.storage_name, mark.sha256)
