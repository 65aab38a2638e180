""" "Việc của tôi": what waits for the person across processing, drafting and the exchange's
reception queue (R18).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest

from vanban.accounts.models import Role, User
from vanban.core import clock
from vanban.core.models import Notification
from vanban.documents.models import Document, DocumentShare
from vanban.exchange.delivery_selectors import reception_queue
from vanban.exchange.models import Delivery

from ..access import Authority, authority_of, deadline_mark, local_today
from ..models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Delegation,
    ExtensionRequest,
    ExtensionStatus,
    Processing,
    ProcessingStatus,
)
from ._common import AssignmentRow, DeadlineState, deadline_state

TO_PRESENT_LIMIT = 50
SHARED_LIMIT = 50

# The kinds of work of the home page and the menu (R18), by the `loai` of "Việc của tôi"'s
# address: each count leads to the page filtered to that kind (`MyWork.only`).
KINDS = {
    "cho-trinh": "Văn bản chờ trình",
    "chi-dao": "Văn bản chờ cho ý kiến chỉ đạo",
    "xu-ly": "Việc cần xử lý",
    "de-biet": "Văn bản được chuyển để biết",
    "qua-han": "Việc quá hạn",
    "cho-ky": "Dự thảo chờ phê duyệt, ký",
    "phat-hanh": "Văn bản chờ phát hành",
    "du-thao": "Dự thảo chờ góp ý, kiểm tra",
    "gia-han": "Đề nghị gia hạn chờ quyết định",
}
# The steps of a draft (drafting.selectors.DRAFT_TASKS) each draft kind gathers.
DRAFT_KINDS = {
    "cho-ky": ("to_approve", "to_sign"),
    "phat-hanh": ("to_issue",),
    "du-thao": ("to_comment", "to_review", "to_check"),
}


def _by_urgency_and_deadline(qs: QuerySet[Any], deadline: str, urgency: str) -> QuerySet[Any]:
    return qs.order_by(f"-{urgency}", F(deadline).asc(nulls_last=True), "pk")


def acting_label(authority: Authority, assignment: Assignment) -> str:
    """ "thay mặt X" when the person sees this work only as someone's deputy."""
    if assignment.assignee_user_id:
        allowed, on_behalf = authority.as_person(assignment.assignee_user_id)
    elif assignment.assignee_unit_id is not None:
        allowed, on_behalf = authority.as_leader_of(assignment.assignee_unit_id)
    else:
        return ""
    return f"thay mặt {on_behalf.full_name}" if allowed and on_behalf is not None else ""


@dataclass(frozen=True)
class PresentRow:
    """An incoming document waiting to be presented, marked against the deadline written on it."""

    document: Document
    mark: str


@dataclass(frozen=True)
class DirectRow:
    """A document presented to the person, or to the leader they act for (`acting`)."""

    processing: Processing
    mark: str
    acting: str


@dataclass(frozen=True)
class ExtensionRow:
    """A pending extension request, with the deadline state of the work it would extend."""

    request: ExtensionRequest
    state: DeadlineState

    @property
    def mark(self) -> str:
        return self.state.mark


