"""Unit pickers: every select that chooses a unit names it with its parents and lists the units
in the order of the tree, grouped under the agency they belong to (R1; docs/accounts.md, "Unit
pickers").

A province has hundreds of units and many share a name ("Phòng Nội vụ" under every district,
"Văn phòng Sở" under every department): the label carries the path up to the agency, e.g.
"Phòng Nội vụ – UBND huyện Châu Thành" or "Tổ Một cửa – Văn phòng – UBND huyện Châu Thành".
The province (level 1) is the root of every path and is not repeated.

The options are grouped (<optgroup>) by the level-2 agency, each group in tree order (a unit
before the units below it, siblings by name). Each option carries the unit's agency code
(`data-code`), which the filter box of `vanban/js/unit-picker.js` searches along with the name.

The field selects the parent and the grandparent with the units (`ANCESTORS`), which is all a
label of a unit of level `MAX_UNIT_LEVEL` needs: a picker costs one query whatever its size.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.safestring import SafeString

from vanban.core.forms import CheckboxList
from vanban.core.text import fold

from .models import MAX_UNIT_LEVEL, Unit

# The ancestors a label reads, fetched with the unit: the parent and grandparent of a level-4
# unit are levels 3 and 2; the province above them is never named.
ANCESTORS = "__".join(["parent"] * (MAX_UNIT_LEVEL - 2))
PATH_SEPARATOR = " – "
# The attribute the filter script looks for (vanban/js/unit-picker.js).
PICKER_ATTR = "data-unit-picker"


def unit_path(unit: Unit) -> list[Unit]:
    """The unit and its ancestors up to its agency (level 2), nearest first; the province alone
    for the province. Reads only ancestors fetched with `ANCESTORS`."""
    path = [unit]
    node = unit
    while node.level > 2 and node.parent_id is not None:
        node = node.parent  # type: ignore[assignment]
        path.append(node)
    return path


def unit_label(unit: Unit) -> str:
    """ "Phòng Nội vụ – UBND huyện Châu Thành": the unit, then each unit above it up to its
    agency. An ended unit (docs/reorganisation.md) carries its period, "(01/01/2020 –
    30/06/2025)", so that its documents are still found and told from its successor's."""
    label = PATH_SEPARATOR.join(u.name for u in unit_path(unit))
    if unit.end_date is not None:
        start = f"{unit.start_date:%d/%m/%Y} – " if unit.start_date else "đến "
        label = f"{label} ({start}{unit.end_date:%d/%m/%Y})"
    return label


def _tree_key(unit: Unit) -> tuple[Any, ...]:
    # The province first, then each agency followed by the units below it; siblings by name
    # without diacritics (so "Ủy ban" sorts with "Uy ban"), then by their id.
    top_down = reversed(unit_path(unit))
    return (unit.level > 1, *((fold(u.name), u.name, u.pk) for u in top_down))


def in_tree_order(units: Iterable[Unit]) -> list[Unit]:
    """The units as the tree shows them: each agency followed by the units below it."""
    return sorted(units, key=_tree_key)


def _agency(unit: Unit) -> Unit | None:
    """The level-2 agency the unit belongs to (itself for an agency), None for the province."""
    if unit.level < 2:
        return None
    return unit_path(unit)[-1]


def grouped_choices(
    units: Iterable[Unit], choice: Any
) -> Iterator[tuple[Any, Any] | tuple[str, list[tuple[Any, Any]]]]:
    """(value, label) for the province, then one (agency name, [(value, label), ...]) group per
    agency, in tree order; `choice(unit)` makes one (value, label)."""
    group: list[tuple[Any, Any]] = []
    current: Unit | None = None
    for unit in in_tree_order(units):
        agency = _agency(unit)
        if agency is None:
            yield choice(unit)
            continue
        if current is None or agency.pk != current.pk:
            if group and current is not None:
                yield (current.name, group)
            current, group = agency, []
        group.append(choice(unit))
    if group and current is not None:
        yield (current.name, group)


class UnitChoiceIterator(ModelChoiceIterator):
    """The field's choices grouped by agency, in tree order (one query)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from grouped_choices(list(self.queryset), self.choice)


class _UnitOptions:
    """Marks the select (each checkbox of a list) for the filter script and gives each option its
    agency code."""

    attrs: dict[str, Any]

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({PICKER_ATTR: "", **(attrs or {})})  # type: ignore[call-arg]

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)  # type: ignore[misc]
        value = option["value"]
        if isinstance(value, ModelChoiceIteratorValue) and isinstance(value.instance, Unit):
            option["attrs"]["data-code"] = value.instance.agency_code
        return option


class UnitSelect(_UnitOptions, forms.Select):
    pass


class UnitCheckboxes(_UnitOptions, CheckboxList):
    """Several units as a list of checkboxes, grouped by agency like the select's optgroups; the
    filter script puts its box above a long list (docs/accounts.md, "Unit pickers")."""


def unit_select(name: str, units: Iterable[Unit], selected: Unit | None, *, id: str) -> SafeString:
    """A unit select outside a form (a page's "Đơn vị" chooser), with the labels, the groups and
    the filter of the fields below. A queryset is fetched with its ancestors."""
    if isinstance(units, QuerySet):
        units = units.select_related(ANCESTORS)
    widget = UnitSelect(attrs={"id": id})
    widget.choices = list(
        grouped_choices(units, lambda u: (ModelChoiceIteratorValue(u.pk, u), unit_label(u)))
    )
    return widget.render(name, None if selected is None else selected.pk)


class _UnitChoices:
    """What both unit fields share: the ancestors fetched with the units, the label with its
    path, the options grouped in tree order."""

    iterator = UnitChoiceIterator

    def _get_queryset(self) -> QuerySet[Unit]:
        return self._queryset  # type: ignore[attr-defined,no-any-return]

    def _set_queryset(self, queryset: QuerySet[Unit] | None) -> None:
        self._queryset = None if queryset is None else queryset.select_related(ANCESTORS)
        self.widget.choices = self.choices  # type: ignore[attr-defined]

    queryset = property(_get_queryset, _set_queryset)

    def label_from_instance(self, obj: Unit) -> str:
        return unit_label(obj)


class UnitChoiceField(_UnitChoices, forms.ModelChoiceField[Unit]):  # type: ignore[misc]
    """One unit, named with its path (docs/accounts.md, "Unit pickers")."""

    widget = UnitSelect


class UnitMultipleChoiceField(_UnitChoices, forms.ModelMultipleChoiceField[Unit]):  # type: ignore[misc]
    """Several units, named with their paths (docs/accounts.md, "Unit pickers")."""

    widget = UnitCheckboxes
