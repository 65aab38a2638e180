"""Downloading the archival package of a closed dossier or of a hand-over (R19; Luật Lưu trữ
2024; docs/records.md, "Gói lưu trữ và kiểm tra ngoại tuyến"). The package is built on request,
sent, and its temporary file removed; a refusal (no time-stamp service, an open dossier) comes
back to the page it was asked from, in Vietnamese, and nothing is recorded."""

from collections.abc import Callable
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanban.accounts.http import request_user
from vanban.core.errors import ServiceError
from vanban.core.http import client_ip, refusal_raise

from . import handover, rules
from .models import Dossier
from .package import build_dossier_package, build_hand_over_package


class _Removed(FileResponse):
    """A file response that removes its temporary file once sent."""

    def __init__(self, path: Path, name: str) -> None:
        self._path = path
        super().__init__(path.open("rb"), as_attachment=True, filename=name)
        self["Content-Type"] = "application/zip"

    def close(self) -> None:
        super().close()
        self._path.unlink(missing_ok=True)


def _send(
    request: HttpRequest, build: Callable[[], Path], name: str, back: str
) -> HttpResponseBase:
    try:
        path = build()
    except ServiceError as exc:
        refusal_raise(exc)
        messages.error(request, exc.message)
        return redirect(back)
    return _Removed(path, name)


@login_required
@require_GET
def dossier_package(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The package of one closed dossier: its readers and the agency's archive."""
    user = request_user(request)
    dossier = Dossier.objects.select_related("unit").filter(pk=pk).first()
    if dossier is None or not (
        rules.can_read(user, dossier) or rules.is_archivist(user, dossier.unit_id)
    ):
        raise Http404
    return _send(
        request,
        lambda: build_dossier_package(dossier, user, ip=client_ip(request)),
        f"goi-luu-tru-{dossier.file_code}.zip",
        reverse("records:dossier_detail", args=[dossier.pk]),
    )


@login_required
@require_GET
def handover_package(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The package of a hand-over: every dossier of its list, with the fonds."""
    user = request_user(request)
    hand_over = handover.access_handover(user=user, pk=pk)
    return _send(
        request,
        lambda: build_hand_over_package(hand_over, user, ip=client_ip(request)),
        f"goi-luu-tru-nop-luu-{hand_over.pk}.zip",
        handover.handover_url_of(hand_over),
    )
