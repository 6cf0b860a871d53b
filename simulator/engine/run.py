"""Running a scenario: :func:`simulate` is the only path from a scenario to results.

Replicates run in blocks (:mod:`simulator.engine.block`) of strategies prepared once
(:mod:`simulator.engine.prepare`), here or shared with helper processes
(:mod:`simulator.engine.parallel`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator import lifeline
from simulator.engine.block import run_block
from simulator.engine.parallel import Progress, run_shared
from simulator.engine.prepare import PreparedStrategy, prepare
from simulator.errors import ArgumentError
from simulator.results import RunResult, StrategyResult, provenance

__all__ = ["PreparedStrategy", "Progress", "block_sizes", "prepare", "run_block", "simulate"]


def block_sizes(replicates: int, block_size: int) -> list[int]:
    """Replicates per block: full blocks, then the remainder.

    Examples
    --------
    >>> block_sizes(45, 20)
    [20, 20, 5]
    """
    full, rest = divmod(replicates, block_size)
    return [block_size] * full + ([rest] if rest else [])


# --------------------------------------------------------------------------- public entry


def simulate(
    scenario: cfg.Scenario,
    *,
    graphs: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
) -> RunResult:
    """Run every strategy of ``scenario`` and return frozen results.

    Replicates run in blocks of ``simulation.block_size``; block ``b`` of every strategy
    uses the same streams (common random numbers), so differences between strategies are
    the strategies' and results do not depend on how blocks are scheduled. With
    ``workers > 1`` this process and ``workers - 1`` helper processes share the
    (strategy, block) tasks; each helper builds the town once from the scenario's seed,
    and the results are identical to a one-process run.

    ``cache_dir`` (default: the environment variable ``WOM_CACHE_DIR``, else no cache) is a
    folder of built towns (:mod:`simulator.town.cache`): a town built before with the same
    population, layers, seed and code is read instead of built, with the same arrays.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> s = default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=10, replicates=2, block_size=2)})
    >>> result = simulate(s)
    >>> [r.name for r in result.strategies][:2]
    ['word of mouth', 'newspaper']
    """
    if isinstance(workers, np.integer):
        workers = int(workers)
    lifeline.check_workers(workers, option="workers")

    # A spawned helper imports the main script before it can work; a script that calls
    # simulate(workers > 1) outside `if __name__ == "__main__":` calls it again here, and
    # the helper would rebuild the town only to fail starting helpers of its own.
    if workers > 1 and getattr(multiprocessing.current_process(), "_inheriting", False):
        raise ArgumentError(
            f"workers={workers}: simulate() was called while a helper process was importing "
            "the main script; put the code that calls simulate() under "
            "'if __name__ == \"__main__\":' (helpers re-import the script), or use workers=1"
        )
    started = time.perf_counter()
    if cache_dir is None:
        cache_dir = os.environ.get("WOM_CACHE_DIR") or None
    cache = None if cache_dir is None else os.fspath(cache_dir)
    sizes = block_sizes(scenario.simulation.replicates, scenario.simulation.block_size)
    tasks = [
        (index, block, replicates)
        for index in range(len(scenario.resolved_strategies()))
        for block, replicates in enumerate(sizes)
    ]
    built = started
    town: list[PreparedStrategy] = []

    def build() -> list[PreparedStrategy]:
        nonlocal built
        town[:] = prepare(scenario, graphs=graphs, cache_dir=cache)
        built = time.perf_counter()
        return town

    if workers > 1 and len(tasks) > 1:  # helpers start while this process builds its town
        outputs = run_shared(scenario, graphs, build, tasks, workers, progress, cache_dir=cache)
        prepared = town
    else:
        prepared = build()
        outputs = {}
        for done, task in enumerate(tasks, start=1):
            outputs[task] = run_block(prepared[task[0]], task[1], task[2])
            if progress is not None:
                progress(done, len(tasks))
    blocks = [
        [outputs[(index, block, replicates)] for block, replicates in enumerate(sizes)]
        for index in range(len(prepared))
    ]
    timings = {"build_seconds": built - started, "simulate_seconds": time.perf_counter() - built}
    return merge_blocks(scenario, prepared, blocks, timings=timings)


def merge_blocks(
    scenario: cfg.Scenario,
    prepared: Sequence[PreparedStrategy],
    blocks: Sequence[Sequence[Mapping[str, np.ndarray]]],
    *,
    timings: Mapping[str, float],
) -> RunResult:
    """Concatenate each strategy's blocks into frozen results with provenance.

    ``blocks[strategy][block]`` are the outputs of :func:`run_block`, in block order. The
    provenance's ``replicates`` counts the replicates merged: more than
    ``simulation.replicates`` when a caller (a sweep aiming at an interval width) added
    blocks. :func:`simulate` and sweeps both end here, so their results are built alike.
    """
    strategies = tuple(
        StrategyResult.from_arrays(
            strategy, {key: np.concatenate([b[key] for b in parts]) for key in parts[0]}
        )
        for strategy, parts in zip(prepared, blocks, strict=True)
    )
    record = provenance(scenario, list(prepared), timings)
    record["replicates"] = strategies[0].replicates if strategies else 0
    sim = scenario.simulation
    return RunResult(
        scenario=scenario,
        strategies=strategies,
        days=np.arange(sim.steps + 1) * sim.step_days,
        provenance=record,
    )
