"""The engine's verdicts, findings and numbers in the reader's language.

The engine stays free of Django: each verdict and finding carries a message code and its
numbers unworded (``Verdict.code``/``params``, ``Finding.code``/``params``). This module is the
one place that words them from the catalogue, when a page is read, so a Finnish reader reads a
Finnish verdict whatever language the worker that computed it ran in. A verdict or finding
stored before codes existed (no code or no parameters) reads as it was stored, in English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from analysis.services.refusals import refusal_words
from growthlab.web import numbers
from metrics.stats import wording
from metrics.stats.health import Finding
from metrics.stats.verdict import Verdict
from metrics.stats.wording import NumberStyle

_STYLES: dict[str | None, NumberStyle] = {}


def style() -> NumberStyle:
    """The active language's decimal mark and percent sign (one lookup per language: a
    results page words hundreds of numbers)."""
    language = get_language()
    found = _STYLES.get(language)
    if found is None:
        found = NumberStyle(decimal=numbers.decimal_mark(), percent=numbers.percent_pattern())
        _STYLES[language] = found
    return found


def percent(fraction: float) -> str:
    """0.125 → "12,5 %" in Finnish, "12.5%" in English (see ``wording.percent``)."""
    return wording.percent(fraction, style())


def signed_percent(fraction: float) -> str:
    """0.034 → "+3,4 %" in Finnish."""
    return wording.signed_percent(fraction, style())


def p_value(p: float) -> str:
    return wording.p_value(p, style())


def p_equals(p: float) -> str:
    return wording.p_equals(p, style())


def level(alpha: float) -> str:
    return wording.level(alpha, style())


def interval(lower: float, upper: float, alpha: float) -> str:
    """The interval in words, as ``wording.interval``, in the reader's language."""
    words = {"level": level(alpha)}
    if math.isinf(upper):
        return _("%(level)s CI: at least %(lower)s") % {**words, "lower": signed_percent(lower)}
    if math.isinf(lower):
        return _("%(level)s CI: at most %(upper)s") % {**words, "upper": signed_percent(upper)}
    return _("%(level)s CI %(lower)s to %(upper)s") % {
        **words,
        "lower": signed_percent(lower),
        "upper": signed_percent(upper),
    }


def _closed(value: float | None, open_end: float) -> float:
    return open_end if value is None else float(value)


def progress(params: Mapping[str, Any]) -> str:
    """ "40 % of the planned sample, day 3 of 21", as far as the plan says."""
    parts = []
    if params.get("sample_share") is not None:
        share = percent(params["sample_share"])
        parts.append(_("%(share)s of the planned sample") % {"share": share})
    if params.get("day") is not None:
        day = {"day": params["day"], "planned": params["planned_days"]}
        parts.append(_("day %(day)s of %(planned)s") % day)
    return ", ".join(parts)


def _words(params: Mapping[str, Any]) -> dict[str, Any]:
    estimate = _closed(params.get("estimate"), math.nan)
    lower = _closed(params.get("ci_lower"), -math.inf)
    upper = _closed(params.get("ci_upper"), math.inf)
    worst = params.get("worst")
    return {
        "variant": params.get("variant", ""),
        "metric": params.get("metric") or _("the metric"),
        "size": percent(estimate),
        "change": signed_percent(estimate),
        "ci": interval(lower, upper, params.get("alpha", 0.05)),
        "worst": _("an open end") if worst is None else signed_percent(worst),
        "progress": progress(params),
        "min_days": params.get("min_days", 0),
        "min_units": numbers.integer(params.get("min_units", 0)),
        "min_conversions": numbers.integer(params.get("min_conversions", 0)),
        "days": params.get("days", 0),
        "mde": percent(params.get("mde") or 0.0),
    }


def _up(params: Mapping[str, Any]) -> bool:
    return _closed(params.get("estimate"), math.nan) > 0


