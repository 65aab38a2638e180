"""The notice of a new version (R23; Art. 8.4 of the provincial regulation): after an upgrade,
every person sees the new version's notes once, at the first page after they sign in.

At login (`user_logged_in`) the person's row for the running version is written if there was
none, and the version is kept in their session; every full page of that session then shows the
notice (read from the session, no query) until the person closes it. A later login finds the row
and shows nothing; the next version has no row yet and shows again.
"""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from vanban.core import clock

from .models_releases import ReleaseNoticeShown
from .releases import current_version, release_note

SESSION_KEY = "vanban_release_notice"


def release_notice_due(*, user: Any, version: str) -> bool:
    """Record that `user` is shown `version`'s notes; False when they were already shown."""
    if ReleaseNoticeShown.objects.filter(user=user, version=version).exists():
        return False
    try:
        with transaction.atomic():
            ReleaseNoticeShown.objects.create(user=user, version=version, shown_at=clock.now())
    except IntegrityError:  # the same person signing in twice at once: shown in one session
        return False
    return True


def release_notice_on_login(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """`user_logged_in` receiver: keep the notice in the session when it is due."""
    if request is None or not hasattr(request, "session"):
        return
    version = current_version()
    if release_notice_due(user=user, version=version):
        request.session[SESSION_KEY] = version


def release_notice_dismiss(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def release_notice(request: HttpRequest) -> Mapping[str, Any] | None:
    """The page notice (core.context_processors.page_notice_register): the running version's
    notes while the session keeps them due."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    version = session.get(SESSION_KEY)
    if not version or version != current_version():
        return None
    return {
        "template": "oversight/releases/_notice.html",
        "version": version,
        "note": release_note(version),
    }
