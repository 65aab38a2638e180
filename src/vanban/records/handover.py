"""The hand-over of closed dossiers to the agency archive (nộp lưu) and the archive fonds (phông
lưu trữ) (R19; NĐ 30/2020 Art. 31; Luật Lưu trữ 2024; CV 414/BNV-VTLTNN; docs/records.md).

- A fonds per agency: the province administrator or the agency's unit administrator opens it and
  closes it on the day the agency stops (CV 414/BNV-VTLTNN: the documents of a merged agency stay
  in its own fonds, which is closed, never moved or merged into another). A closed fonds takes no
  new hand-over.
- A closed dossier kept five years or more is due at the archive on `handover_due_on` (Art. 31:
  one year after the work ended, three months for construction projects). The daily notice tells
  the handler, the office and the archive `NOTICE_DAYS_AHEAD` days before, once, and once more
  when the day has passed and the dossier is still at the unit.
- The office or the handler lists closed dossiers in a hand-over (mục lục hồ sơ, tài liệu nộp
  lưu) and sends it to the archive: the dossiers are then frozen for the unit (`SUBMITTED`). The
  archive accepts it (the dossiers are `ARCHIVED`, the minutes numbered per fonds) or returns it
  with a reason and notes per dossier (the dossiers are `CLOSED` again; the unit fixes and sends
  again).
- Keeping a due dossier back (Art. 31.2) needs the head's approval, two years after the due date
  at most; while kept back the dossier is left out of the due lists and the notices.

Every write locks its rows first, checks who acts and in which state, leaves nothing changed
when it refuses, and records the audit event as its last write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from vanban.accounts.models import AccountStatus, Role, Unit, User
from vanban.accounts.services import require_active
from vanban.audit.services import audit_record
from vanban.core import clock
from vanban.core.errors import AccessDenied, NotFound, ServiceError
from vanban.core.services import notification_send
from vanban.core.text import text_input

from . import rules
from .models import (
    Dossier,
    DossierStatus,
    Fonds,
    HandOver,
    HandOverItem,
    HandOverStatus,
    KeepBack,
    KeepBackStatus,
)

MSG_FONDS_ADMIN_ONLY = (
    "Chỉ quản trị tỉnh hoặc quản trị của {unit} được mở, đóng phông lưu trữ của cơ quan này."
)
MSG_FONDS_EXISTS = (
    "{unit} đã có phông lưu trữ “{name}”; mỗi cơ quan có một phông, phông đã đóng không mở lại."
)
MSG_FONDS_MISSING = (
    "Chưa mở phông lưu trữ cho {unit}; hãy đề nghị quản trị mở phông trước khi nộp lưu."
)
MSG_FONDS_CLOSED = (
    "Phông lưu trữ “{name}” đã đóng ngày {day:%d/%m/%Y}; không nhận thêm hồ sơ nộp lưu vào "
    "phông này."
)
MSG_FONDS_ALREADY_CLOSED = "Phông lưu trữ “{name}” đã đóng ngày {day:%d/%m/%Y}."
MSG_FONDS_PENDING = (
    "Phông lưu trữ “{name}” còn {count} lần nộp lưu đang chờ lưu trữ kiểm tra; hãy tiếp nhận hoặc "
    "trả lại trước khi đóng phông."
)
MSG_PREPARE_ONLY = (
    "Chỉ văn thư (văn phòng) của {unit} hoặc người lập hồ sơ được lập mục lục nộp lưu."
)
MSG_NOT_OWN_DOSSIER = (
    "Hồ sơ {code} không do bạn lập; chỉ văn thư (văn phòng) được đưa hồ sơ của người khác vào "
    "mục lục nộp lưu."
)
MSG_EMPTY_LIST = "Hãy chọn ít nhất một hồ sơ để nộp lưu."
MSG_OTHER_UNIT = "Hồ sơ {code} không thuộc {unit}."
MSG_NOT_CLOSED = "Hồ sơ {code} chưa kết thúc (trạng thái: {status}) nên chưa nộp lưu được."
MSG_NOT_HANDED_OVER = (
    "Hồ sơ {code} có thời hạn bảo quản {maintenance}, được giữ tại đơn vị, không nộp lưu."
)
MSG_KEPT_BACK = "Hồ sơ {code} đang được giữ lại tại đơn vị đến ngày {day:%d/%m/%Y}."
MSG_IN_OTHER_LIST = "Hồ sơ {code} đã có trong mục lục nộp lưu số {number} chưa được giao nhận."
MSG_LIST_NOT_EDITABLE = "Mục lục nộp lưu đã gửi lưu trữ hoặc đã giao nhận, không sửa được nữa."
MSG_NOT_IN_LIST = "Hồ sơ này không có trong mục lục nộp lưu."
MSG_LAST_DOSSIER = "Mục lục nộp lưu phải còn ít nhất một hồ sơ."
MSG_NOT_SUBMITTED = "Mục lục nộp lưu không ở trạng thái chờ lưu trữ kiểm tra."
MSG_ARCHIVE_ONLY = "Chỉ lưu trữ cơ quan của {unit} được kiểm tra, tiếp nhận hồ sơ nộp lưu."
MSG_RETURN_REASON = "Hãy nhập lý do trả lại."
MSG_KEEP_BACK_WHO = (
    "Chỉ người lập hồ sơ hoặc văn thư (văn phòng) của {unit} được đề nghị giữ lại hồ sơ."
)
MSG_KEEP_BACK_NOT_DUE = "Hồ sơ {code} không thuộc diện phải nộp lưu nên không cần đề nghị giữ lại."
MSG_KEEP_BACK_PENDING = "Hồ sơ {code} đã có đề nghị giữ lại đang chờ thủ trưởng duyệt."
MSG_KEEP_BACK_REASON = "Hãy nhập lý do giữ lại."
MSG_KEEP_BACK_PAST = "Ngày giữ lại đến ({day:%d/%m/%Y}) phải sau hôm nay và sau hạn nộp lưu."
MSG_KEEP_BACK_TOO_LONG = (
    "Chỉ được giữ lại tối đa {years} năm sau hạn nộp lưu ({due:%d/%m/%Y}), tức đến ngày "
    "{limit:%d/%m/%Y}."
)
MSG_HEAD_ONLY = "Chỉ thủ trưởng (lãnh đạo) của {unit} được duyệt đề nghị giữ lại hồ sơ."
MSG_KEEP_BACK_DECIDED = "Đề nghị giữ lại này đã được quyết định."
MSG_KEEP_BACK_TOO_LATE = "Hồ sơ {code} đã nộp lưu nên không giữ lại được nữa."

NAME_MAX = 300
CODE_MAX = 20
NOTE_MAX = 500
REASON_MAX = 1000


def today() -> dt.date:
    return timezone.localdate(clock.now())


def code_of(dossier: Dossier) -> str:
    return f"{dossier.year}.{dossier.notation}"


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def people_with_role(unit_id: int, role: str) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__unit_id=unit_id,
            role_assignments__role=role,
            status=AccountStatus.ACTIVE,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


# ---------------------------------------------------------------- fonds


def can_manage_fonds(user: Any, unit: Unit) -> bool:
    return bool(rules.is_active(user) and user.can_manage_unit(unit))


def _require_fonds_admin(actor: User, unit: Unit) -> None:
    require_active(actor)
    if not can_manage_fonds(actor, unit):
        raise AccessDenied(MSG_FONDS_ADMIN_ONLY.format(unit=unit.name))


def _audit(actor: Any, action: str, unit: Any, target: Any, ip: str | None, **data: Any) -> None:
    audit_record(
        actor=actor, action=f"records.{action}", unit=unit, target=target, ip=ip, data=data
    )


def fonds_open(
    *,
    actor: User,
    unit: Unit,
    name: str,
    code: str = "",
    opened_on: dt.date,
    note: str = "",
    ip: str | None = None,
) -> Fonds:
    """The administrator opens the agency's fonds; one per agency, for its whole life."""
    _require_fonds_admin(actor, unit)
    name = text_input(name, label="tên phông", field="name", max_length=NAME_MAX, required=True)
    code = text_input(code, label="mã phông", field="code", max_length=CODE_MAX)
    note = text_input(note, label="ghi chú", field="note", max_length=NOTE_MAX)
    if opened_on > today():
        raise ServiceError("Ngày mở phông không được sau hôm nay.", field="opened_on")
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=unit.pk)
        existing = Fonds.objects.filter(unit=unit).first()
        if existing is not None:
            raise ServiceError(MSG_FONDS_EXISTS.format(unit=unit.name, name=existing.name))
        fonds = Fonds.objects.create(
            unit=unit, name=name, code=code, opened_on=opened_on, note=note
        )
        _audit(
            actor,
            "fonds_open",
            unit,
            fonds,
            ip,
            name=name,
            code=code,
            opened_on=opened_on.isoformat(),
        )
    return fonds


