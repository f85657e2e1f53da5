"""Custom fields: the organisation's own questions on every test, typed and validated.

A value is stored as canonical text (a plain decimal number, an ISO date, one of the choices),
so filtering compares like with like and a type change can be checked value by value before
anything is written.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from experiments.models import CustomField, CustomFieldValue, Experiment

Kind = CustomField.Kind
STATUS_ORDER = [value for value, _label in Experiment.Status.choices]
OPEN_STATUSES = ("draft", "planned", "running", "analysing")

NOT_A_NUMBER = _("“{label}” is a number; “{value}” is not one.")
NOT_A_DATE = _("“{label}” is a date written as YYYY-MM-DD; “{value}” is not one.")
NOT_A_CHOICE = _("“{label}” is one of: {choices}; “{value}” is not one of them.")
TEXT_TOO_LONG = _("“{label}” holds at most 500 characters.")
CHOICE_NEEDS_OPTIONS = _("A choice field needs at least one option.")
UNKNOWN_FIELD = _("There is no custom field “{key}”. The fields are: {keys}.")
VALUES_DO_NOT_FIT = _(
    "{count} test(s) have a value of “{label}” that is not {what} (for example “{value}” in"
    " “{test}”). Correct or clear those values first; nothing was changed."
)
REQUIRED_FIELD_MISSING = _("“{label}” is required {step}: give it a value.")
OPEN_TESTS_LACK_A_VALUE = _(
    "{count} open test(s) at or past that step have no value for “{label}” yet. They stay as"
    " they are; their next documentation change, planning or start asks for it."
)
WHAT_A_KIND_IS = {
    Kind.NUMBER: _("a number"),
    Kind.DATE: _("a date"),
    Kind.CHOICE: _("one of the new options"),
    Kind.TEXT: _("text"),
}


def canonical(field: CustomField, raw, *, kind: str | None = None, choices=None) -> str:
    """The stored text of a value, or ValidationError naming the field and the value."""
    kind = kind or field.kind
    choices = field.choices if choices is None else choices
    text = "" if raw is None else str(raw).strip()
    names = {"label": field.label, "value": text}
    if kind == Kind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(str(NOT_A_NUMBER).format(**names)) from None
        if not number.is_finite():
            raise ValidationError(str(NOT_A_NUMBER).format(**names))
        return format(number.normalize(), "f")
    if kind == Kind.DATE:
        value = raw if isinstance(raw, datetime.date) else None
        try:
            value = value or datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(str(NOT_A_DATE).format(**names)) from None
        return value.isoformat()
    if kind == Kind.CHOICE:
        if text not in choices:
            options = ", ".join(choices)
            raise ValidationError(str(NOT_A_CHOICE).format(choices=options, **names))
        return text
    if len(text) > 500:
        raise ValidationError(str(TEXT_TOO_LONG).format(**names))
    return text


def typed(field: CustomField, text: str):
    """The stored text as the API writes it: numbers as numbers, the rest as text."""
    if field.kind == Kind.NUMBER:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def step_index(status: str) -> int:
    return STATUS_ORDER.index(status)


def required_at(field: CustomField, status: str) -> bool:
    return bool(field.required_from) and step_index(status) >= step_index(field.required_from)


def custom_values_of(experiment: Experiment) -> dict[str, str]:
    """{key: stored text} of the test's custom values."""
    if experiment.pk is None:
        return {}
    rows = experiment.custom_values.values_list("field__key", "value")
    return dict(rows)


def missing_required(experiment: Experiment, status: str, values: dict | None = None) -> list:
    """The custom fields required at ``status`` that the test (or ``values``) leaves empty."""
    values = custom_values_of(experiment) if values is None else values
    return [
        field
        for field in CustomField.objects.all()
        if required_at(field, status) and not values.get(field.key)
    ]


def required_blockers(experiment: Experiment, status: str) -> list[str]:
    """The missing required fields as blockers of a transition, in start_blockers' words."""
    return [f"a value for “{field.label}”" for field in missing_required(experiment, status)]