@dataclass
class MyWork:
    today: dt.date
    authority: Authority
    to_present: list[PresentRow]
    to_present_total: int
    to_direct: list[DirectRow]
    assigned: list[AssignmentRow]
    for_information: list[AssignmentRow]
    extensions: list[ExtensionRow]
    # drafting.selectors.DraftTask rows, from the section drafting registers
    drafts: list[Any] = field(default_factory=list)
    # (unit id, unit name, documents waiting) of the clerk's reception queues
    reception: list[tuple[int, str, int]] = field(default_factory=list)
    # documents given to the person for reading ("chuyển để biết") not opened yet, and how many
    shared: list[DocumentShare] = field(default_factory=list)
    shared_total: int = 0

    @property
    def reception_total(self) -> int:
        return sum(count for _unit, _name, count in self.reception)

    def only(self, kind: str) -> "MyWork":
        """The page filtered to one kind of work (`KINDS`, the links of the home page): the
        other sections empty; "qua-han" keeps the overdue work given, the draft kinds the drafts
        waiting for that step."""
        if kind not in KINDS:
            return self
        empty: dict[str, Any] = {
            "to_present": [],
            "to_present_total": 0,
            "to_direct": [],
            "assigned": [],
            "for_information": [],
            "extensions": [],
            "drafts": [],
            "reception": [],
            "shared": [],
            "shared_total": 0,
        }
        keep: dict[str, Any] = {}
        if kind == "cho-trinh":
            keep = {"to_present": self.to_present, "to_present_total": self.to_present_total}
        elif kind == "chi-dao":
            keep = {"to_direct": self.to_direct}
        elif kind == "xu-ly":
            keep = {"assigned": self.assigned}
        elif kind == "qua-han":
            keep = {"assigned": [r for r in self.assigned if r.mark == "overdue"]}
        elif kind == "de-biet":
            keep = {
                "for_information": self.for_information,
                "shared": self.shared,
                "shared_total": self.shared_total,
            }
        elif kind == "gia-han":
            keep = {"extensions": self.extensions}
        else:
            keep = {"drafts": [t for t in self.drafts if t.key in DRAFT_KINDS[kind]]}
        return replace(self, **{**empty, **keep})

    @property
    def total(self) -> int:
        return (
            self.to_present_total
            + len(self.to_direct)
            + len(self.assigned)
            + len(self.for_information)
            + len(self.extensions)
            + len(self.drafts)
            + self.reception_total
            + self.shared_total
        )


# Sections that apps above workflow add to the page, registered in their AppConfig.ready()
# (docs/architecture.md, "Layers"): drafting adds the drafts waiting for the person (R18).
WorkSection = Callable[[User, dt.date], list[Any]]
SECTIONS: dict[str, WorkSection] = {}


def work_section_register(name: str, reader: WorkSection) -> None:
    """`reader(user, today)` fills the field `name` of MyWork (for now: "drafts")."""
    if name not in {f.name for f in fields(MyWork)}:
        raise ValueError(f"MyWork has no section {name!r}")
    SECTIONS[name] = reader


def _section(name: str, user: User, today: dt.date) -> list[Any]:
    reader = SECTIONS.get(name)
    return reader(user, today) if reader is not None else []


def _reception(user: User) -> list[tuple[int, str, int]]:
    """Documents waiting in the reception queue of each unit whose register the person keeps,
    from units of the deployment and from partner systems alike (the one queue)."""
    rows = (
        Delivery.objects.filter(pk__in=reception_queue(user=user).values("pk"))
        .values("recipient_unit_id", "recipient_unit__name")
        .annotate(waiting=Count("pk", distinct=True))
        .order_by("recipient_unit__name", "recipient_unit_id")
    )
    return [(r["recipient_unit_id"], r["recipient_unit__name"], r["waiting"]) for r in rows]


# What the rows of "Việc của tôi" show of a document (my_work.html), read with `only()`: the
# page reads nothing else of the document, its type or the people named on a row.
_DOCUMENT_SHOWN = (
    "id",
    "register_number",
    "code_number",
    "code_notation",
    "subject",
    "urgency",
    "due_date",
    "document_type__name",
)


def _shown(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in _DOCUMENT_SHOWN]


def to_present_q(clerk_units: list[int]) -> Q:
    """Documents the clerks of these units present: their units' own, and those a
    reorganisation handed to them before they were presented (a waiting processing row of
    theirs; workflow.reorganise), without those it handed to another unit."""
    waiting = Processing.objects.filter(status=ProcessingStatus.WAITING)
    handed_in = waiting.filter(unit_id__in=clerk_units).values("document_id")
    handed_out = (
        waiting.filter(document__unit_id__in=clerk_units)
        .exclude(unit_id__in=clerk_units)
        .values("document_id")
    )
    return (Q(unit_id__in=clerk_units) & ~Q(pk__in=handed_out)) | Q(pk__in=handed_in)


