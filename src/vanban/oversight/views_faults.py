"""Pages of the fault and misuse reports (R20, R21): the form reached from "Báo lỗi" on every
page, "Báo lỗi của tôi", a report's page with its history and actions, the unit IT staff's queue
and the Department's queue. The rules are in `faults`."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.http import request_user
from vanban.accounts.models import Role
from vanban.core.http import client_ip, form_action
from vanban.documents.downloads import download_response, download_unavailable
from vanban.documents.files import FileUnavailable

from . import faults
from .forms_faults import (
    CLOSE_CHOICES,
    TRIAGE_CHOICES,
    FaultAnswerForm,
    FaultChangeForm,
    FaultReportForm,
)
from .models_faults import FaultKind, FaultReport, FaultStatus

PER_PAGE = 50


def _came_from(request: HttpRequest) -> str:
    """The page the person was on: `?tu=` of the "Báo lỗi" link, else the Referer of this site."""
    wanted = request.GET.get("tu", "")
    if wanted:
        return wanted
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


@login_required
@require_http_methods(["GET", "POST"])
def fault_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    detections = list(faults.detection_choices(user=user))
    if request.method == "POST":
        form = FaultReportForm(request.POST, request.FILES, detections=detections)
    else:
        kind = request.GET.get("loai", FaultKind.FAULT)
        form = FaultReportForm(
            initial={
                "page_url": _came_from(request),
                "kind": kind if kind in FaultKind.values else FaultKind.FAULT,
            },
            detections=detections,
        )

    def page(error: str, status: int, bound: bool) -> HttpResponse:
        return render(
            request,
            "oversight/faults/new.html",
            {"form": form, "error": error, "detections": detections},
            status=status,
        )

    if request.method == "GET":
        return page("", 200, False)

    def call() -> FaultReport:
        data = form.cleaned_data
        return faults.fault_report_create(
            actor=user,
            kind=data["kind"],
            text=data["text"],
            page_url=data.get("page_url", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            screenshot=data.get("screenshot") or None,
            detection_id=data.get("detection"),
            ip=client_ip(request),
        )

    created: list[FaultReport] = []

    def run() -> FaultReport:
        report = call()
        created.append(report)
        return report

    return form_action(
        request,
        form=form,
        call=run,
        success=lambda r: (
            f"Đã gửi báo lỗi số {r.pk}. Cán bộ công nghệ thông tin của đơn vị sẽ xử lý; bạn "
            "được thông báo mỗi khi trạng thái thay đổi."
        ),
        done=lambda: redirect("oversight:fault_detail", pk=created[0].pk),
        page=page,
    )


def _filters(request: HttpRequest) -> tuple[str, str]:
    status = request.GET.get("trang-thai", "")
    kind = request.GET.get("loai", "")
    return (
        status if status in FaultStatus.values else "",
        kind if kind in FaultKind.values else "",
    )


def _list_page(
    request: HttpRequest, template: str, reports: QuerySet[FaultReport], **extra: object
) -> HttpResponse:
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("trang"))
    user = request_user(request)
    return render(
        request,
        template,
        {
            "page": page,
            "statuses": FaultStatus.choices,
            "kinds": FaultKind.choices,
            "is_unit_it": user.managed_unit_ids() != set(),
            "is_department": faults.is_department(user),
            **extra,
        },
    )


@login_required
@require_GET
def fault_mine(request: HttpRequest) -> HttpResponse:
    """ "Báo lỗi của tôi"."""
    reports = faults.fault_reports_mine(user=request_user(request))
    return _list_page(request, "oversight/faults/mine.html", reports)


@login_required
@require_GET
def fault_queue_unit(request: HttpRequest) -> HttpResponse:
    status, kind = _filters(request)
    reports = faults.fault_queue_unit(user=request_user(request), status=status, kind=kind)
    return _list_page(
        request, "oversight/faults/queue_unit.html", reports, status=status, kind=kind
    )


@login_required
@require_GET
def fault_queue_department(request: HttpRequest) -> HttpResponse:
    status, kind = _filters(request)
    reports = faults.fault_queue_department(user=request_user(request), status=status, kind=kind)
    return _list_page(
        request,
        "oversight/faults/queue_department.html",
        reports,
        status=status,
        kind=kind,
        statuses=[(s.value, s.label) for s in faults.DEPARTMENT_STATUSES],
    )


def _detail_page(
    request: HttpRequest,
    report: FaultReport,
    *,
    change_form: FaultChangeForm | None = None,
    answer_form: FaultAnswerForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    actions = faults.fault_actions(user=user, report=report)
    offered = _offered(actions)
    return render(
        request,
        "oversight/faults/detail.html",
        {
            "report": report,
            "roles": [Role(r).label for r in report.roles if r in Role.values],
            "history": faults.fault_history(report=report),
            "actions": actions,
            "change_form": change_form or FaultChangeForm(offered=offered),
            "answer_form": answer_form or FaultAnswerForm(),
            "detections": faults.fault_detections(user=user, report=report),
            "detection_list_url": reverse("scanning:detection_list"),
            "error": error,
        },
        status=status,
    )


def _offered(actions: faults.FaultActions) -> list[tuple[str, str]]:
    return (TRIAGE_CHOICES if actions.triage else []) + (CLOSE_CHOICES if actions.close else [])


@login_required
@require_GET
def fault_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = faults.access_fault_report(user=request_user(request), pk=pk)
    return _detail_page(request, report)


@login_required
@require_POST
def fault_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit IT staff's triage or the Department's closing (the service says who may)."""
    user = request_user(request)
    report = faults.access_fault_report(user=user, pk=pk)
    form = FaultChangeForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: faults.fault_report_change(
            actor=user,
            report_id=report.pk,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data.get("note") or "",
            duplicate_of=form.cleaned_data.get("duplicate_of"),
            ip=client_ip(request),
        ),
        success=lambda r: f"Báo lỗi số {r.pk}: {FaultStatus(r.status).label}.",
        done=lambda: redirect("oversight:fault_detail", pk=report.pk),
        page=lambda error, status, bound: _detail_page(
            request, report, change_form=form, error=error, status=status
        ),
    )


@login_required
@require_POST
def fault_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter answers the IT staff's question: the report goes back to triage."""
    user = request_user(request)
    report = faults.access_fault_report(user=user, pk=pk)
    form = FaultAnswerForm(request.POST)
    return form_action(
        request,
        form=form,
        call=lambda: faults.fault_report_change(
            actor=user,
            report_id=report.pk,
            to_status=FaultStatus.NEW,
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        ),
        success="Đã gửi thông tin bổ sung; báo lỗi trở lại chờ xử lý.",
        done=lambda: redirect("oversight:fault_detail", pk=report.pk),
        page=lambda error, status, bound: _detail_page(
            request, report, answer_form=form, error=error, status=status
        ),
    )


@login_required
@require_GET
def fault_screenshot(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    try:
        report, stream = faults.fault_screenshot(
            actor=request_user(request), report_id=pk, ip=client_ip(request)
        )
    except FileUnavailable as exc:
        return download_unavailable(request, exc)
    return download_response(
        stream.chunks,
        size=stream.size,
        content_type=report.screenshot_type,
        name=report.screenshot_name,
        inline=True,
    )
