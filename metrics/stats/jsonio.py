"""The JSON interface: a payload dict in, a plain dict out.

Every invalid value raises :class:`StatsInputError` naming its field the way the payload spells
it (``variants[1].conversions``). The output holds only JSON types; the open end of a one-sided
interval (an infinity) becomes ``None``, written as null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from metrics.stats import fields, verdict
from metrics.stats.analysis import (
    AnalysisInput,
    AnalysisResult,
    Comparison,
    CupedResult,
    Look,
    Settings,
    StoredResult,
    Variant,
    VariantSummary,
    analyse_compared,
    analyse_input,
    analyse_inputs,
    compare_all,
    looks_all,
)
from metrics.stats.bayesian import BayesianResult, NormalPrior
from metrics.stats.corrections import CORRECTIONS, DEFAULT_CORRECTION
from metrics.stats.errors import StatsInputError
from metrics.stats.frequentist import TestResult
from metrics.stats.health import Finding
from metrics.stats.planning import DaysNeeded
from metrics.stats.sequential import DEFAULT_TUNING_PARAMETER
from metrics.stats.srm import SrmResult
from metrics.stats.sufficient import (
    RATIO_COVARIATE_FIELDS,
    BinomialStats,
    Covariate,
    MeanStats,
    RatioCovariate,
    RatioStats,
)
from metrics.stats.verdict import Progress, Status, Verdict

METRIC_TYPES = ("binomial", "mean", "ratio")
STAT_FIELDS = {
    "binomial": ("n", "conversions"),
    "mean": ("n", "sum", "sum_squares"),
    "ratio": (
        "n",
        "num_sum",
        "num_sum_squares",
        "den_sum",
        "den_sum_squares",
        "num_den_sum_products",
    ),
}
COVARIATE_FIELDS = ("pre_sum", "pre_sum_squares", "post_pre_sum_products")
COUNT_FIELDS = ("n", "conversions")
ABSOLUTE_METHOD = {"binomial": "unpooled_z", "mean": "welch_t", "ratio": "delta_method_z"}


def _mapping(value: Any, field: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise StatsInputError(field, "must be an object")
    return value


def _covariate(raw: Mapping, metric_type: str, prefix: str) -> Covariate | None:
    present = [f for f in COVARIATE_FIELDS if f in raw]
    if not present or metric_type != "mean":
        return None
    values = [fields.number(raw, f, prefix=prefix) for f in COVARIATE_FIELDS]
    return Covariate(*values)


def _ratio_covariate(raw: Mapping, prefix: str) -> RatioCovariate | None:
    if not any(f in raw for f in RATIO_COVARIATE_FIELDS):
        return None
    return RatioCovariate(*(fields.number(raw, f, prefix=prefix) for f in RATIO_COVARIATE_FIELDS))


def _stats(metric_type: str, raw: Mapping, prefix: str):
    values = [
        fields.count(raw, f, prefix) if f in COUNT_FIELDS else fields.number(raw, f, prefix=prefix)
        for f in STAT_FIELDS[metric_type]
    ]
    if metric_type == "binomial":
        return BinomialStats(*values)
    if metric_type == "mean":
        return MeanStats(*values, covariate=_covariate(raw, metric_type, prefix))
    return RatioStats(*values, covariate=_ratio_covariate(raw, prefix))


def parse_variant(metric_type: str, raw: Any, index: int) -> Variant:
    """One entry of ``variants``: its name and sufficient statistics."""
    where = f"variants[{index}]"
    raw = _mapping(raw, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise StatsInputError(f"{where}.name", "must be a non-empty string")
    try:
        return Variant(name, _stats(metric_type, raw, f"{where}."))
    except StatsInputError as error:
        if error.field.startswith(where):
            raise
        raise error.within(where) from None


def _check_variants(variants: list[Variant]) -> None:
    names = [v.name for v in variants]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise StatsInputError(f"variants[{index}].name", "must be unique")
    with_covariate = [getattr(v.stats, "covariate", None) is not None for v in variants]
    if any(with_covariate) and not all(with_covariate):
        index = with_covariate.index(False)
        first = "pre_num_sum" if isinstance(variants[index].stats, RatioStats) else "pre_sum"
        raise StatsInputError(
            f"variants[{index}].{first}", "is needed in every variant once any variant has it"
        )


def parse_variants(payload: Mapping, metric_type: str) -> tuple[Variant, ...]:
    """All variants, at least two, with unique names."""
    raw = payload.get("variants")
    if not isinstance(raw, list) or len(raw) < 2:
        raise StatsInputError("variants", "must be a list of at least two variants")
    variants = [parse_variant(metric_type, item, i) for i, item in enumerate(raw)]
    _check_variants(variants)
    return tuple(variants)


def parse_control(payload: Mapping, variants: Sequence[Variant]) -> int:
    """Index of the control: the variant named by ``control``, else the first."""
    names = [v.name for v in variants]
    name = fields.text(payload, "control", names[0])
    if name not in names:
        raise StatsInputError("control", f"names no variant (variants are {', '.join(names)})")
    return names.index(name)


def parse_split(payload: Mapping, size: int) -> tuple[float, ...] | None:
    """Planned weights, one positive number per variant, or None for an equal split."""
    raw = payload.get("expected_split")
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != size:
        raise StatsInputError("expected_split", f"must be a list of {size} weights")
    weights = {f"expected_split[{i}]": w for i, w in enumerate(raw)}
    for field in weights:
        if fields.number(weights, field) <= 0:
            raise StatsInputError(field, "must be positive")
    return tuple(float(w) for w in raw)


def parse_prior(payload: Mapping) -> NormalPrior | None:
    """The optional Normal prior on the relative lift."""
    raw = payload.get("bayes_prior")
    if raw is None:
        return None
    raw = _mapping(raw, "bayes_prior")
    mean = fields.number(raw, "mean", 0.0, prefix="bayes_prior.")
    sd = fields.number(raw, "sd", prefix="bayes_prior.")
    if not sd > 0:
        raise StatsInputError("bayes_prior.sd", "must be positive")
    return NormalPrior(mean, sd)


def _mde(payload: Mapping) -> float | None:
    value = fields.number(payload, "mde_relative", None)
    if value is not None and (value == 0 or value <= -1):
        raise StatsInputError("mde_relative", "must be non-zero and above -1 (-100%)")
    return value


def parse_settings(payload: Mapping) -> Settings:
    """Test settings and reading hints, each defaulted as the interface says."""
    return Settings(
        alpha=fields.fraction(payload, "alpha", 0.05),
        two_sided=fields.boolean(payload, "two_sided", True),
        direction=fields.choice(payload, "direction", ("increase", "decrease"), "increase"),
        correction=fields.choice(payload, "correction", CORRECTIONS, DEFAULT_CORRECTION),
        tuning_parameter=fields.positive(
            payload, "sequential_tuning_parameter", DEFAULT_TUNING_PARAMETER
        ),
        prior=parse_prior(payload),
        role=fields.choice(payload, "role", ("primary", "secondary", "guardrail"), "primary"),
        metric_name=fields.text(payload, "metric_name", ""),
        daily_traffic=fields.positive(payload, "daily_traffic", None),
        mde_relative=_mde(payload),
        power=fields.fraction(payload, "power", 0.8),
        planned_days=fields.whole(payload, "planned_days", Settings.planned_days),
        method=fields.choice(payload, "method", ("sequential", "fixed"), "sequential"),
        planned_sample=fields.whole(
            payload, "planned_sample_per_variant", None, largest=fields.LARGEST
        ),
        days_run=fields.whole(payload, "days_run", None),
    )


def parse_analysis(payload: Any) -> AnalysisInput:
    """The analysis input of one metric, validated field by field."""
    payload = _mapping(payload, "payload")
    metric_type = fields.choice(payload, "metric_type", METRIC_TYPES)
    variants = parse_variants(payload, metric_type)
    return AnalysisInput(
        metric_type=metric_type,
        variants=variants,
        control_index=parse_control(payload, variants),
        expected_split=parse_split(payload, len(variants)),
        settings=parse_settings(payload),
    )


def finite_or_none(value: float | None) -> float | None:
    """A float for JSON: infinities (open interval ends) become None."""
    if value is None or math.isinf(value):
        return None
    return float(value)


def result_block(result) -> dict[str, float | None]:
    """estimate, ci_lower, ci_upper, p_value."""
    return {
        "estimate": finite_or_none(result.estimate),
        "ci_lower": finite_or_none(result.ci_lower),
        "ci_upper": finite_or_none(result.ci_upper),
        "p_value": finite_or_none(result.p_value),
    }


def cuped_to_dict(cuped) -> dict[str, Any] | None:
    """theta, variance_reduction and the adjusted absolute and relative tests, or None."""
    if cuped is None:
        return None
    return {
        "theta": cuped.theta,
        "variance_reduction": cuped.variance_reduction,
        "absolute": result_block(cuped.absolute),
        "relative": result_block(cuped.relative),
    }


def bayesian_to_dict(bayes) -> dict[str, float]:
    """chance_to_win, expected_loss, the credible interval and the posterior moments."""
    return {
        "chance_to_win": bayes.chance_to_win,
        "expected_loss": bayes.expected_loss,
        "ci_lower": bayes.ci_lower,
        "ci_upper": bayes.ci_upper,
        "posterior_mean": bayes.posterior_mean,
        "posterior_sd": bayes.posterior_sd,
    }


def comparison_to_dict(comparison, method: str = "sequential") -> dict[str, Any]:
    """One treatment against the control, in the interface's shape plus status, days, progress
    and the decision rule (``method``) its verdict used."""
    days = comparison.days
    return {
        "variant": comparison.variant,
        "absolute": result_block(comparison.absolute),
        "relative": result_block(comparison.relative),
        "sequential": {
            "absolute": result_block(comparison.sequential_absolute),
            "relative": result_block(comparison.sequential_relative),
        },
        "cuped": cuped_to_dict(comparison.cuped),
        "bayesian": bayesian_to_dict(comparison.bayesian),
        "p_value_adjusted": comparison.p_value_adjusted,
        "status": comparison.verdict.status,
        "verdict": comparison.verdict.sentence,
        "verdict_code": comparison.verdict.code,
        "verdict_params": dict(comparison.verdict.params),
        "days_required": None if days is None else days.required,
        "days_remaining": None if days is None else days.remaining,
        "progress": progress_to_dict(comparison.progress),
        "decision": method,
    }


def progress_to_dict(progress: Progress) -> dict[str, Any]:
    """How far along the plan: sample share, day, planned days, both minimums reached."""
    return {
        "sample_share": progress.sample_share,
        "day": progress.day,
        "planned_days": progress.planned_days,
        "complete": progress.complete,
    }


def method_to_dict(inp: AnalysisInput) -> dict[str, Any]:
    """The settings the numbers were computed with, so a stored result explains itself."""
    s = inp.settings
    return {
        "absolute": ABSOLUTE_METHOD[inp.metric_type],
        "alpha": s.alpha,
        "two_sided": s.two_sided,
        "direction": s.direction,
        "correction": s.correction,
        "sequential_tuning_parameter": s.tuning_parameter,
        "bayes_prior": None if s.prior is None else {"mean": s.prior.mean, "sd": s.prior.sd},
        "decision": s.method,
        "mde_relative": s.mde_relative,
        "planned_sample_per_variant": s.planned_sample,
        "planned_days": s.planned_days,
        "days_run": s.days_run,
    }


def result_to_dict(result: AnalysisResult) -> dict[str, Any]:
    """The analysis output of the JSON interface."""
    inp = result.input
    return {
        "metric_type": inp.metric_type,
        "metric_name": inp.settings.metric_name,
        "role": inp.settings.role,
        "control": inp.control.name,
        "method": method_to_dict(inp),
        "srm": {
            "statistic": result.srm.statistic,
            "p_value": result.srm.p_value,
            "mismatch": result.srm.mismatch,
        },
        "variants": [
            {"name": v.name, "n": v.stats.n, "value": v.stats.value} for v in inp.variants
        ],
        "comparisons": [comparison_to_dict(c, inp.settings.method) for c in result.comparisons],
        "findings": [
            {"code": f.code, "title": f.title, "detail": f.detail, "params": dict(f.params)}
            for f in result.findings
        ],
    }


def analyse(payload: Any) -> dict[str, Any]:
    """Analyse one metric; ``payload`` and the result follow this module's interface."""
    return result_to_dict(analyse_input(parse_analysis(payload)))


