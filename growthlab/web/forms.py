from django import forms
from django.core.exceptions import ValidationError


def service_error_to_form(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def localize_numbers(form: forms.Form) -> None:
    """Decimal fields read the page's decimal mark: "12,5" is 12.5 on a Finnish page.

    The rule: a comma (in fi, sv, nl) and a dot are both read as the decimal mark, so "12.5"
    is 12.5 in every language, never 125; a number written with both marks ("1.234,5") or
    with thousand separators is refused with "Enter a number." in the page's language.
    """
    for field in form.fields.values():
        if isinstance(field, forms.FloatField | forms.DecimalField) and not field.localize:
            field.localize = True
            # A browser's number input refuses a comma, so these are text with a keypad hint.
            attrs = {k: v for k, v in field.widget.attrs.items() if k != "step"}
            field.widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
            field.widget.is_localized = True


class LocalNumbersMixin:
    """For forms whose fields are declared: localize_numbers() once they exist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize_numbers(self)
