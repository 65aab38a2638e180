"""Pages of the yearly dossier list: the unit's lists by year, a list with its headings and
entries, the office's forms, the head's decisions and the Appendix V print (R19; NĐ 30/2020
Art. 28, Appendix V; docs/records.md)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, form_action, refusal_raise
from vanban.reports.pdf import document_date_line, render_pdf
from vanban.reports.periods import REPORT_TZ

from . import lists, rules
from .forms_lists import EntryForm, HeadingForm, ListCreateForm, ReopenForm, ReturnForm
from .models import DossierList, DossierListHeading, ListStatus


def _own_unit(user: User) -> Unit:
    return Unit.objects.select_related("parent").get(pk=user.unit_id)


def _index_page(
    request: HttpRequest, form: ListCreateForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    unit = _own_unit(user)
    is_office = rules.is_office(user, unit.pk)
    return render(
        request,
        "records/lists/index.html",
        {
            "unit": unit,
            "rows": lists.unit_lists(unit),
            "can_draft": is_office,
            "form": form or ListCreateForm(initial={"year": lists.this_year()}),
        },
        status=status,
    )


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    """The lists of the person's agency, newest year first."""
    return _index_page(request)


@login_required
@require_POST
def list_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    unit = _own_unit(user)
    form = ListCreateForm(request.POST)
    created: list[DossierList] = []

    def call() -> DossierList:
        found = lists.list_create(
            actor=user, unit=unit, year=form.cleaned_data["year"], ip=client_ip(request)
        )
        created.append(found)
        return found

    return form_action(
        request,
        form=form,
        call=call,
        success=lambda found: f"Đã tạo danh mục hồ sơ năm {found.year}.",
        done=lambda: redirect(lists.list_url(created[0])),
        page=lambda error, status, bound: _index_page(request, form if bound else None, status),
        allowed=rules.is_office(user, unit.pk),
        refusal=lists.MSG_OFFICE_ONLY.format(unit=unit.name),
    )


def _detail_page(
    request: HttpRequest,
    dossier_list: DossierList,
    *,
    return_form: ReturnForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    unit = dossier_list.unit
    return render(
        request,
        "records/lists/detail.html",
        {
            "dossier_list": dossier_list,
            "unit": unit,
            "headings": lists.headings_with_entries(dossier_list),
            "is_office": rules.is_office(user, unit.pk),
            "is_head": rules.is_head(user, unit.pk),
            "editable": dossier_list.status == ListStatus.DRAFT,
            "return_form": return_form or ReturnForm(),
            "reopen_form": reopen_form or ReopenForm(),
        },
        status=status,
    )


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, lists.access_list(user=request_user(request), pk=pk))


def _act(
    request: HttpRequest, dossier_list: DossierList, call: Callable[[], Any], success: str
) -> HttpResponse:
    """A button of the list page: done, or the refusal as a message on the page."""
    try:
        call()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(lists.list_url(dossier_list))


@login_required
@require_POST
def list_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    return _act(
        request,
        found,
        lambda: lists.list_submit(actor=user, dossier_list=found, ip=client_ip(request)),
        "Đã trình thủ trưởng phê duyệt danh mục hồ sơ.",
    )


@login_required
@require_POST
def list_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    return _act(
        request,
        found,
        lambda: lists.list_approve(actor=user, dossier_list=found, ip=client_ip(request)),
        "Đã phê duyệt danh mục hồ sơ.",
    )


@login_required
@require_POST
def list_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    form = ReturnForm(request.POST)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if error:
            messages.error(request, error)
        return _detail_page(request, found, return_form=form if bound else None, status=status)

    return form_action(
        request,
        form=form,
        call=lambda: lists.list_return(
            actor=user, dossier_list=found, note=form.cleaned_data["note"], ip=client_ip(request)
        ),
        success="Đã trả lại danh mục hồ sơ cho văn phòng.",
        done=lambda: redirect(lists.list_url(found)),
        page=page,
        allowed=rules.is_head(user, found.unit_id),
        refusal=lists.MSG_HEAD_ONLY.format(unit=found.unit.name),
        on_form=False,
    )


