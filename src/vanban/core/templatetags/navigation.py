"""The menu of base.html: the current page marked (`aria-current`, a class for the style)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_mark(context: template.Context, name: str) -> SafeString:
    """The attributes of the menu link to `name` when it is the current page's item."""
    if context.get("nav_current") == name:
        return mark_safe(' aria-current="page" class="current"')
    return mark_safe("")
