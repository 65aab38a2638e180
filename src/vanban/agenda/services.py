"""Writing the weekly work calendar: the office drafts, a leader of the unit approves and
publishes (SPEC.md, "work calendar of the leadership"; docs/agenda.md).

Every write locks the week row first, checks who acts and in which state the week is, and leaves
nothing changed when it refuses. Publishing copies the entries into the week
(`published_entries`): readers, the print and the iCalendar file read that copy only, so a change
made after publication reaches them only when a leader publishes again, marked "điều chỉnh".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import nfc, text_input

from .models import AgendaEntry, AgendaWeek, WeekStatus

MIN_YEAR = 2000
MAX_YEAR = 2100
NOON = dt.time(12, 0)
EVENING = dt.time(18, 0)
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

MSG_CLERK_ONLY = "Chỉ văn thư (văn phòng) của {unit} được soạn lịch công tác tuần của đơn vị này."
MSG_LEADER_ONLY = "Chỉ lãnh đạo của {unit} được duyệt và công bố lịch công tác tuần của đơn vị này."
MSG_NOT_SUBMITTED = "Lịch tuần chưa được trình duyệt nên chưa duyệt, công bố được."
MSG_ALREADY_SUBMITTED = "Lịch tuần đã được trình duyệt, đang chờ lãnh đạo."
MSG_ALREADY_PUBLISHED = "Lịch tuần đã được công bố; hãy sửa nội dung trước khi trình lại."
MSG_EMPTY = "Lịch tuần chưa có nội dung nào nên chưa trình duyệt được."
MSG_BAD_WEEK = "Tuần không hợp lệ."
MSG_RETURN_NOTE = "Hãy nhập lý do trả lại."

DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TIME_RE = re.compile(r"^(\d{1,2})[:hH](\d{2})$")


# ---------------------------------------------------------------- weeks and typed input


def week_days(iso_year: int, iso_week: int) -> list[dt.date]:
    """Monday to Sunday of the ISO week; `ServiceError` for a week that does not exist."""
    if not MIN_YEAR <= iso_year <= MAX_YEAR:
        raise ServiceError(MSG_BAD_WEEK)
    try:
        monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
    except ValueError as exc:
        raise ServiceError(MSG_BAD_WEEK) from exc
    return [monday + dt.timedelta(days=n) for n in range(7)]


def week_of(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def day_parse(value: str, *, label: str = "Ngày", field: str = "day") -> dt.date:
    """A date typed as dd/mm/yyyy, as Vietnamese users write it (STYLE.md, "Names and text")."""
    text = nfc(value or "")
    if not text:
        raise ServiceError(f"Hãy nhập {label.lower()} (dd/mm/yyyy).", field=field)
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ServiceError(
        f"{label} “{text}” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 23/11/2026.",
        field=field,
    )


def time_parse(
    value: str, *, label: str = "Giờ bắt đầu", field: str = "start", required: bool = True
) -> dt.time | None:
    """A time typed as HH:MM (24 hours); "8h30" is read as 08:30."""
    text = nfc(value or "")
    if not text:
        if required:
            raise ServiceError(f"Hãy nhập {label.lower()} (HH:MM).", field=field)
        return None
    match = TIME_RE.match(text)
    if match:
        hour, minute = (int(g) for g in match.groups())
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ServiceError(
        f"{label} “{text}” không hợp lệ; hãy nhập theo dạng HH:MM, từ 00:00 đến 23:59.",
        field=field,
    )


# ---------------------------------------------------------------- who may do what


def is_clerk_of(user: Any, unit: Unit) -> bool:
    """The office (văn thư) of the unit drafts its calendar."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.CLERK, unit))


