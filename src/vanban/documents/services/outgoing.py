"""Registering an outgoing document (R10, R13, R16; NĐ 30/2020 Art. 15-16): the clerk numbers,
dates and registers it with its main file and attachments.
"""

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.core.errors import ServiceError

from ..models import Direction, Document
from ._common import _prepare_files, _require_clerk, _save_with_files
from .fields import DocumentInput, _clean
from .numbering import _series_and_number, compose_notation, format_number
from .refusals import Refusals, _check_refusals


def outgoing_register(
    *,
    actor: User,
    unit: Unit,
    data: DocumentInput,
    refusals: Refusals,
    main_file: UploadedFile[bytes] | None = None,
    attachments: list[UploadedFile[bytes]] | None = None,
    ip: str | None = None,
) -> Document:
    """The clerk numbers, dates and registers an outgoing document (NĐ 30/2020 Art. 15-16).

    The number comes from the unit's series for the year (one series, one per type, or the legal
    normative series of the type); the symbol is composed by the rules of Appendix III.
    """
    _require_clerk(actor, unit)
    _check_refusals(refusals)
    cleaned = _clean(data, direction=Direction.OUTGOING)
    if main_file is None:
        raise ServiceError("Văn bản đi phải có tệp văn bản chính.", field="main_file")
    prepared = _prepare_files(
        main_file, list(attachments or []), actor=actor, unit=unit, source="Vào sổ văn bản đi"
    )
    now = clock.now()
    today = timezone.localdate(now)
    drafting_symbol = cleaned.pop("drafting_symbol")

    def number(document: Document) -> None:
        document.series_id, document.register_number = _series_and_number(
            unit=unit,
            year=today.year,
            direction=Direction.OUTGOING,
            document_type=cleaned["document_type"],
            legal_normative=cleaned["legal_normative"],
        )
        document.code_number = format_number(document.register_number)

    document = Document(
        unit=unit,
        direction=Direction.OUTGOING,
        year=today.year,
        code_notation=compose_notation(
            unit=unit,
            document_type=cleaned["document_type"],
            legal_normative=cleaned["legal_normative"],
            year=today.year,
            drafting_symbol=drafting_symbol,
        ),
        issued_date=today,
        issuer_unit=unit,
        issuer_name=unit.name,
        issuer_code=unit.agency_code,
        registered_by=actor,
        registered_at=now,
        sensitive_declared=True,
        **cleaned,
    )
    return _save_with_files(
        actor=actor,
        document=document,
        number=number,
        prepared=prepared,
        ip=ip,
        audit_action="document.register_out",
        audit_data={"sensitive_declared": True},
    )
