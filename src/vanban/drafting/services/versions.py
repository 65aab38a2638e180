"""New versions of a draft's content file, and reading a stored version (NĐ 30/2020
Art. 10, 12; Appendix VI)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services import require_active as _require_active
from vanban.core import clock
from vanban.core.errors import AccessDenied
from vanban.documents.files import (
    FileUnavailable,
    file_stream_verified,
    file_verify,
    viewed_data,
)

from ..models import (
    Draft,
    DraftAction,
    DraftStatus,
    DraftVersion,
)
from ._common import (
    MSG_DRAFTER_ONLY,
    _audit,
    _check_status,
    _discard,
    _lock,
    _notify,
    _prepare,
    _store,
    _text,
    _touch,
    _trail,
    _version,
    draft_label,
)


def draft_version_add(
    *,
    actor: User,
    draft: Draft,
    content_file: UploadedFile[bytes] | None,
    note: str = "",
    ip: str | None = None,
) -> DraftVersion:
    """The drafter uploads a new version of the content file; the old ones stay as they were.

    Not while the content and format are being checked. After the approval, the approval is
    voided and the signer has to approve the new version (Art. 12: a change needs approval
    again).
    """
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    allowed = (DraftStatus.DRAFTING, DraftStatus.APPROVING, DraftStatus.APPROVED)
    _check_status(draft, *allowed)
    note = _text(note, label="nội dung thay đổi", field="note", max_length=500)
    prepared = _prepare(content_file, actor=actor)
    name = _store(prepared)
    try:
        with transaction.atomic():
            locked = _lock(draft)
            _check_status(locked, *allowed)
            now = clock.now()
            number = (locked.current_version.number if locked.current_version else 0) + 1
            version = _version(
                locked, number=number, prepared=prepared, name=name, actor=actor, note=note, at=now
            )
            voided = locked.status == DraftStatus.APPROVED
            locked.current_version = version
            fields = ["current_version"]
            if voided:
                locked.status = DraftStatus.APPROVING
                fields.append("status")
            _touch(locked, now, *fields)
            _trail(locked, DraftAction.VERSION, actor, text=note, version=version, at=now)
            if voided:
                _trail(
                    locked,
                    DraftAction.APPROVAL_VOIDED,
                    actor,
                    text=(
                        f"Phê duyệt phiên bản {locked.approved_version.number} "  # type: ignore[union-attr]
                        f"hết hiệu lực vì có phiên bản {number}; cần phê duyệt lại."
                    ),
                    version=version,
                    at=now,
                )
            _audit(
                actor, "version", locked, ip, number=number, sha256=version.sha256, voided=voided
            )
            if voided:
                _notify(
                    [locked.signer],
                    locked,
                    f"Cần phê duyệt lại dự thảo (phiên bản {number}): {draft_label(locked)}",
                )
    except BaseException:
        _discard(name)
        raise
    draft.refresh_from_db()
    return version


@dataclass
class VersionDownload:
    version: DraftVersion
    size: int
    chunks: Iterator[bytes]


def version_download(
    *, actor: User, draft_pk: int, number: int, ip: str | None = None, viewed: bool = False
) -> VersionDownload:
    """A person who may see the draft downloads one of its versions (Appendix VI "every draft is
    kept"). The stored bytes are hashed before anything is sent (FileUnavailable if missing or
    changed), and the access is recorded (noted `viewed` for the document viewer)."""
    from ..selectors import access_version

    version = access_version(user=actor, draft_pk=draft_pk, number=number)
    data = viewed_data({"number": version.number, "sha256": version.sha256}, viewed)
    try:
        size = file_verify(version.storage_name, version.sha256)
    except FileUnavailable as exc:
        _audit(actor, "version_download_refused", version.draft, ip, **data, reason=exc.reason)
        raise
    _audit(actor, "version_download", version.draft, ip, **data)
    return VersionDownload(
        version=version,
        size=size,
        chunks=file_stream_verified(version.storage_name, version.sha256, size),
    )
