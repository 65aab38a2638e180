"""Downloading a document's file: access through the document, SHA-256 checked, access logged."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.accounts.views import client_ip
from vanban.core.errors import NotFound

from . import files


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as an attachment; 404 when the person may not see its document; 409 with an
    explanation when the stored file is missing or no longer matches its SHA-256."""
    try:
        download = files.file_download(actor=request.user, file_id=pk, ip=client_ip(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except files.FileUnavailable as exc:
        return render(
            request,
            "documents/files/unavailable.html",
            {"message": exc.message, "document_id": exc.document_id},
            status=409,
        )
    response = StreamingHttpResponse(download.chunks, content_type=download.file.content_type)
    response["Content-Length"] = str(download.size)
    response["Content-Disposition"] = files.content_disposition(download.file.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