def _to_present(authority: Authority, today: dt.date) -> list[PresentRow]:
    """Incoming documents of the clerk's units not presented yet, the first `TO_PRESENT_LIMIT`:
    read through the partial index `document_to_present` on the marker the workflow clears when
    it presents a document (`Document.awaiting_presentation`, R18)."""
    waiting = (
        Document.objects.filter(
            to_present_q(list(authority.clerk_units)), awaiting_presentation=True
        )
        .select_related("document_type")
        .only("unit_id", *_DOCUMENT_SHOWN)
    )
    to_present = list(_by_urgency_and_deadline(waiting, "due_date", "urgency")[:TO_PRESENT_LIMIT])
    return [PresentRow(d, deadline_mark(d.due_date, today)) for d in to_present]


def _shared(user: User) -> list[DocumentShare]:
    """Documents given to the person for reading and not opened yet, newest first (R18)."""
    return list(
        DocumentShare.objects.filter(user=user, for_reading=True, opened_at__isnull=True)
        .select_related("document__document_type", "granted_by")
        .only("id", "granted_at", "granted_by__full_name", *_shown("document__"))
        .order_by("-granted_at", "-pk")[:SHARED_LIMIT]
    )


def _to_direct(user: User, identities: list[int], today: dt.date) -> list[DirectRow]:
    """Documents presented to the person, or to a leader they act for."""
    to_direct = list(
        _by_urgency_and_deadline(
            Processing.objects.filter(
                status=ProcessingStatus.PRESENTED, presented_to_id__in=identities
            )
            .select_related("document__document_type", "presented_by", "presented_to")
            .only(
                "id",
                "status",
                "presented_at",
                "presented_by__full_name",
                "presented_to__full_name",
                *_shown("document__"),
            ),
            "document__due_date",
            "document__urgency",
        )
    )
    return [
        DirectRow(
            processing,
            mark=deadline_mark(processing.document.due_date, today),
            acting=(
                f"thay mặt {processing.presented_to.full_name}"
                if processing.presented_to_id != user.pk and processing.presented_to
                else ""
            ),
        )
        for processing in to_direct
    ]


def _given(identities: list[int], leader_units: list[int]) -> list[Assignment]:
    """Open work of the person in one query, urgent first, then by deadline: given to them or
    to a unit they lead, to lead or to co-operate on; and given to them for information (split
    by role in `my_work`)."""
    mine = Q(assignee_user_id__in=identities) | Q(assignee_unit_id__in=leader_units)
    return list(
        _by_urgency_and_deadline(
            Assignment.objects.filter(
                Q(mine, role__in=(AssignmentRole.LEAD, AssignmentRole.CO))
                | Q(role=AssignmentRole.INFO, assignee_user_id__in=identities),
                status=AssignmentStatus.OPEN,
                processing__status=ProcessingStatus.IN_PROGRESS,
            )
            .select_related(
                "document__document_type", "assignee_unit", "assigned_by", "on_behalf_of"
            )
            .only(
                "id",
                "role",
                "status",
                "deadline",
                "assigned_at",
                "reminder_count",
                "assignee_user_id",
                "assignee_unit__name",
                "assigned_by__full_name",
                "on_behalf_of__full_name",
                *_shown("document__"),
            )
            .annotate(divided=Exists(Assignment.objects.filter(parent=OuterRef("pk")))),
            "deadline",
            "document__urgency",
        )
    )


def _extensions(user: User, leader_units: list[int]) -> list[ExtensionRequest]:
    """Pending extension requests on work given by a unit the person leads, not their own."""
    return list(
        _by_urgency_and_deadline(
            ExtensionRequest.objects.filter(
                status=ExtensionStatus.PENDING, assignment__assigner_unit_id__in=leader_units
            )
            .exclude(requested_by=user)
            .exclude(requested_for=user)
            .select_related(
                "assignment__document__document_type",
                "assignment__assignee_unit",
                "assignment__assignee_user",
                "requested_by",
            )
            .only(
                "id",
                "current_deadline",
                "requested_deadline",
                "reason",
                "requested_by__full_name",
                "assignment__role",
                "assignment__status",
                "assignment__deadline",
                "assignment__assignee_unit__name",
                "assignment__assignee_user__full_name",
                *_shown("assignment__document__"),
            ),
            "assignment__deadline",
            "assignment__document__urgency",
        )
    )


