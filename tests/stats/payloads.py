"""Payloads of the JSON interface shared by the interface, verdict and CLI tests."""

import copy


def binomial_payload(
    control_counts=(10_000, 500), treatment_counts=(10_000, 560), **settings
) -> dict:
    """A two-arm conversion test; settings are top-level keys of the payload."""
    payload = {
        "metric_type": "binomial",
        "variants": [
            {"name": "control", "n": control_counts[0], "conversions": control_counts[1]},
            {"name": "treatment", "n": treatment_counts[0], "conversions": treatment_counts[1]},
        ],
    }
    payload.update(settings)
    return copy.deepcopy(payload)


def mean_payload(**settings) -> dict:
    """Revenue per user with last month's revenue as the CUPED covariate.

    Summaries of: control n 4000, mean 12, sd 30, pre mean 11, pre sd 28, corr 0.7;
    treatment n 4000, mean 13, sd 31, pre mean 11.1, pre sd 28, corr 0.7.
    """
    payload = {
        "metric_type": "mean",
        "variants": [
            _mean_variant("control", 4000, 12.0, 30.0, 11.0, 28.0, 0.7),
            _mean_variant("treatment", 4000, 13.0, 31.0, 11.1, 28.0, 0.7),
        ],
    }
    payload.update(settings)
    return payload


def _mean_variant(name, n, mean, sd, pre_mean, pre_sd, corr) -> dict:
    return {
        "name": name,
        "n": n,
        "sum": n * mean,
        "sum_squares": (n - 1) * sd**2 + n * mean**2,
        "pre_sum": n * pre_mean,
        "pre_sum_squares": (n - 1) * pre_sd**2 + n * pre_mean**2,
        "post_pre_sum_products": (n - 1) * corr * sd * pre_sd + n * mean * pre_mean,
    }
