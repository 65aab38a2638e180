"""Who may take which step of a document's processing, and in whose name.

One place answers both the services (which refuse) and the pages (which only offer the forms a
person may use), so the two never disagree. A deputy acting under a delegation (ủy quyền) has the
delegator's leader authority in the delegated unit and acts on the delegator's personal
assignments; every such step records the delegator as "on behalf of".
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from vanban.accounts.models import AccountStatus, Role, RoleAssignment, Unit, User
from vanban.core import clock
from vanban.documents.models import Document

from .models import (
    Assignment,
    AssignmentRole,
    Delegation,
    Processing,
    ProcessingStatus,
)

DUE_SOON_DAYS = 3


@dataclass
class Authority:
    """What a person may do now: their own roles, and the leaders they act for."""

    user: User
    at: dt.datetime
    leader_units: set[int] = field(default_factory=set)
    clerk_units: set[int] = field(default_factory=set)
    # unit id -> the delegating leader of that unit
    delegated_units: dict[int, User] = field(default_factory=dict)
    # delegating leader's id -> that leader (their personal assignments)
    acting_for: dict[int, User] = field(default_factory=dict)
    delegations: list[Delegation] = field(default_factory=list)

    @property
    def all_leader_units(self) -> set[int]:
        return self.leader_units | set(self.delegated_units)

    @property
    def identities(self) -> list[int]:
        """The person and everyone they act for now."""
        return [self.user.pk, *self.acting_for]

    def as_leader_of(self, unit_id: int) -> tuple[bool, User | None]:
        """(allowed, on behalf of whom) for a leader's step in `unit_id`."""
        if unit_id in self.leader_units:
            return True, None
        delegator = self.delegated_units.get(unit_id)
        return (True, delegator) if delegator is not None else (False, None)

    def as_person(self, user_id: int) -> tuple[bool, User | None]:
        if user_id == self.user.pk:
            return True, None
        delegator = self.acting_for.get(user_id)
        return (True, delegator) if delegator is not None else (False, None)

    def as_handler(self, assignment: Assignment) -> tuple[bool, User | None]:
        """The person given the work, or a leader of the unit given it (or their deputy)."""
        if assignment.assignee_user_id:
            return self.as_person(assignment.assignee_user_id)
        if assignment.assignee_unit_id is None:
            return False, None
        return self.as_leader_of(assignment.assignee_unit_id)

    def as_supervisor(
        self, assignment: Assignment, *, document_unit_id: int
    ) -> tuple[bool, User | None]:
        """A leader of the unit that gave the work, or of the document's unit."""
        allowed, on_behalf = self.as_leader_of(assignment.assigner_unit_id)
        if allowed:
            return allowed, on_behalf
        return self.as_leader_of(document_unit_id)

    def is_clerk_of(self, unit_id: int) -> bool:
        return unit_id in self.clerk_units


def authority_of(user: User, *, at: dt.datetime | None = None, delegated: bool = True) -> Authority:
    """The person's authority at `at` (default now): one query for the delegations, none when
    the caller already knows that no delegation to the person is in force (`delegated=False`,
    from the menu's counts of the same request)."""
    at = at or clock.now()
    authority = Authority(user=user, at=at)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return authority
    for unit_id, role in user.role_pairs():
        if role == Role.LEADER:
            authority.leader_units.add(unit_id)
        elif role == Role.CLERK:
            authority.clerk_units.add(unit_id)
    if not delegated:
        return authority
    delegations = list(
        Delegation.objects.active_at(at)
        .filter(deputy=user)
        .select_related("delegator", "unit")
        .order_by("starts_at", "pk")
    )
    authority.delegations = delegations
    for delegation in delegations:
        authority.delegated_units.setdefault(delegation.unit_id, delegation.delegator)
        authority.acting_for.setdefault(delegation.delegator_id, delegation.delegator)
    return authority


