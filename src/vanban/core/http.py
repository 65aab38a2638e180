"""How a page answers a request: one rule for every app (docs/architecture.md, "Answering a
request").

- An object the person may not see does not exist for them: 404. Selectors and services raise
  `NotFound` ("missing" and "forbidden" alike), views may raise `Http404`.
- A page or an action the person's role lacks: 403 with the reason. Services raise
  `AccessDenied`, views may raise `PermissionDenied(reason)`; the 403 page (403.html) shows it.
- Any other refused action (`ServiceError`): the page again with the form as sent and the
  Vietnamese message next to its field or above the form; nothing was written.

Views let `NotFound` and `AccessDenied` go: `RefusalMiddleware` answers them with Django's own
404 and 403 handlers, so a view never has to translate them. A `ServiceError` that no view caught
is answered 400 with its message rather than a server error. `form_action` is the one wrapper for
a POST that runs a service: it answers the refusal by this rule and redirects with a message on
success. The API answers by the same rule in JSON (`vanban.core.api`).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from .errors import AccessDenied, NotFound, ServiceError
from .forms import show_service_error

# The message above a form that did not parse (the fields say what is wrong).
MSG_FIX_FIELDS = "Chưa lưu gì: hãy sửa các mục được báo lỗi."


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the audit trail and the login throttle.

    Behind the nginx of docs/deployment.md (`VANBAN_BEHIND_PROXY=1`) the proxy's own address is
    in REMOTE_ADDR and the client's is in its X-Real-IP header; without a proxy, headers are the
    client's to forge and only REMOTE_ADDR counts.
    """
    if getattr(settings, "VANBAN_BEHIND_PROXY", False):
        real: str = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None


def refusal_raise(exc: ServiceError) -> None:
    """Raise the HTTP answer of a refusal that is not about the input: 404 for `NotFound`, 403
    for `AccessDenied`. Returns for any other `ServiceError`, which the page shows on its form."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, AccessDenied):
        raise PermissionDenied(exc.message) from exc


class RefusalMiddleware:
    """Answers a refusal that escaped a view by the rule above (Django's `process_exception`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ServiceError):
            return None
        # Raised here, Http404 and PermissionDenied go to handler404 / handler403.
        refusal_raise(exception)
        return render(request, "400.html", {"message": exception.message}, status=400)


def form_action(
    request: HttpRequest,
    *,
    form: Form,
    call: Callable[[], Any],
    success: str | Callable[[Any], str],
    done: Callable[[], HttpResponse],
    page: Callable[[str, int, bool], HttpResponse],
    allowed: bool = True,
    refusal: str = "",
    invalid_status: int = 200,
    refused_status: int = 200,
    denied_on_page: bool = False,
    on_form: bool = True,
) -> HttpResponse:
    """One POST that runs one service, answered by the rule of this module.

    `page(error, status, bound)` renders the page again: `bound` says whether the form as sent is
    shown (with its errors), `error` is the message to show above it (the page may leave it out
    when the form is bound and its fields already say it). In order:
    - a person who may not take the action (`allowed` false) with a `refusal`: 403, nothing else
      is looked at; without a `refusal` the service is asked anyway, so that it says why;
    - input that does not parse: the page again, `invalid_status`;
    - the service refuses: `NotFound` 404; `AccessDenied` 403 (on the page itself above the
      form when `denied_on_page`); any other refusal on the form (next to its field; above it
      when `on_form`, else above the page), `refused_status`;
    - done: `success` as a message, then `done()` (a redirect).
    """
    if not allowed and refusal:
        raise PermissionDenied(refusal)
    valid = form.is_valid()
    if not valid and allowed:
        return page(MSG_FIX_FIELDS, invalid_status, True)
    try:
        result = call()
    except ServiceError as exc:
        if isinstance(exc, AccessDenied) and denied_on_page:
            return page(exc.message, 403, False)
        refusal_raise(exc)
        if allowed and (on_form or exc.field in form.fields):
            show_service_error(form, exc)
            return page(exc.message, refused_status, True)
        return page(exc.message, refused_status, False)
    messages.success(request, success(result) if callable(success) else success)
    return done()
