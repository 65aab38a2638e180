"""Document test data: the clerks and the leader of an office, and the metadata of an incoming
document as the clerk types it."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.support.files import pdf_bytes
from tests.support.province import Province, make_user
from vanban.accounts.models import Role, User
from vanban.documents.models import DocumentType
from vanban.documents.services import DocumentInput, Refusals


@dataclass
class Office:
    province: Province
    clerk: User
    leader: User
    clerk_snv: User


def build_office(province: Province) -> Office:
    return Office(
        province=province,
        clerk=make_user(province.stttt, "Võ Thị Thu Trang", (Role.CLERK,)),
        leader=province.leader_stttt,
        clerk_snv=make_user(province.snv, "Đinh Văn Thư", (Role.CLERK,)),
    )


def doc_type(name: str) -> DocumentType:
    return DocumentType.objects.get(name=name)


def incoming_input(**overrides) -> DocumentInput:
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


def scan(name: str = "ban-quet.pdf") -> SimpleUploadedFile:
    """The main file a clerk registers an incoming document with (R16): a real PDF of one blank
    page, as a scan without text layer, so that it adds no words to what is searched."""
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
