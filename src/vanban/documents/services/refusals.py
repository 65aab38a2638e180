"""What the clerk declares about a document before it enters the system (R13): secret documents
and complaints are refused, sensitive matters need a declaration. Registering an incoming or an
outgoing document, and drafting one, check it first.
"""

from dataclasses import dataclass

from vanban.core.errors import ServiceError

SECRECY_LEVELS = {"mat": "Mật", "toi_mat": "Tối mật", "tuyet_mat": "Tuyệt mật"}


@dataclass
class Refusals:
    """What the clerk declares about the document (R13)."""

    secrecy: str = ""
    complaint: bool = False
    sensitive_declared: bool = False


def _check_refusals(refusals: Refusals) -> None:
    """R13: secret documents and complaints never enter; sensitive matters need a declaration."""
    if refusals.secrecy:
        level = SECRECY_LEVELS.get(refusals.secrecy, refusals.secrecy)
        raise ServiceError(
            f"Văn bản có độ mật “{level}” không được đưa vào hệ thống (Quy chế, Điều 4); "
            "hãy xử lý theo quy định về bảo vệ bí mật nhà nước. Không có gì được lưu.",
            field="secrecy",
        )
    if refusals.complaint:
        raise ServiceError(
            "Đơn thư khiếu nại, tố cáo không được đưa vào hệ thống (Quy chế, Điều 4); hãy chuyển "
            "bộ phận tiếp công dân xử lý theo quy định. Không có gì được lưu.",
            field="complaint",
        )
    if not refusals.sensitive_declared:
        raise ServiceError(
            "Hãy xác nhận văn bản không có nội dung nhạy cảm chưa được cấp có thẩm quyền kết luận "
            "và không có nội dung độc hại (Quy chế, Điều 4).",
            field="sensitive_declared",
        )
