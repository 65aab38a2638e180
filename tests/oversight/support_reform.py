"""Outgoing documents as the compliance and reform reports read them: registered by a clerk
(paper) and then, as the case needs, sent through the system and found validly signed."""

import hashlib

from tests.support.documents import DECLARED, doc_type
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
) -> Document:
    """An outgoing document registered by `clerk`; sent to `sent_to` through the system, and
    with a stored signature check of status `signature` ("valid", "invalid"), when asked."""
    document = document_services.outgoing_register(
        actor=clerk,
        unit=unit,
        data=document_services.DocumentInput(
            document_type=doc_type(type_name), subject=subject, recipients="Các đơn vị"
        ),
        refusals=DECLARED,
        main_file=pdf_upload(),
    )
    if sent_to is not None:
        delivery.deliveries_create(actor=clerk, document=document, units=[sent_to])
    if signature:
        VerificationReport.objects.create(
            document=document,
            file_name="van-ban.pdf",
            file_sha256=hashlib.sha256(b"signed").hexdigest(),
            trigger=Trigger.ISSUE,
            status=signature,
            checked_by=clerk,
            checked_at=clock.now(),
        )
    return document
