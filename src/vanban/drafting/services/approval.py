"""The competent signer's approval of a draft, or of the person the signer delegated to
(NĐ 30/2020 Art. 12-13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vanban.accounts.models import Role, User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied, ServiceError
from vanban.workflow.access import authority_of
from vanban.workflow.models import Delegation

from ..models import (
    Draft,
    DraftAction,
    DraftStatus,
)
from ._common import (
    _active_in,
    _audit,
    _check_status,
    _lock,
    _notify,
    _require_pdf,
    _text,
    _touch,
    _trail,
    draft_label,
)

MSG_SIGNER_ONLY = "Chỉ người ký được phê duyệt dự thảo."
MSG_DELEGATION_INACTIVE = (
    "Ủy quyền của người ký cho bạn không có hiệu lực vào thời điểm này; "
    "chỉ người ký hoặc người được ủy quyền trong thời gian ủy quyền được phê duyệt dự thảo."
)


def signer_delegator(*, actor: User, draft: Draft, at: dt.datetime) -> User | None:
    """The draft's signer when `actor` acts for them at `at` under a delegation in force in the
    issuing unit (workflow.access.authority_of); else None."""
    for delegation in authority_of(actor, at=at).delegations:
        if (
            delegation.delegator_id == draft.signer_id
            and delegation.unit_id == draft.issuing_unit_id
        ):
            return delegation.delegator
    return None


def draft_approve(
    *, actor: User, draft: Draft, accept: bool = True, note: str = "", ip: str | None = None
) -> Draft:
    """The competent signer approves the current version (Art. 12-13), or returns the draft to
    the drafter. The approval holds for that version only. Until the signature issue adds the
    cryptography, this step records the approval and the signer."""
    _require_active(actor)
    now = clock.now()
    on_behalf_of = None
    if draft.signer_id != actor.pk:
        on_behalf_of = signer_delegator(actor=actor, draft=draft, at=now)
        if on_behalf_of is None:
            delegated = Delegation.objects.filter(
                deputy_id=actor.pk,
                delegator_id=draft.signer_id,
                unit_id=draft.issuing_unit_id,
            ).exists()
            raise AccessDenied(MSG_DELEGATION_INACTIVE if delegated else MSG_SIGNER_ONLY)
    _check_status(draft, DraftStatus.APPROVING)
    note = _text(note, label="ý kiến", field="note", required=not accept)
    with transaction.atomic():
        locked = _lock(draft)
        _check_status(locked, DraftStatus.APPROVING)
        version = locked.current_version
        if accept:
            if version is None:
                # draft_create stores the first version with the draft: never the case.
                raise ServiceError("Dự thảo chưa có phiên bản nào để phê duyệt.")
            if not (locked.content_passed and locked.format_passed):
                # Checks hold for the version they saw (Art. 12): never approve an unchecked one.
                raise ServiceError(
                    f"Phiên bản {version.number} chưa được kiểm tra nội dung và thể thức; "
                    "kết quả kiểm tra phiên bản trước không áp dụng cho phiên bản này."
                )
            _require_pdf(locked, step="phê duyệt")
            locked.status = DraftStatus.APPROVED
            locked.approved_by = actor
            locked.approved_at = now
            locked.approved_version = version
            action = DraftAction.APPROVED
        else:
            locked.status = DraftStatus.DRAFTING
            locked.approved_by = None
            locked.approved_at = None
            locked.approved_version = None
            action = DraftAction.APPROVAL_RETURNED
        _touch(locked, now, "status", "approved_by", "approved_at", "approved_version")
        text = note
        if accept and version is not None:
            text = f"Phê duyệt phiên bản {version.number}." + (f"\n{note}" if note else "")
        behalf: dict[str, Any] = {}
        if on_behalf_of is not None:
            text = f"Thay mặt {on_behalf_of.full_name} (ủy quyền).\n{text}".rstrip()
            behalf = {
                "on_behalf_of": on_behalf_of.username,
                "on_behalf_of_name": on_behalf_of.full_name,
                "actor_name": actor.full_name,
                "acting": f"{actor.full_name} thay mặt {on_behalf_of.full_name}",
            }
        _trail(locked, action, actor, text=text, version=version, at=now)
        _audit(
            actor,
            "approve" if accept else "approval_return",
            locked,
            ip,
            version=version.number if version else None,
            sha256=version.sha256 if version else None,
            **behalf,
        )
        if accept:
            clerks = _active_in([locked.issuing_unit_id], Role.CLERK)
            _notify(
                [locked.drafter, *clerks],
                locked,
                f"Dự thảo đã được phê duyệt: {draft_label(locked)}",
            )
        else:
            _notify(
                [locked.drafter],
                locked,
                f"Dự thảo không được phê duyệt: {draft_label(locked)}",
                note,
            )
    draft.refresh_from_db()
    return locked