@login_required
@require_POST
def list_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    form = ReopenForm(request.POST)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if error:
            messages.error(request, error)
        return _detail_page(request, found, reopen_form=form if bound else None, status=status)

    return form_action(
        request,
        form=form,
        call=lambda: lists.list_reopen(
            actor=user,
            dossier_list=found,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        ),
        success="Đã mở lại danh mục hồ sơ để điều chỉnh; cần trình phê duyệt lại.",
        done=lambda: redirect(lists.list_url(found)),
        page=page,
        allowed=rules.is_head(user, found.unit_id),
        refusal=lists.MSG_HEAD_ONLY.format(unit=found.unit.name),
        on_form=False,
    )


@login_required
@require_POST
def list_copy_forward(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    try:
        created = lists.list_copy_forward(actor=user, dossier_list=found, ip=client_ip(request))
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
        return redirect(lists.list_url(found))
    messages.success(
        request,
        f"Đã tạo danh mục hồ sơ năm {created.year} từ danh mục năm {found.year}; "
        "hãy rà soát rồi trình thủ trưởng phê duyệt.",
    )
    return redirect(lists.list_url(created))


# ---------------------------------------------------------------- headings


def _heading_page(
    request: HttpRequest,
    form: HeadingForm,
    *,
    dossier_list: DossierList,
    heading: DossierListHeading | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "records/lists/heading_form.html",
        {
            "form": form,
            "dossier_list": dossier_list,
            "heading": heading,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def heading_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = lists.access_list(user=user, pk=pk)
    unit = found.unit
    allowed = rules.is_office(user, unit.pk)
    refusal = lists.MSG_OFFICE_ONLY.format(unit=unit.name)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        return _heading_page(request, HeadingForm(unit=unit), dossier_list=found)
    form = HeadingForm(request.POST, unit=unit)
    return form_action(
        request,
        form=form,
        call=lambda: lists.heading_add(
            actor=user, dossier_list=found, data=form.heading_input(), ip=client_ip(request)
        ),
        success="Đã thêm đề mục.",
        done=lambda: redirect(lists.list_url(found)),
        page=lambda error, status, bound: _heading_page(
            request,
            form if bound else HeadingForm(unit=unit),
            dossier_list=found,
            error=error,
            status=status,
        ),
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def heading_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    heading = lists.access_heading(user=user, pk=pk)
    found = heading.dossier_list
    unit = found.unit
    allowed = rules.is_office(user, unit.pk)
    refusal = lists.MSG_OFFICE_ONLY.format(unit=unit.name)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        form = HeadingForm(initial=HeadingForm.initial_of(heading), unit=unit)
        return _heading_page(request, form, dossier_list=found, heading=heading)
    form = HeadingForm(request.POST, unit=unit)
    return form_action(
        request,
        form=form,
        call=lambda: lists.heading_edit(
            actor=user, heading=heading, data=form.heading_input(), ip=client_ip(request)
        ),
        success="Đã sửa đề mục.",
        done=lambda: redirect(lists.list_url(found)),
        page=lambda error, status, bound: _heading_page(
            request,
            form if bound else HeadingForm(initial=HeadingForm.initial_of(heading), unit=unit),
            dossier_list=found,
            heading=heading,
            error=error,
            status=status,
        ),
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_POST
def heading_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    heading = lists.access_heading(user=user, pk=pk)
    return _act(
        request,
        heading.dossier_list,
        lambda: lists.heading_delete(actor=user, heading=heading, ip=client_ip(request)),
        "Đã xóa đề mục và các hồ sơ của đề mục.",
    )


@login_required
@require_POST
def heading_up(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    heading = lists.access_heading(user=user, pk=pk)
    return _act(
        request,
        heading.dossier_list,
        lambda: lists.heading_move(actor=user, heading=heading, up=True, ip=client_ip(request)),
        "Đã chuyển đề mục lên trên.",
    )


@login_required
@require_POST
def heading_down(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    heading = lists.access_heading(user=user, pk=pk)
    return _act(
        request,
        heading.dossier_list,
        lambda: lists.heading_move(actor=user, heading=heading, up=False, ip=client_ip(request)),
        "Đã chuyển đề mục xuống dưới.",
    )


# ---------------------------------------------------------------- entries


def _entry_page(
    request: HttpRequest,
    form: EntryForm,
    *,
    heading: DossierListHeading,
    entry: Any = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "records/lists/entry_form.html",
        {
            "form": form,
            "heading": heading,
            "dossier_list": heading.dossier_list,
            "entry": entry,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    heading = lists.access_heading(user=user, pk=pk)
    unit = heading.dossier_list.unit
    allowed = rules.is_office(user, unit.pk)
    refusal = lists.MSG_OFFICE_ONLY.format(unit=unit.name)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        return _entry_page(request, EntryForm(unit=unit), heading=heading)
    form = EntryForm(request.POST, unit=unit)
    return form_action(
        request,
        form=form,
        call=lambda: lists.entry_add(
            actor=user, heading=heading, data=form.entry_input(), ip=client_ip(request)
        ),
        success=lambda entry: f"Đã thêm hồ sơ {entry.code} vào danh mục.",
        done=lambda: redirect(lists.list_url(heading.dossier_list)),
        page=lambda error, status, bound: _entry_page(
            request,
            form if bound else EntryForm(unit=unit),
            heading=heading,
            error=error,
            status=status,
        ),
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    entry = lists.access_entry(user=user, pk=pk)
    heading = entry.heading
    unit = heading.dossier_list.unit
    allowed = rules.is_office(user, unit.pk)
    refusal = lists.MSG_OFFICE_ONLY.format(unit=unit.name)

    def blank() -> EntryForm:
        return EntryForm(initial=EntryForm.initial_of(entry), unit=unit, entry=entry)

    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        return _entry_page(request, blank(), heading=heading, entry=entry)
    form = EntryForm(request.POST, unit=unit, entry=entry)
    return form_action(
        request,
        form=form,
        call=lambda: lists.entry_edit(
            actor=user, entry=entry, data=form.entry_input(), ip=client_ip(request)
        ),
        success="Đã sửa hồ sơ trong danh mục.",
        done=lambda: redirect(lists.list_url(heading.dossier_list)),
        page=lambda error, status, bound: _entry_page(
            request,
            form if bound else blank(),
            heading=heading,
            entry=entry,
            error=error,
            status=status,
        ),
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    entry = lists.access_entry(user=user, pk=pk)
    return _act(
        request,
        entry.heading.dossier_list,
        lambda: lists.entry_delete(actor=user, entry=entry, ip=client_ip(request)),
        "Đã xóa hồ sơ khỏi danh mục.",
    )


# ---------------------------------------------------------------- the print


@login_required
@require_GET
def list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The list in the layout of Appendix V of NĐ 30/2020 on A4 (WeasyPrint)."""
    found = lists.access_list(user=request_user(request), pk=pk)
    context = lists.print_context(found)
    if found.approved_at is not None:
        day = found.approved_at.astimezone(REPORT_TZ).date()
        context["date_line"] = document_date_line(place=found.unit.place_name, day=day)
    else:  # a draft: the date is written when the head signs
        place = found.unit.place_name
        context["date_line"] = f"{place + ', ' if place else ''}ngày ... tháng ... năm ..."
    content = render_pdf("records/lists/list_pdf.html", context)
    name = f"danh-muc-ho-so-{found.year}-{found.unit.abbreviation}"
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )
