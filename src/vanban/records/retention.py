"""The retention schedule kept as data by the province administrator (R19; NĐ 30/2020 Art. 28;
TT 10/2022/TT-BNV; docs/records.md, "Danh mục hồ sơ và thời hạn bảo quản").

Everyone signed in reads the schedule; only the province administrator adds, edits, stops or
deletes an item. An item that a dossier list or a dossier uses is never deleted, only stopped
(`is_active` false): the lists and dossiers that chose it keep it. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from vanban.accounts.models import User
from vanban.accounts.services import require_active
from vanban.audit.services import audit_record
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.text import nfc, text_input

from .models import (
    Dossier,
    DossierListEntry,
    RetentionGroup,
    RetentionItem,
    RetentionKind,
    RetentionSchedule,
)

MSG_ADMIN_ONLY = "Chỉ quản trị tỉnh được sửa bảng thời hạn bảo quản."
MSG_NO_SCHEDULE = "Chưa có bảng thời hạn bảo quản nào đang áp dụng."
MSG_IN_USE = (
    "Thời hạn “{item}” đang được dùng trong danh mục hồ sơ hoặc hồ sơ nên không xóa được; "
    "hãy ngừng sử dụng mục này."
)
MAX_YEARS = 100


def is_editor(user: Any) -> bool:
    """Who keeps the schedule: the province administrator."""
    return bool(user is not None and user.is_authenticated and user.is_province_admin)


def _require_editor(actor: User) -> None:
    require_active(actor)
    if not is_editor(actor):
        raise AccessDenied(MSG_ADMIN_ONLY)


# ---------------------------------------------------------------- reading


def current_schedule() -> RetentionSchedule | None:
    return (
        RetentionSchedule.objects.filter(is_current=True).order_by("-in_force_from", "-pk").first()
    )


def schedule_groups(schedule: RetentionSchedule) -> list[RetentionGroup]:
    """The groups of the schedule, each with its items (active or not) in order: two queries."""
    return list(
        schedule.groups.order_by("order", "pk").prefetch_related(
            Prefetch("items", queryset=RetentionItem.objects.order_by("order", "pk"))
        )
    )


def active_items(also: int | None = None) -> QuerySet[RetentionItem]:
    """The items a dossier list may choose: active items of the schedule in force (and `also`,
    the item an entry already has)."""
    condition = Q(is_active=True, group__schedule__is_current=True)
    if also is not None:
        condition |= Q(pk=also)
    return (
        RetentionItem.objects.filter(condition)
        .select_related("group")
        .order_by("group__schedule_id", "group__order", "group_id", "order", "pk")
    )


def item_in_use(item: RetentionItem) -> bool:
    return (
        DossierListEntry.objects.filter(retention_item=item).exists()
        or Dossier.objects.filter(retention_item=item).exists()
    )


def access_item(*, pk: int) -> RetentionItem:
    item = RetentionItem.objects.select_related("group__schedule").filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


# ---------------------------------------------------------------- writing


@dataclass
class ItemInput:
    """An item as typed: `years` as text so that the service says what is wrong with it."""

    group: RetentionGroup | None
    number: str
    title: str
    kind: str
    years: str = ""
    legal_basis: str = ""
    note: str = ""


def _clean(data: ItemInput) -> dict[str, Any]:
    if data.group is None:
        raise ServiceError("Hãy chọn nhóm hồ sơ, tài liệu.", field="group")
    if data.kind not in RetentionKind.values:
        raise ServiceError("Loại thời hạn không hợp lệ.", field="kind")
    years: int | None = None
    typed = nfc(str(data.years or ""))
    if data.kind == RetentionKind.YEARS:
        if not typed:
            raise ServiceError(
                "Thời hạn có số năm: hãy nhập số năm bảo quản (từ 1 năm trở lên).", field="years"
            )
        if not typed.isdigit() or not 1 <= int(typed) <= MAX_YEARS:
            raise ServiceError(
                f"Số năm “{typed}” không hợp lệ; hãy nhập một số nguyên từ 1 đến {MAX_YEARS}.",
                field="years",
            )
        years = int(typed)
    elif typed:
        raise ServiceError(
            f"Thời hạn “{RetentionKind(data.kind).label}” không có số năm; hãy để trống ô số năm.",
            field="years",
        )
    return {
        "group": data.group,
        "number": text_input(data.number, label="số thứ tự", field="number", max_length=10),
        "title": text_input(
            data.title,
            label="tên loại hồ sơ, tài liệu",
            field="title",
            max_length=1000,
            required=True,
        ),
        "kind": data.kind,
        "years": years,
        "legal_basis": text_input(
            data.legal_basis, label="căn cứ pháp lý", field="legal_basis", max_length=300
        ),
        "note": text_input(data.note, label="ghi chú", field="note", max_length=500),
    }


def _snapshot(item: RetentionItem) -> dict[str, Any]:
    return {
        "group": item.group_id,
        "number": item.number,
        "title": item.title,
        "kind": item.kind,
        "years": item.years,
        "legal_basis": item.legal_basis,
        "note": item.note,
        "is_active": item.is_active,
    }


def _audit(actor: User, action: str, item: RetentionItem, ip: str | None, **data: Any) -> None:
    audit_record(actor=actor, action=f"records.retention.{action}", target=item, ip=ip, data=data)


def item_create(*, actor: User, data: ItemInput, ip: str | None = None) -> RetentionItem:
    """The province administrator adds an item to a group of the schedule."""
    _require_editor(actor)
    clean = _clean(data)
    with transaction.atomic():
        group = RetentionGroup.objects.select_for_update().get(pk=clean["group"].pk)
        last = group.items.order_by("-order").values_list("order", flat=True).first()
        item = RetentionItem.objects.create(**clean, order=(last or 0) + 1)
        _audit(actor, "create", item, ip, after=_snapshot(item))
    return item


def item_edit(
    *, actor: User, item: RetentionItem, data: ItemInput, ip: str | None = None
) -> RetentionItem:
    """The province administrator corrects an item. Dossiers already opened keep the period
    written on them (`Dossier.maintenance`); the lists show the item as it now reads."""
    _require_editor(actor)
    clean = _clean(data)
    with transaction.atomic():
        item = RetentionItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(item)
        for name, value in clean.items():
            setattr(item, name, value)
        item.save()
        after = _snapshot(item)
        if after != before:
            _audit(actor, "edit", item, ip, before=before, after=after)
    return item


def item_set_active(
    *, actor: User, item: RetentionItem, active: bool, ip: str | None = None
) -> RetentionItem:
    """Stop an item (new lists no longer offer it) or take it back into use."""
    _require_editor(actor)
    with transaction.atomic():
        item = RetentionItem.objects.select_for_update().get(pk=item.pk)
        if item.is_active == active:
            raise ServiceError(
                "Mục này đang được sử dụng." if active else "Mục này đã ngừng sử dụng."
            )
        item.is_active = active
        item.save(update_fields=["is_active"])
        _audit(actor, "activate" if active else "deactivate", item, ip, title=item.title)
    return item


def item_delete(*, actor: User, item: RetentionItem, ip: str | None = None) -> None:
    """Delete an item typed by mistake; an item in use is refused (it is stopped instead)."""
    _require_editor(actor)
    with transaction.atomic():
        item = RetentionItem.objects.select_for_update().get(pk=item.pk)
        if item_in_use(item):
            raise ServiceError(MSG_IN_USE.format(item=item.title))
        before = _snapshot(item)
        pk = item.pk
        item.delete()
        item.pk = pk  # the event names the row that was deleted
        _audit(actor, "delete", item, ip, before=before)
