"""Dates typed day first in a text box we control (`core.forms.VietnameseDateField`)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.exceptions import ValidationError

import vanban
from vanban.core.forms import (
    DATE_FORMAT_MESSAGE,
    DATETIME_FORMAT_MESSAGE,
    VietnameseDateField,
    VietnameseDateTimeField,
)


@pytest.mark.parametrize(
    "text",
    ["05/12/2026", "5/12/2026", "05-12-2026", "05.12.2026", " 05/12/2026 ", "2026-12-05"],
)
def test_day_first_and_its_variants_are_read(text):
    assert VietnameseDateField().clean(text) == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12/05/26", DATE_FORMAT_MESSAGE),
        ("05/12", DATE_FORMAT_MESSAGE),
        ("05/12-2026", DATE_FORMAT_MESSAGE),  # two different separators
        ("hôm nay", DATE_FORMAT_MESSAGE),
        ("Dec 5, 2026", DATE_FORMAT_MESSAGE),
        ("2026/12/05", DATE_FORMAT_MESSAGE),
        ("31/02/2026", "Ngày 31/02/2026 không có trên lịch; hãy kiểm tra ngày và tháng."),
        ("29/02/2027", "Ngày 29/02/2027 không có trên lịch; hãy kiểm tra ngày và tháng."),
        ("00/12/2026", "Ngày 00/12/2026 không có trên lịch; hãy kiểm tra ngày và tháng."),
        # Month first, as an English browser would write 5 December, is never guessed.
        ("12/25/2026", "Không có tháng 25; tháng đứng sau ngày (dd/mm/yyyy), ví dụ 05/12/2026."),
        ("01/01/1899", "Năm phải trong khoảng từ 1900 đến 2100."),
        ("2026-02-30", "Ngày 30/02/2026 không có trên lịch; hãy kiểm tra ngày và tháng."),
    ],
)
def test_other_shapes_and_impossible_days_are_refused(text, message):
    with pytest.raises(ValidationError) as caught:
        VietnameseDateField().clean(text)
    assert caught.value.messages == [message]


def test_a_leap_day_is_a_day():
    assert VietnameseDateField().clean("29/02/2028") == dt.date(2028, 2, 29)


def test_the_year_bounds_can_be_narrowed():
    field = VietnameseDateField(min_year=2000)
    with pytest.raises(ValidationError) as caught:
        field.clean("31/12/1999")
    assert caught.value.messages == ["Năm phải trong khoảng từ 2000 đến 2100."]


def test_the_box_is_plain_text_and_shows_the_initial_value_day_first():
    class One(forms.Form):
        day = VietnameseDateField()

    html = str(One(initial={"day": dt.date(2026, 12, 5)})["day"])
    assert 'type="text"' in html
    assert 'type="date"' not in html
    assert 'value="05/12/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert 'pattern="' in html
    assert f'title="{DATE_FORMAT_MESSAGE}"' in html
    # What was typed wrong comes back as typed.
    bound = One(data={"day": "31/02/2026"})
    assert not bound.is_valid()
    assert 'value="31/02/2026"' in str(bound["day"])


def test_the_pattern_matches_what_the_server_takes():
    import re

    from vanban.core.forms import DATE_PATTERN

    # The browser anchors the pattern and reads it with the `v` flag; Python's reading of the
    # same text is close enough to check the shapes.
    pattern = re.compile(f"(?:{DATE_PATTERN})")
    for text in ("05/12/2026", "5/1/2026", "05-12-2026", "05.12.2026", "2026-12-05"):
        assert pattern.fullmatch(text), text
    for text in ("hôm nay", "05/12/26", "12.2026"):
        assert not pattern.fullmatch(text), text


def test_a_moment_is_typed_day_first_with_a_24_hour_clock():
    field = VietnameseDateTimeField()
    value = field.clean("05/12/2026 14:30")
    assert (value.date(), value.hour, value.minute) == (dt.date(2026, 12, 5), 14, 30)
    assert field.clean("2026-12-05T14:30").hour == 14  # ISO from other programs
    for text in ("05/12/2026", "12/05/2026 2:30 PM", "05/12/2026 24:00", "hôm nay 14:30"):
        with pytest.raises(ValidationError) as caught:
            field.clean(text)
        assert caught.value.messages == [DATETIME_FORMAT_MESSAGE], text
    with pytest.raises(ValidationError) as caught:
        field.clean("31/02/2026 08:00")
    assert "không có trên lịch" in caught.value.messages[0]


def _form_classes():
    for info in pkgutil.walk_packages(vanban.__path__, "vanban."):
        if "migrations" in info.name or not (
            info.name.endswith("forms") or info.name.endswith("search_forms")
        ):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_date_field_of_every_form_is_the_day_first_box():
    """No form, filter or report keeps the browser's own date box (mm/dd/yyyy in English)."""
    checked = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field, VietnameseDateTimeField), f"{cls.__name__}.{name}"
            elif isinstance(field, forms.DateField):
                assert isinstance(field, VietnameseDateField), f"{cls.__name__}.{name}"
            else:
                continue
            assert field.widget.input_type == "text", f"{cls.__name__}.{name}"
            checked.append(f"{cls.__name__}.{name}")
    # The registration, search, report, processing, drafting and delegation forms.
    assert len(checked) >= 12, checked


def test_every_date_field_takes_day_first():
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, VietnameseDateTimeField):
                assert field.clean("05/12/2026 08:00").day == 5, f"{cls.__name__}.{name}"
            elif isinstance(field, VietnameseDateField):
                assert field.clean("05/12/2026") == dt.date(2026, 12, 5), f"{cls.__name__}.{name}"
