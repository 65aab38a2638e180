"""The yearly dossier list (danh mục hồ sơ) of an agency (R19; NĐ 30/2020 Art. 28, Appendix V;
docs/records.md, "Danh mục hồ sơ và thời hạn bảo quản").

- The office (clerks of the unit) creates the list of a year, with headings by sub-unit or field
  (shown with Roman numerals by their order) and entries numbered within their heading
  (`01.TCCB`), each with a retention item of the schedule and the person in charge.
- The office submits it; the head (a leader of the unit) approves it, or returns it with a
  reason. Only a draft is changed; an approved list is frozen until the head reopens it for
  amendment, which is recorded.
- The office copies a year's list forward to the next year as a new draft.
- Handlers open dossiers from the approved list (`approved_entries`).

Every write locks the list row first, checks who acts and the list's state, and changes nothing
when it refuses; the audit event is its last write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc, text_input
from vanban.reports.periods import REPORT_TZ

from . import retention, rules
from .models import (
    Dossier,
    DossierList,
    DossierListEntry,
    DossierListHeading,
    ListStatus,
    RetentionItem,
    RetentionKind,
)

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_NUMBER = 999
ABBREVIATION_RE = re.compile(r"^[A-ZĐ0-9][A-ZĐ0-9-]{0,9}$")

MSG_OFFICE_ONLY = "Chỉ văn thư (văn phòng) của {unit} được lập danh mục hồ sơ của cơ quan."
MSG_HEAD_ONLY = "Chỉ thủ trưởng (lãnh đạo) của {unit} được phê duyệt danh mục hồ sơ."
MSG_SUBMITTED = (
    "Danh mục hồ sơ đang chờ thủ trưởng phê duyệt nên không sửa được; "
    "hãy chờ thủ trưởng duyệt hoặc trả lại."
)
MSG_APPROVED = (
    "Danh mục hồ sơ đã được phê duyệt nên không sửa được; "
    "thủ trưởng có thể mở lại danh mục để điều chỉnh."
)
MSG_NOT_SUBMITTED = "Danh mục hồ sơ chưa được trình nên chưa phê duyệt hoặc trả lại được."
MSG_NOT_APPROVED = "Danh mục hồ sơ chưa được phê duyệt nên không cần mở lại."
MSG_EMPTY = "Danh mục hồ sơ chưa có hồ sơ nào nên chưa trình được."
MSG_EXISTS = "{unit} đã có danh mục hồ sơ năm {year}."
MSG_BAD_YEAR = f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}."
MSG_HAS_DOSSIERS = "Hồ sơ “{code}” đã được lập từ danh mục này nên không xóa được khỏi danh mục."


# ---------------------------------------------------------------- display helpers

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(number: int) -> str:
    """1 -> I, 4 -> IV, 14 -> XIV: the headings of the list (Appendix V)."""
    out = []
    for value, letters in _ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def this_year() -> int:
    """The current year in Vietnam time: a list made on 31/12 after 17:00 UTC is next year's."""
    return clock.now().astimezone(REPORT_TZ).year


def list_url(dossier_list: DossierList) -> str:
    return reverse("records:list_detail", kwargs={"pk": dossier_list.pk})


def list_label(dossier_list: DossierList) -> str:
    return f"Danh mục hồ sơ năm {dossier_list.year}"


# ---------------------------------------------------------------- who may do what


def is_reader(user: Any, unit: Unit) -> bool:
    """The people of the agency read its lists: its own accounts and anyone with a role in it."""
    return rules.is_active(user) and (
        user.unit_id == unit.pk or any(u == unit.pk for u, _r in user.role_pairs())
    )


def _require_office(actor: User, unit: Unit) -> None:
    require_active(actor)
    if not rules.is_office(actor, unit.pk):
        raise AccessDenied(MSG_OFFICE_ONLY.format(unit=unit.name))


def _require_head(actor: User, unit: Unit) -> None:
    require_active(actor)
    if not rules.is_head(actor, unit.pk):
        raise AccessDenied(MSG_HEAD_ONLY.format(unit=unit.name))


def _lock(dossier_list: DossierList) -> DossierList:
    return DossierList.objects.select_for_update().select_related("unit").get(pk=dossier_list.pk)


def _require_draft(dossier_list: DossierList) -> None:
    if dossier_list.status == ListStatus.SUBMITTED:
        raise ServiceError(MSG_SUBMITTED)
    if dossier_list.status == ListStatus.APPROVED:
        raise ServiceError(MSG_APPROVED)


