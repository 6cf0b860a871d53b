"""Word of mouth read off the referral tree: generations, viral coefficient, depth, referrers.

Generation 0 are the customers won without a referrer (by a channel, a page's share or
the background); a customer whose tipping message came from a friend is one generation
after that friend. All functions take one row per customer: ``replicate``, ``generation``
and ``referrer`` (-1 for none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.metrics.intervals import mean_interval, ratio_interval


def generation_counts(replicate: np.ndarray, generation: np.ndarray, replicates: int) -> np.ndarray:
    """Customers per replicate and generation, ``(replicates, deepest + 1)``.

    Examples
    --------
    >>> generation_counts(np.array([0, 0, 0, 1]), np.array([0, 1, 1, 0]), 2).tolist()
    [[1, 2], [1, 0]]
    """
    depth = int(generation.max(initial=0)) + 1
    counts = np.zeros((replicates, depth), np.int64)
    np.add.at(counts, (replicate, generation), 1)
    return counts


def wom_metrics(
    replicate: np.ndarray,
    generation: np.ndarray,
    referrer: np.ndarray,
    replicates: int,
) -> pd.DataFrame:
    """Viral coefficient by generation and overall, depth, shares and customers per referrer.

    Rows (``metric``, ``generation``, ``mean``, ``low``, ``high``): ``customers`` and
    ``share`` per generation; ``k_factor`` per generation g, customers of generation g + 1
    per customer of generation g (a ratio of means over replicates); ``k_factor`` overall
    (generation NaN), referred customers per customer; ``depth``, the deepest generation;
    ``mean_generation``; ``customers_per_referrer``, referred customers per customer who
    referred at least one. Intervals are 95 % over replicates.

    Examples
    --------
    >>> table = wom_metrics(np.zeros(4, int), np.array([0, 1, 1, 2]), np.array([-1, 0, 0, 1]), 1)
    >>> float(table.set_index(["metric", "generation"])["mean"].loc[("k_factor", 0)])
    2.0
    """
    counts = generation_counts(replicate, generation, replicates).astype(np.float64)
    total = counts.sum(axis=1)
    rows: list[dict[str, float | str]] = []

    def add(metric: str, g: float, values: tuple[float, float, float]) -> None:
        rows.append(
            {
                "metric": metric,
                "generation": g,
                "mean": values[0],
                "low": values[1],
                "high": values[2],
            }
        )

    for g in range(counts.shape[1]):
        add("customers", g, mean_interval(counts[:, g]))
        add("share", g, ratio_interval(counts[:, g], total))
        if g + 1 < counts.shape[1]:
            add("k_factor", g, ratio_interval(counts[:, g + 1], counts[:, g]))
    referred = np.bincount(replicate[referrer >= 0], minlength=replicates).astype(np.float64)
    add("k_factor", np.nan, ratio_interval(referred, total))
    deepest = np.array(
        [generation[replicate == r].max(initial=0) for r in range(replicates)], np.float64
    )
    add("depth", np.nan, mean_interval(deepest))
    add("mean_generation", np.nan, ratio_interval(counts @ np.arange(counts.shape[1]), total))
    pairs = np.unique(
        replicate[referrer >= 0] * (int(referrer.max(initial=0)) + 1) + referrer[referrer >= 0]
    )
    referrers = np.bincount(pairs // (int(referrer.max(initial=0)) + 1), minlength=replicates)
    add("customers_per_referrer", np.nan, ratio_interval(referred, referrers.astype(np.float64)))
    return pd.DataFrame(rows)
