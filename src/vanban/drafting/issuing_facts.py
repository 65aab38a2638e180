"""The facts of an issued document that its draft keeps, for the packages the exchange sends
(registered in `DraftingConfig.ready()`; see `exchange.issuing_facts`)."""

from __future__ import annotations

from typing import Any

from vanban.exchange.issuing_facts import IssuingFacts

from .models import Authority, Draft


def issuing_facts_of_draft(document: Any) -> IssuingFacts | None:
    """The signer's competence and position and the drafter (name, drafting unit, e-mail,
    mobile) of the draft `document` was issued from; None for a document with no draft."""
    draft = Draft.objects.select_related("unit", "drafter").filter(document_id=document.pk).first()
    if draft is None:
        return None
    position = draft.signer_position
    if not position and draft.authority == Authority.Q:
        position = draft.authority_title  # "Q. Giám đốc": acting in the post itself
    drafter = draft.drafter
    return IssuingFacts(
        competence=draft.competence,
        position=position,
        department=draft.unit.name,
        staff=drafter.full_name,
        email=drafter.email,
        mobile=drafter.phone,
        drafter_id=drafter.pk,
    )
