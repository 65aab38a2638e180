"""`{% unit_select "unit" units unit id="id_unit" %}`: a page's unit chooser outside a form, named
and grouped as every unit picker is (docs/accounts.md, "Unit pickers")."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from vanban.accounts.models import Unit
from vanban.accounts.unit_fields import unit_select as _unit_select

register = template.Library()


@register.simple_tag
def unit_select(name: str, units: Iterable[Unit], selected: Unit | None, id: str) -> SafeString:
    return _unit_select(name, units, selected, id=id)
