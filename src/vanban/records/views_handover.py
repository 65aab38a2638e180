"""Pages of the hand-over to the agency archive and of the fonds (R19; NĐ 30/2020 Art. 31;
docs/records.md): the unit's due dossiers, its hand-over lists, the archive's queue and holdings,
keeping back, the fonds, and the two prints (the list and the minutes, A4, WeasyPrint)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Role, Unit
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, form_action, refusal_raise
from vanban.reports.pdf import document_date_line, render_pdf

from . import handover as services
from . import rules
from .forms_handover import (
    DecideForm,
    DossierChoiceForm,
    FondsCloseForm,
    FondsOpenForm,
    KeepBackForm,
    ReturnForm,
)
from .models import Dossier, HandOver, HandOverStatus


def _act(request: HttpRequest, call: Callable[[], Any], success: str, back: str) -> HttpResponse:
    """A button: done, or the refusal as a message on the page it came from."""
    try:
        call()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(back)


# ---------------------------------------------------------------- the unit's side


@login_required
@require_GET
def handover_due(request: HttpRequest) -> HttpResponse:
    """The dossiers due for hand-over that the person answers for."""
    page = services.due_page(user=request_user(request))
    return render(request, "records/handover/due.html", {"page": page})


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    rows = services.handover_rows(user=request_user(request))
    return render(request, "records/handover/list.html", {"rows": rows})


def _chosen(request: HttpRequest) -> DossierChoiceForm:
    ids = []
    for value in request.POST.getlist("dossiers"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return DossierChoiceForm(request.POST, choices=ids)


def _refused_on_due(request: HttpRequest, error: str, status: int) -> HttpResponse:
    messages.error(request, error)
    page = services.due_page(user=request_user(request))
    return render(request, "records/handover/due.html", {"page": page}, status=status)


@login_required
@require_POST
def handover_create(request: HttpRequest) -> HttpResponse:
    """A list of the ticked dossiers (all of one agency)."""
    user = request_user(request)
    form = _chosen(request)
    units: set[int] = set()
    if form.is_valid():
        units = set(
            Dossier.objects.filter(pk__in=form.cleaned_data["dossiers"]).values_list(
                "unit_id", flat=True
            )
        )
        if not units:
            raise Http404
        if len(units) > 1:
            return _refused_on_due(
                request, "Mỗi mục lục nộp lưu chỉ gồm hồ sơ của một cơ quan.", 200
            )
    unit = Unit.objects.get(pk=next(iter(units))) if units else None
    created: list[HandOver] = []

    def call() -> HandOver:
        if unit is None:  # the form did not parse: never called
            raise Http404
        hand_over = services.handover_create(
            actor=user, unit=unit, dossier_ids=form.cleaned_data["dossiers"], ip=client_ip(request)
        )
        created.append(hand_over)
        return hand_over

    return form_action(
        request,
        form=form,
        call=call,
        success=lambda h: f"Đã lập mục lục nộp lưu số {h.pk} gồm {h.items.count()} hồ sơ.",
        done=lambda: redirect("records:handover_detail", pk=created[0].pk),
        page=lambda error, status, bound: _refused_on_due(request, error, status),
    )


def _detail_page(
    request: HttpRequest,
    hand_over: HandOver,
    *,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    items = services.handover_items(hand_over)
    can_edit = services.can_edit_handover(user, hand_over)
    can_check = hand_over.status == HandOverStatus.SUBMITTED and rules.is_archivist(
        user, hand_over.unit_id
    )
    return render(
        request,
        "records/handover/detail.html",
        {
            "hand_over": hand_over,
            "items": items,
            "can_edit": can_edit,
            "can_check": can_check,
            "return_form": return_form or ReturnForm(),
            "accepted": hand_over.status == HandOverStatus.ACCEPTED,
            "candidates": _candidates(user, hand_over) if can_edit else [],
        },
        status=status,
    )


def _candidates(user: Any, hand_over: HandOver) -> list[Dossier]:
    """Due dossiers of the same agency not in any list yet, to add to this one."""
    rows = services.due_page(user=user).rows
    return [
        r.dossier for r in rows if r.dossier.unit_id == hand_over.unit_id and r.listed_in is None
    ]


@login_required
@require_GET
def handover_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hand_over = services.access_handover(user=request_user(request), pk=pk)
    return _detail_page(request, hand_over)


@login_required
@require_POST
def handover_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hand_over = services.access_handover(user=user, pk=pk)
    form = _chosen(request)
    back = services.handover_url_of(hand_over)
    if not form.is_valid():
        messages.error(request, "Hãy chọn ít nhất một hồ sơ để nộp lưu.")
        return redirect(back)
    return _act(
        request,
        lambda: services.handover_add(
            actor=user,
            hand_over=hand_over,
            dossier_ids=form.cleaned_data["dossiers"],
            ip=client_ip(request),
        ),
        "Đã thêm hồ sơ vào mục lục nộp lưu.",
        back,
    )


@login_required
@require_POST
def handover_remove(request: HttpRequest, pk: int, dossier_id: int) -> HttpResponse:
    user = request_user(request)
    hand_over = services.access_handover(user=user, pk=pk)
    return _act(
        request,
        lambda: services.handover_remove(
            actor=user, hand_over=hand_over, dossier_id=dossier_id, ip=client_ip(request)
        ),
        "Đã bỏ hồ sơ khỏi mục lục nộp lưu.",
        services.handover_url_of(hand_over),
    )


@login_required
@require_POST
def handover_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hand_over = services.access_handover(user=user, pk=pk)
    return _act(
        request,
        lambda: services.handover_submit(actor=user, hand_over=hand_over, ip=client_ip(request)),
        "Đã gửi mục lục nộp lưu cho lưu trữ cơ quan; hồ sơ không sửa được trong khi chờ kiểm tra.",
        services.handover_url_of(hand_over),
    )


# ---------------------------------------------------------------- the archive's side


@login_required
@require_POST
def handover_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hand_over = services.access_handover(user=user, pk=pk)
    return _act(
        request,
        lambda: services.handover_accept(actor=user, hand_over=hand_over, ip=client_ip(request)),
        "Đã tiếp nhận hồ sơ nộp lưu và lập biên bản giao nhận.",
        services.handover_url_of(hand_over),
    )


@login_required
@require_POST
def handover_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    hand_over = services.access_handover(user=user, pk=pk)
    form = ReturnForm(request.POST)
    notes: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("note-") and key[5:].isdigit() and value.strip():
            notes[int(key[5:])] = value

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        if error:
            messages.error(request, error)
        return _detail_page(request, hand_over, return_form=form if bound else None, status=status)

    return form_action(
        request,
        form=form,
        call=lambda: services.handover_return(
            actor=user,
            hand_over=hand_over,
            reason=form.cleaned_data["reason"],
            notes=notes,
            ip=client_ip(request),
        ),
        success="Đã trả lại mục lục nộp lưu cho đơn vị.",
        done=lambda: redirect(services.handover_url_of(hand_over)),
        page=page,
        on_form=False,
    )


@login_required
@require_GET
def archive_queue(request: HttpRequest) -> HttpResponse:
    rows = services.archive_queue(user=request_user(request))
    return render(request, "records/handover/queue.html", {"rows": rows})


@login_required
@require_GET
def archive_holdings(request: HttpRequest) -> HttpResponse:
    groups = services.archive_holdings(user=request_user(request))
    return render(request, "records/handover/holdings.html", {"groups": groups})


# ---------------------------------------------------------------- the prints


def _pdf(template: str, context: dict[str, Any], name: str) -> HttpResponse:
    return HttpResponse(
        render_pdf(template, context),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


def _print_context(hand_over: HandOver) -> dict[str, Any]:
    items = services.handover_items(hand_over)
    years = [i.dossier.year for i in items]
    day = (
        timezone.localdate(hand_over.decided_at)
        if hand_over.decided_at
        else (timezone.localdate(hand_over.submitted_at) if hand_over.submitted_at else None)
    )
    return {
        "hand_over": hand_over,
        "unit": hand_over.unit,
        "fonds": hand_over.fonds,
        "items": items,
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
        "date_line": document_date_line(place=hand_over.unit.place_name, day=day),
        "day_words": "n" + document_date_line(place="", day=day)[1:],
        "day": day,
    }


@login_required
@require_GET
def handover_list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Mục lục hồ sơ, tài liệu nộp lưu (NĐ 30/2020 Art. 31)."""
    hand_over = services.access_handover(user=request_user(request), pk=pk)
    return _pdf(
        "records/handover/list_pdf.html",
        _print_context(hand_over),
        f"muc-luc-nop-luu-{hand_over.pk}",
    )