def fonds_close(
    *, actor: User, fonds: Fonds, closed_on: dt.date, note: str = "", ip: str | None = None
) -> Fonds:
    """The administrator closes the fonds on the day the agency stops (CV 414/BNV-VTLTNN): it
    keeps what it holds and takes nothing more; it is never merged into another fonds."""
    _require_fonds_admin(actor, fonds.unit)
    note = text_input(note, label="ghi chú", field="note", max_length=NOTE_MAX)
    with transaction.atomic():
        fonds = Fonds.objects.select_for_update().select_related("unit").get(pk=fonds.pk)
        if fonds.closed_on is not None:
            raise ServiceError(
                MSG_FONDS_ALREADY_CLOSED.format(name=fonds.name, day=fonds.closed_on)
            )
        if closed_on < fonds.opened_on:
            raise ServiceError(
                f"Ngày đóng phông phải từ ngày mở phông ({fonds.opened_on:%d/%m/%Y}) trở đi.",
                field="closed_on",
            )
        if closed_on > today():
            raise ServiceError("Ngày đóng phông không được sau hôm nay.", field="closed_on")
        pending = fonds.hand_overs.filter(status=HandOverStatus.SUBMITTED).count()
        if pending:
            raise ServiceError(MSG_FONDS_PENDING.format(name=fonds.name, count=pending))
        fonds.closed_on = closed_on
        if note:
            fonds.note = note
        fonds.save(update_fields=["closed_on", "note"])
        _audit(
            actor, "fonds_close", fonds.unit, fonds, ip, name=fonds.name, closed_on=str(closed_on)
        )
    return fonds


def fonds_for(unit: Unit) -> Fonds:
    """The open fonds of the agency, which takes its hand-overs; `ServiceError` otherwise."""
    fonds = Fonds.objects.filter(unit_id=unit.pk).first()
    if fonds is None:
        raise ServiceError(MSG_FONDS_MISSING.format(unit=unit.name))
    if fonds.closed_on is not None:
        raise ServiceError(MSG_FONDS_CLOSED.format(name=fonds.name, day=fonds.closed_on))
    return fonds


