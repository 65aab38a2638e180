"""A leader's direction templates (mẫu ý kiến chỉ đạo): short texts kept by the leader and
picked on the direction form to fill the direction, which the leader may still edit before
giving the work (Art. 24.1; R18). Only a leader (of a unit, or acting for one) keeps them; each
person sees and changes only their own."""

from django.db import IntegrityError, transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError

from ..access import authority_of
from ..models import DirectionTemplate
from ._common import _text

MAX_TEMPLATES = 30
MAX_TEMPLATE_TEXT = 500
MSG_TEMPLATES_LEADER_ONLY = "Chỉ lãnh đạo đơn vị (hoặc người được ủy quyền) lưu mẫu ý kiến chỉ đạo."
MSG_TEMPLATE_EXISTS = "Bạn đã có mẫu ý kiến chỉ đạo này."


def _check_leader(actor: User) -> None:
    _require_active(actor)
    if not authority_of(actor).all_leader_units:
        raise AccessDenied(MSG_TEMPLATES_LEADER_ONLY)


def direction_template_add(*, actor: User, text: str, ip: str | None = None) -> DirectionTemplate:
    """The leader keeps a new template; the same text twice is refused, as more than
    `MAX_TEMPLATES`."""
    _check_leader(actor)
    text = " ".join(
        _text(
            text,
            label="mẫu ý kiến chỉ đạo",
            field="text",
            max_length=MAX_TEMPLATE_TEXT,
            required=True,
        ).split()
    )
    try:
        with transaction.atomic():
            # The leader's row, locked: two additions at once count the templates one by one.
            User.objects.select_for_update().filter(pk=actor.pk).first()
            if DirectionTemplate.objects.filter(leader=actor, text=text).exists():
                raise ServiceError(MSG_TEMPLATE_EXISTS, field="text")
            if DirectionTemplate.objects.filter(leader=actor).count() >= MAX_TEMPLATES:
                raise ServiceError(
                    f"Mỗi người lưu tối đa {MAX_TEMPLATES} mẫu; hãy xóa bớt mẫu không dùng.",
                    field="text",
                )
            template = DirectionTemplate.objects.create(
                leader=actor, text=text, created_at=clock.now()
            )
            audit_record(
                actor=actor,
                action="workflow.direction_template_add",
                data={"id": template.pk},
                ip=ip,
            )
    except IntegrityError as exc:
        raise ServiceError(MSG_TEMPLATE_EXISTS, field="text") from exc
    return template


def direction_template_delete(*, actor: User, template_id: int, ip: str | None = None) -> None:
    """The leader removes one of their own templates; another person's is not found."""
    _require_active(actor)
    with transaction.atomic():
        deleted, _ = DirectionTemplate.objects.filter(pk=template_id, leader=actor).delete()
        if not deleted:
            raise NotFound("Không tìm thấy mẫu ý kiến chỉ đạo.")
        audit_record(
            actor=actor,
            action="workflow.direction_template_delete",
            data={"id": template_id},
            ip=ip,
        )
