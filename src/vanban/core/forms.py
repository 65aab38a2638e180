import datetime as dt
import re
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
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


# Dates on pages are typed day first, as Vietnamese write them (Decree 30/2020, Appendix I:
# "ngày ... tháng ... năm ..."), in a plain text box: a browser's own date box follows the
# browser's language and shows mm/dd/yyyy in English, which turns 05/12 into 12 May. Day and
# month of one or two digits, a four-digit year, separated by "/", "-" or "."; the ISO form
# yyyy-mm-dd is also taken, for addresses written by other programs and older bookmarks.
DATE_FORMAT_MESSAGE = "Ngày phải theo dạng dd/mm/yyyy, ví dụ 05/12/2026."
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# The same shapes for the browser's `pattern` check (anchored by the browser; written to be
# valid with the `v` flag, where "/" and "-" are escaped inside a class).
DATE_PATTERN = r"\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{2}-\d{2}"


def parse_date_vi(text: str, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> dt.date:
    """The date written `text` (dd/mm/yyyy and its variants above), or `ValidationError`."""
    text = text.strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValidationError(DATE_FORMAT_MESSAGE, code="invalid")
    if not min_year <= year <= max_year:
        raise ValidationError(
            f"Năm phải trong khoảng từ {min_year} đến {max_year}.", code="invalid_year"
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            f"Không có tháng {month}; tháng đứng sau ngày (dd/mm/yyyy), ví dụ 05/12/2026.",
            code="invalid_date",
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"Ngày {day:02d}/{month:02d}/{year} không có trên lịch; hãy kiểm tra ngày và tháng.",
            code="invalid_date",
        ) from None


class VietnameseDateInput(forms.DateInput):
    """A text box for a day-first date: shows dd/mm/yyyy whatever the browser's language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "pattern": DATE_PATTERN,
            "title": DATE_FORMAT_MESSAGE,
            "autocomplete": "off",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


class VietnameseDateField(forms.DateField):
    """A date typed dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd).

    Anything else is refused with `DATE_FORMAT_MESSAGE`; a day the calendar lacks (31/02) with
    its own message. The server never guesses month-first.
    """

    widget = VietnameseDateInput

    def __init__(
        self, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR, **kwargs: Any
    ) -> None:
        self.min_year, self.max_year = min_year, max_year
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_date_vi(str(value), min_year=self.min_year, max_year=self.max_year)


DATETIME_FORMAT_MESSAGE = "Thời điểm phải theo dạng dd/mm/yyyy hh:mm, ví dụ 05/12/2026 14:30."
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
DATETIME_PATTERN = (
    r"\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4} \d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
)


class VietnameseDateTimeInput(forms.DateTimeInput):
    """A text box for a day-first moment, dd/mm/yyyy hh:mm on the 24-hour clock."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "placeholder": "dd/mm/yyyy hh:mm",
            "inputmode": "numeric",
            "pattern": DATETIME_PATTERN,
            "title": DATETIME_FORMAT_MESSAGE,
            "autocomplete": "off",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y %H:%M")


class VietnameseDateTimeField(forms.DateTimeField):
    """A moment typed dd/mm/yyyy hh:mm (the date as `VietnameseDateField`, or ISO with T)."""

    widget = VietnameseDateTimeInput

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str) and value.strip():
            text = value.strip()
            split = "T" if "T" in text else " "
            day, _, clock = text.partition(split)
            try:
                date = parse_date_vi(day)
            except ValidationError as exc:
                if exc.code == "invalid":
                    raise ValidationError(DATETIME_FORMAT_MESSAGE, code="invalid") from None
                raise
            match = _TIME.fullmatch(clock.strip())
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValidationError(DATETIME_FORMAT_MESSAGE, code="invalid")
            value = dt.datetime.combine(date, dt.time(int(match[1]), int(match[2])))
        return super().to_python(value)