# ---------------------------------------------------------------- due dossiers and notices


def kept_back(dossier: Dossier, day: dt.date) -> bool:
    return dossier.kept_back_until is not None and dossier.kept_back_until >= day


def not_kept_back_q(day: dt.date) -> Q:
    return Q(kept_back_until__isnull=True) | Q(kept_back_until__lt=day)


def due_q(day: dt.date) -> Q:
    """Closed dossiers to hand over whose due date is within the notice window or past, and
    that are not kept back."""
    return (
        Q(status=DossierStatus.CLOSED, handover_due_on__isnull=False)
        & Q(handover_due_on__lte=day + dt.timedelta(days=rules.NOTICE_DAYS_AHEAD))
        & not_kept_back_q(day)
    )


def handover_url() -> str:
    return reverse("records:handover_due")


@dataclass
class NoticeRun:
    ahead: int = 0
    overdue: int = 0


def _notice(dossier: Dossier, title: str, body: str) -> None:
    """To the handler and the office, leading to the due list; to the archive, which sees the
    dossier only once it is sent, leading to its queue."""
    unit_side = _active([dossier.handler, *people_with_role(dossier.unit_id, Role.CLERK)])
    archive = [
        u
        for u in people_with_role(dossier.unit_id, Role.ARCHIVIST)
        if u.pk not in {v.pk for v in unit_side}
    ]
    if unit_side:
        notification_send(recipients=unit_side, title=title, body=body, link=handover_url())
    if archive:
        notification_send(
            recipients=archive, title=title, body=body, link=reverse("records:archive_queue")
        )


def handover_notices_send(*, day: dt.date | None = None) -> NoticeRun:
    """The daily notices (R19): `NOTICE_DAYS_AHEAD` days before a dossier is due, once; and once
    when the due day has passed and it is still at the unit. Kept-back dossiers are skipped until
    their date. Idempotent: a second run the same day sends nothing."""
    day = day or today()
    run = NoticeRun()
    with transaction.atomic():
        window = day + dt.timedelta(days=rules.NOTICE_DAYS_AHEAD)
        base = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("handler", "unit")
            .filter(status=DossierStatus.CLOSED, handover_due_on__isnull=False)
            .filter(not_kept_back_q(day))
            .order_by("handover_due_on", "pk")
        )
        ahead_ids, overdue_ids = [], []
        for dossier in base.filter(
            handover_notified_on__isnull=True, handover_due_on__gte=day, handover_due_on__lte=window
        ):
            days_left = (dossier.handover_due_on - day).days  # type: ignore[operator]
            _notice(
                dossier,
                "Hồ sơ sắp đến hạn nộp lưu",
                f"Hồ sơ {code_of(dossier)} “{dossier.title}” của {dossier.unit.name} đến hạn nộp "
                f"lưu ngày {dossier.handover_due_on:%d/%m/%Y} (còn {days_left} ngày).",
            )
            dossier.handover_notified_on = day
            dossier.save(update_fields=["handover_notified_on"])
            ahead_ids.append(dossier.pk)
        for dossier in base.filter(
            handover_overdue_notified_on__isnull=True, handover_due_on__lt=day
        ):
            kept = (
                f" (đã hết thời gian giữ lại đến {dossier.kept_back_until:%d/%m/%Y})"
                if dossier.kept_back_until
                else ""
            )
            _notice(
                dossier,
                "Hồ sơ quá hạn nộp lưu",
                f"Hồ sơ {code_of(dossier)} “{dossier.title}” của {dossier.unit.name} quá hạn nộp "
                f"lưu từ ngày {dossier.handover_due_on:%d/%m/%Y}{kept}; hãy lập mục lục nộp lưu "
                "hoặc đề nghị thủ trưởng cho giữ lại.",
            )
            dossier.handover_overdue_notified_on = day
            if dossier.handover_notified_on is None:
                dossier.handover_notified_on = day
            dossier.save(update_fields=["handover_overdue_notified_on", "handover_notified_on"])
            overdue_ids.append(dossier.pk)
        run.ahead, run.overdue = len(ahead_ids), len(overdue_ids)
        if ahead_ids or overdue_ids:
            _audit(
                None,
                "handover_notice",
                None,
                None,
                None,
                day=day.isoformat(),
                ahead=ahead_ids,
                overdue=overdue_ids,
            )
    return run


# ---------------------------------------------------------------- the hand-over list


def list_number(hand_over: HandOver) -> str:
    return str(hand_over.pk)


def can_read_handover(user: Any, hand_over: HandOver) -> bool:
    """The unit's office and head, the person who prepared it, the handlers of its dossiers
    and (once sent) the unit's archive."""
    if not rules.is_active(user):
        return False
    unit_id = hand_over.unit_id
    if hand_over.prepared_by_id == user.pk:
        return True
    if rules.is_office(user, unit_id) or rules.is_head(user, unit_id):
        return True
    if hand_over.status != HandOverStatus.DRAFT and rules.is_archivist(user, unit_id):
        return True
    return hand_over.items.filter(dossier__handler_id=user.pk).exists()


def can_edit_handover(user: Any, hand_over: HandOver) -> bool:
    return hand_over.status in (HandOverStatus.DRAFT, HandOverStatus.RETURNED) and (
        rules.is_active(user)
        and (hand_over.prepared_by_id == user.pk or rules.is_office(user, hand_over.unit_id))
    )


