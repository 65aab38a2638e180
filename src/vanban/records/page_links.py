"""What records adds to the pages where a document is shown (R19): "Thêm vào hồ sơ" beside a
document, a draft version or a processing result, and "Thuộc hồ sơ: ..." on the document page.
Registered with `documents.page_actions` in `RecordsConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from vanban.documents.models import Document
from vanban.documents.page_actions import PageLink
from vanban.drafting.models import DraftVersion
from vanban.workflow.models import ProgressFile

from . import selectors
from .models import ItemKind

ADD_LABEL = "Thêm vào hồ sơ"


def _add(kind: str, pk: int) -> PageLink:
    return PageLink(
        label=ADD_LABEL,
        url=reverse("records:dossier_item_add", args=[kind, pk]),
        title="Đưa vào một hồ sơ đang lập của bạn",
    )


def dossier_links(user: Any, obj: Any) -> list[PageLink]:
    """The add link needs no query (the page it opens lists the person's open dossiers); the
    dossiers a document belongs to cost one query on the document page."""
    if isinstance(obj, Document):
        belongs = [
            PageLink(
                label=f"{d.notation} {d.title}",
                url=reverse("records:dossier_detail", args=[d.pk]),
                kind="belongs",
            )
            for d in selectors.dossiers_of_document(user=user, document_id=obj.pk)
        ]
        return [*belongs, _add(ItemKind.DOCUMENT, obj.pk)]
    if isinstance(obj, DraftVersion):
        return [_add(ItemKind.DRAFT_VERSION, obj.pk)]
    if isinstance(obj, ProgressFile):
        return [_add(ItemKind.PROGRESS_FILE, obj.pk)]
    return []
