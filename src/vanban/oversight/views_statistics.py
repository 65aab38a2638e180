"""Usage statistics pages under /giam-sat/thong-ke/ (R24; Art. 8.5, 11.1.đ, 11.2.b): the
province, a unit with its sub-units, the documents behind a figure; each page also as XLSX and
PDF. The views parse the period, check who may see the scope (statistics.access_scope) and call
statistics_pages; nothing here counts."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.replica import replica_reads
from vanban.reports.selectors import province_name

from . import statistics, statistics_pages
from .exports_statistics import made_line, statistics_pdf, statistics_xlsx
from .forms_statistics import StatisticsPeriodForm
from .statistics import Scope
from .statistics_documents import LISTS, list_rows
from .statistics_page import StatisticsPage

DOCUMENTS_PER_PAGE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _access(user: User, scope: Scope) -> None:
    """403 for a person who sees no statistics; 404 for a unit outside the reader's."""
    try:
        statistics.access_scope(user, scope)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc


def _period_form(request: HttpRequest) -> StatisticsPeriodForm:
    form = StatisticsPeriodForm.for_query(request.GET.dict())
    if form.is_valid():
        try:
            statistics.period_check(form.period)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return form


def _answer(
    request: HttpRequest,
    form: StatisticsPeriodForm,
    page: StatisticsPage | None,
    fmt: str,
    base_url: str,
) -> HttpResponse:
    """The page as HTML (with the form's errors, 400, when the period is wrong), XLSX or PDF."""
    if page is None:
        return render(request, "oversight/statistics/page.html", {"form": form}, status=400)
    filename = f"thong-ke-su-dung-{page.slug}-{page.period.slug}"
    if fmt == "xlsx":
        return HttpResponse(
            statistics_xlsx(page),
            content_type=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    if fmt == "pdf":
        pdf = statistics_pdf(page, unit=request_user(request).unit, place=province_name())
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
        )
    query = request.GET.urlencode()
    return render(
        request,
        "oversight/statistics/page.html",
        {
            "form": form,
            "page": page,
            "xlsx_url": f"{base_url}xlsx/?{query}",
            "pdf_url": f"{base_url}pdf/?{query}",
            "made_line": f"{made_line(page)} {statistics_pages.freshness_line()}",
        },
    )


def _unit_or_404(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    return unit


@replica_reads
@login_required
@require_GET
def statistics_overview(request: HttpRequest, fmt: str = "") -> HttpResponse:
    """R24: the province's usage for the province administrator; a unit administrator is taken
    to the unit they administer, or sees the units they administer when they are several."""
    user = request_user(request)
    try:
        scope = statistics.default_scope(user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    roots = statistics.visible_units(user) or []
    if scope.kind == "unit" and scope.unit is not None and len(roots) == 1:
        url = reverse("oversight:statistics_unit", args=[scope.unit.pk])
        return redirect(f"{url}{'' if not fmt else fmt + '/'}?{request.GET.urlencode()}")
    form = _period_form(request)
    page = None
    if form.is_valid() and scope.kind == "unit":
        page = statistics_pages.units_page(units=roots, period=form.period, query=form.query())
    elif form.is_valid():
        page = statistics_pages.province_page(period=form.period, query=form.query())
    return _answer(request, form, page, fmt, reverse("oversight:statistics"))


def _top_ids(user: User) -> set[int] | None:
    roots = statistics.visible_units(user)
    return None if roots is None else {unit.pk for unit in roots}


@replica_reads
@login_required
@require_GET
def statistics_unit(request: HttpRequest, unit_id: int, fmt: str = "") -> HttpResponse:
    """R24: one unit with its sub-units, down to the documents behind each figure."""
    user = request_user(request)
    unit = _unit_or_404(unit_id)
    _access(user, Scope.of_unit(unit))
    form = _period_form(request)
    page = None
    if form.is_valid():
        page = statistics_pages.unit_page(
            unit=unit, period=form.period, query=form.query(), top_ids=_top_ids(user)
        )
    return _answer(request, form, page, fmt, reverse("oversight:statistics_unit", args=[unit.pk]))


@replica_reads
@login_required
@require_GET
def statistics_documents(request: HttpRequest, unit_id: int, kind: str) -> HttpResponse:
    """R24, Art. 8.5: the register rows behind one figure of a unit (with its sub-units), a page
    at a time."""
    user = request_user(request)
    unit = _unit_or_404(unit_id)
    _access(user, Scope.of_unit(unit))
    document_list = LISTS.get(kind)
    if document_list is None:
        raise Http404("Không có danh sách này.")
    form = _period_form(request)
    context: dict[str, Any] = {"form": form, "unit": unit, "kind": document_list}
    if not form.is_valid():
        return render(request, "oversight/statistics/documents.html", context, status=400)
    query = form.query()
    tree = statistics_pages.UnitTree.load()
    unit_ids = sorted(tree.subtree(unit.pk))
    rows = list_rows(
        kind=document_list,
        unit_ids=unit_ids,
        period=form.period,
        today=statistics_pages.local_today(),
    )
    context |= {
        "period": form.period,
        "page": Paginator(rows, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page")),
        "with_sub_units": len(unit_ids) > 1,
        "crumbs": [
            *statistics_pages.crumbs(unit, query, _top_ids(user)),
            statistics_pages.Crumb(document_list.title, ""),
        ],
    }
    return render(request, "oversight/statistics/documents.html", context)
