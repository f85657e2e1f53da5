"""The calculator's three questions: forms in, the engine's JSON interface, answers out.

Marketers type percentages ("5" for a 5% conversion rate, a 5% lift, a 5% significance level,
80% power); the engine takes fractions. Each form checks the range of every number, converts,
calls the engine, and maps an engine error back onto the field the person typed, in plain
words, so a refusal is shown where it belongs.
"""

from __future__ import annotations

import math

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from analysis import wording as reader
from growthlab.web.forms import LocalNumbersMixin
from metrics.stats import (
    SPRINT_DAYS,
    Design,
    StatsInputError,
    analyse,
    minimum_detectable_effect,
    plan_power,
)
from metrics.stats.analysis import Comparison, StoredResult
from metrics.stats.fields import LARGEST
from metrics.stats.jsonio import result_from_dict
from metrics.stats.verdict import decision_interval, decision_p_value

KINDS = [("binomial", _("Conversion rate (converted or not)")), ("mean", _("Average per user"))]
LARGEST_AVERAGE = 10**12


def _number(label, low, high, wording, *, whole=False, too_high=None, **kwargs) -> forms.Field:
    """A number field with its range, refused in the words a marketer reads.

    ``wording`` completes "<label>: enter …", e.g. "a percentage between 0 and 100 %";
    ``too_high`` replaces it for a number above the range.
    """
    field_class = forms.IntegerField if whole else forms.FloatField
    message = _refusal(label, wording)
    attrs = {} if whole else {"step": "any"}
    return field_class(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs=attrs),
        error_messages={
            "min_value": message,
            "max_value": _refusal(label, too_high) if too_high else message,
            "invalid": message,
        },
        **kwargs,
    )


def _refusal_text(label, wording) -> str:
    # Django fills in a field's error message with %-formatting: a percent sign is doubled.
    return str(format_lazy(_("{label}: enter {wording}."), label=label, wording=wording)).replace(
        "%", "%%"
    )


_refusal = lazy(_refusal_text, str)


def _visitors(label: str) -> forms.IntegerField:
    too_many = _("at most 10¹² visitors")
    return _number(label, 1, LARGEST, _("at least 1 visitor"), whole=True, too_high=too_many)


def _conversions(label: str) -> forms.IntegerField:
    wording = _("a whole number of conversions, 0 or more")
    return _number(label, 0, LARGEST, wording, whole=True, required=False)


def _average(label: str, low: float = -LARGEST_AVERAGE) -> forms.FloatField:
    wording = format_lazy(_("a number from {low} to {high}"), low=f"{low:,g}", high="10¹²")
    return _number(label, low, LARGEST_AVERAGE, wording, required=False)


class CalculatorForm(LocalNumbersMixin, forms.Form):
    """Shared by the three forms: the engine field → form field map used to place errors.

    Rates, lifts, the significance level and power are typed as percentages, and converted to
    the engine's fractions here.
    """

    FIELD_OF: dict[str, str] = {}
    question = forms.CharField(widget=forms.HiddenInput)
    alpha = _number(
        _("Significance level (%)"), 0.01, 50, _("a percentage between 0.01 and 50 %"), initial=5
    )

    def place(self, error: StatsInputError) -> None:
        """Put the engine's refusal on the field it names, in plain words, or on the form."""
        for engine_field, form_field in self.FIELD_OF.items():
            if error.field.endswith(engine_field):
                label = self[form_field].label
                self.add_error(form_field, plain_refusal(label, error.message))
                return
        self.add_error(
            None, _("These numbers cannot be analysed: %(why)s.") % {"why": error.message}
        )


# The engine's wording (for analysts, in fractions) → what the calculator's reader is told.
PLAIN_REFUSALS = {
    "cannot exceed n": _("cannot be more than the visitors"),
    "must be at least 2": _("enter at least 2 visitors"),
    "must be between 0 and 1": _("enter a percentage between 0 and 100 %"),
    "would push the rate to 1 or beyond": _("this lift would push the rate past 100 %"),
    "must not be 0: the MDE is relative to it": _("enter an average other than 0"),
    "must be positive": _("enter a number above 0"),
    "must be non-zero and above -1 (-100%)": _("enter a lift other than 0, above -100 %"),
}