def is_leader_of(user: Any, unit: Unit) -> bool:
    """A leader of the unit approves and publishes its calendar."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.LEADER, unit))


def _require_clerk(actor: User, unit: Unit) -> None:
    require_active(actor)
    if not is_clerk_of(actor, unit):
        raise AccessDenied(MSG_CLERK_ONLY.format(unit=unit.name))


def _require_leader(actor: User, unit: Unit) -> None:
    require_active(actor)
    if not is_leader_of(actor, unit):
        raise AccessDenied(MSG_LEADER_ONLY.format(unit=unit.name))


def unit_leaders(unit: Unit) -> QuerySet[User]:
    """The active accounts with the leader role in the unit: who may attend as a leader."""
    return (
        User.objects.filter(
            role_assignments__unit=unit,
            role_assignments__role=Role.LEADER,
            status=AccountStatus.ACTIVE,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def _lock(week: AgendaWeek) -> AgendaWeek:
    return AgendaWeek.objects.select_for_update().select_related("unit").get(pk=week.pk)


def _week_for_writing(actor: User, unit: Unit, iso_year: int, iso_week: int) -> AgendaWeek:
    """The week, created on its first entry; locked."""
    now = clock.now()
    week = AgendaWeek.objects.filter(unit=unit, iso_year=iso_year, iso_week=iso_week).first()
    if week is None:
        try:
            with transaction.atomic():
                week = AgendaWeek.objects.create(
                    unit=unit,
                    iso_year=iso_year,
                    iso_week=iso_week,
                    drafted_by=actor,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # created meanwhile by another writer: use theirs
            week = AgendaWeek.objects.get(unit=unit, iso_year=iso_year, iso_week=iso_week)
    return _lock(week)


def _audit(actor: User, action: str, week: AgendaWeek, ip: str | None, **data: Any) -> None:
    audit_record(
        actor=actor,
        action=f"agenda.{action}",
        unit=week.unit,
        target=week,
        ip=ip,
        data={"week": f"{week.iso_year}-W{week.iso_week:02d}", **data},
    )


def week_url(week: AgendaWeek) -> str:
    return reverse(
        "agenda:week",
        kwargs={"unit_id": week.unit_id, "year": week.iso_year, "week": week.iso_week},
    )


def week_label(week: AgendaWeek) -> str:
    days = week_days(week.iso_year, week.iso_week)
    return f"tuần {week.iso_week} ({days[0]:%d/%m/%Y} – {days[-1]:%d/%m/%Y})"


def _edited(week: AgendaWeek, now: dt.datetime) -> None:
    """A change to a published week needs the leader again, and readers keep the published copy
    meanwhile; a change to a submitted week takes it back from the leader, who approves only
    what was submitted to them."""
    fields = ["updated_at"]
    if week.status in (WeekStatus.PUBLISHED, WeekStatus.SUBMITTED):
        week.status = WeekStatus.DRAFT
        fields.append("status")
    week.updated_at = now
    week.save(update_fields=fields)


# ---------------------------------------------------------------- entries


@dataclass
class EntryInput:
    """An entry as typed on the form: the date and times as text (dd/mm/yyyy, HH:MM)."""

    day: str
    start: str
    content: str
    end: str = ""
    place: str = ""
    leaders: list[User] = field(default_factory=list)
    attendees: str = ""
    preparer: str = ""
    note: str = ""


@dataclass
class _CleanEntry:
    day: dt.date
    start: dt.time
    end: dt.time | None
    place: str
    content: str
    leaders: list[User]
    attendees: str
    preparer: str
    note: str


def _clean(data: EntryInput, *, unit: Unit, days: list[dt.date]) -> _CleanEntry:
    day = day_parse(data.day)
    if day not in days:
        raise ServiceError(
            f"Ngày {day:%d/%m/%Y} không thuộc tuần đang soạn "
            f"(từ {days[0]:%d/%m/%Y} đến {days[-1]:%d/%m/%Y}).",
            field="day",
        )
    start = time_parse(data.start)
    end = time_parse(data.end, label="Giờ kết thúc", field="end", required=False)
    if start is None:  # required above: never
        raise ServiceError("Hãy nhập giờ bắt đầu (HH:MM).", field="start")
    if end is not None and end <= start:
        raise ServiceError(
            f"Giờ kết thúc ({end:%H:%M}) phải sau giờ bắt đầu ({start:%H:%M}).", field="end"
        )
    allowed = {u.pk: u for u in unit_leaders(unit)}
    strangers = [u for u in data.leaders if u.pk not in allowed]
    if strangers:
        raise ServiceError(
            f"{strangers[0].full_name} không phải lãnh đạo của {unit.name}; hãy ghi vào "
            "mục thành phần khác.",
            field="leaders",
        )
    return _CleanEntry(
        day=day,
        start=start,
        end=end,
        place=text_input(data.place, label="địa điểm", field="place", max_length=255),
        content=text_input(
            data.content, label="nội dung", field="content", max_length=4000, required=True
        ),
        leaders=[allowed[u.pk] for u in data.leaders],
        attendees=text_input(
            data.attendees, label="thành phần khác", field="attendees", max_length=1000
        ),
        preparer=text_input(
            data.preparer, label="đơn vị, người chuẩn bị", field="preparer", max_length=255
        ),
        note=text_input(data.note, label="ghi chú", field="note", max_length=500),
    )


def entry_add(
    *, actor: User, unit: Unit, iso_year: int, iso_week: int, data: EntryInput
) -> AgendaEntry:
    """The office adds an engagement to its unit's week (created on its first entry)."""
    _require_clerk(actor, unit)
    days = week_days(iso_year, iso_week)
    clean = _clean(data, unit=unit, days=days)
    with transaction.atomic():
        week = _week_for_writing(actor, unit, iso_year, iso_week)
        now = clock.now()
        entry = AgendaEntry.objects.create(
            week=week,
            day=clean.day,
            start=clean.start,
            end=clean.end,
            place=clean.place,
            content=clean.content,
            attendees=clean.attendees,
            preparer=clean.preparer,
            note=clean.note,
            updated_at=now,
        )
        entry.leaders.set(clean.leaders)
        _edited(week, now)
    return entry