def access_handover(*, user: Any, pk: int) -> HandOver:
    hand_over = (
        HandOver.objects.select_related("unit", "fonds", "prepared_by", "checked_by")
        .filter(pk=pk)
        .first()
    )
    if hand_over is None or not can_read_handover(user, hand_over):
        raise NotFound()
    return hand_over


def _lock_dossiers(ids: Iterable[int]) -> list[Dossier]:
    return list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related("retention_item", "unit")
        .filter(pk__in=list(ids))
        .order_by("year", "notation", "pk")
    )


def _check_listable(
    actor: User, unit: Unit, dossiers: list[Dossier], *, office: bool, hand_over: HandOver | None
) -> None:
    day = today()
    busy = dict(
        HandOverItem.objects.filter(dossier__in=dossiers)
        .exclude(hand_over__status=HandOverStatus.ACCEPTED)
        .exclude(hand_over=hand_over)
        .values_list("dossier_id", "hand_over_id")
    )
    for dossier in dossiers:
        code = code_of(dossier)
        if dossier.unit_id != unit.pk:
            raise ServiceError(MSG_OTHER_UNIT.format(code=code, unit=unit.name))
        if not office and dossier.handler_id != actor.pk:
            raise AccessDenied(MSG_NOT_OWN_DOSSIER.format(code=code))
        if dossier.status != DossierStatus.CLOSED:
            raise ServiceError(
                MSG_NOT_CLOSED.format(code=code, status=dossier.get_status_display())
            )
        if not dossier.retention_item.handed_over:
            raise ServiceError(
                MSG_NOT_HANDED_OVER.format(code=code, maintenance=dossier.maintenance)
            )
        if kept_back(dossier, day):
            raise ServiceError(MSG_KEPT_BACK.format(code=code, day=dossier.kept_back_until))
        if dossier.pk in busy:
            raise ServiceError(MSG_IN_OTHER_LIST.format(code=code, number=busy[dossier.pk]))


def _renumber(hand_over: HandOver) -> None:
    """Number the list 1, 2, … in the order of the dossiers' codes."""
    items = list(
        hand_over.items.select_related("dossier").order_by(
            "dossier__year", "dossier__notation", "dossier_id"
        )
    )
    # Two passes so that the unique (hand-over, ordinal) pairs never collide.
    offset = len(items) + 1000
    for n, item in enumerate(items, start=1):
        item.ordinal = n + offset
    HandOverItem.objects.bulk_update(items, ["ordinal"])
    for n, item in enumerate(items, start=1):
        item.ordinal = n
    HandOverItem.objects.bulk_update(items, ["ordinal"])


def handover_create(
    *, actor: User, unit: Unit, dossier_ids: Iterable[int], ip: str | None = None
) -> HandOver:
    """The office (any dossier of the unit) or a handler (their own) lists closed dossiers for
    the agency archive, in the unit's open fonds."""
    require_active(actor)
    ids = sorted({int(pk) for pk in dossier_ids})
    office = rules.is_office(actor, unit.pk)
    if not ids:
        raise ServiceError(MSG_EMPTY_LIST, field="dossiers")
    with transaction.atomic():
        fonds = fonds_for(unit)
        dossiers = _lock_dossiers(ids)
        if len(dossiers) != len(ids):
            raise NotFound()
        _check_listable(actor, unit, dossiers, office=office, hand_over=None)
        now = clock.now()
        hand_over = HandOver.objects.create(
            unit=unit, fonds=fonds, prepared_by=actor, created_at=now, updated_at=now
        )
        HandOverItem.objects.bulk_create(
            [
                HandOverItem(hand_over=hand_over, dossier=d, ordinal=n)
                for n, d in enumerate(dossiers, start=1)
            ]
        )
        _audit(
            actor,
            "handover_create",
            unit,
            hand_over,
            ip,
            fonds=fonds.pk,
            dossiers=[d.pk for d in dossiers],
        )
    return hand_over


def _lock_handover(hand_over: HandOver) -> HandOver:
    return (
        HandOver.objects.select_for_update(of=("self",))
        .select_related("unit", "fonds", "prepared_by")
        .get(pk=hand_over.pk)
    )


def _require_editor(actor: User, hand_over: HandOver) -> None:
    require_active(actor)
    if not (hand_over.prepared_by_id == actor.pk or rules.is_office(actor, hand_over.unit_id)):
        raise AccessDenied(MSG_PREPARE_ONLY.format(unit=hand_over.unit.name))
    if hand_over.status not in (HandOverStatus.DRAFT, HandOverStatus.RETURNED):
        raise ServiceError(MSG_LIST_NOT_EDITABLE)


