"""Document test data: clerks and leaders, and real files (PDF made by WeasyPrint, DOCX by zip)."""

import io
import zipfile
from dataclasses import dataclass
from functools import cache

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Province, make_user
from vanban.accounts.models import Role, User
from vanban.documents.models import DocumentType
from vanban.documents.services import DocumentInput, Refusals


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


@dataclass
class Office:
    province: Province
    clerk: User
    leader: User
    clerk_snv: User


@pytest.fixture
def office(province) -> Office:
    return Office(
        province=province,
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,)),
        leader=province.leader_stttt,
        clerk_snv=make_user(province.snv, "Đinh Văn Thư", (Role.CLERK,)),
    )


def doc_type(name: str) -> DocumentType:
    return DocumentType.objects.get(name=name)


def incoming_input(**overrides) -> DocumentInput:
    import datetime as dt

    values = {
        "document_type": doc_type("Quyết định"),
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "issued_date": dt.date(2026, 11, 20),
        "issuer_name": "Ủy ban nhân dân tỉnh Bến Tre",
        "issuer_code": "000.00.00.H07",
        "subject": "Quyết định về việc ban hành Quy chế quản lý văn bản điện tử",
        "signer_name": "Trần Ngọc Tam",
        "signer_position": "Chủ tịch",
    }
    values.update(overrides)
    return DocumentInput(**values)


DECLARED = Refusals(sensitive_declared=True)
