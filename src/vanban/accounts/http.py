"""The person making a request, for views and API endpoints (docs/architecture.md, "Answering a
request")."""

from django.http import HttpRequest

from .models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in account of a page behind `login_required`, or the owner of the API token
    that authenticated the call (django-ninja's `request.auth`)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    return request.user  # type: ignore[return-value]  # signed in: login_required
