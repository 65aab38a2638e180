"""Reads of documents; every query starts from `Document.objects.visible_to(user)`, or for a list
from `VisibleDocuments`, the same rule in two halves (visibility.py)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.core.errors import NotFound

from .models import Direction, Document, RegisterSeries
from .visibility import VisibleDocuments


def document_list(
    *, user: User, direction: str | None = None, unit: Unit | None = None
) -> VisibleDocuments:
    """Documents the person may see, urgent first, then newest registration first."""
    qs = Document.objects.select_related("document_type", "unit")
    if direction in Direction.values:
        qs = qs.filter(direction=direction)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return VisibleDocuments(qs.order_by("-urgency", "-registered_at", "-id"), user)


def access_document(*, user: User, pk: int) -> Document:
    """The document if the person may see it; "missing" and "forbidden" look the same."""
    document = (
        Document.objects.visible_to(user)
        .select_related("document_type", "unit", "series", "registered_by", "issuer_unit")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise NotFound("Không tìm thấy văn bản.")
    return document


def clerk_units(*, user: User) -> QuerySet[Unit]:
    """Units whose registers the person keeps (clerk role)."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    ids = [unit_id for unit_id, role in user.role_pairs() if role == Role.CLERK]
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("name")


def register_units(*, user: User) -> QuerySet[Unit]:
    """Units whose registers the person may read (clerks and leaders)."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    ids = [u for u, r in user.role_pairs() if r in (Role.CLERK, Role.LEADER)]
    return Unit.objects.filter(pk__in=ids).order_by("name")


def series_list(*, user: User, unit: Unit, year: int | None = None) -> QuerySet[RegisterSeries]:
    if unit.pk not in set(register_units(user=user).values_list("pk", flat=True)) and not (
        user.has_role(Role.UNIT_ADMIN, unit)
    ):
        raise NotFound("Không tìm thấy đơn vị.")
    qs = RegisterSeries.objects.filter(unit=unit).select_related("document_type")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "direction", "name")


def series_units(*, user: User) -> QuerySet[Unit]:
    """Units whose numbering series the person may see and open (clerks, leaders, unit admins)."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    roles = (Role.CLERK, Role.LEADER, Role.UNIT_ADMIN)
    ids = [u for u, r in user.role_pairs() if r in roles]
    return Unit.objects.filter(pk__in=ids).order_by("name")


def share_candidates(*, document: Document, excluded: Iterable[int] = ()) -> QuerySet[User]:
    """Active people of the document's unit who have not been given it yet, but for `excluded`
    (the people a registered `share_rules` rule keeps out for now)."""

    return (
        User.objects.filter(unit_id=document.unit_id, status=AccountStatus.ACTIVE)
        .exclude(document_shares__document=document)
        .exclude(pk__in=sorted(excluded))
        .order_by("full_name", "pk")
    )
