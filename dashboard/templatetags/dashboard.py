"""Numbers as a marketer reads them, and the status badge a list shows per running test."""

import math

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis import wording
from growthlab.web import numbers

register = template.Library()


@register.filter
def pct(fraction) -> str:
    """A signed change: 0.123 → "+12%"; an open interval end (None or ±inf) → "open"."""
    if fraction is None or math.isinf(fraction):
        return _("open")
    return wording.signed_percent(fraction)


@register.filter
def pct_plain(fraction) -> str:
    """A share or size: 0.97 → "97%"."""
    return "–" if fraction is None or math.isnan(fraction) else wording.percent(fraction)


@register.filter
def thousands(value) -> str:
    """12345 → "12,345" ("12 345" in Finnish)."""
    return "–" if value is None else numbers.integer(value)


@register.filter
def number_rows(rows) -> list[tuple]:
    """A table's rows as (heading, cells): floats to 2 decimals, an open end as "open".

    The language's marks are looked up once per table, not per cell: the results page's tables
    hold a couple of thousand numbers."""
    language_marks, open_end = numbers.marks(), _("open")

    def shown(value) -> str:
        if value is None:
            return open_end
        if isinstance(value, float):
            return numbers.decimal(value, 2, language_marks)
        if isinstance(value, int):
            return numbers.integer(value, language_marks)
        return str(value)

    return [(row[0], [shown(value) for value in row[1:]]) for row in rows]


@register.filter
def p_value(value) -> str:
    """A p-value to four decimals; one too small to print is "< 0.0001", never "0.0000"."""
    return "–" if value is None or math.isnan(value) else wording.p_value(value)


@register.filter
def p_equals(value) -> str:
    """ "p = 0.0123" or "p < 0.0001", as a sentence reads it."""
    return "p –" if value is None or math.isnan(value) else wording.p_equals(value)


STATUS_LABELS = {
    "ship": gettext_lazy("Winner"),
    "harmful": gettext_lazy("Harm"),
    "srm": gettext_lazy("Data problem"),
    "keep_running": gettext_lazy("Keep running"),
    "too_few_units": gettext_lazy("Too early"),
    "no_difference": gettext_lazy("No difference"),
    "no_data": gettext_lazy("No data"),
}


@register.filter
def status_label(status: str) -> str:
    """The headline's status in two words."""
    return STATUS_LABELS.get(status, status)


GUARDRAIL_LABELS = {
    "harmed": gettext_lazy("Harmed"),
    "not_harmed": gettext_lazy("Not harmed"),
    "unknown": gettext_lazy("Not yet known"),
}


@register.filter
def guardrail_label(state: str) -> str:
    """A guardrail's state in words: harmed, not harmed, not yet known."""
    return GUARDRAIL_LABELS.get(state, state)


@register.filter
def metric_value(value, kind: str) -> str:
    """A variant's value: a conversion rate in percent, an average with two decimals."""
    if value is None:
        return "–"
    if kind == "binomial":
        return numbers.percent_pattern().format(number=numbers.decimal(value * 100, 2))
    return numbers.decimal(value, 2)


@register.filter
def comparison_of(comparisons, variant: str):
    """The comparison of `variant` against control, or None for the control itself."""
    return next((c for c in comparisons if c["variant"] == variant), None)


@register.simple_tag
def series_table(metric) -> dict:
    """Day by day: each variant's users and value, each treatment's change.

    A conversion rate is in percent, as everywhere else on the page, never a bare fraction.
    """
    names = list(metric.series)
    binomial = metric.kind == "binomial"
    columns = [_("Day")]
    # Each column's words once per table, not once per variant.
    users, change = _("%(variant)s users"), _("%(variant)s change %%")
    value = _("%(variant)s rate %%") if binomial else _("%(variant)s average")
    for name in names:
        columns += [users % {"variant": name}, value % {"variant": name}]
        if any("relative" in p for p in metric.series[name]):
            columns += [change % {"variant": name}]
    rows = []
    for day_points in zip(*metric.series.values(), strict=True):
        row = [day_points[0]["date"]]
        for point in day_points:
            row += [point["n"], round(point["value"] * (100 if binomial else 1), 2)]
            row += [round(point["relative"]["estimate"] * 100, 2)] if "relative" in point else []
        rows.append(row)
    return {"columns": columns, "rows": rows}


BADGE_STATUSES = ("running", "analysing")


@register.simple_tag
def result_badges(experiments) -> dict[int, dict]:
    """{experiment id: {"status", "text"}} for the running tests among `experiments`.

    One query for the whole list, so a page of fifty tests costs the same as one.
    """
    from dashboard.headline import badge, keep_running_days, verdict_headline
    from dashboard.selectors import outputs_by_experiment, refresh_failed_ids
    from metrics.stats.verdict import Status

    running = [e.pk for e in experiments if e.status in BADGE_STATUSES]
    found = outputs_by_experiment(running) if running else {}
    failed = refresh_failed_ids(running) if running else set()
    badges = {}
    for pk in running:
        stored = found.get(pk, [])
        # A failed refresh outranks the old answer: its "Ship now" may no longer hold.
        status = Status.FAILED if pk in failed else verdict_headline(stored)[0]
        badges[pk] = {"status": status, "text": badge(status, keep_running_days(stored))}
    return badges


@register.filter
def badge_of(badges: dict, pk: int) -> dict | None:
    return badges.get(pk)


@register.filter
def correction_label(correction: str) -> str:
    """The multiple-comparison correction by its name, as the analysis settings say it."""
    return {"holm": _("Holm"), "bh": _("Benjamini–Hochberg")}.get(correction, correction)
