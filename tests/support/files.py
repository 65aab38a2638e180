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


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bytes(*paragraphs: str) -> bytes:
    """A minimal DOCX that Word and LibreOffice open (content types, the package relationship
    and the main part, ECMA-376 Part 2); fixed member times, so the same text always gives the
    same bytes."""
    buffer = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member("[Content_Types].xml"), _CONTENT_TYPES)
        archive.writestr(member("_rels/.rels"), _RELATIONSHIPS)
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
