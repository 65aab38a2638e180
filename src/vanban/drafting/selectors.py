"""Reads of drafts; every query starts from `Draft.objects.visible_to(user)` or the reader's own
rows. "Missing" and "forbidden" look the same (NotFound)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.core import clock
from vanban.core.errors import NotFound
from vanban.workflow.access import deadline_mark
from vanban.workflow.models import Delegation
from vanban.workflow.selectors.my_work import SubqueryCount, counted

from .models import (
    Decision,
    Draft,
    DraftComment,
    DraftEvent,
    DraftRecipient,
    DraftStatus,
    DraftVersion,
)
from .services import issuing_units_for, subtree_ids

WAITING_LIMIT = 100  # per list of "waiting for me"; the page says when there are more


def _list(qs: QuerySet[Draft]) -> QuerySet[Draft]:
    return qs.select_related(
        "document_type", "issuing_unit", "unit", "drafter", "current_version", "document"
    )


def _acting_for_signer(user: User) -> Exists:
    """True for a draft whose signer `user` acts for now, under a delegation in force in the
    issuing unit (a subquery: no query of its own)."""
    return Exists(
        Delegation.objects.active_at(clock.now()).filter(
            deputy_id=user.pk,
            delegator_id=OuterRef("signer_id"),
            unit_id=OuterRef("issuing_unit_id"),
        )
    )


def my_drafts(*, user: User, status: str = "") -> QuerySet[Draft]:
    """The person's own drafts, the latest changed first."""
    qs = Draft.objects.filter(drafter_id=user.pk) if user.is_authenticated else Draft.objects.none()
    if status in DraftStatus.values:
        qs = qs.filter(status=status)
    return _list(qs).order_by("-updated_at", "-pk")


@dataclass
class Waiting:
    """What waits for a person, each list urgent first, then oldest first."""

    to_comment: list[DraftComment] = field(default_factory=list)
    to_review: list[Draft] = field(default_factory=list)
    to_check: list[Draft] = field(default_factory=list)
    to_approve: list[Draft] = field(default_factory=list)
    to_sign: list[Draft] = field(default_factory=list)
    to_issue: list[Draft] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.to_comment)
            + len(self.to_review)
            + len(self.to_check)
            + len(self.to_approve)
            + len(self.to_sign)
            + len(self.to_issue)
        )


def _signed() -> Q:
    """The approved latest version carries the competent signer's signature (`Draft.is_signed`
    as a filter)."""
    return Q(
        approved_version_id=F("current_version_id"),
        signed_version_id=F("current_version_id"),
    ) & ~Q(signed_storage_name="")


def _waiting_queries(user: User) -> dict[str, QuerySet[Any]]:
    """What waits for the person at each step of a draft (R11, R16, R18), unordered: to comment
    on, to check (content, format), to approve, to sign (the approver signs the approved latest
    version, `signing.draft_sign_refusal`) and, for the clerks of the issuing unit, to issue once
    signed. `waiting_for` lists them, `work_counts` counts them."""
    clerk_units = [u for u, r in user.role_pairs() if r == Role.CLERK]
    drafts = Draft.objects.all()
    return {
        "to_comment": DraftComment.objects.filter(person=user, answered_at__isnull=True).exclude(
            draft__status=DraftStatus.ISSUED
        ),
        "to_review": drafts.filter(
            status=DraftStatus.REVIEWING, reviewer=user, content_decision=Decision.PENDING
        ),
        "to_check": drafts.filter(
            status=DraftStatus.REVIEWING, checker=user, format_decision=Decision.PENDING
        ),
        "to_approve": drafts.annotate(acting_for_signer=_acting_for_signer(user)).filter(
            Q(signer=user) | Q(acting_for_signer=True), status=DraftStatus.APPROVING
        ),
        "to_sign": drafts.filter(
            status=DraftStatus.APPROVED,
            approved_by=user,
            approved_version_id=F("current_version_id"),
        ).exclude(_signed()),
        "to_issue": drafts.filter(_signed(), status=DraftStatus.APPROVED).filter(
            issuing_unit_id__in=clerk_units
        ),
    }


def waiting_counts(user: User) -> dict[str, SubqueryCount]:
    """How many drafts wait for the person at each step, as expressions of the one query of
    workflow.selectors.work_counts (registered in DraftingConfig.ready())."""
    return {key: counted(qs) for key, qs in _waiting_queries(user).items()}


def waiting_for(*, user: User) -> Waiting:
    """Drafts waiting for the person: to comment on, to check (content or format), to approve,
    and, for clerks, to issue. A fixed number of queries whatever the number of drafts."""
    if not user.is_authenticated or not user.is_active:
        return Waiting()
    order = ("-urgency", "updated_at", "pk")
    queries = _waiting_queries(user)
    comments = list(
        queries["to_comment"]
        .select_related("draft__document_type", "draft__drafter", "version", "requested_by")
        .order_by("deadline", "pk")[:WAITING_LIMIT]
    )

    def rows(key: str, *related: str) -> list[Draft]:
        qs = _list(queries[key]).select_related(*related) if related else _list(queries[key])
        return list(qs.order_by(*order)[:WAITING_LIMIT])

    return Waiting(
        to_comment=comments,
        to_review=rows("to_review"),
        to_check=rows("to_check"),
        to_approve=rows("to_approve", "signer"),
        to_sign=rows("to_sign"),
        to_issue=rows("to_issue"),
    )


