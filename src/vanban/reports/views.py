"""Report pages: parse the unit and period, call a selector, show HTML or send the PDF."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core.errors import ServiceError
from vanban.core.replica import replica_reads

from . import selectors
from .forms import ReportPeriodForm
from .pdf import document_date_line, render_pdf
from .selectors import AccountChangeReport

NOT_ADMIN_MESSAGE = "Chỉ quản trị đơn vị và quản trị tỉnh được lập báo cáo biến động tài khoản."


def _is_admin(user: User) -> bool:
    managed = user.managed_unit_ids()
    return managed is None or bool(managed)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/forbidden.html", {"message": NOT_ADMIN_MESSAGE}, status=403)


def _account_change_report(
    request: HttpRequest, user: User
) -> tuple[ReportPeriodForm, AccountChangeReport | None, int]:
    """The bound form and the report, or the form with its errors and the status to answer."""
    data = {**ReportPeriodForm.defaults(user=user), **request.GET.dict()}
    form = ReportPeriodForm(data, user=user)
    if not form.is_valid():
        # A unit the reader does not administer looks the same as a unit that does not exist.
        return form, None, 404 if "unit" in form.errors else 400
    try:
        report = selectors.account_change_report(
            user=user,
            unit=form.cleaned_data["unit"],
            period=form.cleaned_data["report_period"],
        )
    except ServiceError as exc:
        form.add_error("unit", exc.message)
        return form, None, 404
    return form, report, 200


def _page(
    request: HttpRequest, form: ReportPeriodForm, report: AccountChangeReport | None, status: int
) -> HttpResponse:
    pdf_url = ""
    if report is not None:
        pdf_url = f"{reverse('reports:account_changes_pdf')}?{urlencode(form.query())}"
    return render(
        request,
        "reports/account_changes.html",
        {"form": form, "report": report, "pdf_url": pdf_url},
        status=status,
    )


@replica_reads
@login_required
@require_GET
def account_changes(request: HttpRequest) -> HttpResponse:
    """R8: the account-change report of a unit for a month, quarter, year or chosen dates."""
    user = request_user(request)
    if not _is_admin(user):
        return _forbidden(request)
    form, report, status = _account_change_report(request, user)
    return _page(request, form, report, status)


@replica_reads
@login_required
@require_GET
def account_changes_pdf(request: HttpRequest) -> HttpResponse:
    """R8: the same report as a document to send to the Department of Information and
    Communications, in the layout of an administrative report (NĐ 30/2020)."""
    user = request_user(request)
    if not _is_admin(user):
        return _forbidden(request)
    form, report, status = _account_change_report(request, user)
    if report is None:
        return _page(request, form, report, status)
    pdf = render_pdf(
        "reports/account_changes_pdf.html",
        {
            "report": report,
            "unit": report.unit,
            "document_symbol": "BC",
            "date_line": document_date_line(place=selectors.province_name()),
        },
    )
    filename = f"bao-cao-bien-dong-tai-khoan-{report.unit.abbreviation}-{report.period.slug}.pdf"
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
