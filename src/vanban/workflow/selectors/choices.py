"""Choices for the forms (leaders to present to, units and people to give work to, deputies), the
person's delegations and the units whose deadline policy they may edit.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.unit_fields import ANCESTORS

from ..models import Delegation, DirectionTemplate


def unit_leaders(*, unit_id: int) -> list[User]:
    return list(
        User.objects.filter(
            status=AccountStatus.ACTIVE,
            role_assignments__unit_id=unit_id,
            role_assignments__role=Role.LEADER,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def leaders_of_units(*, unit_ids: Iterable[int]) -> list[User]:
    """Active leaders of any of the units (a clerk presents several documents at once)."""
    return list(
        User.objects.filter(
            status=AccountStatus.ACTIVE,
            role_assignments__unit_id__in=list(unit_ids),
            role_assignments__role=Role.LEADER,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def direct_choices(*, unit: Unit) -> tuple[list[Unit], list[User]]:
    """Units below the document's unit, and active people of the unit and below."""
    below = (
        Q(parent_id=unit.pk) | Q(parent__parent_id=unit.pk) | Q(parent__parent__parent_id=unit.pk)
    )
    units = list(
        Unit.objects.filter(below, is_active=True)
        .select_related(ANCESTORS)
        .order_by("level", "name", "pk")
    )
    people = list(
        User.objects.filter(
            Q(unit_id=unit.pk)
            | Q(unit__parent_id=unit.pk)
            | Q(unit__parent__parent_id=unit.pk)
            | Q(unit__parent__parent__parent_id=unit.pk),
            status=AccountStatus.ACTIVE,
        )
        .select_related("unit")
        .order_by("unit__level", "unit__name", "full_name", "pk")
    )
    return units, people


def reassign_choices(*, unit_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Active people of each unit and of the units below it: unit id -> (id, label)."""
    if not unit_ids:
        return {}
    rows = (
        User.objects.filter(
            Q(unit_id__in=unit_ids)
            | Q(unit__parent_id__in=unit_ids)
            | Q(unit__parent__parent_id__in=unit_ids),
            status=AccountStatus.ACTIVE,
        )
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "unit_id", "unit__parent_id", "unit__parent__parent_id")
    )
    found: dict[int, list[tuple[int, str]]] = {unit_id: [] for unit_id in unit_ids}
    for pk, name, *chain in rows:
        for unit_id in unit_ids:
            if unit_id in chain:
                found[unit_id].append((pk, name))
    return found


def delegations_of(*, user: User) -> list[Delegation]:
    return list(
        Delegation.objects.filter(Q(delegator=user) | Q(deputy=user))
        .select_related("unit", "delegator", "deputy", "ended_by")
        .order_by("-starts_at", "-pk")[:100]
    )


def delegation_choices(*, user: User) -> tuple[list[Unit], list[User]]:
    """Units the person leads, and the active people of those units (possible deputies)."""
    unit_ids = sorted(u for u, r in user.role_pairs() if r == Role.LEADER)
    if not unit_ids:
        return [], []
    units = list(Unit.objects.filter(pk__in=unit_ids).select_related(ANCESTORS).order_by("name"))
    people = list(
        User.objects.filter(unit_id__in=unit_ids, status=AccountStatus.ACTIVE)
        .exclude(pk=user.pk)
        .select_related("unit")
        .order_by("full_name", "pk")
    )
    return units, people


def policy_units(*, user: User) -> QuerySet[Unit]:
    """Units whose deadline policy the person may edit: those they lead or administer."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    managed = user.managed_unit_ids()
    if managed is None:
        return Unit.objects.select_related(ANCESTORS).order_by("level", "name")
    ids = managed | {u for u, r in user.role_pairs() if r == Role.LEADER}
    return Unit.objects.filter(pk__in=ids).select_related(ANCESTORS).order_by("level", "name")


def direction_templates_of(user: User) -> list[DirectionTemplate]:
    """The person's direction templates, for the direction form's list and their page."""
    return list(DirectionTemplate.objects.filter(leader=user).order_by("text", "pk"))
