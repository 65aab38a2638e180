"""Downloading a document's file: access through the document, SHA-256 checked, access logged."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.core.http import client_ip

from . import files
from .downloads import download_response, download_unavailable
from .viewer import wants_view


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file as an attachment (inline for the document viewer, `?xem=1`); 404 when the
    person may not see its document; 409 with an explanation when the stored file is missing or
    no longer matches its SHA-256."""
    view = wants_view(request)
    try:
        download = files.file_download(
            actor=request_user(request), file_id=pk, ip=client_ip(request), viewed=view
        )
    except files.FileUnavailable as exc:
        return download_unavailable(request, exc, document_id=exc.document_id)
    return download_response(
        download.chunks,
        size=download.size,
        content_type=download.file.content_type,
        name=download.file.original_name,
        inline=view,
    )