def _sentence(code: str, params: Mapping[str, Any]) -> str | None:
    """The catalogue's sentence of ``code``, or None for a code this module does not know."""
    up = _up(params)
    if code == "srm":
        return _("Traffic split is broken (SRM): do not trust these numbers.")
    if code == "too_few_units":
        return _(
            "Too few users so far to read this result: each variant needs at least"
            " %(min_units)s users (and %(min_conversions)s conversions)."
        )
    if code == "ship":
        if up:
            return _(
                "%(variant)s raised %(metric)s by %(size)s (%(ci)s). This is very unlikely to"
                " be chance. Ship it."
            )
        return _(
            "%(variant)s lowered %(metric)s by %(size)s (%(ci)s). This is very unlikely to"
            " be chance. Ship it."
        )
    if code == "harm":
        if up:
            return _(
                "%(variant)s raised %(metric)s by %(size)s (%(ci)s). This is very unlikely to"
                " be chance. Do not ship it."
            )
        return _(
            "%(variant)s lowered %(metric)s by %(size)s (%(ci)s). This is very unlikely to"
            " be chance. Do not ship it."
        )
    if code == "early_win":
        return ngettext(
            "Too early to call a winner: %(progress)s. So far %(variant)s changed %(metric)s by"
            " %(change)s (%(ci)s); a winner is named once the planned sample is reached and"
            " the test has run %(min_days)s day.",
            "Too early to call a winner: %(progress)s. So far %(variant)s changed %(metric)s by"
            " %(change)s (%(ci)s); a winner is named once the planned sample is reached and"
            " the test has run %(min_days)s days.",
            params.get("min_days", 0),
        )
    if code == "guardrail_harmed":
        if up:
            return _(
                "Guardrail harmed: %(metric)s up %(size)s (%(ci)s). Do not ship %(variant)s"
                " as it is."
            )
        return _(
            "Guardrail harmed: %(metric)s down %(size)s (%(ci)s). Do not ship %(variant)s as it is."
        )
    if code == "guardrail_not_harmed":
        return _(
            "Guardrail not harmed: with %(variant)s, %(metric)s is not worse than %(worst)s"
            " (%(ci)s)."
        )
    if code == "guardrail_unknown":
        return _(
            "Guardrail not yet known: with %(variant)s, %(metric)s changed by %(change)s"
            " (%(ci)s), so it could still be worse by up to %(worst)s."
        )
    if code == "guardrail_unknown_progress":
        return _(
            "Guardrail not yet known: with %(variant)s, %(metric)s changed by %(change)s"
            " (%(ci)s), so it could still be worse by up to %(worst)s. We will know at the"
            " planned sample (%(progress)s so far)."
        )
    if code == "early":
        return _(
            "Keep running: %(progress)s. So far %(variant)s changed %(metric)s by %(change)s"
            " (%(ci)s)."
        )
    if code == "too_early":
        return ngettext(
            "Too early: about %(days)s more day at today's traffic. So far %(variant)s"
            " changed %(metric)s by %(change)s (%(ci)s).",
            "Too early: about %(days)s more days at today's traffic. So far %(variant)s"
            " changed %(metric)s by %(change)s (%(ci)s).",
            params.get("days", 0),
        )
    if code == "tie":
        return _(
            "No clear difference: %(variant)s changed %(metric)s by %(change)s (%(ci)s), and"
            " enough users have taken part to see a %(mde)s change. Call it a tie and keep"
            " the simpler version."
        )
    if code == "unclear":
        return _(
            "No clear difference yet: %(variant)s changed %(metric)s by %(change)s (%(ci)s)."
            " This could still be chance."
        )
    return None


def verdict_sentence(verdict: Verdict | None) -> str:
    """The verdict's sentence in the reader's language (as stored, for an old verdict)."""
    if verdict is None:
        return ""
    template = _sentence(verdict.code, verdict.params) if verdict.code else None
    if template is None:
        return verdict.sentence
    return template % _words(verdict.params)


def _names(names) -> str:
    return ", ".join(str(name) for name in names)


def _finding_words(code: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
    if code == "srm":
        counts = ", ".join(f"{name}: {numbers.integer(n)}" for name, n in params["units"])
        return _("Visitors were not split between the variants as planned"), _(
            "Units per variant (%(counts)s) differ from the planned split (chi-square %(p)s)."
            " Do not trust these numbers."
        ) % {"counts": counts, "p": p_equals(params["p_value"])}
    if code == "too_few_units":
        return _("Too few users to read this result yet"), _(
            "%(variants)s: each variant needs at least %(min_units)s users and, for conversion"
            " metrics, %(min_conversions)s conversions and non-conversions."
        ) % {
            "variants": _names(params["variants"]),
            "min_units": numbers.integer(params["min_units"]),
            "min_conversions": numbers.integer(params["min_conversions"]),
        }
    if code == "zero_variance":
        return _("A variant shows no variation at all"), _(
            "%(variants)s: every user has the same value; check how the metric is read."
        ) % {"variants": _names(params["variants"])}
    if code == "control_value_not_positive":
        value = params["value"]
        shown = "–" if value is None else f"{value:.4g}".replace(".", numbers.decimal_mark())
        return _("Relative lift is hard to read here"), _(
            "The control's value is %(value)s; a percentage change from a value at or below 0"
            " can point the wrong way. Read the absolute difference."
        ) % {"value": shown}
    if code == "underpowered":
        return _("This test cannot detect the planned effect in time"), ngettext(
            "At today's traffic it needs about %(days)s day to detect a %(mde)s change; it is"
            " planned for %(planned)s.",
            "At today's traffic it needs about %(days)s days to detect a %(mde)s change; it is"
            " planned for %(planned)s.",
            params["days"],
        ) % {
            "days": numbers.integer(params["days"]),
            "mde": percent(params["mde"] or 0.0),
            "planned": params["planned_days"],
        }
    if code == "input_error":
        return _("Not enough data to analyse"), refusal_words(params)
    if code == "cuped_not_applied":
        return _("CUPED not applied"), _(
            "%(metric)s is compared as measured, without CUPED: %(variants)s has no "
            "pre-period value, and CUPED needs one in every variant."
        ) % {"metric": params["metric"], "variants": params["variants"]}
    return None


def finding_words(finding: Finding | Mapping[str, Any]) -> dict[str, Any]:
    """A finding as a page shows it: code, title and detail in the reader's language."""
    if isinstance(finding, Finding):
        finding = {
            "code": finding.code,
            "title": finding.title,
            "detail": finding.detail,
            "params": finding.params,
        }
    shown = {"code": finding["code"], "title": finding["title"], "detail": finding["detail"]}
    params = finding.get("params")
    if params:
        try:
            words = _finding_words(finding["code"], params)
        except (KeyError, TypeError, ValueError):
            words = None  # parameters of another shape: the stored words still read
        if words is not None:
            shown["title"], shown["detail"] = words
    return shown


def input_error_sentence(verdict: str, findings: list | None) -> str:
    """Why the engine refused a metric, in the reader's language: from the stored input_error
    finding's parameters, or as stored for a result analysed before it had them."""
    for finding in findings or []:
        if finding.get("code") == "input_error" and finding.get("params"):
            return finding_words(finding)["detail"]
    return verdict
