"""Sufficient statistics from raw per-user values, so tests can show the data they start from."""

from metrics.stats import BinomialStats, Covariate, MeanStats, RatioStats


def binomial_of(outcomes: list[int]) -> BinomialStats:
    """Totals of 0/1 outcomes."""
    return BinomialStats(n=len(outcomes), conversions=sum(outcomes))


def mean_of(values: list[float], pre: list[float] | None = None) -> MeanStats:
    """Totals of per-user values, with the pre-period covariate when given."""
    covariate = None
    if pre is not None:
        products = sum(y * x for y, x in zip(values, pre, strict=True))
        covariate = Covariate(sum(pre), sum(x * x for x in pre), products)
    return MeanStats(len(values), sum(values), sum(v * v for v in values), covariate)


def ratio_of(numerators: list[float], denominators: list[float]) -> RatioStats:
    """Totals of per-user numerators and denominators."""
    pairs = list(zip(numerators, denominators, strict=True))
    return RatioStats(
        n=len(pairs),
        num_sum=sum(numerators),
        num_sum_squares=sum(x * x for x in numerators),
        den_sum=sum(denominators),
        den_sum_squares=sum(y * y for y in denominators),
        num_den_sum_products=sum(x * y for x, y in pairs),
    )
