"""Pages of the yearly list of kinds exchanged electronically and of its compliance report (R22;
Art. 8.2 of the provincial regulation; docs/oversight.md "Kinds exchanged electronically")."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.core.errors import ServiceError
from vanban.core.forms import Form
from vanban.core.http import client_ip, form_action
from vanban.core.replica import replica_reads

from . import exchange_kinds, exports_exchange_kinds
from .forms_exchange_kinds import KindForm, PeriodForm, year_field

DOCUMENTS_PER_PAGE = 50


def _year(request: HttpRequest) -> int:
    field = year_field(required=False)
    try:
        year = field.clean(request.GET.get("year") or request.POST.get("year"))
    except ValidationError:  # a year that does not parse shows this year's list
        year = None
    if year is None or not exchange_kinds.MIN_YEAR <= year <= exchange_kinds.MAX_YEAR:
        return exchange_kinds.this_year()
    return int(year)


def _list_url(year: int) -> str:
    return f"{reverse('oversight:electronic_kinds')}?{urlencode({'year': year})}"


def _list_page(
    request: HttpRequest,
    year: int,
    *,
    form: KindForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "oversight/exchange_kinds/list.html",
        {
            "year": year,
            "lines": exchange_kinds.kinds_of_year(year),
            "years": exchange_kinds.years_with_lists(),
            "can_edit": user.is_province_admin,
            "can_report": bool(user.managed_unit_ids() is None or user.managed_unit_ids()),
            "form": form or KindForm(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def kind_list(request: HttpRequest) -> HttpResponse:
    """The year's list: every person of the province may read what must travel electronically;
    the province administrator edits it."""
    return _list_page(request, _year(request))


@login_required
@require_POST
def kind_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    form = KindForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: exchange_kinds.kind_add(
            actor=user,
            year=year,
            document_type=form.cleaned_data["document_type"],
            subject_keyword=form.cleaned_data["subject_keyword"],
            is_exception=form.cleaned_data["is_exception"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        ),
        success=lambda kind: f"Đã thêm vào danh mục năm {kind.year}.",
        done=lambda: redirect(_list_url(year)),
        page=lambda error, status, bound: _list_page(
            request, year, form=form if bound else None, error=error, status=status
        ),
        allowed=user.is_province_admin,
        refusal=exchange_kinds.MSG_PROVINCE_ONLY,
    )


@login_required
@require_POST
def kind_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    kind = exchange_kinds.access_kind(pk=pk)
    form = Form(request.POST)  # a button: nothing to read
    return form_action(
        request,
        form=form,
        call=lambda: exchange_kinds.kind_delete(actor=user, kind=kind, ip=client_ip(request)),
        success=f"Đã xóa một dòng khỏi danh mục năm {kind.year}.",
        done=lambda: redirect(_list_url(kind.year)),
        page=lambda error, status, bound: _list_page(
            request, kind.year, error=error, status=status
        ),
        allowed=user.is_province_admin,
        refusal=exchange_kinds.MSG_PROVINCE_ONLY,
        on_form=False,
    )


@login_required
@require_POST
def kinds_copy(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    form = Form(request.POST)  # a button: the year only
    return form_action(
        request,
        form=form,
        call=lambda: exchange_kinds.kinds_copy(actor=user, year=year, ip=client_ip(request)),
        success=lambda created: (
            f"Đã sao chép {len(created)} dòng của danh mục năm {year - 1} sang năm {year}."
        ),
        done=lambda: redirect(_list_url(year)),
        page=lambda error, status, bound: _list_page(request, year, error=error, status=status),
        allowed=user.is_province_admin,
        refusal=exchange_kinds.MSG_PROVINCE_ONLY,
        on_form=False,
    )


def _first_error(form: PeriodForm) -> str:
    return str(next(iter(form.errors.values()))[0])


def _period_form(request: HttpRequest) -> PeriodForm:
    form = PeriodForm.from_query(request.GET)
    form.is_valid()
    return form


@replica_reads
@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """R22: per unit, the documents of the listed kinds sent on paper or unsigned."""
    user = request_user(request)
    exchange_kinds.report_unit_ids(user)  # refuses anyone but the administrators
    form = _period_form(request)
    report = None
    query = ""
    if form.is_valid():
        report = exchange_kinds.compliance_report(user=user, period=form.cleaned_data["period"])
        query = urlencode(form.query())
    return render(
        request,
        "oversight/exchange_kinds/compliance.html",
        {"form": form, "report": report, "query": query},
        status=200 if form.is_valid() else 400,
    )


@replica_reads
@login_required
@require_GET
def compliance_documents(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The documents behind one count of the compliance report, a page at a time."""
    user = request_user(request)
    unit = exchange_kinds.access_report_unit(user=user, pk=unit_pk)
    form = _period_form(request)
    if not form.is_valid():
        raise ServiceError(_first_error(form))
    problem = request.GET.get("problem") or "all"
    period = form.cleaned_data["period"]
    documents = exchange_kinds.noncompliant_documents(
        user=user, unit=unit, period=period, problem=problem
    )
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/exchange_kinds/documents.html",
        {
            "unit": unit,
            "period": period,
            "problem": problem,
            "problem_label": exchange_kinds.PROBLEMS[problem],
            "problems": exchange_kinds.PROBLEMS,
            "page": page,
            "query": urlencode(form.query()),
        },
    )


@replica_reads
@login_required
@require_GET
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    """The compliance report as a spreadsheet: the counts per unit, and the documents."""
    user = request_user(request)
    exchange_kinds.report_unit_ids(user)
    form = _period_form(request)
    if not form.is_valid():
        raise ServiceError(_first_error(form))
    period = form.cleaned_data["period"]
    report = exchange_kinds.compliance_report(user=user, period=period)
    data = exports_exchange_kinds.compliance_xlsx(report, user=user)
    return HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f'attachment; filename="van-ban-bat-buoc-gui-dien-tu-{period.slug}.xlsx"'
            )
        },
    )
