"""Dossier pages (R19; docs/records.md "Hồ sơ điện tử"): "Hồ sơ của tôi", the unit's dossiers,
opening, the dossier with its items, "Thêm vào hồ sơ", closing, reopening and reading given.

A dossier the person may not read is 404 (`selectors.access_dossier`); an action their role
lacks is 403 with the reason; any other refusal is shown on the page, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import AccountStatus, User
from vanban.core.errors import ServiceError
from vanban.core.forms import model_choice_field
from vanban.core.http import client_ip, form_action, refusal_raise

from . import dossiers as services
from . import rules, selectors
from .forms_dossiers import (
    AddForm,
    CloseForm,
    EditForm,
    OpenAdHocForm,
    OpenFromEntryForm,
    ReopenForm,
    ShareForm,
)
from .models import Dossier, DossierListEntry, DossierStatus, ItemKind
from .search import can_read_history

DOSSIERS_PER_PAGE = 50
UNIT_ONLY = "Chỉ lãnh đạo, văn thư và lưu trữ cơ quan xem được danh sách hồ sơ của cơ quan."
KIND_LABELS = {
    ItemKind.DOCUMENT: "văn bản",
    ItemKind.DRAFT_VERSION: "phiên bản dự thảo",
    ItemKind.PROGRESS_FILE: "kết quả xử lý",
}


def _detail_url(dossier: Dossier) -> str:
    return reverse("records:dossier_detail", args=[dossier.pk])


# ---------------------------------------------------------------- lists


@login_required
@require_GET
def dossier_mine(request: HttpRequest) -> HttpResponse:
    """ "Hồ sơ của tôi": the dossiers the person handles (open, then closed) and those given to
    them to read."""
    user = request_user(request)
    return render(
        request,
        "records/dossiers/mine.html",
        {"lists": selectors.my_dossiers(user=user)},
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def dossier_unit_list(request: HttpRequest) -> HttpResponse:
    """The unit's dossiers, for its leaders and clerks (and its archive, those handed over)."""
    user = request_user(request)
    units = selectors.dossier_units(user=user)
    if not units:
        raise PermissionDenied(UNIT_ONLY)
    wanted = _int(request.GET.get("unit"))
    unit = next((u for u in units if u.pk == wanted), None) if wanted else units[0]
    if unit is None:
        raise Http404("Không tìm thấy cơ quan.")
    year = _int(request.GET.get("year"))
    status = request.GET.get("status", "")
    if status not in DossierStatus.values:
        status = ""
    found = selectors.unit_dossiers(user=user, unit=unit, year=year, status=status)
    page = Paginator(found, DOSSIERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/dossiers/unit_list.html",
        {
            "units": units,
            "unit": unit,
            "year": year or "",
            "status": status,
            "statuses": DossierStatus.choices,
            "page": page,
        },
    )


# ---------------------------------------------------------------- opening


