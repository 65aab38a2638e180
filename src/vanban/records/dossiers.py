"""Electronic dossiers as the work proceeds (R19; NĐ 30/2020 Art. 29-30; Appendix VI;
docs/records.md, "Hồ sơ điện tử").

- A handler opens a dossier from an entry of the unit's approved dossier list of the year (title,
  notation `01.TCCB`, retention taken from the entry) or ad hoc (hồ sơ phát sinh, `PS01.STTTT`
  or a typed notation), with the Appendix VI fields.
- Documents, draft versions and processing results join it as items pointing at the record (one
  document in several dossiers, never a copy), numbered 1..n without gaps; the person adding
  must be able to read what they add.
- The handler closes it when the work ends, after a completeness check whose every warning they
  confirm, with a second look at the retention; the closed dossier is frozen and only the head
  reopens it, with a reason. A dossier in a hand-over is never reopened by the unit.

Every write locks the dossier row first, checks who acts and the state, changes nothing when it
refuses, and records one audit event as its last write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, IntegerField, Max, OuterRef, Q, Value, When
from django.utils import timezone

from vanban.accounts.models import AccountStatus, Unit, User
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.text import nfc, text_input
from vanban.documents.models import Direction, Document
from vanban.drafting.models import DraftStatus, DraftVersion
from vanban.workflow.models import ProcessingStatus, ProgressFile

from . import rules
from .models import (
    Dossier,
    DossierItem,
    DossierList,
    DossierListEntry,
    DossierShare,
    DossierStatus,
    ItemKind,
    ListStatus,
    RetentionItem,
)
from .search import dossier_search_text

# Appendix VI: Rights (chế độ sử dụng). Secret dossiers are not kept in the system (R13).
RIGHTS = ("Công khai", "Hạn chế")
# DocOrdinal has three digits (Appendix VI part II).
MAX_ITEMS = 999
# Far above every ordinal: the renumbering moves the rows there first, so that no two rows
# share an ordinal while the constraint is checked row by row.
_RENUMBER_OFFSET = 1000

MSG_FROZEN = "Hồ sơ đã kết thúc ngày {day:%d/%m/%Y}, không thay đổi được."
MSG_CHANGE_ONLY = "Chỉ người lập hồ sơ hoặc văn thư của cơ quan được thay đổi hồ sơ này."
MSG_NOTATION_TAKEN = (
    "Số và ký hiệu hồ sơ “{notation}” đã dùng cho hồ sơ “{title}” năm {year}; "
    "hãy chọn số và ký hiệu khác."
)
MSG_NOTATION_RACE = (
    "Số và ký hiệu hồ sơ “{notation}” vừa được dùng cho một hồ sơ khác năm {year}; "
    "hãy chọn số và ký hiệu khác."
)
MSG_ENTRY_NOT_APPROVED = (
    "Hồ sơ này không thuộc danh mục hồ sơ đã được phê duyệt của cơ quan; "
    "hãy chọn hồ sơ trong danh mục đã phê duyệt hoặc lập hồ sơ phát sinh."
)
MSG_NOT_OF_UNIT = "Bạn không thuộc {unit} nên không lập hồ sơ của cơ quan này."
MSG_NOT_IN_CHARGE = "Hồ sơ “{title}” trong danh mục do {person} lập; bạn không lập hồ sơ này."
MSG_RIGHTS = "Chế độ sử dụng chỉ là “Công khai” hoặc “Hạn chế”; hồ sơ mật không lập trên hệ thống."
MSG_RETENTION = "Hãy chọn thời hạn bảo quản trong bảng thời hạn đang dùng."
MSG_ALREADY_IN = "Văn bản này đã có trong hồ sơ “{notation}”."
MSG_TOO_MANY = f"Hồ sơ đã có {MAX_ITEMS} văn bản, không thêm được nữa."
MSG_CANNOT_READ = "Không tìm thấy văn bản."
MSG_ORDER = "Thứ tự văn bản không hợp lệ; hãy nhập số thứ tự cho mọi văn bản trong hồ sơ."
MSG_WORK_ENDED_FUTURE = "Ngày kết thúc công việc không được sau hôm nay ({today:%d/%m/%Y})."
MSG_WORK_ENDED_EARLY = "Ngày kết thúc công việc không được trước ngày mở hồ sơ ({opened:%d/%m/%Y})."
MSG_UNCONFIRMED = (
    "Hồ sơ chưa đầy đủ: hãy xem và xác nhận từng điểm được báo trước khi kết thúc hồ sơ."
)
MSG_EMPTY = "Hồ sơ chưa có văn bản nào nên chưa kết thúc được."
MSG_NOT_CLOSED = "Hồ sơ đang lập, không cần mở lại."
MSG_HANDED_OVER = "Hồ sơ đã đưa vào nộp lưu, cơ quan không mở lại được."
MSG_HEAD_ONLY = "Chỉ thủ trưởng cơ quan (lãnh đạo {unit}) được mở lại hồ sơ đã kết thúc."
MSG_REASON = "Hãy nhập lý do mở lại hồ sơ."
MSG_SHARE_ONLY = "Chỉ người lập hồ sơ hoặc thủ trưởng cơ quan được cho người khác đọc hồ sơ."
MSG_SHARE_SELF = "{name} đã đọc được hồ sơ này."
MSG_SHARE_INACTIVE = "Tài khoản {name} không còn hoạt động."
MSG_SHARE_HANDED = "Hồ sơ đã đưa vào nộp lưu: việc cho đọc do lưu trữ cơ quan quyết định."

NOTATION_RE = re.compile(r"^[0-9A-Za-zĐđ.\-/_]+$")


def local_today() -> dt.date:
    return timezone.localdate(clock.now())


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


# ---------------------------------------------------------------- input


@dataclass
class DossierFields:
    """The Appendix VI fields typed on the form (the rest are taken or computed)."""

    rights: str = "Hạn chế"
    language: str = "Tiếng Việt"
    description: str = ""
    construction: bool = False


def _clean_fields(fields: DossierFields) -> DossierFields:
    rights = nfc(fields.rights or "")
    if rights not in RIGHTS:
        raise ServiceError(MSG_RIGHTS, field="rights")
    return DossierFields(
        rights=rights,
        language=text_input(
            fields.language or "Tiếng Việt",
            label="ngôn ngữ",
            field="language",
            max_length=30,
            required=True,
        ),
        description=text_input(
            fields.description, label="chú giải", field="description", max_length=500
        ),
        construction=bool(fields.construction),
    )


def _retention(item: RetentionItem | None) -> RetentionItem:
    if item is None or not item.is_active:
        raise ServiceError(MSG_RETENTION, field="retention_item")
    return item


# ---------------------------------------------------------------- who and locks


def is_member(user: Any, unit_id: int) -> bool:
    """A person of the agency: their own unit, or any role in it."""
    return rules.is_active(user) and (
        user.unit_id == unit_id or any(u == unit_id for u, _r in user.role_pairs())
    )


def frozen_message(dossier: Dossier) -> str:
    closed = dossier.closed_at or dossier.updated_at
    return MSG_FROZEN.format(day=_local_day(closed))


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("unit", "retention_item", "handler")
        .get(pk=dossier.pk)
    )


def _require_change(actor: User, dossier: Dossier) -> None:
    """Frozen first (the reason that applies to everyone), then the person."""
    if dossier.frozen:
        raise ServiceError(frozen_message(dossier))
    if not rules.can_change(actor, dossier):
        raise AccessDenied(MSG_CHANGE_ONLY)


def _audit(actor: User, action: str, dossier: Dossier, ip: str | None, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=f"records.{action}",
        unit=dossier.unit,
        target=dossier,
        ip=ip,
        data={"file_code": dossier.file_code, **data},
    )


def _search_text(dossier: Dossier) -> str:
    """The dossier's own words for the search of dossiers (records.search)."""
    return dossier_search_text(dossier)