def plain_refusal(label: str, message: str) -> str:
    for engine_words, plain in PLAIN_REFUSALS.items():
        if message.startswith(engine_words):
            return f"{label}: {plain}."
    return f"{label}: {message}."


class SignificanceForm(CalculatorForm):
    """A finished test from its counts: A is the control, B the treatment."""

    FIELD_OF = {
        "variants[0].n": "a_users",
        "variants[1].n": "b_users",
        "variants[0].conversions": "a_conversions",
        "variants[1].conversions": "b_conversions",
        "variants[0].sum_squares": "a_sd",
        "variants[1].sum_squares": "b_sd",
        "variants[0]": "a_mean",
        "variants[1]": "b_mean",
        "alpha": "alpha",
    }
    kind = forms.ChoiceField(label=_("What you measured"), choices=KINDS)
    a_users = _visitors(_("Visitors in A (control)"))
    a_conversions = _conversions(_("Conversions in A"))
    a_mean = _average(_("Average per user in A"))
    a_sd = _average(_("Standard deviation in A"), low=0)
    b_users = _visitors(_("Visitors in B (treatment)"))
    b_conversions = _conversions(_("Conversions in B"))
    b_mean = _average(_("Average per user in B"))
    b_sd = _average(_("Standard deviation in B"), low=0)
    field_order = ["question", "kind"]

    def clean(self):
        data = super().clean()
        needed = ("conversions",) if data.get("kind") == "binomial" else ("mean", "sd")
        for arm in "ab":
            for name in needed:
                if data.get(f"{arm}_{name}") is None and f"{arm}_{name}" not in self.errors:
                    self.add_error(f"{arm}_{name}", _("Needed for this kind of metric."))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        variants = [_arm(data, "a", "A"), _arm(data, "b", "B")]
        # Finished numbers looked at once: the fixed-horizon interval is the one that decides.
        return {
            "metric_type": data["kind"],
            "alpha": data["alpha"] / 100,
            "method": "fixed",
            "variants": variants,
        }


def _arm(data: dict, arm: str, name: str) -> dict:
    n = data[f"{arm}_users"]
    if data["kind"] == "binomial":
        return {"name": name, "n": n, "conversions": data[f"{arm}_conversions"]}
    mean, sd = data[f"{arm}_mean"], data[f"{arm}_sd"]
    # Σx = n·mean and Σx² = (n−1)·sd² + n·mean²: the sufficient statistics behind mean and sd.
    return {"name": name, "n": n, "sum": n * mean, "sum_squares": (n - 1) * sd**2 + n * mean**2}


class DesignForm(CalculatorForm):
    """What a planned test looks like: metric, baseline, traffic, variants, α and power."""

    FIELD_OF = {
        "baseline_rate": "baseline",
        "baseline_mean": "baseline",
        "baseline_sd": "baseline_sd",
        "mde_relative": "mde",
        "daily_traffic": "daily_traffic",
        "n_variants": "n_variants",
        "alpha": "alpha",
        "power": "power",
    }
    kind = forms.ChoiceField(label=_("What you will measure"), choices=KINDS)
    baseline = _number(
        _("Today's conversion rate (%) or average"),
        -LARGEST_AVERAGE,
        LARGEST_AVERAGE,
        _("a percentage between 0 and 100 %, or an average"),
        # xgettext:no-python-format
        help_text=_("5 means a 5 % conversion rate."),
    )
    baseline_sd = _average(_("Standard deviation (averages only)"), low=0)
    daily_traffic = _number(
        _("Users a day in the test"), 1, 10**9, _("at least 1 user a day"), whole=True
    )
    n_variants = _number(
        _("Variants, control included"), 2, 26, _("from 2 to 26 variants"), whole=True, initial=2
    )
    power = _number(_("Power (%)"), 50, 99.99, _("a percentage between 50 and 99.99 %"), initial=80)
    field_order = ["question", "kind", "baseline", "baseline_sd", "daily_traffic"]

    def clean(self):
        data = super().clean()
        baseline = data.get("baseline")
        if data.get("kind") == "binomial" and baseline is not None and not 0 < baseline < 100:
            self.add_error(
                "baseline",
                _("Today's conversion rate: enter a percentage between 0 and 100 %."),
            )
        return data

    def design(self) -> Design:
        data = self.cleaned_data
        binomial = data["kind"] == "binomial"
        return Design(
            metric_type=data["kind"],
            baseline=data["baseline"] / 100 if binomial else data["baseline"],
            baseline_sd=None if binomial else data["baseline_sd"],
            alpha=data["alpha"] / 100,
            power=data["power"] / 100,
            n_variants=data["n_variants"],
        )


