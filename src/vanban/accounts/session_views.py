"""The person's own signed-in sessions: list, end one, end all others (R6; docs/accounts.md).

Session rows are written by a `user_logged_in` receiver (the login view itself is not touched)
and kept fresh by `accounts.middleware.SessionActivityMiddleware`.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from vanban.core.errors import ServiceError
from vanban.core.http import client_ip

from . import selectors, services
from .models import User


def request_user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def record_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver: describe the session the login has just opened."""
    if request is None or not hasattr(request, "session") or not request.session.session_key:
        return
    services.session_record_login(
        user=user,
        session_key=request.session.session_key,
        user_agent=request_user_agent(request),
        ip=client_ip(request),
    )


def keep_only_this_session(request: HttpRequest, user: User) -> None:
    """After the session hash changed, keep this session signed in under a new key (R6).

    `update_session_auth_hash` stores the new hash and gives the session a new key; every other
    session of the account no longer matches the hash and ends at its next request.
    """
    old_key = request.session.session_key or ""
    update_session_auth_hash(request, user)
    services.session_keep_only(
        user=user, old_session_key=old_key, new_session_key=request.session.session_key or ""
    )


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.sessions_of(
        user=request.user, current_session_key=request.session.session_key
    )
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": sessions, "others": sum(not s.is_current for s in sessions)},
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.session_end(
            user=request.user,
            record_id=pk,
            current_session_key=request.session.session_key,
            ip=client_ip(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã kết thúc phiên đăng nhập.")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    try:
        user = services.sessions_end_others(
            user=request.user,
            current_session_key=request.session.session_key or "",
            ip=client_ip(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        keep_only_this_session(request, user)
        messages.success(request, "Đã đăng xuất mọi phiên khác; phiên này vẫn tiếp tục.")
    return redirect("accounts:sessions")
