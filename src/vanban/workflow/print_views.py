"""Printed outputs: the processing slip of a document and the follow-up register (R17, R18)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.http import refusal_raise
from vanban.core.replica import replica_reads
from vanban.documents import selectors as document_selectors
from vanban.reports.pdf import render_pdf
from vanban.reports.periods import Period

from . import printouts, selectors
from .forms import FollowupForm

NO_REGISTER = "Chỉ văn thư và lãnh đạo đơn vị được xem sổ theo dõi giải quyết văn bản đến."


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
@require_GET
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The processing slip (phiếu giải quyết văn bản đến) of one document, A4 portrait."""
    document = selectors.access_incoming(user=request_user(request), pk=pk)
    page = selectors.processing_page(user=request_user(request), document=document)
    content = render_pdf("workflow/slip_pdf.html", printouts.slip_context(page))
    return _pdf(content, f"phieu-giai-quyet-so-den-{document.register_number}-{document.year}.pdf")


def _defaults(user: User, unit_ids: list[int]) -> dict[str, Any]:
    current = Period.quarter_of(clock.now())
    return {
        "unit": user.unit_id if user.unit_id in unit_ids else unit_ids[0],
        "period": "quarter",
        "year": current.first.year,
        "quarter": (current.first.month + 2) // 3,
        "month": current.first.month,
    }


def _register(
    request: HttpRequest,
) -> tuple[FollowupForm, printouts.FollowupRegister | None, int, str]:
    user = request_user(request)
    unit_ids = list(document_selectors.register_units(user=user).values_list("pk", flat=True))
    if not unit_ids:
        raise PermissionDenied(NO_REGISTER)
    form = FollowupForm({**_defaults(user, unit_ids), **request.GET.dict()}, user=user)
    if not form.is_valid():
        return form, None, 404 if "unit" in form.errors else 400, ""
    try:
        register = printouts.followup_register(
            user=user, unit=form.cleaned_data["unit"], period=form.cleaned_data["report_period"]
        )
    except ServiceError as exc:
        refusal_raise(exc)
        return form, None, 400, exc.message
    return form, register, 200, ""


def _register_page(
    request: HttpRequest,
    form: FollowupForm,
    register: printouts.FollowupRegister | None,
    status: int,
    error: str,
) -> HttpResponse:
    pdf_url = ""
    if register is not None:
        pdf_url = f"{reverse('workflow:followup_pdf')}?{urlencode(form.query())}"
    return render(
        request,
        "workflow/followup.html",
        {
            "form": form,
            "register": register,
            "pdf_url": pdf_url,
            "error": error,
            "columns": printouts.FOLLOWUP_COLUMNS,
        },
        status=status,
    )


@replica_reads
@login_required
@require_GET
def followup(request: HttpRequest) -> HttpResponse:
    """The follow-up register (sổ theo dõi giải quyết văn bản đến) of a unit for a period."""
    form, register, status, error = _register(request)
    return _register_page(request, form, register, status, error)


@replica_reads
@login_required
@require_GET
def followup_pdf(request: HttpRequest) -> HttpResponse:
    """The same register on A4 landscape pages, to print and sign."""
    form, register, status, error = _register(request)
    if register is None:
        return _register_page(request, form, register, status, error)
    content = render_pdf(
        "workflow/followup_pdf.html", {"register": register, "unit": register.unit}
    )
    filename = f"so-theo-doi-giai-quyet-{register.unit.abbreviation}-{register.period.slug}.pdf"
    return _pdf(content, filename)
