"""The province's limits on the files of a document: the size of one file and the number of
attachments."""

from django.db import transaction

from vanban.accounts.models import User
from vanban.audit.services import audit_record
from vanban.core.errors import AccessDenied, ServiceError

from ..models import DocumentPolicy


def document_policy_update(
    *, actor: User, max_file_size_mb: int, max_attachments: int
) -> DocumentPolicy:
    """The province admin sets the file limits (R10, R13: the size limit is province data)."""
    if actor is None or not actor.is_active or not actor.is_province_admin:
        raise AccessDenied("Chỉ quản trị tỉnh được thay đổi quy định về tệp.")
    if not 1 <= max_file_size_mb <= 2048:
        raise ServiceError(
            "Dung lượng tối đa một tệp phải từ 1 đến 2048 MB.", field="max_file_size_mb"
        )
    if not 0 <= max_attachments <= 200:
        raise ServiceError("Số tệp đính kèm tối đa phải từ 0 đến 200.", field="max_attachments")
    with transaction.atomic():
        policy = DocumentPolicy.objects.select_for_update().get(pk=DocumentPolicy.current().pk)
        before = {
            "max_file_size_mb": policy.max_file_size_mb,
            "max_attachments": policy.max_attachments,
        }
        policy.max_file_size_mb = max_file_size_mb
        policy.max_attachments = max_attachments
        policy.save(update_fields=["max_file_size_mb", "max_attachments"])
        audit_record(
            actor=actor,
            action="document_policy.update",
            target=policy,
            data={
                "before": before,
                "after": {"max_file_size_mb": max_file_size_mb, "max_attachments": max_attachments},
            },
        )
    return policy
