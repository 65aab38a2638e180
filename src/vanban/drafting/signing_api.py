"""`/api/v1/signatures`: signing a draft with a key that stays on the signer's computer
(R11). `vanban-sign` fetches what to sign for a signing request and sends the signature
value back; the server completes, checks and keeps the signed PDF as the draft's signed version.

As elsewhere in the API, each endpoint only parses the request and calls drafting.signing;
refusals become JSON by the handlers of vanban.core.api (400 refused, 403 not allowed, 404 not
found).
"""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from vanban.accounts.http import request_user
from vanban.core.api import ERRORS
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip

from . import signing

router = Router(tags=["Chữ ký số"])

MAX_SIGNATURE_CHARS = 16 * 1024  # base64 of a signature value (RSA 4096 is 684 characters)
# A signing request's code: secrets.token_hex(16) (signing.draft_sign_request).
Code = Annotated[
    str,
    Path(
        max_length=32, pattern=r"^[0-9a-f]{1,32}$", description="Mã yêu cầu ký số (32 chữ số hệ 16)"
    ),
]


class SigningRequestOut(Schema):
    code: str = Field(description="Mã yêu cầu ký số")
    digest_algorithm: str = Field(description="Thuật toán băm dùng khi ký (sha256)")
    to_be_signed: str = Field(
        description="Dữ liệu cần ký (base64): các thuộc tính được ký của chữ ký CMS, chứa mã "
        "băm của tệp PDF đã chuẩn bị"
    )
    certificate: str = Field(description="Chứng thư số (DER, base64) mà khóa ký phải thuộc về")


class SignatureIn(Schema):
    signature: str = Field(
        max_length=MAX_SIGNATURE_CHARS,
        pattern=r"^[A-Za-z0-9+/=\s]*$",
        description="Giá trị chữ ký (base64) trên dữ liệu cần ký, bằng khóa của chứng thư số",
    )


class SignedOut(Schema):
    code: str = Field(description="Mã yêu cầu ký số")
    draft_id: int = Field(description="Mã số dự thảo đã được ký")
    subject: str = Field(description="Trích yếu")
    signed_at: dt.datetime
    signed_sha256: str = Field(description="Mã băm SHA-256 của tệp PDF đã ký")


@router.get(
    "/requests/{code}",
    response={200: SigningRequestOut, **ERRORS},
    operation_id="signing_request_detail",
    summary="Dữ liệu cần ký của một yêu cầu ký số",
)
def signing_request_detail(request: HttpRequest, code: Code) -> dict[str, Any]:
    """Chỉ người tạo yêu cầu lấy được; yêu cầu đã dùng, đã hủy hoặc hết hạn bị từ chối (400)."""
    data = signing.signing_request_data(actor=request_user(request), code=code)
    return {
        "code": data.code,
        "digest_algorithm": data.digest_algorithm,
        "to_be_signed": base64.b64encode(data.to_be_signed).decode(),
        "certificate": base64.b64encode(data.certificate).decode(),
    }


@router.post(
    "/requests/{code}",
    response={200: SignedOut, **ERRORS},
    operation_id="signing_request_complete",
    summary="Gửi giá trị chữ ký để hoàn tất tệp PDF",
)
def signing_request_complete(
    request: HttpRequest, code: Code, payload: SignatureIn
) -> dict[str, Any]:
    """Máy chủ gắn chữ ký vào tệp PDF đã chuẩn bị, kiểm tra và lưu bản đã ký. Chữ ký không
    khớp với chứng thư số (khóa khác, dữ liệu khác) bị từ chối (400), không lưu gì."""
    try:
        value = base64.b64decode(payload.signature.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ServiceError("Giá trị chữ ký không phải base64 hợp lệ.", field="signature") from exc
    if not value:
        raise ServiceError("Giá trị chữ ký rỗng.", field="signature")
    draft = signing.signing_request_complete(
        actor=request_user(request), code=code, signature_value=value, ip=client_ip(request)
    )
    return {
        "code": code,
        "draft_id": draft.pk,
        "subject": draft.subject,
        "signed_at": draft.signed_at,
        "signed_sha256": draft.signed_sha256,
    }