def _touch(dossier_list: DossierList) -> None:
    dossier_list.updated_at = clock.now()
    dossier_list.save(update_fields=["updated_at"])


def _audit(
    actor: User, action: str, dossier_list: DossierList, ip: str | None, **data: Any
) -> None:
    audit_record(
        actor=actor,
        action=f"records.list.{action}",
        unit=dossier_list.unit,
        target=dossier_list,
        ip=ip,
        data={"year": dossier_list.year, **data},
    )


def unit_people(unit: Unit, also: int | None = None) -> QuerySet[User]:
    """Who may be put in charge of a planned dossier: the unit's active accounts (and `also`,
    the person an entry already has)."""
    condition = Q(unit=unit, status=AccountStatus.ACTIVE)
    if also is not None:
        condition |= Q(pk=also)
    return User.objects.filter(condition).order_by("full_name", "pk")


def unit_subunits(unit: Unit) -> QuerySet[Unit]:
    """The sub-units a heading may name: the active units directly under the agency."""
    return Unit.objects.filter(parent=unit, is_active=True).order_by("name", "pk")


def _heads(unit: Unit) -> QuerySet[User]:
    return (
        User.objects.filter(
            role_assignments__unit=unit,
            role_assignments__role=Role.LEADER,
            status=AccountStatus.ACTIVE,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


# ---------------------------------------------------------------- reading


def unit_lists(unit: Unit) -> list[DossierList]:
    """The unit's lists, newest year first, each with its number of entries: one query."""
    return list(
        DossierList.objects.filter(unit=unit)
        .annotate(entry_count=Count("headings__entries"))
        .order_by("-year")
    )


def access_list(*, user: User, pk: int) -> DossierList:
    """A list the person may read; `NotFound` otherwise (missing and forbidden alike)."""
    found = (
        DossierList.objects.select_related("unit__parent", "approved_by", "drafted_by")
        .filter(pk=pk)
        .first()
    )
    if found is None or not is_reader(user, found.unit):
        raise NotFound()
    return found


def access_heading(*, user: User, pk: int) -> DossierListHeading:
    heading = (
        DossierListHeading.objects.select_related("dossier_list__unit", "subunit")
        .filter(pk=pk)
        .first()
    )
    if heading is None or not is_reader(user, heading.dossier_list.unit):
        raise NotFound()
    return heading


def access_entry(*, user: User, pk: int) -> DossierListEntry:
    entry = (
        DossierListEntry.objects.select_related(
            "heading__dossier_list__unit", "retention_item", "person_in_charge"
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None or not is_reader(user, entry.heading.dossier_list.unit):
        raise NotFound()
    return entry


def headings_with_entries(dossier_list: DossierList) -> list[DossierListHeading]:
    """The headings in order, each numbered (`numeral`), with their entries, their retention
    items and the people in charge: two queries whatever the size of the list."""
    entries = DossierListEntry.objects.select_related(
        "retention_item", "person_in_charge"
    ).order_by("number", "pk")
    headings = list(
        dossier_list.headings.select_related("subunit")
        .order_by("order", "pk")
        .prefetch_related(Prefetch("entries", queryset=entries))
    )
    for index, heading in enumerate(headings, start=1):
        heading.numeral = roman(index)  # type: ignore[attr-defined]
    return headings


def approved_entries(unit: Unit, year: int) -> QuerySet[DossierListEntry]:
    """The entries of the unit's approved list of `year`, in the list's order, from which a
    handler opens a dossier (Art. 28: the dossier list guides who opens which dossier)."""
    return (
        DossierListEntry.objects.filter(
            heading__dossier_list__unit=unit,
            heading__dossier_list__year=year,
            heading__dossier_list__status=ListStatus.APPROVED,
        )
        .select_related("heading", "retention_item", "person_in_charge")
        .order_by("heading__order", "heading_id", "number", "pk")
    )


# ---------------------------------------------------------------- the list


def _check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError) as exc:
        raise ServiceError(MSG_BAD_YEAR, field="year") from exc
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ServiceError(MSG_BAD_YEAR, field="year")
    return value


def list_create(*, actor: User, unit: Unit, year: Any, ip: str | None = None) -> DossierList:
    """The office starts the list of a year for its agency, empty, as a draft."""
    _require_office(actor, unit)
    year = _check_year(year)
    if DossierList.objects.filter(unit=unit, year=year).exists():
        raise ServiceError(MSG_EXISTS.format(unit=unit.name, year=year), field="year")
    now = clock.now()
    try:
        with transaction.atomic():
            created = DossierList.objects.create(
                unit=unit, year=year, drafted_by=actor, created_at=now, updated_at=now
            )
            _audit(actor, "create", created, ip)
    except IntegrityError as exc:  # created meanwhile by another clerk
        raise ServiceError(MSG_EXISTS.format(unit=unit.name, year=year), field="year") from exc
    return created


def list_copy_forward(
    *, actor: User, dossier_list: DossierList, ip: str | None = None
) -> DossierList:
    """The office makes next year's list from this one: the headings and entries copied, as a
    draft for the head to approve again. Refused when next year's list exists."""
    unit = dossier_list.unit
    _require_office(actor, unit)
    year = dossier_list.year + 1
    if year > MAX_YEAR:
        raise ServiceError(MSG_BAD_YEAR)
    if DossierList.objects.filter(unit=unit, year=year).exists():
        raise ServiceError(MSG_EXISTS.format(unit=unit.name, year=year))
    people = set(unit_people(unit).values_list("pk", flat=True))
    now = clock.now()
    try:
        with transaction.atomic():
            source = _lock(dossier_list)
            created = DossierList.objects.create(
                unit=unit,
                year=year,
                copied_from=source,
                drafted_by=actor,
                created_at=now,
                updated_at=now,
            )
            count = 0
            for heading in headings_with_entries(source):
                copy = DossierListHeading.objects.create(
                    dossier_list=created,
                    title=heading.title,
                    abbreviation=heading.abbreviation,
                    subunit=heading.subunit,
                    order=heading.order,
                )
                rows = [
                    DossierListEntry(
                        heading=copy,
                        number=entry.number,
                        title=entry.title,
                        retention_item=entry.retention_item,
                        person_in_charge_id=(
                            entry.person_in_charge_id
                            if entry.person_in_charge_id in people
                            else None
                        ),
                        note=entry.note,
                    )
                    for entry in heading.entries.all()
                ]
                DossierListEntry.objects.bulk_create(rows)
                count += len(rows)
            _audit(actor, "copy", created, ip, source=source.pk, entries=count)
    except IntegrityError as exc:
        raise ServiceError(MSG_EXISTS.format(unit=unit.name, year=year)) from exc
    return created


def list_submit(*, actor: User, dossier_list: DossierList, ip: str | None = None) -> DossierList:
    """The office submits the draft to the head."""
    _require_office(actor, dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(dossier_list)
        _require_draft(dossier_list)
        if not DossierListEntry.objects.filter(heading__dossier_list=dossier_list).exists():
            raise ServiceError(MSG_EMPTY)
        now = clock.now()
        dossier_list.status = ListStatus.SUBMITTED
        dossier_list.submitted_at = now
        dossier_list.updated_at = now
        dossier_list.return_note = ""
        dossier_list.save(update_fields=["status", "submitted_at", "updated_at", "return_note"])
        heads = [u for u in _heads(dossier_list.unit) if u.pk != actor.pk]
        if heads:
            notification_send(
                recipients=heads,
                title=f"{list_label(dossier_list)} chờ phê duyệt",
                body=f"{actor.full_name} trình danh mục hồ sơ của {dossier_list.unit.name}.",
                link=list_url(dossier_list),
            )
        _audit(actor, "submit", dossier_list, ip)
    return dossier_list


def list_approve(*, actor: User, dossier_list: DossierList, ip: str | None = None) -> DossierList:
    """The head approves the submitted list; it is frozen from then on."""
    _require_head(actor, dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(dossier_list)
        if dossier_list.status != ListStatus.SUBMITTED:
            raise ServiceError(MSG_NOT_SUBMITTED)
        now = clock.now()
        dossier_list.status = ListStatus.APPROVED
        dossier_list.approved_by = actor
        dossier_list.approver_name = actor.full_name
        dossier_list.approver_position = actor.position
        dossier_list.approved_at = now
        dossier_list.updated_at = now
        dossier_list.save(
            update_fields=[
                "status",
                "approved_by",
                "approver_name",
                "approver_position",
                "approved_at",
                "updated_at",
            ]
        )
        if dossier_list.drafted_by is not None and dossier_list.drafted_by.is_active:
            notification_send(
                recipients=[dossier_list.drafted_by],
                title=f"{list_label(dossier_list)} đã được phê duyệt",
                body=f"{actor.full_name} đã phê duyệt danh mục hồ sơ.",
                link=list_url(dossier_list),
            )
        _audit(actor, "approve", dossier_list, ip)
    return dossier_list


def list_return(
    *, actor: User, dossier_list: DossierList, note: str, ip: str | None = None
) -> DossierList:
    """The head sends the submitted list back to the office with a reason."""
    _require_head(actor, dossier_list.unit)
    note = text_input(note, label="lý do trả lại", field="note", max_length=1000, required=True)
    with transaction.atomic():
        dossier_list = _lock(dossier_list)
        if dossier_list.status != ListStatus.SUBMITTED:
            raise ServiceError(MSG_NOT_SUBMITTED)
        dossier_list.status = ListStatus.DRAFT
        dossier_list.return_note = note
        dossier_list.updated_at = clock.now()
        dossier_list.save(update_fields=["status", "return_note", "updated_at"])
        if dossier_list.drafted_by is not None and dossier_list.drafted_by.is_active:
            notification_send(
                recipients=[dossier_list.drafted_by],
                title=f"{list_label(dossier_list)} được trả lại",
                body=note,
                link=list_url(dossier_list),
            )
        _audit(actor, "return", dossier_list, ip, note=note)
    return dossier_list


def list_reopen(
    *, actor: User, dossier_list: DossierList, reason: str, ip: str | None = None
) -> DossierList:
    """The head reopens an approved list for amendment: a draft again, to be approved again.
    Dossiers already opened from its entries stay, and those entries cannot be removed."""
    _require_head(actor, dossier_list.unit)
    reason = text_input(
        reason, label="lý do mở lại", field="reason", max_length=1000, required=True
    )
    with transaction.atomic():
        dossier_list = _lock(dossier_list)
        if dossier_list.status != ListStatus.APPROVED:
            raise ServiceError(MSG_NOT_APPROVED)
        previous = {
            "approver": dossier_list.approver_name,
            "approved_at": dossier_list.approved_at,
        }
        dossier_list.status = ListStatus.DRAFT
        dossier_list.approved_by = None
        dossier_list.approver_name = ""
        dossier_list.approver_position = ""
        dossier_list.approved_at = None
        dossier_list.return_note = reason
        dossier_list.updated_at = clock.now()
        dossier_list.save(
            update_fields=[
                "status",
                "approved_by",
                "approver_name",
                "approver_position",
                "approved_at",
                "return_note",
                "updated_at",
            ]
        )
        _audit(actor, "reopen", dossier_list, ip, reason=reason, **previous)
    return dossier_list


# ---------------------------------------------------------------- headings


@dataclass
class HeadingInput:
    title: str
    abbreviation: str
    subunit: Unit | None = None


def _clean_heading(data: HeadingInput, unit: Unit) -> dict[str, Any]:
    title = text_input(data.title, label="tên đề mục", field="title", max_length=300, required=True)
    abbreviation = text_input(
        data.abbreviation, label="chữ viết tắt", field="abbreviation", max_length=10, required=True
    ).upper()
    if not ABBREVIATION_RE.match(abbreviation):
        raise ServiceError(
            f"Chữ viết tắt “{abbreviation}” không hợp lệ; chỉ gồm chữ in hoa và chữ số, "
            "không dấu cách, tối đa 10 ký tự (ví dụ: TCCB, VP, KHTC).",
            field="abbreviation",
        )
    if data.subunit is not None and data.subunit.parent_id != unit.pk:
        raise ServiceError(
            f"{data.subunit.name} không phải đơn vị thuộc {unit.name}.", field="subunit"
        )
    return {"title": title, "abbreviation": abbreviation, "subunit": data.subunit}


def _check_abbreviation(dossier_list: DossierList, abbreviation: str, exclude: int | None) -> None:
    taken = DossierListHeading.objects.filter(dossier_list=dossier_list, abbreviation=abbreviation)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ServiceError(
            f"Chữ viết tắt “{abbreviation}” đã dùng cho một đề mục khác của danh mục này.",
            field="abbreviation",
        )


def heading_add(
    *, actor: User, dossier_list: DossierList, data: HeadingInput, ip: str | None = None
) -> DossierListHeading:
    _require_office(actor, dossier_list.unit)
    clean = _clean_heading(data, dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(dossier_list)
        _require_draft(dossier_list)
        _check_abbreviation(dossier_list, clean["abbreviation"], None)
        last = dossier_list.headings.aggregate(m=Max("order"))["m"]
        heading = DossierListHeading.objects.create(
            dossier_list=dossier_list, order=(last or 0) + 1, **clean
        )
        _touch(dossier_list)
        _audit(actor, "heading.add", dossier_list, ip, heading=heading.pk, **_heading_data(heading))
    return heading


def _heading_data(heading: DossierListHeading) -> dict[str, Any]:
    return {
        "title": heading.title,
        "abbreviation": heading.abbreviation,
        "subunit": heading.subunit_id,
    }


def heading_edit(
    *, actor: User, heading: DossierListHeading, data: HeadingInput, ip: str | None = None
) -> DossierListHeading:
    _require_office(actor, heading.dossier_list.unit)
    clean = _clean_heading(data, heading.dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        heading = DossierListHeading.objects.get(pk=heading.pk)
        _check_abbreviation(dossier_list, clean["abbreviation"], heading.pk)
        before = _heading_data(heading)
        for name, value in clean.items():
            setattr(heading, name, value)
        heading.save()
        _touch(dossier_list)
        _audit(
            actor,
            "heading.edit",
            dossier_list,
            ip,
            heading=heading.pk,
            before=before,
            after=_heading_data(heading),
        )
    return heading


def _refuse_if_opened(entries: QuerySet[DossierListEntry]) -> None:
    opened = (
        Dossier.objects.filter(entry__in=entries)
        .select_related("entry__heading")
        .order_by("pk")
        .first()
    )
    if opened is not None and opened.entry is not None:
        raise ServiceError(MSG_HAS_DOSSIERS.format(code=opened.entry.code))


def heading_delete(*, actor: User, heading: DossierListHeading, ip: str | None = None) -> None:
    """Remove a heading with its entries; refused when a dossier was opened from one of them."""
    _require_office(actor, heading.dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        _refuse_if_opened(DossierListEntry.objects.filter(heading=heading))
        data = _heading_data(heading)
        entries = heading.entries.count()
        DossierListHeading.objects.filter(pk=heading.pk).delete()
        _touch(dossier_list)
        _audit(
            actor,
            "heading.delete",
            dossier_list,
            ip,
            heading=heading.pk,
            entries=entries,
            **data,
        )


def heading_move(
    *, actor: User, heading: DossierListHeading, up: bool, ip: str | None = None
) -> None:
    """Move a heading one place up or down; the Roman numerals follow the order."""
    _require_office(actor, heading.dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        headings = list(dossier_list.headings.order_by("order", "pk"))
        index = next((i for i, h in enumerate(headings) if h.pk == heading.pk), None)
        if index is None:
            raise NotFound()
        other = index - 1 if up else index + 1
        if not 0 <= other < len(headings):
            raise ServiceError("Đề mục đã ở đầu danh mục." if up else "Đề mục đã ở cuối danh mục.")
        headings[index], headings[other] = headings[other], headings[index]
        for position, row in enumerate(headings, start=1):
            if row.order != position:
                row.order = position
                row.save(update_fields=["order"])
        _touch(dossier_list)
        _audit(
            actor,
            "heading.move",
            dossier_list,
            ip,
            heading=heading.pk,
            order=[h.pk for h in headings],
        )


# ---------------------------------------------------------------- entries


@dataclass
class EntryInput:
    """An entry as typed: the number as text (empty: the next free number of the heading)."""

    title: str
    retention_item: RetentionItem | None
    number: str = ""
    person_in_charge: User | None = None
    note: str = ""


def _clean_entry(
    data: EntryInput, heading: DossierListHeading, current: DossierListEntry | None
) -> dict[str, Any]:
    unit = heading.dossier_list.unit
    typed = nfc(str(data.number or ""))
    number: int | None = None
    if typed:
        if not typed.isdigit() or not 1 <= int(typed) <= MAX_NUMBER:
            raise ServiceError(
                f"Số hồ sơ “{typed}” không hợp lệ; hãy nhập một số nguyên từ 1 đến "
                f"{MAX_NUMBER}, hoặc để trống để lấy số tiếp theo.",
                field="number",
            )
        number = int(typed)
    title = text_input(
        data.title, label="tiêu đề hồ sơ", field="title", max_length=500, required=True
    )
    item = data.retention_item
    if item is None:
        raise ServiceError("Hãy chọn thời hạn bảo quản.", field="retention_item")
    kept = current is not None and current.retention_item_id == item.pk
    if not kept and not retention.active_items().filter(pk=item.pk).exists():
        raise ServiceError(
            "Thời hạn bảo quản được chọn đã ngừng sử dụng; hãy chọn mục khác của bảng thời hạn "
            "đang áp dụng.",
            field="retention_item",
        )
    person = data.person_in_charge
    if person is not None:
        kept_person = current is not None and current.person_in_charge_id == person.pk
        if not kept_person and not unit_people(unit).filter(pk=person.pk).exists():
            raise ServiceError(
                f"{person.full_name} không phải cán bộ đang làm việc của {unit.name}.",
                field="person_in_charge",
            )
    return {
        "number": number,
        "title": title,
        "retention_item": item,
        "person_in_charge": person,
        "note": text_input(data.note, label="ghi chú", field="note", max_length=500),
    }


def _check_number(heading: DossierListHeading, number: int, exclude: int | None) -> None:
    taken = heading.entries.filter(number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ServiceError(
            f"Số {number:02d}.{heading.abbreviation} đã có trong đề mục này; hãy chọn số khác.",
            field="number",
        )


def _entry_data(entry: DossierListEntry) -> dict[str, Any]:
    return {
        "number": entry.number,
        "title": entry.title,
        "retention_item": entry.retention_item_id,
        "person_in_charge": entry.person_in_charge_id,
        "note": entry.note,
    }


def entry_add(
    *, actor: User, heading: DossierListHeading, data: EntryInput, ip: str | None = None
) -> DossierListEntry:
    _require_office(actor, heading.dossier_list.unit)
    clean = _clean_entry(data, heading, None)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        if clean["number"] is None:
            last = heading.entries.aggregate(m=Max("number"))["m"]
            next_number: int = (last or 0) + 1
            if next_number > MAX_NUMBER:
                raise ServiceError(f"Đề mục đã có đủ {MAX_NUMBER} số hồ sơ.", field="number")
            clean["number"] = next_number
        else:
            _check_number(heading, clean["number"], None)
        entry = DossierListEntry.objects.create(heading=heading, **clean)
        _touch(dossier_list)
        _audit(actor, "entry.add", dossier_list, ip, entry=entry.pk, **_entry_data(entry))
    return entry


def entry_edit(
    *, actor: User, entry: DossierListEntry, data: EntryInput, ip: str | None = None
) -> DossierListEntry:
    heading = entry.heading
    _require_office(actor, heading.dossier_list.unit)
    clean = _clean_entry(data, heading, entry)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        entry = DossierListEntry.objects.select_related("heading").get(pk=entry.pk)
        if clean["number"] is None:
            clean["number"] = entry.number
        else:
            _check_number(heading, clean["number"], entry.pk)
        before = _entry_data(entry)
        for name, value in clean.items():
            setattr(entry, name, value)
        entry.save()
        _touch(dossier_list)
        _audit(
            actor,
            "entry.edit",
            dossier_list,
            ip,
            entry=entry.pk,
            before=before,
            after=_entry_data(entry),
        )
    return entry


def entry_delete(*, actor: User, entry: DossierListEntry, ip: str | None = None) -> None:
    heading = entry.heading
    _require_office(actor, heading.dossier_list.unit)
    with transaction.atomic():
        dossier_list = _lock(heading.dossier_list)
        _require_draft(dossier_list)
        _refuse_if_opened(DossierListEntry.objects.filter(pk=entry.pk))
        data = _entry_data(entry)
        code = entry.code
        DossierListEntry.objects.filter(pk=entry.pk).delete()
        _touch(dossier_list)
        _audit(actor, "entry.delete", dossier_list, ip, entry=entry.pk, code=code, **data)


# ---------------------------------------------------------------- the print (Appendix V)


def print_context(dossier_list: DossierList) -> dict[str, Any]:
    """What the Appendix V print shows: the agency, the title, the headings as Roman-numeral
    rows with their entries, the totals by retention and the head's approval."""
    headings = headings_with_entries(dossier_list)
    entries = [e for h in headings for e in h.entries.all()]
    permanent = sum(1 for e in entries if e.retention_item.kind == RetentionKind.PERMANENT)
    limited = sum(1 for e in entries if e.retention_item.kind == RetentionKind.YEARS)
    unit = dossier_list.unit
    return {
        "dossier_list": dossier_list,
        "unit": unit,
        "parent": unit.parent,
        "headings": headings,
        "total": len(entries),
        "permanent": permanent,
        "limited": limited,
        "other": len(entries) - permanent - limited,
        "approved": dossier_list.status == ListStatus.APPROVED,
    }
