import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from vanban.core import clock
from vanban.core.models import Notification


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    rows = list(mine[:100])
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=clock.now())
    return render(request, "core/notifications.html", {"rows": rows})


# The web app manifest (docs/deployment.md, "Phones"): the browser offers to add the site to the
# home screen, opening it full screen on the home page. The theme colour is the top bar's.
THEME_COLOR = "#0b4f8a"
MANIFEST_TYPE = "application/manifest+json"


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """/manifest.webmanifest: public, as browsers fetch it without the session cookie."""
    body = {
        "name": "Văn bản điều hành",
        "short_name": "Văn bản",
        "description": "Hệ thống quản lý văn bản và điều hành",
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {
                "src": static(f"vanban/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type=f"{MANIFEST_TYPE}; charset=utf-8"
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
