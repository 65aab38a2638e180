"""Reading records (docs/records.md). Every list starts from `rules.readable_q(user)`; a dossier
the person may not read does not exist for them (`NotFound`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import Role, Unit, User
from vanban.core.errors import NotFound

from . import rules
from .models import Dossier, DossierItem, DossierShare, DossierStatus, ItemKind

# ---------------------------------------------------------------- dossiers (Hồ sơ điện tử)


def access_dossier(*, user: Any, pk: int) -> Dossier:
    """The dossier if the person may read it; "missing" and "forbidden" look the same."""
    dossier = (
        Dossier.objects.filter(rules.readable_q(user), pk=pk)
        .select_related("unit", "retention_item", "handler", "closed_by", "entry__heading")
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return dossier


def _listed(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related("unit", "handler").annotate(item_count=Count("items"))


def my_dossiers(*, user: User) -> dict[str, list[Dossier]]:
    """ "Hồ sơ của tôi": the dossiers the person handles, open ones first, and those given to
    them to read. Two queries."""
    mine = list(
        _listed(Dossier.objects.filter(handler=user)).order_by("-year", "status", "notation", "pk")
    )
    given = list(
        _listed(
            Dossier.objects.filter(
                pk__in=DossierShare.objects.filter(user=user).values("dossier_id")
            )
        ).order_by("-year", "notation", "pk")
    )
    return {
        "open": [d for d in mine if d.status == DossierStatus.OPEN],
        "closed": [d for d in mine if d.status != DossierStatus.OPEN],
        "given": given,
    }


def dossier_units(*, user: Any) -> list[Unit]:
    """Units whose dossiers the person lists: leaders and clerks (all of them), the archive
    (those in a hand-over)."""
    if not rules.is_active(user):
        return []
    ids = {u for u, r in user.role_pairs() if r in (Role.LEADER, Role.CLERK, Role.ARCHIVIST)}
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


def unit_dossiers(
    *, user: Any, unit: Unit, year: int | None = None, status: str = ""
) -> QuerySet[Dossier]:
    """The unit's dossiers the person may read, by year and status, newest year first."""
    queryset = Dossier.objects.filter(rules.readable_q(user), unit=unit)
    if year:
        queryset = queryset.filter(year=year)
    if status:
        queryset = queryset.filter(status=status)
    return _listed(queryset).order_by("-year", "notation", "pk")


def changeable_dossiers(*, user: Any) -> QuerySet[Dossier]:
    """The open dossiers the person may change (`rules.can_change`): theirs, and every open
    dossier of a unit they are a clerk of."""
    if not rules.is_active(user):
        return Dossier.objects.none()
    office = [u for u, r in user.role_pairs() if r == Role.CLERK]
    return (
        Dossier.objects.filter(
            Q(handler_id=user.pk) | Q(unit_id__in=office), status=DossierStatus.OPEN
        )
        .select_related("unit")
        .order_by("-year", "notation", "pk")
    )


@dataclass
class ItemRow:
    """One line of the dossier's table of contents (Appendix VI document fields)."""

    item: DossierItem
    kind: str
    number_symbol: str
    day: dt.date | None
    subject: str
    url: str
    pages: int | None
    note: str = ""


@dataclass
class DossierPage:
    dossier: Dossier
    rows: list[ItemRow]
    start_date: dt.date | None
    end_date: dt.date | None
    doc_total: int
    page_total: int | None
    shares: list[DossierShare] = field(default_factory=list)


def _row(item: DossierItem) -> ItemRow:
    if item.kind == ItemKind.DOCUMENT and item.document is not None:
        d = item.document
        return ItemRow(
            item=item,
            kind=f"{d.get_direction_display()} – {d.document_type.name}",
            number_symbol=d.number_symbol,
            day=d.issued_date,
            subject=d.subject,
            url=reverse("documents:document_detail", args=[d.pk]),
            pages=d.page_amount,
        )
    if item.kind == ItemKind.DRAFT_VERSION and item.draft_version is not None:
        v = item.draft_version
        return ItemRow(
            item=item,
            kind="Dự thảo",
            number_symbol=f"Phiên bản {v.number}",
            day=timezone.localdate(v.uploaded_at),
            subject=v.draft.subject,
            url=reverse("drafting:draft_detail", args=[v.draft_id]),
            pages=v.page_count or v.pdf_page_count,
            note=v.original_name,
        )
    f = item.progress_file
    if f is None:  # the check constraint makes one of the three set
        raise NotFound("Không tìm thấy văn bản trong hồ sơ.")
    document = f.entry.processing.document
    return ItemRow(
        item=item,
        kind=f.get_kind_display(),
        number_symbol=f.original_name,
        day=timezone.localdate(f.uploaded_at),
        subject=f"Kết quả xử lý văn bản đến số {document.number_symbol}: {document.subject}",
        url=reverse("workflow:document", args=[document.pk]),
        pages=None,
    )


def dossier_page(*, dossier: Dossier) -> DossierPage:
    """The dossier with its table of contents and the computed Appendix VI fields: StartDate and
    EndDate (the earliest and latest date of its items: a document's date, the day a version or
    result was uploaded), DocTotal (items) and PageTotal (the pages where known). Three
    queries whatever the number of items."""
    items = list(
        DossierItem.objects.filter(dossier=dossier)
        .select_related(
            "document__document_type",
            "draft_version__draft",
            "progress_file__entry__processing__document",
        )
        .order_by("ordinal")
    )
    rows = [_row(i) for i in items]
    days = [r.day for r in rows if r.day is not None]
    pages = [r.pages for r in rows if r.pages]
    shares = list(
        DossierShare.objects.filter(dossier=dossier)
        .select_related("user", "granted_by")
        .order_by("granted_at", "pk")
    )
    return DossierPage(
        dossier=dossier,
        rows=rows,
        start_date=min(days) if days else None,
        end_date=max(days) if days else None,
        doc_total=len(rows),
        page_total=sum(pages) if pages else None,
        shares=shares,
    )


def dossiers_of_document(*, user: Any, document_id: int) -> list[Dossier]:
    """The dossiers a document belongs to that the person may read (one query)."""
    return list(
        Dossier.objects.filter(
            rules.readable_q(user),
            pk__in=DossierItem.objects.filter(document_id=document_id).values("dossier_id"),
        ).order_by("-year", "notation", "pk")
    )
