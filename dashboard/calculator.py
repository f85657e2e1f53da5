"""The calculator's three questions: forms in, the engine's JSON interface, answers out.

Marketers type percentages ("5" for a 5% conversion rate or a 5% lift); the engine takes
fractions. Each form converts, calls the engine, and maps an engine error back onto the field
the person typed, so a refusal is shown where it belongs.
"""

from __future__ import annotations

import math

from django import forms

from metrics.stats import (
    SPRINT_DAYS,
    Design,
    StatsInputError,
    analyse,
    minimum_detectable_effect,
    plan_power,
    wording,
)
from metrics.stats.analysis import Comparison, StoredResult
from metrics.stats.jsonio import result_from_dict
from metrics.stats.verdict import decision_interval, decision_p_value

KINDS = [("binomial", "Conversion rate (converted or not)"), ("mean", "Average per user")]


def _percent(label: str, **kwargs) -> forms.FloatField:
    return forms.FloatField(label=label, widget=forms.NumberInput(attrs={"step": "any"}), **kwargs)


class CalculatorForm(forms.Form):
    """Shared by the three forms: the engine field → form field map used to place errors."""

    FIELD_OF: dict[str, str] = {}
    question = forms.CharField(widget=forms.HiddenInput)
    alpha = forms.FloatField(label="Significance level (α)", initial=0.05, min_value=0.0001)

    def place(self, error: StatsInputError) -> None:
        """Put the engine's refusal on the field it names, or on the form."""
        for engine_field, form_field in self.FIELD_OF.items():
            if error.field.endswith(engine_field):
                self.add_error(form_field, f"{self[form_field].label}: {error.message}.")
                return
        self.add_error(None, f"{error.field}: {error.message}.")


class SignificanceForm(CalculatorForm):
    """A finished test from its counts: A is the control, B the treatment."""

    FIELD_OF = {
        "variants[0].n": "a_users", "variants[1].n": "b_users",
        "variants[0].conversions": "a_conversions", "variants[1].conversions": "b_conversions",
        "variants[0].sum_squares": "a_sd", "variants[1].sum_squares": "b_sd",
        "variants[0]": "a_mean", "variants[1]": "b_mean", "alpha": "alpha",
    }  # fmt: skip
    kind = forms.ChoiceField(label="What you measured", choices=KINDS)
    a_users = forms.IntegerField(label="A (control): users", min_value=0)
    a_conversions = forms.IntegerField(label="A: conversions", min_value=0, required=False)
    a_mean = forms.FloatField(label="A: average per user", required=False)
    a_sd = forms.FloatField(label="A: standard deviation", required=False)
    b_users = forms.IntegerField(label="B (treatment): users", min_value=0)
    b_conversions = forms.IntegerField(label="B: conversions", min_value=0, required=False)
    b_mean = forms.FloatField(label="B: average per user", required=False)
    b_sd = forms.FloatField(label="B: standard deviation", required=False)
    field_order = ["question", "kind"]

    def clean(self):
        data = super().clean()
        needed = ("conversions",) if data.get("kind") == "binomial" else ("mean", "sd")
        for arm in "ab":
            for name in needed:
                if data.get(f"{arm}_{name}") is None and f"{arm}_{name}" not in self.errors:
                    self.add_error(f"{arm}_{name}", "Needed for this kind of metric.")
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        variants = [_arm(data, "a", "A"), _arm(data, "b", "B")]
        # Finished numbers looked at once: the fixed-horizon interval is the one that decides.
        return {
            "metric_type": data["kind"],
            "alpha": data["alpha"],
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
        "baseline_rate": "baseline", "baseline_mean": "baseline", "baseline_sd": "baseline_sd",
        "mde_relative": "mde", "daily_traffic": "daily_traffic", "n_variants": "n_variants",
        "alpha": "alpha", "power": "power",
    }  # fmt: skip
    kind = forms.ChoiceField(label="What you will measure", choices=KINDS)
    baseline = _percent("Today's rate (%) or average", help_text="5 means a 5% conversion rate.")
    baseline_sd = forms.FloatField(
        label="Standard deviation (averages only)", required=False, min_value=0
    )
    daily_traffic = forms.IntegerField(label="Users a day in the test", min_value=1)
    n_variants = forms.IntegerField(label="Variants, control included", initial=2, min_value=2)
    power = forms.FloatField(label="Power", initial=0.8)
    field_order = ["question", "kind", "baseline", "baseline_sd", "daily_traffic"]

    def design(self) -> Design:
        data = self.cleaned_data
        binomial = data["kind"] == "binomial"
        return Design(
            metric_type=data["kind"],
            baseline=data["baseline"] / 100 if binomial else data["baseline"],
            baseline_sd=None if binomial else data["baseline_sd"],
            alpha=data["alpha"],
            power=data["power"],
            n_variants=data["n_variants"],
        )


class PlanForm(DesignForm):
    mde = _percent("Smallest lift worth finding (%)", help_text="10 means a 10% relative lift.")
    field_order = ["question", "kind", "baseline", "baseline_sd", "mde", "daily_traffic"]

    def payload(self) -> dict:
        data, design = self.cleaned_data, self.design()
        baseline_key = "baseline_rate" if design.metric_type == "binomial" else "baseline_mean"
        payload = {
            "metric_type": design.metric_type, baseline_key: design.baseline,
            "mde_relative": data["mde"] / 100, "alpha": design.alpha, "power": design.power,
            "n_variants": design.n_variants, "daily_traffic": data["daily_traffic"],
        }  # fmt: skip
        if design.baseline_sd is not None:
            payload["baseline_sd"] = design.baseline_sd
        return payload


class SprintForm(DesignForm):
    days = forms.IntegerField(label="Days the test runs", initial=SPRINT_DAYS, min_value=1)


def significance_answer(form: SignificanceForm) -> dict:
    """The engine's analysis of A against B, and the numbers its verdict was decided on."""
    output = analyse(form.payload())
    result = result_from_dict(output)
    return {
        "output": output,
        "result": result,
        "comparison": output["comparisons"][0],
        "decision": verdict_numbers(result, result.comparisons[0]),
    }


def verdict_numbers(result: StoredResult, comparison: Comparison) -> dict:
    """The change, its interval in words and the p-value the verdict sentence is decided by:
    the decision rule's, the only interval the page shows."""
    settings = result.settings
    lift = decision_interval(settings, comparison)
    return {
        "estimate": lift.estimate,
        "interval": wording.interval(lift.ci_lower, lift.ci_upper, settings.alpha),
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
