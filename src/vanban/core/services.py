"""Notifications: in the application always, by e-mail when a mail server is configured."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from vanban.core import clock
from vanban.core.models import Notification


def notification_send(
    *, recipients: Iterable[Any], title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """Store one notification per recipient; e-mail them after commit when e-mail is on."""
    recipients = list(recipients)
    now = clock.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=r, title=title, body=body, link=link, created_at=now)
            for r in recipients
        ]
    )
    if settings.VANBAN_EMAIL_ENABLED:
        addresses = [r.email for r in recipients if getattr(r, "email", "")]
        if addresses:
            transaction.on_commit(
                lambda: send_mail(title, body, None, addresses, fail_silently=True)
            )
    return rows
