"""The intervals and spreads that figures draw: means with Student-t intervals over time,
the 5-95 % spread of single runs, and error bars and whiskers in plotly's form."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from simulator import metrics


def interval_over_time(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95 % Student-t interval at each step, over replicates (rows)."""
    values = series.astype(np.float64)
    mean = values.mean(axis=0)
    if values.shape[0] < 2:
        return mean, mean, mean
    quantile = metrics.t_quantile(values.shape[0] - 1)
    half = quantile * values.std(axis=0, ddof=1) / math.sqrt(values.shape[0])
    return mean, mean - half, mean + half


def spread_over_time(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """5th and 95th percentiles at each step over replicates (rows): the prediction band,
    where nine runs in ten end up, not the uncertainty of their mean."""
    low, high = np.percentile(series.astype(np.float64), [5, 95], axis=0)
    return low, high


def error_bars(means: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> dict[str, Any]:
    """Asymmetric plotly error bars from ``means`` to interval ends; none where an end is
    not finite."""
    finite = np.isfinite(lows) & np.isfinite(highs)
    return {
        "type": "data",
        "symmetric": False,
        "array": np.where(finite, np.maximum(highs - means, 0), 0),
        "arrayminus": np.where(finite, np.maximum(means - lows, 0), 0),
        "color": "#333333",
        "thickness": 1.5,
    }


def columns(values: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, lows and highs of ``(mean, low, high)`` rows, as float arrays."""
    table = np.array(values, np.float64).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def whisker(mean: float, low: float, high: float, color: str) -> dict[str, Any]:
    if not (math.isfinite(low) and math.isfinite(high)):
        return {"visible": False}
    return {
        "type": "data",
        "symmetric": False,
        "array": [max(high - mean, 0.0)],
        "arrayminus": [max(mean - low, 0.0)],
        "color": color,
        "thickness": 1.5,
        "width": 6,
    }
