"""Run the statistics engine over an experiment's inputs: the answer today and per day.

No ORM here: inputs in, plain rows out, so the numbers are testable without a database.
A metric the engine refuses (no users yet, zero conversions) gets a row that says why in plain
words; it never hides the metrics that could be analysed.
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from analysis.services.inputs import (
    PRE_FIELDS,
    RATIO_FIELDS,
    RATIO_PRE_FIELDS,
    STAT_FIELDS,
    AnalysisInputs,
)
from analysis.services.refusals import refusal_params, refusal_words
from metrics.stats import StatsInputError
from metrics.stats.jsonio import analyse_each, analyse_looks


def variant_stats(kind: str, row: tuple, cuped: bool) -> dict:
    """One variant's statistics in the engine's field names."""
    values = dict(zip(STAT_FIELDS, row, strict=True))
    if kind == "binomial":
        return {"n": values["n"], "conversions": round(values["sum"])}
    if kind == "ratio":
        stats = {"n": values["n"], **{f: values[src] for f, src in RATIO_FIELDS.items()}}
        pre = {f: values[src] for f, src in RATIO_PRE_FIELDS.items()}
        if cuped and all(v is not None for v in pre.values()):
            stats.update(pre)
        return stats
    stats = {"n": values["n"], "sum": values["sum"], "sum_squares": values["sum_squares"]}
    if cuped and all(values[f] is not None for f in PRE_FIELDS):
        stats.update({f: values[f] for f in PRE_FIELDS})
    return stats


def payload_settings(inputs: AnalysisInputs, metric) -> dict:
    """Everything but the variants: how to test, how to read, as the engine's JSON names it."""
    c = inputs.choices
    control = next((v for v in inputs.variants if v.is_control), inputs.variants[0])
    settings = {
        "metric_type": metric.kind,
        "alpha": c["alpha"],
        "two_sided": c["two_sided"],
        "direction": metric.direction,
        "control": control.name,
        "expected_split": [v.share for v in inputs.variants],
        "correction": c["correction"],
        "sequential_tuning_parameter": c["sequential_tuning_parameter"],
        "method": c["method"],
        "role": metric.role,
        "metric_name": metric.name,
        **inputs.plan,
    }
    if inputs.days_run is not None:
        settings["days_run"] = inputs.days_run
    if c["prior_sd"] is not None:
        settings["bayes_prior"] = {"mean": c["prior_mean"], "sd": c["prior_sd"]}
    return settings


def metric_variants(inputs: AnalysisInputs, metric, rows: list[tuple]) -> list[dict]:
    """The payload's `variants`: each variant's totals (`rows`, in variant order) by name."""
    stats = [variant_stats(metric.kind, row, inputs.choices["cuped"]) for row in rows]
    # A mean metric gets CUPED only when every arm has the covariate; a ratio metric whose
    # pre-period is missing in one arm is refused by the engine, naming that arm.
    if metric.kind != "ratio" and any(set(s) != set(stats[0]) for s in stats):
        stats = [{k: v for k, v in s.items() if k not in PRE_FIELDS} for s in stats]
    return [{"name": v.name, **s} for v, s in zip(inputs.variants, stats, strict=True)]


def metric_payload(inputs: AnalysisInputs, metric, rows: list[tuple]) -> dict:
    return {**payload_settings(inputs, metric), "variants": metric_variants(inputs, metric, rows)}


def cuped_left_out(inputs: AnalysisInputs, metric, payload: dict) -> dict | None:
    """A finding naming the arms without a pre-period value when CUPED is on for a mean metric
    yet cannot be used: it needs the covariate in every arm, so the metric is compared as
    measured instead, and the reader is told so rather than left to think it was adjusted."""
    if metric.kind != "mean" or not inputs.choices["cuped"]:
        return None
    variants = payload["variants"]
    if "pre_sum" in variants[0]:
        return None
    cumulative = [inputs.cumulative(metric.id, v.id)[1] for v in inputs.variants]
    has_pre = [
        dict(zip(STAT_FIELDS, row, strict=True))["pre_sum"] is not None for row in cumulative
    ]
    if not any(has_pre):
        return None
    missing = ", ".join(v["name"] for v, pre in zip(variants, has_pre, strict=True) if not pre)
    return {
        "code": "cuped_not_applied",
        "title": _("CUPED not applied"),
        "detail": _(
            "%(metric)s is compared as measured, without CUPED: %(variants)s has no "
            "pre-period value, and CUPED needs one in every variant."
        )
        % {"metric": metric.name, "variants": missing},
        "params": {"metric": metric.name, "variants": missing},
    }


