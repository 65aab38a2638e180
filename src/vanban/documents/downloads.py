"""How a stored file is answered over HTTP, for every app (docs/files.md; docs/architecture.md,
"Answering a request").

The service has already checked access (404 for a person who may not see the file), hashed the
stored bytes and written the audit event (`files.verified_stream`). Here: the streamed response
with the headers every download needs, the 409 page or JSON answer when the stored file is
missing or no longer matches its SHA-256, and the OpenAPI description of a download.
"""

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from ninja import Status

from .files import FORMATS, FileUnavailable, content_disposition

UNAVAILABLE_TEMPLATE = "documents/files/unavailable.html"


def download_response(
    chunks: Iterable[bytes],
    *,
    size: int,
    content_type: str,
    name: str,
    sandbox: bool = True,
    inline: bool = False,
) -> StreamingHttpResponse:
    """The file as an attachment under its original name (RFC 6266), never sniffed as another
    type, never cached; with `sandbox`, a browser that opens it anyway runs nothing in it. With
    `inline` (the document viewer's `?xem=1`, docs/files.md "Viewer") the same bytes are marked
    for showing in the page rather than saving."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    if sandbox:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def download_unavailable(
    request: HttpRequest,
    exc: FileUnavailable,
    *,
    template: str = UNAVAILABLE_TEMPLATE,
    document_id: int | None = None,
) -> HttpResponse:
    """409: the stored file is missing or changed; the page says so and what to do."""
    context = {"message": exc.message, "document_id": document_id}
    return render(request, template, context, status=409)


def download_unavailable_api(exc: FileUnavailable, **extra: Any) -> Status[dict[str, Any]]:
    """409 in the API's error shape (`ErrorOut`, plus `extra` fields)."""
    return Status(409, {"detail": exc.message, "field": None, **extra})


def binary_response(description: str) -> dict[str, Any]:
    """`openapi_extra` of a download: the file formats allowed in the system (R10), as bytes."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": description,
                "content": dict.fromkeys(FORMATS.values(), binary),
            }
        }
    }
