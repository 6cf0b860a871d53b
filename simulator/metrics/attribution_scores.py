"""Attribution rules scored against the truth, and the verdict: which rule misleads, by how much.

Inputs are per-replicate arrays over the same *columns*: the strategy's channels, then
*organic* (conversions a rule gives to word of mouth or to no touch at all, and, for the
truth, the conversions that happen with every channel switched off). Truth is the
Shapley value of each channel over paired runs with channels switched off (common random
numbers); the removal effect, conversions lost when only that channel is switched off, is
reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simulator.errors import ArgumentError
from simulator.metrics.intervals import mean_interval


def _check(name: str, array: np.ndarray, shape: tuple[int, int]) -> None:
    if array.shape != shape:
        raise ArgumentError(
            f"{name} must have shape (replicates, columns) = {shape}; got {array.shape}"
        )


def score_table(
    credits: Mapping[str, np.ndarray],
    truth: np.ndarray,
    removal: np.ndarray,
    columns: Sequence[str],
) -> pd.DataFrame:
    """One row per rule and column: credited, true incremental and the error, with 95 % intervals.

    ``credits[rule]`` and ``truth`` are ``(replicates, columns)``; ``removal`` is
    ``(replicates, columns - 1)`` (organic cannot be switched off). The error is credited
    minus truth, paired by replicate; ``error_share`` is the error over the mean truth.

    Examples
    --------
    >>> truth = np.array([[6.0, 4.0, 0.0], [8.0, 2.0, 0.0]])
    >>> credits = {"last_touch": np.array([[5.0, 5.0, 0.0], [7.0, 3.0, 0.0]])}
    >>> table = score_table(credits, truth, truth[:, :2], ["a", "b", "organic"])
    >>> table[["rule", "channel", "credited", "truth", "error"]].values.tolist()[:2]
    [['last_touch', 'a', 6.0, 7.0, -1.0], ['last_touch', 'b', 4.0, 3.0, 1.0]]
    """
    shape = (truth.shape[0], len(columns))
    _check("truth", truth, shape)
    _check("removal", removal, (shape[0], shape[1] - 1))
    rows = []
    for rule, credited in credits.items():
        _check(f"credits[{rule!r}]", credited, shape)
        for column, name in enumerate(columns):
            row: dict[str, object] = {"rule": rule, "channel": name}
            removed = removal[:, column] if column < removal.shape[1] else np.full(shape[0], np.nan)
            for key, values in (
                ("credited", credited[:, column]),
                ("truth", truth[:, column]),
                ("removal_effect", removed),
                ("error", credited[:, column] - truth[:, column]),
            ):
                mean, low, high = mean_interval(values)
                row |= {key: mean, f"{key}_low": low, f"{key}_high": high}
            truth_mean = float(row["truth"])  # type: ignore[arg-type]
            row["error_share"] = (
                float(row["error"]) / truth_mean if truth_mean else math.nan  # type: ignore[arg-type]
            )
            rows.append(row)
    return pd.DataFrame(rows)


def verdict(table: pd.DataFrame, conversions: float) -> pd.DataFrame:
    """Per rule: the share of conversions it misplaces, its worst channel and whether it
    picks the channel that truly brings the most.

    ``misplaced_share`` is half the sum over columns of |mean error| divided by the mean
    conversions (the share of customers credited to the wrong column; 0 is the truth).
    ``worst_*`` name the column with the largest |mean error| and that error with its
    interval; ``misleads`` is True when that interval excludes 0 (the error is not noise).

    Examples
    --------
    >>> truth = np.array([[6.0, 4.0, 0.0], [8.0, 2.0, 0.0]])
    >>> credits = {"last_touch": np.array([[5.0, 5.0, 0.0], [7.0, 3.0, 0.0]])}
    >>> table = score_table(credits, truth, truth[:, :2], ["a", "b", "organic"])
    >>> verdict(table, 10.0)[["rule", "misplaced_share", "worst_channel"]].values.tolist()
    [['last_touch', 0.1, 'a']]
    """
    rows = []
    for rule, part in table.groupby("rule", sort=False):
        channels = part[part["removal_effect"].notna()]
        worst = part.loc[part["error"].abs().idxmax()]
        best_credited = channels.loc[channels["credited"].idxmax(), "channel"]
        best_truth = channels.loc[channels["truth"].idxmax(), "channel"]
        rows.append(
            {
                "rule": rule,
                "misplaced_share": 0.5 * float(part["error"].abs().sum()) / conversions
                if conversions
                else math.nan,
                "worst_channel": worst["channel"],
                "worst_error": worst["error"],
                "worst_error_low": worst["error_low"],
                "worst_error_high": worst["error_high"],
                "worst_error_share": worst["error_share"],
                "misleads": bool(worst["error_low"] > 0 or worst["error_high"] < 0),
                "best_channel_by_rule": best_credited,
                "best_channel_truly": best_truth,
                "picks_best": best_credited == best_truth,
            }
        )
    return pd.DataFrame(rows).sort_values("misplaced_share", kind="stable").reset_index(drop=True)
