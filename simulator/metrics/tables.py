"""Tables of metrics: per replicate, per strategy with intervals, and paired comparisons."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import numpy as np

from simulator.config import SOURCE_TYPES, TIE_KINDS
from simulator.errors import ArgumentError
from simulator.metrics.bass_fit import bass_fit_summary
from simulator.metrics.intervals import mean_interval, paired_ratio_difference, ratio_interval

if TYPE_CHECKING:
    import pandas as pd

    from simulator.results import RunResult, StrategyResult


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
    if result.lifecycle:
        values.update(_lifecycle_metrics(result))
        values.update(_money_metrics(result, days))
    if result.response:
        values.update(_response_metrics(result))
    if result.reputation:
        values.update(_reputation_metrics(result))
    return values


def _reputation_metrics(result: StrategyResult) -> dict[str, np.ndarray]:
    """Reviews, rating, replies and page totals (issue 15), when their mechanisms ran."""
    values: dict[str, np.ndarray] = {}
    for key, total in result.reputation.items():
        if not key.startswith("page_"):
            values[key] = total
            continue
        for index, channel in enumerate(result.channels):
            if total[:, index].any() or key == "page_followers":
                values[f"{channel}.{key.removeprefix('page_')}"] = total[:, index]
    return values


def _response_metrics(result: StrategyResult) -> dict[str, np.ndarray]:
    """Per-replicate totals of the response mechanisms (issue 14), when they ran."""
    response = result.response
    values: dict[str, np.ndarray] = {}
    if "unspent" in response:
        values["unspent"] = response["unspent"].sum(axis=1)
        for index, channel in enumerate(result.channels):
            values[f"{channel}.unspent"] = response["unspent"][:, index]
    if "positive_messages" in response:
        values["positive_messages"] = response["positive_messages"]
        values["negative_messages"] = response["negative_messages"]
        organic = [SOURCE_TYPES.index(s) for s in ("word_of_mouth", "online_opinion")]
        values["tipped_by_talk"] = result.by_source[:, organic].sum(axis=1)
    if "passives" in response:
        values["passives"] = response["passives"]
    if "messages_by_tie" in response:
        for index, kind in enumerate(TIE_KINDS):
            sent = response["messages_by_tie"][:, index]
            if sent.any():  # kinds the town has
                values[f"messages.{kind}_ties"] = sent
                values[f"tipped_by.{kind}_ties"] = response["tipped_by_tie"][:, index]
    return values


def payback_days(margin: np.ndarray, cost: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The first day on which each replicate's cumulative discounted margin reaches its cost.

    ``margin`` is the per-step series (replicates, steps + 1) and ``cost`` the replicate's
    whole spend. NaN where the cumulative margin never reaches the cost within the horizon,
    and where nothing was spent (no cost to pay back).

    Examples
    --------
    >>> margin = np.array([[0.0, 4, 4, 4], [0.0, 1, 1, 1], [0.0, 1, 0, 0]])
    >>> payback_days(margin, np.array([8.0, 5.0, 0.0]), np.arange(4.0)).tolist()
    [2.0, nan, nan]
    """
    reached = np.cumsum(margin, axis=1) >= cost[:, None]
    out = days[np.argmax(reached, axis=1)].astype(np.float64)
    out[~reached.any(axis=1) | (cost <= 0)] = np.nan
    return out


def _money_metrics(result: StrategyResult, days: np.ndarray) -> dict[str, np.ndarray]:
    """Profit, payback and cohort retention, per replicate (``lifecycle.enabled``).

    ``profit`` is ``clv - cost`` (discounted margin minus the strategy's whole spend, EUR);
    with the lifecycle on it replaces the first-adoption ``profit`` (``product.margin`` x
    adopters - cost), since the unit of account is then the customer. ``margin_total`` is
    the undiscounted margin, ``lifecycle.margin_per_purchase`` x purchases.

    ``payback_days`` is :func:`payback_days` of the per-step ``margin`` series against the
    whole spend (as if all of it were paid on day 0, which a campaign spread over weeks is
    not: a conservative payback). It is NaN in a replicate that never pays back within the
    horizon or spent nothing, so its summary mean and interval are over the replicates that
    did pay back only: a mean *conditional on paying back*, shorter than the payback of the
    strategy as a whole when some replicates never pay back. Read it with
    ``paid_back_share``: 1 in a replicate that paid back, 0 in one that did not (NaN where
    nothing was spent), whose mean is the share of replicates that paid back.

    ``retention_90d`` is the share of the retention cohort (customers acquired by day 30)
    still active (not dropped out) on day 90, or at the horizon if it is shorter
    (``cohort_retained / cohort_customers``; NaN with an empty cohort, and so left out of
    the summary mean). Under BG/NBD drop-out is latent: a customer counts as active until
    the purchase after which she drops out.
    """
    life = result.lifecycle
    cost = result.cost.sum(axis=1).astype(np.float64)
    payback = payback_days(life["margin"], cost, days)
    paid = np.where(cost > 0, np.isfinite(payback).astype(np.float64), np.nan)
    cohort = life["cohort_customers"]
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = np.where(cohort > 0, life["cohort_retained"] / cohort, np.nan)
    return {
        "profit": life["discounted_margin"] - cost,
        "margin_total": life["margin_total"],
        "payback_days": payback,
        "paid_back_share": paid,
        "cohort_customers": cohort,
        "retention_90d": retention,
    }


