"""Work pages: "Việc của tôi", the deadline lists and the leader's dashboard (R18); delegation
and the unit's deadline policy."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, form_action, refusal_raise

from . import selectors, services
from .access import authority_of
from .forms import DelegationForm, DirectionTemplateForm, PolicyForm
from .models import DeadlinePolicy, Delegation

DASHBOARD_ONLY = "Chỉ lãnh đạo và văn thư đơn vị xem được trang tổng hợp xử lý văn bản."


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """What waits for me, urgent first, then by deadline; `?loai=` one kind of work only (the
    links of the home page, `selectors.KINDS`). An unknown kind shows everything, and says so."""
    # The menu's counts of the same request (read once, `request_work_counts`) tell which lists
    # have anything to read.
    work = selectors.my_work(
        user=request_user(request), counts=selectors.request_work_counts(request)
    )
    kind = request.GET.get("loai", "")
    if kind and kind not in selectors.KINDS:
        messages.warning(request, "Không có loại việc này; trang hiển thị mọi việc đang chờ.")
        kind = ""
    shown = work.only(kind)
    leaders = (
        selectors.leaders_of_units(unit_ids=work.authority.clerk_units) if shown.to_present else []
    )
    context = {
        "work": shown,
        "kind": kind,
        "kind_label": selectors.KINDS.get(kind, ""),
        "present_leaders": leaders,
    }
    return render(request, "workflow/my_work.html", context)


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon work by person, unit or assigning leader; htmx swaps the groups."""
    lists = selectors.deadline_lists(
        user=request_user(request), by=request.GET.get("theo", "nguoi")
    )
    context = {"lists": lists, "groupings": selectors.GROUPINGS}
    if request.headers.get("HX-Request"):
        return render(request, "workflow/_deadline_groups.html", context)
    return render(request, "workflow/deadlines.html", context)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leader's dashboard: documents by status, work by unit, person and deadline."""
    user = request_user(request)
    if not selectors.dashboard_allowed(authority_of(user)):
        raise PermissionDenied(DASHBOARD_ONLY)
    return render(request, "workflow/dashboard.html", {"board": selectors.dashboard(user=user)})


# ---------------------------------------------------------------- delegation


def _delegation_page(
    request: HttpRequest, *, form: DelegationForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    units, people = selectors.delegation_choices(user=user)
    if form is None and units:
        form = DelegationForm(units=units, people=people)
    return render(
        request,
        "workflow/delegations.html",
        {
            "form": form,
            "delegations": selectors.delegations_of(user=user),
            "now": clock.now(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest) -> HttpResponse:
    """A leader's delegations to a deputy, and the ones the person received."""
    if request.method == "GET":
        return _delegation_page(request)
    user = request_user(request)
    units, people = selectors.delegation_choices(user=user)
    if not units:
        raise PermissionDenied(services.MSG_NOT_DELEGATOR)
    form = DelegationForm(request.POST, units=units, people=people)
    return form_action(
        request,
        form=form,
        call=lambda: services.delegation_create(
            actor=user,
            unit=Unit.objects.get(pk=form.cleaned_data["unit"]),
            deputy=User.objects.filter(pk=form.cleaned_data["deputy"]).first(),
            starts_at=form.aware("starts_at"),
            ends_at=form.aware("ends_at"),
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        ),
        success=lambda delegation: f"Đã ủy quyền cho {delegation.deputy.full_name}.",
        done=lambda: redirect("workflow:delegations"),
        page=lambda error, status, bound: _delegation_page(request, form=form, status=status),
        invalid_status=400,
        refused_status=400,
    )


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    delegation = Delegation.objects.filter(pk=pk).select_related("unit", "deputy").first()
    if delegation is None or not (
        delegation.delegator_id == user.pk or user.can_manage_unit(delegation.unit)
    ):
        raise Http404("Không tìm thấy ủy quyền.")
    try:
        services.delegation_end(actor=user, delegation=delegation, ip=client_ip(request))
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã kết thúc ủy quyền.")
    return redirect("workflow:delegations")


# ---------------------------------------------------------------- deadline policy


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    """Default days per urgency and the reminder window of a unit, as data."""
    user = request_user(request)
    units = list(selectors.policy_units(user=user))
    if not units:
        raise PermissionDenied(services.MSG_POLICY)
    raw = request.POST.get("unit") or request.GET.get("unit") or ""
    chosen = next((u for u in units if str(u.pk) == raw), None)
    if raw and chosen is None:
        raise Http404("Không tìm thấy đơn vị.")
    if chosen is None:
        chosen = next((u for u in units if u.pk == user.unit_id), units[0])
    current = DeadlinePolicy.for_unit(chosen.pk)
    initial = {name: getattr(current, name) for name in services.POLICY_FIELDS}
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.deadline_policy_update(
                    actor=user, unit=chosen, values=form.cleaned_data, ip=client_ip(request)
                )
            except ServiceError as exc:
                refusal_raise(exc)
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Đã lưu quy định thời hạn xử lý của {chosen.name}.")
                return redirect(f"{reverse('workflow:policy')}?{urlencode({'unit': chosen.pk})}")
        status = 400
    else:
        form = PolicyForm(initial=initial)
    return render(
        request,
        "workflow/policy.html",
        {"form": form, "units": units, "unit": chosen, "policy": current},
        status=status,
    )


# ---------------------------------------------------------------- direction templates


def _templates_page(
    request: HttpRequest, *, form: DirectionTemplateForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "workflow/direction_templates.html",
        {
            "form": form or DirectionTemplateForm(),
            "templates": selectors.direction_templates_of(user),
            "is_leader": bool(authority_of(user).all_leader_units),
            "limit": services.MAX_TEMPLATES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def direction_templates(request: HttpRequest) -> HttpResponse:
    """A leader's direction templates: the list, and a new one added."""
    if request.method == "GET":
        return _templates_page(request)
    user = request_user(request)
    form = DirectionTemplateForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: services.direction_template_add(
            actor=user, text=form.cleaned_data["text"], ip=client_ip(request)
        ),
        success="Đã lưu mẫu ý kiến chỉ đạo.",
        done=lambda: redirect("workflow:direction_templates"),
        page=lambda error, status, bound: _templates_page(request, form=form, status=status),
        invalid_status=400,
        refused_status=400,
        denied_on_page=True,
    )


@login_required
@require_POST
def direction_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.direction_template_delete(
            actor=request_user(request), template_id=pk, ip=client_ip(request)
        )
    except ServiceError as exc:
        refusal_raise(exc)  # only "not found" is possible: someone else's, or gone
        raise
    messages.success(request, "Đã xóa mẫu ý kiến chỉ đạo.")
    return redirect("workflow:direction_templates")
