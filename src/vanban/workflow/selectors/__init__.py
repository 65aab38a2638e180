"""Reads of the processing of incoming documents: the processing page, "Việc của tôi", deadline
lists and the leader's dashboard (R18).

Every read of a document goes through `Document.objects.visible_to(user)`; the processing data of a
document is shown to whoever may see the document. Each page costs a fixed number of queries,
whatever the amount of work (pinned in tests/workflow/test_queries.py).

One module per page family: `processing` (one document: access, the processing page, what the
printouts read), `choices` (form choices, delegations, policy units), `deadlines` (deadline
lists), `dashboard` (the leader's dashboard) and `my_work` ("Việc của tôi", which also reads
drafting and the exchange); `_common` holds what they share. This package exports the public names
of all of them.
"""

from ._common import AssignmentRow, DeadlineState, deadline_state
from .choices import (
    delegation_choices,
    delegations_of,
    direct_choices,
    direction_templates_of,
    leaders_of_units,
    policy_units,
    reassign_choices,
    unit_leaders,
)
from .dashboard import BUCKETS, Dashboard, DashboardRow, dashboard, dashboard_allowed
from .deadlines import DEADLINE_LIST_LIMIT, GROUPINGS, DeadlineGroup, DeadlineLists, deadline_lists
from .my_work import (
    KINDS,
    TO_PRESENT_LIMIT,
    MyWork,
    WorkCounts,
    acting_label,
    my_work,
    request_work_counts,
    work_counter_register,
    work_counts,
    work_section_register,
)
from .processing import (
    ROLE_ORDER,
    ProcessingPage,
    TrailItem,
    access_assignment,
    access_extension,
    access_incoming,
    lead_proposal,
    processing_page,
)

__all__ = [
    "BUCKETS",
    "DEADLINE_LIST_LIMIT",
    "GROUPINGS",
    "KINDS",
    "ROLE_ORDER",
    "TO_PRESENT_LIMIT",
    "AssignmentRow",
    "Dashboard",
    "DashboardRow",
    "DeadlineGroup",
    "DeadlineLists",
    "DeadlineState",
    "MyWork",
    "ProcessingPage",
    "TrailItem",
    "WorkCounts",
    "access_assignment",
    "access_extension",
    "access_incoming",
    "acting_label",
    "dashboard",
    "dashboard_allowed",
    "deadline_lists",
    "deadline_state",
    "delegation_choices",
    "delegations_of",
    "direct_choices",
    "direction_templates_of",
    "lead_proposal",
    "leaders_of_units",
    "my_work",
    "policy_units",
    "processing_page",
    "reassign_choices",
    "request_work_counts",
    "unit_leaders",
    "work_counter_register",
    "work_counts",
    "work_section_register",
]
