"""Giving a registered document to a person of the unit, who then sees it."""

from django.db import transaction

from vanban.accounts.models import Role, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError

from ..models import Document, DocumentShare


def document_share(
    *, actor: User, document: Document, user: User, ip: str | None = None
) -> DocumentShare:
    """A clerk or leader of the unit gives a registered document to a person of the unit."""
    if not (
        actor.is_active
        and (
            actor.has_role(Role.CLERK, document.unit) or actor.has_role(Role.LEADER, document.unit)
        )
    ):
        raise AccessDenied("Chỉ văn thư hoặc lãnh đạo đơn vị được chuyển văn bản.")
    if user.unit_id != document.unit_id or not user.is_active:
        raise ServiceError("Chỉ chuyển văn bản cho cán bộ đang hoạt động của đơn vị.", field="user")
    with transaction.atomic():
        share, created = DocumentShare.objects.get_or_create(
            document=document,
            user=user,
            defaults={"granted_by": actor, "granted_at": clock.now()},
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
    return share
