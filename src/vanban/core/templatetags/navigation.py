"""The menu of base.html: the current page marked (`aria-current`, a class for the style)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from vanban.core.page_tools import page_tools as tools_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_mark(context: template.Context, name: str) -> SafeString:
    """The attributes of the menu link to `name` when it is the current page's item."""
    if context.get("nav_current") == name:
        return mark_safe(' aria-current="page" class="current"')
    return mark_safe("")


@register.inclusion_tag("core/_page_tools.html", takes_context=True)
def page_tools(context: template.Context) -> dict[str, object]:
    """The links the apps above core add to every signed-in page (core.page_tools)."""
    return {"tools": tools_for(context.get("request"))}