def my_work(*, user: User, counts: "WorkCounts | None" = None) -> MyWork:
    """What waits for the person (and for the leaders they act for), urgent first, then by
    deadline: documents to present, to direct, work given (lead, co), documents for information
    and extension requests to decide; then the documents given to them for reading and not
    opened yet ("Được chuyển để biết").

    `counts` are the person's `work_counts` of the same request (the menu shows them): a list
    whose count is 0 is not read, and the totals of the lists shown in part (to present, given
    for reading) are taken from them. One query per kind of list: documents to present, to
    direct, work given (every role), extension requests, documents given for reading, drafts."""
    if counts is None:
        counts = work_counts(user=user)
    authority = authority_of(user, delegated=counts.delegations > 0)
    today = local_today(authority.at)
    identities = authority.identities
    leader_units = sorted(authority.all_leader_units)

    def row(assignment: Assignment) -> AssignmentRow:
        return AssignmentRow(
            assignment,
            deadline_state(assignment, today),
            acting=acting_label(authority, assignment),
        )

    to_present = (
        _to_present(authority, today) if authority.clerk_units and counts.to_present else []
    )
    if len(to_present) < TO_PRESENT_LIMIT:
        to_present_total = len(to_present)
    else:
        to_present_total = max(counts.to_present, len(to_present))
    to_direct = _to_direct(user, identities, today) if counts.to_direct else []
    given = _given(identities, leader_units) if counts.to_handle or counts.for_information else []
    extensions = (
        [
            ExtensionRow(request, deadline_state(request.assignment, today))
            for request in _extensions(user, leader_units)
        ]
        if leader_units and counts.extensions
        else []
    )
    shared = _shared(user) if counts.shared else []
    shared_total = len(shared) if len(shared) < SHARED_LIMIT else max(counts.shared, len(shared))
    return MyWork(
        today=today,
        authority=authority,
        to_present=to_present,
        to_present_total=to_present_total,
        to_direct=to_direct,
        assigned=[row(a) for a in given if a.role != AssignmentRole.INFO],
        for_information=[row(a) for a in given if a.role == AssignmentRole.INFO],
        extensions=extensions,
        drafts=_section("drafts", user, today) if counts.drafts else [],
        reception=_reception(user) if authority.clerk_units and counts.to_receive else [],
        shared=shared,
        shared_total=shared_total,
    )


# ---------------------------------------------------------------- counts


class SubqueryCount(Subquery):
    """How many rows a queryset has, as an expression: every count of the home page and the
    menu is a column of one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def counted(qs: QuerySet[Any]) -> SubqueryCount:
    return SubqueryCount(qs.order_by().values("pk"))


@dataclass(frozen=True)
class WorkCounts:
    """How much of each kind of work waits for the person (`KINDS`); `total` is what "Việc của
    tôi" lists, `drafts` the drafts waiting for them, `to_receive` their reception queue."""

    to_present: int = 0
    to_direct: int = 0
    to_handle: int = 0
    overdue: int = 0
    for_information: int = 0  # parts given for information and documents given for reading
    shared: int = 0  # of which documents given for reading, not opened yet
    extensions: int = 0
    to_sign: int = 0
    to_issue: int = 0
    to_check: int = 0
    to_receive: int = 0
    unread: int = 0  # notifications not read yet, for the menu
    delegations: int = 0  # delegations to the person in force (`Authority`)

    @property
    def drafts(self) -> int:
        return self.to_sign + self.to_issue + self.to_check

    @property
    def total(self) -> int:
        return (
            self.to_present
            + self.to_direct
            + self.to_handle
            + self.for_information
            + self.extensions
            + self.drafts
            + self.to_receive
        )

    def by_kind(self) -> dict[str, int]:
        """The count behind each of `KINDS`."""
        return {
            "cho-trinh": self.to_present,
            "chi-dao": self.to_direct,
            "xu-ly": self.to_handle,
            "de-biet": self.for_information,
            "qua-han": self.overdue,
            "cho-ky": self.to_sign,
            "phat-hanh": self.to_issue,
            "du-thao": self.to_check,
            "gia-han": self.extensions,
        }


