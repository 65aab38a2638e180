"""Documents as the compliance and reform reports read them: registered by a clerk (paper) and
then, as the case needs, sent through the system and with a stored signature check."""

from tests.support.documents import DECLARED, doc_type, incoming_input, scan
from tests.support.files import pdf_upload
from vanban.accounts.models import Unit, User
from vanban.core import clock
from vanban.documents import services as document_services
from vanban.documents.models import Document
from vanban.exchange import delivery
from vanban.signatures.models import Trigger, VerificationReport


def outgoing(
    clerk: User,
    unit: Unit,
    type_name: str,
    subject: str,
    *,
    sent_to: Unit | None = None,
    signature: str = "",
    electronic: bool = False,
) -> Document:
    """An outgoing document registered by `clerk`; sent to `sent_to` through the system, and
    with a stored signature check of status `signature` ("valid", "invalid"), when asked."""
    document = document_services.outgoing_register(
        actor=clerk,
        unit=unit,
        data=document_services.DocumentInput(
            document_type=doc_type(type_name),
            subject=subject,
            recipients="Các đơn vị",
            is_electronic=electronic,
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    if sent_to is not None:
        delivery.deliveries_create(actor=clerk, document=document, units=[sent_to])
    if signature:
        signature_check(document, signature, clerk)
    return document


def incoming(
    clerk: User, unit: Unit, number: str, *, electronic: bool = False, signature: str = ""
) -> Document:
    """An incoming document registered by `clerk`, with a stored signature check when asked."""
    document = document_services.incoming_register(
        actor=clerk,
        unit=unit,
        data=incoming_input(code_number=number, is_electronic=electronic),
        refusals=DECLARED,
        main_file=scan(),
    )
    if signature:
        signature_check(document, signature, clerk)
    return document


def signature_check(document: Document, status: str, clerk: User) -> None:
    """A stored check of the signatures of the document's main file (R11)."""
    main = document.files.get(role="main")
    VerificationReport.objects.create(
        document=document,
        file_name=main.original_name,
        file_sha256=main.sha256,
        trigger=Trigger.ISSUE,
        status=status,
        checked_by=clerk,
        checked_at=clock.now(),
    )
