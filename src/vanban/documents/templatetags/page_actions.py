"""`{% document_actions obj %}`: the links of `page_actions` for the shown record."""

from typing import Any

from django import template

from vanban.documents.page_actions import document_actions as links_of

register = template.Library()


@register.inclusion_tag("documents/_page_actions.html", takes_context=True)
def document_actions(context: template.Context, obj: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    links = links_of(user, obj)
    return {
        "actions": [link for link in links if link.kind == "action"],
        "belongs": [link for link in links if link.kind == "belongs"],
    }
