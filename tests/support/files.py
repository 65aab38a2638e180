"""Real files for uploads: PDF made by WeasyPrint, DOCX by zip."""

import io
import zipfile
from functools import cache

import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile


@cache
def pdf_bytes(*lines: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in lines)
    return weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def docx_bytes(*paragraphs: str) -> bytes:
    """A minimal DOCX; fixed member times, so the same text always gives the same bytes."""
    buffer = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member("[Content_Types].xml"), "<Types/>")
        body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
        archive.writestr(
            member("word/document.xml"),
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            f'openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_upload(name: str = "van-ban.pdf", *lines: str):
    return upload(
        name, pdf_bytes(*(lines or ("Quyết định về việc ban hành quy chế",))), "application/pdf"
    )