def analyse_many(
    payloads: Sequence[Any], correction: str = DEFAULT_CORRECTION
) -> list[dict[str, Any]]:
    """Analyse several metrics of one experiment, correcting across treatments × metrics."""
    correction = fields.choice({"correction": correction}, "correction", ("none", "holm", "bh"))
    inputs = []
    for index, payload in enumerate(payloads):
        try:
            inputs.append(parse_analysis(payload))
        except StatsInputError as error:
            raise error.within(f"payloads[{index}]") from None
    return [result_to_dict(result) for result in analyse_inputs(inputs, correction)]


def analyse_each(
    payloads: Sequence[Any], correction: str
) -> list[dict[str, Any] | StatsInputError]:
    """Like ``analyse_many``, each metric analysed once; a payload the engine refuses gets its
    StatsInputError in its place and takes no part in the correction."""
    compared, answers = [], []
    for payload in payloads:
        try:
            inp = parse_analysis(payload)
            compared.append((inp, compare_all(inp)))
            answers.append(None)
        except StatsInputError as error:
            answers.append(error)
    results = iter(analyse_compared(compared, correction))
    return [result_to_dict(next(results)) if a is None else a for a in answers]


def look_to_dict(inp: AnalysisInput, looks: Sequence[Look]) -> dict[str, Any]:
    """One look of ``analyse_looks``: the variants as ``result_to_dict`` lists them, and per
    treatment the blocks a day-by-day chart draws, each as ``comparison_to_dict`` writes it."""
    return {
        "variants": [
            {"name": v.name, "n": v.stats.n, "value": v.stats.value} for v in inp.variants
        ],
        "comparisons": [
            {
                "variant": c.variant,
                "relative": result_block(c.relative),
                "sequential_relative": result_block(c.sequential_relative),
                "chance_to_win": c.chance_to_win,
            }
            for c in looks
        ],
    }


