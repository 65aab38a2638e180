"""Drafts have a discussion thread (`documents.discussions`), seen by whoever may see the draft
(`DraftQuerySet.visible_to`): the drafter, the people asked to comment, check, approve or sign
it, the leaders of the drafting and issuing units, and the issuing unit's clerks once it is
approved. Registered by `DraftingConfig.ready()`."""

from django.urls import reverse

from vanban.accounts.models import Role, RoleAssignment, User
from vanban.documents.discussions import ThreadKind, thread_kind_register

from .models import Draft, DraftComment, DraftStatus
from .services import draft_label


def _visible(user: User, pk: int) -> bool:
    return Draft.objects.visible_to(user).filter(pk=pk).exists()


def _viewer_ids(pk: int) -> set[int]:
    """Everyone `DraftQuerySet.visible_to` lets see the draft, in three queries."""
    draft = (
        Draft.objects.filter(pk=pk)
        .values(
            "drafter_id",
            "reviewer_id",
            "checker_id",
            "signer_id",
            "unit_id",
            "issuing_unit_id",
            "status",
        )
        .first()
    )
    if draft is None:
        return set()
    people = {draft[k] for k in ("drafter_id", "reviewer_id", "checker_id", "signer_id")}
    roles = RoleAssignment.objects.filter(
        unit_id__in=[draft["unit_id"], draft["issuing_unit_id"]], role__in=[Role.LEADER, Role.CLERK]
    ).values_list("user_id", "unit_id", "role")
    approved = draft["status"] in (DraftStatus.APPROVED, DraftStatus.ISSUED)
    for user_id, unit_id, role in roles:
        if role == Role.LEADER or (approved and unit_id == draft["issuing_unit_id"]):
            people.add(user_id)
    people |= set(DraftComment.objects.filter(draft_id=pk).values_list("person_id", flat=True))
    people.discard(None)
    return people


def _label(pk: int) -> str:
    return draft_label(Draft.objects.select_related("document_type").get(pk=pk))


def register() -> None:
    thread_kind_register(
        ThreadKind(
            name="draft",
            noun="dự thảo",
            visible=_visible,
            viewer_ids=_viewer_ids,
            label=_label,
            link=lambda pk: reverse("drafting:draft_detail", args=[pk]),
        )
    )
