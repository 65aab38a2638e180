"""Pages of the administrative-reform indicators: the year's criteria (read by administrators,
set by the province administrator), each unit's yearly report and the ranking of units (R24;
Art. 12.2 of the provincial regulation; docs/oversight.md "Administrative-reform indicators")."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.errors import ServiceError
from vanban.core.forms import Form
from vanban.core.http import MSG_FIX_FIELDS, client_ip, form_action, refusal_raise
from vanban.core.replica import replica_reads
from vanban.reports.pdf import document_date_line, render_pdf
from vanban.reports.selectors import province_name

from . import exports_reform, reform, statistics, statistics_build
from .forms_reform import (
    CriterionForm,
    CriterionFormSet,
    SchemeForm,
    criteria_of,
    formset_initial,
)

MSG_ADMINS_ONLY = (
    "Chỉ quản trị đơn vị và quản trị tỉnh được xem tiêu chí và kết quả chấm điểm cải cách "
    "hành chính."
)


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    year = int(text) if text.isdigit() else 0
    return year if reform.MIN_YEAR <= year <= reform.MAX_YEAR else reform.this_year()


def _require_admin(user: User) -> None:
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        raise PermissionDenied(MSG_ADMINS_ONLY)


def criteria_url(year: int) -> str:
    return f"{reverse('oversight:reform_criteria')}?{urlencode({'year': year})}"


def _criteria_page(request: HttpRequest, year: int, *, error: str = "", status: int = 200):
    user = request_user(request)
    scheme = reform.scheme_of_year(year)
    return render(
        request,
        "oversight/reform/criteria.html",
        {
            "year": year,
            "scheme": scheme,
            "criteria": reform.criteria_with_labels(scheme) if scheme else [],
            "years": reform.scheme_years(),
            "can_edit": user.is_province_admin,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def criteria(request: HttpRequest) -> HttpResponse:
    """The year's criteria: their figures, thresholds and points."""
    _require_admin(request_user(request))
    return _criteria_page(request, _year(request))


