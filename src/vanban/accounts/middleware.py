from collections.abc import Callable

from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from vanban.core.http import client_ip

from . import services
from .session_views import request_user_agent
from .views import SECOND_FACTOR_KEY


class PasswordChangeRequiredMiddleware:
    """R5: an account that must change its password sees nothing else until it does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (
                reverse("accounts:password_change"),
                reverse("accounts:logout"),
            )
            if request.path not in allowed and not request.path.startswith(("/static/", "/api/")):
                return redirect("accounts:password_change")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keep "hoạt động gần nhất" of the person's session row fresh (docs/accounts.md, "Sessions").

    At most one write a minute per session and process: the last touch is remembered in the
    cache, not in the session (writing the session would extend its fixed lifetime).
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if (
            user is not None
            and user.is_authenticated
            and key
            and cache.add(f"vanban:session-touch:{key}", 1, self.TOUCH_EVERY)
        ):
            services.session_touch(
                user=user,
                session_key=key,
                user_agent=request_user_agent(request),
                ip=client_ip(request),
            )
        return response


class SecondFactorMiddleware:
    """R6: a session of an account with a second factor is used only after the code; an account
    whose role requires one and has none sees only the enrolment page until it enrols.

    The state is decided at login and kept in the session (accounts.views.SECOND_FACTOR_KEY), so
    ordinary requests cost no query; a session opened another way is checked once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.must_change_password
            or request.path.startswith(("/static/", "/api/"))
        ):
            return self.get_response(request)
        state = request.session.get(SECOND_FACTOR_KEY)
        if state is None:
            if services.second_factor_enrolled(user):
                logout(request)
                return redirect("accounts:login")
            state = "enrol" if services.second_factor_required(user) else "none"
            request.session[SECOND_FACTOR_KEY] = state
        if state == "enrol":
            allowed = (reverse("accounts:second_factor"), reverse("accounts:logout"))
            if request.path not in allowed:
                return redirect("accounts:second_factor")
        return self.get_response(request)
