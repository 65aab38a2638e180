"""Search pages: the search box and advanced form, saved searches, and exports of the results.

Every signed-in person may search: the results are the documents they may see (their units'
registers, and documents given to them), so a person with neither simply finds nothing.
"""

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.replica import replica_reads

from . import exports, search, search_services
from .search_forms import DocumentSearchForm, SavedSearchForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _search_url(query_string: str) -> str:
    url = reverse("documents:search")
    return f"{url}?{query_string}" if query_string else url


def _over(page: search.SearchPage | None, limit: int) -> bool:
    """Whether the results surely hold more documents than an export takes."""
    if page is None or page.count is None:
        return False
    return page.count > limit or (not page.exact and page.count >= limit)


def _page(
    request: HttpRequest,
    form: DocumentSearchForm,
    *,
    save_form: SavedSearchForm | None = None,
    status: int = 200,
    count: bool = False,
) -> HttpResponse:
    """The search page, or its results for htmx; the count of a page that is not the last one
    comes afterwards from `search_count_view` (`count=True`)."""
    user = request_user(request)
    page = None
    query_string = ""
    if form.is_valid():
        results = search.document_search(user=user, **form.search_arguments())
        page = search.search_page(search.result_rows(results), page=form.page_number(), count=count)
        query_string = form.query_string()
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query_string": query_string,
        "export_limit": search.number_vi(search.EXPORT_LIMIT),
        "rank_window": search.number_vi(search.RANK_WINDOW),
        "pdf_export_limit": search.number_vi(search.PDF_EXPORT_LIMIT),
        "export_over_limit": _over(page, search.EXPORT_LIMIT),
        "pdf_over_limit": _over(page, search.PDF_EXPORT_LIMIT),
        # Counted only up to a cap below the spreadsheet's limit: it may or may not hold them all.
        "export_unsure": page is not None
        and page.count is not None
        and not page.exact
        and page.count < search.EXPORT_LIMIT,
        "save_form": save_form or SavedSearchForm(initial={"query_string": query_string}),
    }
    if count:
        return render(request, "documents/search/_count.html", context, status=status)
    if request.headers.get("HX-Request"):
        return render(request, "documents/search/_results.html", context, status=status)
    context["saved_searches"] = search.saved_search_list(user=user)
    return render(request, "documents/search/search.html", context, status=status)


@replica_reads
@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """Search box and advanced form; an htmx request gets only the results."""
    return _page(request, DocumentSearchForm(request.GET, user=request_user(request)))


@replica_reads
@login_required
@require_GET
def search_count_view(request: HttpRequest) -> HttpResponse:
    """The number of hits of a search (up to search.COUNT_CAP), asked for by the results page
    once it shows: the count line, the export note and the page label, for htmx."""
    return _page(request, DocumentSearchForm(request.GET, user=request_user(request)), count=True)


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    save_form = SavedSearchForm(request.POST)
    query_string = search_services.search_query_clean(request.POST.get("query_string", ""))
    if save_form.is_valid():
        try:
            saved = search_services.saved_search_create(
                actor=request_user(request),
                name=save_form.cleaned_data["name"],
                query_string=query_string,
            )
        except ServiceError as exc:
            save_form.add_error("name" if exc.field == "name" else None, exc.message)
        else:
            messages.success(request, f"Đã lưu tìm kiếm “{saved.name}”.")
            return redirect(_search_url(saved.query_string))
    search_form = DocumentSearchForm(QueryDict(query_string), user=request_user(request))
    return _page(request, search_form, save_form=save_form)


@login_required
@require_GET
def saved_search_run(request: HttpRequest, pk: int) -> HttpResponse:
    saved = search.access_saved_search(user=request_user(request), pk=pk)
    return redirect(_search_url(saved.query_string))


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    name = search_services.saved_search_delete(actor=request_user(request), pk=pk)
    messages.success(request, f"Đã xóa tìm kiếm đã lưu “{name}”.")
    return redirect(_search_url(search_services.search_query_clean(request.POST.get("next", ""))))


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    user = request_user(request)
    form = DocumentSearchForm(request.GET, user=user)
    if not form.is_valid():
        return _page(request, form, status=400)
    results = search.document_search(user=user, **form.search_arguments())
    limit = search.EXPORT_LIMIT if kind == "xlsx" else search.PDF_EXPORT_LIMIT
    rows, truncated = search.search_export_rows(search.result_rows(results), limit=limit)
    now = clock.now()
    heading = exports.ExportHeading(
        query=form.cleaned_data["q"],
        criteria=form.description(),
        created_at=now,
        author=user.full_name,
        count=len(rows),
        truncated=truncated,
        limit=limit,
    )
    stamp = f"{timezone.localtime(now):%Y%m%d-%H%M}"
    if kind == "xlsx":
        content, content_type = exports.results_xlsx(rows, heading=heading), XLSX_TYPE
    else:
        content, content_type = exports.results_pdf(rows, heading=heading), "application/pdf"
    filename = f"ket-qua-tim-kiem-van-ban-{stamp}.{kind}"
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{quote(filename)}"'},
    )


@replica_reads
@login_required
@require_GET
def search_export_xlsx(request: HttpRequest) -> HttpResponse:
    """All results of the search (up to search.EXPORT_LIMIT) as a spreadsheet."""
    return _export(request, "xlsx")


@replica_reads
@login_required
@require_GET
def search_export_pdf(request: HttpRequest) -> HttpResponse:
    """All results of the search (up to search.PDF_EXPORT_LIMIT) as a PDF list, A4 landscape."""
    return _export(request, "pdf")
