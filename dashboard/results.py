"""Everything the results page shows, from stored results to template context.

The selectors read; this module arranges: the headline, one section per metric with its
figures and tables, the traffic check, the health findings and the state of the data.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis import wording
from dashboard import charts, segments, selectors
from dashboard.headline import verdict_headline
from experiments.measured import MeasuredLift, MeasuredResult
from growthlab.web import numbers
from metrics.stats import verdict
from metrics.stats.analysis import Comparison, StoredResult
from metrics.stats.verdict import GuardrailState

ROLES = (
    ("primary", gettext_lazy("Primary metric")),
    ("secondary", gettext_lazy("Secondary metrics")),
    ("guardrail", gettext_lazy("Guardrails")),
)
STALE_AFTER = timedelta(hours=12)  # two scheduled refreshes missed (they run every 6 hours)
ADVICE = {
    "srm": gettext_lazy(
        "Check the assignment code and any filter applied after assignment, fix it, and "
        "restart the test: these numbers cannot be trusted."
    ),
    "too_few_units": gettext_lazy(
        "Keep the test running; the result becomes readable once each variant has enough users."
    ),
    "zero_variance": gettext_lazy(
        "Check that the metric is filled in for every user: every value is the same."
    ),
    "control_value_not_positive": gettext_lazy(
        "A relative lift needs a positive control value; check how the metric is computed."
    ),
    "underpowered": gettext_lazy(
        "Plan a longer test, send more traffic to it, or aim for a bigger effect."
    ),
    "input_error": gettext_lazy("Check the uploaded data for this metric."),
    "cuped_not_applied": gettext_lazy(
        "Load the pre-period column for every variant, or turn CUPED off in the analysis settings."
    ),
}


def comparison_row(result: StoredResult, comparison: Comparison) -> dict:
    """What the page shows of one comparison: its verdict, the decision rule's interval and
    p-value, and the secondary figures (chance to win, the other rule's p-value)."""
    settings = result.settings
    return {
        "variant": comparison.variant,
        "status": comparison.verdict.status,
        "verdict": wording.verdict_sentence(comparison.verdict),
        "interval": verdict.decision_interval(settings, comparison),
        "p_value": verdict.decision_p_value(settings, comparison),
        "fixed_p_value": comparison.absolute.p_value,
        "sequential_p_value": comparison.sequential_absolute.p_value,
        "p_value_adjusted": comparison.p_value_adjusted,
        "bayesian": comparison.bayesian,
        "guardrail": verdict.guardrail_state(result, comparison)
        if settings.role == "guardrail"
        else None,
    }


def metric_section(index: int, metric: selectors.MetricResult, mde, x_range):
    """Figures (keyed for the page) and tables of one metric."""
    section = {"metric": metric, "key": f"m{index}", "figures": {}, "tables": {}}
    if metric.result is None:
        return section
    result = metric.result
    section["figures"][f"forest-m{index}"] = charts.forest_figure(result, mde=mde, x_range=x_range)
    section["tables"]["forest"] = charts.forest_table(result)
    section["comparisons"] = [comparison_row(result, c) for c in result.comparisons]
    section["variants"] = result.variants
    if metric.series:
        section["figures"][f"cumulative-m{index}"] = charts.cumulative_figure(
            metric.series, metric_type=result.metric_type
        )
        section["figures"][f"lift-m{index}"] = charts.lift_over_time_figure(
            metric.series, sequential=result.settings.method == "sequential"
        )
    return section


def traffic_section(experiment, primary: selectors.MetricResult | None) -> dict | None:
    """Daily shares per variant against the plan, from the primary metric's users."""
    if primary is None or primary.result is None or not primary.series:
        return None
    shares = {v.name: float(v.traffic_share) for v in experiment.variants.all()}
    # Variants renamed since the analysis cannot be matched: an equal split is then assumed.
    known = all(name in shares for name in primary.series)
    planned = [shares[name] if known else 1.0 for name in primary.series]
    srm = primary.result.srm
    figure = charts.traffic_figure(primary.series, planned=planned, srm_p_value=srm.p_value)
    days = list(zip(*[charts.daily_users(p) for p in primary.series.values()], strict=True))
    dates = [p["date"] for p in next(iter(primary.series.values()))]
    table = {
        "columns": [_("Day"), *primary.series],
        "rows": [[d, *u] for d, u in zip(dates, days, strict=True)],
    }
    return {"figure": figure, "table": table, "srm": srm, "planned": planned}


# The plan sizes the test for its primary metric only; another metric's "cannot detect the
# planned effect" would contradict the plan the team agreed to.
PRIMARY_ONLY = {"underpowered"}


def findings_of_metric(metric: selectors.MetricResult) -> list[dict]:
    """The engine's findings on one metric, or its input error as one."""
    if metric.error:
        return [{"code": "input_error", "title": _("Not enough data"), "detail": metric.error}]
    raw = [wording.finding_words(f) for f in metric.result.findings] if metric.result else []
    return [f for f in raw if metric.role == "primary" or f["code"] not in PRIMARY_ONLY]


def findings_of(results: selectors.ExperimentResults) -> list[dict]:
    """Each distinct finding once, with what to do about it."""
    seen, findings = set(), []
    for metric in results.metrics:
        for finding in findings_of_metric(metric):
            if (finding["code"], finding["detail"]) not in seen:
                seen.add((finding["code"], finding["detail"]))
                findings.append({**finding, "advice": ADVICE.get(finding["code"], "")})
    return findings


def decision_rule(results: selectors.ExperimentResults) -> dict:
    """The rule the verdicts follow, named for the page, with the plan's minimums."""
    settings = results.stored[0].settings if results.stored else None
    return {
        "sequential": results.sequential,
        "alpha": settings.alpha if settings else 0.05,
        "planned_sample": settings.planned_sample if settings else None,
        "minimum_days": settings.minimum_days if settings else None,
    }


def segment_sections(experiment) -> list[dict]:
    """Per metric, dimension and treatment: its forest plot, table and view."""
    return [
        {
            "view": view,
            "key": f"segments-{i}",
            "figure": charts.segment_forest_figure(view),
            "table": charts.segment_table(view),
        }
        for i, view in enumerate(segments.segment_views(experiment))
    ]


def by_metric(sections: list[dict], folded: dict) -> list[tuple[str, str, list[dict]]]:
    """The segment sections grouped under their metric, in the page's order of metrics, each
    with its dimension's fold into "other" (values folded, values kept), if the load made one."""
    groups: dict[str, tuple[str, str, list[dict]]] = {}
    for section in sections:
        view = section["view"]
        section["folded"] = folded.get(view.dimension)
        groups.setdefault(view.metric, (view.metric, view.role, []))[2].append(section)
    return list(groups.values())


class SegmentRefused(ValueError):
    """A ?segment= that names no stored segment of this test."""


def segment_asked(experiment, raw: str | None) -> tuple[str, str] | None:
    """(dimension, segment) of ``?segment=device:mobile``; None without one."""
    if raw is None or raw == "":
        return None
    dimension, colon, segment = raw.partition(":")
    known = selectors.segment_choices(experiment)
    if not colon or dimension not in known:
        names = ", ".join(known) or _("none")
        raise SegmentRefused(
            _(
                "“%(asked)s” names no dimension of this test (dimension:segment, e.g. "
                "%(example)s); its dimensions: %(names)s."
            )
            % {"asked": raw, "example": "device:mobile", "names": names}
        )
    if segment not in known[dimension]:
        raise SegmentRefused(
            _("The dimension “%(dimension)s” of this test has no segment “%(segment)s”.")
            % {"dimension": dimension, "segment": segment}
        )
    return dimension, segment


def results_context(experiment, segment: str | None = None) -> dict:
    """The template context of the results page; with ``segment`` ("device:mobile"), every
    chart and table is that segment's, read by the same analysis, and no verdict is shown."""
    refusal = ""
    try:
        one = segment_asked(experiment, segment)
    except SegmentRefused as error:
        one, refusal = None, str(error)
    if one is not None:
        results = selectors.segment_result_for(experiment, *one)
    else:
        results = selectors.latest_result_for(experiment)
    context = {
        "experiment": experiment,
        "results": results,
        "figures": {},
        "sources": selectors.data_sources_for(experiment),
        "set_aside": selectors.set_aside_for(experiment),
        "one_segment": {"dimension": one[0], "segment": one[1]} if one else None,
        "segment_refused": refusal,
        "segment_choices": selectors.segment_choices(experiment),
    }
    if results is None or not results.metrics:
        context["headline"] = verdict_headline([])
        return context
    mde = experiment.mde_relative / 100 if experiment.mde_relative else None
    x_range = charts.shared_lift_range(results.stored, mde)
    sections = [metric_section(i, m, mde, x_range) for i, m in enumerate(results.metrics)]
    for section in sections:
        context["figures"].update(section["figures"])
    by_segment = segment_sections(experiment) if one is None else []
    for section in by_segment:
        context["figures"][section["key"]] = section["figure"]
    primary = next((m for m in results.metrics if m.role == "primary"), None)
    traffic = traffic_section(experiment, primary)
    if traffic:
        context["figures"]["traffic"] = traffic["figure"]
    context.update(
        headline=verdict_headline(results.stored),
        groups=[
            (label, [s for s in sections if s["metric"].role == role]) for role, label in ROLES
        ],
        traffic=traffic,
        segments=by_segment,
        segment_metrics=by_metric(by_segment, selectors.folded_dimensions(experiment))
        if by_segment
        else [],
        findings=findings_of(results),
        stale=results.computed_at is not None
        and timezone.now() - results.computed_at > STALE_AFTER
        and experiment.status == "running",
        correction=(results.stored[0].settings.correction if results.stored else "none"),
        rule=decision_rule(results),
        mde=mde,
    )
    return context


def measured_summary(result: StoredResult | None) -> str:
    """The primary metric's measured change of its best treatment, the numbers a learning
    quotes; empty without a result."""
    best = verdict.furthest_good(result.settings, list(result.comparisons)) if result else None
    if best is None:
        return ""
    lift = verdict.decision_interval(result.settings, best)
    users = min(v.n for v in result.variants if v.name in (best.variant, result.control))
    return _(
        "%(metric)s: %(variant)s %(change)s against control (%(ci)s), %(users)s users per variant."
    ) % {
        "metric": result.metric_name,
        "variant": best.variant,
        "change": wording.signed_percent(lift.estimate),
        "ci": wording.interval(lift.ci_lower, lift.ci_upper, result.settings.alpha),
        "users": numbers.integer(users),
    }


def unknown_guardrails(experiment, stored: list[StoredResult]) -> tuple[str, ...]:
    """Guardrails with no result, or a comparison not read as "not harmed"."""
    names = experiment.experiment_metrics.filter(role="guardrail").values_list(
        "metric__name", flat=True
    )
    by_name = {r.metric_name: r for r in stored if r.role == "guardrail"}
    return tuple(
        name
        for name in names
        if name not in by_name
        or any(
            verdict.guardrail_state(by_name[name], c) != GuardrailState.NOT_HARMED
            for c in by_name[name].comparisons
        )
    )


def measured_result(experiment) -> MeasuredResult:
    """The stored results of ``experiment`` as the conclude form and its checks read them."""
    stored = selectors.outputs_by_experiment([experiment.pk]).get(experiment.pk, [])
    status, headline = verdict_headline(stored)
    primary = next((r for r in stored if r.role == "primary"), None)
    comparisons = primary.comparisons if primary else ()
    sentences = tuple(wording.verdict_sentence(c.verdict) for c in comparisons)
    return MeasuredResult(
        status=status,
        headline=headline,
        sentences=sentences,
        summary=measured_summary(primary),
        unknown_guardrails=unknown_guardrails(experiment, stored),
    )


def measured_lift_of(result: StoredResult | None) -> MeasuredLift | None:
    """The primary metric's best treatment (furthest in its good direction) with its interval,
    read by the test's decision rule; None without one."""
    best = verdict.furthest_good(result.settings, list(result.comparisons)) if result else None
    if best is None:
        return None
    lift = verdict.decision_interval(result.settings, best)
    control = next(v for v in result.variants if v.name == result.control)
    return MeasuredLift(best.variant, control.value, lift.estimate, lift.ci_lower, lift.ci_upper)


def measured_lifts(experiment_ids) -> dict[int, MeasuredLift]:
    """Each test's measured primary lift, by id, from the stored results in one query."""
    found = {}
    for pk, stored in selectors.outputs_by_experiment(experiment_ids).items():
        primary = next((r for r in stored if r.role == "primary"), None)
        if (lift := measured_lift_of(primary)) is not None:
            found[pk] = lift
    return found
