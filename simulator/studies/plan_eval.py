"""Evaluating allocations by simulation, with common random numbers, cached and resumable.

An allocation is run as a strategy of the plan's scenario that runs every planned channel
with the budgets of :meth:`~simulator.studies.plan_space.PlanSettings.engine_budgets`.
Replicate block ``b`` of every allocation uses the same random streams
(:func:`simulator.engine.run.run_block`), so two allocations compared on the same blocks
differ by what they do, not by noise, and each (allocation, block) depends on the seed
only: it is computed once, whatever the order or the number of workers, and kept. With a
``cache`` file every finished (allocation, block) is appended to it as one JSON line, so
an interrupted plan that is started again with the same file computes only what is missing.

The town is built once per process and every allocation's strategy is prepared on it
(only its channel plans are new); with ``workers > 1`` the helper processes are started
once for the whole plan, not once per evaluation. Blocks from :data:`HOLDOUT_BLOCK` on
(the final estimates, which the search never sees) hold ``holdout_block_size``
replicates: a block's cost is mostly a fixed cost per simulated day, so the estimates
that need many replicates get them in few large blocks, and the search's many small
comparisons in small ones.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator import lifeline
from simulator.engine.run import PreparedStrategy, prepare, run_block
from simulator.errors import SimulatorError
from simulator.studies.plan_space import Allocation, PlanSettings

RAW = ("engine_cost", "adopters", "customers", "clv")
"""What is kept of each replicate: EUR the engine spent, first adopters, customers
(adopters without the lifecycle) and the value of the customers won (discounted margin;
``product.margin`` x adopters without the lifecycle), EUR."""

BLOCK_SIZE = 10
"""Replicates per block of the search [assumption: a racing round adds at least 10]."""

HOLDOUT_BLOCK_SIZE = 40
"""Replicates per holdout block [assumption: on the built-in town a block of 40 costs about
twice one of 10, so the final estimates' 80 replicates take two blocks, not eight]."""

HOLDOUT_BLOCK = 1_000_000
"""First replicate block of the final estimates: blocks the search never saw, so the
recommended allocation's interval is not inflated by having been chosen on the same noise
(the winner's curse) [assumption: searches use fewer blocks than this]."""

_KEEP_PREPARED = 64
"""Prepared strategies a process keeps (a plan comes back to its incumbents often)."""


@dataclass(frozen=True)
class Outcome:
    """Per-replicate values of one allocation over the blocks asked for, in block order.

    ``objective`` is what the plan maximises; ``spend`` is every EUR spent (the engine's
    spend plus the setup cost of the channels used); ``value`` is the customers' value
    (EUR), so that ROI = (value - spend) / spend.
    """

    objective: np.ndarray
    spend: np.ndarray
    value: np.ndarray
    customers: np.ndarray
    adopters: np.ndarray

    @property
    def replicates(self) -> int:
        return int(self.objective.size)


Evaluate = Callable[[Sequence[Allocation], Sequence[int]], dict[Allocation, Outcome]]
"""Outcomes of allocations over the same replicate blocks (paired replicate by replicate)."""


def objective_of(objective: str, raw: Mapping[str, np.ndarray], fixed_eur: float) -> Outcome:
    """An :class:`Outcome` from the kept values of a replicate set (see :data:`RAW`)."""
    spend = raw["engine_cost"] + fixed_eur
    value = raw["clv"]
    chosen = {
        "profit": value - spend,
        "clv": value,
        "customers": raw["customers"],
        "adopters": raw["adopters"],
    }[objective]
    return Outcome(
        chosen.astype(np.float64),
        spend.astype(np.float64),
        value.astype(np.float64),
        raw["customers"].astype(np.float64),
        raw["adopters"].astype(np.float64),
    )


def raw_of(scenario: cfg.Scenario, out: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The values :data:`RAW` of a block's outputs (from :func:`~simulator.engine.run.run_block`)."""
    adopters = out["adopters"][:, -1].astype(np.float64)
    if scenario.lifecycle.enabled:
        customers = out["customers"].astype(np.float64)
        value = out["discounted_margin"].astype(np.float64)
    else:
        customers, value = adopters, scenario.product.margin * adopters
    cost = out["cost"].sum(axis=1).astype(np.float64)
    return {"engine_cost": cost, "adopters": adopters, "customers": customers, "clv": value}


Task = tuple[str, int, int]
"""(strategy as JSON, block, replicates): what one process simulates."""


class _Simulator:
    """One process's town and prepared strategies: a strategy is prepared once, on the
    process's one town, and kept for the blocks that follow."""

    def __init__(self, base: dict[str, Any], graphs: Mapping[str, Any] | None) -> None:
        self.base = base
        self.graphs = graphs
        self.towns: dict[str, Any] = {}
        self.prepared: dict[str, PreparedStrategy] = {}

    def strategy(self, strategy: str) -> PreparedStrategy:
        found = self.prepared.get(strategy)
        if found is None:
            data = {**self.base, "strategies": [json.loads(strategy)]}
            scenario = cfg.validate_scenario(data, origin="plan")
            found = prepare(scenario, graphs=self.graphs, towns=self.towns)[0]
            if len(self.prepared) >= _KEEP_PREPARED:
                self.prepared.pop(next(iter(self.prepared)))
            self.prepared[strategy] = found
        return found

    def __call__(self, task: Task) -> dict[str, np.ndarray]:
        strategy, block, replicates = task
        prepared = self.strategy(strategy)
        return raw_of(prepared.scenario, run_block(prepared, block, replicates))


_helper: list[_Simulator] = []


def _start_helper(base: dict[str, Any], graphs: Mapping[str, Any] | None) -> None:
    lifeline.ignore_interrupt()
    _helper[:] = [_Simulator(base, graphs)]


def _helper_task(task: Task) -> dict[str, np.ndarray]:
    return _helper[0](task)


class SimulationEvaluator:
    """Simulate allocations of a scenario's channels, block by block, keeping each block.

    Parameters
    ----------
    scenario : Scenario
        The plan's scenario; its strategies are replaced by one per allocation.
    settings : PlanSettings
        From :func:`~simulator.studies.plan_space.check_plan`.
    block_size : int
        Replicates per block below :data:`HOLDOUT_BLOCK`.
    holdout_block_size : int
        Replicates per block from :data:`HOLDOUT_BLOCK` on.
    workers : int
        Processes that share the (allocation, block) tasks: this one and ``workers - 1``
        helpers, started at the first evaluation that has tasks to share and kept until
        :meth:`close`; results do not depend on it.
    cache : path, optional
        A JSON-lines file that keeps every finished block; a file made for another
        scenario, plan or block size is refused (one line naming it).
    graphs : mapping, optional
        Graph objects for the scenario's ``graph`` layers, as for ``simulate``.

    Examples
    --------
    >>> from simulator.studies.plan_space import check_plan
    >>> s = cfg.load_scenario(None, ["population.size=300", "simulation.steps=10"])
    >>> settings = check_plan(s, budget=100, channels=["radio", "newspaper"])
    >>> with SimulationEvaluator(s, settings, block_size=4) as evaluate:
    ...     found = evaluate([(5000, 5000), (10000, 0)], range(2))
    >>> found[(5000, 5000)].replicates, evaluate.replicates_run
    (8, 16)
    """

    def __init__(
        self,
        scenario: cfg.Scenario,
        settings: PlanSettings,
        *,
        block_size: int = BLOCK_SIZE,
        holdout_block_size: int = HOLDOUT_BLOCK_SIZE,
        workers: int = 1,
        cache: str | Path | None = None,
        graphs: Mapping[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.settings = settings
        self.block_size = block_size
        self.holdout_block_size = holdout_block_size
        self.workers = workers
        self.graphs = graphs
        self.kept: dict[tuple[Allocation, int], dict[str, np.ndarray]] = {}
        self.replicates_run = 0
        self.valued = scenario.lifecycle.enabled or scenario.product.margin > 0
        self.fingerprint = self._fingerprint()
        base = scenario.model_dump(mode="json")
        base["strategies"] = []
        self._base = base
        self._local = _Simulator(base, graphs)
        self._pool: ProcessPoolExecutor | None = None
        self.cache = None if cache is None else Path(cache)
        if self.cache is not None:
            self._load()

    def __enter__(self) -> SimulationEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the helper processes (the evaluator can still simulate, starting new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def block_replicates(self, block: int) -> int:
        """Replicates of ``block``: ``holdout_block_size`` from :data:`HOLDOUT_BLOCK` on."""
        return self.holdout_block_size if block >= HOLDOUT_BLOCK else self.block_size

    def _fingerprint(self) -> str:
        data = self.scenario.model_dump(mode="json")
        data["strategies"] = []
        key = {
            "scenario": data,
            "channels": self.settings.channels,
            "setup_hours": self.settings.setup_hours,
            "hourly_cost": self.settings.hourly_cost,
            "block_size": self.block_size,
            "holdout_block_size": self.holdout_block_size,
        }
        text = json.dumps(key, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _load(self) -> None:
        assert self.cache is not None
        if not self.cache.exists():
            self.cache.write_text(json.dumps({"fingerprint": self.fingerprint}) + "\n")
            return
        try:
            lines = self.cache.read_text(encoding="utf-8").splitlines()
            header = json.loads(lines[0]) if lines else {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SimulatorError(f"cache {self.cache}: cannot read it ({exc})") from None
        if header.get("fingerprint") != self.fingerprint:
            raise SimulatorError(
                f"cache {self.cache}: made for another scenario, plan or block size "
                f"(fingerprint {header.get('fingerprint')!r}, this plan's is "
                f"{self.fingerprint!r}); remove it or give another file"
            )
        for line in lines[1:]:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by an interruption
                continue
            key = (tuple(row["allocation"]), int(row["block"]))
            self.kept[key] = {name: np.asarray(row[name], np.float64) for name in RAW}

    def _strategy(self, allocation: Allocation) -> str:
        budgets = self.settings.engine_budgets(allocation)
        strategy = {
            "name": "allocation " + "/".join(str(c) for c in allocation),
            "channels": list(self.settings.channels),
            "set": {
                f"channels.{c}.budget": float(b)
                for c, b in zip(self.settings.channels, budgets, strict=True)
            },
        }
        return json.dumps(strategy, sort_keys=True)

    def _helpers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=lifeline.start_worker,  # helpers die with this process
                initargs=(os.getpid(), _start_helper, self._base, self.graphs),
            )
        return self._pool

    def _shared(self, tasks: list[Task]) -> list[dict[str, np.ndarray]]:
        """Run ``tasks`` here and in the helpers, whichever is free (as
        :func:`simulator.engine.parallel.run_shared`: helpers from the front, this process
        from the back, queued tasks no helper has started taken back at the end)."""
        pool = self._helpers()
        helpers = self.workers - 1
        pending = deque(range(len(tasks)))
        found: dict[int, dict[str, np.ndarray]] = {}
        running: dict[Future, int] = {}
        try:
            while pending or running:
                while pending and len(running) < 2 * helpers:
                    index = pending.popleft()
                    running[pool.submit(_helper_task, tasks[index])] = index
                if not pending:
                    for future in [f for f in running if f.cancel()]:
                        pending.append(running.pop(future))
                if pending:
                    index = pending.pop()
                    found[index] = self._local(tasks[index])
                elif running:
                    wait(list(running), return_when=FIRST_COMPLETED)
                for future in [f for f in running if f.done()]:
                    found[running.pop(future)] = future.result()
        except BrokenProcessPool as exc:
            self._pool = None
            raise SimulatorError(
                f"workers={self.workers}: a helper process stopped before finishing its "
                "tasks; if this runs from a script, put the code that calls plan() under "
                "'if __name__ == \"__main__\":' (helpers re-import the main script), or use "
                "workers=1; otherwise a helper may have run out of memory"
            ) from exc
        return [found[i] for i in range(len(tasks))]

    def _run(self, missing: list[tuple[Allocation, int]]) -> None:
        strategies = {a: self._strategy(a) for a in dict.fromkeys(a for a, _ in missing)}
        tasks = [(strategies[a], b, self.block_replicates(b)) for a, b in missing]
        if self.workers > 1 and len(tasks) > 1:
            raws = self._shared(tasks)
        else:
            raws = [self._local(task) for task in tasks]
        rows = []
        for (allocation, block), raw in zip(missing, raws, strict=True):
            self.kept[(allocation, block)] = raw
            rows.append(
                json.dumps(
                    {"allocation": list(allocation), "block": block}
                    | {k: v.tolist() for k, v in raw.items()}
                )
            )
        self.replicates_run += sum(task[2] for task in tasks)
        if self.cache is not None:
            with self.cache.open("a", encoding="utf-8") as handle:
                handle.write("".join(row + "\n" for row in rows))

    def __call__(
        self, allocations: Sequence[Allocation], blocks: Sequence[int]
    ) -> dict[Allocation, Outcome]:
        """Outcomes of ``allocations`` over ``blocks`` (each block simulated once, ever)."""
        wanted = list(dict.fromkeys(allocations))
        missing = [(a, b) for a in wanted for b in blocks if (a, b) not in self.kept]
        if missing:
            self._run(missing)
        found = {}
        for allocation in wanted:
            raw = {
                name: np.concatenate([self.kept[(allocation, b)][name] for b in blocks])
                for name in RAW
            }
            fixed = float(self.settings.fixed_cents(allocation).sum()) / 100.0
            found[allocation] = objective_of(self.settings.objective, raw, fixed)
        return found