def access_draft(*, user: User, pk: int) -> Draft:
    """A draft the person may see, with everything its page shows (a fixed number of queries)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotFound("Không tìm thấy dự thảo.")
    acting = _acting_for_signer(user)
    draft = (
        Draft.objects.annotate(acting_for_signer=acting)
        .filter(Q(pk__in=Draft.objects.visible_to(user).values("pk")) | Q(acting_for_signer=True))
        .select_related(
            "document_type",
            "unit",
            "issuing_unit",
            "drafter",
            "signer",
            "reviewer",
            "checker",
            "current_version",
            "content_version",
            "format_version",
            "approved_version",
            "approved_by",
            "document",
            "issued_by",
            "original_document",
        )
        .prefetch_related(
            Prefetch("recipients", queryset=DraftRecipient.objects.order_by("order", "pk")),
            Prefetch(
                "versions",
                queryset=DraftVersion.objects.select_related("uploaded_by").order_by("-number"),
            ),
            Prefetch(
                "comments",
                queryset=DraftComment.objects.select_related(
                    "person", "requested_by", "version"
                ).order_by("requested_at", "pk"),
            ),
            Prefetch(
                "events",
                queryset=DraftEvent.objects.select_related("version").order_by("at", "pk"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if draft is None:
        raise NotFound("Không tìm thấy dự thảo.")
    return draft


def access_version(*, user: User, draft_pk: int, number: int) -> DraftVersion:
    """A version of a draft the person may see."""
    version = (
        DraftVersion.objects.filter(
            draft__in=Draft.objects.visible_to(user).filter(pk=draft_pk), number=number
        )
        .select_related("draft")
        .first()
    )
    if version is None:
        raise NotFound("Không tìm thấy phiên bản dự thảo.")
    return version


@dataclass
class DraftActions:
    """What the person may do on the draft now; the services check the same rules again."""

    add_version: bool = False
    request_comments: bool = False
    comment: bool = False
    submit: bool = False
    review: bool = False
    check_format: bool = False
    approve: bool = False
    issue: bool = False
    follow_up: bool = False  # draft an update or a replacement of the issued document

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def draft_actions(*, user: User, draft: Draft) -> DraftActions:
    """Uses the draft's prefetched comments; no query of its own."""
    if not user.is_authenticated or not user.is_active:
        return DraftActions()
    status = draft.status
    is_drafter = draft.drafter_id == user.pk
    open_statuses = (
        DraftStatus.DRAFTING,
        DraftStatus.REVIEWING,
        DraftStatus.APPROVING,
        DraftStatus.APPROVED,
    )
    return DraftActions(
        add_version=is_drafter
        and status in (DraftStatus.DRAFTING, DraftStatus.APPROVING, DraftStatus.APPROVED),
        request_comments=is_drafter and status in open_statuses,
        comment=status in open_statuses
        and any(c.person_id == user.pk and c.answered_at is None for c in draft.comments.all()),
        submit=is_drafter and status == DraftStatus.DRAFTING,
        review=status == DraftStatus.REVIEWING
        and draft.reviewer_id == user.pk
        and draft.content_decision == Decision.PENDING,
        check_format=status == DraftStatus.REVIEWING
        and draft.checker_id == user.pk
        and draft.format_decision == Decision.PENDING,
        approve=status == DraftStatus.APPROVING
        and (draft.signer_id == user.pk or getattr(draft, "acting_for_signer", False)),
        issue=status == DraftStatus.APPROVED and user.has_role(Role.CLERK, draft.issuing_unit),
        follow_up=status == DraftStatus.ISSUED
        and draft.document_id is not None
        and (is_drafter or user.has_role(Role.LEADER, draft.issuing_unit))
        and draft.issuing_unit_id in {u.pk for u in issuing_units_for(user)},
    )


# ---------------------------------------------------------------- people to choose


