"""Notifications: in the application always, by e-mail when a mail server is configured.

Every hand-off (a document presented, work given, a draft sent on, signed, issued, registered or
returned by its recipient) stores one notification per person here, inside the hand-off's
transaction. The e-mail copy leaves only after that transaction commits, through the task queue
(`vanban db_worker`), so a mail server that is slow or down never holds up nor undoes the
hand-off; what the mail server answered is kept on each notification (`emailed_at`,
`email_error`)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from vanban.core import clock
from vanban.core.models import Notification

logger = logging.getLogger(__name__)


def _email_enqueue(ids: list[int]) -> None:
    from vanban.core.tasks import notification_email_task

    notification_email_task.enqueue(ids)


def notification_send(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    link: str = "",
    email: bool = True,
) -> list[Notification]:
    """Store one notification per recipient; when e-mail is on, e-mail them after commit
    (`notifications_email`, on the task queue, reads each person's address then).

    `email=False`: the caller sends its own e-mail copy (one with an attached file, as the
    scheduled reports do) and records the answer of the mail server on the notifications."""
    recipients = list(recipients)
    now = clock.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient=r, title=title, body=body, link=link, created_at=now)
            for r in recipients
        ]
    )
    if email and settings.VANBAN_EMAIL_ENABLED and rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _email_enqueue(ids), robust=True)
    return rows


def _email_text(notification: Notification) -> str:
    """The body, then the address of the page the notice leads to when the site's address is
    known (VANBAN_SITE_URL)."""
    base = settings.VANBAN_SITE_URL.rstrip("/")
    if not (notification.link and base):
        return notification.body
    return f"{notification.body}\n\n{base}{notification.link}".lstrip()


def notifications_email(ids: Iterable[int]) -> dict[str, int]:
    """E-mail each notification not e-mailed yet to its recipient's address; a refusal of the
    mail server is kept on the notification (`email_error`) and the others still go. Idempotent:
    a notification already e-mailed is not sent again."""
    sent = failed = 0
    rows = (
        Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    for notification in rows:
        address = notification.recipient.email
        if not address:
            continue
        try:
            send_mail(
                notification.title,
                _email_text(notification),
                None,
                [address],
                fail_silently=False,
            )
        except Exception as exc:  # any refusal of the mail server: kept, never raised
            failed += 1
            error = f"{type(exc).__name__}: {exc}"[:500]
            logger.warning("notification %s not e-mailed: %s", notification.pk, error)
            Notification.objects.filter(pk=notification.pk).update(email_error=error)
        else:
            sent += 1
            Notification.objects.filter(pk=notification.pk).update(
                emailed_at=clock.now(), email_error=""
            )
    return {"sent": sent, "failed": failed}
