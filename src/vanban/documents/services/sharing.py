"""Giving a registered document to a person of the unit for reading ("chuyển để biết"), who is
told and then sees it (R14, R18).

Giving is not presenting: an incoming document waiting to be presented goes to a leader through
the processing's "Trình lãnh đạo" (Art. 24.1), and the rules registered in `share_rules` keep
the leaders out of the people it may be given to until then.
"""

from django.db import transaction
from django.urls import reverse

from vanban.accounts.models import Role, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.core.services import notification_send

from ..models import Document, DocumentShare
from ..share_rules import share_rules


def document_label(document: Document) -> str:
    """ "Công văn số 12/UBND-VP" as people name a document; its type alone without a number."""
    name = document.document_type.name
    return f"{name} số {document.number_symbol}" if document.number_symbol else name


def document_share(
    *, actor: User, document: Document, user: User, ip: str | None = None
) -> DocumentShare:
    """A clerk or leader of the unit gives a registered document to a person of the unit, who is
    told at once; giving it again to someone who already has it changes nothing."""
    if not (
        actor.is_active
        and (
            actor.has_role(Role.CLERK, document.unit) or actor.has_role(Role.LEADER, document.unit)
        )
    ):
        raise AccessDenied("Chỉ văn thư hoặc lãnh đạo đơn vị được chuyển văn bản.")
    if user.unit_id != document.unit_id or not user.is_active:
        raise ServiceError("Chỉ chuyển văn bản cho cán bộ đang hoạt động của đơn vị.", field="user")
    for rule in share_rules(document, actor):
        if user.pk in rule.excluded:
            raise ServiceError(rule.refusal, field="user")
    with transaction.atomic():
        now = clock.now()
        share, created = DocumentShare.objects.get_or_create(
            document=document,
            user=user,
            defaults={
                "granted_by": actor,
                "granted_at": now,
                "for_reading": True,
                "document_unit_id": document.unit_id,
            },
        )
        if created:
            audit_record(
                actor=actor,
                action="document.share",
                unit=document.unit,
                target=document,
                ip=ip,
                data={"user": user.username},
            )
            notification_send(
                recipients=[user],
                title=f"{actor.full_name} chuyển để biết: {document_label(document)}",
                body=document.subject,
                link=reverse("documents:document_detail", args=[document.pk]),
            )
    return share


def share_opened(*, document: Document, user: User) -> None:
    """The person opened a document given to them for reading: it leaves "Việc của tôi"."""
    DocumentShare.objects.filter(
        document=document, user=user, for_reading=True, opened_at__isnull=True
    ).update(opened_at=clock.now())
