"""Sending a draft for checking, and the checks of its content and format (NĐ 30/2020
Art. 12, 13)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from vanban.accounts.models import Role, User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError

from ..models import (
    Decision,
    Draft,
    DraftAction,
    DraftStatus,
)
from ._common import (
    MSG_DRAFTER_ONLY,
    _audit,
    _check_status,
    _lock,
    _notify,
    _require_pdf,
    _text,
    _touch,
    _trail,
    draft_label,
    subtree_ids,
)


def draft_submit(
    *,
    actor: User,
    draft: Draft,
    reviewer: User | None,
    checker: User | None,
    note: str = "",
    ip: str | None = None,
) -> Draft:
    """The drafter sends the draft for checking: its content to the head of the drafting unit
    (a leader of that unit), its format to an assigned checker of the issuing unit (Art. 12)."""
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    _check_status(draft, DraftStatus.DRAFTING)
    if reviewer is None or not reviewer.is_active or not reviewer.has_role(Role.LEADER, draft.unit):
        raise ServiceError(
            "Người kiểm tra nội dung phải là lãnh đạo đơn vị soạn thảo.", field="reviewer"
        )
    if (
        checker is None
        or not checker.is_active
        or checker.unit_id not in subtree_ids(draft.issuing_unit)
    ):
        raise ServiceError(
            "Người kiểm tra thể thức phải là cán bộ đang hoạt động của cơ quan ban hành.",
            field="checker",
        )
    if checker.pk == actor.pk:
        raise ServiceError(
            "Người kiểm tra thể thức phải là người khác người soạn thảo.", field="checker"
        )
    note = _text(note, label="nội dung trình", field="note")
    _require_pdf(draft, step="trình kiểm tra")
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, DraftStatus.DRAFTING)
        _require_pdf(locked, step="trình kiểm tra")
        now = clock.now()
        locked.status = DraftStatus.REVIEWING
        locked.reviewer = reviewer
        locked.checker = checker
        locked.content_decision = Decision.PENDING
        locked.format_decision = Decision.PENDING
        locked.content_at = locked.format_at = None
        _touch(
            locked,
            now,
            "status",
            "reviewer",
            "checker",
            "content_decision",
            "format_decision",
            "content_at",
            "format_at",
        )
        _trail(
            locked,
            DraftAction.SUBMITTED,
            actor,
            text=(
                f"Kiểm tra nội dung: {reviewer.full_name}; kiểm tra thể thức: {checker.full_name}."
                + (f"\n{note}" if note else "")
            ),
            version=locked.current_version,
            at=now,
        )
        _audit(actor, "submit", locked, ip, reviewer=reviewer.pk, checker=checker.pk)
        _notify([reviewer, checker], locked, f"Dự thảo chờ kiểm tra: {draft_label(locked)}", note)
    draft.refresh_from_db()
    return locked


def _after_check(locked: Draft, actor: User, now: dt.datetime) -> None:
    """Both checks passed: to the signer. One returned: back to the drafter."""
    if Decision.RETURNED in (locked.content_decision, locked.format_decision):
        locked.status = DraftStatus.DRAFTING
        _notify(
            [locked.drafter],
            locked,
            f"Dự thảo bị trả lại để sửa: {draft_label(locked)}",
        )
    elif locked.content_passed and locked.format_passed:
        locked.status = DraftStatus.APPROVING
        _notify([locked.signer], locked, f"Dự thảo chờ phê duyệt: {draft_label(locked)}")


def _check(
    *,
    actor: User,
    draft: Draft,
    accept: bool,
    note: str,
    ip: str | None,
    kind: str,
) -> Draft:
    is_content = kind == "content"
    person_field = "reviewer_id" if is_content else "checker_id"
    decision_field = "content_decision" if is_content else "format_decision"
    at_field = "content_at" if is_content else "format_at"
    version_field = "content_version" if is_content else "format_version"
    _require_active(actor)
    if getattr(draft, person_field) != actor.pk:
        raise AccessDenied(
            "Chỉ lãnh đạo đơn vị được giao kiểm tra nội dung dự thảo."
            if is_content
            else "Chỉ người được giao kiểm tra thể thức dự thảo."
        )
    _check_status(draft, DraftStatus.REVIEWING)
    note = _text(note, label="ý kiến", field="note", required=not accept)

    def check_pending(item: Draft) -> None:
        _check_status(item, DraftStatus.REVIEWING)
        if getattr(item, decision_field) != Decision.PENDING:
            raise ServiceError(
                "Bạn đã kiểm tra nội dung dự thảo này."
                if is_content
                else "Bạn đã kiểm tra thể thức dự thảo này."
            )

    check_pending(draft)
    with transaction.atomic():
        locked = _lock(draft)
        if getattr(locked, person_field) != actor.pk:
            raise AccessDenied()
        check_pending(locked)
        now = clock.now()
        setattr(locked, decision_field, Decision.ACCEPTED if accept else Decision.RETURNED)
        setattr(locked, at_field, now)
        # The decision holds for the version the checker saw, and for no later one.
        setattr(locked, version_field, locked.current_version)
        _after_check(locked, actor, now)
        _touch(locked, now, decision_field, at_field, version_field, "status")
        if is_content:
            action = DraftAction.CONTENT_ACCEPTED if accept else DraftAction.CONTENT_RETURNED
        else:
            action = DraftAction.FORMAT_ACCEPTED if accept else DraftAction.FORMAT_RETURNED
        _trail(locked, action, actor, text=note, version=locked.current_version, at=now)
        _audit(actor, f"{kind}_check", locked, ip, accepted=accept, status=locked.status)
    draft.refresh_from_db()
    return locked


def draft_review_content(
    *, actor: User, draft: Draft, accept: bool, note: str = "", ip: str | None = None
) -> Draft:
    """The head of the drafting unit checks the content (Art. 12): passes it, or returns it to
    the drafter with what to fix."""
    return _check(actor=actor, draft=draft, accept=accept, note=note, ip=ip, kind="content")


def draft_check_format(
    *, actor: User, draft: Draft, accept: bool, note: str = "", ip: str | None = None
) -> Draft:
    """The assigned checker checks the format and technique of presentation (Art. 12, 13)."""
    return _check(actor=actor, draft=draft, accept=accept, note=note, ip=ip, kind="format")