def _active(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.filter(status=AccountStatus.ACTIVE).select_related("unit").order_by("full_name", "pk")


def leaders_of(*, unit: Unit) -> QuerySet[User]:
    return _active(
        User.objects.filter(
            role_assignments__unit=unit, role_assignments__role=Role.LEADER
        ).distinct()
    )


def signer_choices(*, user: User) -> QuerySet[User]:
    """Leaders of the units a person may draft for (their unit and the units above it)."""
    unit_ids = [u.pk for u in issuing_units_for(user)]
    return _active(
        User.objects.filter(
            role_assignments__unit_id__in=unit_ids, role_assignments__role=Role.LEADER
        ).distinct()
    )


def people_of(*, unit: Unit, exclude: User | None = None) -> QuerySet[User]:
    """Active people of a unit and the units below it (checkers, people asked for comments)."""
    qs = _active(User.objects.filter(unit_id__in=subtree_ids(unit)))
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs


def recipient_units(*, user: User) -> QuerySet[Unit]:
    """Units of the deployment a draft may be sent to (all active ones)."""
    return Unit.objects.filter(is_active=True).select_related("parent").order_by("level", "name")


def draft_counts(*, user: User) -> dict[str, int]:
    """The person's drafts by status, for the list's filter."""
    rows = (
        Draft.objects.filter(drafter_id=user.pk).values("status").annotate(n=Count("pk")).order_by()
    )
    return {row["status"]: row["n"] for row in rows}


# ---------------------------------------------------------------- "Việc của tôi"


@dataclass
class DraftTask:
    """One draft waiting for the person, and what to do with it."""

    task: str
    draft: Draft
    deadline: dt.date | None
    mark: str = ""
    acting: str = ""
    key: str = ""  # the step (a key of DRAFT_TASKS)


DRAFT_TASKS = {
    "to_comment": "Góp ý",
    "to_review": "Kiểm tra nội dung",
    "to_check": "Kiểm tra thể thức",
    "to_approve": "Phê duyệt",
    "to_sign": "Ký số",
    "to_issue": "Ban hành",
}


# What the rows of "Việc của tôi" show of a draft (drafting section of my_work.html).
_TASK_FIELDS = (
    "id",
    "subject",
    "urgency",
    "due_date",
    "signer_id",
    "signer__full_name",
    "document_type__name",
)


def draft_tasks(user: User, today: dt.date) -> list[DraftTask]:
    """The drafts waiting for the person (what `waiting_for` lists), urgent first, then by
    deadline (the comment deadline, or the draft's reply deadline): the drafting section of
    "Việc của tôi" (R18), registered with workflow.selectors.my_work in DraftingConfig.ready().

    One query for every step: the conditions of `_waiting_queries` are columns of the draft
    rows, which are split by step here (at most `WAITING_LIMIT` per step, as `waiting_for`)."""
    if not user.is_authenticated or not user.is_active:
        return []
    clerk_units = [u for u, r in user.role_pairs() if r == Role.CLERK]
    open_comment = DraftComment.objects.filter(
        draft_id=OuterRef("pk"), person_id=user.pk, answered_at__isnull=True
    )
    steps: dict[str, Q] = {
        "to_comment": Q(asked_comment=True) & ~Q(status=DraftStatus.ISSUED),
        "to_review": Q(
            status=DraftStatus.REVIEWING, reviewer_id=user.pk, content_decision=Decision.PENDING
        ),
        "to_check": Q(
            status=DraftStatus.REVIEWING, checker_id=user.pk, format_decision=Decision.PENDING
        ),
        "to_approve": (Q(signer_id=user.pk) | Q(acting_for_signer=True))
        & Q(status=DraftStatus.APPROVING),
        "to_sign": Q(
            status=DraftStatus.APPROVED,
            approved_by_id=user.pk,
            approved_version_id=F("current_version_id"),
        )
        & ~_signed(),
        "to_issue": _signed() & Q(status=DraftStatus.APPROVED, issuing_unit_id__in=clerk_units),
    }
    anywhere = Q()
    for condition in steps.values():
        anywhere |= condition
    drafts = (
        Draft.objects.annotate(
            asked_comment=Exists(open_comment),
            comment_deadline=Subquery(open_comment.values("deadline")[:1]),
            acting_for_signer=_acting_for_signer(user),
        )
        .filter(anywhere)
        .annotate(
            **{
                f"is_{key}": ExpressionWrapper(condition, output_field=BooleanField())
                for key, condition in steps.items()
            }
        )
        .select_related("document_type", "signer")
        .only(*_TASK_FIELDS)
        .order_by("-urgency", "updated_at", "pk")[: WAITING_LIMIT * len(steps)]
    )
    tasks: list[DraftTask] = []
    taken = dict.fromkeys(steps, 0)
    for draft in drafts:
        for key in steps:
            if not getattr(draft, f"is_{key}") or taken[key] >= WAITING_LIMIT:
                continue
            taken[key] += 1
            asked_by: dt.date | None = draft.comment_deadline  # type: ignore[attr-defined]
            deadline = asked_by if key == "to_comment" else draft.due_date
            acting = ""
            if key == "to_approve" and draft.signer_id != user.pk and draft.signer is not None:
                acting = f"thay mặt {draft.signer.full_name}"
            tasks.append(
                DraftTask(
                    task=DRAFT_TASKS[key],
                    draft=draft,
                    deadline=deadline,
                    mark=deadline_mark(deadline, today),
                    acting=acting,
                    key=key,
                )
            )
    tasks.sort(
        key=lambda t: (-t.draft.urgency, t.deadline is None, t.deadline or today, t.draft.pk)
    )
    return tasks
