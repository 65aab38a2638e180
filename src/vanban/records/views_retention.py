"""Pages of the retention schedule: everyone signed in reads it; the province administrator
adds, corrects, stops and deletes items (R19; TT 10/2022/TT-BNV; docs/records.md)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, form_action, refusal_raise

from . import retention
from .forms_lists import ItemForm
from .models import RetentionItem


@login_required
@require_GET
def retention_schedule(request: HttpRequest) -> HttpResponse:
    schedule = retention.current_schedule()
    return render(
        request,
        "records/retention/schedule.html",
        {
            "schedule": schedule,
            "groups": retention.schedule_groups(schedule) if schedule else [],
            "can_edit": retention.is_editor(request_user(request)),
        },
    )


def _form_page(
    request: HttpRequest,
    form: ItemForm,
    *,
    item: RetentionItem | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "records/retention/item_form.html",
        {"form": form, "item": item, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_item_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    allowed = retention.is_editor(user)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(retention.MSG_ADMIN_ONLY)
        initial = {"group": request.GET.get("nhom")} if request.GET.get("nhom") else None
        return _form_page(request, ItemForm(initial=initial))
    form = ItemForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: retention.item_create(
            actor=user, data=form.item_input(), ip=client_ip(request)
        ),
        success=lambda item: f"Đã thêm “{item.title}” vào bảng thời hạn bảo quản.",
        done=lambda: redirect("records:retention_schedule"),
        page=lambda error, status, bound: _form_page(
            request, form if bound else ItemForm(), error=error, status=status
        ),
        allowed=allowed,
        refusal=retention.MSG_ADMIN_ONLY,
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = retention.access_item(pk=pk)
    allowed = retention.is_editor(user)
    if request.method == "GET":
        if not allowed:
            raise PermissionDenied(retention.MSG_ADMIN_ONLY)
        return _form_page(request, ItemForm(initial=ItemForm.initial_of(item)), item=item)
    form = ItemForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: retention.item_edit(
            actor=user, item=item, data=form.item_input(), ip=client_ip(request)
        ),
        success="Đã sửa mục của bảng thời hạn bảo quản.",
        done=lambda: redirect("records:retention_schedule"),
        page=lambda error, status, bound: _form_page(
            request,
            form if bound else ItemForm(initial=ItemForm.initial_of(item)),
            item=item,
            error=error,
            status=status,
        ),
        allowed=allowed,
        refusal=retention.MSG_ADMIN_ONLY,
    )


def _act(request: HttpRequest, call: Callable[[], Any], success: str) -> HttpResponse:
    try:
        call()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("records:retention_schedule")


@login_required
@require_POST
def retention_item_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = retention.access_item(pk=pk)
    return _act(
        request,
        lambda: retention.item_set_active(
            actor=user, item=item, active=False, ip=client_ip(request)
        ),
        "Đã ngừng sử dụng mục này; danh mục hồ sơ mới không chọn được nó nữa.",
    )


@login_required
@require_POST
def retention_item_activate(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = retention.access_item(pk=pk)
    return _act(
        request,
        lambda: retention.item_set_active(
            actor=user, item=item, active=True, ip=client_ip(request)
        ),
        "Đã dùng lại mục này.",
    )


@login_required
@require_POST
def retention_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    item = retention.access_item(pk=pk)
    return _act(
        request,
        lambda: retention.item_delete(actor=user, item=item, ip=client_ip(request)),
        "Đã xóa mục khỏi bảng thời hạn bảo quản.",
    )
