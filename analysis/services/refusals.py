"""The engine's refusals of a metric in a marketer's words.

The engine names the field it refused (``variants[1].n``) and why in a developer's terms
(``must be at least 1``); this module turns the pair into a sentence about the variant and the
metric, e.g. "Control has no users yet for Revenue".
"""

import re

from django.utils.translation import gettext as _

from metrics.stats import StatsInputError
from metrics.stats.frequentist import ZERO_VARIANCE
from metrics.stats.relative import CONTROL_MEAN_ZERO
from metrics.stats.sufficient import COVARIATE_CONSTANT

VARIANT_FIELD = re.compile(r"^variants\[(\d+)\]\.(\w+)$")
AT_LEAST = re.compile(r"must be at least (\d+)")


def refusal_sentence(error: StatsInputError, *, variants: list[dict], metric: str) -> str:
    """One sentence, ending in a full stop, saying what is missing and what to do.

    ``variants`` are the engine's input variants (name and numbers) the error refers to.
    """
    return refusal_words(refusal_params(error, variants=variants, metric=metric))


def refusal_params(error: StatsInputError, *, variants: list[dict], metric: str) -> dict:
    """What the sentence is made of, as a result stores it: the sentence is worded again in
    each reader's language when it is read (``analysis.wording``)."""
    params = {"field": error.field, "message": error.message, "metric": metric}
    found = VARIANT_FIELD.match(error.field)
    if found and int(found.group(1)) < len(variants):
        variant = variants[int(found.group(1))]
        params |= {"variant": variant["name"], "users": variant.get("n")}
    return params


def refusal_words(params: dict) -> str:
    """The sentence of ``refusal_params`` in the active language."""
    message = params["message"]
    words = {"metric": params["metric"]}
    found = VARIANT_FIELD.match(params["field"])
    if found and "variant" in params:
        words |= {"variant": params["variant"], "users": params.get("users")}
        sentence = variant_sentence(found.group(2), message, words)
        if sentence:
            return sentence
    if message == ZERO_VARIANCE:
        return (
            _(
                "Every user in every variant has the same value of %(metric)s, so there is "
                "nothing to compare yet."
            )
            % words
        )
    if message == COVARIATE_CONSTANT:
        return (
            _(
                "The pre-period values of %(metric)s are the same for every user, so they "
                "cannot sharpen the result: check the pre-period column, or turn CUPED off."
            )
            % words
        )
    if message == CONTROL_MEAN_ZERO:
        return (
            _(
                "The control's %(metric)s is 0, so a change in percent has no meaning: read "
                "the difference in the table instead."
            )
            % words
        )
    return (
        _(
            "The data loaded for %(metric)s does not add up, so it cannot be analysed: load "
            "it again, or ask an analyst to check the source."
        )
        % words
    )


def variant_sentence(field: str, message: str, words: dict) -> str | None:
    """The sentence for a refusal of one variant's numbers, or None if none fits."""
    if field == "n" and (minimum := AT_LEAST.match(message)):
        if not words["users"]:
            return _("%(variant)s has no users yet for %(metric)s.") % words
        return _(
            "%(variant)s has only %(users)s user yet for %(metric)s; at least "
            "%(minimum)s are needed."
        ) % (words | {"minimum": minimum.group(1)})
    if field == "conversions" and "exactly 0 or 1" in message:
        return (
            _(
                "Either no user or every user of %(variant)s converted on %(metric)s, so "
                "there is no spread to compare yet."
            )
            % words
        )
    if field == "conversions":
        return (
            _("%(variant)s has more conversions than users for %(metric)s: check the loaded data.")
            % words
        )
    if field == "den_sum":
        return (
            _("%(variant)s has nothing to divide by yet for %(metric)s (its denominator is 0).")
            % words
        )
    if field.startswith("pre_") and "needed in every variant" in message:
        return (
            _(
                "%(variant)s has no pre-period data for %(metric)s while other variants do: "
                "load it for every variant, or turn CUPED off for this test."
            )
            % words
        )
    return None