# Counts that apps above workflow add, registered in their AppConfig.ready(): drafting gives
# one expression per step of a draft (the keys of DRAFT_KINDS' values).
WorkCounter = Callable[[User], dict[str, SubqueryCount]]
COUNTERS: list[WorkCounter] = []


def work_counter_register(counter: WorkCounter) -> None:
    COUNTERS.append(counter)


def _counts_query(user: User, at: dt.datetime) -> QuerySet[Any]:
    """The one row of `work_counts`: a column per count."""
    today = local_today(at)
    pairs = user.role_pairs()
    own_leader_units = sorted(u for u, r in pairs if r == Role.LEADER)
    clerk_units = sorted(u for u, r in pairs if r == Role.CLERK)
    delegations = Delegation.objects.active_at(at).filter(deputy_id=user.pk)
    # authority.identities and authority.all_leader_units, as conditions on a column
    acting_for = delegations.values("delegator_id")
    delegated_units = delegations.values("unit_id")

    def as_person(column: str) -> Q:
        return Q(**{column: user.pk}) | Q(**{f"{column}__in": acting_for})

    def as_leader(column: str) -> Q:
        return Q(**{f"{column}__in": own_leader_units}) | Q(**{f"{column}__in": delegated_units})

    open_work = Assignment.objects.filter(
        status=AssignmentStatus.OPEN, processing__status=ProcessingStatus.IN_PROGRESS
    )
    mine = open_work.filter(
        as_person("assignee_user_id") | as_leader("assignee_unit_id"),
        role__in=(AssignmentRole.LEAD, AssignmentRole.CO),
    )
    columns: dict[str, SubqueryCount] = {
        "unread": counted(Notification.objects.filter(recipient=user, read_at__isnull=True)),
        "delegations": counted(delegations),
        "to_direct": counted(
            Processing.objects.filter(
                as_person("presented_to_id"), status=ProcessingStatus.PRESENTED
            )
        ),
        "to_handle": counted(mine),
        "overdue": counted(mine.filter(deadline__lt=today)),
        "info": counted(open_work.filter(as_person("assignee_user_id"), role=AssignmentRole.INFO)),
        "shared": counted(
            DocumentShare.objects.filter(user=user, for_reading=True, opened_at__isnull=True)
        ),
        "extensions": counted(
            ExtensionRequest.objects.filter(
                as_leader("assignment__assigner_unit_id"), status=ExtensionStatus.PENDING
            )
            .exclude(requested_by=user)
            .exclude(requested_for=user)
        ),
    }
    if clerk_units:
        columns["to_present"] = counted(
            Document.objects.filter(to_present_q(clerk_units), awaiting_presentation=True)
        )
        columns["to_receive"] = counted(reception_queue(user=user))
    for counter in COUNTERS:
        columns.update(counter(user))
    row: QuerySet[Any] = User.objects.filter(pk=user.pk).annotate(**columns).values(*columns)
    return row


# The counts' SQL by the shape of the person's roles (how many units they lead and keep the
# registers of) and database: building the query through the ORM (about twenty subqueries, the
# delegations inside several) costs far more than running it, on every page (the menu). It is
# built once per shape with stand-in values, which are then found among its parameters and
# replaced by the person's own (`_counts_row`).
_STAND_IN_USER = -7_000_001
_STAND_IN_AT = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
_COUNTS_SQL: dict[tuple[Any, ...], tuple[str, list[tuple[str, Any]], list[str]]] = {}