def _lock_unit(unit: Unit) -> None:
    """Opening dossiers of one agency one after another: the notation is checked and the next
    ad hoc number counted under this lock."""
    list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))


def _notation_free(unit: Unit, year: int, notation: str) -> None:
    taken = Dossier.objects.filter(unit=unit, year=year, notation=notation).first()
    if taken is not None:
        raise ServiceError(
            MSG_NOTATION_TAKEN.format(notation=notation, title=taken.title, year=year),
            field="notation",
        )


# ---------------------------------------------------------------- opening


def member_unit_ids(user: Any) -> set[int]:
    if not rules.is_active(user):
        return set()
    return {user.unit_id, *(u for u, _r in user.role_pairs())}


def approved_entries(*, user: Any, year: int) -> list[DossierListEntry]:
    """The planned dossiers the person may open: the entries of the approved lists of the year
    (Art. 28) of the agencies they belong to, or under a heading of their own unit; with
    `opened` set when the dossier is already open. One query."""
    ids = member_unit_ids(user)
    lists = DossierList.objects.filter(year=year, status=ListStatus.APPROVED)
    return list(
        DossierListEntry.objects.filter(heading__dossier_list__in=lists)
        .filter(Q(heading__dossier_list__unit_id__in=ids) | Q(heading__subunit_id__in=ids))
        .annotate(opened=Exists(Dossier.objects.filter(entry_id=OuterRef("pk"))))
        .select_related("heading__dossier_list", "retention_item", "person_in_charge")
        .order_by("heading__dossier_list_id", "heading__order", "heading_id", "number", "pk")
    )