def handover_add(
    *, actor: User, hand_over: HandOver, dossier_ids: Iterable[int], ip: str | None = None
) -> HandOver:
    """More closed dossiers into a list not yet sent (or returned); the list is renumbered."""
    ids = sorted({int(pk) for pk in dossier_ids})
    if not ids:
        raise ServiceError(MSG_EMPTY_LIST, field="dossiers")
    with transaction.atomic():
        hand_over = _lock_handover(hand_over)
        _require_editor(actor, hand_over)
        office = rules.is_office(actor, hand_over.unit_id)
        present = set(hand_over.items.values_list("dossier_id", flat=True))
        ids = [pk for pk in ids if pk not in present]
        dossiers = _lock_dossiers(ids)
        if len(dossiers) != len(ids):
            raise NotFound()
        _check_listable(actor, hand_over.unit, dossiers, office=office, hand_over=hand_over)
        HandOverItem.objects.bulk_create(
            [
                HandOverItem(hand_over=hand_over, dossier=d, ordinal=len(present) + n + 1000)
                for n, d in enumerate(dossiers, start=1)
            ]
        )
        _renumber(hand_over)
        hand_over.updated_at = clock.now()
        hand_over.save(update_fields=["updated_at"])
        _audit(
            actor,
            "handover_add",
            hand_over.unit,
            hand_over,
            ip,
            dossiers=[d.pk for d in dossiers],
        )
    return hand_over


def handover_remove(
    *, actor: User, hand_over: HandOver, dossier_id: int, ip: str | None = None
) -> HandOver:
    """A dossier out of a list not yet sent (or returned); the list is renumbered."""
    with transaction.atomic():
        hand_over = _lock_handover(hand_over)
        _require_editor(actor, hand_over)
        item = hand_over.items.filter(dossier_id=dossier_id).first()
        if item is None:
            raise ServiceError(MSG_NOT_IN_LIST)
        if hand_over.items.count() == 1:
            raise ServiceError(MSG_LAST_DOSSIER)
        item.delete()
        _renumber(hand_over)
        hand_over.updated_at = clock.now()
        hand_over.save(update_fields=["updated_at"])
        _audit(actor, "handover_remove", hand_over.unit, hand_over, ip, dossier=dossier_id)
    return hand_over


def handover_url_of(hand_over: HandOver) -> str:
    return reverse("records:handover_detail", kwargs={"pk": hand_over.pk})


def _item_dossiers(hand_over: HandOver) -> list[Dossier]:
    ids = hand_over.items.values_list("dossier_id", flat=True)
    return _lock_dossiers(ids)


def handover_submit(*, actor: User, hand_over: HandOver, ip: str | None = None) -> HandOver:
    """The list goes to the agency archive; its dossiers are frozen for the unit (SUBMITTED)."""
    with transaction.atomic():
        hand_over = _lock_handover(hand_over)
        _require_editor(actor, hand_over)
        fonds = fonds_for(hand_over.unit)
        if fonds.pk != hand_over.fonds_id:  # pragma: no cover - one fonds per agency
            raise ServiceError(MSG_FONDS_MISSING.format(unit=hand_over.unit.name))
        dossiers = _item_dossiers(hand_over)
        if not dossiers:
            raise ServiceError(MSG_EMPTY_LIST)
        _check_listable(
            actor,
            hand_over.unit,
            dossiers,
            office=rules.is_office(actor, hand_over.unit_id),
            hand_over=hand_over,
        )
        now = clock.now()
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
            status=DossierStatus.SUBMITTED, updated_at=now
        )
        resent = hand_over.status == HandOverStatus.RETURNED
        hand_over.items.exclude(return_note="").update(return_note="")
        hand_over.status = HandOverStatus.SUBMITTED
        hand_over.submitted_at = now
        hand_over.return_reason = ""
        hand_over.updated_at = now
        hand_over.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
        archive = people_with_role(hand_over.unit_id, Role.ARCHIVIST)
        if archive:
            notification_send(
                recipients=archive,
                title=(
                    "Mục lục nộp lưu gửi lại chờ kiểm tra"
                    if resent
                    else "Mục lục nộp lưu chờ kiểm tra"
                ),
                body=(
                    f"{hand_over.unit.name} nộp lưu {len(dossiers)} hồ sơ (mục lục số "
                    f"{hand_over.pk}, do {actor.full_name} gửi)."
                ),
                link=handover_url_of(hand_over),
            )
        _audit(
            actor,
            "handover_submit",
            hand_over.unit,
            hand_over,
            ip,
            dossiers=[d.pk for d in dossiers],
            resent=resent,
        )
    return hand_over


def _require_archive(actor: User, hand_over: HandOver) -> None:
    require_active(actor)
    if not rules.is_archivist(actor, hand_over.unit_id):
        raise AccessDenied(MSG_ARCHIVE_ONLY.format(unit=hand_over.unit.name))
    if hand_over.status != HandOverStatus.SUBMITTED:
        raise ServiceError(MSG_NOT_SUBMITTED)


def _unit_side(hand_over: HandOver, dossiers: list[Dossier]) -> list[User]:
    handlers = User.objects.filter(pk__in={d.handler_id for d in dossiers})
    return _active(
        [hand_over.prepared_by, *people_with_role(hand_over.unit_id, Role.CLERK), *handlers]
    )


