"""Posting to a discussion thread (ý kiến trao đổi) from a document's or a draft's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from vanban.accounts.http import request_user
from vanban.core.errors import NotFound, ServiceError
from vanban.core.http import client_ip

from . import discussions


@login_required
@require_POST
def discussion_post(request: HttpRequest, kind: str, subject_id: int) -> HttpResponse:
    """Add the message; back to the subject's page, at the thread, with what was done or why
    not (a subject one may not see answers 404, as its page does)."""
    mentions = request.POST.getlist("mentions")
    if not all(m.isdigit() for m in mentions):
        mentions = ["0"]  # refused by the service as an unknown person
    try:
        owner = discussions.thread_kind(kind)
        discussions.discussion_post(
            actor=request_user(request),
            kind=kind,
            subject_id=subject_id,
            text=request.POST.get("text", ""),
            mentions=[int(m) for m in mentions],
            ip=client_ip(request),
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã gửi ý kiến trao đổi.")
    return redirect(owner.link(subject_id) + "#discussion")
