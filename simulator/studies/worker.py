"""What a worker does with one cell: simulate it through the engine and tabulate it.

A cell runs through :func:`simulator.engine.run.simulate`, the function ``wom run`` calls,
and its tables are :func:`simulator.metrics.replicate_table` and
:func:`simulator.metrics.summarize`, so a scenario gives the same numbers and the same
columns in a sweep as in ``wom run``. Everything here is picklable and top-level, so it
runs under ``spawn`` process pools, in Jupyter and on Dask workers.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import config as cfg
from simulator import metrics
from simulator.engine.run import block_sizes, merge_blocks, prepare, run_block, simulate
from simulator.errors import SimulatorError
from simulator.results import SERIES, RunResult, StrategyResult

if TYPE_CHECKING:
    import pandas as pd

NUMERIC_PACKAGES = ("wom-simulator", "numpy", "scipy", "networkx")
"""Packages whose versions shape a cell's numbers: cells made with others are not mixed."""


@dataclass(frozen=True)
class CellTask:
    """What a worker needs to run one cell (picklable)."""

    id: str
    scenario: cfg.Scenario
    target_ci: float | None
    metric: str
    max_replicates: int
    graphs: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CellOutcome:
    """A cell's tables (``replicates``, ``summary``) or its error."""

    id: str
    replicates: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    error: str | None = None
    target_met: bool | None = None
    seconds: float = 0.0
    versions: Mapping[str, str] = field(default_factory=dict)


@functools.cache
def _installed(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def numeric_versions() -> dict[str, str]:
    """Versions of :data:`NUMERIC_PACKAGES` here (a worker reports its own with each cell)."""
    return {package: _installed(package) for package in NUMERIC_PACKAGES}


def metric_names(scenario: cfg.Scenario) -> list[str]:
    """Every per-replicate and ratio metric a strategy of ``scenario`` can have.

    Examples
    --------
    >>> names = metric_names(cfg.default_scenario())
    >>> "adopters" in names, "cost_per_adoption" in names
    (True, True)
    """
    channels = len(scenario.channels)
    empty = StrategyResult(
        name="",
        channels=tuple(scenario.channels),
        series={name: np.zeros((1, 2), np.int32) for name in SERIES},
        impressions=np.zeros((1, channels)),
        reach=np.zeros((1, channels)),
        cost=np.zeros((1, channels)),
        by_source=np.zeros((1, len(cfg.SOURCE_TYPES))),
        by_channel=np.zeros((1, channels + 1)),
        direct=np.zeros(1),
        messages=np.zeros(1),
    )
    return [*metrics.replicate_metrics(empty, np.arange(2.0), margin=1.0), *metrics.RATIOS]


def _narrow_enough(result: RunResult, metric: str, width: float) -> bool:
    margin = result.scenario.product.margin
    for strategy in result.strategies:
        row = metrics.strategy_summary(strategy, result.days, margin)
        if metric not in row:  # a channel metric of a strategy without that channel
            continue
        if not row[f"{metric}_high"] - row[f"{metric}_low"] < width:  # NaN: not yet
            return False
    return True


def simulate_cell(
    scenario: cfg.Scenario,
    *,
    target_ci: float | None = None,
    metric: str = "adopters",
    max_replicates: int = 1000,
    graphs: Mapping[str, Any] | None = None,
) -> tuple[RunResult, bool | None]:
    """Simulate a cell, adding replicate blocks until ``metric``'s interval is narrow enough.

    Without ``target_ci`` this is :func:`simulator.engine.run.simulate`. With it, blocks of
    ``simulation.block_size`` replicates, with new block indices (so earlier replicates are
    kept and results stay deterministic), are added to every strategy together until the
    95 % interval of ``metric`` is narrower than ``target_ci`` for every strategy or
    ``max_replicates`` is reached. Returns the result and whether the target was met (None
    without a target).

    Examples
    --------
    >>> s = cfg.default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=5, replicates=2, block_size=2)})
    >>> result, met = simulate_cell(s, target_ci=1e9)
    >>> met, result.strategies[0].replicates, result.provenance["replicates"]
    (True, 2, 2)
    """
    if target_ci is None:
        return simulate(scenario, graphs=graphs), None
    started = time.perf_counter()
    prepared = prepare(scenario, graphs=graphs)
    built = time.perf_counter()
    sim = scenario.simulation
    sizes = block_sizes(sim.replicates, sim.block_size)
    blocks = [[run_block(p, b, n) for b, n in enumerate(sizes)] for p in prepared]

    def merged() -> RunResult:
        timings = {
            "build_seconds": built - started,
            "simulate_seconds": time.perf_counter() - built,
        }
        return merge_blocks(scenario, prepared, blocks, timings=timings)

    result = merged()
    total = sim.replicates
    met = _narrow_enough(result, metric, target_ci)
    while not met and total < max_replicates:
        extra = min(sim.block_size, max_replicates - total)
        block = len(sizes)
        sizes.append(extra)
        for p, bs in zip(prepared, blocks, strict=True):
            bs.append(run_block(p, block, extra))
        total += extra
        result = merged()
        met = _narrow_enough(result, metric, target_ci)
    return result, met


def run_cell(task: CellTask) -> CellOutcome:
    """Run one cell in a worker; any error fails this cell only.

    A top-level function of picklable arguments, so it runs under ``spawn`` process pools,
    in Jupyter and on Dask workers. The summary is :func:`simulator.metrics.summarize`,
    the table of ``wom run``'s ``summary.csv``.
    """
    started = time.perf_counter()
    try:
        result, met = simulate_cell(
            task.scenario,
            target_ci=task.target_ci,
            metric=task.metric,
            max_replicates=task.max_replicates,
            graphs=task.graphs,
        )
        replicates = metrics.replicate_table(result)
        summary = metrics.summarize(result)
    except Exception as exc:  # one broken cell must not stop the study
        kind = "" if isinstance(exc, SimulatorError) else f"{type(exc).__name__}: "
        return CellOutcome(task.id, error=f"{kind}{exc}", seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return CellOutcome(task.id, replicates, summary, None, met, seconds, numeric_versions())