def analyse_looks(payload: Any, looks: Sequence[Any]) -> list[dict[str, Any] | None]:
    """Several looks at one metric (the cumulative totals of each day, say): per look, what
    ``analyse`` would say of ``payload`` with that look's ``variants`` in place of its own, as
    ``look_to_dict`` shapes it, or None where ``analyse`` would refuse the look.

    The same numbers as ``analyse``, from the same functions, at a fraction of the cost: the
    settings are read once for every look, and the parts a chart of lifts by day never shows
    (the absolute tests, the plan, the SRM test, the correction, the health checks, the
    verdict) are left out; ``looks_all`` refuses the looks ``compare_all`` refuses.
    """
    try:
        payload = _mapping(payload, "payload")
        metric_type = fields.choice(payload, "metric_type", METRIC_TYPES)
        settings = parse_settings(payload)
    except StatsInputError:
        return [None] * len(looks)
    answers = []
    for variants in looks:
        try:
            parsed = parse_variants({"variants": variants}, metric_type)
            inp = AnalysisInput(
                metric_type=metric_type,
                variants=parsed,
                control_index=parse_control(payload, parsed),
                expected_split=parse_split(payload, len(parsed)),
                settings=settings,
            )
            answers.append(look_to_dict(inp, looks_all(inp)))
        except StatsInputError:
            answers.append(None)
    return answers