def _lifecycle_metrics(result: StrategyResult) -> dict[str, np.ndarray]:
    """Customers and their value, per replicate (runs with ``lifecycle.enabled``).

    ``clv`` is the sum over the replicate's customers of their margins discounted to day
    0; ``roi`` is ``(clv - cost) / cost``, NaN in a replicate that spent nothing.

    Split by acquisition source (the source type of the exposure that tipped each
    customer's adoption): ``customers.<source>``, ``revenue.<source>`` and ``clv.<source>``
    for every source type, which add up to ``customers``, ``revenue`` and ``clv``. Split
    by acquisition channel: ``<channel>.customers``, ``<channel>.revenue`` and
    ``<channel>.clv``, as the other per-channel metrics; the rest are organic customers.
    """
    life = result.lifecycle
    cost = result.cost.sum(axis=1)
    clv = life["discounted_margin"]
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(cost > 0, (clv - cost) / cost, np.nan)
    values = {
        "customers": life["customers"],
        "trials": life["trials"],
        "trial_customers": life["trial_customers"],
        "won_back": life["won_back"],
        "active_customers": life["active_customers"][:, -1],
        "purchases": life["purchases"].sum(axis=1),
        "revenue": life["revenue"],
        "clv": clv,
        "roi": roi,
    }
    splits = {"customers": "customers", "revenue": "revenue", "clv": "discounted_margin"}
    for metric, total in splits.items():
        by_source = life[f"{total}_by_source"]
        for index, source in enumerate(SOURCE_TYPES):
            values[f"{metric}.{source}"] = by_source[:, index]
    for metric, total in splits.items():
        by_channel = life[f"{total}_by_channel"]
        for index, channel in enumerate(result.channels):
            values[f"{channel}.{metric}"] = by_channel[:, index]
    return values


RATIOS = {
    "cost_per_adoption": ("cost", "adopters", 1.0),
    "cost_per_1000_reached": ("cost", "reach", 1000.0),
    "wom_multiplier": ("adopters", "adoptions_direct_paid", 1.0),
    "conversion_per_message": ("tipped_by_word_of_mouth", "wom_messages", 1.0),
}
"""Ratio metrics as (numerator, denominator, scale) of per-replicate metrics."""

LIFECYCLE_RATIOS = {
    "trial_conversion_rate": ("trial_customers", "trials", 1.0),
    "customer_acquisition_cost": ("cost", "customers", 1.0),
}
"""Ratio metrics of runs with ``lifecycle.enabled``, as :data:`RATIOS`."""


RESPONSE_RATIOS = {
    "pwom_to_nwom": ("positive_messages", "negative_messages", 1.0),
    "wom_share": ("tipped_by_talk", "adopters", 1.0),
    "conversion_per_message_all": ("tipped_by_talk", "wom_messages", 1.0),
}
"""Ratio metrics of runs with talk response on: positive to negative messages, the share of
adoptions tipped by a consumer's message (offline or online), and a consistent conversion
per message (every talk-tipped adoption over every message; MODEL-REVIEW E.2)."""


def ratios_of(values: dict) -> dict[str, tuple[str, str, float]]:
    """The ratio metrics that ``values`` (from :func:`replicate_metrics`) can give."""
    ratios = RATIOS | LIFECYCLE_RATIOS if "customers" in values else RATIOS
    if "positive_messages" not in values:
        return ratios
    by_tie = {
        f"conversion_per_message.{kind}_ties": (
            f"tipped_by.{kind}_ties",
            f"messages.{kind}_ties",
            1.0,
        )
        for kind in TIE_KINDS
        if f"messages.{kind}_ties" in values
    }
    return ratios | RESPONSE_RATIOS | by_tie