def custom_values_clean(values: dict) -> dict[str, str]:
    """{key: raw} -> {key: stored text}, every error by field, or ValidationError."""
    fields = {field.key: field for field in CustomField.objects.all()}
    errors, clean = {}, {}
    for key, raw in values.items():
        field = fields.get(key)
        if field is None:
            keys = ", ".join(sorted(fields)) or "none"
            errors[key] = [str(UNKNOWN_FIELD).format(key=key, keys=keys)]
            continue
        if raw is None or str(raw).strip() == "":
            clean[key] = ""
            continue
        try:
            clean[key] = canonical(field, raw)
        except ValidationError as error:
            errors[key] = error.messages
    if errors:
        raise ValidationError(errors)
    return clean


def custom_values_write(*, experiment: Experiment, values: dict[str, str]) -> list[dict]:
    """Store cleaned values (empty text clears one); return the history's change rows."""
    fields = {field.key: field for field in CustomField.objects.filter(key__in=values)}
    before = custom_values_of(experiment)
    changes = []
    for key, text in values.items():
        old = before.get(key, "")
        if old == text:
            continue
        if text:
            CustomFieldValue.objects.update_or_create(
                experiment=experiment, field=fields[key], defaults={"value": text}
            )
        else:
            CustomFieldValue.objects.filter(experiment=experiment, field=fields[key]).delete()
        changes.append({"field": f"cf_{key}", "label": fields[key].label, "old": old, "new": text})
    return changes


def check_required(experiment: Experiment, values: dict[str, str]) -> None:
    """A change may not leave empty a field the test's current step requires."""
    merged = custom_values_of(experiment) | values
    errors = {}
    for field in missing_required(experiment, experiment.status, merged):
        step = CustomField.RequiredFrom(field.required_from).label.lower()
        errors[field.key] = [str(REQUIRED_FIELD_MISSING).format(label=field.label, step=step)]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def custom_field_save(*, field: CustomField, data: dict) -> tuple[CustomField, str]:
    """Create or change a field; return it with a notice for the admin ("" when none).

    A new type or new options must fit every stored value: all are converted in this
    transaction, or, if one does not fit, nothing is changed and the message names it.
    """
    if data.get("kind", field.kind) == Kind.CHOICE and not data.get("choices", field.choices):
        raise ValidationError({"choices": [str(CHOICE_NEEDS_OPTIONS)]})
    old = CustomField.objects.select_for_update().get(pk=field.pk) if field.pk else None
    for name, value in data.items():
        setattr(field, name, value)
    field.full_clean()
    field.save()
    if old is not None and (old.kind != field.kind or old.choices != field.choices):
        values_convert(field)
    return field, open_tests_notice(field, was_required_from=old.required_from if old else "")


def values_convert(field: CustomField) -> None:
    stored = list(field.values.select_related("experiment").order_by("experiment_id"))
    converted, refused = [], []
    for value in stored:
        try:
            converted.append((value, canonical(field, value.value)))
        except ValidationError:
            refused.append(value)
    if refused:
        first = refused[0]
        message = str(VALUES_DO_NOT_FIT).format(
            count=len(refused),
            label=field.label,
            what=WHAT_A_KIND_IS[field.kind],
            value=first.value,
            test=first.experiment.title,
        )
        raise ValidationError({"kind": [message]})
    for value, text in converted:
        if value.value != text:
            value.value = text
            value.save(update_fields=["value"])


def open_tests_notice(field: CustomField, *, was_required_from: str) -> str:
    if not field.required_from or field.required_from == was_required_from:
        return ""
    statuses = [s for s in OPEN_STATUSES if required_at(field, s)]
    lacking = (
        Experiment.objects.filter(status__in=statuses).exclude(custom_values__field=field).count()
    )
    if not lacking:
        return ""
    return str(OPEN_TESTS_LACK_A_VALUE).format(count=lacking, label=field.label)
