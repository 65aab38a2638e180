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


def odt_bytes(*paragraphs: str) -> bytes:
    """A minimal ODT (OpenDocument 1.2: the stored `mimetype` first, the manifest, the content)
    that LibreOffice opens; fixed member times."""
    buffer = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))

    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr(
            member("META-INF/manifest.xml"),
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
            'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.'
            'oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(
            member("content.xml"),
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            f'"{office}" xmlns:text="{text}" office:version="1.2"><office:body><office:text>'
            f"{body}</office:text></office:body></office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_upload(name: str = "van-ban.pdf", *lines: str):
    return upload(
        name, pdf_bytes(*(lines or ("Quyết định về việc ban hành quy chế",))), "application/pdf"
    )
