"""The verification panel of a document's page (R11) and the display of signature times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from vanban.signatures import selectors
from vanban.signatures.organisations import with_organisation_history
from vanban.signatures.pdfsign import VN_TZ
from vanban.signatures.verify import MODIFICATION_LABELS, STATUS_LABELS

register = template.Library()


@register.filter
def vn_datetime(value: str | None) -> str:
    """An ISO 8601 time of a report as dd/mm/yyyy hh:mm:ss, Vietnam time."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.strftime("%d/%m/%Y %H:%M:%S")


@register.filter
def modification_label(level: str | None) -> str:
    """What was changed after a signature, in words (pyHanko's modification level)."""
    return MODIFICATION_LABELS.get(str(level or ""), str(level or ""))


@register.inclusion_tag("signatures/_verification_panel.html", takes_context=True)
def verification_panel(context: template.Context, document: Any, files: Any) -> dict[str, Any]:
    """For each PDF file of the document, its latest verification report (one query)."""
    pdfs = [f for f in files if f.file_format == "pdf"]
    reports = selectors.latest_reports(document=document)
    rows = []
    for file in pdfs:
        report = reports.get(file.sha256)
        rows.append(
            {
                "file": file,
                "report": report,
                "label": STATUS_LABELS.get(report.status, report.status) if report else "",
                "signatures": (report.content.get("signatures") or []) if report else [],
            }
        )
    # The organisation of each certificate as it reads today (CV 275/BCY-CTSBMTT), for every
    # file at once; no query when no signature names an organisation.
    with_organisation_history(s for row in rows for s in row["signatures"])
    return {
        "document": document,
        "rows": rows,
        "csrf_token": context.get("csrf_token"),
    }