def entry_edit(*, actor: User, entry: AgendaEntry, data: EntryInput) -> AgendaEntry:
    """The office changes an engagement; a published week goes back to the leader."""
    week = entry.week
    _require_clerk(actor, week.unit)
    clean = _clean(data, unit=week.unit, days=week_days(week.iso_year, week.iso_week))
    with transaction.atomic():
        week = _lock(week)
        now = clock.now()
        for name in ("day", "start", "end", "place", "content", "attendees", "preparer", "note"):
            setattr(entry, name, getattr(clean, name))
        entry.updated_at = now
        entry.save()
        entry.leaders.set(clean.leaders)
        _edited(week, now)
    return entry


def entry_delete(*, actor: User, entry: AgendaEntry) -> None:
    """The office removes an engagement; a published week goes back to the leader."""
    week = entry.week
    _require_clerk(actor, week.unit)
    with transaction.atomic():
        week = _lock(week)
        AgendaEntry.objects.filter(pk=entry.pk).delete()
        _edited(week, clock.now())


# ---------------------------------------------------------------- submitting and publishing


def week_submit(*, actor: User, week: AgendaWeek, ip: str | None = None) -> AgendaWeek:
    """The office submits the week to the unit's leaders."""
    _require_clerk(actor, week.unit)
    with transaction.atomic():
        week = _lock(week)
        if week.status == WeekStatus.SUBMITTED:
            raise ServiceError(MSG_ALREADY_SUBMITTED)
        if week.status == WeekStatus.PUBLISHED:
            raise ServiceError(MSG_ALREADY_PUBLISHED)
        if not week.entries.exists():
            raise ServiceError(MSG_EMPTY)
        now = clock.now()
        week.status = WeekStatus.SUBMITTED
        week.submitted_at = now
        week.updated_at = now
        week.return_note = ""
        week.save(update_fields=["status", "submitted_at", "updated_at", "return_note"])
        leaders = [u for u in unit_leaders(week.unit) if u.pk != actor.pk]
        if leaders:
            notification_send(
                recipients=leaders,
                title=f"Lịch công tác {week_label(week)} chờ duyệt",
                body=f"{actor.full_name} trình lịch công tác tuần của {week.unit.name}.",
                link=week_url(week),
            )
        _audit(actor, "submit", week, ip)
    return week


def week_return(*, actor: User, week: AgendaWeek, note: str, ip: str | None = None) -> AgendaWeek:
    """A leader sends the submitted week back to the office with a reason."""
    _require_leader(actor, week.unit)
    note = text_input(note, label="lý do trả lại", field="note", max_length=1000, required=True)
    with transaction.atomic():
        week = _lock(week)
        if week.status != WeekStatus.SUBMITTED:
            raise ServiceError(MSG_NOT_SUBMITTED)
        week.status = WeekStatus.DRAFT
        week.return_note = note
        week.updated_at = clock.now()
        week.save(update_fields=["status", "return_note", "updated_at"])
        if week.drafted_by is not None and week.drafted_by.is_active:
            notification_send(
                recipients=[week.drafted_by],
                title=f"Lịch công tác {week_label(week)} được trả lại",
                body=note,
                link=week_url(week),
            )
        _audit(actor, "return", week, ip, note=note)
    return week


