from django import forms


class LabelSuffixMixin:
    """Vietnamese forms show labels without the trailing colon."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


class Form(LabelSuffixMixin, forms.Form):
    pass


class ModelForm(LabelSuffixMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass
