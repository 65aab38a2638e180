"""The scheduled usage reports a person may read (R24; Art. 11.1.đ, 11.2.b): the list and the
stored files."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.documents.files import content_disposition

from . import scheduled_reports as services

NOT_ADMIN = "Chỉ quản trị đơn vị và quản trị tỉnh được xem báo cáo định kỳ."
REPORTS_PER_PAGE = 50


@login_required
@require_GET
def scheduled_report_list(request: HttpRequest) -> HttpResponse:
    """The newest reports first: the province's and every unit's for a province administrator,
    their units' for a unit administrator."""
    user = request_user(request)
    managed = user.managed_unit_ids()
    if managed is not None and not managed:
        raise PermissionDenied(NOT_ADMIN)
    page = Paginator(services.scheduled_reports_visible_to(user), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "oversight/scheduled_reports/list.html",
        {"page": page, "is_province_admin": managed is None},
    )


@login_required
@require_GET
def scheduled_report_file(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    """One stored file of a report the person may read; 404 for any other."""
    report_file = services.scheduled_report_file_access(
        user=request_user(request), pk=pk, file_format=file_format
    )
    data = services.scheduled_report_file_read(report_file)
    return HttpResponse(
        data,
        content_type=services.CONTENT_TYPES[report_file.file_format],
        headers={"Content-Disposition": content_disposition(report_file.original_name)},
    )
