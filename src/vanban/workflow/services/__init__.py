"""Every write of the processing of incoming documents (R18; NĐ 30/2020 Art. 24).

The path: the clerk presents a registered document to a leader -> the leader writes a direction
and gives the work to a lead (chủ trì: a unit or a person), co-handlers (phối hợp) and people
who receive it for information (nhận để biết), with a deadline -> a leader of an assigned unit
divides the unit's part among its people -> handlers record progress, attach results and reply
drafts, and complete. Leaders remind (đôn đốc) and decide on deadline extensions; a leader who is
away delegates to a deputy (ủy quyền).

Each function checks the actor's right first, then works in one transaction under a row lock of
the document's processing record, writes a trail entry and an audit event, and gives the document
to the people concerned through `DocumentShare`, so `Document.objects.visible_to` stays the one
rule of who sees a document. A refused step raises ServiceError / AccessDenied and changes nothing.

One module per sub-process: `processing` (presenting, progress, completion, progress files),
`assignments` (direction and division of the work, who receives the document), `extensions`
(deadline extensions), `delegations` (leader -> deputy), `deadlines` (default deadline, the unit's
policy) and `reminders` (a leader's reminder, the daily alerts); `_common` holds what they share.
This package exports the public names of all of them.
"""

from ._common import (
    MAX_TEXT,
    MSG_ALREADY_DIRECTED,
    MSG_ALREADY_REASSIGNED,
    MSG_ASSIGNMENT_ENDED,
    MSG_BUSY,
    MSG_DECIDED,
    MSG_DONE,
    MSG_INFO_ONLY,
    MSG_NOT_ASSIGNED,
    MSG_NOT_CLERK,
    MSG_NOT_DECIDER,
    MSG_NOT_DELEGATOR,
    MSG_NOT_HANDLER,
    MSG_NOT_INCOMING,
    MSG_NOT_LEADER,
    MSG_NOT_PRESENTED,
    MSG_NOT_SUPERVISOR,
    MSG_NOT_UNIT_LEADER,
    MSG_OWN_REQUEST,
    MSG_PENDING_EXISTS,
    MSG_POLICY,
    MSG_PRESENT_TO,
    MSG_WITHDRAWN,
    STATUS_ASSIGNED,
    STATUS_DONE,
    STATUS_PROCESSING,
    document_label,
)
from .assignments import Plan, assignment_reassign, handler_ids, processing_direct
from .deadlines import POLICY_FIELDS, deadline_policy_update, default_deadline
from .delegations import delegation_create, delegation_end
from .direction_templates import (
    MAX_TEMPLATES,
    MSG_TEMPLATE_EXISTS,
    MSG_TEMPLATES_LEADER_ONLY,
    direction_template_add,
    direction_template_delete,
)
from .extensions import extension_decide, extension_request
from .processing import (
    MSG_NOTHING_TO_READ,
    Download,
    assignment_complete,
    assignment_progress,
    assignments_opened,
    information_read,
    processing_present,
    progress_file_download,
)
from .reminders import AlertRun, assignment_remind, deadline_alerts_send

__all__ = [
    "MAX_TEMPLATES",
    "MAX_TEXT",
    "MSG_ALREADY_DIRECTED",
    "MSG_ALREADY_REASSIGNED",
    "MSG_ASSIGNMENT_ENDED",
    "MSG_BUSY",
    "MSG_DECIDED",
    "MSG_DONE",
    "MSG_INFO_ONLY",
    "MSG_NOTHING_TO_READ",
    "MSG_NOT_ASSIGNED",
    "MSG_NOT_CLERK",
    "MSG_NOT_DECIDER",
    "MSG_NOT_DELEGATOR",
    "MSG_NOT_HANDLER",
    "MSG_NOT_INCOMING",
    "MSG_NOT_LEADER",
    "MSG_NOT_PRESENTED",
    "MSG_NOT_SUPERVISOR",
    "MSG_NOT_UNIT_LEADER",
    "MSG_OWN_REQUEST",
    "MSG_PENDING_EXISTS",
    "MSG_POLICY",
    "MSG_PRESENT_TO",
    "MSG_TEMPLATES_LEADER_ONLY",
    "MSG_TEMPLATE_EXISTS",
    "MSG_WITHDRAWN",
    "POLICY_FIELDS",
    "STATUS_ASSIGNED",
    "STATUS_DONE",
    "STATUS_PROCESSING",
    "AlertRun",
    "Download",
    "Plan",
    "assignment_complete",
    "assignment_progress",
    "assignment_reassign",
    "assignment_remind",
    "assignments_opened",
    "deadline_alerts_send",
    "deadline_policy_update",
    "default_deadline",
    "delegation_create",
    "delegation_end",
    "direction_template_add",
    "direction_template_delete",
    "document_label",
    "extension_decide",
    "extension_request",
    "handler_ids",
    "information_read",
    "processing_direct",
    "processing_present",
    "progress_file_download",
]
