"""Evaluating allocations by simulation, with common random numbers, cached and resumable.

An allocation is run as a strategy of the plan's scenario that runs every planned channel
with the budgets of :meth:`~simulator.studies.plan_space.PlanSettings.engine_budgets`.
Replicate block ``b`` of every allocation uses the same random streams
(:func:`simulator.engine.run.run_block`), so two allocations compared on the same blocks
differ by what they do, not by noise, and each (allocation, block) depends on the seed
only: it is computed once, whatever the order or the number of workers, and kept. With a
``cache`` file every finished (allocation, block) is appended to it as one JSON line, so
an interrupted plan that is started again with the same file computes only what is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine.parallel import run_shared
from simulator.engine.run import prepare, run_block
from simulator.errors import SimulatorError
from simulator.studies.plan_space import Allocation, PlanSettings

RAW = ("engine_cost", "adopters", "customers", "clv")
"""What is kept of each replicate: EUR the engine spent, first adopters, customers
(adopters without the lifecycle) and the value of the customers won (discounted margin;
``product.margin`` x adopters without the lifecycle), EUR."""

BLOCK_SIZE = 10
"""Replicates per block of a plan [assumption: a racing round adds at least 10]."""


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


class SimulationEvaluator:
    """Simulate allocations of a scenario's channels, block by block, keeping each block.

    Parameters
    ----------
    scenario : Scenario
        The plan's scenario; its strategies are replaced by one per allocation.
    settings : PlanSettings
        From :func:`~simulator.studies.plan_space.check_plan`.
    block_size : int
        Replicates per block.
    workers : int
        Processes that share the (allocation, block) tasks (the engine's helpers, as
        ``wom run --workers``); results do not depend on it.
    cache : path, optional
        A JSON-lines file that keeps every finished block; a file made for another
        scenario, plan or block size is refused (one line naming it).
    graphs : mapping, optional
        Graph objects for the scenario's ``graph`` layers, as for ``simulate``.
    """

    def __init__(
        self,
        scenario: cfg.Scenario,
        settings: PlanSettings,
        *,
        block_size: int = BLOCK_SIZE,
        workers: int = 1,
        cache: str | Path | None = None,
        graphs: Mapping[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.settings = settings
        self.block_size = block_size
        self.workers = workers
        self.graphs = graphs
        self.kept: dict[tuple[Allocation, int], dict[str, np.ndarray]] = {}
        self.replicates_run = 0
        self.valued = scenario.lifecycle.enabled or scenario.product.margin > 0
        self.fingerprint = self._fingerprint()
        self.cache = None if cache is None else Path(cache)
        if self.cache is not None:
            self._load()

    def _fingerprint(self) -> str:
        data = self.scenario.model_dump(mode="json")
        data["strategies"] = []
        key = {
            "scenario": data,
            "channels": self.settings.channels,
            "setup_hours": self.settings.setup_hours,
            "hourly_cost": self.settings.hourly_cost,
            "block_size": self.block_size,
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

    def _strategy(self, index: int, allocation: Allocation) -> dict[str, Any]:
        budgets = self.settings.engine_budgets(allocation)
        return {
            "name": f"allocation {index}",
            "channels": list(self.settings.channels),
            "set": {
                f"channels.{c}.budget": float(b)
                for c, b in zip(self.settings.channels, budgets, strict=True)
            },
        }

    def _run(self, missing: list[tuple[Allocation, int]]) -> None:
        allocations = list(dict.fromkeys(a for a, _ in missing))
        data = self.scenario.model_dump(mode="json")
        data["strategies"] = [self._strategy(i, a) for i, a in enumerate(allocations)]
        scenario = cfg.validate_scenario(data, origin="plan")
        prepared = prepare(scenario, graphs=self.graphs)
        position = {a: i for i, a in enumerate(allocations)}
        tasks = [(position[a], block, self.block_size) for a, block in missing]
        if self.workers > 1 and len(tasks) > 1:
            outputs = run_shared(scenario, self.graphs, prepared, tasks, self.workers, None)
        else:
            outputs = {task: run_block(prepared[task[0]], task[1], task[2]) for task in tasks}
        rows = []
        for (allocation, block), task in zip(missing, tasks, strict=True):
            raw = raw_of(self.scenario, outputs[task])
            self.kept[(allocation, block)] = raw
            rows.append(
                json.dumps(
                    {"allocation": list(allocation), "block": block}
                    | {k: v.tolist() for k, v in raw.items()}
                )
            )
        self.replicates_run += len(tasks) * self.block_size
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