def handover_accept(*, actor: User, hand_over: HandOver, ip: str | None = None) -> HandOver:
    """The archive accepts the list: its dossiers are in the fonds (ARCHIVED) and the minutes of
    the hand-over are numbered in the fonds."""
    with transaction.atomic():
        hand_over = _lock_handover(hand_over)
        _require_archive(actor, hand_over)
        Fonds.objects.select_for_update().get(pk=hand_over.fonds_id)
        dossiers = _item_dossiers(hand_over)
        now = clock.now()
        last = HandOver.objects.filter(fonds_id=hand_over.fonds_id).aggregate(
            n=Max("minutes_number")
        )["n"]
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
            status=DossierStatus.ARCHIVED, updated_at=now
        )
        hand_over.status = HandOverStatus.ACCEPTED
        hand_over.checked_by = actor
        hand_over.decided_at = now
        hand_over.minutes_number = (last or 0) + 1
        hand_over.updated_at = now
        hand_over.save(
            update_fields=["status", "checked_by", "decided_at", "minutes_number", "updated_at"]
        )
        recipients = [u for u in _unit_side(hand_over, dossiers) if u.pk != actor.pk]
        if recipients:
            notification_send(
                recipients=recipients,
                title="Lưu trữ cơ quan đã tiếp nhận hồ sơ nộp lưu",
                body=(
                    f"Mục lục số {hand_over.pk}: {len(dossiers)} hồ sơ đã vào phông "
                    f"“{hand_over.fonds.name}”, biên bản giao nhận số {hand_over.minutes_number}."
                ),
                link=handover_url_of(hand_over),
            )
        _audit(
            actor,
            "handover_accept",
            hand_over.unit,
            hand_over,
            ip,
            minutes=hand_over.minutes_number,
            dossiers=[d.pk for d in dossiers],
        )
    return hand_over


def handover_return(
    *,
    actor: User,
    hand_over: HandOver,
    reason: str,
    notes: Mapping[int, str] | None = None,
    ip: str | None = None,
) -> HandOver:
    """The archive returns the list with a reason and notes per dossier (keyed by dossier id):
    the dossiers are closed at the unit again, which fixes them and sends the list again."""
    reason = text_input(
        reason, label="lý do trả lại", field="reason", max_length=REASON_MAX, required=True
    )
    clean_notes = {
        int(pk): text_input(text, label="ý kiến về hồ sơ", field="notes", max_length=NOTE_MAX)
        for pk, text in (notes or {}).items()
    }
    with transaction.atomic():
        hand_over = _lock_handover(hand_over)
        _require_archive(actor, hand_over)
        dossiers = _item_dossiers(hand_over)
        strangers = set(clean_notes) - {d.pk for d in dossiers}
        if strangers:
            raise ServiceError(MSG_NOT_IN_LIST, field="notes")
        now = clock.now()
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
            status=DossierStatus.CLOSED, updated_at=now
        )
        items = list(hand_over.items.all())
        for item in items:
            item.return_note = clean_notes.get(item.dossier_id, "")
        HandOverItem.objects.bulk_update(items, ["return_note"])
        hand_over.status = HandOverStatus.RETURNED
        hand_over.checked_by = actor
        hand_over.decided_at = now
        hand_over.return_reason = reason
        hand_over.updated_at = now
        hand_over.save(
            update_fields=["status", "checked_by", "decided_at", "return_reason", "updated_at"]
        )
        recipients = [u for u in _unit_side(hand_over, dossiers) if u.pk != actor.pk]
        if recipients:
            notification_send(
                recipients=recipients,
                title="Lưu trữ cơ quan trả lại mục lục nộp lưu",
                body=f"Mục lục số {hand_over.pk}: {reason}",
                link=handover_url_of(hand_over),
            )
        _audit(
            actor,
            "handover_return",
            hand_over.unit,
            hand_over,
            ip,
            reason=reason,
            notes={str(k): v for k, v in clean_notes.items() if v},
        )
    return hand_over


# ---------------------------------------------------------------- keeping a dossier back


def keep_back_limit(dossier: Dossier) -> dt.date | None:
    if dossier.handover_due_on is None:
        return None
    return rules.add_months(dossier.handover_due_on, 12 * rules.KEEP_BACK_MAX_YEARS)


def can_request_keep_back(user: Any, dossier: Dossier) -> bool:
    return rules.is_active(user) and (
        dossier.handler_id == user.pk or rules.is_office(user, dossier.unit_id)
    )


def keep_back_request(
    *, actor: User, dossier: Dossier, reason: str, until: dt.date, ip: str | None = None
) -> KeepBack:
    """The handler or the office asks the head to keep a dossier due for hand-over at the unit
    until a date, two years after the due date at most (NĐ 30/2020 Art. 31.2)."""
    require_active(actor)
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=dossier.pk)
        )
        code = code_of(dossier)
        if not can_request_keep_back(actor, dossier):
            raise AccessDenied(MSG_KEEP_BACK_WHO.format(unit=dossier.unit.name))
        if dossier.status != DossierStatus.CLOSED or dossier.handover_due_on is None:
            raise ServiceError(MSG_KEEP_BACK_NOT_DUE.format(code=code))
        reason = text_input(
            reason, label="lý do giữ lại", field="reason", max_length=REASON_MAX, required=True
        )
        limit = rules.add_months(dossier.handover_due_on, 12 * rules.KEEP_BACK_MAX_YEARS)
        if until <= today() or until <= dossier.handover_due_on:
            raise ServiceError(MSG_KEEP_BACK_PAST.format(day=until), field="until")
        if until > limit:
            raise ServiceError(
                MSG_KEEP_BACK_TOO_LONG.format(
                    years=rules.KEEP_BACK_MAX_YEARS, due=dossier.handover_due_on, limit=limit
                ),
                field="until",
            )
        if dossier.keep_backs.filter(status=KeepBackStatus.PENDING).exists():
            raise ServiceError(MSG_KEEP_BACK_PENDING.format(code=code))
        keep = KeepBack.objects.create(
            dossier=dossier,
            requested_by=actor,
            reason=reason,
            until=until,
            requested_at=clock.now(),
        )
        heads = [u for u in people_with_role(dossier.unit_id, Role.LEADER) if u.pk != actor.pk]
        if heads:
            notification_send(
                recipients=heads,
                title="Đề nghị giữ lại hồ sơ chờ duyệt",
                body=(
                    f"{actor.full_name} đề nghị giữ lại hồ sơ {code} “{dossier.title}” đến ngày "
                    f"{until:%d/%m/%Y}: {reason}"
                ),
                link=reverse("records:keep_back_list"),
            )
        _audit(
            actor,
            "keep_back_request",
            dossier.unit,
            dossier,
            ip,
            keep_back=keep.pk,
            until=until.isoformat(),
            reason=reason,
        )
    return keep


