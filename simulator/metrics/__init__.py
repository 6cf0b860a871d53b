"""Metrics of results: reach, adoptions, costs, attribution, with 95 % intervals.

Per-replicate metrics are averaged with a Student-t interval; ratios of totals (cost per
adoption, cost per 1,000 reached, word-of-mouth multiplier) use the ratio of means with a
delta-method interval, which stays finite when a replicate has no adoption. :func:`compare`
gives paired differences between strategies (common random numbers) of both kinds.
"""

from simulator.metrics.bass_fit import bass_fit_summary
from simulator.metrics.intervals import (
    CONFIDENCE,
    mean_interval,
    paired_ratio_difference,
    ratio_interval,
    t_quantile,
)
from simulator.metrics.tables import (
    CHANNEL_METRICS,
    FITTED,
    HEADLINE,
    RATIOS,
    comparable_metrics,
    compare,
    replicate_metrics,
    replicate_table,
    strategy_summary,
    summarize,
    time_to_share,
)

__all__ = [
    "CHANNEL_METRICS",
    "CONFIDENCE",
    "FITTED",
    "HEADLINE",
    "RATIOS",
    "bass_fit_summary",
    "comparable_metrics",
    "compare",
    "mean_interval",
    "paired_ratio_difference",
    "ratio_interval",
    "replicate_metrics",
    "replicate_table",
    "strategy_summary",
    "summarize",
    "t_quantile",
    "time_to_share",
]
