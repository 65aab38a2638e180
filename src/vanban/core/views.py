from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.core import clock


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(request.user.notifications.all()[:100])
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=clock.now())
    return render(request, "core/notifications.html", {"rows": rows})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