def keep_back_decide(
    *, actor: User, keep_back: KeepBack, approve: bool, ip: str | None = None
) -> KeepBack:
    """The head approves or refuses keeping the dossier back. Approved, the dossier leaves the
    due lists and notices until the date; after it, it is due again and noticed again."""
    require_active(actor)
    with transaction.atomic():
        keep = KeepBack.objects.select_for_update().get(pk=keep_back.pk)
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=keep.dossier_id)
        )
        if not rules.is_head(actor, dossier.unit_id):
            raise AccessDenied(MSG_HEAD_ONLY.format(unit=dossier.unit.name))
        if keep.status != KeepBackStatus.PENDING:
            raise ServiceError(MSG_KEEP_BACK_DECIDED)
        if approve and dossier.status != DossierStatus.CLOSED:
            raise ServiceError(MSG_KEEP_BACK_TOO_LATE.format(code=code_of(dossier)))
        now = clock.now()
        keep.status = KeepBackStatus.APPROVED if approve else KeepBackStatus.REFUSED
        keep.decided_by = actor
        keep.decided_at = now
        keep.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            dossier.kept_back_until = keep.until
            dossier.handover_overdue_notified_on = None
            dossier.updated_at = now
            dossier.save(
                update_fields=["kept_back_until", "handover_overdue_notified_on", "updated_at"]
            )
        requester = keep.requested_by
        if requester.is_active and requester.pk != actor.pk:
            notification_send(
                recipients=[requester],
                title=(
                    "Thủ trưởng đồng ý giữ lại hồ sơ"
                    if approve
                    else "Thủ trưởng không đồng ý giữ lại hồ sơ"
                ),
                body=(
                    f"Hồ sơ {code_of(dossier)} “{dossier.title}”"
                    + (f" được giữ lại đến ngày {keep.until:%d/%m/%Y}." if approve else ".")
                ),
                link=reverse("records:keep_back_list"),
            )
        _audit(
            actor,
            "keep_back_approve" if approve else "keep_back_refuse",
            dossier.unit,
            dossier,
            ip,
            keep_back=keep.pk,
            until=keep.until.isoformat(),
        )
    return keep


def access_keep_back(*, user: Any, pk: int) -> KeepBack:
    keep = KeepBack.objects.select_related("dossier__unit").filter(pk=pk).first()
    if keep is None or not (
        rules.is_head(user, keep.dossier.unit_id)
        or (rules.is_active(user) and keep.requested_by_id == user.pk)
    ):
        raise NotFound()
    return keep


# ---------------------------------------------------------------- what the pages read


def full_units(user: Any) -> set[int]:
    """The units whose dossiers the person answers for as office or head."""
    if not rules.is_active(user):
        return set()
    return {u for u, r in user.role_pairs() if r in (Role.LEADER, Role.CLERK)}


def office_units(user: Any) -> set[int]:
    if not rules.is_active(user):
        return set()
    return {u for u, r in user.role_pairs() if r == Role.CLERK}


def archive_units(user: Any) -> set[int]:
    if not rules.is_active(user):
        return set()
    return {u for u, r in user.role_pairs() if r == Role.ARCHIVIST}


def head_units(user: Any) -> set[int]:
    if not rules.is_active(user):
        return set()
    return {u for u, r in user.role_pairs() if r == Role.LEADER}


@dataclass
class DueRow:
    dossier: Dossier
    overdue: bool
    listed_in: int | None
    keep_back_pending: bool
    can_keep_back: bool


@dataclass
class DuePage:
    rows: list[DueRow]
    kept: list[Dossier]
    drafts: list[HandOver]
    day: dt.date


def _mine_q(user: Any) -> Q:
    return Q(unit_id__in=full_units(user)) | Q(handler_id=user.pk)


def due_page(*, user: User) -> DuePage:
    """The closed dossiers due within `NOTICE_DAYS_AHEAD` days or overdue that the person
    answers for (the office and the head: all of the unit; a handler: their own), those kept
    back, and the lists not yet sent that more dossiers can join: four queries."""
    day = today()
    listed = HandOverItem.objects.filter(dossier_id=OuterRef("pk")).exclude(
        hand_over__status=HandOverStatus.ACCEPTED
    )
    pending = KeepBack.objects.filter(dossier_id=OuterRef("pk"), status=KeepBackStatus.PENDING)
    dossiers = (
        Dossier.objects.filter(due_q(day) & _mine_q(user))
        .select_related("unit", "handler")
        .annotate(
            listed_in=Subquery(listed.values("hand_over_id")[:1]),
            keep_back_pending=Exists(pending),
        )
        .order_by("handover_due_on", "year", "notation", "pk")
    )
    office = office_units(user)
    rows = [
        DueRow(
            dossier=d,
            overdue=d.handover_due_on < day,  # type: ignore[operator]
            listed_in=d.listed_in,  # type: ignore[attr-defined]
            keep_back_pending=d.keep_back_pending,  # type: ignore[attr-defined]
            can_keep_back=d.handler_id == user.pk or d.unit_id in office,
        )
        for d in dossiers
    ]
    kept = list(
        Dossier.objects.filter(_mine_q(user), status=DossierStatus.CLOSED, kept_back_until__gte=day)
        .select_related("unit")
        .order_by("kept_back_until", "pk")
    )
    drafts = list(
        HandOver.objects.filter(
            Q(unit_id__in=office) | Q(prepared_by_id=user.pk),
            status__in=(HandOverStatus.DRAFT, HandOverStatus.RETURNED),
        )
        .select_related("unit")
        .order_by("-created_at", "-pk")
    )
    return DuePage(rows=rows, kept=kept, drafts=drafts, day=day)


