"""Data for the tests of fault and misuse reports (R20, R21): small real images, a sub-unit of
the Sở with its own specialist, reports made through the service."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.province import Province, add_unit, make_user
from vanban.accounts.models import Role, Unit, User
from vanban.oversight import faults
from vanban.oversight.models_faults import FaultKind, FaultReport

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


def png_bytes(width: int = 4, height: int = 3, extra: bytes = b"") -> bytes:
    """A real PNG image (grey pixels); `extra` goes in a text chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack("!I", len(data)) + body + struct.pack("!I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    chunks = [
        chunk(b"IHDR", struct.pack("!IIBBBBB", width, height, 8, 0, 0, 0, 0)),
        chunk(b"IDAT", zlib.compress(raw)),
    ]
    if extra:
        chunks.append(chunk(b"tEXt", b"Comment\x00" + extra))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """The start and end of a JPEG stream: what the format check reads."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def image(name: str = "man-hinh.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes() if data is None else data, "image/png")


def sub_unit(province: Province) -> tuple[Unit, User]:
    """A room under the Sở (its IT staff are the Sở's administrators) and its specialist."""
    room = add_unit(
        "Phòng Công nghệ thông tin", "CNTT", "cnttstttt", "002.00.12.H07", province.stttt
    )
    return room, make_user(room, "Đặng Văn Hải", (Role.STAFF,))


def report(
    user: User,
    *,
    kind: str = FaultKind.FAULT,
    text: str = "Trang văn bản đến báo lỗi khi mở tệp đính kèm.",
    page_url: str = "/van-ban/den/",
    **extra: object,
) -> FaultReport:
    return faults.fault_report_create(
        actor=user, kind=kind, text=text, page_url=page_url, user_agent=BROWSER, **extra
    )
