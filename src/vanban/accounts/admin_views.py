"""Administration pages for units and accounts (R2, R3, R4, R7).

Thin views: parse the form, call accounts.services / accounts.selectors, show the result.
A person without any admin role gets 403; an object the admin does not manage answers 404.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.forms import show_service_error
from vanban.core.http import client_ip, refusal_raise
from vanban.core.text import fold

from . import selectors, services
from .forms import (
    LEVEL_HINT,
    AccountAliasEndForm,
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    AccountLockForm,
    AccountRevokeForm,
    AccountRolesForm,
    AccountUnlockForm,
    PolicyForm,
    UnitCreateForm,
    UnitDayForm,
    UnitForm,
)
from .models import (
    MAX_UNIT_LEVEL,
    AccountPolicy,
    AccountStatus,
    LockReason,
    RevokeReason,
    Role,
    RoleAssignment,
    User,
)
from .unit_history import UnitFacts, predecessors_of, successors_of, unit_facts_on

ACCOUNTS_PER_PAGE = 50


# ---------------------------------------------------------------- helpers


def _require_admin(user: User) -> None:
    """403 unless the person administers at least one unit (R7)."""
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        raise PermissionDenied("Bạn không có quyền quản trị.")


def _require_province_admin(user: User) -> None:
    if not user.is_province_admin:
        raise PermissionDenied("Chỉ quản trị tỉnh được thực hiện thao tác này.")


def _access_account(request: HttpRequest, pk: int) -> User:
    _require_admin(request.user)
    return selectors.access_account(user=request.user, pk=pk)


def _reason_label(code: str) -> str:
    for choices in (LockReason, RevokeReason):
        if code in choices.values:
            return str(choices(code).label)
    return code


def _one_time_password_page(
    request: HttpRequest, *, account: User, secret: str, title: str
) -> HttpResponse:
    """Shown once, in the response to the POST; the password is stored nowhere in clear (R5)."""
    response = render(
        request,
        "accounts/admin/account_password.html",
        {
            "account": account,
            "secret": secret,
            "title": title,
        },
    )
    add_never_cache_headers(response)
    return response


# ---------------------------------------------------------------- accounts


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    """Accounts the admin manages: search (no diacritics needed), filters, 50 a page."""
    _require_admin(request.user)
    form = AccountFilterForm(
        request.GET or None, units=selectors.units_managed_by(user=request.user)
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        filters = {
            "query": form.cleaned_data["q"],
            "unit_id": unit.pk if unit else None,
            "status": form.cleaned_data["status"],
        }
    accounts = selectors.account_list(user=request.user, **filters).prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    template = (
        "accounts/admin/_account_table.html"
        if request.headers.get("HX-Request")
        else "accounts/admin/account_list.html"
    )
    return render(request, template, {"form": form, "page": page})


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    """Issue an account and show its one-time password once (R2, R5, R7)."""
    _require_admin(request.user)
    units = selectors.units_managed_by(user=request.user).filter(is_active=True)
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit") else None
    only = list(units[:2])
    if initial is None and len(only) == 1:  # an admin of one unit has nothing to choose
        initial = {"unit": only[0].pk}
    form = AccountCreateForm(request.POST or None, actor=request.user, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.account_create(
                actor=request.user,
                unit=data["unit"],
                full_name=data["full_name"],
                username=data["username"],
                position=data["position"],
                email=data["email"],
                phone=data["phone"],
                roles=data["roles"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _one_time_password_page(
                request,
                account=issued.user,
                secret=issued.one_time_password,
                title="Đã cấp tài khoản",
            )
    return render(request, "accounts/admin/account_create.html", {"form": form})


@login_required
@require_GET
def account_username_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: the account name suggested for the name typed so far (R2)."""
    _require_admin(request.user)
    suggestion = ""
    unit_pk = request.GET.get("unit", "")
    if unit_pk.isdigit():
        unit = selectors.access_unit(user=request.user, pk=int(unit_pk))
        full_name = request.GET.get("full_name", "")[:100]
        if full_name.strip():
            try:
                suggestion = services.username_suggest(full_name=full_name, unit=unit)
            except ServiceError:
                suggestion = ""
    return render(request, "accounts/admin/_username_suggestion.html", {"suggestion": suggestion})


