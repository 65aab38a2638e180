from typing import Any, TypeVar

from django import forms
from django.db.models import Model
from django.http import Http404

from vanban.core.errors import NotFound, ServiceError

# Bounds of input shared by the pages and the API (`vanban.core.api`): years the registers use,
# the last page a list offers.
MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_PAGE = 100_000


class LabelSuffixMixin:
    """Vietnamese forms show labels without the trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(LabelSuffixMixin, forms.Form):
    pass


_M = TypeVar("_M", bound=Model)


class ModelForm(LabelSuffixMixin, forms.ModelForm[_M]):
    pass


# The class of the box around a list of checkboxes (vanban/css/app.css); a list of at least
# vanban/js/unit-picker.js's MIN_OPTIONS choices also gets its filter box.
CHOICE_LIST = "choice-list"


class CheckboxList(forms.CheckboxSelectMultiple):
    """Several people or units, each ticked by touch or keyboard (docs/deployment.md, "Phones"):
    one checkbox a choice in a box that scrolls, instead of a multiple select that needs Ctrl."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": CHOICE_LIST, **(attrs or {})})

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        option["attrs"].pop("class", None)  # the class is the box's, not each checkbox's
        return option


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of its choice field `name`, whose choices depend on the reader."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's own copy of its model choice field `name`, whose rows depend on the reader."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field


def show_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Put a refused action's Vietnamese message next to its field, or above the form.

    A `NotFound` means the object is gone or not the reader's: the page answers 404.
    """
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