class PlanForm(DesignForm):
    mde = _number(
        _("Smallest lift worth finding (%)"),
        -99,
        1000,
        _("a percentage from -99 % to 1000 %"),
        # xgettext:no-python-format
        help_text=_("10 means a 10 % relative lift."),
    )
    field_order = ["question", "kind", "baseline", "baseline_sd", "mde", "daily_traffic"]

    def payload(self) -> dict:
        data, design = self.cleaned_data, self.design()
        baseline_key = "baseline_rate" if design.metric_type == "binomial" else "baseline_mean"
        payload = {
            "metric_type": design.metric_type,
            baseline_key: design.baseline,
            "mde_relative": data["mde"] / 100,
            "alpha": design.alpha,
            "power": design.power,
            "n_variants": design.n_variants,
            "daily_traffic": data["daily_traffic"],
        }
        if design.baseline_sd is not None:
            payload["baseline_sd"] = design.baseline_sd
        return payload


class SprintForm(DesignForm):
    days = _number(
        _("Days the test runs"), 1, 365, _("from 1 to 365 days"), whole=True, initial=SPRINT_DAYS
    )


def significance_answer(form: SignificanceForm) -> dict:
    """The engine's analysis of A against B, and the numbers its verdict was decided on."""
    output = analyse(form.payload())
    result = result_from_dict(output)
    return {
        "output": output,
        "result": result,
        "comparison": {
            **output["comparisons"][0],
            "verdict": reader.verdict_sentence(result.comparisons[0].verdict),
        },
        "decision": verdict_numbers(result, result.comparisons[0]),
    }


def verdict_numbers(result: StoredResult, comparison: Comparison) -> dict:
    """The change, its interval in words and the p-value the verdict sentence is decided by:
    the decision rule's, the only interval the page shows."""
    settings = result.settings
    lift = decision_interval(settings, comparison)
    return {
        "estimate": lift.estimate,
        "interval": reader.interval(lift.ci_lower, lift.ci_upper, settings.alpha),
        "p_value": decision_p_value(settings, comparison),
        "alpha": settings.alpha,
        "sequential": settings.method != "fixed",
    }


def plan_answer(form: PlanForm) -> dict:
    """Users per variant, total, days at the given traffic and whether it fits a sprint."""
    return plan_power(form.payload())


def sprint_answer(form: SprintForm) -> dict:
    """The smallest relative lift a test of ``days`` days can find at this traffic."""
    design = form.design()  # raises StatsInputError on a bad baseline, α or power
    data = form.cleaned_data
    per_variant = data["daily_traffic"] * data["days"] / design.n_variants
    mde = minimum_detectable_effect(design, per_variant)
    return {"mde": None if math.isinf(mde) else mde, "per_variant": math.floor(per_variant)}


QUESTIONS = {
    "significance": (SignificanceForm, significance_answer),
    "plan": (PlanForm, plan_answer),
    "sprint": (SprintForm, sprint_answer),
}


def answer(question: str, data) -> tuple[dict, dict | None]:
    """Every form (the asked one bound to ``data``) and the answer, or None if refused."""
    forms_by_name = {
        name: form_class(
            data if name == question else None,
            initial={"question": name},
            auto_id=f"{name}-%s",  # three forms share field names on one page
        )
        for name, (form_class, _) in QUESTIONS.items()
    }
    if question not in QUESTIONS:
        return forms_by_name, None
    form = forms_by_name[question]
    if not form.is_valid():
        return forms_by_name, None
    try:
        return forms_by_name, QUESTIONS[question][1](form)
    except StatsInputError as error:
        form.place(error)
        return forms_by_name, None