@login_required
@require_POST
def criteria_copy(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    return form_action(
        request,
        form=Form(request.POST),
        call=lambda: reform.reform_scheme_copy(actor=user, year=year, ip=client_ip(request)),
        success=f"Đã sao chép bộ tiêu chí năm {year - 1} sang năm {year}.",
        done=lambda: redirect(criteria_url(year)),
        page=lambda error, status, bound: _criteria_page(request, year, error=error, status=status),
        allowed=user.is_province_admin,
        refusal=reform.MSG_PROVINCE_ONLY,
        on_form=False,
    )


def _edit_page(
    request: HttpRequest,
    year: int,
    form: SchemeForm,
    formset: BaseFormSet[CriterionForm],
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "oversight/reform/criteria_edit.html",
        {"year": year, "form": form, "formset": formset, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def criteria_edit(request: HttpRequest) -> HttpResponse:
    """The province administrator sets the year's criteria at once: a row per criterion."""
    user = request_user(request)
    if not user.is_province_admin:
        raise PermissionDenied(reform.MSG_PROVINCE_ONLY)
    year = _year(request)
    if request.method == "GET":
        scheme = reform.scheme_of_year(year)
        initial = formset_initial(scheme) if scheme else []
        form = SchemeForm(
            initial={
                "total_points": reform.number_vi(scheme.total_points) if scheme else "10",
                "note": scheme.note if scheme else "",
            }
        )
        return _edit_page(request, year, form, CriterionFormSet(initial=initial))
    form = SchemeForm(request.POST)
    formset = CriterionFormSet(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _edit_page(request, year, form, formset, error=MSG_FIX_FIELDS, status=400)
    try:
        reform.reform_scheme_save(
            actor=user,
            year=year,
            total_points=form.cleaned_data["total_points"],
            note=form.cleaned_data["note"],
            criteria=criteria_of(formset),
            ip=client_ip(request),
        )
    except ServiceError as exc:
        refusal_raise(exc)
        return _edit_page(request, year, form, formset, error=exc.message, status=400)
    messages.success(request, f"Đã lưu bộ tiêu chí năm {year}.")
    return redirect(criteria_url(year))


# ------------------------------------------------------------------------ a unit's points


def _unit_choices(user: User) -> list[Unit]:
    """The units offered in the report's unit box: the person's units (the province's root
    for the province administrator) and the units right below them."""
    roots = statistics.visible_units(user)
    if roots is None:
        roots = list(Unit.objects.filter(parent__isnull=True).order_by("name", "pk"))
    below = Unit.objects.filter(parent__in=roots).order_by("name", "pk")
    return [*roots, *(unit for unit in below if unit not in roots)]


def _score_request(request: HttpRequest) -> tuple[User, Unit, int, list[Unit]]:
    user = request_user(request)
    if statistics.visible_units(user) == []:
        raise PermissionDenied(reform.MSG_REPORT_ADMINS_ONLY)
    choices = _unit_choices(user)
    text = request.GET.get("unit", "")
    if text.isdigit():
        unit = reform.access_score_unit(user=user, pk=int(text))
    elif choices:
        unit = choices[0]
    else:
        raise Http404(reform.MSG_UNIT_NOT_FOUND)
    return user, unit, _year(request), choices


@replica_reads
@login_required
@require_GET
def unit_score(request: HttpRequest) -> HttpResponse:
    """R24, Art. 12.2: a unit's points for the year, criterion by criterion."""
    user, unit, year, choices = _score_request(request)
    score, error = None, ""
    try:
        score = reform.unit_score(user=user, unit=unit, year=year)
    except ServiceError as exc:
        refusal_raise(exc)
        error = exc.message
    return render(
        request,
        "oversight/reform/unit.html",
        {
            "year": year,
            "unit": unit,
            "choices": choices,
            "score": score,
            "error": error,
            "query": urlencode({"unit": unit.pk, "year": year}),
            "freshness": statistics_build.aggregated_until(),
            "can_rank": user.is_province_admin,
        },
        status=200 if score else 400,
    )


@replica_reads
@login_required
@require_GET
def unit_score_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a document of the Department, in the layout of an administrative
    report (NĐ 30/2020)."""
    user, unit, year, _choices = _score_request(request)
    score = reform.unit_score(user=user, unit=unit, year=year)
    pdf = render_pdf(
        "oversight/reform/unit_pdf.html",
        {
            "score": score,
            "unit": department_of(user) or unit,
            "document_symbol": "BC",
            "date_line": document_date_line(place=province_name()),
            "freshness": statistics_build.aggregated_until(),
        },
    )
    filename = f"diem-cai-cach-hanh-chinh-{unit.abbreviation}-{year}.pdf"
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def department_of(user: User) -> Unit | None:
    """The unit in whose name the report is made: the reader's own unit."""
    return Unit.objects.select_related("parent").filter(pk=user.unit_id).first()


# ------------------------------------------------------------------------------ the ranking


def _ranking_request(request: HttpRequest) -> tuple[User, int, Unit | None]:
    user = request_user(request)
    if not user.is_province_admin:
        raise PermissionDenied(reform.MSG_RANKING_PROVINCE_ONLY)
    text = request.GET.get("parent", "")
    if text.isdigit():
        parent = Unit.objects.filter(pk=int(text)).first()
        if parent is None:
            raise Http404(reform.MSG_UNIT_NOT_FOUND)
    else:
        parent = reform.default_ranking_parent()
    return user, _year(request), parent


@replica_reads
@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """R24, Art. 12.2: the units ranked by their points for the year (province administrator)."""
    user, year, parent = _ranking_request(request)
    scores, error = [], ""
    try:
        scores = reform.ranking(user=user, year=year, parent=parent)
    except ServiceError as exc:
        refusal_raise(exc)
        error = exc.message
    query = {"year": year, **({"parent": parent.pk} if parent else {})}
    return render(
        request,
        "oversight/reform/ranking.html",
        {
            "year": year,
            "parent": parent,
            "scores": scores,
            "criteria": list(scores[0].scheme.criteria.all()) if scores else [],
            "error": error,
            "query": urlencode(query),
            "freshness": statistics_build.aggregated_until(),
        },
        status=400 if error else 200,
    )


@replica_reads
@login_required
@require_GET
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    user, year, parent = _ranking_request(request)
    scores = reform.ranking(user=user, year=year, parent=parent)
    data = exports_reform.ranking_xlsx(scores, year=year, parent=parent, user=user)
    filename = f"xep-hang-cai-cach-hanh-chinh-{year}.xlsx"
    return HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
