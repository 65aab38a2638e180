"""`POST /api/v1/signatures/verify`: the verification report of a PDF's signatures, for a clerk
who checks a file before registering it (R11; docs/signatures.md). Nothing is stored."""

import dataclasses
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from vanban.accounts.http import request_user
from vanban.core.api import ERRORS, ErrorOut

from . import verify
from .checking import file_verify
from .receipt import accepted
from .selectors import latest_reports
from .verify import STATUS_LABELS

router = Router(tags=["Chữ ký số"])


class SignatureCheckOut(Schema):
    field: str = Field(description="Tên trường chữ ký trong tệp PDF")
    signer: str = Field(description="Người ký (tên trên chứng thư số)")
    organisation: str = Field(description="Tổ chức")
    organisation_unit: str = Field(description="Đơn vị trong tổ chức")
    organisation_history: str = Field(
        "",
        description=(
            "Tổ chức trong chứng thư đã được sắp xếp lại: đã sáp nhập, chia tách, chấm dứt hoạt "
            "động hay đổi tên, từ ngày nào (để trống nếu không)"
        ),
    )
    serial: str = Field(description="Số hiệu chứng thư số (hệ 16)")
    issuer: str = Field(description="Tổ chức cấp chứng thư số")
    not_before: str = Field(description="Chứng thư có hiệu lực từ (ISO 8601)")
    not_after: str = Field(description="Chứng thư có hiệu lực đến (ISO 8601)")
    fingerprint: str = Field(description="Mã băm SHA-256 của chứng thư số")
    signing_time: str | None = Field(description="Thời điểm ký người ký khai (ISO 8601)")
    timestamp_time: str | None = Field(description="Thời điểm của dấu thời gian hợp lệ")
    timestamp_authority: str = Field(description="Đơn vị cấp dấu thời gian")
    digest_algorithm: str = Field(description="Hàm băm (SHA-256, SHA-1…)")
    signature_algorithm: str = Field(description="Thuật toán chữ ký")
    key_size: int = Field(description="Độ dài khóa (bit); 0 nếu không đọc được")
    intact: bool = Field(description="Nội dung được ký còn nguyên vẹn")
    trusted: bool = Field(description="Chứng thư số thuộc danh sách tin cậy của tỉnh")
    valid: bool = Field(description="Chữ ký hợp lệ")
    covers_whole_file: bool = Field(description="Chữ ký phủ toàn bộ tệp")
    reasons: list[str] = Field(description="Mọi lý do chữ ký không hợp lệ, bằng tiếng Việt")
    notes: list[str] = Field(description="Ghi chú, cảnh báo")
    technical: list[str] = Field(description="Chi tiết kỹ thuật cho cán bộ công nghệ thông tin")


class ReportOut(Schema):
    status: str = Field(description="valid, invalid, unsigned hoặc damaged")
    label: str = Field(description="Kết quả bằng tiếng Việt")
    detail: str = Field(description="Mô tả khi tệp bị hỏng")
    checked_at: str = Field(description="Thời điểm kiểm tra (ISO 8601)")
    signatures: list[SignatureCheckOut]


class FileReportOut(Schema):
    """The report of one file of a document being registered (R11)."""

    file_name: str = Field(description="Tên tệp")
    status: str = Field(description="valid, invalid, unsigned hoặc damaged")
    label: str = Field(description="Kết quả bằng tiếng Việt")
    accepted: bool = Field(
        description="Vào sổ không cần xác nhận (chữ ký hợp lệ, hoặc tệp không có chữ ký số)"
    )
    detail: str = Field(description="Mô tả khi tệp bị hỏng")
    signatures: list[SignatureCheckOut]


class StoredReportOut(FileReportOut):
    """A report kept with a registered document."""

    checked_at: str = Field(description="Thời điểm kiểm tra (ISO 8601)")
    confirmation: str = Field(
        description="Lý do văn thư vẫn vào sổ khi chữ ký không hợp lệ hoặc không được tin cậy"
    )


class SignaturesNotConfirmedOut(ErrorOut):
    signatures: list[FileReportOut] = Field(
        description="Kết quả kiểm tra chữ ký số của từng tệp PDF; gửi lại với "
        "`signature_reason` (lý do vẫn vào sổ) nếu đã xác minh được văn bản"
    )


def not_confirmed_answer(exc: Any) -> dict[str, Any]:
    """The body of the 409 answer to a registration whose signatures need confirming."""
    return {
        "detail": exc.message,
        "field": exc.field,
        "signatures": [dataclasses.asdict(report) for report in exc.reports],
    }


def stored_reports(document: Any) -> list[dict[str, Any]]:
    """The latest report of each PDF of a registered document, main file first (one query)."""
    reports = sorted(latest_reports(document=document).values(), key=lambda r: r.pk)
    return [
        {
            "file_name": r.file_name,
            "status": r.status,
            "label": STATUS_LABELS.get(r.status, r.status),
            "accepted": accepted(verify.Report(status=r.status)),
            "detail": r.content.get("detail", ""),
            "signatures": r.content.get("signatures") or [],
            "checked_at": r.checked_at.isoformat(),
            "confirmation": r.confirmation,
        }
        for r in reports
    ]


@router.post(
    "/verify",
    response={200: ReportOut, **ERRORS},
    operation_id="signatures_verify",
    summary="Kiểm tra chữ ký số của một tệp PDF",
)
def signatures_verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Văn thư gửi một tệp PDF (multipart/form-data, trường `file`) và nhận báo cáo kiểm tra
    từng chữ ký số theo danh sách chứng thư gốc tin cậy của tỉnh: người ký, tổ chức, chứng thư,
    thời điểm ký, dấu thời gian, thuật toán, mọi lý do không hợp lệ. Không lưu gì. Không phải
    văn thư: 403; tệp rỗng, quá giới hạn hoặc không phải PDF: 400."""
    data = file.read()
    report = file_verify(actor=request_user(request), name=file.name or "tệp", data=data)
    return {**report.as_dict(), "label": report.label}
