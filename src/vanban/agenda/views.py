"""Work calendar pages: the week, the entry form, the office's and the leader's actions, the
print (A4, WeasyPrint) and the iCalendar file (docs/agenda.md)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, form_action, refusal_raise
from vanban.reports.pdf import render_pdf

from . import selectors, services
from .forms import EntryForm, ReturnForm
from .ical import week_ics as ics_of
from .models import AgendaWeek


def _unit(user: User, unit_id: int) -> tuple[Unit, list[Unit]]:
    units = selectors.readable_units(user=user)
    for unit in units:
        if unit.pk == unit_id:
            return unit, units
    raise Http404


@login_required
@require_GET
def week_current(request: HttpRequest) -> HttpResponse:
    """This week's calendar of the person's own unit."""
    year, week = services.week_of(selectors.today())
    return redirect("agenda:week", unit_id=request_user(request).unit_id, year=year, week=week)


def _week_page(
    request: HttpRequest,
    unit: Unit,
    units: list[Unit],
    year: int,
    week: int,
    *,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = selectors.week_page(
        user=request_user(request),
        unit=unit,
        iso_year=year,
        iso_week=week,
        published_only=request.GET.get("ban") == "cong-bo",
    )
    page.units = units
    return render(
        request,
        "agenda/week.html",
        {"page": page, "return_form": return_form or ReturnForm()},
        status=status,
    )


@login_required
@require_GET
def week(request: HttpRequest, unit_id: int, year: int, week: int) -> HttpResponse:
    unit, units = _unit(request_user(request), unit_id)
    return _week_page(request, unit, units, year, week)


def _entry_page(
    request: HttpRequest,
    form: EntryForm,
    *,
    unit: Unit,
    year: int,
    week: int,
    error: str = "",
    status: int = 200,
    entry: Any = None,
) -> HttpResponse:
    days = services.week_days(year, week)
    return render(
        request,
        "agenda/entry_form.html",
        {
            "form": form,
            "unit": unit,
            "year": year,
            "week": week,
            "first": days[0],
            "last": days[-1],
            "entry": entry,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, unit_id: int, year: int, week: int) -> HttpResponse:
    user = request_user(request)
    unit, _units = _unit(user, unit_id)
    try:
        services.week_days(year, week)
    except ServiceError as exc:
        raise Http404 from exc
    allowed = services.is_clerk_of(user, unit)
    refusal = services.MSG_CLERK_ONLY.format(unit=unit.name)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        return _entry_page(request, EntryForm(unit=unit), unit=unit, year=year, week=week)
    form = EntryForm(request.POST, unit=unit)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return _entry_page(
            request,
            form if bound else EntryForm(unit=unit),
            unit=unit,
            year=year,
            week=week,
            error=error,
            status=status,
        )

    return form_action(
        request,
        form=form,
        call=lambda: services.entry_add(
            actor=user, unit=unit, iso_year=year, iso_week=week, data=form.entry_input()
        ),
        success="Đã thêm nội dung vào lịch tuần.",
        done=lambda: redirect("agenda:week", unit_id=unit.pk, year=year, week=week),
        page=page,
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    entry = services.access_entry(user=user, pk=pk)
    week = entry.week
    unit = week.unit
    if request.method == "GET":
        form = EntryForm(initial=EntryForm.initial_of(entry), unit=unit)
        return _entry_page(
            request, form, unit=unit, year=week.iso_year, week=week.iso_week, entry=entry
        )
    form = EntryForm(request.POST, unit=unit)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return _entry_page(
            request,
            form,
            unit=unit,
            year=week.iso_year,
            week=week.iso_week,
            error=error,
            status=status,
            entry=entry,
        )

    return form_action(
        request,
        form=form,
        call=lambda: services.entry_edit(actor=user, entry=entry, data=form.entry_input()),
        success=lambda _e: (
            "Đã sửa nội dung. Lịch tuần cần được lãnh đạo duyệt lại trước khi công bố điều chỉnh."
            if week.revision
            else "Đã sửa nội dung."
        ),
        done=lambda: redirect(services.week_url(week)),
        page=page,
    )


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    entry = services.access_entry(user=user, pk=pk)
    week = entry.week
    return _act(
        request, week, lambda: services.entry_delete(actor=user, entry=entry), "Đã xóa nội dung."
    )


def _act(
    request: HttpRequest, week: AgendaWeek, call: Callable[[], Any], success: str
) -> HttpResponse:
    """A button of the week page: done, or the refusal as a message on the page."""
    try:
        call()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(services.week_url(week))


@login_required
@require_POST
def week_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    week = services.access_week(user=user, pk=pk)
    return _act(
        request,
        week,
        lambda: services.week_submit(actor=user, week=week, ip=client_ip(request)),
        "Đã trình lãnh đạo duyệt lịch tuần.",
    )


@login_required
@require_POST
def week_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    week = services.access_week(user=user, pk=pk)
    return _act(
        request,
        week,
        lambda: services.week_approve(actor=user, week=week, ip=client_ip(request)),
        "Đã duyệt và công bố lịch tuần; cán bộ của đơn vị đã được thông báo.",
    )


@login_required
@require_POST
def week_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    week = services.access_week(user=user, pk=pk)
    form = ReturnForm(request.POST)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        units = selectors.readable_units(user=user)
        if error:
            messages.error(request, error)
        return _week_page(
            request,
            week.unit,
            units,
            week.iso_year,
            week.iso_week,
            return_form=form if bound else None,
            status=status,
        )

    return form_action(
        request,
        form=form,
        call=lambda: services.week_return(
            actor=user, week=week, note=form.cleaned_data["note"], ip=client_ip(request)
        ),
        success="Đã trả lại lịch tuần cho văn phòng.",
        done=lambda: redirect(services.week_url(week)),
        page=page,
        on_form=False,
    )


def _file_name(unit: Unit, year: int, week: int) -> str:
    return f"lich-cong-tac-tuan-{week:02d}-{year}-{unit.abbreviation}"


@login_required
@require_GET
def week_pdf(request: HttpRequest, unit_id: int, year: int, week: int) -> HttpResponse:
    """The published week on A4, in the usual layout of a "lịch công tác tuần"."""
    unit, _units = _unit(request_user(request), unit_id)
    found = selectors.published_week(unit=unit, iso_year=year, iso_week=week)
    content = render_pdf("agenda/week_pdf.html", selectors.print_context(found))
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": (f'inline; filename="{_file_name(unit, year, week)}.pdf"')},
    )


@login_required
@require_GET
def week_ics(request: HttpRequest, unit_id: int, year: int, week: int) -> HttpResponse:
    """The published week as an iCalendar file (RFC 5545) for calendar programs."""
    unit, _units = _unit(request_user(request), unit_id)
    found = selectors.published_week(unit=unit, iso_year=year, iso_week=week)
    return HttpResponse(
        ics_of(found),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": (f'attachment; filename="{_file_name(unit, year, week)}.ics"')
        },
    )
