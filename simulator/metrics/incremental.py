"""What each strategy adds over a strategy that runs no channel (the baseline).

With walk-ins (baseline demand, issue 14) some people buy with no campaign at all, so a
strategy's customers are not what it brought in: its *incremental* customers are its
customers minus the baseline's, paired replicate by replicate (common random numbers:
replicate ``i`` of every strategy shares its streams).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from simulator.metrics.tables import compare

if TYPE_CHECKING:
    from simulator.results import RunResult

__all__ = ["baseline_of", "incremental_table"]


def baseline_of(result: RunResult) -> str | None:
    """The name of the first strategy that runs no channel, or None.

    Examples
    --------
    >>> from simulator import config as cfg, simulate
    >>> data = cfg.default_scenario_data()
    >>> data["simulation"].update(steps=5, replicates=2)
    >>> baseline_of(simulate(cfg.validate_scenario(data)))
    'no campaign'
    """
    for strategy in result.strategies:
        if not strategy.channels:
            return strategy.name
    return None


def _group(name: str) -> str | None:
    """The group of a strategy named ``"group: what"`` (as reports group them), or None."""
    return name.split(": ", 1)[0] if ": " in name else None


def incremental_table(result: RunResult, baseline: str) -> pd.DataFrame:
    """Per strategy: incremental customers (adopters without the lifecycle) and CLV over
    ``baseline``, with 95 % intervals, and the cost per incremental customer.

    Strategies named ``"group: what"`` are set against their own group's strategy that
    runs no channel, when the group has one (each business of an experiment has its own
    town, and its own walk-ins), else against ``baseline``.

    The cost per incremental customer is the ratio of the mean cost to the mean
    incremental customers (NaN when the strategy adds none on average); it has no
    interval, since its denominator may cross zero.

    Examples
    --------
    >>> from simulator import config as cfg, simulate
    >>> data = cfg.default_scenario_data()
    >>> data["simulation"].update(steps=20, replicates=4)
    >>> table = incremental_table(simulate(cfg.validate_scenario(data)), "no campaign")
    >>> float(table.set_index("strategy").loc["no campaign", "incremental"])
    0.0
    """
    customers = "customers" if result.strategies[0].lifecycle else "adopters"
    own = {
        _group(s.name): s.name
        for s in result.strategies
        if not s.channels and _group(s.name) is not None
    }
    tables: dict[str, dict[str, pd.DataFrame]] = {}

    def paired(metric: str, reference: str) -> pd.DataFrame:
        by_metric = tables.setdefault(reference, {})
        if metric not in by_metric:
            table = compare(result, metric, reference=reference)
            by_metric[metric] = table.set_index("strategy")
        return by_metric[metric]

    rows = []
    for strategy in result.strategies:
        name = strategy.name
        reference = own.get(_group(name), baseline)
        counted, cost = paired(customers, reference), paired("cost", reference)
        row = {
            "strategy": name,
            "incremental": counted.loc[name, "difference"],
            "incremental_low": counted.loc[name, "difference_low"],
            "incremental_high": counted.loc[name, "difference_high"],
        }
        if strategy.lifecycle:
            value = paired("clv", reference)
            row |= {
                "incremental_clv": value.loc[name, "difference"],
                "incremental_clv_low": value.loc[name, "difference_low"],
                "incremental_clv_high": value.loc[name, "difference_high"],
            }
        extra = row["incremental"]
        spent = cost.loc[name, "difference"]
        row["cost_per_incremental"] = spent / extra if extra > 0 else math.nan
        row["cost_per_incremental_low"] = row["cost_per_incremental_high"] = math.nan
        rows.append(row)
    return pd.DataFrame(rows)
