"""Reads of the scan queue: only the clerks of a unit's incoming register see its scans (R16);
a scan of another unit answers as if it did not exist."""

from django.db.models import QuerySet

from vanban.accounts.models import User
from vanban.core.errors import NotFound
from vanban.documents.selectors import clerk_units

from .models import ScanItem

OPEN = [ScanItem.Status.WAITING, ScanItem.Status.READING, ScanItem.Status.READY]
OPEN += [ScanItem.Status.SECRET, ScanItem.Status.FAILED]
NOT_FOUND = "Không tìm thấy bản quét."


def scan_queue(*, user: User) -> QuerySet[ScanItem]:
    """The scans waiting in the queues of the units whose register the person keeps, oldest
    first; they stay until registered or discarded."""
    return (
        ScanItem.objects.filter(unit__in=clerk_units(user=user), status__in=OPEN)
        .select_related("unit", "uploaded_by")
        .defer("ocr_text", "first_page")
        .order_by("uploaded_at", "pk")
    )


def access_scan_item(*, user: User, pk: int) -> ScanItem:
    """One scan of a unit whose register the person keeps; NotFound otherwise."""
    item = ScanItem.objects.select_related("unit").filter(pk=pk).first()
    if item is None or not clerk_units(user=user).filter(pk=item.unit_id).exists():
        raise NotFound(NOT_FOUND)
    return item


def scan_next(*, user: User, after: ScanItem | None = None) -> ScanItem | None:
    """The next scan ready to be confirmed: the first after `after` in the queue's order, else
    the first of the queue other than `after`."""
    ready = scan_queue(user=user).filter(status=ScanItem.Status.READY)
    if after is None:
        return ready.first()
    later = ready.filter(pk__gt=after.pk).first()
    return later or ready.exclude(pk=after.pk).first()