def _detail_page(
    request: HttpRequest,
    account: User,
    *,
    reset_error: str = "",
    second_factor_error: str = "",
    alias_error: tuple[int, str] | None = None,
    **bound: Form,
) -> HttpResponse:
    """The account's page; `bound` replaces a blank form with one that carries errors."""
    actor = request.user
    current_roles = sorted(r for u, r in account.role_pairs() if u == account.unit_id)
    forms = {
        "edit_form": AccountEditForm(
            prefix="edit",
            initial={
                "full_name": account.full_name,
                "position": account.position,
                "email": account.email,
                "phone": account.phone,
            },
        ),
        "roles_form": AccountRolesForm(
            prefix="roles", actor=actor, initial={"roles": current_roles}
        ),
        "lock_form": AccountLockForm(prefix="lock"),
        "unlock_form": AccountUnlockForm(prefix="unlock"),
        "revoke_form": AccountRevokeForm(prefix="revoke"),
        "alias_form": AccountAliasEndForm(prefix="alias"),
        **bound,
    }
    return render(
        request,
        "accounts/admin/account_detail.html",
        {
            "account": account,
            "roles": selectors.roles_of(user=account),
            "history": selectors.account_history(user=actor, account=account),
            "is_self": account.pk == actor.pk,
            # Only the province admin changes the roles of a province admin (R7).
            "can_set_roles": actor.is_province_admin or not account.has_role(Role.PROVINCE_ADMIN),
            "status_reason": _reason_label(account.status_reason),
            "Status": AccountStatus,
            "reset_error": reset_error,
            "second_factor_enrolled": services.second_factor_enrolled(account),
            "second_factor_required": services.second_factor_required(account),
            "second_factor_error": second_factor_error,
            "former_names": selectors.aliases_of(account=account),
            # The former name whose ending was refused, and why.
            "alias_error_pk": alias_error[0] if alias_error else None,
            "alias_error": alias_error[1] if alias_error else "",
            **forms,
        },
    )


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _access_account(request, pk)
    return _detail_page(request, account)