def handling_unit_id(document: Document, processing: Processing | None) -> int:
    """The unit that processes the document: its processing's unit, which a reorganisation
    hands to the successor of the registering unit (CV 414/BNV-VTLTNN: the document itself stays
    in its unit's register and fonds), else the unit that registered it."""
    return processing.unit_id if processing is not None else document.unit_id


def handling_unit(document: Document) -> Unit:
    """`handling_unit_id` as a unit, read with the processing (one query)."""
    processing = Processing.objects.filter(document_id=document.pk).select_related("unit").first()
    return processing.unit if processing is not None else document.unit


def local_today(at: dt.datetime | None = None) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(at or clock.now())


def deadline_mark(deadline: dt.date | None, today: dt.date, *, is_open: bool = True) -> str:
    """ "overdue", "due_soon" or "" for an open piece of work."""
    if not is_open or deadline is None:
        return ""
    if deadline < today:
        return "overdue"
    if deadline <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


# ---------------------------------------------------------------- units and people


def subunit_ids(unit_id: int) -> list[int]:
    """Active units below `unit_id` (the tree has at most four levels)."""
    return list(
        Unit.objects.filter(
            Q(parent_id=unit_id)
            | Q(parent__parent_id=unit_id)
            | Q(parent__parent__parent_id=unit_id),
            is_active=True,
        ).values_list("pk", flat=True)
    )


def unit_people_ids(unit_ids: list[int], roles: tuple[str, ...]) -> dict[int, list[int]]:
    """Active holders of `roles` in each unit: unit id -> user ids."""
    found: dict[int, list[int]] = {}
    rows = RoleAssignment.objects.filter(
        unit_id__in=unit_ids, role__in=roles, user__status=AccountStatus.ACTIVE
    ).values_list("unit_id", "user_id")
    for unit_id, user_id in rows.order_by("unit_id", "user_id"):
        found.setdefault(unit_id, [])
        if user_id not in found[unit_id]:
            found[unit_id].append(user_id)
    return found


# ---------------------------------------------------------------- what the page offers


@dataclass
class DocumentActions:
    """The forms a person may use on a document's processing page."""

    present: bool = False
    direct: bool = False
    direct_for: User | None = None
    reassignable: list[Assignment] = field(default_factory=list)
    handled: list[Assignment] = field(default_factory=list)  # progress, complete, extension
    remindable: list[Assignment] = field(default_factory=list)
    decidable_unit_ids: set[int] = field(default_factory=set)

    @property
    def any(self) -> bool:
        return bool(
            self.present or self.direct or self.reassignable or self.handled or self.remindable
        )


def document_actions(
    authority: Authority,
    *,
    document_unit_id: int,
    processing: Processing | None,
    assignments: list[Assignment],
) -> DocumentActions:
    actions = DocumentActions()
    status = processing.status if processing else ProcessingStatus.WAITING
    if status in (ProcessingStatus.WAITING, ProcessingStatus.PRESENTED):
        actions.present = authority.is_clerk_of(document_unit_id)
    if status == ProcessingStatus.PRESENTED:
        actions.direct, actions.direct_for = authority.as_leader_of(document_unit_id)
    if status != ProcessingStatus.IN_PROGRESS:
        return actions
    with_children = {a.parent_id for a in assignments if a.parent_id}
    for assignment in assignments:
        if not assignment.is_open:
            continue
        if authority.as_handler(assignment)[0]:
            actions.handled.append(assignment)
            if (
                assignment.assignee_unit_id
                and assignment.pk not in with_children
                and assignment.role != AssignmentRole.INFO
            ):
                actions.reassignable.append(assignment)
        if (
            assignment.role != AssignmentRole.INFO
            and authority.as_supervisor(assignment, document_unit_id=document_unit_id)[0]
        ):
            actions.remindable.append(assignment)
    actions.decidable_unit_ids = {
        unit_id
        for unit_id in {a.assigner_unit_id for a in assignments}
        if authority.as_leader_of(unit_id)[0]
    }
    return actions