def _counts_sql(
    db: str, n_leader: int, n_clerk: int
) -> tuple[str, list[tuple[str, Any]], list[str]]:
    key = (db, n_leader, n_clerk, len(COUNTERS))
    cached = _COUNTS_SQL.get(key)
    if cached is not None:
        return cached
    from django.db import connections

    from vanban.accounts.models import AccountStatus

    leaders = [-7_100_001 - i for i in range(n_leader)]
    clerks = [-7_200_001 - i for i in range(n_clerk)]
    stand_in = User(pk=_STAND_IN_USER, status=AccountStatus.ACTIVE)
    stand_in._role_pairs = {(u, Role.LEADER) for u in leaders} | {(u, Role.CLERK) for u in clerks}
    with clock.frozen(_STAND_IN_AT):
        qs = _counts_query(stand_in, _STAND_IN_AT)
        sql, params = qs.query.get_compiler(using=db).as_sql()
    ops = connections[db].ops
    at_values = {_STAND_IN_AT, ops.adapt_datetimefield_value(_STAND_IN_AT)}
    today = local_today(_STAND_IN_AT)
    today_values = {today, ops.adapt_datefield_value(today)}
    unit_index = {u: ("leader", i) for i, u in enumerate(leaders)}
    unit_index.update({u: ("clerk", i) for i, u in enumerate(clerks)})
    slots: list[tuple[str, Any]] = []
    for value in params:
        if isinstance(value, int) and not isinstance(value, bool):
            if value == _STAND_IN_USER:
                slots.append(("user", None))
                continue
            if value in unit_index:
                slots.append(unit_index[value])
                continue
        elif isinstance(value, (dt.date, str)) and value in at_values:
            slots.append(("at", None))
            continue
        elif isinstance(value, (dt.date, str)) and value in today_values:
            slots.append(("today", None))
            continue
        slots.append(("value", value))
    names = list(qs.query.annotation_select)
    _COUNTS_SQL[key] = (sql, slots, names)
    return sql, slots, names


def _counts_row(user: User, at: dt.datetime) -> dict[str, Any]:
    from django.db import connections, router

    pairs = user.role_pairs()
    given = {
        "leader": sorted(u for u, r in pairs if r == Role.LEADER),
        "clerk": sorted(u for u, r in pairs if r == Role.CLERK),
    }
    db = router.db_for_read(User)
    sql, slots, names = _counts_sql(db, len(given["leader"]), len(given["clerk"]))
    ops = connections[db].ops
    values = {
        "user": user.pk,
        "at": ops.adapt_datetimefield_value(at),
        "today": ops.adapt_datefield_value(local_today(at)),
    }
    params: list[Any] = []
    for kind, extra in slots:
        if kind in given:
            params.append(given[kind][extra])
        elif kind == "value":
            params.append(extra)
        else:
            params.append(values[kind])
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return dict(zip(names, found, strict=True)) if found else {}


def work_counts(*, user: User) -> WorkCounts:
    """The counts of `my_work`'s sections (R18), and the unread notifications, in one query
    whatever the amount of work: the delegations the person acts under (`Authority`) are
    subqueries of it too."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return WorkCounts()
    values = _counts_row(user, clock.now())
    # A count over an empty list of ids (`__in=[]`) comes back empty (NULL): none.
    row = {name: values.get(name) or 0 for name in [*values, "to_present", "to_receive"]}
    drafts = {key: row.get(key) or 0 for keys in DRAFT_KINDS.values() for key in keys}
    return WorkCounts(
        unread=row["unread"],
        delegations=row["delegations"],
        to_present=row["to_present"],
        to_direct=row["to_direct"],
        to_handle=row["to_handle"],
        overdue=row["overdue"],
        for_information=row["info"] + row["shared"],
        shared=row["shared"],
        extensions=row["extensions"],
        to_sign=sum(drafts[key] for key in DRAFT_KINDS["cho-ky"]),
        to_issue=sum(drafts[key] for key in DRAFT_KINDS["phat-hanh"]),
        to_check=sum(drafts[key] for key in DRAFT_KINDS["du-thao"]),
        to_receive=row["to_receive"],
    )


def request_work_counts(request: HttpRequest) -> WorkCounts:
    """`work_counts` of the signed-in person, once per request: the home page and the menu
    share them."""
    cached = getattr(request, "_work_counts", None)
    if cached is None:
        cached = work_counts(user=request.user)  # type: ignore[arg-type]
        request._work_counts = cached  # type: ignore[attr-defined]
    return cached


def nav_counts(request: HttpRequest) -> dict[str, int]:
    """The menu's badges (core.context_processors): all the work waiting ("Việc của tôi"), the
    drafts ("Dự thảo"), the reception queue ("Tiếp nhận")."""
    counts = request_work_counts(request)
    return {
        "my_work": counts.total,
        "drafts": counts.drafts,
        "reception": counts.to_receive,
        "unread": counts.unread,
    }