def _done(request: HttpRequest, account: User, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("accounts:account_detail", pk=account.pk)


@login_required
@require_POST
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _access_account(request, pk)
    form = AccountEditForm(request.POST, prefix="edit")
    if form.is_valid():
        try:
            services.account_update(
                actor=request.user, user=account, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _done(request, account, f"Đã cập nhật thông tin tài khoản {account.username}.")
    return _detail_page(request, account, edit_form=form)


@login_required
@require_POST
def account_roles(request: HttpRequest, pk: int) -> HttpResponse:
    account = _access_account(request, pk)
    form = AccountRolesForm(request.POST, prefix="roles", actor=request.user)
    if form.is_valid():
        try:
            services.account_set_roles(
                actor=request.user,
                user=account,
                roles=form.cleaned_data["roles"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _done(request, account, f"Đã cập nhật vai trò của tài khoản {account.username}.")
    return _detail_page(request, account, roles_form=form)


@login_required
@require_POST
def account_lock(request: HttpRequest, pk: int) -> HttpResponse:
    """R3: lock with one of the regulation's reasons and a written note."""
    account = _access_account(request, pk)
    form = AccountLockForm(request.POST, prefix="lock")
    if form.is_valid():
        try:
            services.account_lock(
                actor=request.user, user=account, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _done(request, account, f"Đã tạm khóa tài khoản {account.username}.")
    return _detail_page(request, account, lock_form=form)


@login_required
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = _access_account(request, pk)
    form = AccountUnlockForm(request.POST, prefix="unlock")
    if form.is_valid():
        try:
            services.account_unlock(
                actor=request.user,
                user=account,
                ip=client_ip(request),
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return _done(request, account, f"Đã mở khóa tài khoản {account.username}.")
    return _detail_page(request, account, unlock_form=form)


@login_required
@require_POST
def account_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """R4: revoke, or remove a person who left the unit; documents and history stay."""
    account = _access_account(request, pk)
    form = AccountRevokeForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.account_revoke(
                actor=request.user, user=account, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            done = (
                "Đã xóa tài khoản {} khỏi đơn vị."
                if form.cleaned_data["reason"] == RevokeReason.LEFT_UNIT
                else "Đã thu hồi tài khoản {}."
            )
            return _done(request, account, done.format(account.username))
    return _detail_page(request, account, revoke_form=form)


@login_required
@require_POST
def account_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """R7: a new one-time password, shown once; the person changes it at login (R5)."""
    account = _access_account(request, pk)
    try:
        secret = services.account_reset_password(
            actor=request.user, user=account, ip=client_ip(request)
        )
    except ServiceError as exc:
        refusal_raise(exc)
        return _detail_page(request, account, reset_error=exc.message)
    return _one_time_password_page(
        request, account=account, secret=secret, title="Đã cấp lại mật khẩu"
    )


@login_required
@require_POST
def account_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """R6, R7: remove the person's authenticator and recovery codes; they enrol again."""
    account = _access_account(request, pk)
    try:
        services.second_factor_reset(actor=request.user, user=account, ip=client_ip(request))
    except ServiceError as exc:
        refusal_raise(exc)
        return _detail_page(request, account, second_factor_error=exc.message)
    return _done(
        request,
        account,
        f"Đã đặt lại xác thực hai bước của tài khoản {account.username}; mọi phiên đăng nhập "
        "của tài khoản đã kết thúc.",
    )


@login_required
@require_POST
def account_alias_end(request: HttpRequest, pk: int, alias_pk: int) -> HttpResponse:
    """R2, R7: end a former account name early, after the admin confirms."""
    account = _access_account(request, pk)
    form = AccountAliasEndForm(request.POST, prefix="alias")
    if not form.is_valid():
        message = form.errors["confirm"][0]
        return _detail_page(request, account, alias_error=(alias_pk, message))
    try:
        alias = services.account_alias_end(
            actor=request.user, user=account, alias_id=alias_pk, ip=client_ip(request)
        )
    except ServiceError as exc:
        refusal_raise(exc)
        return _detail_page(request, account, alias_error=(alias_pk, exc.message))
    return _done(
        request,
        account,
        f"Đã kết thúc tên cũ {alias.username}: tên này không đăng nhập được nữa.",
    )


# ---------------------------------------------------------------- units


def _unit_tree(units: list[Any], parent_of: Callable[[Any], int | None]) -> list[Any]:
    """Units in tree order (each followed by its sub-units); orphans of a search start a branch.
    `parent_of` gives a unit's parent id (on the day shown)."""
    present = {u.pk for u in units}
    children: dict[int | None, list[Any]] = {}
    for unit in units:
        parent = parent_of(unit) if parent_of(unit) in present else None
        children.setdefault(parent, []).append(unit)
    ordered: list[Any] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return ordered


@dataclass(frozen=True)
class UnitRow:
    """A unit of the tree of a day: the unit, and its name, code and place as they were then."""

    unit: Any
    facts: UnitFacts
    ended: bool  # the unit has ended by today (shown with its period)

    @property
    def pk(self) -> int:
        return int(self.unit.pk)


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """The tree of units of a day (today by default) that the admin manages, as they were that
    day, with their account counts; a unit admin sees their own (R7). Units ended since show
    their period (docs/reorganisation.md)."""
    _require_admin(request.user)
    query = request.GET.get("q", "")[:100]
    today = timezone.localdate(clock.now())
    form = UnitDayForm(request.GET if request.GET.get("ngay") else None)
    day = form.cleaned_data["ngay"] if form.is_bound and form.is_valid() else today
    units = list(selectors.unit_list(user=request.user, query=query, day=day))
    rows = [
        UnitRow(
            unit=unit,
            facts=unit_facts_on(unit, day),
            ended=unit.end_date is not None and unit.end_date < today,
        )
        for unit in units
    ]
    rows.sort(key=lambda r: (r.facts.level, fold(r.facts.name), r.pk))
    return render(
        request,
        "accounts/admin/unit_list.html",
        {
            "rows": _unit_tree(rows, lambda row: row.facts.parent_id),
            "query": query,
            "day": day,
            "is_today": day == today,
            "day_form": form if form.is_bound else UnitDayForm(initial={"ngay": today}),
            "can_edit": request.user.is_province_admin,
            "level_hint": LEVEL_HINT,
        },
    )


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    """The province admin adds a unit to the directory (R7)."""
    _require_admin(request.user)
    _require_province_admin(request.user)
    parents = selectors.units_managed_by(user=request.user).filter(level__lt=MAX_UNIT_LEVEL)
    form = UnitCreateForm(
        request.POST or None,
        parents=parents,
        initial={"parent": parents.order_by("level", "pk").first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"Đã thêm đơn vị {unit.name}.")
            return redirect("accounts:unit_list")
    return render(request, "accounts/admin/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The province admin edits a unit; its account-name part is fixed once it has accounts."""
    _require_admin(request.user)
    unit = selectors.access_unit(user=request.user, pk=pk)
    _require_province_admin(request.user)
    form = UnitForm(
        request.POST or None,
        initial={
            "name": unit.name,
            "symbol": unit.symbol,
            "abbreviation": unit.abbreviation,
            "agency_code": unit.agency_code,
            "is_active": unit.is_active,
            **{key: getattr(unit, key) for key in services.UNIT_DATA_FIELDS},
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, f"Đã cập nhật đơn vị {unit.name}.")
            return redirect("accounts:unit_list")
    return render(
        request,
        "accounts/admin/unit_form.html",
        {"form": form, "unit": unit, **_unit_history(unit)},
    )


def _unit_history(unit: Any) -> dict[str, Any]:
    """A unit's history (docs/reorganisation.md): its period, its past names and codes with the
    decisions that changed them, the units it carries on and those that carry it on. Three
    queries."""
    return {
        "period": unit_facts_on(unit, None).period,
        "records": list(unit.history.select_related("parent").order_by("valid_until")),
        "predecessors": predecessors_of(unit),
        "successors": successors_of(unit),
    }


# ---------------------------------------------------------------- policy


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """The province admin edits the account policy (R3-R5)."""
    _require_admin(request.user)
    _require_province_admin(request.user)
    form = PolicyForm(request.POST or None, instance=AccountPolicy.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=request.user, values=form.cleaned_data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu chính sách tài khoản.")
            return redirect("accounts:policy")
    return render(request, "accounts/admin/policy.html", {"form": form})
