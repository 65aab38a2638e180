"""What the sender of a document learns of its recipient's answer (R15): the one place that tells
the sending unit's clerks, and the drafter of the sent document when its draft names one
(`issuing_facts`), that a recipient registered it (status 03) or returned it (02), whether the
recipient is a unit of the deployment (exchange.delivery) or another system (status messages,
exchange.partners)."""

from django.urls import reverse

from vanban.accounts.models import AccountStatus, Role, User
from vanban.core.services import notification_send
from vanban.documents.models import Document
from vanban.exchange.addressing import unit_now
from vanban.exchange.issuing_facts import issuing_facts
from vanban.exchange.models import Delivery


def document_label(document: Document) -> str:
    """ "Quyết định số 01/QĐ-STTTT" as people name a document."""
    number = f" số {document.number_symbol}" if document.number_symbol else ""
    return f"{document.document_type.name}{number}"


def _sender_people(sent: Document) -> list[User]:
    # The clerks of the unit that carries on an ended issuer (QĐ 09/2025/QĐ-TTg).
    carrier = unit_now(sent.unit)
    people = {
        u.pk: u
        for u in User.objects.filter(
            role_assignments__unit_id=carrier.unit.pk if carrier is not None else sent.unit_id,
            role_assignments__role=Role.CLERK,
            status=AccountStatus.ACTIVE,
        ).distinct()
    }
    facts = issuing_facts(sent)
    if facts is not None and facts.drafter_id is not None and facts.drafter_id not in people:
        drafter = User.objects.filter(pk=facts.drafter_id, status=AccountStatus.ACTIVE).first()
        if drafter is not None:
            people[drafter.pk] = drafter
    return [people[pk] for pk in sorted(people)]


def sent_answer_notify(delivery: Delivery, *, title: str, body: str | None = None) -> None:
    """Tell the sender's people `title` about `delivery`'s document (`body`: its subject unless
    given), with a link to where it went (the sent document's status page)."""
    sent = delivery.sent_document
    notification_send(
        recipients=_sender_people(sent),
        title=title,
        body=sent.subject if body is None else body,
        link=reverse("exchange:sent_status", kwargs={"document_pk": sent.pk}),
    )


def sent_registered_notify(delivery: Delivery, *, register_number: int | None = None) -> None:
    """Status 03: registered by the recipient, with the arrival number when it is known."""
    number = f" đến số {register_number}" if register_number is not None else ""
    sent_answer_notify(
        delivery,
        title=f"{document_label(delivery.sent_document)} đã vào sổ{number} tại {delivery.name}",
    )


def sent_returned_notify(delivery: Delivery, *, reason: str = "", note: str = "") -> None:
    """Status 02: returned by the recipient, with its reason (a unit's clerk picks one of
    ReturnReason; another system writes it, in `note`)."""
    because = f": {reason}" if reason else ""
    sent_answer_notify(
        delivery,
        title=f"{document_label(delivery.sent_document)} bị {delivery.name} trả lại{because}",
        body=note,
    )