def _create(
    *,
    actor: User,
    unit: Unit,
    year: int,
    notation: str,
    title: str,
    item: RetentionItem,
    fields: DossierFields,
    entry: DossierListEntry | None,
    ip: str | None,
) -> Dossier:
    now = clock.now()
    dossier = Dossier(
        unit=unit,
        entry=entry,
        ad_hoc=entry is None,
        year=year,
        notation=notation,
        title=title,
        retention_item=item,
        maintenance=item.maintenance,
        rights=fields.rights,
        creator=actor.full_name[:30],
        language=fields.language,
        description=fields.description,
        handler=actor,
        construction=fields.construction,
        opened_at=now,
        updated_at=now,
    )
    dossier.search_text = _search_text(dossier)
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError as exc:  # taken meanwhile despite the lock (another database path)
        raise ServiceError(
            MSG_NOTATION_RACE.format(notation=notation, year=year), field="notation"
        ) from exc
    _audit(
        actor,
        "dossier_opened",
        dossier,
        ip,
        notation=notation,
        title=title,
        ad_hoc=entry is None,
        entry=entry.pk if entry else None,
        retention=item.pk,
        maintenance=item.maintenance,
    )
    return dossier


def dossier_open_from_entry(
    *,
    actor: User,
    entry: DossierListEntry,
    fields: DossierFields | None = None,
    ip: str | None = None,
) -> Dossier:
    """A handler opens the dossier planned by an entry of the unit's approved list of the year
    (NĐ 30/2020 Art. 29): title, notation (`01.TCCB`), retention and maintenance come from the
    entry. The entry's person in charge opens it; a clerk of the unit too."""
    clean = _clean_fields(fields or DossierFields())
    entry = (
        DossierListEntry.objects.select_related(
            "heading__dossier_list__unit", "retention_item", "person_in_charge"
        )
        .filter(pk=entry.pk)
        .first()
        or entry
    )
    the_list = entry.heading.dossier_list
    unit = the_list.unit
    subunit = entry.heading.subunit_id
    if not (is_member(actor, unit.pk) or (subunit is not None and is_member(actor, subunit))):
        raise AccessDenied(MSG_NOT_OF_UNIT.format(unit=unit.name))
    if the_list.status != ListStatus.APPROVED:
        raise ServiceError(MSG_ENTRY_NOT_APPROVED, field="entry")
    person = entry.person_in_charge
    if person is not None and person.pk != actor.pk and not rules.is_office(actor, unit.pk):
        raise AccessDenied(MSG_NOT_IN_CHARGE.format(title=entry.title, person=person.full_name))
    with transaction.atomic():
        _lock_unit(unit)
        _notation_free(unit, the_list.year, entry.code)
        return _create(
            actor=actor,
            unit=unit,
            year=the_list.year,
            notation=entry.code,
            title=entry.title,
            item=entry.retention_item,
            fields=clean,
            entry=entry,
            ip=ip,
        )


def _next_ad_hoc(unit: Unit, year: int) -> str:
    """`PS01.STTTT`: the next free number of the unit's ad hoc dossiers of the year."""
    taken = set(
        Dossier.objects.filter(unit=unit, year=year, notation__startswith="PS").values_list(
            "notation", flat=True
        )
    )
    number = 1
    while f"PS{number:02d}.{unit.symbol}"[:20] in taken:
        number += 1
    return f"PS{number:02d}.{unit.symbol}"[:20]


