"""Pages of Quản trị › Sắp xếp đơn vị (docs/reorganisation.md, "Preparing and applying a plan"):
the plans, uploading one, its preview, applying it and its report. Province administrator only
(R7); every refusal is the page again with the Vietnamese reason and nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core.errors import ServiceError

from .apply import plan_apply, plan_create, plan_record_preview, today_local
from .models import PlanState, ReorganisationPlan
from .plan import MAX_PLAN_BYTES
from .preview import NOT_PROVINCE_ADMIN
from .report import plan_report, plan_report_pdf_bytes

NO_FILE = "Hãy chọn tệp kế hoạch (PLAN.json)."
TOO_LARGE = "Tệp kế hoạch lớn quá 2 MB."
NOT_CONFIRMED = "Hãy đánh dấu ô xác nhận trước khi áp dụng kế hoạch."


def _province_admin(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_province_admin:
        raise PermissionDenied(NOT_PROVINCE_ADMIN)
    return user


def _plan(pk: int) -> ReorganisationPlan:
    record = ReorganisationPlan.objects.select_related("created_by", "applied_by").filter(pk=pk)
    found = record.first()
    if found is None:
        raise Http404("Không tìm thấy kế hoạch sắp xếp đơn vị.")
    return found


def _list_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    plans = ReorganisationPlan.objects.select_related("created_by", "applied_by")
    return render(
        request,
        "reorganisation/plan_list.html",
        {"plans": plans, "error": error, "states": PlanState},
        status=status,
    )


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans, newest first, and the form to upload one."""
    _province_admin(request)
    return _list_page(request)


@login_required
@require_POST
def plan_upload(request: HttpRequest) -> HttpResponse:
    """Keep an uploaded PLAN.json once it passes every check, then show its preview."""
    actor = _province_admin(request)
    upload = request.FILES.get("plan_file")
    if upload is None:
        return _list_page(request, error=NO_FILE, status=400)
    if upload.size is not None and upload.size > MAX_PLAN_BYTES:
        return _list_page(request, error=TOO_LARGE, status=400)
    try:
        record = plan_create(actor=actor, data=upload.read())
    except ServiceError as exc:
        return _list_page(request, error=exc.message, status=400)
    messages.success(request, "Đã tải lên kế hoạch; hãy xem trước rồi áp dụng.")
    return redirect("reorganisation:plan_detail", pk=record.pk)


def _detail_page(
    request: HttpRequest,
    record: ReorganisationPlan,
    actor: User,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "record": record,
        "error": error,
        "today": today_local(),
        "applied": record.state == PlanState.APPLIED,
    }
    if record.schedule:
        context["report"] = plan_report(record)
    else:
        try:
            context["preview"] = plan_record_preview(record, actor=actor)
        except ServiceError as exc:
            context["plan_error"] = exc.message
    return render(request, "reorganisation/plan_detail.html", context, status=status)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's preview (before it is applied) or its result (after)."""
    actor = _province_admin(request)
    return _detail_page(request, _plan(pk), actor)


@login_required
@require_POST
def plan_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the plan, after the confirmation box is ticked; running it again finishes a plan
    stopped half way and changes nothing on a finished one."""
    actor = _province_admin(request)
    record = _plan(pk)
    if request.POST.get("confirm") != "1":
        return _detail_page(request, record, actor, error=NOT_CONFIRMED, status=400)
    try:
        result = plan_apply(record, actor=actor)
    except ServiceError as exc:
        record.refresh_from_db()
        return _detail_page(request, record, actor, error=exc.message, status=400)
    if result.changed:
        messages.success(request, f"Đã áp dụng kế hoạch: {len(result.done)} bước.")
    else:
        messages.info(request, "Kế hoạch đã được áp dụng trước đây; không có gì thay đổi.")
    return redirect("reorganisation:plan_detail", pk=record.pk)


@login_required
@require_GET
def plan_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of what the plan moved, as a document (NĐ 30/2020 layout)."""
    _province_admin(request)
    record = _plan(pk)
    if not record.schedule:
        raise Http404("Kế hoạch chưa được áp dụng nên chưa có báo cáo.")
    pdf = plan_report_pdf_bytes(record)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="bao-cao-sap-xep-don-vi-{record.pk}.pdf"'
            )
        },
    )