# Reading a stored output back. Rows stored before a field existed read as its default: the
# decision rule was then always sequential, and no plan minimum was checked.


def _float(value: Any, default: float = math.nan) -> float:
    return default if value is None else float(value)


def test_result_from_dict(raw: Mapping) -> TestResult:
    """A result block; an open (null) interval end is an infinity again."""
    return TestResult(
        estimate=_float(raw.get("estimate")),
        ci_lower=_float(raw.get("ci_lower"), -math.inf),
        ci_upper=_float(raw.get("ci_upper"), math.inf),
        p_value=_float(raw.get("p_value")),
    )


def _cuped_from_dict(raw: Mapping | None) -> CupedResult | None:
    if raw is None:
        return None
    return CupedResult(
        theta=raw["theta"],
        variance_reduction=raw["variance_reduction"],
        absolute=test_result_from_dict(raw["absolute"]),
        relative=test_result_from_dict(raw["relative"]),
    )


def _progress_from_dict(raw: Mapping | None, planned_days: int) -> Progress:
    if raw is None:
        return Progress(None, None, planned_days, complete=True)
    return Progress(raw["sample_share"], raw["day"], raw["planned_days"], raw["complete"])


def comparison_from_dict(raw: Mapping, index: int = 0, planned_days: int = 0) -> Comparison:
    """One stored comparison as the engine's Comparison, its verdict included."""
    days = None
    if raw.get("days_required") is not None:
        days = DaysNeeded(raw["days_required"], raw["days_remaining"])
    return Comparison(
        variant=raw["variant"],
        variant_index=index,
        absolute=test_result_from_dict(raw["absolute"]),
        relative=test_result_from_dict(raw["relative"]),
        sequential_absolute=test_result_from_dict(raw["sequential"]["absolute"]),
        sequential_relative=test_result_from_dict(raw["sequential"]["relative"]),
        cuped=_cuped_from_dict(raw.get("cuped")),
        bayesian=BayesianResult(**raw["bayesian"]),
        days=days,
        progress=_progress_from_dict(raw.get("progress"), planned_days or Settings.planned_days),
        p_value_adjusted=_float(raw.get("p_value_adjusted")),
        verdict=Verdict(
            Status(raw["status"]),
            raw["verdict"],
            raw.get("verdict_code", ""),
            raw.get("verdict_params") or {},
        ),
    )