def dossier_open_ad_hoc(
    *,
    actor: User,
    unit: Unit,
    title: str,
    item: RetentionItem | None,
    notation: str = "",
    fields: DossierFields | None = None,
    ip: str | None = None,
) -> Dossier:
    """A dossier outside the approved list (hồ sơ phát sinh), marked as such on every page: the
    handler types the title and chooses the retention from the schedule in use; the notation is
    `PSnn.<unit symbol>` unless typed (20 characters at most, Appendix VI FileNotation)."""
    if not is_member(actor, unit.pk):
        raise AccessDenied(MSG_NOT_OF_UNIT.format(unit=unit.name))
    title = text_input(title, label="tiêu đề hồ sơ", field="title", max_length=500, required=True)
    typed = text_input(notation, label="số và ký hiệu hồ sơ", field="notation", max_length=20)
    if typed and not NOTATION_RE.match(typed):
        raise ServiceError(
            "Số và ký hiệu hồ sơ chỉ gồm chữ, số và các dấu . - / _ (không có khoảng trắng).",
            field="notation",
        )
    retention = _retention(item)
    clean = _clean_fields(fields or DossierFields())
    year = local_today().year
    with transaction.atomic():
        _lock_unit(unit)
        chosen = typed or _next_ad_hoc(unit, year)
        _notation_free(unit, year, chosen)
        return _create(
            actor=actor,
            unit=unit,
            year=year,
            notation=chosen,
            title=title,
            item=retention,
            fields=clean,
            entry=None,
            ip=ip,
        )


