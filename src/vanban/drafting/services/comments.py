"""Comments asked of colleagues on a draft, and their answers (NĐ 30/2020 Art. 11)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.documents.services import (
    local_today,
)

from ..models import (
    Draft,
    DraftAction,
    DraftComment,
    DraftStatus,
)
from ._common import (
    MSG_DRAFTER_ONLY,
    MSG_ISSUED,
    _audit,
    _check_status,
    _lock,
    _notify,
    _text,
    _touch,
    _trail,
    draft_label,
)

# A draft is open for comments until it is issued (Art. 11).
_COMMENTABLE = (
    DraftStatus.DRAFTING,
    DraftStatus.REVIEWING,
    DraftStatus.APPROVING,
    DraftStatus.APPROVED,
)


def _comments_request_check(
    *, actor: User, draft: Draft, people: list[User], deadline: dt.date | None
) -> tuple[dict[int, User], dt.date]:
    """The drafter, a draft not yet issued, active people other than the drafter, and a
    deadline not in the past (Art. 11). Returns the people by primary key, and the deadline.
    """
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    _check_status(draft, *_COMMENTABLE)
    chosen = {p.pk: p for p in people if p.pk != actor.pk}
    if not chosen:
        raise ServiceError("Hãy chọn người được xin ý kiến (không phải chính bạn).", field="people")
    for person in chosen.values():
        if not person.is_active:
            raise ServiceError(f"Tài khoản {person.full_name} không hoạt động.", field="people")
    if deadline is None:
        raise ServiceError("Hãy nhập hạn góp ý.", field="deadline")
    if deadline < local_today():
        raise ServiceError("Hạn góp ý không thể trước ngày hôm nay.", field="deadline")
    return chosen, deadline


def _comments_fresh(*, locked: Draft, chosen: dict[int, User]) -> list[User]:
    """The chosen people not already waiting to answer on this draft; refused when none is."""
    waiting = set(
        DraftComment.objects.filter(
            draft=locked, person_id__in=chosen, answered_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    fresh = [p for pk, p in chosen.items() if pk not in waiting]
    if not fresh:
        raise ServiceError(
            "Những người được chọn đều đang được xin ý kiến và chưa trả lời.", field="people"
        )
    return fresh


def _comments_record(
    *,
    actor: User,
    locked: Draft,
    fresh: list[User],
    deadline: dt.date,
    note: str,
    ip: str | None,
) -> list[DraftComment]:
    """One request per person on the current version, the trail entry, the audit event, and a
    notification to each person asked.
    """
    now = clock.now()
    rows = DraftComment.objects.bulk_create(
        [
            DraftComment(
                draft=locked,
                person=person,
                requested_by=actor,
                request_note=note,
                deadline=deadline,
                version=locked.current_version,
                requested_at=now,
            )
            for person in fresh
        ]
    )
    names = ", ".join(p.full_name for p in fresh)
    _trail(
        locked,
        DraftAction.COMMENT_REQUEST,
        actor,
        text=f"Xin ý kiến: {names}; hạn {deadline:%d/%m/%Y}." + (f"\n{note}" if note else ""),
        version=locked.current_version,
        at=now,
    )
    _touch(locked, now)
    _audit(actor, "comment_request", locked, ip, people=[p.pk for p in fresh], deadline=deadline)
    _notify(
        fresh,
        locked,
        f"Xin ý kiến về dự thảo, hạn {deadline:%d/%m/%Y}: {draft_label(locked)}",
        note,
    )
    return rows


def draft_comments_request(
    *,
    actor: User,
    draft: Draft,
    people: list[User],
    deadline: dt.date | None,
    note: str = "",
    ip: str | None = None,
) -> list[DraftComment]:
    """The drafter asks people for comments on the current version, with a deadline (Art. 11).

    A person already asked and who has not answered yet is not asked twice.
    """
    chosen, deadline = _comments_request_check(
        actor=actor, draft=draft, people=people, deadline=deadline
    )
    note = _text(note, label="nội dung xin ý kiến", field="note", max_length=1000)
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, *_COMMENTABLE)
        fresh = _comments_fresh(locked=locked, chosen=chosen)
        return _comments_record(
            actor=actor, locked=locked, fresh=fresh, deadline=deadline, note=note, ip=ip
        )


def draft_comment(*, actor: User, draft: Draft, text: str, ip: str | None = None) -> DraftComment:
    """A person asked for comments gives them (a late comment is kept, and shows as late)."""
    _require_active(actor)
    request = (
        DraftComment.objects.filter(draft=draft, person=actor, answered_at__isnull=True)
        .order_by("requested_at", "pk")
        .first()
    )
    if request is None:
        raise AccessDenied("Bạn không được xin ý kiến về dự thảo này, hoặc đã góp ý.")
    _check_status(
        draft,
        DraftStatus.DRAFTING,
        DraftStatus.REVIEWING,
        DraftStatus.APPROVING,
        DraftStatus.APPROVED,
    )
    text = _text(text, label="ý kiến", field="text", required=True)
    with transaction.atomic():
        locked = _lock(draft)
        if locked.status == DraftStatus.ISSUED:
            raise ServiceError(MSG_ISSUED)
        request = DraftComment.objects.select_for_update().get(pk=request.pk)
        if request.answered_at is not None:
            raise ServiceError("Bạn đã góp ý cho lần xin ý kiến này.")
        now = clock.now()
        request.text = text
        request.answered_at = now
        request.save(update_fields=["text", "answered_at"])
        _trail(locked, DraftAction.COMMENT, actor, text=text, version=request.version, at=now)
        _touch(locked, now)
        _audit(actor, "comment", locked, ip, request=request.pk)
        _notify([locked.drafter], locked, f"{actor.full_name} đã góp ý dự thảo", text[:500])
    return request