def decision_rule_of(comparison: Mapping) -> Settings:
    """The decision rule a stored comparison's verdict used, as settings; comparisons stored
    before the rule was recorded beside them (every verdict then read the sequential
    interval) read as sequential."""
    return Settings(method=comparison.get("decision", "sequential"))


def decision_blocks_of(comparison: Mapping) -> tuple[TestResult, TestResult]:
    """(absolute, relative) of one stored comparison by its own decision rule."""
    typed, rule = comparison_from_dict(comparison), decision_rule_of(comparison)
    return verdict.decision_absolute(rule, typed), verdict.decision_interval(rule, typed)


def settings_from_dict(output: Mapping) -> Settings:
    """The settings a stored output was computed with, as far as it records them."""
    method = output["method"]
    prior = method.get("bayes_prior")
    return Settings(
        alpha=method["alpha"],
        two_sided=method["two_sided"],
        direction=method["direction"],
        correction=method["correction"],
        tuning_parameter=method["sequential_tuning_parameter"],
        prior=None if prior is None else NormalPrior(prior["mean"], prior["sd"]),
        role=output["role"],
        metric_name=output["metric_name"],
        mde_relative=method.get("mde_relative"),
        planned_days=method.get("planned_days") or Settings.planned_days,
        method=method.get("decision", "sequential"),
        planned_sample=method.get("planned_sample_per_variant"),
        days_run=method.get("days_run"),
    )


def result_from_dict(output: Mapping) -> StoredResult:
    """``result_to_dict``'s output read back into the engine's types."""
    settings = settings_from_dict(output)
    names = [v["name"] for v in output["variants"]]
    srm = output["srm"]
    return StoredResult(
        metric_type=output["metric_type"],
        control=output["control"],
        settings=settings,
        srm=SrmResult(srm["statistic"], srm["p_value"], srm["mismatch"]),
        variants=tuple(VariantSummary(v["name"], v["n"], v["value"]) for v in output["variants"]),
        comparisons=tuple(
            comparison_from_dict(c, names.index(c["variant"]), settings.planned_days)
            for c in output["comparisons"]
        ),
        findings=tuple(
            Finding(f["code"], f["title"], f["detail"], f.get("params") or {})
            for f in output["findings"]
        ),
    )