def dossier_edit(
    *,
    actor: User,
    dossier: Dossier,
    title: str,
    fields: DossierFields,
    ip: str | None = None,
) -> Dossier:
    """The handler corrects the typed fields of an open dossier (Appendix VI Title, Rights,
    Language, Description)."""
    title = text_input(title, label="tiêu đề hồ sơ", field="title", max_length=500, required=True)
    clean = _clean_fields(fields)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        before = {
            "title": dossier.title,
            "rights": dossier.rights,
            "language": dossier.language,
            "description": dossier.description,
            "construction": dossier.construction,
        }
        dossier.title = title
        dossier.rights = clean.rights
        dossier.language = clean.language
        dossier.description = clean.description
        dossier.construction = clean.construction
        dossier.search_text = _search_text(dossier)
        dossier.updated_at = clock.now()
        dossier.save(
            update_fields=[
                "title",
                "rights",
                "language",
                "description",
                "construction",
                "search_text",
                "updated_at",
            ]
        )
        after = {k: getattr(dossier, k) for k in before}
        _audit(
            actor,
            "dossier_edited",
            dossier,
            ip,
            changed={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
    return dossier


# ---------------------------------------------------------------- items


def readable_target(*, user: User, kind: str, pk: int) -> Document | DraftVersion | ProgressFile:
    """The record a person may add: a document they may see (the document page's rule), a
    version of a draft they may see (the draft page's rule), a result of a processing whose
    document they may see (the processing page's rule). `NotFound` otherwise."""
    from vanban.drafting.selectors import access_draft

    if kind == ItemKind.DOCUMENT:
        document = Document.objects.visible_to(user).filter(pk=pk).first()
        if document is None:
            raise NotFound(MSG_CANNOT_READ)
        return document
    if kind == ItemKind.DRAFT_VERSION:
        version = DraftVersion.objects.select_related("draft").filter(pk=pk).first()
        if version is None:
            raise NotFound(MSG_CANNOT_READ)
        access_draft(user=user, pk=version.draft_id)  # NotFound for a draft they may not see
        return version
    if kind == ItemKind.PROGRESS_FILE:
        visible = Document.objects.visible_to(user).values("pk")
        found = (
            ProgressFile.objects.filter(pk=pk, entry__processing__document_id__in=visible)
            .select_related("entry__processing__document")
            .first()
        )
        if found is None:
            raise NotFound(MSG_CANNOT_READ)
        return found
    raise NotFound(MSG_CANNOT_READ)


def _renumber(dossier: Dossier, order: list[int]) -> None:
    """Give the items of `order` (ids) the ordinals 1..n in that order: two statements."""
    items = DossierItem.objects.filter(dossier=dossier)
    items.update(ordinal=F("ordinal") + _RENUMBER_OFFSET)
    if order:
        items.update(
            ordinal=Case(
                *(When(pk=pk, then=Value(n)) for n, pk in enumerate(order, start=1)),
                output_field=IntegerField(),
            )
        )


def _ordered_ids(dossier: Dossier) -> list[int]:
    return list(
        DossierItem.objects.filter(dossier=dossier).order_by("ordinal").values_list("pk", flat=True)
    )


def dossier_item_add(
    *, actor: User, dossier: Dossier, kind: str, pk: int, ip: str | None = None
) -> DossierItem:
    """Add a document, draft version or processing result to an open dossier (R19; Appendix VI
    "one document in several dossiers without copying it"): the item points at the record and
    takes the next ordinal. The person must be able to read what they add."""
    target = readable_target(user=actor, kind=kind, pk=pk)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        existing = DossierItem.objects.filter(dossier=dossier)
        if existing.filter(**{f"{kind}_id": target.pk}).exists():
            raise ServiceError(MSG_ALREADY_IN.format(notation=dossier.notation))
        last = existing.aggregate(last=Max("ordinal"))["last"] or 0
        if last >= MAX_ITEMS:
            raise ServiceError(MSG_TOO_MANY)
        now = clock.now()
        item = DossierItem.objects.create(
            dossier=dossier,
            ordinal=last + 1,
            kind=kind,
            added_by=actor,
            added_at=now,
            # The kinds are named as the fields that point at the record.
            **{kind: target},
        )
        dossier.updated_at = now
        dossier.save(update_fields=["updated_at"])
        _audit(
            actor,
            "dossier_item_added",
            dossier,
            ip,
            kind=kind,
            record=target.pk,
            ordinal=item.ordinal,
        )
    return item


def _item_of(dossier: Dossier, item_id: int) -> DossierItem:
    item = DossierItem.objects.filter(dossier=dossier, pk=item_id).first()
    if item is None:
        raise NotFound("Không tìm thấy văn bản trong hồ sơ.")
    return item


def dossier_item_remove(
    *, actor: User, dossier: Dossier, item_id: int, ip: str | None = None
) -> None:
    """Take an item out of an open dossier; the others are numbered 1..n again. The record
    itself stays where it is."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        item = _item_of(dossier, item_id)
        record = item.document_id or item.draft_version_id or item.progress_file_id
        ordinal = item.ordinal
        item.delete()
        _renumber(dossier, _ordered_ids(dossier))
        dossier.updated_at = clock.now()
        dossier.save(update_fields=["updated_at"])
        _audit(
            actor,
            "dossier_item_removed",
            dossier,
            ip,
            kind=item.kind,
            record=record,
            ordinal=ordinal,
        )


def dossier_item_move(
    *, actor: User, dossier: Dossier, item_id: int, up: bool, ip: str | None = None
) -> None:
    """Move an item one place up or down (nothing happens at either end)."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        item = _item_of(dossier, item_id)
        order = _ordered_ids(dossier)
        at = order.index(item.pk)
        other = at - 1 if up else at + 1
        if 0 <= other < len(order):
            order[at], order[other] = order[other], order[at]
            _renumber(dossier, order)
            dossier.updated_at = clock.now()
            dossier.save(update_fields=["updated_at"])
            _audit(actor, "dossier_items_ordered", dossier, ip, order=order)


def dossier_items_order(
    *, actor: User, dossier: Dossier, numbers: dict[int, int], ip: str | None = None
) -> None:
    """Set the order by typed numbers: `numbers` maps every item id to the place wanted; ties
    keep their previous order; the result is numbered 1..n."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        current = _ordered_ids(dossier)
        if set(numbers) != set(current) or any(n < 1 for n in numbers.values()):
            raise ServiceError(MSG_ORDER)
        order = sorted(current, key=lambda pk: (numbers[pk], current.index(pk)))
        _renumber(dossier, order)
        dossier.updated_at = clock.now()
        dossier.save(update_fields=["updated_at"])
        _audit(actor, "dossier_items_ordered", dossier, ip, order=order)


# ---------------------------------------------------------------- completeness and closing


@dataclass(frozen=True)
class Problem:
    """One point of the completeness check; `key` is what the handler confirms."""

    key: str
    message: str


def dossier_problems(dossier: Dossier) -> list[Problem]:
    """The completeness check before closing (NĐ 30/2020 Art. 30: the handler checks the dossier
    is complete when the work ends):
    - an incoming document whose processing has not ended (not DONE nor WITHDRAWN);
    - an incoming document that asks for a reply (its due date) with no reply: neither a reply
      number recorded when its processing was finished (`Processing.reply_reference`) nor an
      issued outgoing document in the dossier dated on or after it;
    - a draft version whose draft was never issued.
    A fixed number of queries."""
    items = list(
        DossierItem.objects.filter(dossier=dossier)
        .select_related("document__processing", "draft_version__draft")
        .order_by("ordinal")
    )
    problems: list[Problem] = []
    outgoing_dates = [
        i.document.issued_date
        for i in items
        if i.document is not None and i.document.direction == Direction.OUTGOING
    ]
    for item in items:
        document = item.document
        if document is not None and document.direction == Direction.INCOMING:
            label = f"Văn bản đến số {document.number_symbol or document.arrival_number}"
            processing = getattr(document, "processing", None)
            status = processing.status if processing is not None else None
            if status not in (ProcessingStatus.DONE, ProcessingStatus.WITHDRAWN):
                shown = ProcessingStatus(status).label if status else "chờ trình"
                problems.append(
                    Problem(
                        f"processing-{document.pk}",
                        f"{label} (thứ tự {item.ordinal}) chưa xử lý xong ({shown}).",
                    )
                )
            if document.due_date is not None and status != ProcessingStatus.WITHDRAWN:
                answered = bool(processing is not None and processing.reply_reference) or any(
                    day >= document.issued_date for day in outgoing_dates
                )
                if not answered:
                    problems.append(
                        Problem(
                            f"reply-{document.pk}",
                            f"{label} (thứ tự {item.ordinal}) yêu cầu trả lời trước ngày "
                            f"{document.due_date:%d/%m/%Y} nhưng chưa có văn bản trả lời "
                            "đã ban hành.",
                        )
                    )
        version = item.draft_version
        if version is not None and version.draft.status != DraftStatus.ISSUED:
            problems.append(
                Problem(
                    f"draft-{version.pk}",
                    f"Dự thảo “{version.draft.subject}” (phiên bản {version.number}, thứ tự "
                    f"{item.ordinal}) chưa được ban hành.",
                )
            )
    return problems


def dossier_close(
    *,
    actor: User,
    dossier: Dossier,
    work_ended_on: dt.date | None = None,
    item: RetentionItem | None = None,
    confirmed: Iterable[str] = (),
    ip: str | None = None,
) -> Dossier:
    """The handler closes the dossier when the work ends (NĐ 30/2020 Art. 30).

    The completeness check's warnings do not block closing, but each must be confirmed
    (`confirmed` holds their keys) or nothing happens. The retention is looked at again: a new
    item replaces the old, both recorded. The day the work ended (today unless typed, never in
    the future nor before the dossier was opened) sets the hand-over due date (Art. 31)."""
    today = local_today()
    ended = work_ended_on or today
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_change(actor, dossier)
        if ended > today:
            raise ServiceError(MSG_WORK_ENDED_FUTURE.format(today=today), field="work_ended_on")
        opened = _local_day(dossier.opened_at)
        if ended < opened:
            raise ServiceError(MSG_WORK_ENDED_EARLY.format(opened=opened), field="work_ended_on")
        if not DossierItem.objects.filter(dossier=dossier).exists():
            raise ServiceError(MSG_EMPTY)
        new_item = dossier.retention_item if item is None else _retention(item)
        problems = dossier_problems(dossier)
        unconfirmed = [p for p in problems if p.key not in set(confirmed)]
        if unconfirmed:
            raise ServiceError(MSG_UNCONFIRMED, field="confirmed")
        old_item = dossier.retention_item
        now = clock.now()
        dossier.status = DossierStatus.CLOSED
        dossier.closed_at = now
        dossier.closed_by = actor
        dossier.work_ended_on = ended
        dossier.retention_item = new_item
        dossier.maintenance = new_item.maintenance
        dossier.handover_due_on = rules.handover_due(
            new_item, ended, construction=dossier.construction
        )
        dossier.updated_at = now
        dossier.save(
            update_fields=[
                "status",
                "closed_at",
                "closed_by",
                "work_ended_on",
                "retention_item",
                "maintenance",
                "handover_due_on",
                "updated_at",
            ]
        )
        data: dict[str, Any] = {
            "work_ended_on": ended.isoformat(),
            "handover_due_on": (
                dossier.handover_due_on.isoformat() if dossier.handover_due_on else None
            ),
            "warnings": [p.message for p in problems],
        }
        if old_item.pk != new_item.pk:
            data["retention"] = {
                "old": {"item": old_item.pk, "maintenance": old_item.maintenance},
                "new": {"item": new_item.pk, "maintenance": new_item.maintenance},
            }
        _audit(actor, "dossier_closed", dossier, ip, **data)
    return dossier


def dossier_reopen(*, actor: User, dossier: Dossier, reason: str, ip: str | None = None) -> Dossier:
    """The head reopens a closed dossier with a reason (recorded); the hand-over date goes with
    the closing. A dossier in a hand-over list or accepted by the archive is never reopened by
    the unit."""
    reason = text_input(reason, label="lý do mở lại", field="reason", max_length=1000)
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.status in (DossierStatus.SUBMITTED, DossierStatus.ARCHIVED):
            raise ServiceError(MSG_HANDED_OVER)
        if dossier.status == DossierStatus.OPEN:
            raise ServiceError(MSG_NOT_CLOSED)
        if not rules.is_head(actor, dossier.unit_id):
            raise AccessDenied(MSG_HEAD_ONLY.format(unit=dossier.unit.name))
        if not reason:
            raise ServiceError(MSG_REASON, field="reason")
        closed = {
            "closed_at": dossier.closed_at.isoformat() if dossier.closed_at else None,
            "closed_by": dossier.closed_by_id,
            "work_ended_on": dossier.work_ended_on.isoformat() if dossier.work_ended_on else None,
            "handover_due_on": (
                dossier.handover_due_on.isoformat() if dossier.handover_due_on else None
            ),
        }
        dossier.status = DossierStatus.OPEN
        dossier.closed_at = None
        dossier.closed_by = None
        dossier.work_ended_on = None
        dossier.handover_due_on = None
        dossier.handover_notified_on = None
        dossier.updated_at = clock.now()
        dossier.save(
            update_fields=[
                "status",
                "closed_at",
                "closed_by",
                "work_ended_on",
                "handover_due_on",
                "handover_notified_on",
                "updated_at",
            ]
        )
        _audit(actor, "dossier_reopened", dossier, ip, reason=reason, closed=closed)
    return dossier


# ---------------------------------------------------------------- reading


def can_share(user: Any, dossier: Dossier) -> bool:
    """The handler or the head gives reading, while the dossier is the unit's (open or
    closed); once in a hand-over the archive decides."""
    if dossier.status not in (DossierStatus.OPEN, DossierStatus.CLOSED):
        return False
    return rules.is_active(user) and (
        dossier.handler_id == user.pk or rules.is_head(user, dossier.unit_id)
    )


def _require_share(actor: User, dossier: Dossier) -> None:
    if dossier.status not in (DossierStatus.OPEN, DossierStatus.CLOSED):
        raise ServiceError(MSG_SHARE_HANDED)
    if not can_share(actor, dossier):
        raise AccessDenied(MSG_SHARE_ONLY)


def dossier_share(
    *, actor: User, dossier: Dossier, user: User, ip: str | None = None
) -> DossierShare:
    """Give a person the dossier to read (DossierShare); reading is not changing, so a closed
    dossier may be given too."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_share(actor, dossier)
        if user.status != AccountStatus.ACTIVE or not user.is_active:
            raise ServiceError(MSG_SHARE_INACTIVE.format(name=user.full_name), field="user")
        if rules.can_read(user, dossier):
            raise ServiceError(MSG_SHARE_SELF.format(name=user.full_name), field="user")
        share = DossierShare.objects.create(
            dossier=dossier, user=user, granted_by=actor, granted_at=clock.now()
        )
        _audit(actor, "dossier_shared", dossier, ip, user=user.pk, name=user.full_name)
    return share


def dossier_unshare(*, actor: User, dossier: Dossier, user_id: int, ip: str | None = None) -> None:
    """Take the reading back from a person it was given to."""
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_share(actor, dossier)
        share = (
            DossierShare.objects.select_related("user")
            .filter(dossier=dossier, user_id=user_id)
            .first()
        )
        if share is None:
            raise NotFound("Người này không được cho đọc hồ sơ.")
        name = share.user.full_name
        share.delete()
        _audit(actor, "dossier_unshared", dossier, ip, user=user_id, name=name)


def dossier_viewed(*, user: User, dossier: Dossier, ip: str | None = None) -> None:
    """Every view of a dossier's page is recorded (Appendix VI "log access history")."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action="records.dossier_viewed",
            unit=dossier.unit,
            target=dossier,
            ip=ip,
            data={"file_code": dossier.file_code},
        )