def _open_page(
    request: HttpRequest,
    *,
    entry_form: OpenFromEntryForm,
    ad_hoc_form: OpenAdHocForm,
    error: str = "",
    status: int = 200,
    entries: list[DossierListEntry],
) -> HttpResponse:
    return render(
        request,
        "records/dossiers/open.html",
        {
            "entry_form": entry_form,
            "ad_hoc_form": ad_hoc_form,
            "entries": entries,
            "year": services.local_today().year,
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_open(request: HttpRequest) -> HttpResponse:
    """Open a dossier from the approved list of the year, or ad hoc (`?phat-sinh=1` posts)."""
    user = request_user(request)
    entries = services.approved_entries(user=user, year=services.local_today().year)
    choosable = [e for e in entries if not e.opened]  # type: ignore[attr-defined]
    initial = {"entry": request.GET.get("entry")} if request.GET.get("entry") else None
    if request.method == "GET":
        return _open_page(
            request,
            entry_form=OpenFromEntryForm(entries=choosable, initial=initial),
            ad_hoc_form=OpenAdHocForm(),
            entries=entries,
        )
    ad_hoc = request.POST.get("kind") == "ad_hoc"
    if ad_hoc:
        form: Any = OpenAdHocForm(request.POST)

        def call() -> Dossier:
            data = form.cleaned_data
            return services.dossier_open_ad_hoc(
                actor=user,
                unit=user.unit,
                title=data["title"],
                notation=data["notation"],
                item=data["retention_item"],
                fields=form.dossier_fields(),
                ip=client_ip(request),
            )

    else:
        form = OpenFromEntryForm(request.POST, entries=choosable)

        def call() -> Dossier:
            entry = next(e for e in choosable if e.pk == form.cleaned_data["entry"])
            return services.dossier_open_from_entry(
                actor=user, entry=entry, fields=form.dossier_fields(), ip=client_ip(request)
            )

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return _open_page(
            request,
            entry_form=(form if bound and not ad_hoc else OpenFromEntryForm(entries=choosable)),
            ad_hoc_form=form if bound and ad_hoc else OpenAdHocForm(),
            error=error,
            status=status,
            entries=entries,
        )

    opened: list[Dossier] = []

    def run() -> Dossier:
        opened.append(call())
        return opened[0]

    return form_action(
        request,
        form=form,
        call=run,
        success=lambda d: f"Đã mở hồ sơ {d.notation}.",
        done=lambda: redirect(_detail_url(opened[0])),
        page=page,
    )


# ---------------------------------------------------------------- the dossier


def _access(request: HttpRequest, pk: int) -> Dossier:
    return selectors.access_dossier(user=request_user(request), pk=pk)


def _share_candidates(dossier: Dossier) -> Any:
    return (
        User.objects.filter(unit_id=dossier.unit_id, status=AccountStatus.ACTIVE)
        .exclude(pk=dossier.handler_id)
        .order_by("full_name", "pk")
    )


def _detail_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    share_form: ShareForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    can_share = services.can_share(user, dossier)
    if can_share and share_form is None:
        share_form = ShareForm()
    if share_form is not None:
        model_choice_field(share_form, "user").queryset = _share_candidates(dossier)
    can_reopen = dossier.status == DossierStatus.CLOSED and rules.is_head(user, dossier.unit_id)
    return render(
        request,
        "records/dossiers/detail.html",
        {
            "page": selectors.dossier_page(dossier=dossier),
            "dossier": dossier,
            "can_change": rules.can_change(user, dossier),
            "can_share": can_share,
            "share_form": share_form,
            "can_reopen": can_reopen,
            "can_read_history": can_read_history(user, dossier),
            "reopen_form": reopen_form or (ReopenForm() if can_reopen else None),
            "frozen_message": services.frozen_message(dossier) if dossier.frozen else "",
        },
        status=status,
    )


@login_required
@require_GET
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier with its Appendix VI fields and its items; every view is recorded."""
    dossier = _access(request, pk)
    services.dossier_viewed(user=request_user(request), dossier=dossier, ip=client_ip(request))
    return _detail_page(request, dossier)


def _act(
    request: HttpRequest, dossier: Dossier, call: Callable[[], Any], success: str
) -> HttpResponse:
    """A button of the dossier page: done, or the refusal as a message on the page."""
    try:
        call()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(_detail_url(dossier))


@login_required
@require_http_methods(["GET", "POST"])
def dossier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    if dossier.frozen:
        raise PermissionDenied(services.frozen_message(dossier))
    if not rules.can_change(user, dossier):
        raise PermissionDenied(services.MSG_CHANGE_ONLY)
    if request.method == "GET":
        form = EditForm(
            initial={
                "title": dossier.title,
                "rights": dossier.rights,
                "language": dossier.language,
                "description": dossier.description,
                "construction": dossier.construction,
            }
        )
        return render(request, "records/dossiers/edit.html", {"form": form, "dossier": dossier})
    form = EditForm(request.POST)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "records/dossiers/edit.html",
            {"form": form, "dossier": dossier, "error": error},
            status=status,
        )

    return form_action(
        request,
        form=form,
        call=lambda: services.dossier_edit(
            actor=user,
            dossier=dossier,
            title=form.cleaned_data["title"],
            fields=form.dossier_fields(),
            ip=client_ip(request),
        ),
        success="Đã lưu thông tin hồ sơ.",
        done=lambda: redirect(_detail_url(dossier)),
        page=page,
    )


# ---------------------------------------------------------------- items


def _target(request: HttpRequest, kind: str, pk: int) -> Any:
    if kind not in ItemKind.values:
        raise Http404
    try:
        return services.readable_target(user=request_user(request), kind=kind, pk=pk)
    except ServiceError as exc:
        refusal_raise(exc)
        raise


def _target_label(kind: str, target: Any) -> tuple[str, str]:
    """What is being added, and the page it came from."""
    if kind == ItemKind.DOCUMENT:
        return (
            f"{target.get_direction_display()} số {target.number_symbol}: {target.subject}",
            reverse("documents:document_detail", args=[target.pk]),
        )
    if kind == ItemKind.DRAFT_VERSION:
        return (
            f"Dự thảo “{target.draft.subject}”, phiên bản {target.number}",
            reverse("drafting:draft_detail", args=[target.draft_id]),
        )
    document = target.entry.processing.document
    return (
        f"{target.get_kind_display()} “{target.original_name}” của văn bản đến số "
        f"{document.number_symbol}",
        reverse("workflow:document", args=[document.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_item_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """ "Thêm vào hồ sơ": the person's open dossiers (those they may change); the chosen one
    gets the record as its next item."""
    user = request_user(request)
    target = _target(request, kind, pk)
    label, back = _target_label(kind, target)
    choices = list(selectors.changeable_dossiers(user=user))
    form = AddForm(request.POST or None)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "records/dossiers/add.html",
            {
                "form": form,
                "label": label,
                "back": back,
                "kind_label": KIND_LABELS[ItemKind(kind)],
                "choices": choices,
                "error": error,
            },
            status=status,
        )

    if request.method == "GET":
        return page("", 200, False)
    chosen: list[Dossier] = []

    def call() -> Any:
        wanted = form.cleaned_data["dossier"]
        dossier = next((d for d in choices if d.pk == wanted), None)
        if dossier is None:
            # Not one of theirs, or closed meanwhile: the service says which.
            dossier = selectors.access_dossier(user=user, pk=wanted)
        chosen.append(dossier)
        return services.dossier_item_add(
            actor=user, dossier=dossier, kind=kind, pk=target.pk, ip=client_ip(request)
        )

    return form_action(
        request,
        form=form,
        call=call,
        success=lambda item: f"Đã thêm vào hồ sơ {chosen[0].notation} (thứ tự {item.ordinal}).",
        done=lambda: redirect(_detail_url(chosen[0])),
        page=page,
        denied_on_page=True,
    )


@login_required
@require_POST
def dossier_item_remove(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    return _act(
        request,
        dossier,
        lambda: services.dossier_item_remove(
            actor=user, dossier=dossier, item_id=item_id, ip=client_ip(request)
        ),
        "Đã bỏ văn bản khỏi hồ sơ; các văn bản còn lại được đánh số lại.",
    )


@login_required
@require_POST
def dossier_item_move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    up = request.POST.get("direction") != "down"
    return _act(
        request,
        dossier,
        lambda: services.dossier_item_move(
            actor=user, dossier=dossier, item_id=item_id, up=up, ip=client_ip(request)
        ),
        "Đã đổi thứ tự văn bản.",
    )


@login_required
@require_POST
def dossier_items_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Numbers typed beside every item (`so-<item id>`)."""
    user = request_user(request)
    dossier = _access(request, pk)
    numbers: dict[int, int] = {}
    bad = False
    for name in request.POST:
        if name.startswith("so-"):
            item_id, number = _int(name[3:]), _int(request.POST.get(name, "").strip())
            if item_id is None or number is None:
                bad = True
            else:
                numbers[item_id] = number

    def call() -> None:
        if bad:
            raise ServiceError(services.MSG_ORDER)
        services.dossier_items_order(
            actor=user, dossier=dossier, numbers=numbers, ip=client_ip(request)
        )

    return _act(request, dossier, call, "Đã sắp xếp lại thứ tự văn bản.")


# ---------------------------------------------------------------- closing and reopening


@login_required
@require_http_methods(["GET", "POST"])
def dossier_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The completeness check, the second look at the retention and the day the work ended."""
    user = request_user(request)
    dossier = _access(request, pk)
    if dossier.frozen:
        raise PermissionDenied(services.frozen_message(dossier))
    if not rules.can_change(user, dossier):
        raise PermissionDenied(services.MSG_CHANGE_ONLY)
    problems = services.dossier_problems(dossier)
    form = CloseForm(
        request.POST or None,
        problems=problems,
        initial={"retention_item": dossier.retention_item_id},
    )

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "records/dossiers/close.html",
            {
                "form": form,
                "dossier": dossier,
                "problems": problems,
                "today": services.local_today(),
                "error": error,
            },
            status=status,
        )

    if request.method == "GET":
        return page("", 200, False)
    return form_action(
        request,
        form=form,
        call=lambda: services.dossier_close(
            actor=user,
            dossier=dossier,
            work_ended_on=form.cleaned_data["work_ended_on"],
            item=form.cleaned_data["retention_item"],
            confirmed=form.cleaned_data["confirmed"],
            ip=client_ip(request),
        ),
        success=lambda d: (
            f"Đã kết thúc hồ sơ {d.notation}."
            + (f" Hạn nộp lưu: {d.handover_due_on:%d/%m/%Y}." if d.handover_due_on else "")
        ),
        done=lambda: redirect(_detail_url(dossier)),
        page=page,
    )


@login_required
@require_POST
def dossier_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    form = ReopenForm(request.POST)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if error:
            messages.error(request, error)
        return _detail_page(request, dossier, reopen_form=form if bound else None, status=status)

    return form_action(
        request,
        form=form,
        call=lambda: services.dossier_reopen(
            actor=user,
            dossier=dossier,
            reason=form.cleaned_data.get("reason", ""),
            ip=client_ip(request),
        ),
        success="Đã mở lại hồ sơ; lý do đã được ghi lại.",
        done=lambda: redirect(_detail_url(dossier)),
        page=page,
        on_form=False,
    )


# ---------------------------------------------------------------- reading given


@login_required
@require_POST
def dossier_share(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    if not services.can_share(user, dossier):
        raise PermissionDenied(services.MSG_SHARE_ONLY)
    form = ShareForm(request.POST)
    model_choice_field(form, "user").queryset = _share_candidates(dossier)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if error and not bound:
            messages.error(request, error)
        return _detail_page(request, dossier, share_form=form, status=status)

    return form_action(
        request,
        form=form,
        call=lambda: services.dossier_share(
            actor=user, dossier=dossier, user=form.cleaned_data["user"], ip=client_ip(request)
        ),
        success=lambda s: f"Đã cho {s.user.full_name} đọc hồ sơ.",
        done=lambda: redirect(_detail_url(dossier)),
        page=page,
    )


@login_required
@require_POST
def dossier_unshare(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    user = request_user(request)
    dossier = _access(request, pk)
    return _act(
        request,
        dossier,
        lambda: services.dossier_unshare(
            actor=user, dossier=dossier, user_id=user_id, ip=client_ip(request)
        ),
        "Đã thôi cho đọc hồ sơ.",
    )