def strategy_summary(result: StrategyResult, days: np.ndarray, margin: float = 0.0) -> dict:
    """Mean and interval bounds (``name``, ``name_low``, ``name_high``) of every metric."""
    values = replicate_metrics(result, days, margin)
    row: dict[str, object] = {"strategy": result.name, "replicates": result.replicates}
    for name, array in values.items():
        row[name], row[f"{name}_low"], row[f"{name}_high"] = mean_interval(array)
    for name, (numerator, denominator, scale) in ratios_of(values).items():
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

    With a strategy that runs no channel (a baseline), ``incremental_customers``
    (``incremental_adopters`` without the lifecycle), ``incremental_clv`` and
    ``cost_per_added`` say what each strategy adds over it, paired replicate by replicate
    (:func:`simulator.metrics.incremental.incremental_table`; strategies named
    ``"group: item"`` against their group's own baseline).

    The last columns, ``bass_p``, ``bass_q`` (per year) and ``bass_market_size``
    (people), are the Bass model fitted to the strategy's mean adoption curve
    (:func:`simulator.metrics.bass_fit.bass_fit_summary`), descriptive only; NaN when the
    curve cannot be fitted or the fit does not describe it.
    """
    import pandas as pd  # heavy: only the tables need it, not the simulation

    # The incremental table builds on compare() in this module: imported here, not above.
    from simulator.metrics.incremental import baseline_of, incremental_table

    margin = result.scenario.product.margin
    rows = [strategy_summary(s, result.days, margin) for s in result.strategies]
    frame = pd.DataFrame(rows)
    baseline = baseline_of(result)
    if baseline is not None:  # what each strategy adds over the one that runs no channel
        added = incremental_table(result, baseline).drop(columns="strategy")
        counted = "customers" if result.strategies[0].lifecycle else "adopters"
        names = {"incremental": f"incremental_{counted}", "cost_per_incremental": "cost_per_added"}
        for column in added.columns:
            base = column.removesuffix("_low").removesuffix("_high")
            frame[names.get(base, base) + column[len(base) :]] = added[column].to_numpy()
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
    import pandas as pd  # heavy: only the tables need it, not the simulation

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

LIFECYCLE_CHANNEL_METRICS = ("customers", "revenue", "clv")
"""Per-channel metrics of runs with ``lifecycle.enabled``, named ``<channel>.<metric>``."""


def comparable_metrics(result: RunResult) -> tuple[str, ...]:
    """Names :func:`compare` accepts for ``result``: per-replicate metrics, then ratios.

    Examples
    --------
    >>> from simulator import config as cfg, simulate
    >>> s = cfg.default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=3, replicates=2, block_size=2)})
    >>> names = comparable_metrics(simulate(s))
    >>> names[:3], names[-4:]
    (('reach', 'adopters', 'promoters'), ('conversion_per_message_all', 'conversion_per_message.strong_ties', 'conversion_per_message.weak_ties', 'conversion_per_message.follow_ties'))
    """
    names: dict[str, None] = {}
    channels = dict.fromkeys(c for strategy in result.strategies for c in strategy.channels)
    channel_names = {f"{c}.{m}" for c in channels for m in CHANNEL_METRICS}
    ratios: dict[str, tuple[str, str, float]] = {}
    for strategy in result.strategies:
        values = replicate_metrics(strategy, result.days, result.scenario.product.margin)
        names.update(dict.fromkeys(n for n in values if n not in channel_names))
        ratios |= ratios_of(values)
    names.update(dict.fromkeys(f"{c}.{m}" for c in channels for m in CHANNEL_METRICS))
    names.update(dict.fromkeys(ratios))
    return tuple(names)


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
    ArgumentError
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
    simulator.errors.ArgumentError: metric: 'adoptres' cannot be compared (did you mean 'adopters'?); allowed: 'reach', 'adopters', ...
    """
    # Long only by its docstring (two kinds of difference, documented in Notes).
    import pandas as pd  # heavy: only the tables need it, not the simulation

    _check_comparable(result, metric, reference)
    strategies = [s.name for s in result.strategies]
    base = result.strategies[0] if reference is None else result.strategy(reference)
    values = {s.name: _metric_values(result, s) for s in result.strategies}

    def difference(name: str) -> tuple[float, float, float]:
        mine, theirs = values[name], values[base.name]
        ratios = ratios_of(mine)
        if metric in ratios:
            numerator, denominator, scale = ratios[metric]
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


def _check_comparable(result: RunResult, metric: object, reference: str | None) -> None:
    """Raise the :class:`ArgumentError` that :func:`compare` documents, or nothing."""
    names = comparable_metrics(result)
    if not isinstance(metric, str) or metric not in names:
        if metric in FITTED:
            raise ArgumentError(
                f"metric: {metric!r} is fitted to each strategy's mean adoption curve, one "
                "value per strategy, so it has no paired replicates to compare; compare "
                "'adopters' or 'days_to_50pct_adopters' instead"
            )
        close = difflib.get_close_matches(str(metric), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ArgumentError(
            f"metric: {metric!r} cannot be compared{hint}; allowed: {', '.join(map(repr, names))}"
        )
    strategies = [s.name for s in result.strategies]
    if reference is not None and reference not in strategies:
        raise ArgumentError(
            f"reference: no strategy {reference!r}; allowed: {', '.join(map(repr, strategies))}"
        )


def _metric_values(result: RunResult, strategy: StrategyResult) -> dict[str, np.ndarray]:
    """Per-replicate metrics, with 0 for the channels the strategy does not run."""
    values = replicate_metrics(strategy, result.days, result.scenario.product.margin)
    zeros = np.zeros(strategy.replicates)
    per_channel = CHANNEL_METRICS + (LIFECYCLE_CHANNEL_METRICS if "customers" in values else ())
    per_channel += ("unspent",) if "unspent" in values else ()
    for other in result.strategies:
        for channel in other.channels:
            for name in per_channel:
                values.setdefault(f"{channel}.{name}", zeros)
    return values
