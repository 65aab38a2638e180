"""Release notes and the state of the server (R23; Art. 8.4, 11.2 of the provincial regulation):
"Có gì mới" for everyone, the notice after an upgrade closed, and the province administrators'
page of the running version, its migrations and the start checks."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from vanban.accounts.http import request_user

from . import system_status
from .release_notice import release_notice_dismiss
from .releases import current_version, release_notes

NOT_PROVINCE_ADMIN = "Chỉ quản trị tỉnh được xem tình trạng hệ thống."


@login_required
@require_GET
def release_notes_page(request: HttpRequest) -> HttpResponse:
    """Every version's notes, the running one first (R23)."""
    return render(
        request,
        "oversight/releases/notes.html",
        {"notes": release_notes(), "version": current_version()},
    )


@login_required
@require_POST
def release_notice_close(request: HttpRequest) -> HttpResponse:
    """The person closes the notice of the new version; it does not come back."""
    release_notice_dismiss(request)
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "portal:home")


@login_required
@require_GET
def system_status_page(request: HttpRequest) -> HttpResponse:
    """The running version, every app's migrations and the start checks (R23, R25)."""
    if not request_user(request).is_province_admin:
        raise PermissionDenied(NOT_PROVINCE_ADMIN)
    apps = system_status.migration_status()
    return render(
        request,
        "oversight/releases/system.html",
        {
            "version": current_version(),
            "apps": apps,
            "pending": sum(len(row.unapplied) for row in apps),
            "checks": system_status.startup_checks(apps=apps),
        },
    )
