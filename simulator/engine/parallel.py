"""Helper processes that share a run's (strategy, block) tasks with the calling process.

Each helper builds the town once from the scenario's seed (the parent's town, drawn from
the same streams) and runs blocks, so results are identical to a one-process run. Helpers
are tied to their parent's life by :mod:`simulator.lifeline`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator import lifeline
from simulator.engine.block import run_block
from simulator.engine.prepare import PreparedStrategy, prepare
from simulator.errors import SimulatorError

Progress = Callable[[int, int], None]
"""Called as ``progress(blocks_done, blocks_total)``."""

Task = tuple[int, int, int]  # (strategy index, block, replicates)
_helper_town: list[PreparedStrategy] = []
_helper_error: list[SimulatorError] = []


def _start_helper(
    scenario: cfg.Scenario, graphs: Mapping[str, Any] | None, cache_dir: str | None = None
) -> None:
    """Build the town once in a helper process (from the seed: the parent's town), or
    read it from ``cache_dir``, where the parent has just stored it."""
    lifeline.ignore_interrupt()
    try:
        _helper_town[:] = prepare(scenario, graphs=graphs, cache_dir=cache_dir)
    except SimulatorError as error:  # bad input: the parent says it, once, without a trace
        _helper_error[:] = [error]


def _helper_block(task: Task) -> dict[str, np.ndarray]:
    if _helper_error:
        raise _helper_error[0]
    index, block, replicates = task
    return run_block(_helper_town[index], block, replicates)


def run_shared(
    scenario: cfg.Scenario,
    graphs: Mapping[str, Any] | None,
    prepared: list[PreparedStrategy] | Callable[[], list[PreparedStrategy]],
    tasks: list[Task],
    workers: int,
    progress: Progress | None,
    *,
    cache_dir: str | None = None,
) -> dict[Task, dict[str, np.ndarray]]:
    """Run ``tasks`` here and in ``workers - 1`` spawned helpers, whichever is free.

    Helpers take tasks from the front, this process from the back; each helper has at
    most two tasks queued, and queued tasks a helper has not started when this process
    runs out of work are taken back, so a slow helper start delays nothing.

    ``prepared`` may be a function that prepares this process's strategies: it is called
    once the helpers' first tasks are queued, so that their start (a second or so of
    imports and their own town) overlaps this process building its town.
    """
    helpers = workers - 1
    pending = deque(tasks)
    outputs: dict[Task, dict[str, np.ndarray]] = {}
    running: dict[Future, Task] = {}
    ready: list[PreparedStrategy] | None = None

    def collect(future: Future) -> None:
        outputs[running.pop(future)] = future.result()
        if progress is not None:
            progress(len(outputs), len(tasks))

    pool = ProcessPoolExecutor(
        max_workers=helpers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=lifeline.start_worker,  # helpers die with this process, even by kill -9
        initargs=(os.getpid(), _start_helper, scenario, graphs, cache_dir),
    )
    try:
        while pending or running:
            while pending and len(running) < 2 * helpers:
                task = pending.popleft()
                running[pool.submit(_helper_block, task)] = task
            if ready is None:  # the helpers are starting: build this process's town
                ready = prepared() if callable(prepared) else prepared
            if not pending:  # take back what no helper has started
                for future in [f for f in running if f.cancel()]:
                    pending.append(running.pop(future))
            if pending:
                task = pending.pop()
                outputs[task] = run_block(ready[task[0]], task[1], task[2])
                if progress is not None:
                    progress(len(outputs), len(tasks))
            elif running:
                wait(list(running), return_when=FIRST_COMPLETED)
            for future in [f for f in running if f.done()]:
                collect(future)
    except BrokenProcessPool as exc:
        raise SimulatorError(
            f"workers={workers}: a helper process stopped before finishing its tasks; if this "
            "runs from a script, put the code that calls simulate() under "
            "'if __name__ == \"__main__\":' (helpers re-import the main script), or use "
            "workers=1; otherwise a helper may have run out of memory"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outputs
