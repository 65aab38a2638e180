"""The receiving endpoint of the exchange with other systems (R15).

`POST /lien-thong/he-thong-khac/nhan/` with `Authorization: Bearer <secret agreed with us>` and the
edXML bytes as the body. Answers JSON: 200 `{"outcome": "accepted" | "duplicate" | "refused" |
"applied"}` (refused: kept and answered with status 02 and the reason), or an error status with
`{"detail": "<Vietnamese reason>"}`: 401 wrong credentials, 400 malformed, 403 unknown sender,
404 unknown document (status message), 409 a DocumentId replayed with other content, 413 too
large, 422 recipient not ours. Every refusal is logged with the partner and the reason.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vanban.core.http import client_ip
from vanban.documents.models import DocumentPolicy

from .services import Refused, partner_for_token, receive

# The exchange with partner systems logs under one name operators filter on (docs/interop.md).
logger = logging.getLogger("vanban.interop")


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt
@require_POST
def receive_view(request: HttpRequest) -> JsonResponse:
    partner = partner_for_token(_bearer(request))
    ip = client_ip(request) or ""
    if partner is None:
        logger.warning("interop: refused from %s: wrong credentials", ip)
        return JsonResponse(
            {"detail": "Thông tin xác thực của hệ thống gửi không đúng."}, status=401
        )
    limit = DocumentPolicy.current().max_file_size_mb * 1024 * 1024
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        logger.warning("interop: refused from %s: %s bytes", partner.name, length)
        return JsonResponse(
            {"detail": f"Gói tin lớn hơn giới hạn {DocumentPolicy.current().max_file_size_mb} MB."},
            status=413,
        )
    data = request.read(limit + 1)  # not request.body: packages may exceed Django's form limit
    if len(data) > limit:
        logger.warning("interop: refused from %s: more than %s bytes", partner.name, limit)
        return JsonResponse(
            {"detail": f"Gói tin lớn hơn giới hạn {DocumentPolicy.current().max_file_size_mb} MB."},
            status=413,
        )
    try:
        result = receive(partner=partner, data=data)
    except Refused as exc:
        logger.warning("interop: refused from %s: %s", partner.name, exc.message)
        return JsonResponse({"detail": exc.message}, status=exc.http_status)
    body: dict[str, object] = {"outcome": result.outcome}
    if result.reason:
        body["detail"] = result.reason
    if result.inbound is not None:
        body["document_id"] = result.inbound.edxml_id
    if result.readdressed and result.inbound is not None and result.inbound.unit is not None:
        # QĐ 09/2025/QĐ-TTg: a message to a closed code tells the sender where it went.
        body["recipient_code"] = result.inbound.unit.agency_code
        body["readdressed"] = result.readdressed
    return JsonResponse(body, status=200)