ROW_FIELDS = ("day", "start", "end", "place", "content", "leaders", "attendees", "preparer", "note")


def entry_rows(week: AgendaWeek) -> list[tuple[int, dict[str, Any]]]:
    """(entry id, entry as published) for every entry being drafted: two queries."""
    entries = week.entries.prefetch_related("leaders").order_by("day", "start", "pk")
    rows = []
    for entry in entries:
        leaders = sorted(entry.leaders.all(), key=lambda u: (u.full_name, u.pk))
        rows.append(
            (
                entry.pk,
                {
                    "uid": str(entry.uid),
                    "day": entry.day.isoformat(),
                    "start": entry.start.strftime("%H:%M"),
                    "end": entry.end.strftime("%H:%M") if entry.end else "",
                    "place": entry.place,
                    "content": entry.content,
                    "leaders": [
                        f"{u.full_name}, {u.position}" if u.position else u.full_name
                        for u in leaders
                    ],
                    "attendees": entry.attendees,
                    "preparer": entry.preparer,
                    "note": entry.note,
                },
            )
        )
    return rows


def week_approve(*, actor: User, week: AgendaWeek, ip: str | None = None) -> AgendaWeek:
    """A leader of the unit approves the submitted week, which publishes it to the unit and the
    units below it. A publication after the first is an adjustment ("điều chỉnh"): the entries
    new or changed since the last publication are marked so."""
    _require_leader(actor, week.unit)
    with transaction.atomic():
        week = _lock(week)
        if week.status != WeekStatus.SUBMITTED:
            raise ServiceError(MSG_NOT_SUBMITTED)
        now = clock.now()
        rows = [row for _pk, row in entry_rows(week)]
        before = {row["uid"]: row for row in week.published_entries or []}
        for row in rows:
            previous = before.get(row["uid"])
            row["adjusted"] = bool(week.revision) and (
                previous is None or any(previous.get(k) != row[k] for k in ROW_FIELDS)
            )
        removed = [uid for uid in before if uid not in {r["uid"] for r in rows}]
        week.status = WeekStatus.PUBLISHED
        week.revision += 1
        week.approved_by = actor
        week.approver_name = actor.full_name
        week.approver_position = actor.position
        week.published_at = now
        week.published_entries = rows
        week.updated_at = now
        week.save(
            update_fields=[
                "status",
                "revision",
                "approved_by",
                "approver_name",
                "approver_position",
                "published_at",
                "published_entries",
                "updated_at",
            ]
        )
        readers = User.objects.filter(unit=week.unit, status=AccountStatus.ACTIVE).exclude(
            pk=actor.pk
        )
        adjusted = week.revision > 1
        notification_send(
            recipients=readers,
            title=(
                f"Lịch công tác {week_label(week)} đã được điều chỉnh"
                if adjusted
                else f"Lịch công tác {week_label(week)} đã được công bố"
            ),
            body=f"{week.unit.name}: {len(rows)} nội dung, do {actor.full_name} duyệt.",
            link=week_url(week),
        )
        _audit(
            actor,
            "publish",
            week,
            ip,
            revision=week.revision,
            entries=len(rows),
            adjusted=sum(1 for r in rows if r["adjusted"]),
            removed=len(removed),
        )
    return week


def access_entry(*, user: User, pk: int) -> AgendaEntry:
    """An entry of a week the person drafts; `NotFound` otherwise ("missing" and "forbidden"
    alike for an entry of a unit they do not belong to)."""
    entry = AgendaEntry.objects.select_related("week__unit").filter(pk=pk).first()
    if entry is None or not is_clerk_of(user, entry.week.unit):
        raise NotFound()
    return entry


def access_week(*, user: User, pk: int) -> AgendaWeek:
    week = AgendaWeek.objects.select_related("unit").filter(pk=pk).first()
    if week is None or not (is_clerk_of(user, week.unit) or is_leader_of(user, week.unit)):
        raise NotFound()
    return week
