"""The rules of records that every part shares: who may do what with a dossier, and when a
closed dossier is due for hand-over (NĐ 30/2020 Art. 28-31; docs/records.md).

- The head of an agency is a leader of its unit; the office is its clerks; the agency's archive
  is the people with the `archivist` role in the unit.
- A dossier is read by its unit's leaders and clerks, its handler, the people it is given to
  (`DossierShare`) and, once it is in a hand-over list or accepted, the unit's archive.
- Only the handler (or a clerk of the unit) changes an open dossier; a dossier that is not open
  is frozen; reopening a closed one needs the head.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q

from vanban.accounts.models import Role

from .models import Dossier, DossierShare, DossierStatus, RetentionItem

# Art. 31: within one year after the work ended; three months for construction projects.
HANDOVER_AFTER_MONTHS = 12
CONSTRUCTION_HANDOVER_AFTER_MONTHS = 3
# The unit and the archive are told this many days before a dossier becomes due.
NOTICE_DAYS_AHEAD = 30
# Keeping a dossier back from the hand-over lasts at most two years (Art. 31.2).
KEEP_BACK_MAX_YEARS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 exists in every month


def handover_due(
    item: RetentionItem, work_ended_on: dt.date, *, construction: bool
) -> dt.date | None:
    """The day a closed dossier must be in the agency archive, or None when it stays at the unit
    (periods under five years, "until superseded", "life of the equipment")."""
    if not item.handed_over:
        return None
    months = CONSTRUCTION_HANDOVER_AFTER_MONTHS if construction else HANDOVER_AFTER_MONTHS
    return add_months(work_ended_on, months)


def is_active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_head(user: Any, unit_id: int) -> bool:
    """The head of the agency (thủ trưởng): a leader of the unit."""
    return is_active(user) and any(u == unit_id and r == Role.LEADER for u, r in user.role_pairs())


def is_office(user: Any, unit_id: int) -> bool:
    """The agency's office: its clerks (văn thư), who draft the dossier list."""
    return is_active(user) and any(u == unit_id and r == Role.CLERK for u, r in user.role_pairs())


def is_archivist(user: Any, unit_id: int) -> bool:
    """The agency's archive (lưu trữ cơ quan)."""
    return is_active(user) and any(
        u == unit_id and r == Role.ARCHIVIST for u, r in user.role_pairs()
    )


ARCHIVE_SEES = (DossierStatus.SUBMITTED, DossierStatus.ARCHIVED)


def can_read(user: Any, dossier: Dossier) -> bool:
    if not is_active(user):
        return False
    if dossier.handler_id == user.pk:
        return True
    if is_head(user, dossier.unit_id) or is_office(user, dossier.unit_id):
        return True
    if dossier.status in ARCHIVE_SEES and is_archivist(user, dossier.unit_id):
        return True
    return dossier.shares.filter(user_id=user.pk).exists()


def readable_q(user: Any) -> Q:
    """The dossiers `user` may read, as one condition without joins (the same rule as
    `can_read`), so a queryset filtered by it has no duplicates."""
    if not is_active(user):
        return Q(pk__in=[])
    pairs = user.role_pairs()
    full = {u for u, r in pairs if r in (Role.LEADER, Role.CLERK)}
    archive = {u for u, r in pairs if r == Role.ARCHIVIST}
    given = DossierShare.objects.filter(dossier_id=OuterRef("pk"), user_id=user.pk)
    condition = Q(handler_id=user.pk) | Q(Exists(given))
    if full:
        condition |= Q(unit_id__in=full)
    if archive:
        condition |= Q(unit_id__in=archive, status__in=ARCHIVE_SEES)
    return condition


def can_change(user: Any, dossier: Dossier) -> bool:
    """Adding, ordering and removing documents, editing fields, closing: the handler or a clerk
    of the unit, while the dossier is open."""
    if dossier.status != DossierStatus.OPEN or not is_active(user):
        return False
    return dossier.handler_id == user.pk or is_office(user, dossier.unit_id)
