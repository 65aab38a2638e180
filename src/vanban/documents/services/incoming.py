"""Registering an incoming document (R9, R13, R14, R16; NĐ 30/2020 Art. 22): the arrival number
from the unit's incoming series, a duplicate (number, symbol, issuing body) confirmed by the
clerk, the signatures of its PDF files checked and their reports kept (R11): a file whose
signature is invalid or untrusted needs the clerk's confirmation with a reason.
"""

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import ServiceError
from vanban.core.text import fold

from .. import receipt_checks
from ..models import Direction, Document
from ._common import _prepare_files, _require_clerk, _save_with_files
from .fields import DocumentInput, _clean
from .numbering import _series_and_number
from .refusals import Refusals, _check_refusals

MAIN_FILE_REQUIRED = (
    "Văn bản đến phải có tệp văn bản chính: bản quét của văn bản giấy hoặc tệp văn bản điện tử."
)


class DuplicateDocument(ServiceError):
    """The (number, symbol, issuing body) is already in the unit's incoming register."""

    def __init__(self, existing: Document) -> None:
        super().__init__(
            f"Văn bản số {existing.number_symbol} của {existing.issuer_name} đã được vào sổ đến "
            f"số {existing.register_number} ngày "
            f"{timezone.localtime(existing.registered_at):%d/%m/%Y}. "
            "Nếu đúng là văn bản khác, hãy xác nhận để vào sổ.",
            field="code_number",
        )
        self.existing = existing


def _find_duplicate(*, unit: Unit, cleaned: dict[str, Any]) -> Document | None:
    """Same number, and symbol and issuing body equal apart from case and diacritics."""
    key = (fold(cleaned["code_notation"]), fold(cleaned["issuer_name"]))
    candidates = Document.objects.filter(
        unit=unit, direction=Direction.INCOMING, code_number=cleaned["code_number"]
    ).order_by("registered_at", "pk")
    for document in candidates.only(
        "pk", "code_number", "code_notation", "issuer_name", "register_number", "registered_at"
    ):
        if (fold(document.code_notation), fold(document.issuer_name)) == key:
            return document
    return None


def incoming_register(
    *,
    actor: User,
    unit: Unit,
    data: DocumentInput,
    refusals: Refusals,
    main_file: UploadedFile[bytes] | None = None,
    attachments: list[UploadedFile[bytes]] | None = None,
    confirm_duplicate: bool = False,
    signature_trigger: str = receipt_checks.UPLOAD,
    signature_checks: receipt_checks.Results | None = None,
    signature_reason: str = "",
    received_files: bool = False,
    ip: str | None = None,
) -> Document:
    """The clerk registers an incoming document: arrival date and number by the system (R14, R16).

    Refused, with nothing stored, when the document is secret, a complaint, undeclared as to
    sensitive matters, or its file carries a secrecy stamp (R13). A (number, symbol, issuing body)
    already in the unit's register needs the clerk's confirmation.

    The signatures of its PDF files are checked before the numbering transaction (or by the
    caller, `signature_checks`, when it holds locks of its own) and the reports kept with the
    document (R11). When a file's signature is invalid or untrusted the document is registered
    only with the clerk's reason (`signature_reason`), kept with the reports and audited;
    without it `receipt_checks.SignaturesNotConfirmed` carries every file's report to show.

    A document the clerk registers by hand needs its main file, the scan of the paper document
    or the electronic file (R16; Art. 22): refused otherwise, nothing stored. A document
    received electronically (`received_files`: an edXML package, the reception queue) is
    registered with the files it came with, which may lack a main file.
    """
    _require_clerk(actor, unit)
    _check_refusals(refusals)
    cleaned = _clean(data, direction=Direction.INCOMING)
    if main_file is None and not received_files:
        raise ServiceError(MAIN_FILE_REQUIRED, field="main_file")
    prepared = _prepare_files(
        main_file, list(attachments or []), actor=actor, unit=unit, source="Vào sổ văn bản đến"
    )
    if cleaned["code_number"] or cleaned["code_notation"]:
        existing = _find_duplicate(unit=unit, cleaned=cleaned)
        if existing is not None and not confirm_duplicate:
            raise DuplicateDocument(existing)
    if signature_checks is None:
        signature_checks = receipt_checks.files_check(
            (item.original_name, item.file_format, item.data) for _role, item in prepared
        )
    checks = signature_checks
    confirmation = receipt_checks.confirmation_check(checks, signature_reason)
    now = clock.now()
    year = timezone.localdate(now).year

    def number(document: Document) -> None:
        document.series_id, document.register_number = _series_and_number(
            unit=unit,
            year=year,
            direction=Direction.INCOMING,
            document_type=cleaned["document_type"],
            legal_normative=False,
        )

    document = Document(
        unit=unit,
        direction=Direction.INCOMING,
        year=year,
        arrival_date=now,
        registered_by=actor,
        registered_at=now,
        sensitive_declared=True,
        awaiting_presentation=True,  # until the workflow presents it (R18)
        **cleaned,
    )
    return _save_with_files(
        actor=actor,
        document=document,
        number=number,
        prepared=prepared,
        ip=ip,
        audit_action="document.register_in",
        audit_data={
            "sensitive_declared": True,
            "duplicate_confirmed": confirm_duplicate,
            **({"signature_confirmation": confirmation} if confirmation else {}),
        },
        after=lambda document: receipt_checks.results_keep(
            checks,
            document=document,
            trigger=signature_trigger,
            actor=actor,
            confirmation=confirmation,
        ),
    )