def plain_error(error: StatsInputError, payload: dict) -> dict:
    """What the engine's refusal says of the variant and the metric, to word as a sentence."""
    return refusal_params(error, variants=payload["variants"], metric=payload["metric_name"])


def day_point(day, look: dict, index: int) -> dict:
    """One variant on one day: users and value, and for a treatment its lift and intervals."""
    variant = look["variants"][index]
    point = {"date": day.isoformat(), "n": variant["n"], "value": variant["value"]}
    comparison = next((c for c in look["comparisons"] if c["variant"] == variant["name"]), None)
    if comparison is not None:
        point["relative"] = comparison["relative"]
        point["sequential_relative"] = comparison["sequential_relative"]
        point["chance_to_win"] = comparison["chance_to_win"]
    return point


def metric_series(inputs: AnalysisInputs, metric, cumulative: list, beat: Callable) -> list:
    """Per variant, the cumulative result of every exposure day the engine can analyse."""
    beat()
    days = inputs.dates()
    looks = [metric_variants(inputs, metric, [by_day[d] for by_day, _ in cumulative]) for d in days]
    answers = analyse_looks(payload_settings(inputs, metric), looks)
    series = [[] for _ in inputs.variants]
    for day, look in zip(days, answers, strict=True):
        if look is None:
            continue  # an early day without enough users: the chart starts later
        for index, points in enumerate(series):
            points.append(day_point(day, look, index))
    return series


def method_name(payload: dict, choices: dict) -> str:
    absolute = {"binomial": "unpooled_z", "mean": "welch_t", "ratio": "delta_method_z"}
    return f"{absolute[payload['metric_type']]}/{choices['method']}"


def metric_rows(*, inputs: AnalysisInputs, metric, payload, output, error, series) -> list[dict]:
    """One row per variant of one metric, ready to store.

    The engine's payload and output describe the whole metric, so only the control's row
    holds them; repeating them on every treatment's row tripled the bytes each run wrote.
    """
    rows = []
    for index, variant in enumerate(inputs.variants):
        whole = variant.is_control
        entry = dict(payload["variants"][index])
        comparison = None
        if output is not None:
            comparison = next(
                (c for c in output["comparisons"] if c["variant"] == variant.name), None
            )
        rows.append(
            {
                "variant_id": variant.id,
                "metric_id": metric.id,
                "role": metric.role,
                "is_control": whole,
                "inputs": entry,
                "payload": payload if whole else None,
                "method": method_name(payload, inputs.choices),
                "settings": inputs.choices,
                "output": output if whole else None,
                "comparison": comparison,
                "series": series[index],
                **verdict_fields(metric=metric, output=output, comparison=comparison, error=error),
            }
        )
    return rows


def verdict_fields(*, metric, output, comparison, error: dict | None) -> dict:
    if error is not None:
        # Stored in English whatever language the run happens in (a run can be started in a
        # reader's request), with its parameters: each reader reads it in their own language
        # (analysis.wording.input_error_sentence).
        with translation.override(None):
            sentence, title = refusal_words(error), _("Not enough data to analyse")
        finding = {"code": "input_error", "title": title, "detail": sentence, "params": error}
        return {"status": "error", "verdict": sentence, "findings": [finding]}
    findings = output["findings"]
    if comparison is None:
        return {"status": "control", "verdict": "", "findings": findings}
    return {"status": comparison["status"], "verdict": comparison["verdict"], "findings": findings}


def experiment_answer(
    inputs: AnalysisInputs, beat: Callable[[], None], *, daily: bool = True
) -> list[dict]:
    """Every variant x metric row: the answer over all data, corrected across metrics, with
    its day-by-day series unless `daily` is False (a flat export needs none)."""
    drafts = []
    for metric in inputs.metrics:
        cumulative = [inputs.cumulative(metric.id, v.id) for v in inputs.variants]
        payload = metric_payload(inputs, metric, [overall for _, overall in cumulative])
        if daily:
            series = metric_series(inputs, metric, cumulative, beat)
        else:
            series = [[] for _ in inputs.variants]
        drafts.append((metric, payload, series))
    answers = analyse_each([payload for _, payload, _ in drafts], inputs.choices["correction"])
    rows = []
    for (metric, payload, series), answer in zip(drafts, answers, strict=True):
        if isinstance(answer, StatsInputError):
            output, error = None, plain_error(answer, payload)
        else:
            output, error = answer, None
            if finding := cuped_left_out(inputs, metric, payload):
                output["findings"].append(finding)
        rows += metric_rows(
            inputs=inputs, metric=metric, payload=payload, output=output, error=error, series=series
        )
    return rows