@login_required
@require_GET
def handover_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Biên bản giao nhận hồ sơ, tài liệu: only once the archive accepted the list."""
    hand_over = services.access_handover(user=request_user(request), pk=pk)
    if hand_over.status != HandOverStatus.ACCEPTED:
        raise Http404
    return _pdf(
        "records/handover/minutes_pdf.html",
        _print_context(hand_over),
        f"bien-ban-giao-nhan-{hand_over.minutes_number}-{hand_over.fonds_id}",
    )


# ---------------------------------------------------------------- keeping back


@login_required
@require_GET
def keep_back_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows = services.keep_back_rows(user=user)
    heads = services.head_units(user)
    return render(
        request,
        "records/handover/keep_backs.html",
        {"rows": rows, "heads": heads, "form": DecideForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def keep_back_request(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = request_user(request)
    dossier = Dossier.objects.select_related("unit").filter(pk=dossier_id).first()
    if dossier is None or not rules.can_read(user, dossier):
        raise Http404
    allowed = services.can_request_keep_back(user, dossier)
    refusal = services.MSG_KEEP_BACK_WHO.format(unit=dossier.unit.name)
    limit = services.keep_back_limit(dossier)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "records/handover/keep_back_form.html",
            {
                "form": form if bound else KeepBackForm(),
                "dossier": dossier,
                "limit": limit,
                "error": error,
            },
            status=status,
        )

    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        form = KeepBackForm()
        return page("", 200, True)
    form = KeepBackForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: services.keep_back_request(
            actor=user,
            dossier=dossier,
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data["until"],
            ip=client_ip(request),
        ),
        success="Đã gửi đề nghị giữ lại hồ sơ cho thủ trưởng.",
        done=lambda: redirect("records:keep_back_list"),
        page=page,
        allowed=allowed,
        refusal=refusal,
    )


@login_required
@require_POST
def keep_back_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    keep = services.access_keep_back(user=user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy chọn đồng ý hoặc không đồng ý.")
        return redirect("records:keep_back_list")
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        lambda: services.keep_back_decide(
            actor=user, keep_back=keep, approve=approve, ip=client_ip(request)
        ),
        "Đã đồng ý giữ lại hồ sơ." if approve else "Đã không đồng ý giữ lại hồ sơ.",
        "records:keep_back_list",
    )


# ---------------------------------------------------------------- fonds


@login_required
@require_GET
def fonds_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows = services.fonds_rows(user=user)
    can_open = services.openable_units(user).exists()
    return render(request, "records/handover/fonds_list.html", {"rows": rows, "can_open": can_open})


@login_required
@require_http_methods(["GET", "POST"])
def fonds_open(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    units = services.openable_units(user)
    allowed = user.is_province_admin or any(r == Role.UNIT_ADMIN for _u, r in user.role_pairs())
    refusal = "Chỉ quản trị tỉnh hoặc quản trị đơn vị được mở phông lưu trữ."
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(refusal)
        form = FondsOpenForm(units=units)
    else:
        form = FondsOpenForm(request.POST, units=units)

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "records/handover/fonds_open.html",
            {"form": form if bound else FondsOpenForm(units=units), "error": error},
            status=status,
        )

    if request.method == "GET":
        return page("", 200, True)
    opened: list[Any] = []

    def call() -> Any:
        data = form.cleaned_data
        fonds = services.fonds_open(
            actor=user,
            unit=data["unit"],
            name=data["name"],
            code=data.get("code", ""),
            opened_on=data["opened_on"],
            note=data.get("note", ""),
            ip=client_ip(request),
        )
        opened.append(fonds)
        return fonds

    return form_action(
        request,
        form=form,
        call=call,
        success="Đã mở phông lưu trữ.",
        done=lambda: redirect("records:fonds_detail", pk=opened[0].pk),
        page=page,
        allowed=allowed,
        refusal=refusal,
    )


def _fonds_page(
    request: HttpRequest, fonds: Any, *, form: FondsCloseForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    hand_overs = list(
        fonds.hand_overs.filter(status=HandOverStatus.ACCEPTED)
        .select_related("prepared_by", "checked_by")
        .order_by("minutes_number")
    )
    return render(
        request,
        "records/handover/fonds_detail.html",
        {
            "fonds": fonds,
            "hand_overs": hand_overs,
            "can_close": fonds.closed_on is None and services.can_manage_fonds(user, fonds.unit),
            "form": form or FondsCloseForm(),
        },
        status=status,
    )


@login_required
@require_GET
def fonds_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fonds = services.access_fonds(user=request_user(request), pk=pk)
    return _fonds_page(request, fonds)


@login_required
@require_POST
def fonds_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    fonds = services.access_fonds(user=user, pk=pk)
    form = FondsCloseForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: services.fonds_close(
            actor=user,
            fonds=fonds,
            closed_on=form.cleaned_data["closed_on"],
            note=form.cleaned_data.get("note", ""),
            ip=client_ip(request),
        ),
        success="Đã đóng phông lưu trữ; phông không nhận thêm hồ sơ nộp lưu.",
        done=lambda: redirect("records:fonds_detail", pk=fonds.pk),
        page=lambda error, status, bound: _fonds_page(
            request, fonds, form=form if bound else None, status=status
        ),
        allowed=services.can_manage_fonds(user, fonds.unit),
        refusal=services.MSG_FONDS_ADMIN_ONLY.format(unit=fonds.unit.name),
    )
