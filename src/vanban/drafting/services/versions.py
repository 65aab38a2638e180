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
from vanban.core.errors import AccessDenied, NotFound
from vanban.documents.files import (
    FileUnavailable,
    file_stream_verified,
    file_verify,
    viewed_data,
)

from ..models import (
    Decision,
    Draft,
    DraftAction,
    DraftStatus,
    DraftVersion,
)
from ._common import (
    MSG_DRAFTER_ONLY,
    _audit,
    _check_status,
    _convert,
    _discard,
    _lock,
    _notify,
    _prepare,
    _store,
    _store_converted,
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

    A DOCX, DOC or ODT version is converted to PDF/A-2b on the server first
    (`_common._convert`): a file that cannot be converted is refused and nothing changes; without
    LibreOffice the version is kept without a PDF, with the reason.

    Not while the content and format are being checked. Checks and approval hold for the version
    they saw (Art. 12: a change is checked and approved again): a version uploaded once both
    checks passed sends the draft back to the same checkers for the new version (to the drafter,
    to send again, when one of them is no longer active), and voids the approval.
    """
    _require_active(actor)
    if draft.drafter_id != actor.pk:
        raise AccessDenied(MSG_DRAFTER_ONLY)
    allowed = (DraftStatus.DRAFTING, DraftStatus.APPROVING, DraftStatus.APPROVED)
    _check_status(draft, *allowed)
    note = _text(note, label="nội dung thay đổi", field="note", max_length=500)
    prepared = _prepare(content_file, actor=actor)
    converted = _convert(prepared)
    name = _store(prepared)
    try:
        _store_converted(converted)
        with transaction.atomic():
            locked = _lock(draft)
            _check_status(locked, *allowed)
            now = clock.now()
            previous = locked.current_version
            number = (previous.number if previous else 0) + 1
            version = _version(
                locked,
                number=number,
                prepared=prepared,
                name=name,
                actor=actor,
                note=note,
                at=now,
                converted=converted,
            )
            voided = locked.status == DraftStatus.APPROVED
            checked = locked.status in (DraftStatus.APPROVING, DraftStatus.APPROVED)
            locked.current_version = version
            fields = ["current_version"]
            if checked:
                fields += _checks_again(locked)
            _touch(locked, now, *fields)
            _trail(locked, DraftAction.VERSION, actor, text=note, version=version, at=now)
            if voided:
                _trail(
                    locked,
                    DraftAction.APPROVAL_VOIDED,
                    actor,
                    text=(
                        f"Phê duyệt phiên bản {locked.approved_version.number} "  # type: ignore[union-attr]
                        f"hết hiệu lực vì có phiên bản {number}; cần kiểm tra và phê duyệt lại."
                    ),
                    version=version,
                    at=now,
                )
            if checked:
                _trail(
                    locked,
                    DraftAction.CHECKS_AGAIN,
                    actor,
                    text=_checks_again_text(locked, previous, number),
                    version=version,
                    at=now,
                )
            _audit(
                actor,
                "version",
                locked,
                ip,
                number=number,
                sha256=version.sha256,
                pdf_sha256=version.pdf_sha256 or None,
                voided=voided,
                checks_again=checked,
            )
            if voided:
                _notify(
                    [locked.signer],
                    locked,
                    f"Cần phê duyệt lại dự thảo (phiên bản {number}): {draft_label(locked)}",
                    "Phê duyệt trước hết hiệu lực; phiên bản mới được kiểm tra nội dung và thể "
                    "thức lại trước khi trình phê duyệt.",
                )
            if checked and locked.status == DraftStatus.REVIEWING:
                _notify(
                    [locked.reviewer, locked.checker],  # type: ignore[list-item]
                    locked,
                    f"Dự thảo có phiên bản mới ({number}), cần kiểm tra lại: {draft_label(locked)}",
                    note,
                )
            elif checked:
                _notify(
                    [locked.drafter],
                    locked,
                    f"Dự thảo có phiên bản mới ({number}), cần trình kiểm tra lại: "
                    f"{draft_label(locked)}",
                )
    except BaseException:
        _discard(name)
        if converted.storage_name:
            _discard(converted.storage_name)
        raise
    draft.refresh_from_db()
    return version


def _checks_again(locked: Draft) -> list[str]:
    """The checks passed for the previous version do not count for the new one: back to the
    same checkers when both are still active, else to the drafter to send it again. The
    version each check saw stays recorded (`content_version`, `format_version`)."""
    people = (locked.reviewer, locked.checker)
    if all(person is not None and person.is_active for person in people):
        locked.status = DraftStatus.REVIEWING
    else:
        locked.status = DraftStatus.DRAFTING
    locked.content_decision = Decision.PENDING
    locked.format_decision = Decision.PENDING
    return ["status", "content_decision", "format_decision"]


def _checks_again_text(locked: Draft, previous: DraftVersion | None, number: int) -> str:
    seen = f"phiên bản {previous.number}" if previous is not None else "phiên bản trước"
    if locked.status == DraftStatus.REVIEWING:
        return (
            f"Kết quả kiểm tra nội dung và thể thức của {seen} không áp dụng cho phiên bản "
            f"{number}; chuyển lại {locked.reviewer.full_name} (nội dung) và "  # type: ignore[union-attr]
            f"{locked.checker.full_name} (thể thức) kiểm tra."  # type: ignore[union-attr]
        )
    return (
        f"Kết quả kiểm tra nội dung và thể thức của {seen} không áp dụng cho phiên bản "
        f"{number}; người kiểm tra không còn hoạt động, người soạn thảo cần trình kiểm tra lại."
    )


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


@dataclass
class PdfDownload:
    version: DraftVersion
    name: str
    size: int
    chunks: Iterator[bytes]


def version_pdf_download(
    *, actor: User, draft_pk: int, number: int, ip: str | None = None, viewed: bool = False
) -> PdfDownload:
    """The PDF to show for a version (`DraftVersion.pdf_to_show`): what the checkers read and
    the signer approves and signs. Hashed before anything is sent; the access is recorded.
    NotFound when the version has no PDF."""
    from ..selectors import access_version

    version = access_version(user=actor, draft_pk=draft_pk, number=number)
    shown = version.pdf_to_show()
    data: dict[str, object] = {"number": version.number, "sha256": shown.sha256 if shown else None}
    if viewed:
        data["viewed"] = True
    if shown is None:
        _audit(actor, "version_pdf_refused", version.draft, ip, **data, reason="no_pdf")
        raise NotFound(version.pdf_note or "Phiên bản này chưa có bản PDF.")
    try:
        size = file_verify(shown.storage_name, shown.sha256)
    except FileUnavailable as exc:
        _audit(actor, "version_pdf_refused", version.draft, ip, **data, reason=exc.reason)
        raise
    _audit(actor, "version_pdf", version.draft, ip, **data)
    return PdfDownload(
        version=version,
        name=shown.file_name,
        size=size,
        chunks=file_stream_verified(shown.storage_name, shown.sha256, size),
    )
