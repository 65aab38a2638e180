"""Request and response bodies of the document endpoints (`/api/v1/documents`)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from vanban.core.api import Day, ErrorOut, Id, PageQuery, choice, text
from vanban.core.forms import MAX_YEAR, MIN_YEAR
from vanban.documents.api_schemas import UrgencyChoice
from vanban.documents.models import Direction, Document, DocumentFile, Urgency
from vanban.documents.search import COUNT_CAP, SearchSort
from vanban.documents.services import SECRECY_LEVELS
from vanban.signatures.api import StoredReportOut, stored_reports

URGENCY_HELP = ", ".join(f"{value} ({label})" for value, label in Urgency.choices)
SECRECY_HELP = ", ".join(f"{value} ({label})" for value, label in SECRECY_LEVELS.items())


# ---------------------------------------------------------------- reference data


class DocumentTypeOut(Schema):
    id: int
    name: str = Field(description="Tên loại văn bản")
    abbreviation: str = Field(description="Chữ viết tắt trong ký hiệu (trống với công văn)")


# ---------------------------------------------------------------- files


class DocumentFileOut(Schema):
    id: int
    name: str = Field(description="Tên tệp (đã chuẩn hóa)")
    role: str = Field(description="main (tệp chính) hoặc attachment (tệp đính kèm)")
    format: str = Field(description="Định dạng xác định theo nội dung tệp: pdf, docx, png...")
    content_type: str = Field(description="Kiểu MIME")
    size: int = Field(description="Dung lượng (byte)")
    sha256: str = Field(description="Mã băm SHA-256, được kiểm tra mỗi lần tải xuống")
    uploaded_at: dt.datetime = Field(description="Thời điểm tải lên")
    download_url: str = Field(description="Địa chỉ API để tải tệp xuống")

    @staticmethod
    def resolve_name(obj: DocumentFile) -> str:
        return obj.original_name

    @staticmethod
    def resolve_format(obj: DocumentFile) -> str:
        return obj.file_format

    @staticmethod
    def resolve_download_url(obj: DocumentFile) -> str:
        return reverse("api:document_file_download", kwargs={"file_id": obj.pk})


# ---------------------------------------------------------------- documents


class DocumentListItem(Schema):
    id: int
    direction: str = Field(description="in (văn bản đến) hoặc out (văn bản đi)")
    unit_id: int = Field(description="Mã số đơn vị giữ sổ")
    unit_name: str = Field(description="Tên đơn vị giữ sổ")
    year: int = Field(description="Năm của sổ")
    register_number: int = Field(description="Số trong sổ (số đến hoặc số văn bản đi)")
    arrival_number: str = Field(description="Số đến (chỉ văn bản đến)")
    number_symbol: str = Field(description="Số và ký hiệu, ví dụ 15/QĐ-UBND")
    document_type_id: int = Field(description="Mã số loại văn bản")
    document_type_name: str = Field(description="Tên loại văn bản")
    issued_date: dt.date = Field(description="Ngày văn bản")
    issuer_name: str = Field(description="Cơ quan ban hành")
    subject: str = Field(description="Trích yếu nội dung")
    urgency: int = Field(description=f"Độ khẩn: {URGENCY_HELP}")
    urgency_label: str = Field(description="Độ khẩn, bằng tiếng Việt")
    due_date: dt.date | None = Field(description="Hạn xử lý")
    arrival_date: dt.datetime | None = Field(description="Ngày đến (chỉ văn bản đến)")
    registered_at: dt.datetime = Field(description="Thời điểm vào sổ")

    @staticmethod
    def resolve_unit_name(obj: Document) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_document_type_name(obj: Document) -> str:
        return obj.document_type.name

    @staticmethod
    def resolve_urgency_label(obj: Document) -> str:
        return str(obj.get_urgency_display())


class DocumentOut(DocumentListItem):
    direction_label: str = Field(description="Văn bản đến hoặc Văn bản đi")
    series_id: int = Field(description="Mã số sổ văn bản")
    series_name: str = Field(description="Tên sổ văn bản")
    code_number: str = Field(description="Số của văn bản")
    code_notation: str = Field(description="Ký hiệu của văn bản")
    issuer_unit_id: int | None = Field(
        description="Mã số đơn vị ban hành, nếu là đơn vị trong hệ thống"
    )
    issuer_code: str = Field(description="Mã định danh cơ quan ban hành")
    language: str = Field(description="Ngôn ngữ")
    page_amount: int | None = Field(description="Số trang")
    description: str = Field(description="Ghi chú")
    signer_position: str = Field(description="Chức vụ người ký")
    signer_name: str = Field(description="Người ký")
    legal_normative: bool = Field(description="Văn bản quy phạm pháp luật")
    to_places: str = Field(description="Đơn vị hoặc người nhận (văn bản đến)")
    is_electronic: bool = Field(description="Văn bản điện tử (văn bản đến)")
    recipients: str = Field(description="Nơi nhận (văn bản đi)")
    archive_holder: str = Field(description="Đơn vị, người nhận bản lưu (văn bản đi)")
    issued_amount: int | None = Field(description="Số lượng bản (văn bản đi)")
    registered_by: str = Field(description="Tài khoản của văn thư vào sổ")
    needs_paper_copy: bool = Field(
        description=(
            "Có bản giấy gửi kèm: cơ quan nhận lưu trữ vĩnh viễn văn bản này (R12); văn bản đến "
            "nhận qua liên thông mang dấu này của nơi gửi"
        )
    )
    withdrawn_at: dt.datetime | None = Field(
        description="Văn bản đến đã được nơi gửi thu hồi (15) lúc này; việc xử lý đã kết thúc"
    )
    withdrawn_reason: str = Field(description="Lý do thu hồi của nơi gửi")
    replaced_by_id: int | None = Field(
        description="Văn bản thay thế văn bản này (nghiệp vụ thay thế), nếu có"
    )
    files: list[DocumentFileOut] = Field(description="Tệp chính và tệp đính kèm")
    signature_reports: list[StoredReportOut] = Field(
        description="Kết quả kiểm tra chữ ký số gần nhất của từng tệp PDF"
    )

    @staticmethod
    def resolve_direction_label(obj: Document) -> str:
        return str(obj.get_direction_display())

    @staticmethod
    def resolve_series_name(obj: Document) -> str:
        return obj.series.name

    @staticmethod
    def resolve_registered_by(obj: Document) -> str:
        return obj.registered_by.username

    @staticmethod
    def resolve_signature_reports(obj: Document) -> list[dict[str, Any]]:
        return stored_reports(obj)

    @staticmethod
    def resolve_files(obj: Document) -> list[DocumentFile]:
        # The main file first, then the attachments in upload order.
        return sorted(
            obj.files.defer("text"), key=lambda f: (f.role != DocumentFile.Role.MAIN, f.pk)
        )


class DocumentPage(Schema):
    count: int = Field(description="Tổng số văn bản khớp điều kiện")
    page: int = Field(description="Trang hiện tại")
    page_size: int = Field(description="Số dòng mỗi trang")
    items: list[DocumentListItem]


class DuplicateOut(ErrorOut):
    existing_id: int = Field(description="Mã số văn bản đã có trong sổ đến")
    existing_number_symbol: str = Field(description="Số và ký hiệu của văn bản đã có")
    existing_arrival_number: int = Field(description="Số đến của văn bản đã có")


class UnavailableOut(ErrorOut):
    document_id: int | None = Field(description="Mã số văn bản chứa tệp")


# ---------------------------------------------------------------- registration (multipart form)


class _RegisterIn(Schema):
    """Fields common to incoming and outgoing documents, sent as multipart/form-data fields."""

    unit_id: Id | None = Field(
        None,
        description="Đơn vị vào sổ; để trống khi người gọi là văn thư của đúng một đơn vị",
    )
    document_type_id: Id = Field(
        description="Mã số loại văn bản (xem GET /documents/types)", examples=[1]
    )
    subject: text(500) = Field(description="Trích yếu nội dung (tối đa 500 ký tự)")
    signer_position: text(100) = Field("", description="Chức vụ người ký (tối đa 100 ký tự)")
    signer_name: text(50) = Field("", description="Người ký (tối đa 50 ký tự)")
    urgency: UrgencyChoice = Field(0, description=f"Độ khẩn: {URGENCY_HELP}")
    due_date: Day | None = Field(None, description="Hạn xử lý (YYYY-MM-DD)")
    page_amount: int | None = Field(None, ge=1, le=999, description="Số trang (1 đến 999)")
    description: text(500) = Field("", description="Ghi chú (tối đa 500 ký tự)")
    language: text(30) = Field("Tiếng Việt", description="Ngôn ngữ (tối đa 30 ký tự)")
    legal_normative: bool = Field(False, description="Văn bản quy phạm pháp luật")
    # Refusals (R13): asked of the clerk on every registration.
    secrecy: text(30) = Field(
        "",
        description=f"Độ mật ghi trên văn bản, nếu có: {SECRECY_HELP}. Văn bản mật bị từ chối.",
    )
    complaint: bool = Field(
        False, description="Là đơn thư khiếu nại, tố cáo (bị từ chối, xử lý ngoài hệ thống)"
    )
    sensitive_declared: bool = Field(
        False,
        description="Văn thư xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm "
        "quyền kết luận và không có nội dung độc hại (bắt buộc là true); được ghi nhật ký",
    )


class IncomingIn(_RegisterIn):
    code_number: text(11) = Field(
        "", description="Số của văn bản (chỉ chữ số, tối đa 11)", examples=["15"]
    )
    code_notation: text(30) = Field(
        "", description="Ký hiệu của văn bản (tối đa 30 ký tự)", examples=["QĐ-UBND"]
    )
    issued_date: Day = Field(description="Ngày văn bản (YYYY-MM-DD)")
    issuer_unit_id: Id | None = Field(
        None, description="Cơ quan ban hành là đơn vị trong hệ thống: mã số đơn vị"
    )
    issuer_name: text(200) = Field(
        "", description="Cơ quan ban hành ngoài hệ thống: tên (tối đa 200 ký tự)"
    )
    issuer_code: text(13) = Field(
        "", description="Cơ quan ban hành ngoài hệ thống: mã định danh, dạng 000.00.00.H07"
    )
    to_places: text(1000) = Field("", description="Đơn vị hoặc người nhận (tối đa 1000 ký tự)")
    is_electronic: bool = Field(False, description="Văn bản điện tử (không phải bản giấy quét)")
    confirm_duplicate: bool = Field(
        False,
        description="Xác nhận vào sổ dù số, ký hiệu và cơ quan ban hành trùng một văn bản đã có "
        "(sau khi nhận trả lời 409)",
    )
    signature_reason: text(500) = Field(
        "",
        description="Lý do vẫn vào sổ khi chữ ký số của tệp không hợp lệ hoặc không được tin cậy "
        "(sau khi nhận trả lời 409 kèm kết quả kiểm tra); được ghi lại",
    )


class OutgoingIn(_RegisterIn):
    recipients: text(1000) = Field(description="Nơi nhận (tối đa 1000 ký tự)")
    drafting_symbol: text(30) = Field(
        "",
        description="Chữ viết tắt đơn vị soạn thảo, dùng trong ký hiệu công văn (ví dụ VP)",
    )
    archive_holder: text(200) = Field(
        "", description="Đơn vị, người nhận bản lưu (tối đa 200 ký tự)"
    )
    issued_amount: int | None = Field(None, ge=1, le=999, description="Số lượng bản (1 đến 999)")


# ---------------------------------------------------------------- list parameters


class DocumentListQuery(PageQuery):
    direction: choice(Direction.values, blank=True) = Field(
        "", description="in (văn bản đến) hoặc out (văn bản đi); để trống là cả hai"
    )
    unit: Id | None = Field(None, description="Chỉ văn bản của đơn vị có mã số này")
    year: int | None = Field(
        None,
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description=f"Chỉ văn bản trong sổ của năm này ({MIN_YEAR} đến {MAX_YEAR})",
    )


class DocumentSearchQuery(PageQuery):
    q: text(500) = Field(
        "",
        description="Từ cần tìm, không phân biệt dấu và chữ hoa (“quyet dinh ubnd”), mọi từ đều "
        "phải có; số và ký hiệu (“613/QĐ-PVHTT”) chỉ khớp nguyên vẹn. Tìm trong số, ký hiệu, "
        "trích yếu, cơ quan ban hành, người ký và nội dung tệp PDF, DOCX",
    )
    direction: choice(Direction.values, blank=True) = Field(
        "", description="in (văn bản đến) hoặc out (văn bản đi); để trống là cả hai"
    )
    type: Id | None = Field(None, description="Mã số loại văn bản")
    unit: Id | None = Field(None, description="Chỉ văn bản của đơn vị có mã số này")
    date_from: Day | None = Field(
        None, alias="from", description="Ngày văn bản từ ngày (YYYY-MM-DD)"
    )
    date_to: Day | None = Field(
        None, alias="to", description="Ngày văn bản đến hết ngày (YYYY-MM-DD)"
    )
    sort: choice(SearchSort.values) = Field(
        SearchSort.NEWEST.value,
        description="Thứ tự: "
        + ", ".join(f"{value} ({label})" for value, label in SearchSort.choices),
    )


class DocumentSearchPage(Schema):
    count: int = Field(
        description=f"Số kết quả: chính xác khi count_exact là true; nếu không, có hơn "
        f"{COUNT_CAP} kết quả"
    )
    count_exact: bool = Field(description="Số kết quả là chính xác")
    has_next: bool = Field(description="Còn trang sau")
    page: int = Field(description="Trang hiện tại")
    page_size: int = Field(description="Số dòng mỗi trang")
    items: list[DocumentListItem]


DIRECTION_HELP = ", ".join(f"{value} ({label})" for value, label in Direction.choices)
