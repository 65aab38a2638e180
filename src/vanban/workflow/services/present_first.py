"""An incoming document waiting to be presented goes to a leader by presenting it (Art. 24.1;
R14, R18), not by giving it for reading.

Registered in `documents.share_rules` by `WorkflowConfig.ready()`: while the document waits to
be presented ("Chờ trình"), its unit's leaders are left out of the people it may be given to
("chuyển để biết"), and the clerk is shown "Trình lãnh đạo", the processing's step that tells
the leader and puts the document in their "Việc của tôi". Once presented, it may be given to
anyone of the unit for reading.
"""

from typing import Any

from django.urls import reverse

from vanban.accounts.models import Role
from vanban.documents.models import Direction, Document
from vanban.documents.share_rules import ShareRule

from ..access import unit_people_ids
from ..models import Processing, ProcessingStatus

MSG_PRESENT_FIRST = (
    "Văn bản đang chờ trình: hãy trình lãnh đạo bằng nút “Trình lãnh đạo” để lãnh đạo nhận "
    "và cho ý kiến chỉ đạo; chuyển để biết không phải là trình."
)
HINT_PRESENT_FIRST = (
    "Văn bản đang chờ trình: lãnh đạo đơn vị nhận văn bản qua “Trình lãnh đạo”, không qua "
    "chuyển để biết."
)


def present_first(document: Document, actor: Any) -> ShareRule | None:
    """`documents.share_rules.ShareRuleSource` of the processing."""
    if document.direction != Direction.INCOMING or document.withdrawn_at is not None:
        return None
    row = (
        Processing.objects.filter(document_id=document.pk).values_list("status", "unit_id").first()
    )
    status, unit_id = row if row is not None else (None, document.unit_id)
    if status not in (None, ProcessingStatus.WAITING):
        return None
    # The unit that presents it: a reorganisation may have handed it to a successor.
    leaders = unit_people_ids([unit_id], (Role.LEADER,)).get(unit_id, [])
    may_present = any(u == unit_id and r == Role.CLERK for u, r in actor.role_pairs())
    return ShareRule(
        excluded=frozenset(leaders),
        refusal=MSG_PRESENT_FIRST,
        hint=HINT_PRESENT_FIRST,
        action_url=(
            reverse("workflow:document", args=[document.pk]) + "#present-form"
            if may_present
            else ""
        ),
        action_label="Trình lãnh đạo" if may_present else "",
    )
