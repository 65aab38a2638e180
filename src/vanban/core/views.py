from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.core import clock
from vanban.core.models import Notification


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    rows = list(mine[:100])
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=clock.now())
    return render(request, "core/notifications.html", {"rows": rows})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
