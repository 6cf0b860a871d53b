"""Metrics of results: reach, adoptions, costs, attribution, with 95 % intervals.

Per-replicate metrics are averaged with a Student-t interval; ratios of totals (cost per
adoption, cost per 1,000 reached, word-of-mouth multiplier) use the ratio of means with a
delta-method interval, which stays finite when a replicate has no adoption. :func:`compare`
gives paired differences between strategies (common random numbers) of both kinds.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

from simulator.config import SOURCE_TYPES
from simulator.metrics.bass_fit import bass_fit_summary

if TYPE_CHECKING:
    import pandas as pd

    from simulator.results import RunResult, StrategyResult

CONFIDENCE = 0.95


@functools.cache
def t_quantile(degrees_of_freedom: int) -> float:
    """Two-sided 95 % Student-t quantile for a whole number of degrees of freedom.

    Solves ``P(|T| <= t) = 0.95`` with Newton steps on the closed-form distribution
    function of Student's t with an integer number of degrees of freedom (Abramowitz and
    Stegun 1964, 26.7.3-4). It matches ``scipy.stats.t.ppf`` to a relative 1e-11 (a
    test checks 1 to 120 and up to 100,000 degrees of freedom) without importing ``scipy.special`` (0.3 s) in every
    ``wom run``.

    Examples
    --------
    >>> round(t_quantile(5), 4)
    2.5706
    >>> round(t_quantile(1), 3), round(t_quantile(10_000), 4)
    (12.706, 1.9602)
    """
    nu = int(degrees_of_freedom)
    if nu != degrees_of_freedom or nu < 1:
        raise ValueError(
            f"degrees_of_freedom must be a whole number >= 1; got {degrees_of_freedom!r}"
        )
    tail = (1.0 - CONFIDENCE) / 2
    if nu == 1:  # Cauchy
        return math.tan(math.pi * (0.5 - tail))
    if nu == 2:
        upper = 1.0 - tail
        return (2 * upper - 1) / math.sqrt(2 * upper * (1 - upper))
    log_density_constant = (
        math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)
    )
    z = 1.959963984540054  # the normal quantile: the t quantile lies above it
    t = z + (z**3 + z) / (4 * nu)  # Cornish-Fisher start
    # P(|T| <= t) is concave in t > 0, so after at most one step Newton climbs from below.
    for _ in range(100):
        step = (CONFIDENCE - _t_central_probability(t, nu)) / (
            2 * math.exp(log_density_constant - (nu + 1) / 2 * math.log1p(t * t / nu))
        )
        t += step
        if abs(step) <= 1e-14 * t:
            break
    return t


def _t_central_probability(t: float, nu: int) -> float:
    """P(|T| <= t) for Student's t with an integer nu >= 3 (Abramowitz and Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(nu))
    cos2 = math.cos(theta) ** 2
    # Sum of the terms c_k cos^(2k) theta, each the one before times a ratio.
    k = np.arange(1, nu // 2, dtype=np.float64)
    ratios = (2 * k - 1) / (2 * k) if nu % 2 == 0 else (2 * k) / (2 * k + 1)
    total = 1.0 + float(np.cumprod(cos2 * ratios).sum())
    if nu % 2 == 0:
        return math.sin(theta) * total
    return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % Student-t interval (NaN bounds with one replicate).

    Examples
    --------
    >>> mean, low, high = mean_interval(np.array([1.0, 2.0, 3.0]))
    >>> mean, round(low, 3), round(high, 3)
    (2.0, -0.484, 4.484)
    """
    values = np.asarray(values, np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, math.nan, math.nan
    half = t_quantile(values.size - 1) * values.std(ddof=1) / math.sqrt(values.size)
    return mean, float(mean - half), float(mean + half)


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means with a delta-method 95 % interval.

    Examples
    --------
    >>> ratio, low, high = ratio_interval(np.array([10.0, 12, 14]), np.array([1.0, 1, 1]))
    >>> ratio, round(low, 2), round(high, 2)
    (12.0, 7.03, 16.97)
    """
    x = np.asarray(numerator, np.float64)
    y = np.asarray(denominator, np.float64)
    n = x.size
    if n == 0 or y.mean() == 0:
        return math.nan, math.nan, math.nan
    ratio = float(x.mean() / y.mean())
    if n < 2:
        return ratio, math.nan, math.nan
    covariance = np.cov(x, y, ddof=1)
    variance = (covariance[0, 0] - 2 * ratio * covariance[0, 1] + ratio**2 * covariance[1, 1]) / (
        n * y.mean() ** 2
    )
    half = t_quantile(n - 1) * math.sqrt(max(variance, 0.0))
    return ratio, float(ratio - half), float(ratio + half)


def time_to_share(series: np.ndarray, days: np.ndarray, share: float) -> np.ndarray:
    """Days until each replicate reaches ``share`` of its own final value (NaN if it is 0).

    Examples
    --------
    >>> time_to_share(np.array([[0, 1, 4, 4], [0, 0, 0, 0]]), np.arange(4.0), 0.5).tolist()
    [2.0, nan]
    """
    final = series[:, -1].astype(np.float64)
    reached = series >= share * final[:, None]
    first = np.argmax(reached & (series > 0), axis=1)
    out = days[first].astype(np.float64)
    out[final == 0] = np.nan
    return out


def replicate_metrics(result: StrategyResult, days: np.ndarray, margin: float = 0.0) -> dict:
    """One value per replicate for every additive metric of a strategy."""
    series = result.series
    values = {
        "reach": series["aware"][:, -1],
        "adopters": series["adopters"][:, -1],
        "promoters": series["promoters"][:, -1],
        "detractors": series["detractors"][:, -1],
        "rejecters": series["rejecters"][:, -1],
        "days_to_50pct_adopters": time_to_share(series["adopters"], days, 0.5),
        "impressions": result.impressions.sum(axis=1),
        "cost": result.cost.sum(axis=1),
        "adoptions_direct_paid": result.direct,
        "adoptions_organic": result.by_channel[:, -1],
        "wom_messages": result.messages,
    }
    for index, source in enumerate(SOURCE_TYPES):
        values[f"tipped_by_{source}"] = result.by_source[:, index]
    for index, channel in enumerate(result.channels):
        values[f"{channel}.impressions"] = result.impressions[:, index]
        values[f"{channel}.reach"] = result.reach[:, index]
        values[f"{channel}.cost"] = result.cost[:, index]
        values[f"{channel}.adoptions"] = result.by_channel[:, index]
    if margin > 0:
        values["profit"] = margin * series["adopters"][:, -1] - result.cost.sum(axis=1)
    return values


RATIOS = {
    "cost_per_adoption": ("cost", "adopters", 1.0),
    "cost_per_1000_reached": ("cost", "reach", 1000.0),
    "wom_multiplier": ("adopters", "adoptions_direct_paid", 1.0),
    "conversion_per_message": ("tipped_by_word_of_mouth", "wom_messages", 1.0),
}
"""Ratio metrics as (numerator, denominator, scale) of per-replicate metrics."""


def strategy_summary(result: StrategyResult, days: np.ndarray, margin: float = 0.0) -> dict:
    """Mean and interval bounds (``name``, ``name_low``, ``name_high``) of every metric."""
    values = replicate_metrics(result, days, margin)
    row: dict[str, object] = {"strategy": result.name, "replicates": result.replicates}
    for name, array in values.items():
        row[name], row[f"{name}_low"], row[f"{name}_high"] = mean_interval(array)
    for name, (numerator, denominator, scale) in RATIOS.items():
        ratio = ratio_interval(values[numerator] * scale, values[denominator])
        row[name], row[f"{name}_low"], row[f"{name}_high"] = ratio
    return row


HEADLINE = (
    "reach",
    "adopters",
    "cost",
    "cost_per_adoption",
    "cost_per_1000_reached",
    "days_to_50pct_adopters",
    "wom_multiplier",
    "promoters",
    "detractors",
)


def summarize(result: RunResult) -> pd.DataFrame:
    """One row per strategy: headline metrics first, then everything else.

    The last columns, ``bass_p``, ``bass_q`` (per year) and ``bass_market_size``
    (people), are the Bass model fitted to the strategy's mean adoption curve
    (:func:`simulator.metrics.bass_fit.bass_fit_summary`); NaN when the curve cannot be fitted.
    """
    import pandas as pd

    margin = result.scenario.product.margin
    rows = [strategy_summary(s, result.days, margin) for s in result.strategies]
    frame = pd.DataFrame(rows)
    fits = bass_fit_summary(result)
    for name in ("p", "q", "market_size"):
        frame[f"bass_{name}"] = fits[name].to_numpy()
    first = ["strategy", "replicates"] + [
        f"{m}{suffix}" for m in HEADLINE for suffix in ("", "_low", "_high")
    ]
    rest = [c for c in frame.columns if c not in first]
    return frame[first + rest]


def replicate_table(result: RunResult) -> pd.DataFrame:
    """One row per strategy and replicate with every per-replicate metric."""
    import pandas as pd

    margin = result.scenario.product.margin
    frames = []
    for strategy in result.strategies:
        frame = pd.DataFrame(replicate_metrics(strategy, result.days, margin))
        frame.insert(0, "replicate", np.arange(strategy.replicates))
        frame.insert(0, "strategy", strategy.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


FITTED = ("bass_p", "bass_q", "bass_market_size")
"""Summary columns fitted to a strategy's mean curve: one value per strategy, not per
replicate, so they have no paired differences."""

CHANNEL_METRICS = ("impressions", "reach", "cost", "adoptions")
"""Per-channel metrics, named ``<channel>.<metric>``."""


def comparable_metrics(result: RunResult) -> tuple[str, ...]:
    """Names :func:`compare` accepts for ``result``: per-replicate metrics, then ratios.

    Examples
    --------
    >>> from simulator import config as cfg, simulate
    >>> s = cfg.default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=3, replicates=2, block_size=2)})
    >>> names = comparable_metrics(simulate(s))
    >>> names[:3], names[-4:]
    (('reach', 'adopters', 'promoters'), ('cost_per_adoption', 'cost_per_1000_reached', 'wom_multiplier', 'conversion_per_message'))
    """
    names: dict[str, None] = {}
    channels = dict.fromkeys(c for strategy in result.strategies for c in strategy.channels)
    channel_names = {f"{c}.{m}" for c in channels for m in CHANNEL_METRICS}
    for strategy in result.strategies:
        values = replicate_metrics(strategy, result.days, result.scenario.product.margin)
        names.update(dict.fromkeys(n for n in values if n not in channel_names))
    names.update(dict.fromkeys(f"{c}.{m}" for c in channels for m in CHANNEL_METRICS))
    names.update(dict.fromkeys(RATIOS))
    return tuple(names)


def paired_ratio_difference(
    numerator: np.ndarray,
    denominator: np.ndarray,
    reference_numerator: np.ndarray,
    reference_denominator: np.ndarray,
) -> tuple[float, float, float]:
    """Difference of two ratios of means over paired replicates, with a delta-method 95 % interval.

    With ``R = mean(x) / mean(y)`` and ``R0 = mean(x0) / mean(y0)`` over the same
    replicates, ``R - R0`` is linearised around the means (the delta method, as in
    :func:`ratio_interval`): replicate ``i`` contributes
    ``z_i = (x_i - R y_i) / mean(y) - (x0_i - R0 y0_i) / mean(y0)``, and the interval is
    ``R - R0 +- t(n - 1) sd(z) / sqrt(n)``. Pairing enters through ``z``: what the two
    strategies' replicates share cancels. NaN when a denominator's mean is 0. The
    linearisation is accurate when each denominator's mean is large against its standard
    error (many adoptions, not a handful); with few, the interval is too narrow.

    Examples
    --------
    >>> cost = np.array([100.0, 120, 90, 110])
    >>> adopters = np.array([10.0, 12, 9, 11])
    >>> paired_ratio_difference(2 * cost, adopters, cost, adopters)  # 20 vs 10 a head
    (10.0, 10.0, 10.0)
    >>> d, low, high = paired_ratio_difference(cost + [5, -5, 5, -5], adopters, cost, adopters)
    >>> round(d, 3), round(low, 3), round(high, 3)
    (0.0, -0.875, 0.875)
    """
    x, y, x0, y0 = (
        np.asarray(a, np.float64)
        for a in (numerator, denominator, reference_numerator, reference_denominator)
    )
    n = x.size
    if n == 0 or y.mean() == 0 or y0.mean() == 0:
        return math.nan, math.nan, math.nan
    ratio, reference = x.mean() / y.mean(), x0.mean() / y0.mean()
    difference = float(ratio - reference)
    if n < 2:
        return difference, math.nan, math.nan
    linearised = (x - ratio * y) / y.mean() - (x0 - reference * y0) / y0.mean()
    half = t_quantile(n - 1) * float(linearised.std(ddof=1)) / math.sqrt(n)
    return difference, difference - half, difference + half


def compare(
    result: RunResult, metric: str = "adopters", reference: str | None = None
) -> pd.DataFrame:
    """Paired differences of ``metric`` against a reference strategy, with 95 % intervals.

    Replicate ``i`` of every strategy shares its random streams (common random numbers),
    so pairing removes most of the noise that the strategies have in common.

    Parameters
    ----------
    result : RunResult
        A run with one or more strategies (all with the same replicates).
    metric : str
        A per-replicate metric (``adopters``, ``reach``, ``cost``, ``<channel>.cost``...)
        or a ratio (``cost_per_adoption``, ``cost_per_1000_reached``, ``wom_multiplier``,
        ``conversion_per_message``); :func:`comparable_metrics` lists them all.
    reference : str, optional
        The strategy to subtract; the first by default.

    Returns
    -------
    DataFrame
        One row per strategy: ``difference`` (strategy minus reference) and its 95 %
        interval ``difference_low``, ``difference_high``.

    Notes
    -----
    A per-replicate metric's difference is the mean of the replicate-by-replicate
    differences, with a Student-t interval (replicates where either value is NaN, such
    as ``days_to_50pct_adopters`` with no adopter, are left out). A strategy that does
    not run a channel has 0 of its ``<channel>.*`` metrics.

    A ratio is, as in the summary, the ratio of the means of its numerator and
    denominator (``cost_per_adoption`` = mean cost / mean adopters), not the mean of
    per-replicate ratios, which is undefined when a replicate has no adopter. Its
    difference is the difference of the two strategies' ratios, and the interval is the
    delta method on the paired replicates (:func:`paired_ratio_difference`): honest when
    the denominators are large, too narrow when a strategy has a handful of adoptions
    (then compare ``cost`` and ``adopters`` separately, or run more replicates). It is
    NaN where a strategy's denominator is 0 (``wom_multiplier`` with no paid adoption).

    Raises
    ------
    ConfigError
        An unknown metric (the message lists the metrics that can be compared), a
        fitted summary column (``bass_p``...), or an unknown reference strategy.

    Examples
    --------
    >>> from simulator import config as cfg, simulate
    >>> s = cfg.default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=20, replicates=8, block_size=8)})
    >>> result = simulate(s)
    >>> table = compare(result, "cost_per_adoption", reference="word of mouth")
    >>> table.columns.tolist()
    ['strategy', 'reference', 'metric', 'difference', 'difference_low', 'difference_high']
    >>> row = table.set_index("strategy").loc["social ads"]
    >>> bool(row.difference_low <= row.difference <= row.difference_high)
    True
    >>> compare(result, "adoptres")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: metric: 'adoptres' cannot be compared (did you mean 'adopters'?); allowed: 'reach', 'adopters', ...
    """
    import difflib

    import pandas as pd

    from simulator.errors import ConfigError

    names = comparable_metrics(result)
    if not isinstance(metric, str) or metric not in names:
        if metric in FITTED:
            raise ConfigError(
                f"metric: {metric!r} is fitted to each strategy's mean adoption curve, one "
                "value per strategy, so it has no paired replicates to compare; compare "
                "'adopters' or 'days_to_50pct_adopters' instead"
            )
        close = difflib.get_close_matches(str(metric), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"metric: {metric!r} cannot be compared{hint}; allowed: {', '.join(map(repr, names))}"
        )
    strategies = [s.name for s in result.strategies]
    if reference is not None and reference not in strategies:
        raise ConfigError(
            f"reference: no strategy {reference!r}; allowed: {', '.join(map(repr, strategies))}"
        )
    base = result.strategies[0] if reference is None else result.strategy(reference)
    values = {s.name: _metric_values(result, s) for s in result.strategies}

    def difference(name: str) -> tuple[float, float, float]:
        mine, theirs = values[name], values[base.name]
        if metric in RATIOS:
            numerator, denominator, scale = RATIOS[metric]
            return paired_ratio_difference(
                mine[numerator] * scale,
                mine[denominator],
                theirs[numerator] * scale,
                theirs[denominator],
            )
        return mean_interval(mine[metric] - theirs[metric])

    rows = []
    for name in strategies:
        mean, low, high = difference(name)
        rows.append(
            {
                "strategy": name,
                "reference": base.name,
                "metric": metric,
                "difference": mean,
                "difference_low": low,
                "difference_high": high,
            }
        )
    return pd.DataFrame(rows)


def _metric_values(result: RunResult, strategy: StrategyResult) -> dict[str, np.ndarray]:
    """Per-replicate metrics, with 0 for the channels the strategy does not run."""
    values = replicate_metrics(strategy, result.days, result.scenario.product.margin)
    zeros = np.zeros(strategy.replicates)
    for other in result.strategies:
        for channel in other.channels:
            for name in CHANNEL_METRICS:
                values.setdefault(f"{channel}.{name}", zeros)
    return values