def handover_rows(*, user: User) -> list[HandOver]:
    """The hand-overs of the person's units (office, head), those they prepared and those with
    their dossiers: one query."""
    theirs = HandOverItem.objects.filter(hand_over_id=OuterRef("pk"), dossier__handler_id=user.pk)
    return list(
        HandOver.objects.filter(
            Q(unit_id__in=full_units(user)) | Q(prepared_by_id=user.pk) | Q(Exists(theirs))
        )
        .select_related("unit", "fonds", "prepared_by")
        .annotate(dossier_count=Count("items"))
        .order_by("-created_at", "-pk")
    )


def handover_items(hand_over: HandOver) -> list[HandOverItem]:
    """The list's dossiers in order, each with its number of documents and the pages of those
    whose page count the register keeps: one query."""
    return list(
        hand_over.items.select_related("dossier", "dossier__unit", "dossier__handler")
        .annotate(
            documents=Count("dossier__items"),
            pages=Sum("dossier__items__document__page_amount"),
        )
        .order_by("ordinal")
    )


def archive_queue(*, user: User) -> list[HandOver]:
    """The lists sent to the person's archive, oldest first: one query."""
    units = archive_units(user)
    if not units:
        raise AccessDenied("Chỉ lưu trữ cơ quan xem được danh sách mục lục nộp lưu chờ kiểm tra.")
    return list(
        HandOver.objects.filter(unit_id__in=units, status=HandOverStatus.SUBMITTED)
        .select_related("unit", "fonds", "prepared_by")
        .annotate(dossier_count=Count("items"))
        .order_by("submitted_at", "pk")
    )


@dataclass
class FondsHoldings:
    fonds: Fonds
    items: list[HandOverItem]


def archive_holdings(*, user: User) -> list[FondsHoldings]:
    """The dossiers the person's archive accepted, by fonds and minutes: one query."""
    units = archive_units(user)
    if not units:
        raise AccessDenied("Chỉ lưu trữ cơ quan xem được kho hồ sơ đã nộp lưu.")
    items = (
        HandOverItem.objects.filter(
            hand_over__unit_id__in=units, hand_over__status=HandOverStatus.ACCEPTED
        )
        .select_related("dossier", "hand_over__fonds__unit")
        .order_by(
            "hand_over__fonds__name", "hand_over__fonds_id", "hand_over__minutes_number", "ordinal"
        )
    )
    groups: dict[int, FondsHoldings] = {}
    for item in items:
        fonds = item.hand_over.fonds
        groups.setdefault(fonds.pk, FondsHoldings(fonds=fonds, items=[])).items.append(item)
    return list(groups.values())


def fonds_units(user: Any) -> set[int] | None:
    """The units whose fonds the person sees: None for every unit (the province admin)."""
    if not rules.is_active(user):
        return set()
    if user.is_province_admin:
        return None
    return {u for u, r in user.role_pairs() if r in (Role.UNIT_ADMIN, Role.ARCHIVIST)}


def fonds_rows(*, user: User) -> list[Fonds]:
    """The fonds the person sees, each with its number of accepted hand-overs: one query."""
    units = fonds_units(user)
    if units is not None and not units:
        raise AccessDenied("Chỉ quản trị và lưu trữ cơ quan xem được các phông lưu trữ.")
    rows = Fonds.objects.select_related("unit").annotate(
        accepted=Count("hand_overs", filter=Q(hand_overs__status=HandOverStatus.ACCEPTED))
    )
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    return list(rows.order_by("closed_on", "name", "pk"))


def openable_units(user: Any) -> QuerySet[Unit]:
    """The units without a fonds whose fonds the person may open."""
    units = Unit.objects.filter(is_active=True).exclude(pk__in=Fonds.objects.values("unit_id"))
    if not user.is_province_admin:
        units = units.filter(pk__in=[u for u, r in user.role_pairs() if r == Role.UNIT_ADMIN])
    return units.order_by("name", "pk")


def access_fonds(*, user: Any, pk: int) -> Fonds:
    fonds = Fonds.objects.select_related("unit").filter(pk=pk).first()
    units = fonds_units(user)
    if fonds is None or (units is not None and fonds.unit_id not in units):
        raise NotFound()
    return fonds


def keep_back_rows(*, user: User) -> list[KeepBack]:
    """Requests to decide (the head) and the person's own requests: one query."""
    return list(
        KeepBack.objects.filter(
            Q(dossier__unit_id__in=head_units(user)) | Q(requested_by_id=user.pk)
        )
        .select_related("dossier", "dossier__unit", "requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
