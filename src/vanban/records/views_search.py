"""Pages of searching and using dossiers (R19; Appendix VI "Search and use", "Dossiers"):
the search with its counts, the exports of the results, the dossier as one PDF and as XML, and
the dossier's access history (docs/records.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.forms import MAX_PAGE
from vanban.core.http import client_ip, refusal_raise
from vanban.documents.files import content_disposition

from . import exports, search
from .forms_search import DossierSearchForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_PAGE_SIZE = 100


def _query_string(request: HttpRequest, **changes: Any) -> str:
    params = {k: v for k, v in request.GET.items() if k in search.SEARCH_PARAMS and v}
    params.update({k: v for k, v in changes.items() if v})
    return urlencode(params)


def _form(request: HttpRequest) -> DossierSearchForm:
    """Always bound: no condition at all is a valid search (every dossier the person reads)."""
    return DossierSearchForm(request.GET, user=request_user(request))


@login_required
@require_GET
def dossier_search(request: HttpRequest) -> HttpResponse:
    """The search page: the form, the counts of the result and one page of dossiers."""
    form = _form(request)
    page = None
    status = 200
    if not form.is_valid():
        status = 400
    else:
        results = search.dossier_search(user=request_user(request), filters=form.filters())
        page = search.result_page(results, page=form.cleaned_data.get("page") or 1)
        user = request_user(request)
        for row in page.rows:
            row.history_allowed = search.can_read_history(user, row)  # type: ignore[attr-defined]
    query = _query_string(request)
    return render(
        request,
        "records/use/search.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "previous_query": _query_string(request, page=page.number - 1 if page else None),
            "next_query": _query_string(request, page=page.number + 1 if page else None),
        },
        status=status,
    )


def _export(request: HttpRequest, *, limit: int) -> tuple[list[Any], exports.ExportHeading]:
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        raise ServiceError(f"Điều kiện tìm kiếm không hợp lệ: {errors}")
    user = request_user(request)
    filters = form.filters()
    rows, truncated = search.export_rows(
        search.dossier_search(user=user, filters=filters), limit=limit
    )
    heading = exports.ExportHeading(
        filters=filters,
        created_at=clock.now(),
        author=user.full_name,
        count=len(rows),
        truncated=truncated,
        limit=limit,
    )
    return rows, heading


def _file(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    return response


@login_required
@require_GET
def search_xlsx(request: HttpRequest) -> HttpResponse:
    rows, heading = _export(request, limit=search.EXPORT_LIMIT)
    data = exports.results_xlsx(rows, heading=heading, actor=request_user(request))
    return _file(data, XLSX, f"Kết quả tìm kiếm hồ sơ {heading.created_at:%Y-%m-%d}.xlsx")


@login_required
@require_GET
def search_pdf(request: HttpRequest) -> HttpResponse:
    rows, heading = _export(request, limit=search.PDF_EXPORT_LIMIT)
    data = exports.results_pdf(rows, heading=heading, actor=request_user(request))
    return _file(
        data, "application/pdf", f"Kết quả tìm kiếm hồ sơ {heading.created_at:%Y-%m-%d}.pdf"
    )


def _dossier(request: HttpRequest, pk: int) -> Any:
    try:
        return exports.readable_dossier(user=request_user(request), pk=pk)
    except ServiceError as exc:
        refusal_raise(exc)
        raise


@login_required
@require_GET
def dossier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole dossier as one PDF, in chronological order."""
    dossier = _dossier(request, pk)
    data = exports.dossier_pdf(actor=request_user(request), dossier=dossier, ip=client_ip(request))
    return _file(data, "application/pdf", exports.export_name(dossier, "pdf"))


@login_required
@require_GET
def dossier_xml(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier's Appendix VI metadata as XML."""
    dossier = _dossier(request, pk)
    data = exports.dossier_xml(actor=request_user(request), dossier=dossier, ip=client_ip(request))
    return _file(data, "application/xml; charset=utf-8", exports.export_name(dossier, "xml"))


@login_required
@require_GET
def dossier_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who viewed and exported the dossier, and when: its head and its handler read it."""
    user = request_user(request)
    dossier = _dossier(request, pk)
    if not search.can_read_history(user, dossier):
        raise PermissionDenied(search.MSG_HISTORY_DENIED)
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError as exc:
        raise Http404("Số trang không hợp lệ.") from exc
    if not 1 <= number <= MAX_PAGE:
        raise Http404("Số trang không hợp lệ.")
    offset = (number - 1) * HISTORY_PAGE_SIZE
    events = list(search.access_history(dossier)[offset : offset + HISTORY_PAGE_SIZE + 1])
    return render(
        request,
        "records/use/access.html",
        {
            "dossier": dossier,
            "events": events[:HISTORY_PAGE_SIZE],
            "number": number,
            "has_next": len(events) > HISTORY_PAGE_SIZE,
            "first_index": offset + 1,
            "totals": search.access_totals(dossier),
        },
    )
