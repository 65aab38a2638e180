"""The list of infected uploads for administrators (R20): /ma-doc/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import detection_list as select_detections
from .services import scanner_status

PAGE_LIMIT = 200


@login_required
@require_GET
def detection_list(request: HttpRequest) -> HttpResponse:
    detections = select_detections(user=request.user)
    return render(
        request,
        "scanning/detection_list.html",
        {
            "detections": list(detections[:PAGE_LIMIT]),
            "total": detections.count(),
            "limit": PAGE_LIMIT,
            "scanner": scanner_status(),
        },
    )
